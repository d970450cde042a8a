#!/usr/bin/env bash
# Installs what is missing, builds, and shows camx at work: ctld serving its built-in demo
# (a ramdisk LUN on 127.0.0.1:3260), camctl asking it over iSCSI, the devices this machine
# has, and decodes of captured responses bundled in examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default >/dev/null
bin=build/tools
camctl=$bin/camctl/camctl
portal=127.0.0.1:3260
url=iscsi://$portal/iqn.2024-01.org.camx:demo/0

if ss -Hltn "sport = :3260" | grep -q .; then
    echo "demo: port 3260 is taken; stop what listens there first" >&2
    exit 1
fi
$bin/ctld/ctld --demo --listen "$portal" &
ctld_pid=$!
trap 'kill -TERM $ctld_pid 2>/dev/null; wait $ctld_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do ss -Hltn "sport = :3260" | grep -q . && break; sleep 0.1; done

run() { echo "\$ camctl $*"; $camctl "$@"; echo; }
run inquiry "$url"
run inquiry -S "$url"
run readcap "$url"
run reportluns "$url"
run inquiry --vpd di "$url"
run devlist -v
run inquiry --inhex examples/inquiry_scsi_debug.hex
run inquiry --vpd 0x83 --inhex examples/vpd_devid.hex
