#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# dmboot demo (`make demo`): the boot flow dmboot exists for.  Build a signed
# Discoverable Disk Image with systemd-repart (an ESP, a squashfs root holding
# /boot/vmlinuz and a device tree, its dm-verity hash partition and a
# signature partition made with a throwaway key and certificate), inspect it,
# open it (the signature is checked against the certificate before anything
# is mapped), read the kernel and the DTB out of the verified root, print the
# kernel command line that has Linux build the same mapping, and close it.
# Then the refusals: another certificate, and a flipped byte in the root.
# Uses build/dmboot, systemd-repart, openssl, squashfs-tools, python3 and
# coreutils; systemd-repart formats through loop devices, so this needs root.
# Exits non-zero on any mismatch; prints "demo: OK" at the end.
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

cleanup() {
	if [ -d "$DMBOOT_STATE_DIR" ]; then
		"$DMBOOT" dmsetup remove_all >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

# systemd-repart and sfdisk live in /usr/bin and /usr/sbin; the latter may not be on PATH.
find_tool() {
	command -v "$1" 2>/dev/null || {
		for d in /usr/sbin /sbin; do
			[ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
		done
		return 1
	}
}
for t in systemd-repart openssl mksquashfs unsquashfs python3; do
	find_tool "$t" >/dev/null || fail "$t is missing (scripts/install-deps.sh installs it)"
done
REPART=$(find_tool systemd-repart)
if [ "$(id -u)" -ne 0 ]; then
	fail "systemd-repart formats the partitions through loop devices: run as root"
fi

rm -rf "$WORK"
mkdir -p "$WORK/tree/boot/dtbs" "$WORK/repart.d" "$DMBOOT_STATE_DIR"
cd "$WORK"
echo "dmboot demo: a signed discoverable disk image, opened and read through dm-verity"
echo "dmboot = $DMBOOT, working in $WORK, DMBOOT_STATE_DIR=$DMBOOT_STATE_DIR"

# ---------------------------------------------------------------------------
step "make the root file system's content: a kernel and a device tree"
# A stand-in kernel (random bytes behind the "MZ" of an EFI stub image) and a
# real, minimal flattened device tree: / with compatible = "dmboot,demo".
{ printf 'MZ'; head -c 4194304 /dev/urandom; } >tree/boot/vmlinuz
python3 - tree/boot/dtbs/demo.dtb <<'EOF'
import struct, sys
strings = b"compatible\0"
value = b"dmboot,demo\0"
dt = (struct.pack(">I", 1) + b"\0" * 4 +                       # FDT_BEGIN_NODE ""
      struct.pack(">III", 3, len(value), 0) + value +           # FDT_PROP compatible
      struct.pack(">II", 2, 9))                                 # FDT_END_NODE, FDT_END
rsv = b"\0" * 16
off_rsv = 40
off_dt = off_rsv + len(rsv)
off_str = off_dt + len(dt)
total = off_str + len(strings)
hdr = struct.pack(">10I", 0xd00dfeed, total, off_dt, off_str, off_rsv, 17, 16, 0,
                  len(strings), len(dt))
open(sys.argv[1], "wb").write(hdr + rsv + dt + strings)
EOF
echo "hello from the verified root" >tree/hello.txt
mkdir tree/usr
KERNEL_SHA=$(sha256sum <tree/boot/vmlinuz | cut -d' ' -f1)
DTB_SHA=$(sha256sum <tree/boot/dtbs/demo.dtb | cut -d' ' -f1)
echo "boot/vmlinuz:        $(wc -c <tree/boot/vmlinuz) bytes, sha256 $KERNEL_SHA"
echo "boot/dtbs/demo.dtb:  $(wc -c <tree/boot/dtbs/demo.dtb) bytes, sha256 $DTB_SHA"

# ---------------------------------------------------------------------------
step "make a throwaway signing key and certificate (and another one, not trusted)"
run openssl req -x509 -new -nodes -newkey rsa:2048 -keyout demo.key -out demo.crt \
	-subj /CN=dmboot-demo -days 1 2>/dev/null
openssl req -x509 -new -nodes -newkey rsa:2048 -keyout intruder.key -out intruder.crt \
	-subj /CN=intruder -days 1 2>/dev/null
openssl x509 -in demo.crt -noout -subject -fingerprint -sha256

# ---------------------------------------------------------------------------
step "build the DDI with systemd-repart: ESP, squashfs root, root-verity, root-verity-sig"
cat >repart.d/10-esp.conf <<EOF
[Partition]
Type=esp
Format=vfat
SizeMinBytes=2M
EOF
cat >repart.d/20-root.conf <<EOF
[Partition]
Type=root
Format=squashfs
CopyFiles=$WORK/tree:/
Verity=data
VerityMatchKey=root
EOF
cat >repart.d/30-root-verity.conf <<EOF
[Partition]
Type=root-verity
Verity=hash
VerityMatchKey=root
EOF
cat >repart.d/40-root-verity-sig.conf <<EOF
[Partition]
Type=root-verity-sig
Verity=signature
VerityMatchKey=root
EOF
for f in repart.d/*.conf; do
	echo "--- $f"
	sed "s|$WORK/||" "$f"
done
show systemd-repart --definitions=repart.d --empty=create --size=auto --dry-run=no \
	--private-key=demo.key --certificate=demo.crt --json=short disk.raw
"$REPART" --definitions=repart.d --empty=create --size=auto --dry-run=no \
	--private-key=demo.key --certificate=demo.crt --json=short disk.raw >repart.json 2>repart.log ||
	{ cat repart.log >&2; fail "systemd-repart failed"; }
ROOT_HASH=$(python3 -c 'import json,sys
print([p["roothash"] for p in json.load(open(sys.argv[1])) if p["roothash"]][0])' repart.json)
echo "disk.raw: $(wc -c <disk.raw) bytes; systemd-repart reports root hash $ROOT_HASH"

# ---------------------------------------------------------------------------
step "inspect the image (what systemd-dissect shows, plus the root hash and its signature)"
run "$DMBOOT" ddi inspect disk.raw --trusted-cert demo.crt

step "try to open it trusting another certificate: refused before anything is mapped"
show "$DMBOOT" ddi open disk.raw --trusted-cert intruder.crt
status=0
"$DMBOOT" ddi open disk.raw --trusted-cert intruder.crt 2>&1 || status=$?
[ "$status" -eq 10 ] || fail "an untrusted signer gave exit status $status, not 10"
[ "$("$DMBOOT" dmsetup ls)" = "No devices found" ] || fail "a refused open left a device"
echo "(refused as expected, exit status $status; no device was created)"

# ---------------------------------------------------------------------------
step "open it: the signature checks out, root is mapped through dm-verity"
run "$DMBOOT" ddi open disk.raw --trusted-cert demo.crt --require-signature
run "$DMBOOT" dmsetup ls
run "$DMBOOT" dmsetup table root
"$DMBOOT" dmsetup table root | grep -q " sha256 $ROOT_HASH " ||
	fail "the root table does not carry the signed root hash"

# ---------------------------------------------------------------------------
step "read the verified root and take the kernel and the DTB out of it"
echo "\$ dmboot dmsetup read root > root.fs"
"$DMBOOT" dmsetup read root >root.fs
run unsquashfs -no-progress -d extracted root.fs boot/vmlinuz boot/dtbs/demo.dtb >/dev/null
got=$(sha256sum <extracted/boot/vmlinuz | cut -d' ' -f1)
echo "boot/vmlinuz        sha256 $got"
[ "$got" = "$KERNEL_SHA" ] || fail "the kernel read back differs"
cmp tree/boot/vmlinuz extracted/boot/vmlinuz || fail "the kernel read back differs"
got=$(sha256sum <extracted/boot/dtbs/demo.dtb | cut -d' ' -f1)
echo "boot/dtbs/demo.dtb  sha256 $got"
[ "$got" = "$DTB_SHA" ] || fail "the DTB read back differs"
cmp tree/boot/dtbs/demo.dtb extracted/boot/dtbs/demo.dtb || fail "the DTB read back differs"
echo "both match the files that went into the image"

# ---------------------------------------------------------------------------
step "the kernel command line: Linux builds the same verity device, no initramfs needed"
run "$DMBOOT" ddi cmdline disk.raw --trusted-cert demo.crt --require-signature
echo "(root_hash_sig_key_desc cannot travel in dm-mod.create=: the signature was checked here)"

step "close it"
run "$DMBOOT" ddi close disk.raw
run "$DMBOOT" dmsetup ls

# ---------------------------------------------------------------------------
step "flip one byte of the kernel inside a copy of the image: the read that meets it fails"
cp disk.raw tampered.raw
OFF=$(python3 -c 'import sys
img = open(sys.argv[1], "rb").read()
k = open(sys.argv[2], "rb").read()
print(img.find(k[1048576:1048576 + 4096]))' disk.raw tree/boot/vmlinuz)
[ "$OFF" -gt 0 ] || fail "the kernel's bytes were not found in the image"
printf '\377' | dd of=tampered.raw bs=1 seek="$OFF" conv=notrunc status=none
echo "byte $OFF of tampered.raw (1 MiB into boot/vmlinuz) changed"
run "$DMBOOT" ddi open tampered.raw --trusted-cert demo.crt --require-signature
show "$DMBOOT" dmsetup read root
if "$DMBOOT" dmsetup read root >/dev/null 2>read.err; then
	fail "a tampered root read back without an error"
fi
cat read.err
echo "\$ dmboot dmsetup read root --length 65536   # the blocks before it still read"
"$DMBOOT" dmsetup read root --length 65536 | cmp - root.fs -n 65536 ||
	fail "the untouched start of the root differs"
echo "the first 64 KiB read back and match"
run "$DMBOOT" ddi close tampered.raw
trap - EXIT
cd "$ROOT"
rm -rf "$WORK"

echo
echo "demo: OK"
