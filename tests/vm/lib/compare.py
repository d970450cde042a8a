#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Compare camctl --json output with the reference tools (lsscsi, sg3_utils) in the VM.

Each subcommand reads saved tool outputs, prints one line per disagreement and exits 1 if
there is any (0 when everything compared agrees, 2 on unusable input).  The `peer`
subcommand only parses a reference tool's output and checks it against sysfs, so the
parsers are proven even before camctl exists.
"""

import argparse
import json
import os
import re
import sys

# lsscsi's eight-column type names (lsscsi.c), by peripheral device type.
LSSCSI_TYPES = {
    "disk": 0, "tape": 1, "printer": 2, "process": 3, "worm": 4, "cd/dvd": 5,
    "scanner": 6, "optical": 7, "mediumx": 8, "comms": 9, "(0xa)": 0xA, "(0xb)": 0xB,
    "storage": 0xC, "enclosu": 0xD, "sim dsk": 0xE, "opti rd": 0xF, "bridge": 0x10,
    "osd": 0x11, "adi": 0x12, "sec man": 0x13, "zbc": 0x14, "wlun": 0x1E, "no dev": 0x1F,
}
# Designator association / type / code set numbers for the names sg_vpd prints
# (SPC-5 tables for the Device Identification VPD page).
ASSOCIATIONS = {
    "addressed logical unit": 0, "target port": 1,
    "target device that contains addressed lu": 2,
}
DESIGNATOR_TYPES = {
    "vendor specific": 0, "t10 vendor identification": 1, "eui-64 based": 2, "naa": 3,
    "relative target port": 4, "target port group": 5, "logical unit group": 6,
    "md5 logical unit identifier": 7, "scsi name string": 8,
    "protocol specific port identifier": 9, "uuid identifier": 0xA,
}
CODE_SETS = {"binary": 1, "ascii": 2, "utf-8": 3}
# Block devices and character devices lsscsi shows in its device-node column.
PRIMARY_NODE_KINDS = ("sd", "sr", "st", "ch")


class Mismatches:
    def __init__(self, what, left="camctl", right="reference"):
        self.what = what
        self.left = left
        self.right = right
        self.problems = []
        self.agreed = 0

    def eq(self, field, camctl, reference):
        if camctl != reference:
            self.problems.append(f"{field}: {self.left}={camctl!r} {self.right}={reference!r}")
        else:
            self.agreed += 1

    def bad(self, message):
        self.problems.append(message)

    def finish(self):
        for p in self.problems:
            print(f"MISMATCH {self.what}: {p}")
        if self.problems:
            print(f"{self.what}: {len(self.problems)} disagreement(s), {self.agreed} agreed")
            return 1
        if self.agreed == 0:
            print(f"{self.what}: nothing was compared")
            return 1
        print(f"{self.what}: {self.agreed} values agree")
        return 0


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def load_camctl(path, key):
    """The payload <key> of a camctl --json document; exits 2 when it is not there."""
    text = read(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        sys.exit(f"{path}: not one JSON document ({e}); starts with {text[:200]!r}")
    if not isinstance(doc, dict):
        sys.exit(f"{path}: top level is not an object")
    if doc.get("version") != 1:
        print(f"MISMATCH {path}: \"version\" is {doc.get('version')!r}, want 1")
        sys.exit(1)
    if "error" in doc:
        sys.exit(f"{path}: camctl reported an error: {json.dumps(doc['error'])}")
    if key not in doc:
        sys.exit(f"{path}: no \"{key}\" key (have {sorted(doc)})")
    return doc[key]


def as_int(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, str):
        return int(v, 0)
    return v


def hexstr(s):
    return re.sub(r"[^0-9a-f]", "", s.lower())


# ----------------------------------------------------------------------------- parsers

def parse_lsscsi(text):
    """lsscsi -g: [H:C:T:L] type vendor model rev node sg, fixed columns (lsscsi.c)."""
    devices = {}
    for line in text.splitlines():
        m = re.match(r"^\[(\d+:\d+:\d+:\d+)\]", line)
        if not m:
            continue
        hctl = m.group(1)
        rest = line[13:] if len(m.group(0)) < 13 else line[len(m.group(0)) + 1:]
        nodes = rest[38:].split()
        devices[hctl] = {
            "type": rest[0:8].strip(),
            "vendor": rest[8:16].strip(),
            "model": rest[17:33].strip(),
            "revision": rest[34:38].strip(),
            "node": nodes[0] if len(nodes) > 0 and nodes[0] != "-" else None,
            "sg": nodes[1] if len(nodes) > 1 and nodes[1] != "-" else None,
        }
    return devices


SG_INQ_KEYS = {
    "PQual": "peripheral_qualifier", "PDT": "peripheral_device_type", "RMB": "removable",
    "LU_CONG": "lu_cong", "version": "version", "NormACA": "normaca", "HiSUP": "hisup",
    "Resp_data_format": "response_data_format", "SCCS": "sccs", "ACC": "acc",
    "TPGS": "tpgs", "3PC": "tpc", "Protect": "protect", "EncServ": "encserv",
    "MultiP": "multip", "CmdQue": "cmdque",
}


def parse_sg_inq(text):
    fields = {}
    for key, value in re.findall(r"(?<![\w\[])([A-Za-z0-9_]+)=(0x[0-9a-fA-F]+|\d+)", text):
        if key in SG_INQ_KEYS:
            fields[SG_INQ_KEYS[key]] = int(value, 0)
    m = re.search(r"length=(\d+)", text)
    if m:
        fields["additional_length"] = int(m.group(1)) - 5
    for label, key in (("Vendor identification", "vendor"), ("Product identification", "product"),
                       ("Product revision level", "revision")):
        m = re.search(label + r": ?(.*)$", text, re.M)
        if m:
            fields[key] = m.group(1).strip()
    return fields


def parse_vpd_sn(text):
    m = re.search(r"Unit serial number: ?(.*)$", text, re.M)
    return m.group(1).strip() if m else None


def parse_vpd_di(text):
    """sg_vpd -p di: designators grouped under association headings."""
    designators = []
    assoc = None
    cur = None
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.endswith(":") and s[:-1].lower() in ASSOCIATIONS:
            assoc = ASSOCIATIONS[s[:-1].lower()]
            continue
        m = re.match(r"designator type: (.*?),\s+code set: (.*)$", s)
        if m:
            dtype = re.sub(r"\s*\[0x[0-9a-f]+\]$", "", m.group(1)).strip()
            cur = {"association": assoc, "designator_type_name": dtype,
                   "designator_type": DESIGNATOR_TYPES.get(dtype.lower()),
                   "code_set_name": m.group(2).strip(),
                   "code_set": CODE_SETS.get(m.group(2).strip().lower()),
                   "piv": False, "lines": []}
            designators.append(cur)
            continue
        if cur is None:
            continue
        if s.startswith("transport:"):
            cur["piv"] = True
            cur["transport"] = s.split(":", 1)[1].strip()
            continue
        cur["lines"].append(line.rstrip("\n"))
    for d in designators:
        d["value"] = di_value(d)
    return designators


def di_value(d):
    """The designator value in camctl's form: hex for binary, text for ASCII/UTF-8."""
    lines = [l.strip() for l in d["lines"]]
    if d["designator_type"] == 1:  # T10 vendor id: 8-byte vendor id then vendor specific
        vid = next((l.split(":", 1)[1] for l in d["lines"] if "vendor id:" in l), "")
        vid = vid[1:] if vid.startswith(" ") else vid
        vs = next((l.split(":", 1)[1].strip() for l in lines if l.startswith("vendor specific:")), "")
        return {"text": vid.ljust(8)[:8] + vs}
    for l in lines:
        m = re.match(r"(Relative target port|Target port group|Logical unit group): (0x[0-9a-f]+)", l)
        if m:
            return {"number": int(m.group(2), 16)}
    if d["designator_type"] == 8:
        rest = [l for l in lines if not l.startswith("SCSI name string")]
        return {"text": rest[0] if rest else ""}
    for l in lines:
        if re.fullmatch(r"0x[0-9a-f]+", l):
            return {"hex": l[2:]}
    hexdump = "".join(re.sub(r"^[0-9a-f]{2,}\s+", "", l) for l in lines if re.match(r"^[0-9a-f]{2,}\s", l))
    return {"hex": hexstr(hexdump)} if hexdump else {"text": " ".join(lines)}


