#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Runs inside the VM (chroot of the host root): runs each case named in CAMX_ARGS
# (comma-separated; "all"/"none" = every case) and writes results to $CAMX_OUT.
set -u
GUEST_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
export GUEST_DIR
# shellcheck source=lib/common.sh
source "$GUEST_DIR/lib/common.sh"

: > "$CAMX_OUT/results.txt"
case_timeout=600

cases=()
if [[ ${CAMX_ARGS:-none} == none || ${CAMX_ARGS} == all ]]; then
  for f in "$GUEST_DIR"/cases/*.sh; do
    cases+=("$(basename "$f" .sh)")
  done
else
  IFS=, read -r -a cases <<< "$CAMX_ARGS"
fi

echo "guest: kernel $(uname -r), cases: ${cases[*]}"
echo "guest: camctl: $([[ -x $CAMCTL ]] && echo "$CAMCTL" || echo "not built ($CAMCTL)")"
echo "guest: lsscsi $(lsscsi -V 2>&1 | head -1); sg3_utils $(sg_inq -V 2>&1 | head -1)"

for c in "${cases[@]}"; do
  script=$GUEST_DIR/cases/$c.sh
  dir=$CAMX_OUT/$c
  rm -rf "$dir"
  mkdir -p "$dir"
  start=$(date +%s%N)
  if [[ ! -f $script ]]; then
    echo "FAIL $c: no such case ($script)" >> "$CAMX_OUT/results.txt"
    echo "CASE $c FAIL 0.0s" >> "$CAMX_OUT/results.txt"
    continue
  fi
  echo "guest: === case $c"
  rc=0
  CASE=$c CASE_OUT=$dir timeout --kill-after=10 "$case_timeout" \
    bash -c 'source "$GUEST_DIR/lib/common.sh"; source "$1"' case "$script" \
    > "$dir/case.log" 2>&1 || rc=$?
  if ((rc == 124 || rc == 137)); then
    echo "FAIL $c: case timed out after ${case_timeout}s" >> "$CAMX_OUT/results.txt"
  elif ((rc != 0)); then
    echo "FAIL $c: case script exited with status $rc" >> "$CAMX_OUT/results.txt"
  fi
  sdebug_cleanup >> "$dir/case.log" 2>&1
  secs=$(elapsed_since "$start")
  if grep -q "^FAIL $c:" "$CAMX_OUT/results.txt"; then
    echo "CASE $c FAIL ${secs}s" >> "$CAMX_OUT/results.txt"
  else
    echo "CASE $c PASS ${secs}s" >> "$CAMX_OUT/results.txt"
  fi
  echo "guest: === case $c done in ${secs}s"
done
dmesg > "$CAMX_OUT/dmesg.txt" 2>&1
exit 0
