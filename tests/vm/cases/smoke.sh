# SPDX-License-Identifier: BSD-2-Clause
# smoke: one scsi_debug disk; proves the VM, the peers and the out share (no camctl needed).
check "scsi_debug with one disk loads" sdebug_load 1 dev_size_mb=8
h=$(sdebug_devices | head -1)
sg=$(sg_of "$h")
sd=$(sd_of "$h")
check "lsscsi -g runs" save lsscsi-g.txt lsscsi -g
check "lsscsi -g shows $h with /dev/$sd and /dev/$sg" \
  grep -Eq "^\[$h\] +disk +Linux +scsi_debug .*/dev/$sd +/dev/$sg *$" "$CASE_OUT/lsscsi-g.txt"
check "sg_inq /dev/$sg runs" save sg_inq.txt sg_inq "/dev/$sg"
check "sg_inq reports the product" grep -q "Product identification: scsi_debug" "$CASE_OUT/sg_inq.txt"
if have_camctl; then
  camctl_check "camctl devlist --json runs" cam devlist.json devlist --json
  camctl_check "camctl devlist --json lists $h" compare has-device "$CASE_OUT/devlist.json" "$h"
else
  skip "camctl devlist -- SKIP: camctl not built"
fi
check "scsi_debug unloads" sdebug_cleanup
