#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Host tests against tgt (tgtd) on 127.0.0.1 with two file-backed LUNs: camx's iSCSI
# transport (tests/host/iscsi_transport_test.cpp), then camctl over iscsi:// checked against
# libiscsi's tools (iscsi-inq, iscsi-readcapacity16, iscsi-ls) and the backing files.
# Usage: tests/host/run.sh BUILD_DIR     (root; tgt installed; safe to run repeatedly)
# Starts its own tgtd on a free portal and control port, never touches another tgtd, and
# stops it on exit. Exit status: 0 pass, 1 failure, 77 skipped (not root / no tgt).
set -uo pipefail

build=${1:?usage: $0 BUILD_DIR}
build=$(cd "$build" && pwd)

if [ "$(id -u)" != 0 ]; then echo "run.sh: needs root (tgtd)"; exit 77; fi
for tool in tgtd tgtadm; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found"; exit 77; }
done
for tool in ss jq iscsi-inq iscsi-readcapacity16 iscsi-ls; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (scripts/deps.sh installs it)"; exit 1; }
done

cmake --build "$build" --target camx_host_iscsi camctl >/dev/null || { echo "run.sh: build failed"; exit 1; }
gtest_bin=$build/tests/camx_host_iscsi
camctl=$build/tools/camctl/camctl

port_free() { [ -z "$(ss -Hltn "sport = :$1")" ]; }
pick_port() {
    local p
    for p in $(seq "$1" "$2"); do
        if port_free "$p"; then echo "$p"; return 0; fi
    done
    return 1
}
portal=$(pick_port 13260 13399) || { echo "run.sh: no free portal port"; exit 1; }
# tgtd's management channel is a Unix socket named after the control port.
control=$(pick_port 23260 23399) || { echo "run.sh: no free control port"; exit 1; }
while [ -e "/var/run/tgtd/socket.$control" ] && [ "$control" -lt 23399 ]; do control=$((control + 1)); done

work=$(mktemp -d /tmp/camx-host.XXXXXX)
iqn=iqn.2024-01.org.camx:host-test
lun1_bytes=$((64 * 1024 * 1024))
lun2_bytes=$((32 * 1024 * 1024))
tgtd_pid=

cleanup() {
    local rc=$?
    if [ -n "$tgtd_pid" ] && kill -0 "$tgtd_pid" 2>/dev/null; then
        tgtadm -C "$control" --lld iscsi --mode target --op delete --force --tid 1 >/dev/null 2>&1 || true
        kill -TERM "$tgtd_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$tgtd_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$tgtd_pid" 2>/dev/null || true
        wait "$tgtd_pid" 2>/dev/null || true
    fi
    rm -f "/var/run/tgtd/socket.$control" "/var/run/tgtd/socket.$control.lock"
    if [ "$rc" != 0 ] && [ -s "$work/tgtd.log" ]; then
        echo "--- tgtd log"; tail -n 20 "$work/tgtd.log"
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

truncate -s "$lun1_bytes" "$work/lun1.img"
truncate -s "$lun2_bytes" "$work/lun2.img"
mkdir -p /var/run/tgtd
tgtd -f -C "$control" --iscsi "portal=127.0.0.1:$portal" >"$work/tgtd.log" 2>&1 &
tgtd_pid=$!

adm() { tgtadm -C "$control" --lld iscsi "$@"; }
for _ in $(seq 100); do
    adm --mode target --op show >/dev/null 2>&1 && break
    kill -0 "$tgtd_pid" 2>/dev/null || { echo "run.sh: tgtd exited"; exit 1; }
    sleep 0.1
done
adm --mode target --op new --tid 1 --targetname "$iqn" || exit 1
adm --mode logicalunit --op new --tid 1 --lun 1 --backing-store "$work/lun1.img" || exit 1
adm --mode logicalunit --op new --tid 1 --lun 2 --backing-store "$work/lun2.img" || exit 1
adm --mode target --op bind --tid 1 --initiator-address ALL || exit 1
for _ in $(seq 100); do
    port_free "$portal" || break
    sleep 0.1
done

url1="iscsi://127.0.0.1:$portal/$iqn/1"
url2="iscsi://127.0.0.1:$portal/$iqn/2"
echo "run.sh: tgtd pid $tgtd_pid on 127.0.0.1:$portal (control $control), target $iqn LUNs 1, 2"

# ---- checks ---------------------------------------------------------------------------------
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; for l in "$@"; do echo "       $l"; done; }
# expect NAME GOT WANT
expect() {
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}
# Runs camctl; leaves stdout in $out, stderr in $err, the exit status in $rc.
cam() {
    out=$("$camctl" "$@" 2>"$work/stderr")
    rc=$?
    err=$(cat "$work/stderr")
}
# A --json run must print exactly one JSON document with "version": 1.
cam_json() {
    cam "$@"
    if [ "$(jq -s 'length' <<<"$out" 2>/dev/null)" != 1 ] || [ "$(jq '.version' <<<"$out")" != 1 ]; then
        fail "camctl $1 --json prints one document with version 1" "rc=$rc" "stdout: $out" "stderr: $err"
        out='{}'
    fi
}
peer_field() { sed -n "s/^$1:\(.*\)$/\1/p" <<<"$2" | head -n 1; }
trim() { sed 's/^ *//; s/ *$//' <<<"$1"; }

