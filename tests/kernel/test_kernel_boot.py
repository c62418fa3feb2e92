# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""The boot handoff of issue 12: the boot layout (tests/e2e/boot_layout.py: a GPT disk
with an LVM partition, VG `internal`, one LV per signed DDI) given to the VM as a disk,
and `boot cmdline`'s dm-mod.create= value (the LV over the PARTUUID= of the LVM
partition, root-data and root-hash over /dev/dm-0, verity over /dev/dm-1 and /dev/dm-2)
given to the VM's `dmsetup create --concise` with no other device mapped, so that the
/dev/dm-N names resolve as they do at boot.  The kernel maps the tables dmboot's
`boot open` maps, its verity status is V, and the root mounts with the kernel and
device tree layout.json names.  The tampered image (top hash block flipped), which
`boot cmdline` refuses, gets the same line built by hand from layout.json: the kernel
creates it and fails every read; dmboot refuses the same verity table when it is loaded."""
import json
import re
import subprocess
import sys

import vm

LAYOUT_SCRIPT = vm.ROOT / "tests" / "e2e" / "boot_layout.py"
GOOD = "os_1.1.0"          # the newest bootable image of the layout
TAMPERED = "os_1.2.0"
SECTOR = 512


def _layout(c):
    """The layout, built once for every case of this file (the guest only reads it)."""
    where = c.dir.parent / "_boot_layout"
    if not (where / "layout.json").exists():
        p = subprocess.run([sys.executable, str(LAYOUT_SCRIPT), str(where)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=300)
        assert p.returncode == 0, "boot_layout.py: %d %s" % (p.returncode, p.stderr)
    lay = json.loads((where / "layout.json").read_text())
    return where, {lv["name"]: lv for lv in lay["lvs"]}, lay


def _u32(b, at):
    return int.from_bytes(b[at:at + 4], "little")


def _parts(lv):
    """(partition number, partition) of the image's root data and its verity hash, by
    their place in repart's report (the order of the image's GPT entries)."""
    parts = lv["partitions"]
    num = {p["uuid"]: i + 1 for i, p in enumerate(parts)}
    data = [p for p in parts if p["uuid"] == lv["root_partuuid"]][0]
    hashp = [p for p in parts if p["uuid"] == lv["verity_partuuid"]][0]
    return (num[data["uuid"]], data), (num[hashp["uuid"]], hashp)


def hand_line(where, lv, uuid=""):
    """The dm-mod.create= value for image LV `lv` from layout.json and the image's
    verity superblock alone (formats.md), in the form `boot cmdline` prints."""
    (_, data), (_, hashp) = _parts(lv)
    raw = (where / lv["image"]).read_bytes()
    sb = raw[hashp["offset"]:hashp["offset"] + SECTOR]
    assert sb[:8] == b"verity\0\0", "no verity superblock in %s" % lv["image"]
    hash_type = _u32(sb, 12)
    algorithm = sb[32:64].rstrip(b"\0").decode()
    data_block, hash_block = _u32(sb, 64), _u32(sb, 68)
    blocks = int.from_bytes(sb[72:80], "little")
    assert hash_block == lv["hash_block_bytes"]
    lv_table = ",".join(lv["kernel_table"].strip().splitlines())
    return ("%s,%s,,ro,%s;"
            "root-data,,,ro,0 %d linear /dev/dm-0 %d;"
            "root-hash,,,ro,0 %d linear /dev/dm-0 %d;"
            "root,,,ro,0 %d verity %d /dev/dm-1 /dev/dm-2 %d %d %d 1 %s %s %s"
            % (lv["kernel_name"], uuid, lv_table,
               data["bytes"] // SECTOR, data["offset"] // SECTOR,
               hashp["bytes"] // SECTOR, hashp["offset"] // SECTOR,
               blocks * data_block // SECTOR, hash_type, data_block, hash_block, blocks,
               algorithm, lv["root_hash"], lv["salt"] or "-"))


GUEST_START = """
dmsetup remove_all >/dev/null 2>&1
dmesg -c >/dev/null 2>&1
step before dmsetup ls
step create dmsetup create --concise "$(cat create.txt)"
mk
step info dmsetup info -c --noheadings --separator ' ' -o name,major,minor
step t_lv dmsetup table {lv}
step t_data dmsetup table root-data
step t_hash dmsetup table root-hash
step t_root dmsetup table root
step s_lv dmsetup status {lv}
"""


def _common(c, name, line):
    where, lvs, _ = _layout(c)
    lv = lvs[name]
    c.data.update(lv=lv, line=line, disk=c.use(where / "disk.img"))
    c.file("create.txt", line)
    c.guest(GUEST_START.format(lv=lv["kernel_name"]))
    return where, lv


@vm.case("boot_cmdline_handoff")
def _good(c):
    where, lvs, lay = _layout(c)
    disk, cert = str(where / "disk.img"), str(where / "trusted.crt")
    args = ["--devices", disk, "--trusted-cert", cert]
    cmdline = c.dmboot_text("boot", "cmdline", *args).strip()
    m = re.search(r'dm-mod\.create="([^"]*)"', cmdline)
    assert m, cmdline
    _, lv = _common(c, GOOD, m.group(1))
    uuid = m.group(1).split(",")[1]
    c.data.update(cmdline=cmdline, uuid=uuid, vg_uuid=lay["pv"]["vg_uuid"],
                  hand=hand_line(where, lv, uuid))
    opened = c.dmboot("boot", "open", *args)
    c.data["open"] = opened.stdout.decode()
    name = lv["kernel_name"]
    c.data["host"] = {
        "ls": c.dmboot_text("dmsetup", "ls"),
        "t_lv": c.dmboot_text("dmsetup", "table", name),
        "t_root": c.dmboot_text("dmsetup", "table", "root"),
        "s_lv": c.dmboot_text("dmsetup", "status", name),
        "s_root": c.dmboot_text("dmsetup", "status", "root"),
        "sha": vm.sha256(c.dmboot("dmsetup", "read", "root").stdout),
    }
    c.guest("""
