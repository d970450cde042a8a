# SPDX-License-Identifier: BSD-2-Clause
# tape_changer: a tape (ptype 1) and a medium changer (ptype 8) on two scsi_debug hosts;
# devlist shows st/nst and sch nodes and the peripheral types as lsscsi -g does.
check "modprobe st" modprobe st
check "modprobe ch" modprobe ch
check "scsi_debug ptype=1 loads (tape)" sdebug_load 1 ptype=1 dev_size_mb=8
set_ptype_add_host() {
  echo 8 > "$SDEBUG_SYS/ptype" && echo 1 > "$SDEBUG_SYS/add_host" && sdebug_wait 2
}
check "a second scsi_debug host with ptype=8 (changer)" set_ptype_add_host
mapfile -t devs < <(sdebug_devices)
check "lsscsi -g runs" save lsscsi-g.txt lsscsi -g
check "lsscsi -g lists both devices as sysfs does" compare peer lsscsi "$CASE_OUT/lsscsi-g.txt" "${devs[@]}" --count 2
check "lsscsi -g: tape with /dev/stN" grep -Eq '^\[[0-9:]+\] +tape +.* /dev/st[0-9]+ +/dev/sg[0-9]+ *$' "$CASE_OUT/lsscsi-g.txt"
check "lsscsi -g: mediumx with /dev/schN" grep -Eq '^\[[0-9:]+\] +mediumx +.* /dev/sch[0-9]+ +/dev/sg[0-9]+ *$' "$CASE_OUT/lsscsi-g.txt"
tape=$(grep -E ' tape ' "$CASE_OUT/lsscsi-g.txt" | grep -oE '/dev/st[0-9]+' | head -1)
check "the tape has its no-rewind node ${tape/st/nst}" test -c "${tape/st/nst}"
camctl_check "camctl devlist --json exits 0" cc_devlist devlist.json
camctl_check "camctl devlist --json agrees with lsscsi -g (types 1 and 8, st/nst/ch/sg nodes)" \
  compare devlist "$CASE_OUT/lsscsi-g.txt" "$CASE_OUT/devlist.json"
has_types() {
  py -c '
import json, sys
d = json.load(open(sys.argv[1]))["devices"]
by_type = {x.get("peripheral_device_type"): x.get("nodes", {}) for x in d}
ok = 1 in by_type and 8 in by_type and {"st", "nst", "sg"} <= set(by_type[1]) and {"ch", "sg"} <= set(by_type[8])
print(json.dumps(by_type))
sys.exit(0 if ok else 1)' "$CASE_OUT/devlist.json"
}
camctl_check "camctl devlist: type 1 with st+nst+sg, type 8 with ch+sg" has_types
check "scsi_debug unloads (devices deleted first)" sdebug_cleanup
