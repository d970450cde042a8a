# SPDX-License-Identifier: BSD-2-Clause
# Guest-side helpers for cases that run ctld and log open-iscsi (the kernel initiator) into it
# over the VM's loopback. Sourced by such a case after common.sh.

CTLD=${CAMX_BUILD:-/nonexistent}/tools/ctld/ctld
CTLD_PID=
ISCSID_PID=

have_ctld() { [[ -x $CTLD ]]; }

# ctld_has_config_file: this ctld reads a ctl.conf given with -f.
ctld_has_config_file() {
  "$CTLD" --help 2>&1 | grep -Eq '(^|[[:space:],])-f([,[:space:]]|$)'
}

# portal_open <port>: something accepts TCP connections on 127.0.0.1:<port>.
portal_open() {
  (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null
}

# ctld_start <log> <args...>: starts ctld in the background (stdout and stderr into
# $CASE_OUT/<log>), sets CTLD_PID, waits until 127.0.0.1:3260 accepts connections.
ctld_start() {
  local log=$CASE_OUT/$1 start
  shift
  echo "+ $CTLD $* > $log &"
  "$CTLD" "$@" >> "$log" 2>&1 < /dev/null &
  CTLD_PID=$!
  start=$(date +%s)
  until portal_open 3260; do
    if ! kill -0 "$CTLD_PID" 2> /dev/null; then
      echo "ctld exited before listening"
      CTLD_PID=
      return 1
    fi
    if (($(date +%s) - start > 60)); then
      echo "ctld not listening on 127.0.0.1:3260 after 60s"
      return 1
    fi
    sleep 0.2
  done
}

# ctld_stop: SIGTERM, wait up to 30 s; returns ctld's exit status (KILLs it and fails when it
# does not exit).
ctld_stop() {
  local pid=$CTLD_PID rc=0
  [[ -n $pid ]] || return 0
  CTLD_PID=
  kill -TERM "$pid" 2> /dev/null
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2> /dev/null; then
    echo "ctld did not exit within 30s of SIGTERM"
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    return 1
  fi
  wait "$pid" || rc=$?
  echo "ctld exited with status $rc"
  return "$rc"
}

# iscsid_start: open-iscsi's daemon in the foreground, in the background of the case.
iscsid_start() {
  mkdir -p /var/lib/iscsi /run/lock/iscsi /etc/iscsi
  [[ -s /etc/iscsi/initiatorname.iscsi ]] ||
    echo "InitiatorName=iqn.1993-08.org.debian:01:camxvm" > /etc/iscsi/initiatorname.iscsi
  # Its own session: iscsid signals its whole process group when it shuts down, which would
  # take the case down with it. setsid does not fork here (a background job of a shell
  # without job control is no group leader), so $! is iscsid.
  echo "+ setsid iscsid -f &"
  setsid iscsid -f >> "$CASE_OUT/iscsid.log" 2>&1 < /dev/null &
  ISCSID_PID=$!

  # iscsid listens on an abstract Unix socket; iscsiadm talks to it for discovery and login.
  for _ in $(seq 1 150); do
    grep -q '@ISCSIADM_ABSTRACT_NAMESPACE' /proc/net/unix && return 0
    kill -0 "$ISCSID_PID" 2> /dev/null || {
      echo "iscsid exited"
      ISCSID_PID=
      return 1
    }
    sleep 0.2
  done
  echo "iscsid not listening after 30s"
  return 1
}

iscsid_stop() {
  local pid=$ISCSID_PID
  [[ -n $pid ]] || return 0
  ISCSID_PID=
  kill -TERM "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  return 0
}

# H:C:T:L of every device on an iscsi_tcp host, sorted.
iscsi_devices() {
  local d h pn
  for d in /sys/bus/scsi/devices/*:*:*:*; do
    [[ -e $d ]] || continue
    h=${d##*/}
    pn=
    read -r pn < "/sys/class/scsi_host/host${h%%:*}/proc_name" 2> /dev/null
    [[ $pn == iscsi_tcp ]] && echo "$h"
  done | sort -t: -k1,1n -k2,2n -k3,3n -k4,4n
}

# iscsi_disk_ready <hctl>: the disk has its sd and sg nodes and sd has read its capacity.
iscsi_disk_ready() {
  local h=$1 node size
  node=$(sg_of "$h")
  [[ -n $node && -e /dev/$node ]] || return 1
  node=$(sd_of "$h")
  [[ -n $node && -e /dev/$node ]] || return 1
  read -r size < "/sys/block/$node/size" || return 1
  [[ $size != 0 ]]
}

