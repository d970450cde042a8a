#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Installs what is missing, builds, and shows camx at work: ctld serving its built-in demo
# (a ramdisk disk as LUN 0 and an emulated SES enclosure holding it in slot 0 as LUN 1, on
# 127.0.0.1:3260), camctl asking the disk over iSCSI, encctl reading and driving the
# enclosure, ctladm simulating a power supply failure, the devices this machine has, and
# decodes of captured responses bundled in examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default >/dev/null
bin=build/tools
camctl=$bin/camctl/camctl
encctl=$bin/encctl/encctl
ctladm=$bin/ctladm/ctladm
portal=127.0.0.1:3260
target=iscsi://$portal/iqn.2024-01.org.camx:demo
disk=$target/0
enclosure=$target/1

if ss -Hltn "sport = :3260" | grep -q .; then
    echo "demo: port 3260 is taken; stop what listens there first" >&2
    exit 1
fi
# A control socket of its own, so that ctladm talks to this ctld and no other.
sock_dir=$(mktemp -d /tmp/camx-demo.XXXXXX)
export CTLD_SOCKET=$sock_dir/ctld.sock
$bin/ctld/ctld --demo --listen "$portal" --control-socket "$CTLD_SOCKET" &
ctld_pid=$!
trap 'kill -TERM $ctld_pid 2>/dev/null; wait $ctld_pid 2>/dev/null || true; rm -rf "$sock_dir"' EXIT
for _ in $(seq 50); do
    ss -Hltn "sport = :3260" | grep -q . && [ -S "$CTLD_SOCKET" ] && break
    sleep 0.1
done

run() { echo "\$ $*"; "$@" || echo "(exit status $?)"; echo; }
# The disk, with camctl.
run $camctl inquiry "$disk"
run $camctl inquiry -S "$disk"
run $camctl readcap "$disk"
run $camctl reportluns "$disk"
run $camctl inquiry --vpd di "$disk"
# The enclosure, with encctl: what it is, its health, every element, its slots and disks.
run $encctl -e "$enclosure" list
run $encctl -e "$enclosure" status
run $encctl -e "$enclosure" map
run $encctl -e "$enclosure" show
# Locate the disk's slot, then a simulated power supply failure and back.
run $encctl -e "$enclosure" locate 0 on
run $encctl -e "$enclosure" show
run $encctl -e "$enclosure" locate 0 off
run $ctladm devlist -v
run $ctladm simulate 1 psu:0:fail
run $encctl -e "$enclosure" status
run $ctladm simulate 1 ok
run $encctl -e "$enclosure" status
# This machine's devices, and captured responses.
run $camctl devlist -v
run $camctl inquiry --inhex examples/inquiry_scsi_debug.hex
run $camctl inquiry --vpd 0x83 --inhex examples/vpd_devid.hex
