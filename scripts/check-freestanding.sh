#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Prove that lib/ embeds: build it with -ffreestanding -nostdinc (only the
# compiler's own headers and include/), check that its undefined symbols are
# exactly the port's and that it has no writable global data, then link it
# with ports/freestanding/ into a program with no libc and run it.
set -eu
CC=${1:-cc}
cd "$(dirname "$0")/.."
out=build/freestanding
rm -rf "$out"; mkdir -p "$out"

srcs=$(printf 'include lib/sources.mk\nall:\n\t@echo $(DMBOOT_LIB_SRCS)\n' | make -s -f -)
# jsmn (the JSON tokenizer of the verity signature partition) is one header
# that needs only <stddef.h>; it is reached without the rest of /usr/include.
mkdir -p "$out/jsmn"
cp "${JSMN_H:-/usr/include/jsmn.h}" "$out/jsmn/jsmn.h"
flags="-std=c11 -O2 -ffreestanding -nostdinc -isystem $($CC -print-file-name=include) -Iinclude
       -I$out/jsmn
       -fno-stack-protector -fno-pic -Wall -Wextra -Wpedantic -Wshadow -Wformat=2
       -Wmissing-prototypes -Wstrict-prototypes -Wvla -Werror"
for s in $srcs; do
	# shellcheck disable=SC2086
	$CC $flags -c "lib/$s" -o "$out/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')"
done
ld -r -o "$out/libdmboot-freestanding.o" "$out"/*.o

allowed="dmb_port_fatal dmb_port_free dmb_port_log dmb_port_malloc memcmp memcpy memmove memset"
needed=$(nm -u "$out/libdmboot-freestanding.o" | awk '{print $2}' | sort -u | tr '\n' ' ' | sed 's/ $//')
echo "freestanding: lib/ needs: $needed"
for sym in $needed; do
	case " $allowed " in
	*" $sym "*) ;;
	*) echo "freestanding: lib/ needs '$sym', which the port header does not provide" >&2; exit 1 ;;
	esac
done
# No mutable global state: no .data or .bss symbols (D/d/B/b/C/G/g/S/s).
mutable=$(nm "$out/libdmboot-freestanding.o" | awk '$2 ~ /^[DdBbCGgSs]$/ {print $3}' | tr '\n' ' ')
if [ -n "$mutable" ]; then
	echo "freestanding: lib/ has writable global data: $mutable" >&2
	exit 1
fi
echo "freestanding: lib/ has no writable global data"

# shellcheck disable=SC2086
$CC $flags -c ports/freestanding/port.c -o "$out/port.o"
# shellcheck disable=SC2086
$CC $flags -c ports/freestanding/demo.c -o "$out/demo.o"
case "$(uname -m)" in
x86_64)
	$CC -nostdlib -static -no-pie -e dmb_freestanding_start -o "$out/demo" \
		"$out/demo.o" "$out/port.o" "$out/libdmboot-freestanding.o"
	"$out/demo" || { echo "freestanding: demo program failed with status $?" >&2; exit 1; }
	echo "freestanding: a program with no libc mapped and read a table: OK"
	;;
*)
	ld -r -o "$out/demo-linked.o" "$out/demo.o" "$out/port.o" "$out/libdmboot-freestanding.o"
	echo "freestanding: linked (running needs x86-64)"
	;;
esac
