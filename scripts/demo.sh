#!/usr/bin/env bash
# Installs what is missing, builds, and shows camctl at work: the devices this machine
# has, and a decode of a captured INQUIRY response bundled in examples/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default >/dev/null
camctl=build/tools/camctl/camctl
echo '$ camctl devlist -v'
$camctl devlist -v
echo
echo '$ camctl inquiry --inhex examples/inquiry_scsi_debug.hex'
$camctl inquiry --inhex examples/inquiry_scsi_debug.hex
echo
echo '$ camctl inquiry --vpd 0x83 --inhex examples/vpd_devid.hex'
$camctl inquiry --vpd 0x83 --inhex examples/vpd_devid.hex
