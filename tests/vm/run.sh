#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Real-kernel tests: boots the host's Debian kernel under qemu (TCG) with the host root
# shared read-only, runs tests/vm/guest.sh with the named cases, prints the results.
#   tests/vm/run.sh <builddir> [case...]        (no case = every case in tests/vm/cases)
# Environment: CAMX_VM_TIMEOUT (seconds, default 1200), CAMX_VM_KERNEL (<ver>),
# CAMX_VM_MEM (MiB, 2048), CAMX_VM_SMP (2).
set -euo pipefail
VM_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=lib/host.sh
source "$VM_DIR/lib/host.sh"

(($# >= 1)) || vm_die "usage: tests/vm/run.sh <builddir> [case...]"
builddir=$(mkdir -p "$1" && cd "$1" && pwd)
shift
for c in "$@"; do
  [[ -f $VM_DIR/cases/$c.sh ]] || vm_die "no such case: $c (have: $(ls "$VM_DIR/cases" | sed 's/\.sh$//' | tr '\n' ' '))"
done
[[ $(id -u) == 0 ]] || vm_die "must run as root (the guest chroots into the host root as root)"

args=$(IFS=,; echo "$*")
outdir=$builddir/vm/out
rm -rf "$outdir"
mkdir -p "$outdir"
timeout=${CAMX_VM_TIMEOUT:-1200}

if [[ -x $builddir/tools/camctl/camctl ]]; then
  echo "vm: camctl: $builddir/tools/camctl/camctl"
else
  echo "vm: camctl not built: camctl checks will be skipped"
fi
echo "vm: kernel $(vm_kernel_version), cases: ${args:-all}, timeout ${timeout}s, results in $outdir"
start=$(date +%s)
rc=0
vm_boot "$builddir" "$outdir" "$VM_DIR/guest.sh" "${args:-all}" "$timeout" || rc=$?
elapsed=$(($(date +%s) - start))

results=$outdir/results.txt
[[ -f $results ]] || : > "$results"
grep -v '^CASE ' "$results" || true
echo "--- cases"
grep '^CASE ' "$results" || true

failed=0
if ((rc == 124)); then
  echo "vm: TIMEOUT: the VM did not finish in ${timeout}s (qemu killed); console: $outdir/console.log"
  failed=1
elif ((rc != 0)); then
  echo "vm: the VM did not finish (qemu status $rc); see $outdir/qemu.log and $outdir/console.log"
  tail -n 20 "$outdir/console.log" 2> /dev/null || true
  failed=1
elif [[ $(cat "$outdir/exit_status") != 0 ]]; then
  echo "vm: guest.sh exited with status $(cat "$outdir/exit_status"); see $outdir/guest.log"
  tail -n 20 "$outdir/guest.log" 2> /dev/null || true
  failed=1
fi

npass=$(grep -c '^CASE .* PASS ' "$results" || true)
nfail=$(grep -c '^CASE .* FAIL ' "$results" || true)
nchk_pass=$(grep -c '^PASS ' "$results" || true)
nchk_fail=$(grep -c '^FAIL ' "$results" || true)
nchk_skip=$(grep -c '^SKIP ' "$results" || true)
# A requested case that left no CASE line (the VM died before it) counts as failed.
if [[ -n $args ]]; then
  want=$#
else
  want=$(ls "$VM_DIR"/cases/*.sh | wc -l)
fi
missing=$((want - npass - nfail))
((missing > 0)) && nfail=$((nfail + missing))
boot=$(cat "$outdir/boot_seconds" 2> /dev/null || echo "?")
echo "vm: wall ${elapsed}s (guest booted to the chroot in ${boot}s of guest time); checks: ${nchk_pass} passed, ${nchk_fail} failed, ${nchk_skip} skipped"
echo "${npass} passed, ${nfail} failed"
((failed == 0 && nfail == 0))