step s_root dmsetup status root
step sha devsha root
mkdir -p /mnt
step mount mount -t squashfs -o ro /dev/mapper/root /mnt
step vmlinuz sh -c "sha256sum /mnt{kernel} | cut -d' ' -f1"
step dtb sh -c "sha256sum /mnt{dtb} | cut -d' ' -f1"
step osrel sh -c "sha256sum /mnt/usr/lib/os-release | cut -d' ' -f1"
umount /mnt
""".format(kernel=lv["kernel"], dtb=lv["dtb"]))


@vm.case("boot_cmdline_tampered")
def _tampered(c):
    where, lvs, _ = _layout(c)
    disk, cert = str(where / "disk.img"), str(where / "trusted.crt")
    args = ["--devices", disk, "--trusted-cert", cert, TAMPERED]
    refused = {}
    for cmd in ("cmdline", "open"):
        p = c.dmboot("boot", cmd, *args, check=False)
        refused[cmd] = (p.returncode, p.stdout.decode(), p.stderr.decode())
    refused["ls"] = c.dmboot_text("dmsetup", "ls")
    _, lv = _common(c, TAMPERED, hand_line(where, lvs[TAMPERED]))
    # dmboot given the same tables by hand: it refuses the verity one at load.
    (dn, _), (hn, _) = _parts(lv)
    name = lv["kernel_name"]
    c.dmboot("dmsetup", "create", name, "--readonly", "--table",
             lv["dm_table"].replace("disk.img", disk))
    root = hand_line(where, lv).split(";")[3].split(",", 4)[4]
    root = root.replace("/dev/dm-1", "/dev/mapper/%s:p%d" % (name, dn))
    root = root.replace("/dev/dm-2", "/dev/mapper/%s:p%d" % (name, hn))
    p = c.dmboot("dmsetup", "create", "root", "--readonly", "--table", root, check=False)
    refused["create"] = (p.returncode, p.stderr.decode())
    refused["t_root"] = root + "\n"
    c.data["refused"] = refused
    c.guest("""
