# SPDX-License-Identifier: BSD-2-Clause
# ctld_iscsi: ctld serves a ramdisk LUN on the VM's loopback and open-iscsi (the kernel
# initiator) logs into it. The LUN becomes /dev/sdX; lsscsi, sg3_utils and camctl see what
# ctld was configured with; ext4 on it survives umount, cache drop, fsck and remount; a
# persistent reservation key survives a ctld restart when ctld reads a ctl.conf (-f) with a
# state directory; logout and SIGTERM are clean.
# shellcheck source=tests/vm/lib/iscsi.sh
source "$VM_GUEST_LIB/iscsi.sh"
ichk() { py "$VM_GUEST_LIB/iscsi_check.py" "$@"; }

if ! have_ctld; then
  skip "ctld_iscsi -- SKIP: ctld not built ($CTLD)"
  return 0
fi

for tool in iscsid iscsiadm mkfs.ext4 fsck.ext4 sg_persist; do
  if ! command -v "$tool" > /dev/null; then
    fail "$tool not installed (packages open-iscsi, e2fsprogs, sg3-utils)"
    return 0
  fi
done

mnt=/tmp/camx-iscsi-mnt
trap 'iscsi_cleanup "$mnt"' EXIT

check "loopback up" ip link set lo up
# ext4 too: the kernel's own module loading runs the initramfs' modprobe, outside the chroot.
check "modprobe crc32c_generic iscsi_tcp sd_mod sg ext4" modprobe -a crc32c_generic iscsi_tcp sd_mod sg ext4

iqn=iqn.2024-01.org.camx:demo
with_conf=0
state_dir=/tmp/camx-ctld-state
if ctld_has_config_file; then
  with_conf=1
  vendor=CAMXVM
  product="VM ISCSI DISK"
  serial=VMISCSI00001
  nluns=1
  mkdir -p "$state_dir"
  conf=$CASE_OUT/ctl.conf
  cat > "$conf" << EOF
state-dir $state_dir
pidfile /run/ctld-vm.pid

portal-group pg0 {
    discovery-auth-group no-authentication
    listen 127.0.0.1:3260
}

target $iqn {
    auth-group no-authentication
    portal-group pg0
    lun 0 {
        backend ramdisk
        size 64m
        serial "$serial"
        option vendor "$vendor"
        option product "$product"
    }
}
EOF
  ctld_args=(-f "$conf")
else
  # The demo configuration: the engine's default vendor and product, the demo serial.
  vendor=CAMX
  product="CTL DISK"
  serial=CAMXDEMO0000
  nluns=2  # the disk and the enclosure holding it
  ctld_args=(--demo)
fi
echo "ctld configured with vendor '$vendor' product '$product' serial '$serial' (${ctld_args[*]})"

check "ctld ${ctld_args[*]} listens on 127.0.0.1:3260" ctld_start ctld.log "${ctld_args[@]}"
check "iscsid -f starts" iscsid_start
check "iscsiadm discovery and login to $iqn" iscsi_login "$iqn"
check "the LUN appears as an iSCSI disk" iscsi_wait_disk 120
h=$ISCSI_HCTL
if [[ -z $h ]]; then
  fail "no iSCSI disk: the device checks cannot run"
  return 0
fi
sd=/dev/$(sd_of "$h")
sg=/dev/$(sg_of "$h")
r=$CASE_OUT

# --- identity: lsscsi, sg3_utils, camctl against the configuration.
check "lsscsi -g runs" save lsscsi-g.txt lsscsi -g
check "lsscsi -g shows [$h] disk $vendor $product $sd $sg" \
  grep -Eq "^\[$h\] +disk +$vendor +$product +[^ ]+ +$sd +$sg *$" "$r/lsscsi-g.txt"
check "lsscsi -g agrees with sysfs" compare peer lsscsi "$r/lsscsi-g.txt" "$h" --count "$nluns"
check "sg_inq $sd" save sg_inq.txt sg_inq "$sd"
check "sg_inq: vendor '$vendor', product '$product'" ichk sg-inq "$r/sg_inq.txt" "$vendor" "$product"
check "sg_inq agrees with sysfs" compare peer sg_inq "$r/sg_inq.txt" "$h"
check "sg_vpd -p sn $sd" save sg_vpd_sn.txt sg_vpd -p sn "$sd"
check "sg_vpd -p sn: serial '$serial'" grep -qx " *Unit serial number: $serial" "$r/sg_vpd_sn.txt"