# The transport, through its own gtest binary.
if CAMX_TEST_ISCSI_URL=$url1 CAMX_TEST_LUN_BYTES=$lun1_bytes "$gtest_bin" >"$work/gtest.log" 2>&1; then
    pass "transport gtest ($(grep -c '^\[       OK \]' "$work/gtest.log") tests)"
else
    fail "transport gtest" "$(grep -E '^\[  FAILED  \]|Failure' "$work/gtest.log" | head -n 5)"
fi

# INQUIRY against iscsi-inq.
peer=$(iscsi-inq "$url1")
cam_json inquiry --json "$url1"
expect "inquiry: rc" "$rc" 0
expect "inquiry: device key" "$(jq -r '.device' <<<"$out")" "$url1"
expect "inquiry: vendor vs iscsi-inq" "$(jq -r '.inquiry.vendor' <<<"$out")" "$(trim "$(peer_field Vendor "$peer")")"
expect "inquiry: product vs iscsi-inq" "$(jq -r '.inquiry.product' <<<"$out")" "$(trim "$(peer_field Product "$peer")")"
expect "inquiry: revision vs iscsi-inq" "$(jq -r '.inquiry.revision' <<<"$out")" "$(trim "$(peer_field Revision "$peer")")"
expect "inquiry: version vs iscsi-inq" "$(jq -r '.inquiry.version' <<<"$out")" "$(peer_field Version "$peer" | cut -d' ' -f1)"
expect "inquiry: cmdque vs iscsi-inq" "$(jq -r 'if .inquiry.cmdque then 1 else 0 end' <<<"$out")" "$(peer_field CmdQue "$peer")"
expect "inquiry: hisup vs iscsi-inq" "$(jq -r 'if .inquiry.hisup then 1 else 0 end' <<<"$out")" "$(peer_field HiSup "$peer")"
expect "inquiry: version descriptors vs iscsi-inq" \
    "$(jq -r '[.inquiry.version_descriptors[].code | tostring] | join(" ")' <<<"$out")" \
    "$(sed -n 's/^Version Descriptor:\([0-9a-f]*\) .*/\1/p' <<<"$peer" | while read -r h; do echo $((16#$h)); done | paste -sd' ')"
vendor=$(jq -r '.inquiry.vendor' <<<"$out")
inq_hex=$(jq -r '.bytes // empty' <<<"$("$camctl" inquiry --json --hex "$url1")")
cam inquiry "$url1"
expect "inquiry: text like sg_inq" "$rc $(grep -c "^ Vendor identification: $vendor\$" <<<"$out")" "0 1"

# VPD pages against iscsi-inq -e 1 (it takes decimal page codes).
cam_json inquiry --json --vpd 0x00 "$url1"
expect "vpd 0x00: supported pages vs iscsi-inq" \
    "$(jq -r '[.vpd.supported_pages[] | tostring] | join(" ")' <<<"$out")" \
    "$(iscsi-inq -e 1 -c 0 "$url1" | sed -n 's/^Page:0x\([0-9a-f]*\) .*/\1/p' | while read -r h; do echo $((16#$h)); done | paste -sd' ')"
