#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Checks for the enclosure VM case: the kernel ses driver's /sys/class/enclosure view,
sg_ses's decodes (--page=cf, ed, es, aes), sg_vpd's serials and designators, and encctl's
JSON, against each other and against what ctld was configured with.

Each subcommand prints one line per disagreement (MISMATCH ...) and exits 1 if there is any,
0 when everything compared agrees.  Standard library only; run as python3 -I -S.
"""

import argparse
import json
import os
import re
import sys

# compare.py is imported from its directory; no __pycache__ left in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import Mismatches, parse_vpd_di, parse_vpd_sn, read  # noqa: E402

ENCLOSURE_CLASS = "/sys/class/enclosure"
SLOT_TYPES = (0x01, 0x17)  # device slot, array device slot

# drivers/misc/enclosure.c: the names of the status attribute, by SES status code, and of
# the type attribute, by element type.
KERNEL_STATUS = ["unsupported", "OK", "critical", "non-critical", "unrecoverable",
                 "not installed", "unknown", "unavailable", "no access"]
KERNEL_TYPE = {0x01: "device", 0x17: "array device"}

# sg_ses's element status code names (SES-4 table 74), normalised by norm().
SG_SES_STATUS = {
    "unsupported": 0, "ok": 1, "critical": 2, "noncritical": 3, "unrecoverable": 4,
    "notinstalled": 5, "unknown": 6, "notavailable": 7, "noaccessallowed": 8,
}
# sg_ses's element type names (SES-4 table 71), normalised by norm().
SG_SES_TYPES = {
    "unspecified": 0x00, "deviceslot": 0x01, "powersupply": 0x02, "cooling": 0x03,
    "temperaturesensor": 0x04, "door": 0x05, "audiblealarm": 0x06,
    "enclosureservicescontrollerelectronics": 0x07, "sccontrollerelectronics": 0x08,
    "nonvolatilecache": 0x09, "invalidoperationreason": 0x0A,
    "uninterruptiblepowersupply": 0x0B, "display": 0x0C, "keypadentry": 0x0D,
    "enclosure": 0x0E, "scsiporttransceiver": 0x0F, "language": 0x10,
    "communicationport": 0x11, "voltagesensor": 0x12, "currentsensor": 0x13,
    "scsitargetport": 0x14, "scsiinitiatorport": 0x15, "simplesubenclosure": 0x16,
    "arraydeviceslot": 0x17, "sasexpander": 0x18, "sasconnector": 0x19,
}
# sg_ses fields in converted units where encctl's key of that name is the raw field: they
# are compared through the unit-named values (temperature_celsius).
CONVERTED_FIELDS = {"temperature"}
# sg_ses status field names whose encctl key is not the normalised name.
SG_SES_FIELD_KEYS = {
    "predicted_failure": "prdfail", "requested_on": "rqsted_on",
    "fault_requested": "fault_reqstd", "app_client_bypass_a": "app_client_bypassed_a",
    "app_client_bypass_b": "app_client_bypassed_b", "enc_bypass_a": "enclosure_bypassed_a",
    "enc_bypass_b": "enclosure_bypassed_b", "enc_bypassed_a": "enclosure_bypassed_a",
    "enc_bypassed_b": "enclosure_bypassed_b", "dev_bypassed_a": "device_bypassed_a",
    "dev_bypassed_b": "device_bypassed_b", "reserved_device": "rsvd_device",
    "cons_check": "cons_chk",
}


def norm(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def key_of(label):
    k = re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")
    return SG_SES_FIELD_KEYS.get(k, k)


def load(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return json.load(f)


def csv(text):
    return [s for s in text.split(",")] if text else []


# ------------------------------------------------------------------ sg_ses text parsers

def sg_ses_blocks(text):
    """The per-element blocks of sg_ses --page=ed|es: {(ti, n): {"type":, "head":, "lines":}}
    with n = -1 for the overall element.  ti is the type descriptor header index."""
    blocks = {}
    ti = None
    etype = None
    cur = None
    for line in text.splitlines():
        m = re.match(r"\s*Element type: (.*?), subenclosure id: \d+ \[ti=(\d+)\]", line)
        if m:
            etype = SG_SES_TYPES.get(norm(m.group(1)))
            ti = int(m.group(2))
            cur = None
            continue
        if ti is None:
            continue
        m = re.match(r"\s*(Overall descriptor|Element (\d+) descriptor):(.*)$", line)
        if m:
            n = -1 if m.group(2) is None else int(m.group(2))
            cur = {"type": etype, "head": m.group(3), "lines": []}
            blocks[(ti, n)] = cur
            continue
        if re.match(r"\s*\S", line) and cur is not None and line.startswith("        "):
            cur["lines"].append(line.strip())
        elif not line.startswith("        "):
            cur = None
    return blocks


def parse_ed(text):
    """sg_ses --page=ed: {(ti, n): (type, descriptor)}, descriptors right-trimmed."""
    return {k: (b["type"], b["head"].strip()) for k, b in sg_ses_blocks(text).items()}


def parse_es(text):
    """sg_ses --page=es: {(ti, n): {"type":, "status_code":, "fields": {key: int}, ...}}."""
    out = {}
    for k, b in sg_ses_blocks(text).items():
        e = {"type": b["type"], "status_code": None, "status_name": None, "fields": {},
             "values": {}}
        for line in b["lines"]:
            m = re.search(r"status: (.*)$", line)
            if m:
                e["status_name"] = m.group(1).strip()
                e["status_code"] = SG_SES_STATUS.get(norm(m.group(1)))
                line = line[: m.start()]
            for label, value in re.findall(r"([A-Za-z][A-Za-z0-9 /]*?)=(-?\d+)\b", line):
                e["fields"][key_of(label)] = int(value)
            m = re.search(r"Actual speed=(\d+) rpm", line)
            if m:
                e["values"]["fan_speed_rpm"] = int(m.group(1))
            m = re.search(r"Temperature=(-?\d+) C", line)
            if m:
                e["values"]["temperature_celsius"] = int(m.group(1))
            m = re.search(r"Voltage: (-?[\d.]+) volts", line)
            if m:
                e["values"]["voltage_volts"] = float(m.group(1))
        out[k] = e
    return out


def parse_aes(text):
    """sg_ses --page=aes: {element index: {"slot":, "sas": [...], "attached": [...]}}."""
    out = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"\s*Element index: (\d+)", line)
        if m:
            cur = {"slot": None, "sas": [], "attached": [], "protocol": None}
            out[int(m.group(1))] = cur
            continue
        if cur is None:
            continue
        m = re.search(r"Transport protocol: (\S+)", line)
        if m:
            cur["protocol"] = m.group(1)
        m = re.search(r"device slot number: (\d+)", line)
        if m:
            cur["slot"] = int(m.group(1))
        m = re.match(r"\s*attached SAS address: (0x[0-9a-fA-F]+)", line)
        if m:
            cur["attached"].append(int(m.group(1), 16))
            continue
        m = re.match(r"\s*SAS address: (0x[0-9a-fA-F]+)", line)
        if m:
            cur["sas"].append(int(m.group(1), 16))
    return out


def parse_cf(text):
    """sg_ses --page=cf: [(type, possible elements)] in type header order."""
    types = []
    pending = None
    for line in text.splitlines():
        m = re.match(r"\s*Element type: (.*?), subenclosure id: \d+\s*$", line)
        if m:
            pending = SG_SES_TYPES.get(norm(m.group(1)), m.group(1))
            continue
        m = re.match(r"\s*number of possible elements: (\d+)", line)
        if m and pending is not None:
            types.append((pending, int(m.group(1))))
            pending = None
    return types


# --------------------------------------------------------------------- sysfs and encctl

def sysfs_components(hctl):
    """The ses driver's components of an enclosure: {name: {attr: text}}."""
    base = os.path.join(ENCLOSURE_CLASS, hctl)
    comps = {}
    for name in sorted(os.listdir(base)):
        d = os.path.join(base, name)
        if os.path.islink(d) or not os.path.isdir(d) or not os.path.exists(os.path.join(d, "slot")):
            continue
        attrs = {}
        for a in ("slot", "status", "fault", "locate", "power_status", "type", "active"):
            try:
                with open(os.path.join(d, a)) as f:
                    attrs[a] = f.read().strip()
            except OSError as e:
                attrs[a] = f"<{e.strerror}>"
        attrs["device_link"] = os.path.islink(os.path.join(d, "device"))
        comps[name] = attrs
    return comps


