# SPDX-License-Identifier: BSD-2-Clause
# ctld_ses: ctld serves two ramdisk LUNs and an emulated SES enclosure whose first two slots
# hold them; open-iscsi (the kernel initiator) logs in on the VM's loopback and the kernel's
# ses driver binds the enclosure. encctl's slots, descriptors, statuses and LEDs must agree
# with /sys/class/enclosure and sg_ses; LEDs set through encctl show in sysfs and sg_ses,
# LEDs set through sysfs show in encctl; encctl show names the kernel's /dev/sdX of each
# occupied slot (the slot's SAS address is a target port designator of that disk).
# shellcheck source=tests/vm/lib/iscsi.sh
source "$VM_GUEST_LIB/iscsi.sh"
# shellcheck source=tests/vm/lib/ses.sh
source "$VM_GUEST_LIB/ses.sh"

if ! have_ctld; then
  skip "ctld_ses -- SKIP: ctld not built ($CTLD)"
  return 0
fi
for tool in iscsid iscsiadm sg_ses sg_vpd lsscsi; do
  if ! command -v "$tool" > /dev/null; then
    fail "$tool not installed (packages open-iscsi, sg3-utils, lsscsi)"
    return 0
  fi
done
if ! ctld_has_config_file; then
  fail "this ctld reads no ctl.conf (-f): the enclosure cannot be configured"
  return 0
fi

# The later cases see no enclosure driver: ses (and enclosure) go with the devices.
trap 'iscsi_cleanup; modprobe -r ses enclosure' EXIT

check "loopback up" ip link set lo up
check "modprobe crc32c_generic iscsi_tcp sd_mod sg ses" \
  modprobe -a crc32c_generic iscsi_tcp sd_mod sg ses

iqn=iqn.2024-01.org.camx:ses
nslots=4
descriptors="Bay 0,Bay 1,Bay 2,Bay 3"
# Slot n holds LUN n (disk<n>) for n < 2; slots 2 and 3 are empty.
serials=(VMSESDISK00 VMSESDISK01)
conf=$CASE_OUT/ctl.conf
cat > "$conf" << EOF
pidfile /run/ctld-vm-ses.pid

portal-group pg0 {
    discovery-auth-group no-authentication
    listen 127.0.0.1:3260
}

lun disk0 {
    backend ramdisk
    size 64m
    serial "${serials[0]}"
}
lun disk1 {
    backend ramdisk
    size 64m
    serial "${serials[1]}"
}
lun enc0 {
    device-type enclosure
    option slots $nslots
    option psus 2
    option fans 2
    option temps 2
    option volts 1
    option slot-luns "disk0,disk1"
    option slot-descriptors "$descriptors"
}

target $iqn {
    auth-group no-authentication
    portal-group pg0
    lun 0 disk0
    lun 1 disk1
    lun 2 enc0
}
EOF

check "ctld -f ctl.conf (2 disks, an enclosure of $nslots slots) listens on 127.0.0.1:3260" \
  ctld_start ctld.log -f "$conf"
check "iscsid -f starts" iscsid_start
check "iscsiadm discovery and login to $iqn" iscsi_login "$iqn"
check "3 iSCSI devices appear: 2 disks and the enclosure" iscsi_wait_devices 3 120

eh=
disks=()
for h in "${ISCSI_HCTLS[@]}"; do
  read -r type < "/sys/bus/scsi/devices/$h/type"
  case $type in
    13) eh=$h ;;
    0) disks+=("$h") ;;
  esac
