#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# camctl over iscsi:// against ctld must agree with what ctladm says ctld serves: for every LUN
# of a target (an explicitly identified 512-byte disk, a 4096-byte disk with derived
# identification, an enclosure) INQUIRY, VPD 0x80 and 0x83, READ CAPACITY and REPORT LUNS
# against `ctladm devlist -v --json` and `ctladm portlist -l --json`; then persistent
# reservations (register and reserve, then clear) against devlist's persistent_reservation.
# camctl and ctladm answers are collected in a directory and compared by one python3 program
# that prints a PASS or FAIL line per check and the counts. Before it, counted checks of
# camctl cmd -o (a file that is not the CDB's transfer refused, --force and the residual),
# iSCSI errors (refused port, port out of range, no such LUN or target) and ctladm's message
# for an unknown LUN option.
# Usage: tests/host/ctld_camctl.sh BUILD_DIR (exit 77: cannot run here)
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
here=$(dirname "$0")
camctl=$build/tools/camctl/camctl
ctladm=$build/tools/ctladm/ctladm
for b in "$build/tools/ctld/ctld" "$ctladm" "$camctl"; do
    [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done
for t in ss python3; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
. "$here/ctld_lib.sh"

tmp=$(mktemp -d /tmp/ctld-camctl.XXXXXX)
trap 'ctld_stop; rm -rf "$tmp"' EXIT
sock=$tmp/ctld.sock
target=iqn.2024-01.org.camx:agree

# The target: port LUN 0 is engine LUN 2 (everything explicit, 512-byte blocks), port LUN 1
# engine LUN 0 (4096-byte blocks, everything derived), port LUN 2 an enclosure holding both.
write_conf() {
    cat >"$2" <<EOF
state-dir "$tmp/state"
control-socket "$sock"

portal-group pg0 {
    discovery-auth-group no-authentication
    listen 127.0.0.1:$1
}

lun explicit {
    backend ramdisk
    size 48m
    ctl-lun 2
    serial AGREE0000042
    device-id "AGREE explicit device id"
    option vendor AGREEVND
    option product "agree disk"
    option revision R123
    option naa 0x5000c50012345678
    option eui 0x0011223344556677
    option uuid 12345678-9abc-def0-1234-56789abcdef0
    option scsiname iqn.2024-01.org.camx:agree-lun
}

lun derived {
    backend ramdisk
    size 20m
    ctl-lun 0
    blocksize 4096
}

lun enclosure {
    device-type enclosure
    ctl-lun 5
    option slots 2
    option slot-luns "explicit,derived"
}

target $target {
    auth-group no-authentication
    portal-group pg0
    lun 0 explicit
    lun 1 derived
    lun 2 enclosure
}
EOF
}

ctld_start_conf write_conf
for _ in $(seq 50); do
    [ -S "$sock" ] && break
    sleep 0.1
done
url=iscsi://127.0.0.1:$port/$target
out=$tmp/out
mkdir "$out"

# save NAME COMMAND...: the command's output in $out/NAME, or {"failed": "..."} when it fails.
save() {
    local name=$1
    shift
    if ! "$@" >"$out/$name" 2>"$out/$name.err"; then
        python3 -c 'import json,sys; print(json.dumps({"failed": sys.argv[1]}))' \
            "$* ($(head -c 300 "$out/$name.err"))" >"$out/$name"
    fi
}
adm() { "$ctladm" --socket "$sock" "$@"; }

save portlist adm portlist -l --json
save reportluns "$camctl" reportluns "$url/0" --json
for l in 0 1 2; do
    save "inquiry.$l" "$camctl" inquiry "$url/$l" --json
    save "serial.$l" "$camctl" inquiry "$url/$l" -S
    save "vpd80.$l" "$camctl" inquiry "$url/$l" --vpd 0x80 --json
    save "vpd83.$l" "$camctl" inquiry "$url/$l" --vpd 0x83 --json
done
for l in 0 1; do save "readcap.$l" "$camctl" readcap "$url/$l" --json; done
save devlist adm devlist -v --json

# Persistent reservations on port LUN 0: register 0xabc and reserve Write Exclusive (one
# session), then a second key from another session; then clear.
pr_state() {
    local phase=$1 l
    for l in 0 1; do
        save "pr.$phase.keys.$l" "$camctl" persist -i keys "$url/$l" --json
        save "pr.$phase.reservation.$l" "$camctl" persist -i reservation "$url/$l" --json
        save "pr.$phase.capabilities.$l" "$camctl" persist -i capabilities "$url/$l" --json
    done
    save "pr.$phase.devlist" adm devlist -v --json
}
save pr.reserve.out "$camctl" persist -o register-ignore,reserve -K 0xabc -T wr_ex "$url/0" --json
save pr.register2.out "$camctl" persist -o register-ignore -K 0x1234 "$url/0" --json
pr_state reserved
adm devlist -v | sed -n '/^ *[0-9]/p;/pr:/p;/key 0x/p'
save pr.clear.out "$camctl" persist -o register-ignore,clear -K 0xabc "$url/0" --json
pr_state cleared

# camctl cmd -o: a file that is not the CDB's transfer is refused unless --force, and then the
# residual is reported; iSCSI errors say what happened, with the documented exit codes.
. "$here/checks.sh"
# run_rc COMMAND...: the command's status in $rc, its stdout and stderr in $text.
run_rc() {
    text=$("$@" 2>&1)
    rc=$?
}
head -c 512 /dev/urandom >"$tmp/short"
head -c 8192 /dev/urandom >"$tmp/exact"
write2="2a 00 00 00 00 00 00 00 02 00"  # WRITE(10) of 2 blocks: 8192 bytes on the 4096-byte LUN
run_rc "$camctl" cmd -c "$write2" -o "$tmp/short" "$url/1"
expect_eq "cmd -o with a file shorter than the CDB's transfer: refused (exit 1)" 1 "$rc"
check "the refusal names both lengths" grep -q "has 512 bytes but the CDB (Write(10)) transfers 8192" <<<"$text"
run_rc "$camctl" cmd -c "$write2" -o "$tmp/short" --force "$url/1"
expect_eq "cmd -o --force with the short file: sent (exit 0)" 0 "$rc"
check "the text reports the residual" grep -q "512 bytes sent, 512 taken, the CDB transfers 8192, residual 7680 bytes (overflow)" <<<"$text"
doc=$("$camctl" cmd -j -c "$write2" -o "$tmp/short" --force "$url/1")
expect_eq "the JSON reports the residual" "512 8192 512 7680 overflow" \
    "$(json 'd["data_out"]["length_bytes"], d["data_out"]["cdb_length_bytes"], d["data_out"]["transferred_bytes"], d["data_out"]["residual_bytes"], d["data_out"]["residual"]' <<<"$doc" | tr -d '(),'"'")"
run_rc "$camctl" cmd -c "$write2" -o "$tmp/exact" "$url/1"
expect_eq "cmd -o with the CDB's length: exit 0" 0 "$rc"
check "and no residual" grep -q "8192 bytes sent, 8192 taken, the CDB transfers 8192$" <<<"$text"
"$camctl" cmd -c "28 00 00 00 00 00 00 00 02 00" -i 8192 -r "$url/1" >"$tmp/back"
check "the written blocks read back" cmp -s "$tmp/back" "$tmp/exact"

closed=
for p in $(seq 13700 13799); do
    if ctld_port_free "$p"; then closed=$p; break; fi
done
run_rc "$camctl" inquiry "iscsi://127.0.0.1:$closed/$target/0"
expect_eq "a refused connection: exit 35" 35 "$rc"
check "it says connection refused by 127.0.0.1:$closed" grep -q "connection refused by 127.0.0.1:$closed" <<<"$text"
check "not libiscsi's reconnect state" test -z "$(grep -i "reconnect" <<<"$text")"
run_rc "$camctl" inquiry "iscsi://127.0.0.1:70000/$target/0"
expect_eq "port 70000: a usage error (exit 1)" 1 "$rc"
check "it names the port" grep -q "port '70000' is not a number from 1 to 65535" <<<"$text"
run_rc "$camctl" inquiry "$url/9"
expect_eq "a LUN the target does not have: exit 100" 100 "$rc"
check "it says no LUN 9 at the target" grep -q "no LUN 9 at target $target (127.0.0.1:$port)" <<<"$text"
run_rc "$camctl" inquiry --json "$url/9"
expect_eq "with --json: the error object says no_device" "no_device 100" \
    "$(json 'd["error"]["category"], d["error"]["exit_code"]' <<<"$text" | tr -d "(),'")"
run_rc "$camctl" inquiry "iscsi://127.0.0.1:$port/iqn.2024-01.org.camx:nothing/0"
expect_eq "a target the portal does not have: exit 100" 100 "$rc"
check "it says no target" grep -q "no target iqn.2024-01.org.camx:nothing at 127.0.0.1:$port" <<<"$text"
run_rc adm create -b ramdisk -s 1m -o bogus=1
expect_eq "ctladm create -o bogus=1: exit 1" 1 "$rc"
check "the message names the option and no ':0:0:' location" \
    test "$text" = "ctladm: lun 'ctladm,lun,1': unknown LUN option 'bogus'"
checks_summary >"$tmp/checks"
cli_status=$?
cat "$tmp/checks"

python3 - "$out" "$target" <<'EOF'
import json, os, sys

out, target = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS: {what}")
    else:
        failed += 1
        print(f"FAIL: {what}{': ' + detail if detail else ''}")


def load(name):
    with open(os.path.join(out, name)) as f:
        text = f.read()
    try:
        return json.loads(text)
    except ValueError:
        return {"failed": f"{name}: not JSON: {text[:200]}"}


def same(what, camctl, ctladm):
    check(what, camctl == ctladm, f"camctl {camctl!r}, ctladm {ctladm!r}")


def failure(doc):
    return doc.get("failed") if isinstance(doc, dict) else None


def designator(vpd83, dtype, assoc=0):
    for d in vpd83.get("vpd", {}).get("designators", []):
        if d.get("designator_type") == dtype and d.get("association") == assoc:
            return d
    return {}


portlist = load("portlist")
devlist = load("devlist")
ports = [p for p in portlist.get("ports", []) if p.get("target") == target]
check("portlist has the target's port", len(ports) == 1, failure(portlist) or str(portlist))
lun_map = {m["port_lun"]: m["lun"] for p in ports[:1] for m in p.get("lun_map", [])}
check("the LUN map is port LUNs 0 1 2 -> engine LUNs 2 0 5", lun_map == {0: 2, 1: 0, 2: 5},
      str(lun_map))
luns = {l["lun"]: l for l in devlist.get("luns", [])}
check("devlist lists the mapped LUNs", set(lun_map.values()) <= set(luns),
      failure(devlist) or str(sorted(luns)))

reportluns = load("reportluns")
same("reportluns: the port LUN numbers", sorted(l["lun"] for l in reportluns.get("luns", [])),
     sorted(lun_map))

for port_lun, engine_lun in sorted(lun_map.items()):
    dev = luns.get(engine_lun, {})
    opts = dev.get("options", {})
    tag = f"LUN {port_lun} (engine {engine_lun})"
    inq = load(f"inquiry.{port_lun}")
    i = inq.get("inquiry", {})
    for field in ("vendor", "product", "revision"):
        same(f"{tag}: inquiry {field}", i.get(field, failure(inq)), opts.get(field))
    same(f"{tag}: inquiry device type", i.get("peripheral_device_type", failure(inq)),
         {"disk": 0, "enclosure": 0x0D}.get(dev.get("device_type")))
    with open(os.path.join(out, f"serial.{port_lun}")) as f:
        same(f"{tag}: inquiry -S", f.read().strip(), dev.get("serial"))
    vpd80 = load(f"vpd80.{port_lun}")
    same(f"{tag}: VPD 0x80 serial", vpd80.get("vpd", {}).get("serial_number", failure(vpd80)),
         dev.get("serial"))
    vpd83 = load(f"vpd83.{port_lun}")
    naa = designator(vpd83, 3)
    same(f"{tag}: VPD 0x83 LU NAA designator", naa.get("value", failure(vpd83)), dev.get("naa"))
    t10 = designator(vpd83, 1)
    same(f"{tag}: VPD 0x83 T10 vendor id designator",
         (t10.get("t10_vendor_identification", failure(vpd83)),
          t10.get("vendor_specific_identifier")), (opts.get("vendor"), dev.get("device_id")))
    if "eui" in dev:
        same(f"{tag}: VPD 0x83 EUI-64 designator", designator(vpd83, 2).get("value"), dev["eui"])
    if "uuid" in dev:
        # The UUID designator: a byte with the C bit, a reserved byte, the 16 bytes.
        value = designator(vpd83, 0xA).get("value", "")
        same(f"{tag}: VPD 0x83 UUID designator", value[4:],
             dev["uuid"].replace("-", "").lower())
    if "scsiname" in dev:
        same(f"{tag}: VPD 0x83 SCSI name string designator",
             designator(vpd83, 8).get("value", "").rstrip("\x00"), dev["scsiname"])
    if dev.get("device_type") == "disk":
        cap = load(f"readcap.{port_lun}")
        c = cap.get("capacity", {})
        same(f"{tag}: readcap block length", c.get("block_length_bytes", failure(cap)),
             dev.get("blocksize_bytes"))
        same(f"{tag}: readcap blocks", c.get("blocks"), dev.get("blocks"))
        same(f"{tag}: readcap capacity", c.get("capacity_bytes"), dev.get("size_bytes"))

for step in ("reserve", "register2", "clear"):
    doc = load(f"pr.{step}.out")
    check(f"persist -o ({step}) succeeds", "persist_out" in doc, failure(doc) or str(doc))


def compare_pr(phase):
    devs = {l["lun"]: l for l in load(f"pr.{phase}.devlist").get("luns", [])}
    for port_lun in (0, 1):
        pr = devs.get(lun_map.get(port_lun), {}).get("persistent_reservation", {})
        tag = f"{phase}: LUN {port_lun}"
        keys = load(f"pr.{phase}.keys.{port_lun}")
        k = keys.get("persist", {})
        same(f"{tag}: PR generation", k.get("generation", failure(keys)), pr.get("generation"))
        same(f"{tag}: registered keys", sorted(k.get("keys", [])),
             sorted(r["key"] for r in pr.get("registrations", [])))
        res = load(f"pr.{phase}.reservation.{port_lun}")
        r = res.get("persist", {}).get("reservation", failure(res))
        d = pr.get("reservation")
        same(f"{tag}: reservation key and type",
             r and [r.get("key"), r.get("type"), r.get("type_name")],
             d and [d.get("key"), d.get("type"), d.get("type_name")])
        caps = load(f"pr.{phase}.capabilities.{port_lun}")
        same(f"{tag}: APTPL", caps.get("persist", {}).get("ptpl_a", failure(caps)),
             pr.get("aptpl"))
    return devs


devs = compare_pr("reserved")
pr0 = devs.get(lun_map.get(0), {}).get("persistent_reservation", {})
regs = pr0.get("registrations", [])
res0 = pr0.get("reservation") or {}
check("reserved: LUN 0 holds keys 0xabc and 0x1234, reserved by 0xabc Write Exclusive",
      sorted(r["key"] for r in regs) == [0xABC, 0x1234] and res0.get("key") == 0xABC
      and res0.get("type") == 1, str(pr0))
holder = [r for r in regs if r["key"] == 0xABC]
check("reserved: the holder is the initiator that registered 0xabc",
      bool(holder) and res0.get("holder") == holder[0]["initiator"] != ""
      and res0.get("holder_isid") == holder[0]["isid"], str(pr0))
devs = compare_pr("cleared")
pr0 = devs.get(lun_map.get(0), {}).get("persistent_reservation", {})
check("cleared: LUN 0 has no keys and no reservation",
      pr0.get("registrations") == [] and pr0.get("reservation", 0) is None, str(pr0))

print(f"camctl against ctladm: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
py_status=$?
[ "$cli_status" -eq 0 ] && exit "$py_status"
exit 1