def sysfs_attr(hctl, name):
    with open(os.path.join(ENCLOSURE_CLASS, hctl, name)) as f:
        return f.read().strip()


def power_on(text):
    """power_status reads on/off (or 1/0 on older kernels)."""
    return {"on": 1, "1": 1, "off": 0, "0": 0}.get(text)


def as_int(text):
    try:
        return int(text, 0)
    except (TypeError, ValueError):
        return text


def encctl_enclosure(path):
    doc = load(path)
    encs = doc.get("enclosures", [])
    if len(encs) != 1:
        sys.exit(f"{path}: want one enclosure, have {len(encs)}")
    return encs[0]


def encctl_slots(enclosure):
    return [e for e in enclosure.get("elements", [])
            if e.get("element_type") in SLOT_TYPES and not e.get("overall")]


def flag(status, key):
    v = (status or {}).get(key)
    return int(bool(v)) if isinstance(v, bool) else v


def expected(m, field, got, want):
    """Like Mismatches.eq, for a value against the case's expectation."""
    if got != want:
        m.bad(f"{field}: {m.left}={got!r}, expected {want!r}")
    else:
        m.agreed += 1


def parse_expect(items):
    """--expect "Bay 1=locate,fault": {descriptor: {"locate", "fault"}}."""
    out = {}
    for item in items:
        name, _, leds = item.rpartition("=")
        out[name] = set(csv(leds))
    return out