camctl_check "camctl inquiry --json $sd" cc_inquiry inquiry.json "$sd"
camctl_check "camctl inquiry = sg_inq" compare inquiry "$r/sg_inq.txt" "$r/inquiry.json"
camctl_check "camctl inquiry: vendor '$vendor', product '$product'" \
  ichk inquiry "$r/inquiry.json" "$vendor" "$product"
camctl_check "camctl inquiry -S $sg" cam inquiry-S.txt inquiry -S "$sg"
camctl_check "camctl inquiry -S prints '$serial'" grep -qx "$serial" "$r/inquiry-S.txt"
camctl_check "camctl inquiry --json --vpd 0x80 $h" cc_vpd vpd80.json "$h" 0x80
camctl_check "camctl vpd 0x80 = sg_vpd -p sn" compare vpd-sn "$r/sg_vpd_sn.txt" "$r/vpd80.json"
camctl_check "camctl devlist -v --json" cam devlist-v.json devlist -v --json
camctl_check "camctl devlist -v --json: $h on iscsi_tcp, transport iscsi $iqn" \
  ichk devlist "$r/devlist-v.json" "$h" "$iqn" "$vendor" "$product" "$sd" "$sg"

# --- ext4 on the LUN: data written, caches dropped, fsck clean, data read back.
payload=/tmp/camx-iscsi-payload.bin
fs_write() {
  mkdir -p "$mnt" &&
    mkfs.ext4 -F -q "$sd" &&
    mount "$sd" "$mnt" &&
    head -c $((6 * 1024 * 1024)) /dev/urandom > "$payload" &&
    cp "$payload" "$mnt/payload.bin" &&
    (cd "$mnt" && sha256sum payload.bin > payload.sha256) &&
    sync &&
    umount "$mnt" &&
    echo 3 > /proc/sys/vm/drop_caches
}
fs_readback() {
  mount "$sd" "$mnt" &&
    (cd "$mnt" && sha256sum -c payload.sha256) &&
    cmp "$payload" "$mnt/payload.bin" &&
    umount "$mnt"
}
check "mkfs.ext4, mount, write 6 MiB + sha256, sync, umount, drop caches" fs_write
check "fsck.ext4 -fn is clean" fsck.ext4 -fn "$sd"
check "mount again: sha256 matches, data identical" fs_readback

# --- persistent reservations: register a key with APTPL.
key=0x1234abcd5678ef00
check "sg_persist register key $key with APTPL" \
  sg_persist --out --register --param-sark="$key" --param-aptpl "$sd"
check "sg_persist -k" save pr-keys.txt sg_persist -k "$sd"
check "sg_persist -k shows $key" ichk sg-persist-keys "$r/pr-keys.txt" "$key"

check "iscsiadm logout" iscsi_logout "$iqn"
check "the iSCSI disk goes away after logout" iscsi_wait_gone 60

if ((with_conf)); then
  check "ctld exits 0 on SIGTERM (before restart)" ctld_stop
  check "ctld -f restarts with the same state directory" ctld_start ctld.log "${ctld_args[@]}"
  check "login again after the restart" iscsi_login "$iqn"
  check "the LUN appears again" iscsi_wait_disk 120
  if [[ -n $ISCSI_HCTL ]]; then
    sd=/dev/$(sd_of "$ISCSI_HCTL")
    check "sg_persist -k after the restart" save pr-keys-restart.txt sg_persist -k "$sd"
    check "key $key survived the ctld restart (APTPL)" \
      ichk sg-persist-keys "$r/pr-keys-restart.txt" "$key"
  fi
  check "iscsiadm logout after the restart" iscsi_logout "$iqn"
  check "the iSCSI disk goes away" iscsi_wait_gone 60
else
  skip "PR key survives a ctld restart -- SKIP: this ctld has no -f (config file / state-dir)"
fi

check "ctld exits 0 on SIGTERM" ctld_stop
check "no crash or sanitizer report in ctld's log" \
  bash -c "! grep -Eiq 'sanitizer|segmentation|abort|terminate called' '$r/ctld.log'"
check "iscsid stops" iscsid_stop
