#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Prove that lib/ embeds: build it with -ffreestanding -nostdinc (only the
# compiler's own headers and include/), check that its undefined symbols are
# exactly the port's, that it has no writable global data and that every
# stack frame is static and within the budget, then link it with
# ports/freestanding/ into a program with no libc and run it.
set -eu
CC=${1:-cc}
cd "$(dirname "$0")/.."
out=build/freestanding
rm -rf "$out"; mkdir -p "$out"

list() { printf 'include lib/sources.mk\nall:\n\t@echo $(%s)\n' "$1" | make -s -f -; }
obj() { echo "$out/$(echo "$1" | tr / _ | sed 's/\.c$/.o/')"; }
srcs=$(list DMBOOT_LIB_SRCS)
. scripts/freestanding-flags.sh
flags=$(fs_flags "$CC")
# Largest stack frame any lib/ function may have, in bytes (docs/porting.md
# §8): the largest measured with gcc -O2 on x86-64, rounded up to 512.
STACK_BUDGET=${STACK_BUDGET:-4608}
stack_flags=$(fs_stack_flags "$CC")
for s in $srcs; do
	# shellcheck disable=SC2086
	$CC $flags $stack_flags -c "lib/$s" -o "$(obj "$s")"
done
# shellcheck disable=SC2046
scripts/check-stack.sh "$STACK_BUDGET" $(for s in $srcs; do obj "$s" | sed 's/\.o$/.su/'; done)
ld -r -o "$out/libdmboot-freestanding.o" "$out"/*.o

allowed=$fs_port_symbols
# Fail unless the relocatable object $2 needs nothing but the port ($1 names it).
needs_only_port() {
	needed=$(nm -u "$2" | awk '{print $2}' | sort -u | tr '\n' ' ' | sed 's/ $//')
	echo "freestanding: $1 needs: $needed"
	for sym in $needed; do
		case " $allowed " in
		*" $sym "*) ;;
		*) echo "freestanding: $1 needs '$sym', which the port header does not provide" >&2; exit 1 ;;
		esac
	done
}
needs_only_port "lib/" "$out/libdmboot-freestanding.o"
# The bootloader subset of lib/sources.mk links on its own.
boot_objs=
for s in $(list DMBOOT_BOOTLOADER_SRCS); do boot_objs="$boot_objs $(obj "$s")"; done
# shellcheck disable=SC2086
ld -r -o "$out/libdmboot-bootloader.o" $boot_objs
needs_only_port "the bootloader subset (DMBOOT_BOOTLOADER_SRCS)" "$out/libdmboot-bootloader.o"
# No mutable global state: no .data or .bss symbols (D/d/B/b/C/G/g/S/s).
mutable=$(nm "$out/libdmboot-freestanding.o" | awk '$2 ~ /^[DdBbCGgSs]$/ {print $3}' | tr '\n' ' ')
if [ -n "$mutable" ]; then
	echo "freestanding: lib/ has writable global data: $mutable" >&2
	exit 1
fi
echo "freestanding: lib/ has no writable global data"

# The demo's verity image: its root hash is veritysetup's (when installed,
# regenerate it and insist the committed header matches).
if command -v veritysetup >/dev/null 2>&1; then
	python3 scripts/gen-freestanding-image.py --check
else
	echo "freestanding: veritysetup not installed; demo_image.h not re-derived"
fi
for s in port sha256 blake2b argon2 demo; do
	# shellcheck disable=SC2086
	$CC $flags -c "ports/freestanding/$s.c" -o "$out/$s.o"
done
# The reference bootloader port (ports/bootloader/), which the demo runs lib/ through.
# shellcheck disable=SC2086
$CC $flags -c ports/bootloader/port.c -o "$out/bootloader_port.o"
echo "freestanding: ports/bootloader/port.c: $(wc -l <ports/bootloader/port.c) lines"
demo_objs="$out/demo.o $out/sha256.o $out/blake2b.o $out/argon2.o $out/port.o $out/bootloader_port.o"
case "$(uname -m)" in
x86_64)
	# shellcheck disable=SC2086
	$CC -nostdlib -static -no-pie -e dmb_freestanding_start -o "$out/demo" \
		$demo_objs "$out/libdmboot-freestanding.o"
	"$out/demo" || { echo "freestanding: demo program failed with status $?" >&2; exit 1; }
	echo "freestanding: a program with no libc mapped and read linear, zero, striped and verity (dmb_verity_open() through the reference bootloader port) tables and derived an Argon2id key: OK"
	;;
*)
	# shellcheck disable=SC2086
	ld -r -o "$out/demo-linked.o" $demo_objs "$out/libdmboot-freestanding.o"
	echo "freestanding: linked (running needs x86-64)"
	;;
esac