# iscsi_device_ready <hctl>: a disk as iscsi_disk_ready; any other device has its sg node.
iscsi_device_ready() {
  local h=$1 type node
  read -r type < "/sys/bus/scsi/devices/$h/type" || return 1
  if [[ $type == 0 ]]; then
    iscsi_disk_ready "$h"
    return
  fi
  node=$(sg_of "$h")
  [[ -n $node && -e /dev/$node ]]
}

# iscsi_wait_devices <count> [seconds]: wait for exactly <count> iSCSI devices, every one
# ready; sets ISCSI_HCTLS (sorted).
iscsi_wait_devices() {
  local want=$1 limit=${2:-120} start h ready
  start=$(date +%s)
  ISCSI_HCTLS=()
  while :; do
    mapfile -t ISCSI_HCTLS < <(iscsi_devices)
    if ((${#ISCSI_HCTLS[@]} == want)); then
      ready=1
      for h in "${ISCSI_HCTLS[@]}"; do
        iscsi_device_ready "$h" || ready=0
      done
      if ((ready)); then
        for h in "${ISCSI_HCTLS[@]}"; do
          echo "iSCSI device $h: type $(cat "/sys/bus/scsi/devices/$h/type")" \
            "$(sd_of "$h") $(sg_of "$h")"
        done
        return 0
      fi
    fi
    if (($(date +%s) - start > limit)); then
      echo "iscsi_wait_devices: wanted $want, have ${#ISCSI_HCTLS[@]} iSCSI device(s)" \
        "(${ISCSI_HCTLS[*]}) after ${limit}s"
      ISCSI_HCTLS=()
      return 1
    fi
    sleep 0.2
  done
}

# iscsi_wait_disk [seconds]: wait for exactly one iSCSI device, a ready disk; sets ISCSI_HCTL.
iscsi_wait_disk() {
  ISCSI_HCTL=
  iscsi_wait_devices 1 "${1:-120}" || return 1
  if ! iscsi_disk_ready "${ISCSI_HCTLS[0]}"; then
    echo "iscsi_wait_disk: ${ISCSI_HCTLS[0]} is not a disk"
    return 1
  fi
  ISCSI_HCTL=${ISCSI_HCTLS[0]}
}

# iscsi_wait_gone [seconds]: wait until no iSCSI device is left.
iscsi_wait_gone() {
  local limit=${1:-60} start
  start=$(date +%s)
  while [[ -n $(iscsi_devices) ]]; do
    if (($(date +%s) - start > limit)); then
      echo "iscsi_wait_gone: still have $(iscsi_devices | tr '\n' ' ')after ${limit}s"
      return 1
    fi
    sleep 0.2
  done
}

# iscsi_login <iqn>: discovery on 127.0.0.1 and login to <iqn>.
iscsi_login() {
  local iqn=$1
  echo "+ iscsiadm -m discovery -t st -p 127.0.0.1"
  iscsiadm -m discovery -t st -p 127.0.0.1 > "$CASE_OUT/discovery.txt" 2>&1 || {
    cat "$CASE_OUT/discovery.txt"
    return 1
  }
  cat "$CASE_OUT/discovery.txt"
  grep -q " $iqn\$" "$CASE_OUT/discovery.txt" || {
    echo "discovery did not return $iqn"
    return 1
  }
  echo "+ iscsiadm -m node -T $iqn -p 127.0.0.1 --login"
  iscsiadm -m node -T "$iqn" -p 127.0.0.1 --login
}

iscsi_logout() {
  local iqn=$1
  echo "+ iscsiadm -m node -T $iqn -p 127.0.0.1 --logout"
  iscsiadm -m node -T "$iqn" -p 127.0.0.1 --logout
}

# iscsi_cleanup [mountpoint]: whatever the case got to, leave no mount, session, iscsid or
# ctld behind, and no iSCSI device for the later cases to see.
iscsi_cleanup() {
  local mnt=${1:-}
  if [[ -n $mnt ]] && mountpoint -q "$mnt"; then
    umount "$mnt" || umount -l "$mnt"
  fi
  if [[ -n $(iscsi_devices) ]] || iscsiadm -m session > /dev/null 2>&1; then
    iscsiadm -m node --logoutall=all
  fi
  iscsiadm -m node -o delete > /dev/null 2>&1
  iscsiadm -m discoverydb -t st -p 127.0.0.1 -o delete > /dev/null 2>&1
  iscsid_stop
  if [[ -n $CTLD_PID ]]; then
    kill -KILL "$CTLD_PID" 2> /dev/null
    wait "$CTLD_PID" 2> /dev/null
    CTLD_PID=
  fi
  iscsi_wait_gone 30
}