step s_before dmsetup status root
step read0 dd if=/dev/mapper/root of=/dev/null bs=512 count=1 iflag=direct
step s_after dmsetup status root
mkdir -p /mnt
step mount mount -t squashfs -o ro /dev/mapper/root /mnt
step log sh -c "dmesg | grep -i verity"
""")


def _minors(c):
    """The guest's mapped devices: {name: (major, minor)}, after checking that none
    was mapped before the line was loaded."""
    assert vm.ok(c, "before") == "No devices found\n"
    vm.ok(c, "create")
    out = {}
    for row in vm.ok(c, "info").splitlines():
        n, major, minor = row.split()
        out[n] = (major, int(minor))
    return out


def _assert_kernel_maps_line(c):
    """The four devices have the minors 0..3 the /dev/dm-N names of the line assume, and
    tables that are the line's: the LV on the LVM partition, the two linear devices on
    the LV at the image's partitions; returns the guest's table of root with the
    linear devices named as dmboot's `boot open` names the LV's partitions, and the
    guest's major:minor of each device."""
    lv = c.data["lv"]
    name = lv["kernel_name"]
    dev = _minors(c)
    assert {n: m for n, (_, m) in dev.items()} == \
        {name: 0, "root-data": 1, "root-hash": 2, "root": 3}
    majmin = {n: "%s:%d" % d for n, d in dev.items()}
    assert c.guest_norm(vm.ok(c, "t_lv")) == \
        c.host_norm(lv["dm_table"].replace("disk.img", c.data["disk"]))
    (dn, data), (hn, hashp) = _parts(lv)
    assert vm.ok(c, "t_data") == "0 %d linear %s %d\n" % (
        data["bytes"] // SECTOR, majmin[name], data["offset"] // SECTOR)
    assert vm.ok(c, "t_hash") == "0 %d linear %s %d\n" % (
        hashp["bytes"] // SECTOR, majmin[name], hashp["offset"] // SECTOR)
    root = vm.ok(c, "t_root")
    assert re.search(r" verity 1 %s %s " % (majmin["root-data"], majmin["root-hash"]), root)
    root = root.replace(majmin["root-data"], "/dev/mapper/%s:p%d" % (name, dn))
    return root.replace(majmin["root-hash"], "/dev/mapper/%s:p%d" % (name, hn)), majmin


def test_boot_cmdline_is_the_layout_line(kernel):
    c = kernel("boot_cmdline_handoff")
    lv = c.data["lv"]
    assert c.data["cmdline"] == 'dm-mod.create="%s" root=/dev/dm-3 dm-mod.waitfor=PARTUUID=%s' \
        % (c.data["line"], lv["pv_partuuid"])
    assert re.fullmatch("LVM-%s[0-9A-Za-z]{32}" % c.data["vg_uuid"].replace("-", ""),
                        c.data["uuid"])
    assert c.data["line"] == c.data["hand"]
    assert c.data["open"] == "internal/%s: version %s mapped as /dev/mapper/root\n" \
        % (GOOD, lv["version"])
    assert sorted(re.findall(r"^(\S+)\t", c.data["host"]["ls"], re.M)) == \
        [lv["kernel_name"], "root"]


def test_boot_cmdline_handoff_maps_what_boot_open_maps(kernel):
    c = kernel("boot_cmdline_handoff")
    host = c.data["host"]
    root, _ = _assert_kernel_maps_line(c)
    assert c.guest_norm(vm.ok(c, "t_lv")) == c.host_norm(host["t_lv"])
    assert root == host["t_root"]
    assert vm.ok(c, "s_lv") == host["s_lv"]
    assert vm.ok(c, "s_root") == host["s_root"] == "0 4096 verity V\n"
    assert vm.ok(c, "sha").strip() == host["sha"]


def test_boot_cmdline_handoff_mounts_the_root(kernel):
    c = kernel("boot_cmdline_handoff")
    lv = c.data["lv"]
    vm.ok(c, "mount")
    assert vm.ok(c, "vmlinuz").strip() == lv["vmlinuz_sha256"]
    assert vm.ok(c, "dtb").strip() == lv["dtb_sha256"]
    assert vm.ok(c, "osrel").strip() == lv["os_release_sha256"]


def test_boot_refuses_the_tampered_image(kernel):
    c = kernel("boot_cmdline_tampered")
    r = c.data["refused"]
    why = "boot: internal/%s: cannot boot: the top hash block does not match the signed " \
          "root hash\n" % TAMPERED
    assert r["cmdline"] == (4, "", why)
    assert r["open"] == (4, "", why)
    assert r["ls"] == "No devices found\n"
    _, (hn, _) = _parts(c.data["lv"])
    assert r["create"] == (1, "dmsetup: create root: line 1: verity: metadata block 1 of "
                           "/dev/mapper/internal-%s:p%d, the top of the hash tree, does not "
                           "match the root digest: a wrong root hash or salt, or a corrupt "
                           "hash device\n" % (TAMPERED, hn))


def test_kernel_fails_the_tampered_image_at_read(kernel):
    c = kernel("boot_cmdline_tampered")
    root, majmin = _assert_kernel_maps_line(c)
    # The kernel loads the verity table dmboot refuses to load.
    assert root == c.data["refused"]["t_root"]
    # Creation succeeds (dm-verity checks nothing then); the first read fails.
    assert vm.ok(c, "s_before") == "0 4096 verity V\n"
    s = c.step("read0")
    assert s.rc != 0 and "Input/output error" in s.err, s
    assert vm.ok(c, "s_after") == "0 4096 verity C\n"
    assert c.step("mount").rc != 0
    assert "device-mapper: verity: %s: metadata block 1 is corrupted\n" % majmin["root-data"] \
        in vm.ok(c, "log")
