#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# ctladm against a running ctld, checked from the initiator side with camctl over iscsi://:
# devlist/create/remove/modify/lunmap/portlist/port create and remove/islist/stats/
# offline/online, persistent reservations, runtime LUNs and portals across a restart, SIGHUP
# reload, ctld -t, and ctladm without a daemon.
# Usage: tests/host/ctld_ctladm.sh BUILD_DIR (exit 77: cannot run here)
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
ctld=$build/tools/ctld/ctld
ctladm=$build/tools/ctladm/ctladm
camctl=$build/tools/camctl/camctl
for b in "$ctld" "$ctladm" "$camctl"; do
    [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done
for t in ss python3; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done

tmp=$(mktemp -d /tmp/ctld-ctladm.XXXXXX)
ctld_pid=
perf_pid=
session_pid=
cleanup() {
    [ -n "$perf_pid" ] && kill -KILL "$perf_pid" 2>/dev/null
    [ -n "$session_pid" ] && kill "$session_pid" 2>/dev/null
    if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null; then
        kill -TERM "$ctld_pid"
        wait "$ctld_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/checks.sh"

port=
for p in $(seq 15400 15599); do
    if [ -z "$(ss -Hltn "sport = :$p")" ]; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port"; exit 1; }
iqn=iqn.2024-01.org.camx:ctladm-test
url=iscsi://127.0.0.1:$port/$iqn
sock=$tmp/ctld.sock
adm() { "$ctladm" --socket "$sock" "$@"; }
quiet() { "$@" >/dev/null; }
truncate -s 32M "$tmp/disk.img"

# write_conf [EXTRA-LUN-BLOCK]: the test configuration: a target with two LUNs (ramdisk,
# file), one with CHAP and one with an initiator-name ACL.
write_conf() {
    cat >"$tmp/ctl.conf" <<EOF
state-dir "$tmp/state"
control-socket "$sock"

portal-group pg0 {
    discovery-auth-group no-authentication
    listen 127.0.0.1:$port
}

auth-group ag-chap {
    chap user1 secretsecret1234
}

auth-group ag-names {
    auth-type none
    initiator-name iqn.1999-01.org.example:nobody
}

target $iqn:chap {
    auth-group ag-chap
    portal-group pg0
    lun 0 {
        backend ramdisk
        size 1m
    }
}

target $iqn:acl {
    auth-group ag-names
    portal-group pg0
    lun 0 {
        backend ramdisk
        size 1m
    }
}

target $iqn {
    auth-group no-authentication
    portal-group pg0
    lun 0 {
        backend ramdisk
        size 16m
        serial RAM0000
        ctl-lun 0
        option vendor TESTV
        option product "test ramdisk"
    }
    lun 1 {
        backend file
        path "$tmp/disk.img"
        serial FILE0001
        ctl-lun 1
        blocksize 4096
    }
$1
}
EOF
}

start_ctld() {
    log=$tmp/ctld.log.$RANDOM
    "$ctld" -d -f "$tmp/ctl.conf" >"$log" 2>&1 &
    ctld_pid=$!
    for _ in $(seq 100); do
        grep -q "control socket" "$log" && return 0
        kill -0 "$ctld_pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$log"
    echo "ctld did not start"
    exit 1
}

stop_ctld() {
    kill -TERM "$ctld_pid"
    wait "$ctld_pid"
    local rc=$?
    ctld_pid=
    return $rc
}

write_conf ""
check "ctld -t accepts the configuration" "$ctld" -t -f "$tmp/ctl.conf"
start_ctld

# devlist agrees with what the initiator sees.
dev=$(adm devlist --json)
check "devlist lists four LUNs" test "$(json "[l['lun'] for l in d['luns']]" <<<"$dev")" = "[0, 1, 2, 3]"
check "devlist: LUN 1 is file-backed, 4096-byte blocks" \
    test "$(json "(d['luns'][1]['backend'], d['luns'][1]['blocksize_bytes'], d['luns'][1]['size_bytes'])" <<<"$dev")" = "('file', 4096, $((32 << 20)))"
inq=$("$camctl" inquiry "$url/0" --json)
check "inquiry vendor and product match devlist" \
    test "$(json "(d['inquiry']['vendor'], d['inquiry']['product'])" <<<"$inq")" = \
    "$(json "(d['luns'][0]['options']['vendor'], d['luns'][0]['options']['product'])" <<<"$dev")"
for l in 0 1; do
    serial=$("$camctl" inquiry "$url/$l" --serial)
    check "VPD 0x80 of LUN $l matches devlist" test "$serial" = "$(json "d['luns'][$l]['serial']" <<<"$dev")"
    cap=$("$camctl" readcap "$url/$l" --json)
    check "readcap of LUN $l matches devlist" \
        test "$(json "(d['capacity']['capacity_bytes'], d['capacity']['block_length_bytes'])" <<<"$cap")" = \
        "$(json "(d['luns'][$l]['size_bytes'], d['luns'][$l]['blocksize_bytes'])" <<<"$dev")"
done

# Auth groups: CHAP, and an initiator-name ACL that admits someone else.
check "CHAP target: the right secret logs in" \
    "$camctl" tur "iscsi://user1%secretsecret1234@127.0.0.1:$port/$iqn:chap/0"
check "CHAP target: no secret, no login" \
    bash -c "! '$camctl' tur 'iscsi://127.0.0.1:$port/$iqn:chap/0' >/dev/null 2>&1"
check "CHAP target: a wrong secret, no login" \
    bash -c "! '$camctl' tur 'iscsi://user1%wrongwrongwrong1@127.0.0.1:$port/$iqn:chap/0' >/dev/null 2>&1"
check "initiator-name ACL keeps camctl out" \
    bash -c "! '$camctl' tur 'iscsi://127.0.0.1:$port/$iqn:acl/0' >/dev/null 2>&1"
check "initiator-name ACL admits the named initiator" \
    env CAMX_INITIATOR_NAME=iqn.1999-01.org.example:nobody "$camctl" tur "iscsi://127.0.0.1:$port/$iqn:acl/0"

# portlist, lunmap, create, remove.
ports=$(adm portlist --json)
pname=$(json "[p['name'] for p in d['ports'] if p['target'] == '$iqn'][0]" <<<"$ports")
check "portlist shows the three targets' ports" \
    test "$(json "sorted(p['target'] for p in d['ports'])" <<<"$ports")" = "['$iqn', '$iqn:acl', '$iqn:chap']"
check "create a ramdisk LUN 5" adm create -b ramdisk -s 8m -l 5 -S RT5
adm create -b ramdisk -s 1m -l 5 >/dev/null 2>&1
check "duplicate LUN id exits 1" test $? -eq 1
check "lunmap LUN 5 as port LUN 2" adm lunmap -p "$pname" -l 2 -L 5
cap=$("$camctl" readcap "$url/2" --json)
check "the created LUN is seen through its map" test "$(json "d['capacity']['capacity_bytes']" <<<"$cap")" = $((8 << 20))
check "remove LUN 5" adm remove -l 5
check "devlist no longer has LUN 5" test "$(adm devlist --json | json "[l['lun'] for l in d['luns']]")" = "[0, 1, 2, 3]"
check "create a LUN to survive a restart" adm create -b ramdisk -s 4m -l 7 -S RT7
check "map it as port LUN 4" adm lunmap -p "$pname" -l 4 -L 7

# modify: resize LUN 0, seen by readcap.
check "modify -s 32m" adm modify -l 0 -s 32m
cap=$("$camctl" readcap "$url/0" --json)
check "readcap shows the new size" test "$(json "d['capacity']['capacity_bytes']" <<<"$cap")" = $((32 << 20))

# modify on a file LUN resizes the file; a logged-in initiator sees CAPACITY DATA HAS CHANGED
# (2A/09); shrinking below written data needs --force.
coproc SESSION { python3 "$(dirname "$0")/iscsi_session.py" "127.0.0.1:$port" "$iqn" 1; }
session_out=${SESSION[0]}
session_in=${SESSION[1]}
session_pid=$SESSION_PID
ready=
read -r -t 30 ready <&"$session_out"
check "a session stays logged in to LUN 1 (file)" test "$ready" = ready
check "modify -s 48m on the file LUN" adm modify -l 1 -s 48m
check "the backing file grew to 48 MiB" test "$(stat -c %s "$tmp/disk.img")" = $((48 << 20))
cap=$("$camctl" readcap "$url/1" --json)
check "readcap of the file LUN shows 48 MiB" test "$(json "d['capacity']['capacity_bytes']" <<<"$cap")" = $((48 << 20))
ua=
echo tur >&"$session_in" && read -r -t 30 ua <&"$session_out"
check "the logged-in initiator gets CAPACITY DATA HAS CHANGED (6/2a/09)" test "$ua" = "02 6 2a 09"
echo tur >&"$session_in" && read -r -t 30 ua <&"$session_out"
check "once" test "$ua" = "00 0 00 00"
echo quit >&"$session_in"
wait "$session_pid" 2>/dev/null
session_pid=
head -c 4096 /dev/urandom >"$tmp/block4k"
check "WRITE(10) at 40 MiB of the file LUN" \
    "$camctl" cmd -c "2a 00 00 00 28 00 00 00 01 00" -o "$tmp/block4k" "$url/1"
out=$(adm modify -l 1 -s 36m 2>&1)
rc=$?
check "shrinking below the written data exits 1 and names --force" \
    test $rc -eq 1 -a -n "$(grep -e "force" <<<"$out")"
check "and leaves the file as it was" test "$(stat -c %s "$tmp/disk.img")" = $((48 << 20))
check "modify -s 36m --force shrinks it" adm modify -l 1 -s 36m --force
check "the file is 36 MiB" test "$(stat -c %s "$tmp/disk.img")" = $((36 << 20))
check "back to 32 MiB (only holes cut: no --force needed)" adm modify -l 1 -s 32m
check "the file is 32 MiB again" test "$(stat -c %s "$tmp/disk.img")" = $((32 << 20))

# One validation for ctladm and ctl.conf: LUN numbers, block multiples, sizes beyond memory
# and non-ASCII identification are refused the same way, nothing is rounded.
refused() {  # WHAT PATTERN ARGS...: ctladm ARGS exits 1 and says PATTERN
    local what=$1 pattern=$2 out rc
    shift 2
    out=$(adm "$@" 2>&1)
    rc=$?
    check "$what" test $rc -eq 1 -a -n "$(grep -e "$pattern" <<<"$out")"
    [ $rc -eq 1 ] || echo "$out"
}
refused "create -l 20000 is refused" "above 16383" create -b ramdisk -s 1m -l 20000
refused "create -s 1000 is refused, not rounded" "size 1000 is not a multiple of blocksize 512" \
    create -b ramdisk -s 1000 -l 8
refused "a 16 PiB ramdisk is refused" "larger than this host's memory" create -b ramdisk -s 16p -l 8
refused "a non-ASCII serial is refused" "not printable ASCII" \
    create -b ramdisk -s 1m -l 8 -S "$(printf 'caf\xc3\xa9')"
refused "a non-ASCII product is refused" "not printable ASCII" \
    create -b ramdisk -s 1m -l 8 -o product="$(printf '\xe2\x82\xac')"
refused "modify -s 1000 is refused like create" "not a multiple" modify -l 0 -s 1000
check "none of them made a LUN" \
    test "$(adm devlist --json | json "[l['lun'] for l in d['luns'] if l['lun'] in (8, 20000)]")" = "[]"
for bad in "size 16m/size 1000/not a multiple of blocksize 512" \
    "size 16m/size 16p/larger than this host's memory" \
    "serial RAM0000/serial \"$(printf 'caf\xc3\xa9')\"/not printable ASCII" \
    "ctl-lun 0/ctl-lun 20000/from 0 to 16383"; do
    IFS=/ read -r from to says <<<"$bad"
    sed -e "s|        $from\$|        $to|" "$tmp/ctl.conf" >"$tmp/limits.conf"
    out=$("$ctld" -t -f "$tmp/limits.conf" 2>&1)
    rc=$?
    check "ctld -t refuses '$to' too, saying '$says'" test $rc -eq 1 -a -n "$(grep -e "$says" <<<"$out")"
done

# A thin ramdisk: 16 PiB with 4 MiB of memory; the fifth MiB written answers SPACE ALLOCATION
# FAILED WRITE PROTECT (07/27/07) and ctld's memory stays bounded.
check "create a thin 16 PiB ramdisk with capacity=4m" \
    adm create -b ramdisk -s 16p -o capacity=4m -l 8 -S THIN8
check "map it as port LUN 5" adm lunmap -p "$pname" -l 5 -L 8
cap=$("$camctl" readcap "$url/5" --json)
check "readcap shows 16 PiB" test "$(json "d['capacity']['capacity_bytes']" <<<"$cap")" = $((16 << 50))
rss() { awk '/^VmRSS/ {print $2}' "/proc/$ctld_pid/status"; }
rss_before=$(rss)
head -c 512 /dev/urandom >"$tmp/block512"
written=0
refused_at=
for mib in $(seq 0 15); do
    lba=$(printf '%08x' $((mib * 2048)))
    cdb="2a 00 ${lba:0:2} ${lba:2:2} ${lba:4:2} ${lba:6:2} 00 00 01 00"
    out=$("$camctl" cmd -c "$cdb" -o "$tmp/block512" "$url/5" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        written=$((written + 1))
    elif [ -z "$refused_at" ]; then
        refused_at=$mib
        refused_out=$out
        refused_rc=$rc
    fi
done
rss_after=$(rss)
echo "thin ramdisk: VmRSS ${rss_before} kB -> ${rss_after} kB after 16 one-block writes 1 MiB apart"
check "four chunks written, then refused" test "$written:$refused_at" = "4:4"
check "refused with DATA PROTECT (exit 7) and 27/07" \
    test "${refused_rc:-}" = 7 -a -n "$(grep -Ei "0x27.*0x07|27/07|space allocation" <<<"${refused_out:-}")"
check "ctld's RSS grew by less than 12 MiB (16 MiB without the capacity)" \
    test $((rss_after - rss_before)) -lt $((12 << 10))
check "remove the thin ramdisk" adm remove -l 8

# islist (sessions are short-lived: only the shape), stats.
check "islist answers a session array" test "$(adm islist --json | json "type(d['sessions']).__name__")" = list
check "READ(10) of 8 blocks from LUN 0" "$camctl" cmd -c "28 00 00 00 00 00 00 00 08 00" -i 4096 -r "$url/0" >/dev/null
st=$(adm stats --json)
check "stats count LUN 0's read and its bytes" \
    test "$(json "[(s['read_commands'], s['read_bytes']) for s in d['luns'] if s['lun'] == 0]" <<<"$st")" = "[(1, 4096)]"

# islist and islogout with a session that stays: iscsi-perf reads until told to stop.
if command -v iscsi-perf >/dev/null; then
    perf_iqn=iqn.1999-01.org.example:perf
    iscsi-perf -i "$perf_iqn" -t 30 -x 0 "$url/1" >/dev/null 2>&1 &
    perf_pid=$!
    sessions=
    for _ in $(seq 50); do
        sessions=$(adm islist --json)
        [ "$(json "[s['initiator_name'] for s in d['sessions']]" <<<"$sessions")" = "['$perf_iqn']" ] && break
        sleep 0.1
    done
    check "islist shows iscsi-perf's session and its target" \
        test "$(json "[(s['initiator_name'], s['target_name'], s['initiator_address']) for s in d['sessions']]" <<<"$sessions")" = "[('$perf_iqn', '$iqn', '127.0.0.1')]"
    check "portlist -i lists the initiator on the port" \
        test "$(adm portlist --json | json "[p['initiators'] for p in d['ports'] if p['name'] == '$pname'][0]")" = "['$perf_iqn']"
    check "islogout -i ends it" test "$(adm islogout -i "$perf_iqn" --json | json "d['logged_out']")" = 1
    kill -KILL "$perf_pid" 2>/dev/null  # iscsi-perf ignores SIGTERM
    wait "$perf_pid" 2>/dev/null
    perf_pid=
else
    echo "skip: islist with a session (no iscsi-perf)"
fi

# offline answers BUSY; online again.
check "offline LUN 0" adm offline -l 0
# libiscsi sends TEST UNIT READY while logging in, so camctl may report the BUSY as a failed
# login (exit 35) rather than as the command's status (exit 26).
out=$("$camctl" tur "$url/0" 2>&1)
rc=$?
check "TEST UNIT READY on an offline LUN answers BUSY" \
    test $rc -eq 26 -o \( $rc -eq 35 -a -n "$(grep -w BUSY <<<"$out")" \)
check "online LUN 0" adm online -l 0
check "TEST UNIT READY after online" "$camctl" tur "$url/0"

# Persistent reservations with APTPL survive a restart, and so does the runtime LUN.
check "register key 0x1234 with APTPL" "$camctl" persist -o register-ignore -K 0x1234 -p "$url/1"
keys=$("$camctl" persist -i keys "$url/1" --json)
check "the key is registered" test "$(json "[hex(k) for k in d['persist']['keys']]" <<<"$keys")" = "['0x1234']"
# Runtime portals: port create adds a listening address (to pg0, or as a new portal group),
# initiators reach the target through it, port remove closes it and logs out its sessions.
free_port() {  # a free port above $1
    local p
    for p in $(seq $(($1 + 1)) 15999); do
        if [ -z "$(ss -Hltn "sport = :$p")" ]; then echo "$p"; return; fi
    done
}
port2=$(free_port "$port")
port3=$(free_port "$port2")
port4=$(free_port "$port3")
check "port create adds 127.0.0.1:$port2 to pg0" adm port create -p pg0 -l "127.0.0.1:$port2"
check "camctl reaches the target through the new portal" \
    test "$("$camctl" inquiry "iscsi://127.0.0.1:$port2/$iqn/0" --serial)" = RAM0000
if command -v iscsi-ls >/dev/null; then
    check "iscsi-ls (SendTargets) through the new portal lists the target on both portals" \
        test "$(iscsi-ls -s "iscsi://127.0.0.1:$port2" 2>/dev/null | grep -c "^Target:$iqn Portal:127.0.0.1:\($port\|$port2\),1$")" = 2
fi
check "portlist shows the portal on pg0's ports" \
    test "$(adm portlist --json | json "[p['portals'] for p in d['ports'] if p['target'] == '$iqn'][0]")" = "['127.0.0.1:$port', '127.0.0.1:$port2']"
adm port create -p pg0 -l "127.0.0.1:$port2" >/dev/null 2>&1
check "the same address twice exits 1" test $? -eq 1
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$port4)); s.listen(); time.sleep(20)" &
squatter=$!
for _ in $(seq 50); do [ -n "$(ss -Hltn "sport = :$port4")" ] && break; sleep 0.1; done
out=$(adm port create -p pg0 -l "127.0.0.1:$port4" 2>&1)
rc=$?
kill "$squatter" 2>/dev/null
wait "$squatter" 2>/dev/null
check "an address in use exits 26 and says so" test $rc -eq 26 -a -n "$(grep -i "in use" <<<"$out")"
adm port create -p pg-new -l "127.0.0.1:$port3" -t iqn.1999-01.org.example:none >/dev/null 2>&1
check "a new portal group for an unknown target exits 100" test $? -eq 100
created=$(adm port create -p pg-new -l "127.0.0.1:$port3" -t "$iqn" --json)
check "port create makes portal group pg-new with tag 2 and one port" \
    test "$(json "(d['portal']['portal_group_tag'], [p['name'] for p in d['portal']['ports']])" <<<"$created")" = "(2, ['$iqn,t,0x0002'])"
check "the new portal group's port has the target's LUN map from ctl.conf" \
    test "$("$camctl" inquiry "iscsi://127.0.0.1:$port3/$iqn/1" --serial)" = FILE0001
check "but not the other port's runtime lunmap" \
    bash -c "! '$camctl' inquiry 'iscsi://127.0.0.1:$port3/$iqn/4' --serial >/dev/null 2>&1"
adm port remove -p pg0 -l "127.0.0.1:$port" >/dev/null 2>&1
check "removing a portal of ctl.conf exits 1" test $? -eq 1
adm port remove -p pg-none >/dev/null 2>&1
check "removing an unknown portal group exits 100" test $? -eq 100
if command -v iscsi-perf >/dev/null; then
    iscsi-perf -i iqn.1999-01.org.example:portal -t 30 -x 0 "iscsi://127.0.0.1:$port2/$iqn/1" >/dev/null 2>&1 &
    perf_pid=$!
    for _ in $(seq 50); do
        [ "$(adm islist --json | json "len(d['sessions'])")" = 1 ] && break
        sleep 0.1
    done
    check "a session through the runtime portal" \
        test "$(adm islist --json | json "[s['target_portal'] for s in d['sessions']]")" = "['127.0.0.1:$port2']"
fi
check "port remove closes 127.0.0.1:$port2" \
    test "$(adm port remove -p pg0 -l "127.0.0.1:$port2" --json | json "d['removed']")" = "['127.0.0.1:$port2']"
if [ -n "$perf_pid" ]; then
    for _ in $(seq 50); do
        [ "$(adm islist --json | json "len(d['sessions'])")" = 0 ] && break
        sleep 0.1
    done
    check "and logs out the session through it" test "$(adm islist --json | json "len(d['sessions'])")" = 0
    kill -KILL "$perf_pid" 2>/dev/null
    wait "$perf_pid" 2>/dev/null
    perf_pid=
fi
check "the removed portal no longer answers" \
    bash -c "! '$camctl' tur 'iscsi://127.0.0.1:$port2/$iqn/0' >/dev/null 2>&1"
check "portlist no longer lists it" \
    test "$(adm portlist --json | json "[p['portals'] for p in d['ports'] if p['target'] == '$iqn'][0]")" = "['127.0.0.1:$port']"

# islogout naming a session that is not there: exit 100, as ctladm(8) says; -a of none is 0.
adm islogout -c 999 >/dev/null 2>&1
check "islogout -c 999 (no such session) exits 100" test $? -eq 100
check "islogout -a with no sessions exits 0" quiet adm islogout -a

# devlist -v: each option once, by the name -o takes; in JSON booleans and numbers.
verbose=$(adm devlist -v)
for opt in readonly writecache removable unmap vendor product revision pblocksize; do
    expect_eq "devlist -v: $opt= once per LUN" "$(grep -c '^   *[0-9]' <<<"$verbose")" \
        "$(grep -c "^      $opt=" <<<"$verbose")"
done
check "devlist -v: no write-cache" test -z "$(grep write-cache <<<"$verbose")"
opts=$(adm devlist --json | json "[(type(l['options']['readonly']).__name__, type(l['options']['writecache']).__name__, type(l['options']['pblocksize']).__name__, type(l['readonly']).__name__) for l in d['luns'] if l['lun'] == 0][0]")
expect_eq "devlist --json: options are booleans and numbers" "('bool', 'bool', 'int', 'bool')" "$opts"
adm modify -l 0 -o write-cache=off >/dev/null 2>&1
check "modify -o write-cache=off (not documented) exits 1" test $? -eq 1
check "modify -o writecache=off" quiet adm modify -l 0 -o writecache=off
expect_eq "devlist --json: writecache false" False \
    "$(adm devlist --json | json "[l['options']['writecache'] for l in d['luns'] if l['lun'] == 0][0]")"
expect_eq "devlist -v: writecache=off" "      writecache=off" \
    "$(adm devlist -v | awk '$1 == 0 { on = 1; next } /^ +[0-9]/ { on = 0 } on && /writecache=/')"
check "modify -o writecache=on" quiet adm modify -l 0 -o writecache=on

# The control socket's limits: 32 idle clients, then ctladm is told why it cannot get in; 30,000
# pipelined requests whose answers are never read cost ctld a bounded amount of memory.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$ctld_pid/status"; }
python3 - "$sock" 32 8 >"$tmp/idle.out" 2>&1 <<'PY' &
import socket, sys, time
conns = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    conns.append(s)
print("connected", flush=True)
time.sleep(float(sys.argv[3]))
PY
idle_pid=$!
for _ in $(seq 50); do grep -qs connected "$tmp/idle.out" && break; sleep 0.1; done
sleep 0.3
out=$(adm devlist 2>&1)
rc=$?
check "with 32 idle control clients ctladm exits 26" test $rc -eq 26
check "and says too many control clients" grep -q "too many control clients" <<<"$out"
kill "$idle_pid" 2>/dev/null
wait "$idle_pid" 2>/dev/null
for _ in $(seq 50); do adm devlist >/dev/null 2>&1 && break; sleep 0.1; done
check "once they leave, ctladm gets in" quiet adm devlist
before=$(rss_kb)
python3 - "$sock" 30000 >"$tmp/pipeline.out" 2>&1 <<'PY' &
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.setblocking(False)
data = b"".join(json.dumps({"version": 1, "id": i, "command": "lun.list"}).encode() + b"\n"
                for i in range(1, int(sys.argv[2]) + 1))
sent, deadline = 0, time.time() + 10
while sent < len(data) and time.time() < deadline:
    try:
        sent += s.send(data[sent:])
    except BlockingIOError:
        time.sleep(0.05)
print("sent", sent, "of", len(data), flush=True)
time.sleep(40)
PY
pipe_pid=$!
for _ in $(seq 150); do grep -qs "^sent" "$tmp/pipeline.out" && break; sleep 0.1; done
after=$(rss_kb)
echo "ctld RSS with 30,000 unread pipelined lun.list requests: ${before} kB -> ${after} kB ($(cat "$tmp/pipeline.out"))"
check "30,000 unread pipelined requests cost ctld less than 16 MB" test $((after - before)) -lt 16384
check "ctladm is served meanwhile" quiet adm devlist
kill "$pipe_pid" 2>/dev/null
wait "$pipe_pid" 2>/dev/null

check "SIGTERM stops ctld with status 0" stop_ctld
check "SIGTERM removed the control socket" test ! -e "$sock"
start_ctld
keys=$("$camctl" persist -i keys "$url/1" --json)
check "the key is still registered after a restart" test "$(json "[hex(k) for k in d['persist']['keys']]" <<<"$keys")" = "['0x1234']"
check "the runtime LUN 7 is back after a restart" \
    test "$(adm devlist --json | json "[l['serial'] for l in d['luns'] if l['lun'] == 7]")" = "['RT7']"
check "and its LUN map: port LUN 4 is LUN 7" test "$("$camctl" inquiry "$url/4" --serial)" = RT7
check "the runtime portal group is back after a restart" \
    test "$("$camctl" inquiry "iscsi://127.0.0.1:$port3/$iqn/0" --serial)" = RAM0000
check "port remove -p pg-new removes the group" adm port remove -p pg-new
check "and its port" \
    test "$(adm portlist --json | json "[p['name'] for p in d['ports'] if p['portal_group'] == 'pg-new']")" = "[]"
check "its portal no longer answers" \
    bash -c "! '$camctl' tur 'iscsi://127.0.0.1:$port3/$iqn/0' >/dev/null 2>&1"

# SIGHUP with a third LUN: added, the first one stays; and a file LUN whose size creates
# its file.
write_conf "    lun 3 {
        backend ramdisk
        size 2m
        serial HUP0003
    }
    lun 6 {
        backend file
        path \"$tmp/sized.img\"
        size 8m
        serial SIZED6
    }"
