#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# A reload is all or nothing: one that fails (a portal already in use, a LUN whose backend
# cannot open, both at once) leaves every LUN, port and portal as it was, reports every
# problem, and the next good reload works. A configuration path that is not a regular file
# (a directory, a FIFO) is an error (exit 15) at start, for ctld -t and on reload, and never
# blocks; everything stays served.
# Usage: tests/host/ctld_reload.sh BUILD_DIR (exit 77: cannot run here)
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
ctld=$build/tools/ctld/ctld
ctladm=$build/tools/ctladm/ctladm
camctl=$build/tools/camctl/camctl
for b in "$ctld" "$ctladm" "$camctl"; do
    [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done
for t in ss python3 mkfifo timeout; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done

tmp=$(mktemp -d /tmp/ctld-reload.XXXXXX)
ctld_pid=
holder_pid=
exe_pid=
perf_pid=
cleanup() {
    for p in $holder_pid $exe_pid $perf_pid; do kill -KILL "$p" 2>/dev/null; done
    if [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null; then
        kill -TERM "$ctld_pid"
        wait "$ctld_pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/checks.sh"

# free_port [NOT...]: a free 127.0.0.1 port of this script's range, none of NOT.
free_port() {
    local p
    for p in $(seq 13500 13599); do
        [[ " $* " == *" $p "* ]] && continue
        if [ -z "$(ss -Hltn "sport = :$p")" ]; then echo "$p"; return 0; fi
    done
    echo "no free port" >&2
    exit 1
}
port=$(free_port)
busy=$(free_port "$port")
spare=$(free_port "$port" "$busy")
iqn=iqn.2024-01.org.camx:reload-test
url=iscsi://127.0.0.1:$port/$iqn
sock=$tmp/ctld.sock
conf=$tmp/ctl.conf
adm() { "$ctladm" --socket "$sock" --timeout 10 "$@"; }
quiet() { "$@" >/dev/null; }
serial() { "$camctl" inquiry "$url/$1" --serial 2>/dev/null; }
luns() { adm devlist --json | json "[l['lun'] for l in d['luns']]"; }
ports() { adm portlist --json | json "sorted(p['name'] for p in d['ports'])"; }
truncate -s 8M "$tmp/disk.img"

# Someone else's listener on $busy: a portal there cannot be bound.
python3 -c "
import socket, time
s = socket.socket()
s.bind(('127.0.0.1', $busy))
s.listen()
time.sleep(3600)" &
holder_pid=$!
disown "$holder_pid"
# A running program's file: it exists and is regular (ctl.conf's checks pass), but cannot be
# opened for writing (ETXTBSY), so the engine cannot open it as a LUN's backend.
cp "$(command -v sleep)" "$tmp/running-exe"
"$tmp/running-exe" 3600 &
exe_pid=$!
disown "$exe_pid"
for _ in $(seq 50); do
    [ -n "$(ss -Hltn "sport = :$busy")" ] && break
    sleep 0.1
done

# write_conf [busy-portal] [LUN-BLOCKS]: a target with a ramdisk (LUN 0) and a file (LUN 1);
# with busy-portal also reachable through a portal group on the port in use.
write_conf() {
    local pg=""
    local ref=""
    if [ "${1:-}" = busy-portal ]; then
        pg="portal-group pg-busy {
    discovery-auth-group no-authentication
    listen 127.0.0.1:$spare
    listen 127.0.0.1:$busy
}"
        ref="portal-group pg-busy"
    fi
    cat >"$conf" <<EOF
state-dir "$tmp/state"
control-socket "$sock"

portal-group pg0 {
    discovery-auth-group no-authentication
    listen 127.0.0.1:$port
}
$pg

target $iqn {
    auth-group no-authentication
    portal-group pg0
    $ref
    lun 0 {
        backend ramdisk
        size 4m
        serial R0
        ctl-lun 0
    }
    lun 1 {
        backend file
        path "$tmp/disk.img"
        serial F1
        ctl-lun 1
    }
${2:-}
}
EOF
}
lun2='    lun 2 {
        backend ramdisk
        size 1m
        serial N2
        ctl-lun 2
    }'
lun3_unopenable="    lun 3 {
        backend file
        path \"$tmp/running-exe\"
        serial X3
        ctl-lun 3
    }"

