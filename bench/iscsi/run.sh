#!/bin/bash
# iscsi-perf against ctld and against tgt on 127.0.0.1, same backing file, same run:
# 4K random read at queue depth 32 and 64K sequential read. Not a timed test.
# Usage: bench/iscsi/run.sh BUILD_DIR [SECONDS]   (root, for tgtd)
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [SECONDS]}" && pwd)
secs=${2:-10}
work=$(mktemp -d /tmp/camx-bench.XXXXXX)
file=$work/lun.img
truncate -s 1G "$file"
dd if=/dev/urandom of="$file" bs=1M count=1024 conv=notrunc status=none
free_port() { local p; for p in $(seq "$1" "$2"); do [ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return; }; done; return 1; }
ctld_port=$(free_port 16260 16399)
tgt_port=$(free_port 16400 16499)
tgt_ctl=$(free_port 26400 26499)
pids=()
cleanup() {
    tgtadm -C "$tgt_ctl" --lld iscsi --mode target --op delete --force --tid 1 >/dev/null 2>&1 || true
    tgtadm -C "$tgt_ctl" --mode sys --op delete >/dev/null 2>&1 || true  # tgtd -f ignores SIGTERM
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

"$build/tools/ctld/ctld" --listen "127.0.0.1:$ctld_port" --file "$file" >"$work/ctld.log" 2>&1 &
pids+=($!)
tgtd -f -C "$tgt_ctl" --iscsi "portal=127.0.0.1:$tgt_port" >"$work/tgtd.log" 2>&1 &
pids+=($!)
sleep 1
tgt_iqn=iqn.2024-01.org.camx:bench
tgtadm -C "$tgt_ctl" --lld iscsi --mode target --op new --tid 1 -T "$tgt_iqn"
tgtadm -C "$tgt_ctl" --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 -b "$file"
tgtadm -C "$tgt_ctl" --lld iscsi --mode target --op bind --tid 1 -I ALL

# iscsi-perf prints a running rate; the last line of a run of $secs seconds is the result.
perf() {
    local url=$1 shift_args=("${@:2}")
    timeout -s INT "$secs" iscsi-perf "${shift_args[@]}" "$url" 2>&1 | tr '\r' '\n' | grep -E 'IOPS|MB/s' | tail -1 || true
}
ctld_url=iscsi://127.0.0.1:$ctld_port/iqn.2024-01.org.camx:demo/0
tgt_url=iscsi://127.0.0.1:$tgt_port/$tgt_iqn/1
echo "4K random read, QD32"
echo "  ctld: $(perf "$ctld_url" -r -m 32 -b 8)"
echo "  tgt:  $(perf "$tgt_url" -r -m 32 -b 8)"
echo "64K sequential read, QD32"
echo "  ctld: $(perf "$ctld_url" -m 32 -b 128)"
echo "  tgt:  $(perf "$tgt_url" -m 32 -b 128)"