def parse_vpd_lbpv(text):
    fields = {}
    for key, value in re.findall(r"\((LBPU|LBPWS|LBPWS10|LBPRZ|ANC_SUP|DP)\): (\d+)", text):
        fields[key.lower()] = int(value)
    m = re.search(r"Threshold exponent: (\d+)", text)
    if m:
        fields["threshold_exponent"] = int(m.group(1))
    m = re.search(r"Provisioning type: (\d+)", text)
    if m:
        fields["provisioning_type"] = int(m.group(1))
    return fields


def parse_sg_readcap(text):
    f = {}
    pats = {
        "protection_enabled": r"prot_en=(\d+)", "protection_type": r"p_type=(\d+)",
        "p_i_exponent": r"p_i_exponent=(\d+)", "lbpme": r"lbpme=(\d+)", "lbprz": r"lbprz=(\d+)",
        "last_lba": r"Last LBA=(\d+)", "blocks": r"Number of logical blocks=(\d+)",
        "block_length_bytes": r"Logical block length=(\d+)",
        "logical_blocks_per_physical_block_exponent": r"per physical block exponent=(\d+)",
        "lowest_aligned_lba": r"Lowest aligned LBA=(\d+)",
        "capacity_bytes": r"Device size: (\d+) bytes",
    }
    for key, pat in pats.items():
        m = re.search(pat, text)
        if m:
            f[key] = int(m.group(1))
    return f


