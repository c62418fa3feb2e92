#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Install the Debian packages dmboot's build, tests, demo and benchmarks need,
# when any is missing.  qemu-system-x86, busybox-static, kmod and cpio are for
# the kernel suite (tests/kernel/), which boots Debian's own kernel in QEMU.
# The cross compilers are for `make cross` (scripts/check-cross.sh);
# qemu-user-static and the packages of foreign architectures (name:arch,
# whose architectures are added to dpkg first) for `make unit-qemu`; s390x
# has no libssl-dev: its OpenSSL lags the host's in Debian.
# Needs root (or sudo) only when something is missing.
set -eu

pkgs="gcc make clang libclang-rt-14-dev libcmocka-dev libssl-dev libargon2-dev libkeyutils-dev keyutils openssl python3 python3-pytest
      valgrind binutils cryptsetup-bin e2fsprogs fdisk lvm2 thin-provisioning-tools
      systemd systemd-container squashfs-tools erofs-utils dosfstools strace
      qemu-system-x86 busybox-static kmod cpio gzip
      gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu gcc-s390x-linux-gnu
      qemu-user-static
      libcmocka-dev:arm64 libssl-dev:arm64 libargon2-dev:arm64
      libcmocka-dev:armhf libssl-dev:armhf libargon2-dev:armhf
      libcmocka-dev:s390x libargon2-dev:s390x"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
for p in $missing; do
	case $p in
	*:*)
		arch=${p#*:}
		[ "$arch" = "$(dpkg --print-architecture)" ] ||
			dpkg --print-foreign-architectures | grep -qx "$arch" ||
			$SUDO dpkg --add-architecture "$arch"
		;;
	esac
done
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