# ------------------------------------------------------------------------ subcommands

def cmd_sysfs(args):
    """The ses driver's view against the configuration."""
    m = Mismatches(f"sysfs {args.hctl}", "sysfs", "configured")
    want = csv(args.descriptors)
    comps = sysfs_components(args.hctl)
    m.eq("components attribute", as_int(sysfs_attr(args.hctl, "components")), len(want))
    m.eq("component directories", sorted(comps), sorted(want))
    for n, name in enumerate(want):
        c = comps.get(name)
        if c is None:
            continue
        m.eq(f"'{name}' slot", as_int(c["slot"]), n)
        m.eq(f"'{name}' type", c["type"], "device")
        m.eq(f"'{name}' status", c["status"], "OK" if n < args.occupied else "not installed")
        m.eq(f"'{name}' locate", c["locate"], "0")
        m.eq(f"'{name}' fault", c["fault"], "0")
        m.eq(f"'{name}' power_status", power_on(c["power_status"]), 1)
    for name, c in comps.items():
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in c.items()))
    return m.finish()


def cmd_sg_ses_cf(args):
    m = Mismatches(f"sg_ses cf {os.path.basename(args.file)}", "sg_ses", "configured")
    types = parse_cf(read(args.file))
    print("types:", types)
    got = {}
    for t, n in types:
        got[t] = got.get(t, 0) + n
    for c in args.count:
        name, _, n = c.rpartition("=")
        t = SG_SES_TYPES[norm(name)]
        m.eq(f"{name} elements", got.get(t, 0), int(n))
    return m.finish()