cam_json inquiry --json --vpd sn "$url1"
serial=$(jq -r '.vpd.serial_number' <<<"$out")
expect "vpd 0x80: serial vs iscsi-inq" "$serial" \
    "$(trim "$(iscsi-inq -e 1 -c 128 "$url1" | sed -n 's/^Unit Serial Number:\[\(.*\)\]$/\1/p')")"
cam inquiry -S "$url1"
expect "inquiry -S: bare serial" "$out" "$serial"
cam_json inquiry --json --vpd 0x83 "$url1"
peer=$(iscsi-inq -e 1 -c 131 "$url1")
expect "vpd 0x83: designator (type code_set association) list vs iscsi-inq" \
    "$(jq -r '.vpd.designators[] | "\(.designator_type) \(.code_set) \(.association)"' <<<"$out" | sort | paste -sd,)" \
    "$(awk -F'[()]' '/^Code Set:/{c=$2} /^Association:/{a=$2} /^Designator Type:/{print $2" "c" "a}' <<<"$peer" | sort | paste -sd,)"
expect "vpd 0x83: T10 vendor id designator vs iscsi-inq" \
    "$(jq -r '.vpd.designators[] | select(.designator_type == 1) | .value' <<<"$out")" \
    "$(awk '/^Designator Type:\(1\)/{t=1; next} t && /^Designator:/{sub(/^Designator:\[/, ""); sub(/\]$/, ""); print; t=0}' <<<"$peer")"
# iscsi-inq prints binary designators as C strings: their bytes up to the first zero byte.
cstring() { local h=$1 s=''; while [ -n "$h" ] && [ "${h:0:2}" != 00 ]; do s+="\\x${h:0:2}"; h=${h:2}; done; printf '%b' "$s"; }
expect "vpd 0x83: NAA designators (as iscsi-inq prints them)" \
    "$(jq -r '.vpd.designators[] | select(.designator_type == 3) | .value' <<<"$out" | while read -r v; do cstring "$v"; echo; done | sort | paste -sd,)" \
    "$(awk '/^Designator Type:\(3\)/{t=1; next} t && /^Designator:/{sub(/^Designator:\[/, ""); sub(/\]$/, ""); print; t=0}' <<<"$peer" | sort | paste -sd,)"
cam_json inquiry --json --vpd bl "$url1"
peer=$(iscsi-inq -e 1 -c 176 "$url1")
bl_ok=1
while IFS=: read -r name key; do
    want=$(peer_field "$name" "$peer")
    got=$(jq -r ".vpd.$key | if type == \"boolean\" then (if . then 1 else 0 end) else . end" <<<"$out")
    [ "$got" == "$want" ] || { bl_ok=0; fail "vpd 0xb0: $key vs iscsi-inq" "got: $got" "want: $want"; }
done <<'EOF'
maximum compare and write length:maximum_compare_and_write_length_blocks
optimal transfer length granularity:optimal_transfer_length_granularity_blocks
maximum transfer length:maximum_transfer_length_blocks
optimal transfer length:optimal_transfer_length_blocks
maximum unmap lba count:maximum_unmap_lba_count
maximum unmap block descriptor count:maximum_unmap_block_descriptor_count
optimal unmap granularity:optimal_unmap_granularity_blocks
unmap granularity alignment:unmap_granularity_alignment
maximum write same length:maximum_write_same_length_blocks
ugavalid:ugavalid
wsnz:wsnz
EOF
[ "$bl_ok" == 1 ] && pass "vpd 0xb0: 11 fields vs iscsi-inq"
cam inquiry --all "$url1"
expect "inquiry --all: rc and one title per supported page" "$rc $(grep -c '^VPD page 0x' <<<"$out")" \
    "0 $(iscsi-inq -e 1 -c 0 "$url1" | grep -c '^Page:')"

