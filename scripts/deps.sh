#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Installs the Debian 12 packages camx builds and tests with, if any are missing.
set -euo pipefail

build=(cmake ninja-build g++ pkg-config libsgutils2-dev libudev-dev libcli11-dev libfmt-dev
       nlohmann-json3-dev libiscsi-dev googletest libgtest-dev libisal-dev libssl-dev)
peers=(sg3-utils lsscsi libiscsi-bin tgt qemu-system-x86 linux-image-amd64 busybox-static
       cpio kmod udev jq python3 e2fsprogs iproute2 open-iscsi xxd clang libclang-rt-14-dev mandoc)

missing=()
for p in "${build[@]}" "${peers[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
