# SPDX-License-Identifier: BSD-2-Clause
# Guest-side helpers for the enclosure cases: encctl calls and the kernel ses driver's
# /sys/class/enclosure view. Sourced by such a case after common.sh.

ENCCTL=${CAMX_BUILD:-/nonexistent}/tools/encctl/encctl
ENCLOSURE_CLASS=/sys/class/enclosure
sesck() { py "$VM_GUEST_LIB/ses_check.py" "$@"; }

have_encctl() { [[ -x $ENCCTL ]]; }

# enc <file> <encctl args...>: runs encctl, stdout to $CASE_OUT/<file>, exit status to
# <file>.rc; returns encctl's status.
enc() {
  local f=$CASE_OUT/$1
  shift
  local rc=0
  echo "+ encctl $* > $f"
  "$ENCCTL" "$@" > "$f" 2> "$f.err" || rc=$?
  echo "$rc" > "$f.rc"
  return "$rc"
}

# encctl_check "<what>" cmd...: like check, but SKIP when encctl is not built.
encctl_check() {
  if ! have_encctl; then
    skip "$1 -- SKIP: encctl not built"
    return 0
  fi
  check "$@"
}

# ses_wait_bound <hctl> [seconds]: wait until the ses driver has registered the enclosure
# device <hctl> in /sys/class/enclosure.
ses_wait_bound() {
  local h=$1 limit=${2:-30} start
  start=$(date +%s)
  until [[ -e $ENCLOSURE_CLASS/$h/components ]]; do
    if (($(date +%s) - start > limit)); then
      echo "ses_wait_bound: no $ENCLOSURE_CLASS/$h after ${limit}s" \
        "(have: $(ls "$ENCLOSURE_CLASS" 2> /dev/null | tr '\n' ' '))"
      return 1
    fi
    sleep 0.2
  done
  echo "$ENCLOSURE_CLASS/$h: $(cat "$ENCLOSURE_CLASS/$h/components") components"
}

# ses_one_enclosure <hctl>: /sys/class/enclosure holds exactly one entry, <hctl>.
ses_one_enclosure() {
  local want=$1 have
  have=$(ls "$ENCLOSURE_CLASS")
  echo "$ENCLOSURE_CLASS: $have"
  [[ $have == "$want" ]]
}

# ses_sysfs_write <hctl> <component> <attribute> <value>: what a user does to drive an LED
# through the ses driver.
ses_sysfs_write() {
  local f=$ENCLOSURE_CLASS/$1/$2/$3
  echo "+ echo $4 > '$f'"
  echo "$4" > "$f"
}

# ses_sysfs_read <hctl> <component> <attribute> <want>: the attribute reads <want>.
ses_sysfs_read() {
  local f=$ENCLOSURE_CLASS/$1/$2/$3 v
  read -r v < "$f" || return 1
  echo "'$f' reads '$v' (want '$4')"
  [[ $v == "$4" ]]
}
