# SPDX-License-Identifier: BSD-2-Clause
# sector4k: a 4096-byte-sector scsi_debug disk; READ CAPACITY agrees with the block layer.
check "scsi_debug sector_size=4096 loads" sdebug_load 1 sector_size=4096 dev_size_mb=16
h=$(sdebug_devices | head -1)
sg=/dev/$(sg_of "$h")
sd=/dev/$(sd_of "$h")
check "sg_readcap -l $sg" save readcap.txt sg_readcap -l "$sg"
check "sg_readcap: 4096-byte blocks" compare peer sg_readcap "$CASE_OUT/readcap.txt" --expect block_length_bytes=4096
check "blockdev --getsize64 $sd" save size.txt blockdev --getsize64 "$sd"
check "sg_readcap capacity = blockdev --getsize64" \
  compare readcap-size "$CASE_OUT/readcap.txt" "$CASE_OUT/size.txt" --block-length 4096
check "the block layer uses 4096-byte logical blocks" \
  grep -qx 4096 "/sys/block/${sd#/dev/}/queue/logical_block_size"
camctl_check "camctl readcap $sd" cc_readcap readcap.json "$sd"
camctl_check "camctl readcap = sg_readcap -l" compare readcap "$CASE_OUT/readcap.txt" "$CASE_OUT/readcap.json"
camctl_check "camctl readcap capacity = blockdev --getsize64" \
  compare readcap-size "$CASE_OUT/readcap.txt" "$CASE_OUT/size.txt" --block-length 4096 --json "$CASE_OUT/readcap.json"
check "scsi_debug unloads" sdebug_cleanup
