#!/bin/bash
# camctl against ctld over iscsi://: INQUIRY (standard and unit serial number VPD), READ
# CAPACITY and REPORT LUNS must show the demo LUN as ctld configures it.
# Usage: tests/host/ctld_camctl.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
here=$(dirname "$0")
. "$here/ctld_lib.sh"
camctl=$build/tools/camctl/camctl
ctld_start
fail() { echo "FAIL: $*"; exit 1; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

inq=$("$camctl" inquiry "$url" --json)
[ "$(field "d['inquiry']['vendor']" <<<"$inq")" = CAMX ] || fail "vendor: $inq"
[ "$(field "d['inquiry']['peripheral_device_type']" <<<"$inq")" = 0 ] || fail "device type"
serial=$("$camctl" inquiry "$url" --serial)
[ "$serial" = CAMXDEMO0000 ] || fail "serial: $serial"
cap=$("$camctl" readcap "$url" --json)
[ "$(field "d['capacity']['capacity_bytes']" <<<"$cap")" = $((64 << 20)) ] || fail "capacity: $cap"
[ "$(field "d['capacity']['block_length_bytes']" <<<"$cap")" = 512 ] || fail "block length"
luns=$("$camctl" reportluns "$url" --json)
[ "$(field "[l['lun'] for l in d['luns']]" <<<"$luns")" = "[0, 1]" ] || fail "luns: $luns"
echo "camctl against ctld: ok"
