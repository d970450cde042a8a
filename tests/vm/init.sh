#!/bin/busybox sh
# SPDX-License-Identifier: BSD-2-Clause
# /init of the test initramfs: mounts the host root (9p, read-only) under a tmpfs overlay,
# chroots into it and runs the entry script named on the kernel command line.
/bin/busybox mkdir -p /bin /sbin /proc /sys /dev /host /rw /newroot
/bin/busybox --install -s /bin
export PATH=/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

say() { echo "camx-init: $*" > /dev/console; }

halt() {
  sync
  poweroff -f
}

while read -r ko; do
  insmod "/modules/$ko" || say "insmod $ko failed"
done < /modules/order

entry=
args=
build=
for word in $(cat /proc/cmdline); do
  case "$word" in
    camx_entry=*) entry=${word#camx_entry=} ;;
    camx_args=*) args=${word#camx_args=} ;;
    camx_build=*) build=${word#camx_build=} ;;
  esac
done

# The virtio devices are probed asynchronously: retry the mount for a while.
mount9p() {
  tries=0
  until mount -t 9p -o "trans=virtio,version=9p2000.L,msize=262144,$3" "$1" "$2" 2> /dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ]; then
      say "cannot mount 9p share $1"
      return 1
    fi
    sleep 0.1
  done
}

mount9p host /host ro,cache=loose || halt
mount -t tmpfs -o size=1024m tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /newroot || {
  say "overlay mount failed"
  halt
}
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
# devtmpfs has no fd links; bash process substitution needs /dev/fd.
ln -sf /proc/self/fd /newroot/dev/fd
ln -sf /proc/self/fd/0 /newroot/dev/stdin
ln -sf /proc/self/fd/1 /newroot/dev/stdout
ln -sf /proc/self/fd/2 /newroot/dev/stderr
mount -t tmpfs tmpfs /newroot/dev/shm
# /tmp stays on the overlay (writable) so a build tree under the host /tmp is visible.
mount -t tmpfs tmpfs /newroot/run
mkdir -p /newroot/camx-out
mount9p out /newroot/camx-out rw || halt

say "booted $(uname -r); entry=$entry args=$args"
echo "$(cut -d' ' -f1 /proc/uptime)" > /newroot/camx-out/boot_seconds

rc=1
if [ -n "$entry" ]; then
  chroot /newroot /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb \
    CAMX_OUT=/camx-out CAMX_BUILD="$build" CAMX_ARGS="$args" \
    /bin/bash "$entry" > /newroot/camx-out/guest.log 2>&1 < /dev/null
  rc=$?
else
  say "no camx_entry= on the kernel command line"
fi
echo "$rc" > /newroot/camx-out/exit_status
echo "$(cut -d' ' -f1 /proc/uptime)" > /newroot/camx-out/end_seconds
say "entry finished with status $rc"
sync
umount /newroot/camx-out
halt
