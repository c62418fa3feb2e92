#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# dmboot demo (`make demo`): the boot flow dmboot exists for, on the boot
# layout of issue 12.  Build a disk with the real tools (tests/e2e/
# boot_layout.py: a GPT made by sfdisk with two ESPs and an LVM partition;
# lvm2, on a loop device with activation off, makes VG `internal` on it; one
# LV per OS version, each holding a Discoverable Disk Image that
# systemd-repart made and signed: os_1.0.0 and os_1.1.0 good, os_1.2.0 with
# one byte of its top hash block flipped).  Then list the LVs, list the
# images (the tampered one with its reason), open the newest good one (its LV
# activated, its root mapped through dm-verity), read the kernel and the DTB
# out of the verified root and compare them with what went in, print the
# kernel command line in its three forms (the roothash= form is refused for
# an image in an LV), close it, and see the tampered image refused by name.
# Uses build/dmboot, /usr/bin/python3 with python3-pytest (boot_layout.py
# reuses the e2e tests' helpers), sfdisk, lvm2, systemd-repart, openssl,
# mkfs.vfat, mkfs.ext4, mkswap, unsquashfs and coreutils; lvm2 and
# systemd-repart work through loop devices, so this needs root.
# Exits non-zero on any mismatch; prints "demo: OK" at the end.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DMBOOT="$ROOT/build/dmboot"
WORK="$ROOT/build/demo"
PY=/usr/bin/python3
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
# Run a command that must fail with exit status $1, its messages shown.
refused() {
	want=$1
	shift
	show "$@"
	status=0
	"$@" 2>&1 || status=$?
	[ "$status" -eq "$want" ] || fail "$(show "$@" | cut -c3-) gave exit status $status, not $want"
}
# A value out of layout.json: the expression $1 over l (the layout) and lv (its LVs by name).
layout() {
	"$PY" -c 'import json, sys
l = json.load(open("layout.json"))
lv = {x["name"]: x for x in l["lvs"]}
print(eval(sys.argv[1]))' "$1"
}