kill -HUP "$ctld_pid"
for _ in $(seq 50); do
    grep -q "configuration reloaded" "$log" && break
    sleep 0.1
done
check "SIGHUP adds LUN 3" test "$("$camctl" inquiry "$url/3" --serial 2>/dev/null)" = HUP0003
check "a file LUN with size 8m creates its file" test "$(stat -c %s "$tmp/sized.img" 2>&1)" = $((8 << 20))
cap=$("$camctl" readcap "$url/6" --json)
check "and serves 8 MiB" test "$(json "d['capacity']['capacity_bytes']" <<<"$cap")" = $((8 << 20))
check "LUN 0 still served after the reload" test "$("$camctl" inquiry "$url/0" --serial)" = RAM0000
check "the runtime LUN survived the reload" \
    test "$(adm devlist --json | json "[l['lun'] for l in d['luns'] if l['lun'] == 7]")" = "[7]"

# A broken file on reload is logged and the running configuration kept.
echo "target {" >>"$tmp/ctl.conf"
kill -HUP "$ctld_pid"
for _ in $(seq 50); do
    grep -q "reload failed" "$log" && break
    sleep 0.1
done
check "a broken file on reload is reported" grep -q "reload failed" "$log"
check "and the LUNs stay" test "$("$camctl" inquiry "$url/3" --serial)" = HUP0003

# ctld -t on a broken file names line and column.
out=$("$ctld" -t -f "$tmp/ctl.conf" 2>&1)
rc=$?
check "ctld -t on a broken file exits 1" test $rc -eq 1
check "ctld -t names file:line:col" grep -Eq "ctl\.conf:[0-9]+:[0-9]+: " <<<"$out"

# Bad LUN options are each reported, with the LUN's place.
sed -e 's/option vendor TESTV/option vendorx TESTV\n        option readonly maybe/' \
    "$tmp/ctl.conf" | head -n -1 >"$tmp/bad-options.conf"
out=$("$ctld" -t -f "$tmp/bad-options.conf" 2>&1)
rc=$?
check "ctld -t on bad LUN options exits 1" test $rc -eq 1
check "ctld -t reports both bad options with their place" \
    test "$(grep -Ec "bad-options\.conf:[0-9]+:[0-9]+: lun .*(vendorx|readonly)" <<<"$out")" = 2

# ctladm without a daemon: exit 35 (transport), as ctladm(8) documents.
"$ctladm" --socket "$tmp/none.sock" devlist >/dev/null 2>&1
check "ctladm with no daemon exits 35" test $? -eq 35

checks_summary