# READ CAPACITY against iscsi-readcapacity16 and the backing files.
for n in 1 2; do
    url=iscsi://127.0.0.1:$portal/$iqn/$n
    size=$(stat -c %s "$work/lun$n.img")
    peer=$(iscsi-readcapacity16 "$url")
    cam_json readcap --json "$url"
    expect "readcap lun $n: last_lba vs iscsi-readcapacity16" "$(jq '.capacity.last_lba' <<<"$out")" \
        "$(peer_field 'RETURNED LOGICAL BLOCK ADDRESS' "$peer")"
    expect "readcap lun $n: block length vs iscsi-readcapacity16" "$(jq '.capacity.block_length_bytes' <<<"$out")" \
        "$(peer_field 'LOGICAL BLOCK LENGTH IN BYTES' "$peer")"
    expect "readcap lun $n: capacity vs iscsi-readcapacity16 and the backing file" \
        "$(jq '.capacity.capacity_bytes' <<<"$out") $(jq '.capacity.capacity_bytes' <<<"$out")" \
        "$(peer_field 'Total size' "$peer") $size"
    expect "readcap lun $n: lbppbe, lbpme, lbprz vs iscsi-readcapacity16" \
        "$(jq -r '.capacity | "\(.logical_blocks_per_physical_block_exponent) \(if .lbpme then 1 else 0 end) \(if .lbprz then 1 else 0 end)"' <<<"$out")" \
        "$(sed -n 's/.*LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:\([0-9]*\).*/\1/p' <<<"$peer") $(sed -n 's/^LBPME:\([0-9]\) LBPRZ:\([0-9]\).*/\1 \2/p' <<<"$peer")"
    cam_json readcap --json --10 "$url"
    expect "readcap --10 lun $n: blocks x length = backing file" \
        "$(jq '.capacity.blocks * .capacity.block_length_bytes' <<<"$out")" "$size"
done
cam readcap "$url1"
expect "readcap: text like sg_readcap" "$(grep -c "Device size: $lun1_bytes bytes" <<<"$out")" 1

# REPORT LUNS against iscsi-ls -s.
cam_json reportluns --json "$url1"
expect "reportluns vs iscsi-ls -s" "$(jq -r '[.luns[].lun | tostring] | sort | join(" ")' <<<"$out")" \
    "$(iscsi-ls -s "iscsi://127.0.0.1:$portal" | sed -n 's/^Lun:\([0-9]*\) .*/\1/p' | sort | paste -sd' ')"

# TEST UNIT READY.
cam tur "$url1"
expect "tur: rc" "$rc" 0
cam_json tur --json "$url2"
expect "tur --json: ready" "$rc $(jq '.ready' <<<"$out")" "0 true"

# Mode pages: read, --page and the positional, MODE SELECT and back.
cam_json modepage --json --page 0x08 "$url1"
expect "modepage --page 0x08: page and name" "$(jq -r '.mode.pages[0] | "\(.page_code) \(.page_name)"' <<<"$out")" "8 Caching"
wce=$(jq '.mode.pages[0].fields.wce' <<<"$out")
cam modepage "$url1" 8
expect "modepage DEV 8: text" "$rc $(grep -c '^Mode page 0x08,0x00: Caching' <<<"$out")" "0 1"
cam modepage 0x08 "$url1"
expect "modepage 8 DEV: either order" "$rc $(grep -c '^Mode page 0x08,0x00: Caching' <<<"$out")" "0 1"
flip=$([ "$wce" == true ] && echo 0 || echo 1)
cam modepage "$url1" 8 -e "wce=$flip"
cam_json modepage --json --page 8 "$url1"
expect "modepage -e wce=$flip: MODE SELECT took" "$(jq -r '.mode.pages[0].fields.wce' <<<"$out")" \
    "$([ "$flip" == 1 ] && echo true || echo false)"
cam modepage "$url1" 8 -e "wce=$([ "$wce" == true ] && echo 1 || echo 0)"
expect "modepage -e: restored" "$rc" 0
cam_json modepage --json -P changeable --page 0x0a "$url1"
expect "modepage -P changeable" "$rc $(jq '.mode.pages[0].page_code' <<<"$out")" "0 10"
cam_json modepage --json "$url1"
expect "modepage list has 0x08" "$(jq '[.mode.pages[] | select(.page_code == 8)] | length' <<<"$out")" 1

