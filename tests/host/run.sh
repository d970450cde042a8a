#!/bin/bash
# Host tests: camx's iSCSI transport against tgt (tgtd) on 127.0.0.1 with a file-backed LUN.
# Usage: tests/host/run.sh BUILD_DIR     (root; tgt installed; safe to run repeatedly)
# Starts its own tgtd on a free portal and control port, never touches another tgtd, and
# stops it on exit. Exit status: 0 pass, 1 failure, 77 skipped (not root / no tgt).
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR}
build=$(cd "$build" && pwd)

if [ "$(id -u)" != 0 ]; then echo "run.sh: needs root (tgtd)"; exit 77; fi
for tool in tgtd tgtadm ss; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found"; exit 77; }
done

bin=$build/tests/camx_host_iscsi
cmake --build "$build" --target camx_host_iscsi >/dev/null

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
lun_bytes=$((64 * 1024 * 1024))
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

truncate -s "$lun_bytes" "$work/lun1.img"
mkdir -p /var/run/tgtd
tgtd -f -C "$control" --iscsi "portal=127.0.0.1:$portal" >"$work/tgtd.log" 2>&1 &
tgtd_pid=$!

adm() { tgtadm -C "$control" --lld iscsi "$@"; }
for _ in $(seq 100); do
    adm --mode target --op show >/dev/null 2>&1 && break
    kill -0 "$tgtd_pid" 2>/dev/null || { echo "run.sh: tgtd exited"; exit 1; }
    sleep 0.1
done
adm --mode target --op new --tid 1 --targetname "$iqn"
adm --mode logicalunit --op new --tid 1 --lun 1 --backing-store "$work/lun1.img"
adm --mode target --op bind --tid 1 --initiator-address ALL
for _ in $(seq 100); do
    port_free "$portal" || break
    sleep 0.1
done

echo "run.sh: tgtd pid $tgtd_pid on 127.0.0.1:$portal (control $control), target $iqn LUN 1"
CAMX_TEST_ISCSI_URL="iscsi://127.0.0.1:$portal/$iqn/1" CAMX_TEST_LUN_BYTES=$lun_bytes \
    "$bin"