# reload: runs ctladm reload, sets $rc and $out (its stderr).
reload() {
    out=$(adm reload 2>&1 >/dev/null)
    rc=$?
}

write_conf
log=$tmp/ctld.log
"$ctld" -f "$conf" >"$log" 2>&1 &
ctld_pid=$!
for _ in $(seq 100); do
    grep -q "control socket" "$log" && break
    kill -0 "$ctld_pid" 2>/dev/null || break
    sleep 0.1
done
grep -q "control socket" "$log" || { cat "$log"; echo "ctld did not start"; exit 1; }
check "serves LUN 0" test "$(serial 0)" = R0
ports_before=$(ports)

# A session that stays through every reload below: iscsi-perf reads (one request at a time)
# until killed, and gives up if its session ends (-x 0).
session=
if command -v iscsi-perf >/dev/null; then
    perf_iqn=iqn.1999-01.org.example:reload-perf
    iscsi-perf -i "$perf_iqn" -m 1 -t 300 -x 0 "$url/0" >/dev/null 2>&1 &
    perf_pid=$!
    disown "$perf_pid"
    for _ in $(seq 50); do
        session=$(adm islist --json | json "[s['session_id'] for s in d['sessions'] if s['initiator_name'] == '$perf_iqn']")
        [ "$session" != "[]" ] && [ -n "$session" ] && break
        sleep 0.1
    done
    check "iscsi-perf has a session" test -n "$session" -a "$session" != "[]"
else
    echo "skip: a session through the reloads (no iscsi-perf)"
fi

# 1. A new portal whose port is in use: nothing of the new configuration stays.
write_conf busy-portal "$lun2"
reload
expect_eq "reload with a portal in use exits 26 (busy)" 26 "$rc"
check "and names the address" grep -q "127.0.0.1:$busy" <<<"$out"
expect_eq "the LUN list is exactly as before" "[0, 1]" "$(luns)"
expect_eq "the ports are as before" "$ports_before" "$(ports)"
check "the portal that could be bound is closed again" test -z "$(ss -Hltn "sport = :$spare")"
check "LUN 0 still served" test "$(serial 0)" = R0
check "the new LUN 2 is not served" test -z "$(serial 2)"

# A failed reload keeps the runtime state too: a LUN created with ctladm that the new file
# would take over stays, in the engine and in the state directory.
check "ctladm create LUN 5" quiet adm create -b ramdisk -s 1m -l 5 -S RT5
write_conf busy-portal "    lun 5 {
        backend ramdisk
        size 1m
        serial FILE5
        ctl-lun 5
    }"
reload
expect_eq "reload taking over LUN 5 with a portal in use exits 26" 26 "$rc"
check "runtime LUN 5 still served" test "$(adm devlist --json | json "[l['serial'] for l in d['luns'] if l['lun'] == 5][0]")" = RT5
check "and still in the state directory" test -e "$tmp/state/luns/5.json"
check "ctladm remove LUN 5" quiet adm remove -l 5

# 2. The same without the bad portal: a good reload works (no "LUN 2 already exists").
write_conf "" "$lun2"
reload
expect_eq "the next good reload works" 0 "$rc"
[ "$rc" = 0 ] || echo "$out"
expect_eq "and adds LUN 2" "[0, 1, 2]" "$(luns)"
check "LUN 2 served" test "$(serial 2)" = N2

# 3. A LUN whose backend cannot open, and LUN 1 moved to it: LUN 1 keeps its file.
if python3 -c "import os,sys; os.open(sys.argv[1], os.O_RDWR)" "$tmp/running-exe" 2>/dev/null; then
    echo "SKIP: this kernel lets a running program's file open for writing"
else
    write_conf "" "$lun2
