# SPDX-License-Identifier: BSD-2-Clause
# hotplug: devices appearing and disappearing. camctl watch sees a scsi_debug host being added
# and a device deleted through sysfs; a device deleted while camctl uses it gives a clean
# error (exit 102 device_gone, 15 open error or 100) naming the device, never a crash.
check "scsi_debug with one disk loads" sdebug_load 1 dev_size_mb=8

# wait_gone <H:C:T:L> [seconds]
wait_gone() {
  local i
  for i in $(seq 1 $((${2:-30} * 5))); do
    [[ -e /sys/bus/scsi/devices/$1 ]] || return 0
    sleep 0.2
  done
  return 1
}
# add_one: adds a scsi_debug host and prints the H:C:T:L of its device.
add_one() {
  local before n
  before=$(sdebug_devices)
  n=$(($(wc -w <<< "$before") + 1))
  echo 1 > "$SDEBUG_SYS/add_host" || return 1
  sdebug_wait "$n" > /dev/null || return 1
  comm -13 <(echo "$before" | sort) <(sdebug_devices | sort) | head -1
}
# delete <H:C:T:L>: removes the device through sysfs and waits until it is gone.
delete() {
  echo 1 > "/sys/bus/scsi/devices/$1/delete" && wait_gone "$1"
}

# --- add and remove events
if have_camctl; then
  cc_watch_start watch.json 25
  sleep 3 # let the watcher subscribe before anything happens
fi
new=$(add_one)
if [[ -n $new ]]; then
  pass "add_host added $new"
else
  fail "add_host added no device"
fi
lsscsi_lists() { lsscsi -g > "$CASE_OUT/lsscsi-$1.txt" && grep -q "^\[$2\]" "$CASE_OUT/lsscsi-$1.txt"; }
check "lsscsi -g lists the added $new" lsscsi_lists added "$new"
check "deleting $new through sysfs removes it" delete "$new"
check "lsscsi -g no longer lists $new" eval '! lsscsi_lists deleted "$new"'
if have_camctl; then
  wait "$CC_WATCH_PID"
  camctl_check "camctl watch --json --timeout 25 ends by itself with status 0" \
    grep -qx 0 "$CASE_OUT/watch.json.rc"
  camctl_check "camctl watch saw the add of $new" compare watch "$CASE_OUT/watch.json" add "$new"
  camctl_check "camctl watch saw the remove of $new" compare watch "$CASE_OUT/watch.json" remove "$new"
else
  skip "camctl watch add/remove events -- SKIP: camctl not built"
fi

# --- a device deleted while in use: the peer first (a reader holding /dev/sdX open)
victim=$(add_one)
vsd=/dev/$(sd_of "$victim")
rm -f "$CASE_OUT/holdopen.ready"
py "$VM_GUEST_LIB/holdopen.py" "$vsd" "$CASE_OUT/holdopen.ready" 60 \
  > "$CASE_OUT/holdopen.txt" 2>&1 &
holder=$!
for i in $(seq 1 100); do
  [[ -e $CASE_OUT/holdopen.ready ]] && break
  sleep 0.2
done
check "deleting $victim while a reader holds $vsd open" delete "$victim"
holder_fails() {
  wait "$holder"
  local rc=$?
  cat "$CASE_OUT/holdopen.txt"
  return $rc
}
check "the open $vsd returns an error once $victim is gone" holder_fails

# --- the same with camctl: a loop of `camctl tur` while the device is deleted
if have_camctl; then
  victim=$(add_one)
  vname=$(sg_of "$victim")
  vsg=/dev/$vname
  : > "$CASE_OUT/tur-loop.rc"
  (
    for i in $(seq 1 2000); do
      rc=0
      "$CAMCTL" tur "$vsg" > "$CASE_OUT/tur-loop.out" 2> "$CASE_OUT/tur-loop.err" || rc=$?
      echo "$rc" >> "$CASE_OUT/tur-loop.rc"
      ((rc == 0)) || break
    done
  ) &
  loop=$!
  for i in $(seq 1 100); do
    (($(wc -l < "$CASE_OUT/tur-loop.rc") >= 3)) && break
    sleep 0.2
  done
  check "deleting $victim while camctl tur loops on $vsg" delete "$victim"
  loop_ends() {
    local i
    for i in $(seq 1 300); do
      kill -0 "$loop" 2> /dev/null || return 0
      sleep 0.2
    done
    kill "$loop"
    echo "the camctl tur loop did not stop 60 s after the delete"
    return 1
  }
  check "the camctl tur loop stops after the delete" loop_ends
  clean_exit() {
    local ok=0 bad last
    echo "exit statuses: $(sort "$CASE_OUT/tur-loop.rc" | uniq -c | tr '\n' ' ')"
    bad=$(grep -vxE '0|2|6|15|100|102' "$CASE_OUT/tur-loop.rc" | head -1)
    [[ -z $bad ]] || { echo "unexpected status $bad (>= 128 is a signal: crash)"; ok=1; }
    last=$(tail -1 "$CASE_OUT/tur-loop.rc")
    [[ $last =~ ^(15|100|102)$ ]] || { echo "last status $last, want 102, 15 or 100"; ok=1; }
    echo "last message: $(cat "$CASE_OUT/tur-loop.err")"
    grep -qE "$vname|$victim" "$CASE_OUT/tur-loop.err" || { echo "the message does not name $vname or $victim"; ok=1; }
    return $ok
  }
  check "camctl tur on the deleted $vsg: clean error exit naming the device" clean_exit
  json_error() {
    cc_tur_json tur-gone.json "$vsg"
    local rc
    rc=$(cat "$CASE_OUT/tur-gone.json.rc")
    py -c '
import json, sys
doc = json.load(open(sys.argv[1]))
err = doc.get("error", {})
print(json.dumps(doc))
ok = doc.get("version") == 1 and err.get("exit_code") == int(sys.argv[2]) and isinstance(err.get("category"), str) \
     and isinstance(err.get("message"), str) and int(sys.argv[2]) in (15, 100, 102)
sys.exit(0 if ok else 1)' "$CASE_OUT/tur-gone.json" "$rc"
  }
  check "camctl tur --json on the deleted device: error object with the same exit code" json_error
else
  skip "camctl tur on a device deleted while in use -- SKIP: camctl not built"
fi
check "scsi_debug unloads" sdebug_cleanup
