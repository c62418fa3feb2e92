#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Prove that lib/ embeds on five architectures: 32-bit ARM (Thumb-2,
# armv7-a, soft float), aarch64, riscv64, x86-64 and big-endian s390x.
# For each, with Debian's cross compiler: build every lib/ source
# freestanding with warnings as errors (scripts/freestanding-flags.sh, as
# `make freestanding`), link the objects into one relocatable object and
# check with the target's nm that it needs only the port's symbols (on ARM
# also the 32-bit division helpers every ARM bootloader ships, never a
# 64-bit one: lib/base/div64.h), that it has no writable global data, and
# that every stack frame is static and within the architecture's budget.
# Then build it again against the bootloader-style replacement of
# <dmboot/port_types.h> in tests/port_types/, and on ARM against newlib's
# types in tests/port_types-newlib/.  An architecture whose
# compiler is missing is skipped with a message (scripts/install-deps.sh
# installs them all).  Usage: check-cross.sh [ARCH...]
set -eu
cd "$(dirname "$0")/.."
. scripts/freestanding-flags.sh
out=build/cross
JOBS=${JOBS:-2}

list() { printf 'include lib/sources.mk\nall:\n\t@echo $(%s)\n' "$1" | make -s -f -; }
srcs=$(list DMBOOT_LIB_SRCS)

# Per architecture: the toolchain's prefix, the target flags (a
# bootloader's: no floating-point or vector registers where the compiler
# can be told so), the largest stack frame allowed in bytes (the largest
# measured with gcc -O2, rounded up to 512; docs/porting.md "Architectures")
# and the helper symbols the target may need besides the port's.
arch_setup() {
	helpers=
	case $1 in
	arm)
		triplet=arm-linux-gnueabihf
		tflags="-mthumb -march=armv7-a -mfloat-abi=soft"
		budget=4608
		helpers="__aeabi_idiv __aeabi_idivmod __aeabi_uidiv __aeabi_uidivmod"
		;;
	aarch64)
		triplet=aarch64-linux-gnu
		tflags="-mgeneral-regs-only"
		budget=4608
		;;
	riscv64)
		triplet=riscv64-linux-gnu
		tflags="-march=rv64imac -mabi=lp64 -mcmodel=medany"
		budget=4608
		;;
	x86-64)
		triplet=x86_64-linux-gnu
		tflags="-mgeneral-regs-only -mno-red-zone"
		budget=4608
		;;
	s390x)
		triplet=s390x-linux-gnu
		tflags="-msoft-float"
		budget=4608
		;;
	*)
		echo "cross: unknown architecture '$1' (arm aarch64 riscv64 x86-64 s390x)" >&2
		exit 1
		;;
	esac
}

obj() { echo "$1/$(echo "$2" | tr / _ | sed 's/\.c$/.o/')"; }

# build DIR FLAGS...: compile every lib/ source into DIR, JOBS at a time.
build() {
	dir=$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	# shellcheck disable=SC2086
	printf '%s\n' $srcs | xargs -P "$JOBS" -I @ sh -c \
		"$cc $* -c lib/@ -o $dir/\$(echo @ | tr / _ | sed 's/\\.c\$/.o/')" ||
		{ echo "cross: $arch: lib/ does not build ($label)" >&2; exit 1; }
	# shellcheck disable=SC2046
	$triplet-ld -r -o "$dir/libdmboot.o" $(for s in $srcs; do obj "$dir" "$s"; done)
}

# check_object DIR: the linked object needs only the port (and the target's helpers)
# and has no writable global data.
check_object() {
	needed=$($triplet-nm -u "$1/libdmboot.o" | awk '{print $2}' | sort -u | tr '\n' ' ' | sed 's/ $//')
	echo "cross: $arch ($label) needs: $needed"
	for sym in $needed; do
		case " $fs_port_symbols $helpers " in
		*" $sym "*) ;;
		*)
			echo "cross: $arch: lib/ ($label) needs '$sym', which neither the port nor" \
				"(on ARM) the 32-bit division helpers provide" >&2
			exit 1
			;;
		esac
	done
	mutable=$($triplet-nm "$1/libdmboot.o" | awk '$2 ~ /^[DdBbCGgSs]$/ {print $3}' | tr '\n' ' ')
	if [ -n "$mutable" ]; then
		echo "cross: $arch: lib/ ($label) has writable global data: $mutable" >&2
		exit 1
	fi
}

archs=${*:-arm aarch64 riscv64 x86-64 s390x}
for arch in $archs; do
	arch_setup "$arch"
	cc=$triplet-gcc
	if ! command -v "$cc" >/dev/null 2>&1; then
		echo "cross: $arch: $cc is not installed (scripts/install-deps.sh installs it); skipped"
		continue
	fi
	label="default port_types.h"
	dir=$out/$arch/lib
	build "$dir" "$(fs_flags "$cc" "$tflags") $(fs_stack_flags "$cc")"
	check_object "$dir"
	# shellcheck disable=SC2046
	scripts/check-stack.sh "$budget" $(for s in $srcs; do obj "$dir" "$s" | sed 's/\.o$/.su/'; done) \
		>"$dir/stack.txt" || { echo "cross: $arch: stack frames over the budget of $budget bytes" >&2; exit 1; }
	sed "s/^/cross: $arch: /" "$dir/stack.txt"
	largest=$(cat "$dir"/*.su | awk -F '\t' '$2 + 0 > max { max = $2 + 0 } END { print max + 0 }')
	echo "cross: $arch: largest stack frame $largest bytes (budget $budget)"
	label="tests/port_types/ replacement"
	build "$out/$arch/types" "$(fs_flags "$cc" "$tflags" -Itests/port_types)"
	check_object "$out/$arch/types"
	if [ "$arch" = arm ]; then
		# newlib's types (arm-none-eabi): uint32_t is unsigned long, so
		# every print of one must say so (-Wformat, warnings as errors).
		label="tests/port_types-newlib/ replacement"
		build "$out/$arch/newlib" "$(fs_flags "$cc" "$tflags" -Itests/port_types-newlib)"
		check_object "$out/$arch/newlib"
		# Optimised for size, as a bootloader builds: other code, other helpers.
		label="-Os"
		build "$out/$arch/os" "$(fs_flags "$cc" "$tflags" -Os)"
		check_object "$out/$arch/os"
	fi
	echo "cross: $arch: OK"
done