def cmd_sg_ses_ed(args):
    m = Mismatches(f"sg_ses ed {os.path.basename(args.file)}", "sg_ses", "configured")
    ed = parse_ed(read(args.file))
    slots = [d for (ti, n), (t, d) in sorted(ed.items()) if t in SLOT_TYPES and n >= 0]
    m.eq("slot descriptors", slots, csv(args.descriptors))
    return m.finish()


def es_slot_by_descriptor(ed, es):
    """{descriptor: es element} for the slots, joined through the element descriptor page."""
    out = {}
    for key, (t, d) in ed.items():
        if t in SLOT_TYPES and key[1] >= 0:
            out[d] = es.get(key)
    return out


def cmd_leds(args):
    """sysfs against sg_ses --page=es, slot by slot (joined through sg_ses --page=ed)."""
    m = Mismatches(f"sysfs {args.hctl} vs {os.path.basename(args.es)}", "sysfs", "sg_ses")
    comps = sysfs_components(args.hctl)
    by_desc = es_slot_by_descriptor(parse_ed(read(args.ed)), parse_es(read(args.es)))
    expect = parse_expect(args.expect)
    m.eq("slots", sorted(comps), sorted(by_desc))
    for name, c in sorted(comps.items()):
        e = by_desc.get(name)
        if e is None:
            continue
        f = e["fields"]
        m.eq(f"'{name}' status", c["status"],
             KERNEL_STATUS[e["status_code"]] if e["status_code"] is not None else e["status_name"])
        m.eq(f"'{name}' locate", as_int(c["locate"]), f.get("ident"))
        m.eq(f"'{name}' fault", as_int(c["fault"]),
             (f.get("fault_sensed", 0) << 2) | (f.get("fault_reqstd", 0) << 1))
        m.eq(f"'{name}' power_status", power_on(c["power_status"]), 1 - f.get("device_off", 0))
        lit = expect.get(name, set())
        expected(m, f"'{name}' locate", as_int(c["locate"]), int("locate" in lit))
        expected(m, f"'{name}' fault lit", as_int(c["fault"]) != 0, "fault" in lit)
        print(f"{name}: sysfs locate={c['locate']} fault={c['fault']} status={c['status']}; "
              f"sg_ses ident={f.get('ident')} fault_sensed={f.get('fault_sensed')} "
              f"fault_reqstd={f.get('fault_reqstd')} status={e['status_name']}")
    return m.finish()


def cmd_topology(args):
    """sg_ses --page=aes against sg_vpd: the SAS address of slot N is a target port NAA
    designator of the disk whose serial is configured for slot N, and of no other disk."""
    m = Mismatches(f"topology {os.path.basename(args.aes)}", "sg_ses aes", "sg_vpd")
    aes = parse_aes(read(args.aes))
    by_slot = {a["slot"]: a for a in aes.values()}
    disks = parse_disks(args.disk)
    slots = {int(s.partition("=")[0]): s.partition("=")[2] for s in args.slot}
    for n, a in sorted(by_slot.items()):
        addr = next((x for x in a["sas"] if x), 0)
        holders = sorted(sd for sd, d in disks.items() if addr and addr in d["port_naa"])
        want = sorted(sd for sd, d in disks.items() if d["serial"] == slots.get(n))
        m.eq(f"slot {n} SAS address {addr:#x} is a target port NAA of", holders, want)
        print(f"slot {n}: SAS address {addr:#x}, disks with it: {holders}")
    m.eq("slots with a disk", sorted(n for n, a in by_slot.items() if any(a["sas"])),
         sorted(slots))
    return m.finish()


def parse_disks(items):
    """--disk SD=SG_VPD_SN_FILE=SG_VPD_DI_FILE: {sd: {"serial":, "port_naa": set()}}."""
    disks = {}
    for item in items:
        sd, sn_file, di_file = item.split("=", 2)
        port_naa = set()
        for d in parse_vpd_di(read(di_file)):
            if d["designator_type"] == 3 and d["association"] == 1:
                port_naa.add(int(d["value"]["hex"][:16], 16))
        disks[sd] = {"serial": parse_vpd_sn(read(sn_file)), "port_naa": port_naa}
    return disks


