#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# encctl against ctld's emulated enclosure over iscsi://: a target with three ramdisk disks
# and an enclosure of four slots (three bound). list, map, show and status; locate and fault
# on/off by slot number, element index and descriptor, checked with encctl map and with the
# raw Enclosure Status page (RECEIVE DIAGNOSTIC RESULTS through camctl cmd, decoded here
# from the Configuration page's type headers, independently of camx); ctladm simulate
# (power supply failure, over-temperature) seen by encctl status and encctl watch; LED state
# across a reload; ctladm devlist and create -t enclosure; encctl on a disk; ctld -t on bad
# enclosure options. Usage: tests/host/ctld_encctl.sh BUILD_DIR (exit 77: cannot run here)
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
ctld=$build/tools/ctld/ctld
ctladm=$build/tools/ctladm/ctladm
camctl=$build/tools/camctl/camctl
encctl=$build/tools/encctl/encctl
for b in "$ctld" "$ctladm" "$camctl" "$encctl"; do
    [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done
for t in ss python3; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done

tmp=$(mktemp -d /tmp/ctld-encctl.XXXXXX)
ctld_pid=
watch_pid=
cleanup() {
    [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
    if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null; then
        kill -TERM "$ctld_pid"
        wait "$ctld_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/checks.sh"

port=
for p in $(seq 15600 15799); do
    if [ -z "$(ss -Hltn "sport = :$p")" ]; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port"; exit 1; }
iqn=iqn.2024-01.org.camx:encctl-test
url=iscsi://127.0.0.1:$port/$iqn
enc=$url/3
sock=$tmp/ctld.sock
adm() { "$ctladm" --socket "$sock" "$@"; }
ec() { "$encctl" -e "$enc" "$@"; }

# write_conf FANS: three disks, the enclosure with FANS fans.
write_conf() {
    cat >"$tmp/ctl.conf" <<EOF
state-dir "$tmp/state"
control-socket "$sock"
portal-group pg0 {
    discovery-auth-group no-authentication
    listen 127.0.0.1:$port
}
lun disk0 { backend ramdisk; size 64m; serial ENCD0 }
lun disk1 { backend ramdisk; size 32m; serial ENCD1 }
lun disk2 { backend ramdisk; size 16m; serial ENCD2; blocksize 4096 }
lun enc0 {
    device-type enclosure
    serial ENCTEST0
    option slots 4
    option psus 2
    option fans $1
    option temps 2
    option volts 1
    option slot-luns "disk0,disk1,disk2"
    option slot-descriptors "Bay 0,Bay 1,Bay 2,Bay 3"
    option psu-descriptors "PSU A,PSU B"
    option vendor CAMX
    option product "EMU ENCLOSURE"
}
target $iqn {
    auth-group no-authentication
    portal-group pg0
    lun 0 disk0
    lun 1 disk1
    lun 2 disk2
    lun 3 enc0
}
EOF
}

start_ctld() {
    "$ctld" -f "$tmp/ctl.conf" >>"$tmp/ctld.log" 2>&1 &
    ctld_pid=$!
    for _ in $(seq 100); do
        [ -S "$sock" ] && [ -n "$(ss -Hltn "sport = :$port")" ] && return 0
        kill -0 "$ctld_pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$tmp/ctld.log"
    echo "ctld did not start"
    exit 1
}

write_conf 2
check "ctld -t accepts the enclosure configuration" "$ctld" -t -f "$tmp/ctl.conf"
start_ctld

# --- The raw Enclosure Status page, decoded here: per element (type, 4 status bytes).
# raw_status: prints one line per individual element: "TYPE INDEX_IN_TYPE B0 B1 B2 B3", then
# "summary FLAGS" (byte 1 of the page: INVOP INFO NON-CRIT CRIT UNRECOV).
raw_status() {
    "$camctl" cmd -c "1c 01 01 ff ff 00" -i 65535 -r "$enc" >"$tmp/p1.bin" || return 1
    "$camctl" cmd -c "1c 01 02 ff ff 00" -i 65535 -r "$enc" >"$tmp/p2.bin" || return 1
    python3 - "$tmp/p1.bin" "$tmp/p2.bin" <<'EOF'
import sys
p1 = open(sys.argv[1], "rb").read()
p2 = open(sys.argv[2], "rb").read()
assert p1[0] == 1 and p2[0] == 2, "page codes"
assert p1[1] == 0, "one subenclosure"
# Configuration page: 8-byte header, the enclosure descriptor (length in its byte 3, plus
# 4), then one 4-byte type descriptor header per element type: type, count, subenclosure,
# text length.
headers = p1[10]
off = 8 + 4 + p1[11]
types = []
for _ in range(headers):
    types.append((p1[off], p1[off + 1]))
    off += 4
# Enclosure Status page: 8-byte header, then per type an overall element and its
# individual elements, 4 bytes each.
assert int.from_bytes(p1[4:8], "big") == int.from_bytes(p2[4:8], "big"), "generation codes"
off = 8
for t, n in types:
    off += 4
    for i in range(n):
        e = p2[off:off + 4]
        print(t, i, *e)
        off += 4
print("summary", p2[1] & 0x1f)
EOF
}
# raw_slot N: the four status bytes of device slot N (type 0x01) in decimal.
raw_slot() { awk -v n="$1" '$1 == 1 && $2 == n { print $3, $4, $5, $6 }' "$tmp/raw.txt"; }
# raw_ident N / raw_fault N: IDENT (byte 2 bit 1) / FAULT REQSTD (byte 3 bit 5) of slot N.
raw_ident() { raw_slot "$1" | awk '{ print int($3 / 2) % 2 }'; }
raw_fault() { raw_slot "$1" | awk '{ print int($4 / 32) % 2 }'; }
refresh_raw() { raw_status >"$tmp/raw.txt"; }

# --- list
ec -j list >"$tmp/list.json"
expect_eq "list: vendor" CAMX "$(json "d['enclosures'][0]['vendor']" <"$tmp/list.json")"
expect_eq "list: product" "EMU ENCLOSURE" "$(json "d['enclosures'][0]['product']" <"$tmp/list.json")"
expect_eq "list: slots" 4 "$(json "d['enclosures'][0]['slot_count']" <"$tmp/list.json")"
expect_eq "list: element counts" \
    "Device slot=4 Power supply=2 Cooling=2 Temperature sensor=2 Voltage sensor=1 Enclosure=1" \
    "$(json "' '.join(f\"{c['element_type_name']}={c['count']}\" for c in d['enclosures'][0]['element_counts'])" <"$tmp/list.json")"
check "list (text) names the enclosure" grep -q "CAMX *EMU ENCLOSURE" <(ec list)

# --- map: element types and counts, descriptors, statuses.
ec -j map >"$tmp/map.json"
individual="[e for e in d['enclosures'][0]['elements'] if not e['overall']]"
expect_eq "map: individual elements by type" "1,1,1,1,2,2,3,3,4,4,18,14" \
    "$(json "','.join(str(e['element_type']) for e in $individual)" <"$tmp/map.json")"
expect_eq "map: descriptors" "Bay 0|Bay 1|Bay 2|Bay 3|PSU A|PSU B|Fan 0|Fan 1|Temp 0|Temp 1|Volt 0" \
    "$(json "'|'.join(e['descriptor'] for e in $individual if e['element_type'] != 14)" <"$tmp/map.json")"
expect_eq "map: statuses (slot 3 empty, the rest OK)" "OK OK OK Not installed OK OK OK OK OK OK OK OK" \
    "$(json "' '.join(e['status']['status_code_name'] for e in $individual)" <"$tmp/map.json")"
expect_eq "map: temperatures and fan speeds" "30 30 3000 3000" \
    "$(json "' '.join(str(e['status'][k]) for k in ('temperature_celsius', 'fan_speed_rpm') for e in $individual if k in e['status'])" <"$tmp/map.json")"
expect_eq "map: slots tied to their disks" "0:$url/0 1:$url/1 2:$url/2 3:-" \
    "$(json "' '.join(f\"{e['slot_number']}:{e['disk']['node'] if e['disk'] else '-'}\" for e in $individual if e['element_type'] == 1)" <"$tmp/map.json")"
expect_eq "map: element_count counts the individual elements" \
    "$(json "len($individual)" <"$tmp/map.json")" "$(json "d['enclosures'][0]['element_count']" <"$tmp/map.json")"
expect_eq "map: elements has one overall element per type more" \
    "$(json "d['enclosures'][0]['element_count'] + len(d['enclosures'][0]['element_counts'])" <"$tmp/map.json")" \
    "$(json "len(d['enclosures'][0]['elements'])" <"$tmp/map.json")"
check "map: no decoding warnings" test "$(json "d['enclosures'][0]['warnings']" <"$tmp/map.json")" = "[]"

# --- show: the slots with the disks' serials and sizes.
ec -j show >"$tmp/show.json"
expect_eq "show: slots, serials, sizes" \
    "0:ENCD0:67108864 1:ENCD1:33554432 2:ENCD2:16777216 3:-:-" \
    "$(json "' '.join(f\"{s['slot_number']}:{s['disk']['serial'] if s['disk'] else '-'}:{s['disk']['size_bytes'] if s['disk'] else '-'}\" for s in d['enclosures'][0]['slots'])" <"$tmp/show.json")"
check "show (text): slot 3 not installed" grep -Eq "^ +3 +Bay 3 .*Not installed" <(ec show)

# --- status
ec status >/dev/null
expect_eq "status: OK exits 0" 0 "$?"

# --- locate and fault, by slot number, element index and descriptor; map and raw bytes.
refresh_raw
expect_eq "raw: slot LEDs off at start" "0 0 0 0 0 0" \
    "$(for n in 0 1 2; do echo -n "$(raw_ident $n) $(raw_fault $n) "; done | xargs)"
slot_flag() {  # slot_flag SLOT KEY: the decoded flag from encctl map --json
    ec -j map | json "[e['status']['$2'] for e in d['enclosures'][0]['elements'] if e['element_type'] == 1 and not e['overall'] and e['slot_number'] == $1][0]"
}
check "locate slot 1 on" ec locate 1 on
refresh_raw
expect_eq "locate 1 on: map ident" True "$(slot_flag 1 ident)"
expect_eq "locate 1 on: raw IDENT of slot 1" 1 "$(raw_ident 1)"
expect_eq "locate 1 on: other slots untouched" "0 0" "$(raw_ident 0) $(raw_ident 2)"
check "locate slot 1 off" ec locate 1 off
refresh_raw
expect_eq "locate 1 off: map ident" False "$(slot_flag 1 ident)"
expect_eq "locate 1 off: raw IDENT" 0 "$(raw_ident 1)"
# Element 3 in sesutil's numbering: overall slot element 0, slots 1..4.
check "locate element:3 on" ec locate element:3 on
refresh_raw
expect_eq "locate element:3 on: raw IDENT of slot 2" 1 "$(raw_ident 2)"
expect_eq "locate element:3 on: map ident of slot 2" True "$(slot_flag 2 ident)"
check "locate element:3 off" ec locate element:3 off
refresh_raw
expect_eq "locate element:3 off: raw IDENT" 0 "$(raw_ident 2)"
check "fault slot 0 on" ec fault 0 on
refresh_raw
expect_eq "fault 0 on: map fault_reqstd" True "$(slot_flag 0 fault_reqstd)"
expect_eq "fault 0 on: raw FAULT REQSTD of slot 0" 1 "$(raw_fault 0)"
check "fault slot 0 off" ec fault 0 off
refresh_raw
expect_eq "fault 0 off: raw FAULT REQSTD" 0 "$(raw_fault 0)"
check "fault element:2 on" ec fault element:2 on
refresh_raw
expect_eq "fault element:2 on: raw FAULT REQSTD of slot 1" 1 "$(raw_fault 1)"
check "fault element:2 off" ec fault element:2 off
refresh_raw
expect_eq "fault element:2 off: raw" 0 "$(raw_fault 1)"
check "locate by descriptor 'bay 3' on" ec locate "bay 3" on
refresh_raw
expect_eq "locate 'bay 3': raw IDENT of the empty slot 3" 1 "$(raw_ident 3)"

# --- LED state across reloads: unchanged enclosure kept; changed one (3 fans) modified.
gen_before=$(ec -j list | json "d['enclosures'][0]['generation_code']")
check "ctladm reload (unchanged file)" adm reload
refresh_raw
expect_eq "reload: locate of slot 3 kept" 1 "$(raw_ident 3)"
expect_eq "reload: generation code unchanged" "$gen_before" \
    "$(ec -j list | json "d['enclosures'][0]['generation_code']")"
write_conf 3
kill -HUP "$ctld_pid"
for _ in $(seq 50); do
    [ "$(ec -j list 2>/dev/null | json "d['enclosures'][0]['element_counts'][2]['count']" 2>/dev/null)" = 3 ] && break
    sleep 0.1
done
expect_eq "SIGHUP with 3 fans: cooling elements" 3 \
    "$(ec -j list | json "d['enclosures'][0]['element_counts'][2]['count']")"
check "SIGHUP with 3 fans: generation code moved on" \
    test "$(ec -j list | json "d['enclosures'][0]['generation_code']")" -gt "$gen_before"
refresh_raw
expect_eq "SIGHUP with 3 fans: locate of slot 3 kept" 1 "$(raw_ident 3)"
check "locate 'bay 3' off" ec locate "bay 3" off

# --- ctladm devlist: the enclosure with its element counts and slot LUNs.
adm devlist -v -j >"$tmp/devlist.json"
expect_eq "devlist: device type, counts, slot LUNs" "enclosure 4 2 3 2 1 [0, 1, 2, None]" \
    "$(json "[' '.join(str(x) for x in (l['device_type'], l['enclosure']['slots'], l['enclosure']['power_supplies'], l['enclosure']['fans'], l['enclosure']['temperature_sensors'], l['enclosure']['voltage_sensors'], l['enclosure']['slot_luns'])) for l in d['luns'] if l['lun'] == 3][0]" <"$tmp/devlist.json")"
check "devlist -v (text) shows slot-luns" grep -q "slot-luns=0,1,2,-" <(adm devlist -v)

# --- simulated conditions: status exit codes, and watch reporting them as JSON lines.
"$encctl" -j -e "$enc" watch -i 1 -T 30 >"$tmp/watch.jsonl" 2>"$tmp/watch.err" &
watch_pid=$!
for _ in $(seq 50); do grep -q '"kind":"start"' "$tmp/watch.jsonl" && break; sleep 0.1; done
check "watch: start line" grep -q '"kind":"start"' "$tmp/watch.jsonl"
expect_eq "watch: the start line's element_count is map's" \
    "$(ec -j map | json "d['enclosures'][0]['element_count']")" \
    "$(grep '"kind":"start"' "$tmp/watch.jsonl" | head -1 | json "d['element_count']" 2>&1)"
check "ctladm simulate psu:0:fail" adm simulate 3 psu:0:fail
refresh_raw
expect_eq "raw: PSU 0 critical with FAIL and DC FAIL, page CRIT" "2 1 1 2" \
    "$(awk '$1 == 2 && $2 == 0 { print $3 % 16, int($6 / 64) % 2, $6 % 2 } /^summary/ { print $2 }' "$tmp/raw.txt" | xargs)"
ec status >"$tmp/status.txt"
expect_eq "status: PSU failure exits 111 (critical)" 111 "$?"
check "status names PSU A" grep -q "PSU A" "$tmp/status.txt"
for _ in $(seq 80); do
    grep -q '"kind":"element_status"' "$tmp/watch.jsonl" && break
    sleep 0.1
done
expect_eq "watch: the power supply's change as a JSON line" "Power supply PSU A critical" \
    "$(grep '"kind":"element_status"' "$tmp/watch.jsonl" | head -1 | json "' '.join([d['element_type_name'], d['descriptor'], d['status_after']['status_code_name'].lower()])" 2>&1)"
check "watch: every line is JSON with version 1" \
    python3 -c "import json,sys; assert all(json.loads(l)['version'] == 1 for l in open(sys.argv[1]))" "$tmp/watch.jsonl"
check "ctladm simulate temp:1:55 psu:0:ok" adm simulate 3 temp:1:55 psu:0:ok
ec status >/dev/null
expect_eq "status: 55 C exits 110 (noncritical)" 110 "$?"
check "ctladm simulate ok --json" sh -c "'$ctladm' --socket '$sock' simulate 3 ok --json >'$tmp/sim.json'"
expect_eq "simulate --json: state after clearing" "False 30" \
    "$(json "d['state']['power_supplies'][0]['failed'], d['state']['temperature_sensors'][1]['celsius']" <"$tmp/sim.json" | tr -d '(),')"
ec status >/dev/null
expect_eq "status after clearing exits 0" 0 "$?"
for _ in $(seq 80); do
    grep -q '"health_after":"ok"' "$tmp/watch.jsonl" && break
    sleep 0.1
done
kill "$watch_pid" 2>/dev/null
wait "$watch_pid" 2>/dev/null
watch_pid=
check "watch: health back to ok reported" \
    python3 -c "import json,sys; assert any(json.loads(l).get('kind') == 'health' and json.loads(l).get('health_after') == 'ok' for l in open(sys.argv[1]))" "$tmp/watch.jsonl"
adm simulate 2 psu:0:fail >/dev/null 2>&1
expect_eq "simulate on a disk LUN: usage error" 1 "$?"
adm simulate 3 psu:7:fail >/dev/null 2>&1
expect_eq "simulate a missing power supply: usage error" 1 "$?"

# --- a runtime enclosure through ctladm, kept across a restart.
check "ctladm create -t enclosure" adm create -t enclosure -l 9 -o slots=2 -o slot-luns=disk2,0
check "ctladm lunmap it as LUN 9" adm lunmap -p 1 -l 9 -L 9
expect_eq "runtime enclosure: show" "0:ENCD2 1:ENCD0" \
    "$("$encctl" -j -e "$url/9" show | json "' '.join(f\"{s['slot_number']}:{s['disk']['serial']}\" for s in d['enclosures'][0]['slots'])")"
check "ctladm modify -o slots=3" adm modify -l 9 -o slots=3
kill -TERM "$ctld_pid"
wait "$ctld_pid" 2>/dev/null
start_ctld
expect_eq "runtime enclosure after restart: slots" 3 \
    "$("$encctl" -j -e "$url/9" list | json "d['enclosures'][0]['slot_count']")"

# --- errors
"$encctl" -e "$url/0" status >"$tmp/err.txt" 2>&1
expect_eq "encctl on a disk LUN exits 103 (unsupported)" 103 "$?"
check "encctl on a disk LUN says it is not an enclosure" grep -q "is not an enclosure" "$tmp/err.txt"
"$encctl" -j -e "$url/0" show >"$tmp/err.json" 2>/dev/null
expect_eq "encctl --json on a disk LUN: error category" "unsupported 103" \
    "$(json "d['error']['category'], d['error']['exit_code']" <"$tmp/err.json" | tr -d "(),'")"
sed -i 's/option slots 4/option slots 300/; s/"disk0,disk1,disk2"/"disk0,nope"/' "$tmp/ctl.conf"
"$ctld" -t -f "$tmp/ctl.conf" >"$tmp/t.txt" 2>&1
expect_eq "ctld -t on bad enclosure options exits 1" 1 "$?"
check "ctld -t names file, line and column of each problem" \
    grep -q "ctl.conf:[0-9]*:[0-9]*: lun 'enc0': option slots: a count from 0 to 255" "$tmp/t.txt"
check "ctld -t names the unknown slot lun" grep -q "slot-luns: no lun 'nope'" "$tmp/t.txt"

checks_summary