def parse_sg_luns(text):
    luns = []
    for line in text.splitlines():
        m = re.fullmatch(r"\s+([0-9a-f]{16})\s*", line)
        if m:
            luns.append({"bytes": m.group(1)})
        m = re.search(r"addressing: lun=(\d+)", line)
        if m and luns:
            luns[-1]["lun"] = int(m.group(1))
    return luns


def hex_rows(lines):
    out = ""
    for l in lines:
        m = re.match(r"^\s*[0-9a-f]{2,}\s{2,}((?:[0-9a-f]{2}\s*)+)$", l)
        if m:
            out += hexstr(m.group(1))
    return bytes.fromhex(out)


def parse_sg_modes(text):
    """sg_modes -p N: header fields, the first block descriptor and each page's bytes."""
    r = {"pages": {}}
    m = re.search(r"medium type=(0x[0-9a-f]+), WP=(\d), DpoFua=(\d), longlba=(\d)", text)
    if m:
        r["medium_type"] = int(m.group(1), 16)
        r["wp"], r["dpofua"], r["longlba"] = (int(m.group(i)) for i in (2, 3, 4))
    m = re.search(r"Block descriptor length=(\d+)", text)
    if m:
        r["block_descriptor_length"] = int(m.group(1))
    m = re.search(r"Density code=(0x[0-9a-f]+)", text)
    if m:
        r["density_code"] = int(m.group(1), 16)
    sections = re.split(r"^>+ ", text, flags=re.M)
    for sec in sections[1:]:
        lines = sec.splitlines()
        data = hex_rows(lines[1:])
        if lines[0].startswith("Direct access device block descriptors") or "block descriptor" in lines[0]:
            r["block_descriptor"] = data
        elif data:
            r["pages"][data[0] & 0x3F] = data
    return r


def parse_sg_logs_supported(text):
    return sorted(int(c, 16) for c in re.findall(r"^\s+0x([0-9a-f]{2})(?:,0x[0-9a-f]{2})?\s", text, re.M))


def parse_sg_logs_temperature(text):
    f = {}
    m = re.search(r"Current temperature = (\d+) C", text)
    if m:
        f["temperature_celsius"] = int(m.group(1))
    m = re.search(r"Reference temperature = (\d+) C", text)
    if m:
        f["reference_temperature_celsius"] = int(m.group(1))
    return f


