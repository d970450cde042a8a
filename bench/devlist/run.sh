#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# devlist benchmark: in the test VM, scsi_debug with many LUNs (default 64 targets x 32 LUNs
# = 2048 disks), times `lsscsi -g`, `camctl devlist` and `camctl devlist --json`.
#   bench/devlist/run.sh <builddir>
# Environment: BENCH_TARGETS (64), BENCH_LUNS (32), BENCH_RUNS (7), BENCH_NO_ULD=1 (no sd:
# sg only, for a quick run), BENCH_PROFILE=1 (also time start-up alone and write strace
# summaries), CAMX_VM_TIMEOUT (seconds, default 3600).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=../../tests/vm/lib/host.sh
source "$BENCH_DIR/../../tests/vm/lib/host.sh"

(($# == 1)) || vm_die "usage: bench/devlist/run.sh <builddir>"
builddir=$(mkdir -p "$1" && cd "$1" && pwd)
[[ $(id -u) == 0 ]] || vm_die "must run as root"
[[ -x $builddir/tools/camctl/camctl ]] ||
  echo "bench: $builddir/tools/camctl/camctl not built: only lsscsi is timed"
args="${BENCH_TARGETS:-64}x${BENCH_LUNS:-32}x${BENCH_RUNS:-7}x${BENCH_NO_ULD:-0}x${BENCH_PROFILE:-0}"
outdir=$builddir/vm/bench-devlist
rm -rf "$outdir"
start=$(date +%s)
rc=0
vm_boot "$builddir" "$outdir" "$BENCH_DIR/guest.sh" "$args" "${CAMX_VM_TIMEOUT:-3600}" || rc=$?
echo "bench: VM wall time $(($(date +%s) - start))s; details in $outdir"
if ((rc != 0)); then
  echo "bench: the VM did not finish (status $rc); see $outdir/console.log and $outdir/guest.log"
  tail -n 20 "$outdir/guest.log" 2> /dev/null || true
  exit 1
fi
cat "$outdir/bench.txt"
[[ $(cat "$outdir/exit_status") == 0 ]]
