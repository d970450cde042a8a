# SPDX-License-Identifier: BSD-2-Clause
# multi: two scsi_debug hosts x 2 targets x 3 LUNs. lsscsi -g and camctl devlist agree on
# every device; per-device camctl commands agree with sg3_utils on two of them.
check "scsi_debug add_host=2 num_tgts=2 max_luns=3 gives 12 disks" \
  sdebug_load 12 add_host=2 num_tgts=2 max_luns=3 dev_size_mb=8
mapfile -t devs < <(sdebug_devices)
check "lsscsi -g runs" save lsscsi-g.txt lsscsi -g
check "lsscsi -g lists the ${#devs[@]} devices as sysfs does" \
  compare peer lsscsi "$CASE_OUT/lsscsi-g.txt" "${devs[@]}" --count 12

camctl_check "camctl devlist --json exits 0" cc_devlist devlist.json
camctl_check "camctl devlist --json agrees with lsscsi -g" \
  compare devlist "$CASE_OUT/lsscsi-g.txt" "$CASE_OUT/devlist.json"
camctl_check "camctl devlist (text) exits 0" cc_devlist_text devlist.txt
text_lists_all() {
  local h
  for h in "${devs[@]}"; do
    grep -q "$h" "$CASE_OUT/devlist.txt" || { echo "$h missing from camctl devlist"; return 1; }
  done
}
camctl_check "camctl devlist (text) names every H:C:T:L" text_lists_all

# The first device of the first host and the last of the second, each under a different
# device name form: /dev/sgN for sg3_utils, and sgN / H:C:T:L / /dev/sdX for camctl.
per_device() {
  local h=$1 t=$2
  local sg sd
  sg=/dev/$(sg_of "$h")
  sd=/dev/$(sd_of "$h")
  local r=$CASE_OUT
  check "$t: sg_inq $sg" save "$t-inq.txt" sg_inq "$sg"
  check "$t: sg_inq output matches sysfs" compare peer sg_inq "$r/$t-inq.txt" "$h"
  check "$t: sg_vpd -p sn" save "$t-vpd80.txt" sg_vpd -p sn "$sg"
  check "$t: sg_vpd -p sn parsed" compare peer sg_vpd_sn "$r/$t-vpd80.txt"
  check "$t: sg_vpd -p di" save "$t-vpd83.txt" sg_vpd -p di "$sg"
  check "$t: sg_vpd -p di parsed, LU NAA = sysfs wwid" compare peer sg_vpd_di "$r/$t-vpd83.txt" "$h"
  check "$t: sg_readcap -l" save "$t-readcap.txt" sg_readcap -l "$sg"
  check "$t: sg_readcap -l parsed" compare peer sg_readcap "$r/$t-readcap.txt"
  check "$t: sg_luns -d" save "$t-luns.txt" sg_luns -d "$sg"
  check "$t: sg_luns shows the target's 3 LUNs" compare peer sg_luns "$r/$t-luns.txt" --count 3
  check "$t: sg_modes -p 0x08" save "$t-mode08.txt" sg_modes -p 0x08 "$sg"
  check "$t: sg_modes caching page parsed" compare peer sg_modes "$r/$t-mode08.txt" --page 0x08
  check "$t: sg_modes -p 0x0a" save "$t-mode0a.txt" sg_modes -p 0x0a "$sg"
  check "$t: sg_modes control page parsed" compare peer sg_modes "$r/$t-mode0a.txt" --page 0x0a
  check "$t: sg_logs -p 0x00" save "$t-log00.txt" sg_logs -p 0x00 "$sg"
  check "$t: sg_logs supported pages parsed" compare peer sg_logs_supported "$r/$t-log00.txt"
  check "$t: sg_logs -p 0x0d" save "$t-log0d.txt" sg_logs -p 0x0d "$sg"
  check "$t: sg_logs -p 0x0d -H" save "$t-log0d-hex.txt" sg_logs -p 0x0d -H "$sg"
  check "$t: sg_logs temperature parsed" compare peer sg_logs_temperature "$r/$t-log0d.txt"

  if ! have_camctl; then
    skip "$t: camctl inquiry/vpd/readcap/reportluns/modepage/logpage -- SKIP: camctl not built"
    return 0
  fi
  camctl_check "$t: camctl inquiry ${sg#/dev/}" cc_inquiry "$t-inq.json" "${sg#/dev/}"
  camctl_check "$t: camctl inquiry = sg_inq" compare inquiry "$r/$t-inq.txt" "$r/$t-inq.json"
  camctl_check "$t: camctl inquiry --vpd 0x80 $h" cc_vpd "$t-vpd80.json" "$h" 0x80
  camctl_check "$t: camctl vpd 0x80 = sg_vpd" compare vpd-sn "$r/$t-vpd80.txt" "$r/$t-vpd80.json"
  camctl_check "$t: camctl inquiry --vpd 0x83 $h" cc_vpd "$t-vpd83.json" "$h" 0x83
  camctl_check "$t: camctl vpd 0x83 = sg_vpd" compare vpd-di "$r/$t-vpd83.txt" "$r/$t-vpd83.json"
  camctl_check "$t: camctl readcap $sd" cc_readcap "$t-readcap.json" "$sd"
  camctl_check "$t: camctl readcap = sg_readcap" compare readcap "$r/$t-readcap.txt" "$r/$t-readcap.json"
  camctl_check "$t: camctl reportluns $sg" cc_reportluns "$t-luns.json" "$sg"
  camctl_check "$t: camctl reportluns = sg_luns" compare luns "$r/$t-luns.txt" "$r/$t-luns.json"
  camctl_check "$t: camctl modepage 0x08 $sg" cc_modepage "$t-mode08.json" "$sg" 0x08
  camctl_check "$t: camctl modepage 0x08 = sg_modes" compare modepage "$r/$t-mode08.txt" "$r/$t-mode08.json" 0x08
  camctl_check "$t: camctl modepage 0x0a $sg" cc_modepage "$t-mode0a.json" "$sg" 0x0a
  camctl_check "$t: camctl modepage 0x0a = sg_modes" compare modepage "$r/$t-mode0a.txt" "$r/$t-mode0a.json" 0x0a
  camctl_check "$t: camctl logpage 0x00 $sg" cc_logpage "$t-log00.json" "$sg" 0x00
  camctl_check "$t: camctl logpage 0x00 = sg_logs" compare log-supported "$r/$t-log00.txt" "$r/$t-log00.json"
  camctl_check "$t: camctl logpage 0x0d $sg" cc_logpage "$t-log0d.json" "$sg" 0x0d
  camctl_check "$t: camctl logpage 0x0d = sg_logs" \
    compare log-temperature "$r/$t-log0d.txt" "$r/$t-log0d-hex.txt" "$r/$t-log0d.json"
}
per_device "${devs[0]}" first
per_device "${devs[-1]}" last
check "scsi_debug unloads" sdebug_cleanup