def log_parameters(page):
    """(code, value bytes) of each log parameter in a raw log page (SPC-5 7.3)."""
    params = []
    end = min(len(page), 4 + int.from_bytes(page[2:4], "big"))
    i = 4
    while i + 4 <= end:
        code = int.from_bytes(page[i:i + 2], "big")
        n = page[i + 3]
        params.append((code, page[i + 4:i + 4 + n]))
        i += 4 + n
    return params


# ------------------------------------------------------------------------- peer checks

def sysfs(hctl, name):
    try:
        with open(f"/sys/bus/scsi/devices/{hctl}/{name}") as f:
            return f.read().strip()
    except OSError:
        return None


def sysfs_node(hctl, cls):
    try:
        return sorted(os.listdir(f"/sys/bus/scsi/devices/{hctl}/{cls}"))
    except OSError:
        return []


def cmd_peer(args):
    """Parse a reference tool's output; check it against sysfs where sysfs knows."""
    text = read(args.file)
    m = Mismatches(f"{args.kind} {os.path.basename(args.file)}", args.kind, "sysfs/expected")
    if args.kind == "lsscsi":
        devs = parse_lsscsi(text)
        want = sorted(args.hctl) if args.hctl else None
        if want is not None:
            m.eq("devices", sorted(devs), want)
        if args.count is not None:
            m.eq("device count", len(devs), args.count)
        for hctl, d in devs.items():
            m.eq(f"{hctl} vendor", d["vendor"], sysfs(hctl, "vendor"))
            m.eq(f"{hctl} model", d["model"], sysfs(hctl, "model"))
            m.eq(f"{hctl} rev", d["revision"], sysfs(hctl, "rev"))
            m.eq(f"{hctl} type", LSSCSI_TYPES.get(d["type"]), as_int(sysfs(hctl, "type")))
            sg = sysfs_node(hctl, "scsi_generic")
            m.eq(f"{hctl} sg", d["sg"], f"/dev/{sg[0]}" if sg else None)
    elif args.kind == "sg_inq":
        f = parse_sg_inq(text)
        for key in ("vendor", "product", "revision", "peripheral_device_type"):
            m.eq(f"{key} parsed", key in f, True)
        if args.hctl:
            h = args.hctl[0]
            m.eq("vendor", f.get("vendor"), sysfs(h, "vendor"))
            m.eq("product", f.get("product"), sysfs(h, "model"))
            m.eq("revision", f.get("revision"), sysfs(h, "rev"))
            m.eq("peripheral_device_type", f.get("peripheral_device_type"), as_int(sysfs(h, "type")))
    elif args.kind == "sg_vpd_sn":
        sn = parse_vpd_sn(text)
        m.eq("serial number present", sn is not None and sn != "", True)
    elif args.kind == "sg_vpd_di":
        ds = parse_vpd_di(text)
        m.eq("designators found", len(ds) > 0, True)
        for i, d in enumerate(ds):
            m.eq(f"designator {i} type known", d["designator_type"] is not None, True)
            m.eq(f"designator {i} code set known", d["code_set"] is not None, True)
        if args.hctl:
            wwid = sysfs(args.hctl[0], "wwid")
            naa = [d["value"].get("hex") for d in ds if d["association"] == 0 and d["designator_type"] == 3]
            if wwid and wwid.startswith("naa."):
                m.eq("LU NAA designator = sysfs wwid", naa[:1], [wwid[4:].lower()])
    elif args.kind == "sg_vpd_lbpv":
        f = parse_vpd_lbpv(text)
        for key in ("lbpu", "lbpws", "lbprz", "provisioning_type"):
            m.eq(f"{key} parsed", key in f, True)
    elif args.kind == "sg_readcap":
        f = parse_sg_readcap(text)
        for key in ("last_lba", "blocks", "block_length_bytes", "capacity_bytes"):
            m.eq(f"{key} parsed", key in f, True)
        if "blocks" in f and "last_lba" in f:
            m.eq("blocks = last_lba + 1", f["blocks"], f["last_lba"] + 1)
            m.eq("capacity = blocks * block length", f["capacity_bytes"],
                 f["blocks"] * f["block_length_bytes"])
    elif args.kind == "sg_luns":
        luns = parse_sg_luns(text)
        m.eq("luns found", len(luns) > 0, True)
        if args.count is not None:
            m.eq("lun count", len(luns), args.count)
    elif args.kind == "sg_modes":
        r = parse_sg_modes(text)
        m.eq("header parsed", "medium_type" in r, True)
        m.eq(f"page {args.page:#x} found", args.page in r["pages"], True)
    elif args.kind == "sg_logs_supported":
        codes = parse_sg_logs_supported(text)
        m.eq("page 0x00 listed", 0 in codes, True)
        m.eq("page 0x0d listed", 0x0D in codes, True)
    elif args.kind == "sg_logs_temperature":
        f = parse_sg_logs_temperature(text)
        m.eq("temperature parsed", "temperature_celsius" in f, True)
    else:
        sys.exit(f"unknown peer kind {args.kind}")
    for e in args.expect:
        key, _, value = e.partition("=")
        parsed = PEER_PARSERS[args.kind](text)
        got = parsed.get(key) if isinstance(parsed, dict) else None
        m.eq(f"{key} (expected)", got, as_int(value) if re.fullmatch(r"(0x)?[0-9a-f]+", value) else value)
    return m.finish()


