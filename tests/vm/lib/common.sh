# SPDX-License-Identifier: BSD-2-Clause
# Guest-side helpers for the VM cases: result lines, scsi_debug load/wait/unload, camctl calls.
# Sourced by guest.sh and by every case (bash). Needs CAMX_OUT; cases also get CASE, CASE_OUT.

VM_GUEST_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAMCTL=${CAMX_BUILD:-/nonexistent}/tools/camctl/camctl
# Isolated, no site packages: only the standard library, and faster to start under TCG.
py() { /usr/bin/python3 -I -S "$@"; }
compare() { py "$VM_GUEST_LIB/compare.py" "$@"; }
SDEBUG_SYS=/sys/bus/pseudo/drivers/scsi_debug

elapsed_since() {
  local now
  now=$(date +%s%N)
  awk -v a="$1" -v b="$now" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'
}

result() {
  echo "$1 ${CASE:-guest}: $2" >> "$CAMX_OUT/results.txt"
  echo "$1: $2"
}
pass() { result PASS "$*"; }
fail() { result FAIL "$*"; }
skip() { result SKIP "$*"; }

have_camctl() { [[ -x $CAMCTL ]]; }

# check "<what>" cmd...: runs cmd (output into the case log), PASS on status 0.
check() {
  local what=$1 t0 rc=0
  shift
  t0=$(date +%s%N)
  echo "+ $*"
  "$@" || rc=$?
  echo "  ($(elapsed_since "$t0")s)"
  if ((rc == 0)); then
    pass "$what"
  else
    fail "$what (status $rc)"
  fi
}

# camctl_check "<what>" cmd...: like check, but SKIP when camctl is not built.
camctl_check() {
  if ! have_camctl; then
    skip "$1 -- SKIP: camctl not built"
    return 0
  fi
  check "$@"
}

# save <file> cmd...: runs cmd with stdout into $CASE_OUT/<file>, stderr into <file>.err.
save() {
  local f=$CASE_OUT/$1
  shift
  echo "+ $* > $f"
  "$@" > "$f" 2> "$f.err"
}

# cam <file> <camctl args...>: runs camctl, stdout to $CASE_OUT/<file>, exit status to
# <file>.rc; returns camctl's status.
cam() {
  local f=$CASE_OUT/$1
  shift
  local rc=0
  echo "+ camctl $* > $f"
  "$CAMCTL" "$@" > "$f" 2> "$f.err" || rc=$?
  echo "$rc" > "$f.rc"
  return "$rc"
}

# H:C:T:L of every device on a scsi_debug host, sorted. Builtins only where it is polled:
# every fork costs tens of milliseconds under TCG.
sdebug_devices() {
  local d h pn
  for d in /sys/bus/scsi/devices/*:*:*:*; do
    [[ -e $d ]] || continue
    h=${d##*/}
    pn=
    read -r pn < "/sys/class/scsi_host/host${h%%:*}/proc_name" 2> /dev/null
    [[ $pn == scsi_debug ]] && echo "$h"
  done | sort -t: -k1,1n -k2,2n -k3,3n -k4,4n
}

# first_entry <dir>: the first name in <dir>, or nothing.
first_entry() {
  local x
  for x in "$1"/*; do
    [[ -e $x ]] && echo "${x##*/}"
    return
  done
}
sg_of() { first_entry "/sys/bus/scsi/devices/$1/scsi_generic"; }
sd_of() { first_entry "/sys/bus/scsi/devices/$1/block"; }

# Every scsi_debug device is probed and has the nodes its upper drivers give it.
sdebug_settled() {
  local want=$1 n=0 d h pn type node size
  for d in /sys/bus/scsi/devices/*:*:*:*; do
    [[ -e $d ]] || continue
    h=${d##*/}
    pn=
    read -r pn < "/sys/class/scsi_host/host${h%%:*}/proc_name" 2> /dev/null
    [[ $pn == scsi_debug ]] || continue
    n=$((n + 1))
    if [[ -d /sys/module/sg ]]; then
      node=$(sg_of "$h")
      [[ -n $node && -e /dev/$node ]] || return 1
    fi
    read -r type < "$d/type" || return 1
    if [[ $type == 0 && -d /sys/module/sd_mod ]]; then
      node=$(sd_of "$h")
      [[ -n $node && -e /dev/$node ]] || return 1
      # sd sets the size once its probe (READ CAPACITY) is done.
      read -r size < "/sys/block/$node/size" || return 1
      [[ $size != 0 ]] || return 1
    fi
  done
  ((n == want))
}

# sdebug_wait <count> [seconds]: wait until <count> scsi_debug devices are settled.
sdebug_wait() {
  local want=$1 limit=${2:-120} start
  start=$(date +%s)
  until sdebug_settled "$want"; do
    if (($(date +%s) - start > limit)); then
      echo "sdebug_wait: wanted $want devices, have $(sdebug_devices | wc -l) after ${limit}s"
      return 1
    fi
    sleep 0.2
  done
  return 0
}

# sdebug_load <expected devices> <scsi_debug parameters...>
sdebug_load() {
  local want=$1
  shift
  modprobe sg
  modprobe sd_mod
  echo "+ modprobe scsi_debug $*"
  modprobe scsi_debug "$@" || return 1
  sdebug_wait "$want"
}

# Unload scsi_debug (and nothing else); safe to call when it is not loaded. Devices are
# deleted through sysfs first: ch keeps a reference on its device (and so on the module)
# until it is unbound.
sdebug_cleanup() {
  local i h
  [[ -d /sys/module/scsi_debug ]] || return 0
  for h in $(sdebug_devices); do
    echo 1 > "/sys/bus/scsi/devices/$h/delete" 2> /dev/null
  done
  for i in $(seq 1 50); do
    modprobe -r scsi_debug 2> /dev/null && return 0
    sleep 0.2
  done
  echo "sdebug_cleanup: scsi_debug did not unload"
  lsmod
  return 1
}

# shellcheck source=camctl.sh
source "$VM_GUEST_LIB/camctl.sh"
