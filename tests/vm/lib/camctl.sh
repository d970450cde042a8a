# SPDX-License-Identifier: BSD-2-Clause
# The camctl command lines the VM cases use, in one place.
# Each function runs camctl via `cam <file> ...` (common.sh): stdout lands in $CASE_OUT/<file>,
# the exit status in <file>.rc.

cc_devlist() { cam "$1" devlist --json; }
cc_devlist_text() { cam "$1" devlist; }
cc_inquiry() { cam "$1" inquiry --json "$2"; }
cc_vpd() { cam "$1" inquiry --json --vpd "$3" "$2"; }
cc_readcap() { cam "$1" readcap --json "$2"; }
cc_reportluns() { cam "$1" reportluns --json "$2"; }
cc_modepage() { cam "$1" modepage --json --page "$3" "$2"; }
cc_logpage() { cam "$1" logpage --json --page "$3" "$2"; }
cc_tur() { cam "$1" tur "$2"; }
cc_tur_json() { cam "$1" tur --json "$2"; }

# cc_watch_start <file> <seconds>: `camctl watch --json` in the background for at most
# <seconds> (its own --timeout, and `timeout` as a backstop); sets CC_WATCH_PID.
cc_watch_start() {
  local f=$CASE_OUT/$1 secs=$2
  echo "+ camctl watch --json --timeout $secs > $f &"
  (
    rc=0
    timeout --kill-after=5 $((secs + 15)) "$CAMCTL" watch --json --timeout "$secs" > "$f" 2> "$f.err" || rc=$?
    echo "$rc" > "$f.rc"
  ) &
  CC_WATCH_PID=$!
}