cleanup() {
	if [ -d "$DMBOOT_STATE_DIR" ]; then
		"$DMBOOT" dmsetup remove_all >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT

# sfdisk, lvm, losetup and the mkfs tools live in /usr/sbin or /sbin, which may not be on PATH.
find_tool() {
	command -v "$1" 2>/dev/null || {
		for d in /usr/sbin /sbin; do
			[ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
		done
		return 1
	}
}
for t in sfdisk lvm losetup systemd-repart openssl mkfs.vfat mkfs.ext4 mkswap unsquashfs; do
	find_tool "$t" >/dev/null || fail "$t is missing (scripts/install-deps.sh installs it)"
done
"$PY" -c 'import pytest' 2>/dev/null ||
	fail "$PY has no pytest (python3-pytest; scripts/install-deps.sh installs it)"
SFDISK=$(find_tool sfdisk)
if [ "$(id -u)" -ne 0 ]; then
	fail "lvm2 and systemd-repart work through loop devices: run as root"
fi

rm -rf "$WORK"
mkdir -p "$WORK"
echo "dmboot demo: signed OS images in LVM logical volumes, chosen, verified and opened"
echo "dmboot = $DMBOOT, working in $WORK, DMBOOT_STATE_DIR=$DMBOOT_STATE_DIR"

# ---------------------------------------------------------------------------
step "build the disk: GPT (sfdisk), VG internal (lvm2), three signed images (systemd-repart)"
echo "(os_1.0.0 and os_1.1.0 good; os_1.2.0 signed, then one byte of its top hash block flipped)"
show "$PY" tests/e2e/boot_layout.py build/demo/layout --kinds good,good,tampered
"$PY" tests/e2e/boot_layout.py "$WORK/layout" --kinds good,good,tampered 2>"$WORK/build.log" ||
	{ cat "$WORK/build.log" >&2; fail "boot_layout.py failed"; }
cd "$WORK/layout"
mkdir -p "$DMBOOT_STATE_DIR"
show sfdisk --list --output Device,Start,Sectors,Size,Type,Name disk.img
"$SFDISK" --list --output Device,Start,Sectors,Size,Type,Name disk.img
got=$("$SFDISK" --json disk.img | "$PY" -c 'import json, sys
print(" ".join("%s:%s:%s" % (p["name"], p["type"].lower(), p.get("attrs"))
               for p in json.load(sys.stdin)["partitiontable"]["partitions"]))')
[ "$got" = "esp:c12a7328-f81f-11d2-ba4b-00a0c93ec93b:None \
esp-backup:c12a7328-f81f-11d2-ba4b-00a0c93ec93b:None \
internal:e6d6d379-f507-44c2-a23c-238f2a3df928:GUID:59" ] || fail "the GPT holds other partitions: $got"
[ "$(layout '[(x["name"], x["verdict"]) for x in l["lvs"]]')" = \
	"[('os_1.0.0', 'good'), ('os_1.1.0', 'good'), ('os_1.2.0', 'tampered'), \
('data', 'not-an-image'), ('swap', 'not-an-image')]" ] || fail "layout.json lists other LVs"
GOOD=os_1.1.0
BAD=os_1.2.0
ROOT_HASH=$(layout 'lv["'$GOOD'"]["root_hash"]')
KERNEL_SHA=$(layout 'lv["'$GOOD'"]["vmlinuz_sha256"]')
DTB_SHA=$(layout 'lv["'$GOOD'"]["dtb_sha256"]')
echo "disk.img: $(wc -c <disk.img) bytes; systemd-repart reports root hash $ROOT_HASH for $GOOD"
echo "$GOOD's root holds boot/vmlinuz-1.1.0 (sha256 $KERNEL_SHA)"
echo "               and boot/dtbs/1.1.0/board.dtb (sha256 $DTB_SHA)"

# ---------------------------------------------------------------------------
step "the logical volumes, as lvm2's lvs shows them (read straight from the disk image)"
run "$DMBOOT" lvm lvs --devices disk.img
got=$("$DMBOOT" lvm lvs --devices disk.img --noheadings -o lv_name | tr -d ' ' | tr '\n' ' ')
[ "$got" = "data os_1.0.0 os_1.1.0 os_1.2.0 swap " ] || fail "lvs shows other LVs: $got"

# ---------------------------------------------------------------------------
step "the images: each signature checked against trusted.crt, newest bootable first"
run "$DMBOOT" boot list --devices disk.img --trusted-cert trusted.crt
"$DMBOOT" boot list --devices disk.img --trusted-cert trusted.crt --json=short >list.json
got=$("$PY" -c 'import json, sys
print(" ".join("%s:%s:%s" % (i["name"], i["bootable"], i["reason"])
               for i in json.load(open(sys.argv[1]))["images"]))' list.json)
[ "$got" = "os_1.1.0:True:None os_1.0.0:True:None \
os_1.2.0:False:the top hash block does not match the signed root hash" ] ||
	fail "boot list judged the images otherwise: $got"
echo "($BAD is newest but its hash tree does not match its signed root hash: not bootable)"

# ---------------------------------------------------------------------------
step "open the newest good image: its LV activated, root mapped through dm-verity"
run "$DMBOOT" boot open --devices disk.img --trusted-cert trusted.crt
run "$DMBOOT" dmsetup ls
run "$DMBOOT" dmsetup table
[ "$("$DMBOOT" dmsetup table internal-$GOOD)" = "$(layout 'lv["'$GOOD'"]["dm_table"]')" ] ||
	fail "internal-$GOOD's table differs from the one lvm2 would load"
"$DMBOOT" dmsetup table root | grep -q " /dev/mapper/internal-$GOOD:p1 .* sha256 $ROOT_HASH " ||
	fail "the root table does not carry $GOOD's signed root hash"

# ---------------------------------------------------------------------------
step "read the verified root and take the kernel and the DTB out of it"
echo "\$ dmboot dmsetup read root > root.sqfs"
"$DMBOOT" dmsetup read root >root.sqfs
run unsquashfs -no-progress -d extracted root.sqfs boot/vmlinuz-1.1.0 boot/dtbs/1.1.0/board.dtb \
	>/dev/null
got=$(sha256sum <extracted/boot/vmlinuz-1.1.0 | cut -d' ' -f1)
echo "boot/vmlinuz-1.1.0          sha256 $got"
[ "$got" = "$KERNEL_SHA" ] || fail "the kernel read back differs"
got=$(sha256sum <extracted/boot/dtbs/1.1.0/board.dtb | cut -d' ' -f1)
echo "boot/dtbs/1.1.0/board.dtb   sha256 $got"
[ "$got" = "$DTB_SHA" ] || fail "the DTB read back differs"
echo "both match the files that went into the image"

# ---------------------------------------------------------------------------
step "the kernel command line, three ways"
echo "-- dm-mod.create=: Linux builds the LV and the verity device itself, no initramfs needed"
run "$DMBOOT" boot cmdline --devices disk.img --trusted-cert trusted.crt --format dm-mod
line=$("$DMBOOT" boot cmdline --devices disk.img --trusted-cert trusted.crt --format dm-mod)
case $line in
"dm-mod.create=\"internal-$GOOD,LVM-"*",,ro,$(layout 'lv["'$GOOD'"]["kernel_table"]');"*" sha256 $ROOT_HASH "*) ;;
*) fail "the dm-mod.create= line does not hold $GOOD's LV and root hash" ;;
esac
echo "-- roothash=: systemd's initramfs finds the partitions by PARTUUID, which an LV hides"
refused 6 "$DMBOOT" boot cmdline --devices disk.img --trusted-cert trusted.crt --format roothash
[ "$("$DMBOOT" boot cmdline --devices disk.img --trusted-cert trusted.crt --format roothash 2>&1)" = \
	"boot: internal/$GOOD: the image is inside a logical volume, whose partitions the kernel does not scan: use --format=dm-mod or --format=ddi" ] ||
	fail "the roothash= refusal says something else"
echo "(refused as expected, exit status $status: this image has to be named by its LV)"
echo "-- root=ddi:lvm:: an initramfs that activates the LV and opens the image in it"
run "$DMBOOT" boot cmdline --devices disk.img --trusted-cert trusted.crt --format ddi
[ "$("$DMBOOT" boot cmdline --devices disk.img --trusted-cert trusted.crt --format ddi)" = \
	"root=ddi:lvm:internal/$GOOD rd.ddi.roothash=$ROOT_HASH" ] ||
	fail "the ddi:lvm: line differs"

# ---------------------------------------------------------------------------
step "close it"
run "$DMBOOT" boot close
run "$DMBOOT" dmsetup ls
[ "$("$DMBOOT" dmsetup ls)" = "No devices found" ] || fail "boot close left a device"

# ---------------------------------------------------------------------------
step "ask for the tampered image by name: refused before anything is mapped"
refused 4 "$DMBOOT" boot open --devices disk.img --trusted-cert trusted.crt $BAD
[ "$("$DMBOOT" boot open --devices disk.img --trusted-cert trusted.crt $BAD 2>&1)" = \
	"boot: internal/$BAD: cannot boot: the top hash block does not match the signed root hash" ] ||
	fail "the refusal of $BAD says something else"
[ "$("$DMBOOT" dmsetup ls)" = "No devices found" ] || fail "a refused open left a device"
echo "(refused as expected, exit status $status; no device was created)"
refused 4 "$DMBOOT" boot cmdline --devices disk.img --trusted-cert trusted.crt $BAD
echo "(and no command line for it either, exit status $status)"
trap - EXIT
cd "$ROOT"
rm -rf "$WORK"

echo
echo "demo: OK"