def cmd_list(args):
    m = Mismatches(f"encctl list {os.path.basename(args.json)}", "encctl", "sysfs")
    encs = load(args.json).get("enclosures", [])
    m.eq("enclosure count", len(encs), 1)
    if encs:
        e = encs[0]
        m.eq("device", os.path.basename(str(e.get("device"))), os.path.basename(args.sg))
        sysfs_id = as_int(sysfs_attr(args.hctl, "id"))
        m.eq("id (VPD 0x83 NAA)", int(e.get("id", "0"), 16), sysfs_id)
        m.eq("logical identifier (page 0x01)", int(e.get("logical_identifier", "0"), 16),
             sysfs_id)
        m.eq("slot count", e.get("slot_count"), args.slots)
        m.eq("slot count = sysfs components", e.get("slot_count"),
             as_int(sysfs_attr(args.hctl, "components")))
    return m.finish()


def cmd_status(args):
    m = Mismatches(f"encctl status {os.path.basename(args.json)}", "encctl", "expected")
    doc = load(args.json)
    m.eq("health", doc.get("health"), "ok")
    m.eq("exit_code", doc.get("exit_code"), 0)
    for e in doc.get("enclosures", []):
        m.eq(f"{e.get('device')} problems", e.get("problems"), [])
    return m.finish()


def cmd_map_sysfs(args):
    """encctl map --json against the ses driver's components."""
    m = Mismatches(f"encctl map {os.path.basename(args.json)} vs sysfs {args.hctl}",
                   "encctl", "sysfs")
    enc = encctl_enclosure(args.json)
    slots = encctl_slots(enc)
    comps = sysfs_components(args.hctl)
    expect = parse_expect(args.expect)
    m.eq("slot count", len(slots), as_int(sysfs_attr(args.hctl, "components")))
    m.eq("slot descriptors", sorted(s.get("descriptor") for s in slots), sorted(comps))
    m.eq("enclosure logical identifier", int(enc.get("logical_identifier", "0"), 16),
         as_int(sysfs_attr(args.hctl, "id")))
    for s in slots:
        name = s.get("descriptor")
        c = comps.get(name)
        if c is None:
            continue
        st = s.get("status") or {}
        m.eq(f"'{name}' slot number", s.get("slot_number"), as_int(c["slot"]))
        m.eq(f"'{name}' type", KERNEL_TYPE.get(s.get("element_type")), c["type"])
        code = st.get("status_code")
        m.eq(f"'{name}' status", KERNEL_STATUS[code] if isinstance(code, int) and code < 9
             else code, c["status"])
        m.eq(f"'{name}' locate (ident)", flag(st, "ident"), as_int(c["locate"]))
        m.eq(f"'{name}' fault (sensed, reqstd)",
             (flag(st, "fault_sensed") << 2) | (flag(st, "fault_reqstd") << 1), as_int(c["fault"]))
        m.eq(f"'{name}' power (not device_off)", 1 - flag(st, "device_off"),
             power_on(c["power_status"]))
        lit = expect.get(name, set())
        expected(m, f"'{name}' ident", flag(st, "ident"), int("locate" in lit))
        expected(m, f"'{name}' fault_reqstd", flag(st, "fault_reqstd"), int("fault" in lit))
        print(f"{name}: encctl slot={s.get('slot_number')} ident={st.get('ident')} "
              f"fault_reqstd={st.get('fault_reqstd')} status={st.get('status_code_name')}; "
              f"sysfs slot={c['slot']} locate={c['locate']} fault={c['fault']} "
              f"status={c['status']} device link={c['device_link']}")
    return m.finish()


def encctl_by_key(enc):
    return {(e.get("type_index"), -1 if e.get("overall") else e.get("element_number")): e
            for e in enc.get("elements", [])}