PEER_PARSERS = {
    "sg_inq": parse_sg_inq, "sg_vpd_lbpv": parse_vpd_lbpv, "sg_readcap": parse_sg_readcap,
    "sg_logs_temperature": parse_sg_logs_temperature, "sg_modes": parse_sg_modes,
}


# ----------------------------------------------------------------------- camctl checks

def cmd_devlist(args):
    ref = parse_lsscsi(read(args.lsscsi))
    devs = load_camctl(args.json, "devices")
    m = Mismatches("devlist")
    if not isinstance(devs, list):
        m.bad("\"devices\" is not an array")
        return m.finish()
    mine = {}
    for d in devs:
        hctl = d.get("hctl")
        if hctl in mine:
            m.bad(f"{hctl} listed twice")
        mine[hctl] = d
    m.eq("set of H:C:T:L", sorted(mine), sorted(ref))
    for hctl in sorted(set(mine) & set(ref)):
        d, r = mine[hctl], ref[hctl]
        h, c, t, l = (int(x) for x in hctl.split(":"))
        m.eq(f"{hctl} host/channel/target/lun",
             [d.get("host"), d.get("channel"), d.get("target"), d.get("lun")], [h, c, t, l])
        m.eq(f"{hctl} vendor", d.get("vendor"), r["vendor"])
        m.eq(f"{hctl} model", d.get("model"), r["model"])
        m.eq(f"{hctl} revision", d.get("revision"), r["revision"])
        m.eq(f"{hctl} peripheral_device_type", d.get("peripheral_device_type"),
             LSSCSI_TYPES.get(r["type"]))
        if not isinstance(d.get("peripheral_device_type_name"), str):
            m.bad(f"{hctl}: peripheral_device_type_name missing")
        nodes = d.get("nodes", {})
        primary = [nodes[k] for k in PRIMARY_NODE_KINDS if k in nodes]
        m.eq(f"{hctl} device node", primary[:1], [r["node"]] if r["node"] else [])
        m.eq(f"{hctl} sg node", nodes.get("sg"), r["sg"])
        if "st" in nodes:
            m.eq(f"{hctl} nst node", nodes.get("nst"), nodes["st"].replace("/dev/st", "/dev/nst"))
        if os.path.isdir(f"/dev/bsg"):
            m.eq(f"{hctl} bsg node", nodes.get("bsg"),
                 f"/dev/bsg/{hctl}" if os.path.exists(f"/dev/bsg/{hctl}") else None)
        wwid = sysfs(hctl, "wwid")
        if wwid:
            m.eq(f"{hctl} wwid (sysfs)", d.get("wwid"), wwid)
        state = sysfs(hctl, "state")
        if state:
            m.eq(f"{hctl} state (sysfs)", d.get("state"), state)
    return m.finish()


