#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# dmboot demo (`make demo`): build a small ext4 filesystem image, stripe it
# over two image files with a 2-way striped device, stack a linear device on
# top, read the filesystem back through the stack and check every byte and
# file.  Uses only build/dmboot, coreutils and (when present) e2fsprogs.
# Exits non-zero on any mismatch; prints "demo: OK" at the end.
# DMBOOT_DEMO_PLAIN=1 forces the fallback used when e2fsprogs is missing
# (a plain image with the files at known offsets).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DMBOOT="$ROOT/build/dmboot"
WORK="$ROOT/build/demo"
export DMBOOT_STATE_DIR="$WORK/state"

if [ ! -x "$DMBOOT" ]; then
	echo "demo: $DMBOOT is missing; run 'make all' first" >&2
	exit 1
fi

step=0
step() {
	step=$((step + 1))
	echo
	echo "== Step $step: $*"
}
# Print a command the way one would type it (dmboot for build/dmboot).
show() {
	line="\$"
	for a in "$@"; do
		[ "$a" = "$DMBOOT" ] && a=dmboot
		case $a in
		"" | *[!A-Za-z0-9_./:=,+-]*) line="$line '$a'" ;;
		*) line="$line $a" ;;
		esac
	done
	echo "$line"
}
run() {
	show "$@"
	"$@"
}
fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}
dm() {
	"$DMBOOT" dmsetup "$@"
}

