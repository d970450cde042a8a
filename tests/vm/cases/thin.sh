# SPDX-License-Identifier: BSD-2-Clause
# thin: a thin-provisioned scsi_debug disk (UNMAP, WRITE SAME(16) unmap, read zeros):
# VPD 0xb2 and READ CAPACITY(16) LBPME/LBPRZ as sg_vpd and sg_readcap see them.
check "scsi_debug lbpu=1 lbpws=1 lbprz=1 loads" sdebug_load 1 lbpu=1 lbpws=1 lbprz=1 dev_size_mb=16
h=$(sdebug_devices | head -1)
sg=/dev/$(sg_of "$h")
check "sg_vpd -p lbpv $sg" save lbpv.txt sg_vpd -p lbpv "$sg"
check "sg_vpd: LBPU=1 LBPWS=1 LBPRZ=1" \
  compare peer sg_vpd_lbpv "$CASE_OUT/lbpv.txt" --expect lbpu=1 --expect lbpws=1 --expect lbprz=1
check "sg_readcap -l $sg" save readcap.txt sg_readcap -l "$sg"
check "sg_readcap: lbpme=1 lbprz=1" \
  compare peer sg_readcap "$CASE_OUT/readcap.txt" --expect lbpme=1 --expect lbprz=1
camctl_check "camctl inquiry --vpd 0xb2 $sg" cc_vpd lbpv.json "$sg" 0xb2
camctl_check "camctl vpd 0xb2 = sg_vpd -p lbpv" compare vpd-lbpv "$CASE_OUT/lbpv.txt" "$CASE_OUT/lbpv.json"
camctl_check "camctl readcap $sg" cc_readcap readcap.json "$sg"
camctl_check "camctl readcap (16) = sg_readcap -l, LBPME/LBPRZ included" \
  compare readcap "$CASE_OUT/readcap.txt" "$CASE_OUT/readcap.json" --need16
check "scsi_debug unloads" sdebug_cleanup