def cmd_map_ed(args):
    m = Mismatches(f"encctl map vs {os.path.basename(args.ed)}", "encctl", "sg_ses")
    enc = encctl_by_key(encctl_enclosure(args.json))
    ed = parse_ed(read(args.ed))
    m.eq("elements (type index, number)", sorted(enc), sorted(ed))
    for key in sorted(set(enc) & set(ed)):
        t, d = ed[key]
        e = enc[key]
        m.eq(f"{key} element type", e.get("element_type"), t)
        m.eq(f"{key} descriptor", e.get("descriptor"), d)
    return m.finish()


def cmd_map_es(args):
    """Every element's status code and every status field both name, plus the measured fan
    speed, temperature and voltage."""
    m = Mismatches(f"encctl map vs {os.path.basename(args.es)}", "encctl", "sg_ses")
    enc = encctl_by_key(encctl_enclosure(args.json))
    es = parse_es(read(args.es))
    m.eq("elements (type index, number)", sorted(enc), sorted(es))
    fields = 0
    for key in sorted(set(enc) & set(es)):
        e, s = enc[key], es[key]
        st = e.get("status") or {}
        m.eq(f"{key} element type", e.get("element_type"), s["type"])
        m.eq(f"{key} status code", st.get("status_code"), s["status_code"])
        for k, v in s["fields"].items():
            if k in st and k not in CONVERTED_FIELDS and isinstance(st[k], (bool, int)):
                m.eq(f"{key} {k}", int(st[k]), v)
                fields += 1
        for k, v in s["values"].items():
            got = st.get(k)
            if isinstance(v, float) and isinstance(got, (int, float)):
                m.eq(f"{key} {k}", round(got, 2), round(v, 2))
            else:
                m.eq(f"{key} {k}", got, v)
            fields += 1
    print(f"{len(set(enc) & set(es))} elements, {fields} status fields compared")
    if fields == 0:
        m.bad("no status field compared")
    return m.finish()


def cmd_map_aes(args):
    m = Mismatches(f"encctl map vs {os.path.basename(args.aes)}", "encctl", "sg_ses")
    enc = encctl_enclosure(args.json)
    aes = parse_aes(read(args.aes))
    by_index = {e.get("individual_index"): e for e in enc.get("elements", [])
                if not e.get("overall")}
    slots = encctl_slots(enc)
    m.eq("slots with an additional element status descriptor",
         sorted(e.get("individual_index") for e in slots),
         sorted(i for i in aes if by_index.get(i, {}).get("element_type") in SLOT_TYPES))
    for idx, a in sorted(aes.items()):
        e = by_index.get(idx)
        if e is None:
            m.bad(f"element index {idx}: not in encctl's map")
            continue
        if e.get("element_type") not in SLOT_TYPES:
            continue
        m.eq(f"element {idx} slot number", e.get("slot_number"), a["slot"])
        m.eq(f"element {idx} SAS addresses", [int(x, 16) for x in e.get("sas_addresses", [])],
             a["sas"])
        m.eq(f"element {idx} attached SAS addresses",
             [int(x, 16) for x in e.get("attached_sas_addresses", [])], a["attached"])
    return m.finish()


def cmd_show(args):
    """encctl show names, for each slot with a configured LUN, the /dev/sdX whose serial
    (sg_vpd -p sn) is that LUN's; empty slots name nothing."""
    m = Mismatches(f"encctl show {os.path.basename(args.json)}", "encctl", "sg_vpd")
    enc = encctl_enclosure(args.json)
    disks = parse_disks(args.disk)
    slots = {int(s.partition("=")[0]): s.partition("=")[2] for s in args.slot}
    text = read(args.text)
    shown = enc.get("slots", [])
    m.eq("slot count", len(shown), enc.get("slot_count"))
    for s in shown:
        n = s.get("slot_number")
        d = s.get("disk") or {}
        serial = slots.get(n)
        want = [sd for sd, x in disks.items() if serial is not None and x["serial"] == serial]
        want_node = want[0] if len(want) == 1 else None
        m.eq(f"slot {n} disk node", d.get("node"), want_node)
        m.eq(f"slot {n} disk serial", d.get("serial"), serial)
        if want_node:
            row = [line for line in text.splitlines()
                   if re.match(rf"\s+{n}\s", line)]
            m.eq(f"slot {n} text row names {want_node}",
                 len(row) == 1 and re.search(rf"\s{re.escape(want_node)}\s", row[0]) is not None,
                 True)
        print(f"slot {n} ({s.get('descriptor')}): encctl {d.get('node')} {d.get('serial')}; "
              f"configured serial {serial} is {want}")
    return m.finish()