def cmd_has_device(args):
    devs = load_camctl(args.json, "devices")
    found = [d for d in devs if d.get("hctl") == args.hctl]
    want = not args.absent
    print(f"{args.hctl} {'listed' if found else 'not listed'} by camctl devlist")
    return 0 if bool(found) == want else 1


def cmd_inquiry(args):
    ref = parse_sg_inq(read(args.sg))
    inq = load_camctl(args.json, "inquiry")
    m = Mismatches("inquiry")
    for key, value in ref.items():
        if key in ("vendor", "product", "revision"):
            m.eq(key, inq.get(key), value)
        else:
            m.eq(key, as_int(inq.get(key)), value)
    if not isinstance(inq.get("peripheral_device_type_name"), str):
        m.bad("peripheral_device_type_name missing")
    if not isinstance(inq.get("version_descriptors"), list):
        m.bad("version_descriptors is not an array")
    return m.finish()


def vpd_payload(args, page):
    vpd = load_camctl(args.json, "vpd")
    if as_int(vpd.get("page_code")) != page:
        print(f"MISMATCH vpd: page_code {vpd.get('page_code')!r}, want {page}")
        sys.exit(1)
    return vpd


def cmd_vpd_sn(args):
    vpd = vpd_payload(args, 0x80)
    m = Mismatches("vpd 0x80")
    m.eq("serial_number", vpd.get("serial_number"), parse_vpd_sn(read(args.sg)))
    return m.finish()


def norm_text(s):
    return re.sub(r"\s+", " ", (s or "").replace("\x00", "")).strip()


def cmd_vpd_di(args):
    ref = parse_vpd_di(read(args.sg))
    vpd = vpd_payload(args, 0x83)
    mine = vpd.get("designators", [])
    m = Mismatches("vpd 0x83")
    m.eq("designator count", len(mine), len(ref))
    for i, (d, r) in enumerate(zip(mine, ref)):
        p = f"designator {i}"
        m.eq(f"{p} association", as_int(d.get("association")), r["association"])
        m.eq(f"{p} designator_type", as_int(d.get("designator_type")), r["designator_type"])
        m.eq(f"{p} code_set", as_int(d.get("code_set")), r["code_set"])
        m.eq(f"{p} designator_type_name", (d.get("designator_type_name") or "").lower(),
             r["designator_type_name"].lower())
        m.eq(f"{p} code_set_name", (d.get("code_set_name") or "").lower(), r["code_set_name"].lower())
        m.eq(f"{p} piv", bool(d.get("piv")), r["piv"])
        v, rv = d.get("value"), r["value"]
        if "hex" in rv:
            m.eq(f"{p} value", hexstr(str(v)), rv["hex"])
        elif "number" in rv:
            try:
                m.eq(f"{p} value", int(hexstr(str(v)) or "x", 16), rv["number"])
            except ValueError:
                m.bad(f"{p} value {v!r} is not hex, want {rv['number']:#x}")
        else:
            m.eq(f"{p} value", norm_text(v), norm_text(rv["text"]))
    return m.finish()


def cmd_vpd_lbpv(args):
    ref = parse_vpd_lbpv(read(args.sg))
    vpd = vpd_payload(args, 0xB2)
    m = Mismatches("vpd 0xb2")
    for key, value in ref.items():
        m.eq(key, as_int(vpd.get(key)), value)
    return m.finish()


def cmd_readcap(args):
    ref = parse_sg_readcap(read(args.sg))
    cap = load_camctl(args.json, "capacity")
    m = Mismatches("readcap")
    for key, value in ref.items():
        if key in cap or args.need16 or key in ("last_lba", "blocks", "block_length_bytes",
                                                 "capacity_bytes"):
            m.eq(key, as_int(cap.get(key)), value)
    return m.finish()