$lun3_unopenable"
    reload
    expect_eq "reload with a backend that cannot open exits 15" 15 "$rc"
    check "and names the file" grep -q "running-exe" <<<"$out"
    expect_eq "the LUN list is exactly as before" "[0, 1, 2]" "$(luns)"
    check "LUN 3 is not served" test -z "$(serial 3)"
    sed -e "s|path \"$tmp/disk.img\"|path \"$tmp/running-exe\"|" "$conf" >"$conf.new"
    mv "$conf.new" "$conf"
    reload
    check "reload moving LUN 1 to a backend that cannot open fails" test "$rc" -ne 0
    check "LUN 1 is still served from its file" test "$(serial 1)" = F1
    expect_eq "and is still file-backed on disk.img" "$tmp/disk.img" \
        "$(adm devlist --json | json "[l['path'] for l in d['luns'] if l['lun'] == 1][0]")"

    # 4. Two problems at once: both reported, by ctladm and in ctld's log (SIGHUP).
    write_conf busy-portal "$lun2
$lun3_unopenable"
    reload
    check "reload with two problems fails" test "$rc" -ne 0
    check "it reports the LUN that cannot open" grep -q "running-exe" <<<"$out"
    check "and the portal in use" grep -q "127.0.0.1:$busy" <<<"$out"
    sed "s|^|    |" <<<"$out"
    kill -HUP "$ctld_pid"
    for _ in $(seq 50); do
        grep -q "reload failed" "$log" && break
        sleep 0.1
    done
    check "SIGHUP's log has the LUN" grep -q "running-exe" "$log"
    check "and the portal" grep -q "127.0.0.1:$busy" "$log"
    expect_eq "the LUN list is exactly as before" "[0, 1, 2]" "$(luns)"
fi

# Two errors in the file itself: both, with their places, as ctld -t gives them.
write_conf "" "$lun2"
sed -i -e 's/serial R0/serial R0\n        option vendorx V/' -e 's/serial F1/serial F1\n        option readonly maybe/' "$conf"
reload
check "reload of a file with two errors fails" test "$rc" -ne 0
expect_eq "and reports both with their place" 2 \
    "$(grep -Ec "ctl\.conf:[0-9]+:[0-9]+: .*(vendorx|readonly)" <<<"$out")"
expect_eq "the LUN list is exactly as before" "[0, 1, 2]" "$(luns)"

# 5. ctl.conf becomes a directory: refused, everything still served.
write_conf "" "$lun2"
mv "$conf" "$conf.good"
mkdir "$conf"
reload
expect_eq "reload of a directory exits 15" 15 "$rc"
check "and says it is a directory" grep -q "directory" <<<"$out"
expect_eq "the LUNs stay" "[0, 1, 2]" "$(luns)"
expect_eq "the ports stay" "$ports_before" "$(ports)"
check "LUN 0 still served" test "$(serial 0)" = R0
timeout 10 "$ctld" -t -f "$conf" >"$tmp/t.out" 2>&1
expect_eq "ctld -t -f DIR exits 15" 15 "$?"
check "and does not say OK" bash -c "! grep -q 'configuration OK' '$tmp/t.out'"
timeout 10 "$ctld" -f "$conf" --control-socket "$tmp/other.sock" >"$tmp/f.out" 2>&1
expect_eq "ctld -f DIR exits 15" 15 "$?"
rmdir "$conf"

# 6. ctl.conf becomes a FIFO: refused at once, not waited on.
mkfifo "$conf"
start=$SECONDS
reload
expect_eq "reload of a FIFO exits 15" 15 "$rc"
check "at once" test $((SECONDS - start)) -lt 5
# A daemon stuck opening the FIFO would go on with an empty configuration now.
timeout 2 bash -c ": >'$conf'" 2>/dev/null
expect_eq "the LUNs stay" "[0, 1, 2]" "$(luns)"
check "LUN 2 still served" test "$(serial 2)" = N2
timeout 10 "$ctld" -t -f "$conf" >/dev/null 2>&1
expect_eq "ctld -t -f FIFO exits 15" 15 "$?"
rm -f "$conf"

# Back to a regular file: reloads work.
mv "$conf.good" "$conf"
reload
expect_eq "a reload of the file again works" 0 "$rc"
expect_eq "with the same LUNs" "[0, 1, 2]" "$(luns)"
if [ -n "$session" ]; then
    expect_eq "iscsi-perf's session went on through every reload" "$session" \
        "$(adm islist --json | json "[s['session_id'] for s in d['sessions'] if s['initiator_name'] == '$perf_iqn']")"
    check "and is still reading" kill -0 "$perf_pid"
fi

checks_summary