def cmd_step(args):
    """After an LED change: map-sysfs, map-es and leds in one process (each python start
    costs seconds under TCG)."""
    rcs = []
    for fn, ns in (
            (cmd_map_sysfs, argparse.Namespace(json=args.json, hctl=args.hctl, expect=args.expect)),
            (cmd_map_es, argparse.Namespace(json=args.json, es=args.es)),
            (cmd_leds, argparse.Namespace(hctl=args.hctl, ed=args.ed, es=args.es,
                                          expect=args.expect))):
        rcs.append(fn(ns))
    return max(rcs)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("sysfs")
    p.add_argument("hctl")
    p.add_argument("--descriptors", required=True)
    p.add_argument("--occupied", type=int, required=True)
    p.set_defaults(fn=cmd_sysfs)

    p = sub.add_parser("sg-ses-cf")
    p.add_argument("file")
    p.add_argument("--count", action="append", default=[])
    p.set_defaults(fn=cmd_sg_ses_cf)

    p = sub.add_parser("sg-ses-ed")
    p.add_argument("file")
    p.add_argument("--descriptors", required=True)
    p.set_defaults(fn=cmd_sg_ses_ed)

    p = sub.add_parser("leds")
    p.add_argument("hctl")
    p.add_argument("ed")
    p.add_argument("es")
    p.add_argument("--expect", action="append", default=[])
    p.set_defaults(fn=cmd_leds)

    p = sub.add_parser("topology")
    p.add_argument("aes")
    p.add_argument("--slot", action="append", default=[])
    p.add_argument("--disk", action="append", default=[])
    p.set_defaults(fn=cmd_topology)

    p = sub.add_parser("list")
    for a in ("json", "hctl", "sg"):
        p.add_argument(a)
    p.add_argument("--slots", type=int, required=True)
    p.set_defaults(fn=cmd_list)

    p = sub.add_parser("status")
    p.add_argument("json")
    p.set_defaults(fn=cmd_status)

    p = sub.add_parser("map-sysfs")
    p.add_argument("json")
    p.add_argument("hctl")
    p.add_argument("--expect", action="append", default=[])
    p.set_defaults(fn=cmd_map_sysfs)

    p = sub.add_parser("step")
    for a in ("json", "hctl", "ed", "es"):
        p.add_argument(a)
    p.add_argument("--expect", action="append", default=[])
    p.set_defaults(fn=cmd_step)

    p = sub.add_parser("map-ed")
    p.add_argument("json")
    p.add_argument("ed")
    p.set_defaults(fn=cmd_map_ed)

    p = sub.add_parser("map-es")
    p.add_argument("json")
    p.add_argument("es")
    p.set_defaults(fn=cmd_map_es)

    p = sub.add_parser("map-aes")
    p.add_argument("json")
    p.add_argument("aes")
    p.set_defaults(fn=cmd_map_aes)

    p = sub.add_parser("show")
    p.add_argument("json")
    p.add_argument("text")
    p.add_argument("--slot", action="append", default=[])
    p.add_argument("--disk", action="append", default=[])
    p.set_defaults(fn=cmd_show)

    args = ap.parse_args()
    sys.exit(args.fn(args))


if __name__ == "__main__":
    main()