def cmd_readcap_size(args):
    ref = parse_sg_readcap(read(args.sg))
    m = Mismatches("readcap vs blockdev")
    m.eq("capacity_bytes = blockdev --getsize64", ref.get("capacity_bytes"), int(read(args.size).strip()))
    if args.block_length is not None:
        m.eq("block_length_bytes", ref.get("block_length_bytes"), args.block_length)
    if args.json:
        cap = load_camctl(args.json, "capacity")
        m.eq("camctl capacity_bytes = blockdev --getsize64", as_int(cap.get("capacity_bytes")),
             int(read(args.size).strip()))
    return m.finish()


def cmd_luns(args):
    ref = parse_sg_luns(read(args.sg))
    luns = load_camctl(args.json, "luns")
    m = Mismatches("reportluns")
    m.eq("lun count", len(luns), len(ref))
    for i, (l, r) in enumerate(zip(luns, ref)):
        m.eq(f"lun {i} bytes", hexstr(str(l.get("bytes"))), r["bytes"])
        if "lun" in r:
            m.eq(f"lun {i} lun", as_int(l.get("lun")), r["lun"])
    return m.finish()


def cmd_modepage(args):
    ref = parse_sg_modes(read(args.sg))
    mode = load_camctl(args.json, "mode")
    m = Mismatches(f"modepage {args.page:#04x}")
    hdr = mode.get("header", {})
    for key in ("medium_type", "wp", "dpofua", "longlba", "block_descriptor_length"):
        if key in ref and (key != "block_descriptor_length" or ref.get("longlba") == as_int(hdr.get("longlba"))):
            m.eq(f"header {key}", as_int(hdr.get(key)), ref[key])
    bd = ref.get("block_descriptor")
    bds = mode.get("block_descriptors", [])
    if bd and len(bd) == 8 and bds:
        m.eq("block descriptor number_of_blocks", as_int(bds[0].get("number_of_blocks")),
             int.from_bytes(bd[0:4], "big"))
        m.eq("block descriptor block_length_bytes", as_int(bds[0].get("block_length_bytes")),
             int.from_bytes(bd[5:8], "big"))
    elif bd:
        m.eq("block descriptor count", len(bds), 1)
    page = ref["pages"].get(args.page)
    mine = [p for p in mode.get("pages", []) if as_int(p.get("page_code")) == args.page]
    if page is None:
        m.bad(f"sg_modes output has no page {args.page:#x}")
        return m.finish()
    if len(mine) != 1:
        m.bad(f"camctl shows {len(mine)} pages with code {args.page:#x}, want 1")
        return m.finish()
    p = mine[0]
    raw = bytes.fromhex(hexstr(str(p.get("bytes", ""))))
    # "bytes" is the whole page; accept the page body without its 2-byte header too.
    m.eq("page bytes", raw.hex() if raw[:1] == page[:1] else page[:2].hex() + raw.hex(), page.hex())
    m.eq("ps", bool(p.get("ps")), bool(page[0] & 0x80))
    m.eq("spf", bool(p.get("spf")), bool(page[0] & 0x40))
    fields = p.get("fields", {})
    if args.page == 0x08:
        m.eq("fields.wce", bool(fields.get("wce")), bool(page[2] & 0x04))
        m.eq("fields.rcd", bool(fields.get("rcd")), bool(page[2] & 0x01))
    if args.page == 0x0A:
        if "d_sense" in fields:
            m.eq("fields.d_sense", bool(fields.get("d_sense")), bool(page[2] & 0x04))
        if "tst" in fields:
            m.eq("fields.tst", as_int(fields.get("tst")), page[2] >> 5)
    return m.finish()


def log_page(args, code):
    log = load_camctl(args.json, "log")
    pages = [p for p in log.get("pages", []) if as_int(p.get("page_code")) == code]
    if len(pages) != 1:
        print(f"MISMATCH logpage: {len(pages)} pages with code {code:#x}, want 1")
        sys.exit(1)
    return pages[0]


def cmd_log_supported(args):
    ref = parse_sg_logs_supported(read(args.sg))
    page = log_page(args, 0)
    m = Mismatches("logpage 0x00")
    mine = sorted(as_int(p.get("page_code")) for p in page.get("supported_pages", []))
    m.eq("supported page codes", mine, ref)
    return m.finish()


