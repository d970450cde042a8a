#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The block backend on loop devices: ctld exports a loop device read-write, the same device
# with `option readonly on`, a read-only loop device and a regular file; camctl over iscsi://
# checks the capacity, reads what was written to the device, writes through to it, and finds
# both read-only LUNs write-protected. Needs root and /dev/loop-control.
# Usage: tests/host/ctld_block.sh BUILD_DIR (exit 77: cannot run here)
set -uo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
camctl=$build/tools/camctl/camctl
ctladm=$build/tools/ctladm/ctladm
for b in "$build/tools/ctld/ctld" "$camctl" "$ctladm"; do
    [ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done
[ -e /dev/loop-control ] || { echo "SKIP: no /dev/loop-control"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: loop devices need root"; exit 77; }
for t in losetup dd cmp ss python3; do
    command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
here=$(dirname "$0")
. "$here/ctld_lib.sh"

tmp=$(mktemp -d /tmp/ctld-block.XXXXXX)
loop_rw=
loop_ro=
cleanup() {
    ctld_stop
    [ -n "$loop_rw" ] && losetup -d "$loop_rw"
    [ -n "$loop_ro" ] && losetup -d "$loop_ro"
    rm -rf "$tmp"
}
trap cleanup EXIT

truncate -s 16M "$tmp/rw.img"
truncate -s 8M "$tmp/ro.img"
truncate -s 4M "$tmp/plain.img"
# Block 3 of each holds a known pattern before ctld starts.
head -c 512 /dev/urandom >"$tmp/pattern"
dd if="$tmp/pattern" of="$tmp/rw.img" bs=512 seek=3 conv=notrunc status=none
dd if="$tmp/pattern" of="$tmp/ro.img" bs=512 seek=3 conv=notrunc status=none
loop_rw=$(losetup -f --show "$tmp/rw.img" 2>/dev/null) || { loop_rw=; echo "SKIP: losetup failed"; exit 77; }
loop_ro=$(losetup -r -f --show "$tmp/ro.img" 2>/dev/null) || { loop_ro=; echo "SKIP: losetup -r failed"; exit 77; }

. "$here/checks.sh"

conf_block() {  # PORT FILE
    cat >"$2" <<CONF
control-socket "$tmp/ctld.sock"
portal-group pg0 {
    discovery-auth-group no-authentication
    listen 127.0.0.1:$1
}
target iqn.2024-01.org.camx:block {
    auth-group no-authentication
    portal-group pg0
    lun 0 {
        backend block
        path "$loop_rw"
        serial BLOCKRW
    }
    lun 1 {
        backend block
        path "$loop_rw"
        serial BLOCKOPT
        option readonly on
    }
    lun 2 {
        backend block
        path "$loop_ro"
        serial BLOCKRO
    }
    lun 3 {
        path "$tmp/plain.img"
        serial BLOCKFILE
    }
}
CONF
}
ctld_start_conf conf_block
url=iscsi://127.0.0.1:$port/iqn.2024-01.org.camx:block

dev=$("$ctladm" --socket "$tmp/ctld.sock" devlist --json)
check "devlist: three block LUNs on the loop devices, one on a regular file" \
    test "$(json "[(l['backend'], l['path']) for l in d['luns']]" <<<"$dev")" = \
    "[('block', '$loop_rw'), ('block', '$loop_rw'), ('block', '$loop_ro'), ('block', '$tmp/plain.img')]"
check "devlist: LUNs 1 and 2 read-only, LUNs 0 and 3 not" \
    test "$(json "[l['readonly'] for l in d['luns']]" <<<"$dev")" = "[False, True, True, False]"
cap=$("$camctl" readcap "$url/0" --json)
check "readcap: the loop device's 16 MiB in 512-byte blocks" \
    test "$(json "(d['capacity']['capacity_bytes'], d['capacity']['block_length_bytes'])" <<<"$cap")" = "($((16 << 20)), 512)"
cap=$("$camctl" readcap "$url/2" --json)
check "readcap of the read-only loop device: 8 MiB" \
    test "$(json "d['capacity']['capacity_bytes']" <<<"$cap")" = $((8 << 20))
for l in 0 1 2; do
    "$camctl" cmd -c "28 00 00 00 00 03 00 00 01 00" -i 512 -r "$url/$l" >"$tmp/read.$l" 2>/dev/null
    check "READ(10) of block 3 through LUN $l gives what the device holds" cmp -s "$tmp/read.$l" "$tmp/pattern"
done

head -c 512 /dev/urandom >"$tmp/written"
check "WRITE(10) of block 5 through LUN 0" \
    "$camctl" cmd -c "2a 08 00 00 00 05 00 00 01 00" -o "$tmp/written" "$url/0"
dd if="$loop_rw" of="$tmp/back" bs=512 skip=5 count=1 iflag=direct status=none
check "the loop device holds the written block" cmp -s "$tmp/back" "$tmp/written"
for l in 1 2; do
    out=$("$camctl" cmd -c "2a 00 00 00 00 05 00 00 01 00" -o "$tmp/pattern" "$url/$l" 2>&1)
    rc=$?
    check "WRITE(10) to read-only LUN $l fails with DATA PROTECT" \
        test $rc -ne 0 -a -n "$(grep -i "protect" <<<"$out")"
done
dd if="$loop_rw" of="$tmp/back" bs=512 skip=5 count=1 iflag=direct status=none
check "and the device is unchanged" cmp -s "$tmp/back" "$tmp/written"
check "SYNCHRONIZE CACHE(10) on LUN 0" "$camctl" cmd -c "35 00 00 00 00 00 00 00 00 00" "$url/0"

# The default backend, block, serves a regular file too (ctl.conf(5): "a block device, or a
# file").
cap=$("$camctl" readcap "$url/3" --json)
check "readcap of the block LUN on a regular file: 4 MiB" \
    test "$(json "d['capacity']['capacity_bytes']" <<<"$cap")" = $((4 << 20))
check "WRITE(10) of block 7 through LUN 3" \
    "$camctl" cmd -c "2a 00 00 00 00 07 00 00 01 00" -o "$tmp/written" "$url/3"
dd if="$tmp/plain.img" of="$tmp/back" bs=512 skip=7 count=1 status=none
check "the file holds the written block" cmp -s "$tmp/back" "$tmp/written"

checks_summary