cleanup() {
	if [ -d "$DMBOOT_STATE_DIR" ]; then
		"$DMBOOT" dmsetup remove_all >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

# e2fsprogs lives in /sbin on Debian, which may not be on a user's PATH.
find_tool() {
	command -v "$1" 2>/dev/null || {
		for d in /usr/sbin /sbin; do
			[ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
		done
		return 1
	}
}
MKE2FS=$(find_tool mke2fs || true)
DEBUGFS=$(find_tool debugfs || true)
HAVE_E2FS=0
if [ -n "$MKE2FS" ] && [ -n "$DEBUGFS" ] && [ "${DMBOOT_DEMO_PLAIN:-0}" != 1 ]; then
	HAVE_E2FS=1
fi

IMG_MIB=8
SECTORS=$((IMG_MIB * 2048))      # 512-byte sectors
CHUNK=128                        # sectors per stripe chunk (64 KiB)
CHUNK_BYTES=$((CHUNK * 512))
HALF_MIB=$((IMG_MIB / 2))

rm -rf "$WORK"
mkdir -p "$WORK/src" "$DMBOOT_STATE_DIR"
cd "$WORK"
echo "dmboot demo: a filesystem image on linear over 2-way striped devices"
echo "dmboot = $DMBOOT, working in $WORK, DMBOOT_STATE_DIR=$DMBOOT_STATE_DIR"

# ---------------------------------------------------------------------------
step "make the source files (hello.txt: known text, blob.bin: 1 MiB random)"
{
	echo "Hello from dmboot! This file was read back through linear-over-striped."
	i=1
	while [ "$i" -le 4096 ]; do
		# 60 bytes a line: 4096 lines = 240 KiB, spread over four 64 KiB chunks.
		printf 'hello.txt line %04d: the quick brown fox jumps over the dog\n' "$i"
		i=$((i + 1))
	done
} >src/hello.txt
head -c 1048576 /dev/urandom >src/blob.bin
HELLO_LINES=$(grep -c '^hello.txt line ' src/hello.txt)
BLOB_SHA=$(sha256sum <src/blob.bin | cut -d' ' -f1)
HELLO_SHA=$(sha256sum <src/hello.txt | cut -d' ' -f1)
echo "hello.txt: $(wc -c <src/hello.txt) bytes, $HELLO_LINES numbered lines, sha256 $HELLO_SHA"
echo "blob.bin:  $(wc -c <src/blob.bin) bytes, sha256 $BLOB_SHA"

# ---------------------------------------------------------------------------
if [ "$HAVE_E2FS" = 1 ]; then
	step "make an ${IMG_MIB} MiB ext4 filesystem image holding them (no root needed)"
	run "$MKE2FS" -q -t ext4 -L dmboot-demo -d src fs.img ${IMG_MIB}M
else
	step "make an ${IMG_MIB} MiB plain image (e2fsprogs not found: no mke2fs/debugfs)"
	echo "note: mke2fs/debugfs are missing (Debian package e2fsprogs); the demo uses a"
	echo "      plain image instead: hello.txt at byte 0, blob.bin at byte 1 MiB."
	head -c $((IMG_MIB * 1048576)) /dev/zero >fs.img
	dd if=src/hello.txt of=fs.img conv=notrunc status=none
	dd if=src/blob.bin of=fs.img bs=1M seek=1 conv=notrunc status=none
fi
[ "$(wc -c <fs.img)" -eq $((SECTORS * 512)) ] || fail "fs.img is not $IMG_MIB MiB"
IMG_SHA=$(sha256sum <fs.img | cut -d' ' -f1)
echo "fs.img: $(wc -c <fs.img) bytes = $SECTORS sectors, sha256 $IMG_SHA"

# ---------------------------------------------------------------------------
step "make two empty backing files, ${HALF_MIB} MiB each plus 1 MiB spare"
run truncate -s $(((HALF_MIB + 1) * 1048576)) a.img b.img
ls -l a.img b.img

# ---------------------------------------------------------------------------
step "create a 2-way striped device over them (chunk $CHUNK sectors = 64 KiB)"
run "$DMBOOT" dmsetup create demo-stripe --table "0 $SECTORS striped 2 $CHUNK a.img 0 b.img 0"

step "write the filesystem image into the striped device"
echo "\$ dmboot dmsetup write demo-stripe < fs.img"
dm write demo-stripe <fs.img

step "stack a linear device on top of the striped one"
run "$DMBOOT" dmsetup create demo-root --table "0 $SECTORS linear /dev/mapper/demo-stripe 0"

# ---------------------------------------------------------------------------
step "look at the devices"
run "$DMBOOT" dmsetup ls
run "$DMBOOT" dmsetup table
run "$DMBOOT" dmsetup table --concise
run "$DMBOOT" dmsetup info demo-root

# ---------------------------------------------------------------------------
step "read the whole filesystem back through the stack and compare"
echo "\$ dmboot dmsetup read demo-root > out.img"
dm read demo-root >out.img
run cmp fs.img out.img || fail "out.img differs from fs.img"
echo "out.img: identical to fs.img ($(wc -c <out.img) bytes)"

step "read a range that crosses a chunk boundary (--offset/--length)"
OFF=$((CHUNK_BYTES - 1000))
LEN=3000
echo "\$ dmboot dmsetup read demo-root --offset $OFF --length $LEN > range.bin"
dm read demo-root --offset $OFF --length $LEN >range.bin
tail -c +$((OFF + 1)) fs.img | head -c $LEN >range.ref
cmp range.bin range.ref || fail "ranged read differs"
echo "bytes $OFF..$((OFF + LEN - 1)): identical to fs.img"

# ---------------------------------------------------------------------------
if [ "$HAVE_E2FS" = 1 ]; then
	step "extract the files from out.img with debugfs and check them"
	echo "\$ $DEBUGFS -R 'cat /hello.txt' out.img > hello.out"
	"$DEBUGFS" -R 'cat /hello.txt' out.img >hello.out 2>debugfs.err ||
		{ cat debugfs.err >&2; fail "debugfs cat failed"; }
	echo "\$ $DEBUGFS -R 'dump /blob.bin blob.out' out.img"
	"$DEBUGFS" -R 'dump /blob.bin blob.out' out.img >/dev/null 2>debugfs.err ||
		{ cat debugfs.err >&2; fail "debugfs dump failed"; }
	[ -s blob.out ] || { cat debugfs.err >&2; fail "debugfs dump produced nothing"; }
	echo "\$ $DEBUGFS -R 'ls -l /' out.img"
	"$DEBUGFS" -R 'ls -l /' out.img 2>/dev/null
else
	step "extract the files from out.img at their known offsets and check them"
	head -c "$(wc -c <src/hello.txt)" out.img >hello.out
	tail -c +1048577 out.img | head -c 1048576 >blob.out
fi
echo "first line of hello.txt: $(head -n 1 hello.out)"
got=$(sha256sum <hello.out | cut -d' ' -f1)
echo "hello.txt sha256: $got"
[ "$got" = "$HELLO_SHA" ] || fail "hello.txt differs"
cmp src/hello.txt hello.out || fail "hello.txt differs"
got=$(sha256sum <blob.out | cut -d' ' -f1)
echo "blob.bin  sha256: $got (expected $BLOB_SHA)"
[ "$got" = "$BLOB_SHA" ] || fail "blob.bin sha256 differs"
echo "both files match"

# ---------------------------------------------------------------------------
step "show the data really is striped over a.img and b.img"
n_out=$(grep -a -c '^hello.txt line ' out.img || true)
n_a=$(grep -a -c '^hello.txt line ' a.img || true)
n_b=$(grep -a -c '^hello.txt line ' b.img || true)
printf '%-28s %6s\n' "where" "lines of hello.txt found"
printf '%-28s %6s\n' "out.img (read via demo-root)" "$n_out"
printf '%-28s %6s\n' "a.img alone" "$n_a"
printf '%-28s %6s\n' "b.img alone" "$n_b"
[ "$n_out" -eq "$HELLO_LINES" ] || fail "the stacked read shows $n_out of $HELLO_LINES lines"
if [ "$n_a" -eq 0 ] || [ "$n_b" -eq 0 ]; then
	fail "hello.txt is not spread over both backing files"
fi
if [ "$n_a" -ge "$HELLO_LINES" ] || [ "$n_b" -ge "$HELLO_LINES" ]; then
	fail "one backing file holds all of hello.txt"
fi
echo "neither backing file holds hello.txt whole: its 64 KiB chunks alternate a, b, a, b"
echo "(a line cut by a chunk boundary is whole in neither file)"

echo "rebuilding the image by interleaving 64 KiB chunks of a.img and b.img ..."
: >interleaved.img
k=0
NCHUNKS=$((SECTORS / CHUNK))
while [ "$k" -lt "$NCHUNKS" ]; do
	if [ $((k % 2)) -eq 0 ]; then f=a.img; else f=b.img; fi
	dd if=$f bs=$CHUNK_BYTES skip=$((k / 2)) count=1 status=none >>interleaved.img
	k=$((k + 1))
done
run cmp fs.img interleaved.img || fail "interleaved chunks differ from fs.img"
echo "chunk k of the device = chunk k/2 of (k even ? a.img : b.img), for all $NCHUNKS chunks"

# ---------------------------------------------------------------------------
step "remove the devices"
if run "$DMBOOT" dmsetup remove demo-stripe 2>&1; then
	fail "removed a device still in use"
fi
echo "(refused as expected: demo-root still uses demo-stripe)"
run "$DMBOOT" dmsetup remove_all
run "$DMBOOT" dmsetup ls
trap - EXIT
cd "$ROOT"
rm -rf "$WORK"

echo
echo "demo: OK"