def cmd_log_temperature(args):
    ref = parse_sg_logs_temperature(read(args.sg))
    raw = hex_rows(read(args.hex).splitlines())
    page = log_page(args, 0x0D)
    m = Mismatches("logpage 0x0d")
    for key, value in ref.items():
        m.eq(key, as_int(page.get(key)), value)
    params = page.get("parameters", [])
    ref_params = log_parameters(raw)
    m.eq("parameter codes", [as_int(p.get("parameter_code")) for p in params], [c for c, _ in ref_params])
    for p, (code, value) in zip(params, ref_params):
        m.eq(f"parameter {code:#06x} bytes", hexstr(str(p.get("bytes", ""))), value.hex())
    return m.finish()


def json_values(text):
    """Every JSON value in text: one document, or one per line (JSON Lines)."""
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        pass
    docs = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return docs


def walk_objects(v):
    if isinstance(v, dict):
        yield v
        for x in v.values():
            yield from walk_objects(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk_objects(x)


def cmd_watch(args):
    """An event object whose action is <action> and that names <hctl> somewhere inside."""
    docs = json_values(read(args.file))
    if not docs:
        print(f"{args.file}: no JSON events")
        return 1
    for obj in (o for d in docs for o in walk_objects(d)):
        action = next((obj[k] for k in ("action", "event", "kind", "type") if isinstance(obj.get(k), str)), None)
        if action != args.action:
            continue
        if args.hctl in json.dumps(obj):
            print(f"watch: {args.action} event for {args.hctl}: {json.dumps(obj)}")
            return 0
    print(f"watch: no {args.action} event naming {args.hctl} among {len(docs)} JSON document(s)")
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("peer")
    p.add_argument("kind")
    p.add_argument("file")
    p.add_argument("hctl", nargs="*")
    p.add_argument("--page", type=lambda s: int(s, 0), default=0)
    p.add_argument("--count", type=int)
    p.add_argument("--expect", action="append", default=[], metavar="KEY=VALUE",
                   help="a parsed field must have this value")
    p.set_defaults(fn=cmd_peer)

    p = sub.add_parser("devlist")
    p.add_argument("lsscsi")
    p.add_argument("json")
    p.set_defaults(fn=cmd_devlist)

    p = sub.add_parser("has-device")
    p.add_argument("json")
    p.add_argument("hctl")
    p.add_argument("--absent", action="store_true")
    p.set_defaults(fn=cmd_has_device)

    for name, fn in (("inquiry", cmd_inquiry), ("vpd-sn", cmd_vpd_sn), ("vpd-di", cmd_vpd_di),
                     ("vpd-lbpv", cmd_vpd_lbpv), ("luns", cmd_luns),
                     ("log-supported", cmd_log_supported)):
        p = sub.add_parser(name)
        p.add_argument("sg")
        p.add_argument("json")
        p.set_defaults(fn=fn)

    p = sub.add_parser("readcap")
    p.add_argument("sg")
    p.add_argument("json")
    p.add_argument("--need16", action="store_true", help="READ CAPACITY(16) fields must be present")
    p.set_defaults(fn=cmd_readcap)

    p = sub.add_parser("readcap-size")
    p.add_argument("sg")
    p.add_argument("size")
    p.add_argument("--json")
    p.add_argument("--block-length", type=int)
    p.set_defaults(fn=cmd_readcap_size)

    p = sub.add_parser("modepage")
    p.add_argument("sg")
    p.add_argument("json")
    p.add_argument("page", type=lambda s: int(s, 0))
    p.set_defaults(fn=cmd_modepage)

    p = sub.add_parser("log-temperature")
    p.add_argument("sg")
    p.add_argument("hex")
    p.add_argument("json")
    p.set_defaults(fn=cmd_log_temperature)

    p = sub.add_parser("watch")
    p.add_argument("file")
    p.add_argument("action")
    p.add_argument("hctl")
    p.set_defaults(fn=cmd_watch)

    args = ap.parse_args()
    sys.exit(args.fn(args))


if __name__ == "__main__":
    main()