done
if [[ -z $eh || ${#disks[@]} != 2 ]]; then
  fail "want 2 disks and 1 enclosure among the iSCSI devices, have: ${ISCSI_HCTLS[*]}"
  return 0
fi
esg=/dev/$(sg_of "$eh")
r=$CASE_OUT
echo "enclosure $eh $esg; disks ${disks[*]}"

# --- the ses driver and lsscsi.
check "the ses driver binds $eh (/sys/class/enclosure/$eh)" ses_wait_bound "$eh" 30
check "/sys/class/enclosure has one entry, $eh" ses_one_enclosure "$eh"
check "lsscsi -g runs" save lsscsi-g.txt lsscsi -g
check "lsscsi -g shows [$eh] enclosu (type 13) with $esg" \
  grep -Eq "^\[$eh\] +enclosu +CAMX +CTL ENCLOSURE +[^ ]+ +- +$esg *$" "$r/lsscsi-g.txt"
check "lsscsi -g agrees with sysfs" \
  compare peer lsscsi "$r/lsscsi-g.txt" "${ISCSI_HCTLS[@]}" --count 3

# --- the disks as sg3_utils sees them: serial and designators.
disk_args=()
slot_sd=() # the disk each occupied slot holds, by its serial
for h in "${disks[@]}"; do
  sd=/dev/$(sd_of "$h")
  sn=$r/sg_vpd_sn_${h//:/_}.txt
  check "sg_vpd -p sn $sd" save "${sn##*/}" sg_vpd -p sn "$sd"
  check "sg_vpd -p di $sd" save "sg_vpd_di_${h//:/_}.txt" sg_vpd -p di "$sd"
  disk_args+=(--disk "$sd=$sn=$r/sg_vpd_di_${h//:/_}.txt")
  for n in "${!serials[@]}"; do
    grep -qx " *Unit serial number: ${serials[$n]}" "$sn" && slot_sd[n]=$sd
  done
done
slot_args=()
for n in "${!serials[@]}"; do
  slot_args+=(--slot "$n=${serials[$n]}")
done

# --- sg_ses's view against the configuration and sysfs.
ses_pages() { # <suffix>: the status page again (after an LED change)
  save "sg_ses_es$1.txt" sg_ses --page=es "$esg"
}
check "sg_ses --page=cf $esg" save sg_ses_cf.txt sg_ses --page=cf "$esg"
check "sg_ses --page=ed $esg" save sg_ses_ed.txt sg_ses --page=ed "$esg"
check "sg_ses --page=aes $esg" save sg_ses_aes.txt sg_ses --page=aes "$esg"
check "sg_ses --page=es $esg" ses_pages ""
what="sysfs: $nslots slot components named '$descriptors', slots 0-$((nslots - 1)),"
what+=" ${#serials[@]} OK and the rest not installed"
check "$what" \
  sesck sysfs "$eh" --descriptors "$descriptors" --occupied "${#serials[@]}"
what="sg_ses --page=cf: $nslots device slots, 2 power supplies, 2 fans,"
what+=" 2 temperature and 1 voltage sensors"
check "$what" \
  sesck sg-ses-cf "$r/sg_ses_cf.txt" --count "device slot=$nslots" --count "power supply=2" \
  --count "cooling=2" --count "temperature sensor=2" --count "voltage sensor=1"
check "sg_ses --page=ed: slot descriptors '$descriptors'" \
  sesck sg-ses-ed "$r/sg_ses_ed.txt" --descriptors "$descriptors"
check "sysfs and sg_ses --page=es agree: status, locate, fault, power of every slot" \
  sesck leds "$eh" "$r/sg_ses_ed.txt" "$r/sg_ses_es.txt"
check "sg_ses --page=aes: each occupied slot's SAS address is a target port NAA of its disk" \
  sesck topology "$r/sg_ses_aes.txt" "${slot_args[@]}" "${disk_args[@]}"

if ! have_encctl; then
  skip "encctl checks -- SKIP: encctl not built ($ENCCTL)"
else
  # --- encctl against both.
  check "encctl list --json" enc list.json list --json
  check "encctl map --json" enc map.json map --json
  check "encctl show --json" enc show.json show --json
  check "encctl show" enc show.txt show
  check "encctl status exits 0" enc status.txt status
  check "encctl status --json" enc status.json status --json
  check "encctl status --json: health ok, exit code 0" sesck status "$r/status.json"
  check "encctl list: one enclosure $esg, id = sysfs id, $nslots slots" \
    sesck list "$r/list.json" "$eh" "$esg" --slots "$nslots"
  check "encctl map = sysfs: slot components, descriptors, slot numbers, status, LEDs" \
    sesck map-sysfs "$r/map.json" "$eh"
  check "encctl map = sg_ses --page=ed: every element's descriptor" \
    sesck map-ed "$r/map.json" "$r/sg_ses_ed.txt"
  check "encctl map = sg_ses --page=es: every element's status, slot LEDs" \
    sesck map-es "$r/map.json" "$r/sg_ses_es.txt"
  check "encctl map = sg_ses --page=aes: slot numbers and SAS addresses" \
    sesck map-aes "$r/map.json" "$r/sg_ses_aes.txt"
  check "encctl show names the kernel's /dev/sdX of each occupied slot (serial, SAS address)" \
    sesck show "$r/show.json" "$r/show.txt" "${slot_args[@]}" "${disk_args[@]}"

  # --- LEDs: set through encctl, seen in sysfs and sg_ses; set through sysfs, seen in encctl.
  # after <suffix> <expectations...>: sg_ses and encctl read again, all three agree and show
  # exactly the expected LEDs lit.
  after() {
    local sfx=$1
    shift
    ses_pages "$sfx" &&
      enc "map$sfx.json" map --json &&
      sesck step "$r/map$sfx.json" "$eh" "$r/sg_ses_ed.txt" "$r/sg_ses_es$sfx.txt" "$@"
  }
  check "encctl locate 1 on" enc locate-1-on.txt locate 1 on
  check "sysfs 'Bay 1'/locate reads 1" ses_sysfs_read "$eh" "Bay 1" locate 1
  check "sg_ses --descriptor='Bay 1' --get=ident reads 1" \
    bash -c "[[ \$(sg_ses --descriptor='Bay 1' --get=ident '$esg') == 1 ]]"
  check "after encctl locate 1 on: encctl, sysfs and sg_ses agree; only Bay 1 locate" \
    after -locate-on --expect "Bay 1=locate"
  check "echo 0 > sysfs 'Bay 1'/locate" ses_sysfs_write "$eh" "Bay 1" locate 0
  check "after sysfs locate 0: encctl, sysfs and sg_ses agree; no LED lit" after -locate-off
  check "echo 1 > sysfs 'Bay 0'/fault" ses_sysfs_write "$eh" "Bay 0" fault 1
  what="after sysfs fault 1: encctl map shows fault requested on Bay 0 only;"
  what+=" sysfs and sg_ses agree"
  check "$what" \
    after -fault-on --expect "Bay 0=fault"
  # By the kernel's name of the disk in slot 0 (sg_vpd's serial): encctl's own slot-to-disk
  # match picks the element.
  check "encctl fault ${slot_sd[0]:-<no disk with ${serials[0]}>} off (the disk in Bay 0)" \
    enc fault-off.txt fault "${slot_sd[0]:-none}" off
  check "after encctl fault ${slot_sd[0]:-none} off: encctl, sysfs and sg_ses agree; no LED lit" \
    after -fault-off
  check "encctl status exits 0 at the end" enc status-end.txt status
fi

# --- logout: the ses driver lets go.
check "iscsiadm logout" iscsi_logout "$iqn"
check "the iSCSI devices go away after logout" iscsi_wait_gone 60
check "/sys/class/enclosure is empty again" bash -c "[[ -z \$(ls $ENCLOSURE_CLASS) ]]"
check "ctld exits 0 on SIGTERM" ctld_stop
check "no crash or sanitizer report in ctld's log" \
  bash -c "! grep -Eiq 'sanitizer|segmentation|abort|terminate called' '$r/ctld.log'"
check "iscsid stops" iscsid_stop
