# SPDX-License-Identifier: BSD-2-Clause
# Host side of the VM harness: pick the kernel, build the initramfs (cached), boot qemu.
# Sourced by tests/vm/run.sh and bench/*/run.sh; bash.

VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_DIR=$(dirname "$VM_LIB_DIR")

vm_die() {
  echo "vm: $*" >&2
  exit 2
}

# The newest /boot/vmlinuz-<ver> whose modules are installed; CAMX_VM_KERNEL=<ver> overrides.
vm_kernel_version() {
  if [[ -n ${CAMX_VM_KERNEL:-} ]]; then
    echo "$CAMX_VM_KERNEL"
    return
  fi
  local v best=
  for v in $(ls /boot/vmlinuz-* 2> /dev/null | sed 's|^/boot/vmlinuz-||' | sort -V); do
    [[ -d /lib/modules/$v/kernel ]] && best=$v
  done
  [[ -n $best ]] || vm_die "no /boot/vmlinuz-<ver> with /lib/modules/<ver> (apt-get install linux-image-amd64)"
  echo "$best"
}

vm_check_tools() {
  local missing=() t
  for t in qemu-system-x86_64 modprobe; do
    command -v "$t" > /dev/null || missing+=("$t")
  done
  [[ -x /bin/busybox ]] || missing+=(/bin/busybox)
  ((${#missing[@]} == 0)) || vm_die "missing: ${missing[*]} (see tests/vm/README.md)"
  [[ $'\n'$(/bin/busybox --list)$'\n' == *$'\ncpio\n'* ]] || vm_die "/bin/busybox has no cpio applet (apt-get install busybox-static)"
  [[ -r /boot/vmlinuz-$(vm_kernel_version) ]] ||
    vm_die "/boot/vmlinuz-$(vm_kernel_version) is not readable"
}

# Modules the initramfs needs before it can mount the host root, in load order, as paths
# relative to /lib/modules/<ver>; built-in ones are left out.
vm_boot_modules() {
  local ver=$1 m line path
  declare -A seen=()
  for m in virtio_pci 9pnet_virtio 9p overlay; do
    while read -r line; do
      [[ $line == insmod* ]] || continue
      path=$(awk '{print $2}' <<< "$line")
      path=${path#"/lib/modules/$ver/"}
      [[ -n ${seen[$path]:-} ]] && continue
      seen[$path]=1
      echo "$path"
    done < <(modprobe -S "$ver" --show-depends "$m" 2> /dev/null)
  done
}

# Copy a module uncompressed (busybox insmod does not decompress).
vm_copy_module() {
  local src=$1 dst=$2
  case "$src" in
    *.ko.xz) xz -dc "$src" > "$dst" ;;
    *.ko.zst) zstd -qdc "$src" > "$dst" ;;
    *.ko.gz) gzip -dc "$src" > "$dst" ;;
    *) cp "$src" "$dst" ;;
  esac
}

# Build (or reuse) <builddir>/vm/initramfs-<ver>.cpio.gz; prints its path.
vm_initramfs() {
  local builddir=$1 ver=$2
  local cache=$builddir/vm
  local out=$cache/initramfs-$ver.cpio.gz
  local mods key
  mkdir -p "$cache"
  mods=$(vm_boot_modules "$ver")
  [[ -n $mods ]] || vm_die "modprobe -S $ver --show-depends found no 9p/virtio modules"
  key=$({
    sha256sum "$VM_DIR/init.sh" /bin/busybox
    echo "$ver"
    echo "$mods"
  } | sha256sum | cut -d' ' -f1)
  if [[ -f $out && -f $out.key && $(cat "$out.key") == "$key" ]]; then
    echo "$out"
    return
  fi
  local stage
  stage=$(mktemp -d "$cache/initramfs.XXXXXX")
  mkdir -p "$stage/bin" "$stage/modules"
  cp /bin/busybox "$stage/bin/busybox"
  cp "$VM_DIR/init.sh" "$stage/init"
  chmod 755 "$stage/init"
  local rel name
  : > "$stage/modules/order"
  while read -r rel; do
    name=$(basename "$rel")
    name=${name%.xz}
    name=${name%.zst}
    name=${name%.gz}
    vm_copy_module "/lib/modules/$ver/$rel" "$stage/modules/$name"
    echo "$name" >> "$stage/modules/order"
  done <<< "$mods"
  (cd "$stage" && find . -mindepth 1 | /bin/busybox cpio -o -H newc 2> /dev/null) | gzip -1 > "$out.tmp"
  rm -rf "$stage"
  mv "$out.tmp" "$out"
  echo "$key" > "$out.key"
  echo "$out"
}

# vm_boot <builddir> <outdir> <entry script, absolute> <args> <timeout seconds>
# Boots the VM, which runs <entry> in the chroot of the host root with CAMX_OUT, CAMX_BUILD
# and CAMX_ARGS set; the entry writes its results to $CAMX_OUT (= <outdir> on the host).
# Returns 0 when the guest reported an exit status (read it from <outdir>/exit_status),
# 124 on timeout, another non-zero status when qemu failed.
vm_boot() {
  local builddir=$1 outdir=$2 entry=$3 args=$4 timeout=$5
  local ver initrd
  vm_check_tools
  ver=$(vm_kernel_version)
  initrd=$(vm_initramfs "$builddir" "$ver")
  local w
  for w in "$entry" "$args" "$builddir"; do
    [[ $w != *[[:space:]]* ]] || vm_die "paths and arguments must not contain spaces: '$w'"
  done
  mkdir -p "$outdir"
  rm -f "$outdir/exit_status" "$outdir/boot_seconds" "$outdir/end_seconds"
  local cmdline="console=ttyS0 panic=-1 loglevel=4 rdinit=/init"
  cmdline+=" camx_entry=$entry camx_build=$builddir camx_args=${args:-none}"
  local mem=${CAMX_VM_MEM:-2048} smp=${CAMX_VM_SMP:-2}
  local qemu=(qemu-system-x86_64 -accel tcg -m "$mem" -smp "$smp"
    -kernel "/boot/vmlinuz-$ver" -initrd "$initrd" -append "$cmdline"
    -display none -serial "file:$outdir/console.log" -monitor none -no-reboot -nodefaults
    -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap
    -virtfs "local,path=$outdir,mount_tag=out,security_model=none,multidevs=remap")
  printf '%q ' "${qemu[@]}" > "$outdir/qemu.cmd"
  echo >> "$outdir/qemu.cmd"
  local rc=0
  timeout --kill-after=15 "$timeout" "${qemu[@]}" > "$outdir/qemu.log" 2>&1 < /dev/null || rc=$?
  if ((rc == 124 || rc == 137)); then
    return 124
  fi
  if [[ ! -f $outdir/exit_status ]]; then
    ((rc != 0)) || rc=1
    return "$rc"
  fi
  return 0
}
