#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Check that an archive exports exactly the public API: every global symbol
# it defines is declared in include/dmboot/, and every function declared
# there is defined.  Internal code (dmbi_*) is made local when the archive
# is built (Makefile: ld -r, then objcopy --keep-global-symbols).  The
# archive of the same objects that keeps every symbol (libdmboot-internal.a
# beside it) must name each global symbol of every lib/ object dmb_* or
# dmbi_*, so no internal name can clash with an embedder's own (a
# Linux-derived bootloader carries verity_fec_decode(), for one).
set -eu
archive=$1
CC=${2:-cc}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/public-symbols.sh "$CC" >"$tmp/declared"
nm -g --defined-only "$archive" | awk 'NF == 3 { print $3 }' |
	grep -v '^__\(asan\|ubsan\|odr_asan\|sancov\)' | sort -u >"$tmp/exported"
status=0
internal=$(dirname "$archive")/libdmboot-internal.a
if [ ! -f "$internal" ]; then
	echo "check-symbols: $internal is missing" >&2
	exit 1
fi
nm -g --defined-only "$internal" | awk 'NF == 3 { print $3 }' |
	grep -v '^__\(asan\|ubsan\|odr_asan\|sancov\)' | sort -u >"$tmp/all"
for s in $(grep -v '^dmbi\?_' "$tmp/all"); do
	echo "check-symbols: $internal defines $s globally, without the dmb_ or dmbi_ prefix" >&2
	status=1
done
for s in $(comm -23 "$tmp/exported" "$tmp/declared"); do
	echo "check-symbols: $archive exports $s, which no public header declares" >&2
	status=1
done
for s in $(comm -13 "$tmp/exported" "$tmp/declared"); do
	echo "check-symbols: include/dmboot/ declares $s, which $archive does not define" >&2
	status=1
done
[ $status -eq 0 ] && echo "check-symbols: $archive exports the $(wc -l <"$tmp/declared") public symbols and nothing else"
exit $status