# LOG SENSE: tgt has none; either a decoded page or a clean invalid-opcode error.
cam_json logpage --json --page 0x0d "$url1"
if [ "$rc" == 0 ]; then
    expect "logpage 0x0d" "$(jq '.log.pages[0].page_code' <<<"$out")" 13
else
    expect "logpage on a target without LOG SENSE: error object" \
        "$rc $(jq -r '.error | "\(.exit_code) \(.sense.sense_key)"' <<<"$out")" "9 9 5"
fi

# REPORT SUPPORTED OPERATION CODES.
cam_json opcodes --json "$url1"
expect "opcodes lists INQUIRY" "$(jq '[.opcodes.commands[] | select(.opcode == 18)] | length' <<<"$out")" 1
cam_json opcodes --json -o 0x12 "$url1"
expect "opcodes -o 0x12: supported" "$(jq '.opcode.supported' <<<"$out")" true
cam opcodes "$url1"
expect "opcodes text" "$rc $(grep -c 'Inquiry' <<<"$out")" "0 1"

# Persistent reservations. Over iscsi:// each camctl run is a session of its own, and tgt ties
# a registration to the session that made it, so reserve and release run in one invocation
# after registering (persist -o ACTION,ACTION).
other=iqn.2024-01.org.camx:host-test-other
cam persist -o register-ignore,clear -K 0x1 "$url1"
expect "persist: start clean" "$rc" 0
cam persist -o register -K 0x123abc "$url1"
expect "persist -o register" "$rc" 0
cam_json persist --json -i keys "$url1"
expect "persist -i keys shows the key" "$(jq -r '[.persist.keys[]] | map(tostring) | join(" ")' <<<"$out")" $((0x123abc))
cam persist -i keys "$url1"
expect "persist -i keys: text in hex" "$(grep -c '^    0x123abc$' <<<"$out")" 1
cam persist -o register-ignore,reserve -K 0xabc -T wr_ex "$url1"
expect "persist -o register-ignore,reserve wr_ex" "$rc" 0
cam_json persist --json -i reservation "$url1"
expect "persist -i reservation: key and type" \
    "$(jq -r '.persist.reservation | "\(.key) \(.type)"' <<<"$out")" "$((0xabc)) 1"
cam persist -i reservation "$url1"
expect "persist -i reservation: text" "$(grep -c 'Key=0xabc' <<<"$out") $(grep -c 'type: Write Exclusive' <<<"$out")" "1 1"
printf 'camx' | dd of="$work/block" bs=512 count=1 conv=sync status=none
CAMX_INITIATOR_NAME=$other cam cmd -c "2a 00 00 00 00 00 00 00 01 00" -o "$work/block" "$url1"
expect "second initiator's WRITE while reserved: reservation conflict" "$rc" 24
CAMX_INITIATOR_NAME=$other cam_json cmd --json -c "2a 00 00 00 00 00 00 00 01 00" -o "$work/block" "$url1"
expect "second initiator --json: error object" \
    "$rc $(jq -r '.error | "\(.category) \(.exit_code) \(.scsi_status)"' <<<"$out")" "24 reservation_conflict 24 24"
CAMX_INITIATOR_NAME=$other cam persist -o register-ignore,reserve -K 0xdef -T ex_ac "$url1"
expect "second initiator's RESERVE while reserved: conflict" "$rc" 24
CAMX_INITIATOR_NAME=$other cam cmd -c "28 00 00 00 00 00 00 00 01 00" -i 512 "$url1"
expect "second initiator may still READ under write exclusive" "$rc" 0
cam persist -o register-ignore,clear -K 0xabc "$url1"
expect "persist -o clear" "$rc" 0
cam_json persist --json -i reservation "$url1"
expect "after clear: no reservation" "$(jq '.persist.reservation' <<<"$out")" null
cam_json persist --json -i keys "$url1"
expect "after clear: no keys" "$(jq '.persist.keys | length' <<<"$out")" 0
CAMX_INITIATOR_NAME=$other cam cmd -c "2a 00 00 00 00 00 00 00 01 00" -o "$work/block" "$url1"
expect "second initiator's WRITE after clear" "$rc" 0
cam persist -o register-ignore,reserve,release -K 0xabc -T wr_ex "$url1"
expect "persist -o reserve,release in one session" "$rc $(jq .persist.reservation <<<"$("$camctl" persist --json -i reservation "$url1")")" "0 null"
cam_json persist --json -i capabilities "$url1"
expect "persist -i capabilities: wr_ex supported" "$(jq '.persist.wr_ex' <<<"$out")" true
cam persist -o reserve "$url1"
expect "persist -o reserve without -T: usage" "$rc" 1

