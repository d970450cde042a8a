#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of bench/devlist/run.sh; CAMX_ARGS = <targets>x<luns>x<runs>x<no_uld>x<profile>.
set -u
BENCH_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
source "$BENCH_DIR/../../tests/vm/lib/common.sh"
IFS=x read -r tgts luns runs no_uld profile <<< "$CAMX_ARGS"
total=$((tgts * luns))
out=$CAMX_OUT/bench.txt
: > "$out"
say() { echo "$*" | tee -a "$out"; }

modprobe sg
((no_uld == 1)) || modprobe sd_mod
t0=$(date +%s%N)
params=(add_host=1 num_tgts="$tgts" max_luns="$luns" dev_size_mb=4 delay=0)
((no_uld == 1)) && params+=(no_uld=1)
echo "+ modprobe scsi_debug ${params[*]}"
modprobe scsi_debug "${params[@]}" || { say "modprobe scsi_debug failed"; exit 1; }

# One glob and at most one fork per poll: per-device checks cost minutes at this size.
settled() {
  local sgs=(/sys/class/scsi_generic/sg*) sds
  ((${#sgs[@]} >= total)) || return 1
  ((no_uld == 1)) && return 0
  sds=(/sys/block/sd*)
  ((${#sds[@]} >= total)) || return 1
  ! cat /sys/block/sd*/size | grep -qx 0
}
until settled; do
  if (($(date +%s%N) - t0 > 3000 * 1000000000)); then
    say "devices did not settle in 3000 s"
    exit 1
  fi
  sleep 2
done
say "kernel $(uname -r); scsi_debug ${params[*]}: $total LUNs settled in $(elapsed_since "$t0") s"

# time_cmd <label> <command...>: one warm-up, then <runs> timed runs; prints the median.
declare -A median
time_cmd() {
  local label=$1 i t ts=()
  shift
  "$@" > "$CAMX_OUT/$label.out" 2> "$CAMX_OUT/$label.err" || { say "$label: '$*' failed (status $?)"; return 1; }
  for ((i = 0; i < runs; i++)); do
    t=$(date +%s%N)
    "$@" > /dev/null 2>&1
    ts+=($(($(date +%s%N) - t)))
  done
  median[$label]=$(printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  say "$(printf '%-22s median %8.1f ms  (runs: %s ms)' "$label" "$(awk -v n="${median[$label]}" 'BEGIN{print n/1e6}')" \
    "$(printf '%s\n' "${ts[@]}" | awk '{printf "%s%.0f", (NR>1?" ":""), $1/1e6}')")"
}

time_cmd lsscsi-g lsscsi -g
say "lsscsi -g lists $(wc -l < "$CAMX_OUT/lsscsi-g.out") devices"
if have_camctl; then
  time_cmd camctl-devlist "$CAMCTL" devlist
  time_cmd camctl-devlist-json "$CAMCTL" devlist --json
  n=$(py -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["devices"]))' "$CAMX_OUT/camctl-devlist-json.out" 2>&1)
  say "camctl devlist --json lists $n devices"
  [[ $n == "$(wc -l < "$CAMX_OUT/lsscsi-g.out")" ]] || say "WARNING: camctl and lsscsi list different numbers of devices"
  for l in camctl-devlist camctl-devlist-json; do
    [[ -n ${median[$l]:-} ]] && say "$(printf 'ratio %-20s / lsscsi -g: %.2f' "$l" \
      "$(awk -v a="${median[$l]}" -v b="${median[lsscsi-g]}" 'BEGIN{print a/b}')")"
  done
else
  say "camctl not built ($CAMCTL): only lsscsi timed"
fi
# profile: where the time goes -- start-up alone, and a syscall summary of each listing.
if ((${profile:-0} == 1)); then
  time_cmd lsscsi-version lsscsi --version
  if have_camctl; then
    time_cmd camctl-version "$CAMCTL" --version
    ldd "$CAMCTL" > "$CAMX_OUT/camctl.ldd" 2>&1
  fi
  if command -v strace > /dev/null; then
    if have_camctl; then
      strace -c -o "$CAMX_OUT/strace-camctl-devlist.txt" "$CAMCTL" devlist > /dev/null
      strace -c -o "$CAMX_OUT/strace-camctl-devlist-json.txt" "$CAMCTL" devlist --json > /dev/null
      strace -r -o "$CAMX_OUT/strace-r-camctl-devlist.txt" "$CAMCTL" devlist > /dev/null
    fi
    # Last: traced, lsscsi's ~90k system calls take minutes under TCG.
    strace -c -o "$CAMX_OUT/strace-lsscsi-g.txt" lsscsi -g > /dev/null
  fi
fi
modprobe -r scsi_debug || true
exit 0