# Raw CDBs.
raw=$("$camctl" cmd -c "12 00 00 00 24 00" -i 36 -r "$url1" | od -An -v -tx1 | tr -d ' \n')
expect "cmd INQUIRY (36 bytes) = inquiry's bytes" "$raw" "${inq_hex:0:72}"
cam_json cmd --json -c "12 00 00 00 24 00" -i 36 "$url1"
expect "cmd --json: data_in" "$(jq -r '.data_in' <<<"$out")" "${inq_hex:0:72}"
cam cmd -c "ff 00 00 00 00 00" -i 36 "$url1"
if [ "$rc" == 9 ] || [ "$rc" == 5 ]; then pass "cmd with a bad opcode: exit $rc"; else fail "cmd with a bad opcode: exit 9 or 5" "rc=$rc" "$err"; fi
expect "cmd with a bad opcode: decoded sense on stderr" "$(grep -c 'sense: Illegal Request' <<<"$err")" 1
cam_json cmd --json -c "ff 00 00 00 00 00" -i 36 "$url1"
expect "cmd --json with a bad opcode: error object" \
    "$(jq -r '.error | "\(.exit_code) \(.sense.sense_key_name) \(.sense.asc)"' <<<"$out")" "$rc Illegal Request 32"

# --inhex decodes what the device gave.
echo "$inq_hex" | sed 's/../& /g' >"$work/inquiry.hex"
cam_json inquiry --json --inhex "$work/inquiry.hex"
expect "inquiry --inhex of the captured bytes" "$(jq -r '.inquiry.product' <<<"$out")" "$(trim "$(peer_field Product "$(iscsi-inq "$url1")")")"

# Start/stop, cache, sense.
for c in start stop synccache; do
    cam "$c" "$url1"
    expect "$c: rc" "$rc" 0
done
cam_json sense --json 70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 00 00 00
expect "sense: decoded" "$(jq -r '.sense | "\(.sense_key) \(.asc) \(.ascq)"' <<<"$out")" "5 36 0"

# Errors and exit codes.
cam inquiry sg9999
expect "unknown device name: exit 100" "$rc" 100
cam_json inquiry --json sg9999
expect "unknown device name --json: error object" "$(jq -r '.error | "\(.category) \(.exit_code)"' <<<"$out")" "no_device 100"
cam inquiry --no-such-option "$url1"
expect "bad option: exit 1, named" "$rc $(grep -c "inquiry: unknown option '--no-such-option'" <<<"$err")" "1 1"
cam_json inquiry --json --no-such-option "$url1"
expect "bad option --json: error object" "$rc $(jq -r '.error.category' <<<"$out")" "1 usage"
cam readcap
expect "no device: exit 1" "$rc" 1
cam inquiry --vpd nosuchpage "$url1"
expect "bad VPD page name: exit 1" "$rc" 1
cam_json inquiry --json "iscsi://127.0.0.1:$portal/iqn.2024-01.org.camx:no-such-target/1"
expect "unknown iSCSI target: no_device, named" \
    "$rc $(jq -r '.error | "\(.category) \(.message)"' <<<"$out")" \
    "100 no_device no target iqn.2024-01.org.camx:no-such-target at 127.0.0.1:$portal"
cam inquiry "iscsi://127.0.0.1:$portal/$iqn/9"
expect "a LUN tgt does not have: exit 100, named" \
    "$rc $(grep -c "no LUN 9 at target $iqn (127.0.0.1:$portal)" <<<"$err")" "100 1"
cam_json inquiry --json "iscsi://garbage"
expect "malformed iSCSI URL: usage" "$rc $(jq -r '.error.category' <<<"$out")" "1 usage"

echo "run.sh: $passed passed, $failed failed (${SECONDS} s)"
[ "$failed" == 0 ]
