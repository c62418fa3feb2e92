# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""The boot layout fixture (boot_layout.py) is what layout.json says it is, by the real
tools: sfdisk and blkid see the GPT and the two ESPs; lvm2 (activation off, on a read-only
loop device over the LVM partition) sees the PV with its label in sector 1, VG internal
with 1 MiB extents, every LV and its segments; each image LV's bytes, gathered from its
segments here, are the systemd-repart image (then zeros); systemd-dissect and veritysetup
verify agree with each image's expected verdict, and so do dmboot's `lvm lvs` and
`ddi inspect` (and `ddi open`, which refuses the tampered tree); the data and swap LVs
hold ext4 and swap.

The layout is built once per session (boot_layout.boot_layout); the dmboot checks run
against build/dmboot and build/asan/dmboot.
"""
import contextlib
import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from boot_layout import (DATA_UUID, ESP_BACKUP_UUID, ESP_MIB, ESP_TYPE, ESP_UUID, KINDS,
                         LVM_TYPE, LVM_UUID, SECTOR, SWAP_UUID, VG, boot_layout, build,
                         root_files)
from conftest import require, tool
from test_ddi import IMAGE, UNTRUSTED, sh
from test_lvm import LVM_CONF, run

assert boot_layout                        # the session fixture, used by name below

MiB = 1 << 20
IMAGES = [name for name, _ in KINDS]
ALL_LVS = IMAGES + ["data", "swap"]


def need_root():
    require(os.geteuid() == 0, "the layout and the tools that read it need loop devices")


@pytest.fixture(scope="module")
def lay(boot_layout):
    need_root()
    return boot_layout


def lv_copy(lay, name, where):
    """The LV's bytes (read at its segments) in a file of their own."""
    path = Path(where) / (name + ".lv")
    path.write_bytes(lay.read_lv(name))
    return path


# -- layout.json ---------------------------------------------------------------------------

def test_layout_json_names_every_lv_with_its_verdict(lay):
    got = [(lv["name"], lv["verdict"], lv["image_lv"]) for lv in lay.json["lvs"]]
    assert got == [(n, v, True) for n, v in KINDS] + \
        [("data", "not-an-image", False), ("swap", "not-an-image", False)]
    for lv in lay.json["lvs"]:
        assert (lv["vg"], lv["pv_partuuid"], lv["pv_partno"]) == (VG, LVM_UUID, 3)
        assert lv["kernel_name"] == "internal-" + lv["name"]
    for lv in lay.images():
        v = lv["version"]
        assert lv["name"] == "os_" + v
        files = root_files(v)
        assert lv["vmlinuz_sha256"] == hashlib.sha256(files["boot/vmlinuz-" + v]).hexdigest()
        assert lv["dtb_sha256"] == \
            hashlib.sha256(files["boot/dtbs/%s/board.dtb" % v]).hexdigest()
        assert (lv["kernel"], lv["dtb"]) == ("/boot/vmlinuz-" + v, "/boot/dtbs/%s/board.dtb" % v)
        assert lv["architecture"] == ("arm64" if lv["verdict"] == "foreign" else "x86-64")
        assert lv["signer"] == {"unsigned": None, "untrusted": "untrusted"}.get(
            lv["verdict"], "trusted")
        # The partition UUIDs are the halves of the root hash, as repart makes them.
        h = lv["root_hash"]
        assert len(h) == 64
        assert lv["root_partuuid"].replace("-", "") == h[:32]
        assert lv["verity_partuuid"].replace("-", "") == h[32:]
    assert lay.images("tampered")[0]["tamper"]["offset"] > 0
    assert all(lv["tamper"] is None for lv in lay.images() if lv["verdict"] != "tampered")


def test_kernels_differ_per_version(lay):
    digests = [lv["vmlinuz_sha256"] for lv in lay.images()]
    assert len(set(digests)) == len(digests)
    assert 4096 <= len(root_files("1.0.0")["boot/vmlinuz-1.0.0"]) <= 16384


# -- the disk ------------------------------------------------------------------------------

def test_sfdisk_sees_the_gpt(lay):
    t = json.loads(sh("sfdisk", "--json", lay.disk))["partitiontable"]
    assert t["label"] == "gpt" and t["sectorsize"] == 512
    rows = [(p["type"].lower(), p["uuid"].lower(), p["name"], p.get("attrs"), p["size"])
            for p in t["partitions"]]
    pv = lay.json["pv"]
    assert rows == [
        (ESP_TYPE, ESP_UUID, "esp", None, ESP_MIB * MiB // SECTOR),
        (ESP_TYPE, ESP_BACKUP_UUID, "esp-backup", None, ESP_MIB * MiB // SECTOR),
        # The LVs, the metadata area before the first extent and one free extent.
        (LVM_TYPE, LVM_UUID, "internal", "GUID:59",
         sum(lv["lv_sectors"] for lv in lay.json["lvs"]) + 2 * MiB // SECTOR),
    ]
    assert t["partitions"][2]["start"] == pv["start_sector"]
    assert t["partitions"][2]["size"] == pv["pe_start_sector"] + pv["sectors"]
    assert t["id"].lower() == lay.json["disk_uuid"]
    assert [p["start"] for p in t["partitions"]] == \
        [p["start"] for p in lay.json["gpt"]["partitions"]]


def test_the_esps_are_vfat(lay):
    t = json.loads(sh("sfdisk", "--json", lay.disk))["partitiontable"]["partitions"]
    for p, label in zip(t[:2], ("ESP", "ESPBACKUP")):
        out = sh("blkid", "-p", "-o", "export", "-O", str(p["start"] * SECTOR),
                 "-S", str(p["size"] * SECTOR), lay.disk).decode()
        fields = dict(line.split("=", 1) for line in out.split())
        assert (fields["TYPE"], fields["LABEL"]) == ("vfat", label)


def test_the_pv_label_is_in_sector_1(lay):
    start = lay.json["pv"]["start_sector"] * SECTOR
    with open(lay.disk, "rb") as f:
        f.seek(start)
        head = f.read(4 * SECTOR)
    assert head[SECTOR:SECTOR + 8] == b"LABELONE"
    assert int.from_bytes(head[SECTOR + 8:SECTOR + 16], "little") == 1    # sector_xl
    assert head[SECTOR + 24:SECTOR + 32] == b"LVM2 001"
    assert b"LABELONE" not in head[:SECTOR] + head[2 * SECTOR:]


# -- lvm2 ----------------------------------------------------------------------------------

@contextlib.contextmanager
def pv_loop(lay):
    """A read-only loop device over the LVM partition (loop partition nodes need udev)."""
    losetup = tool("losetup")
    require(losetup is not None, "losetup is not installed (util-linux)")
    pv = lay.json["pv"]
    size = [p for p in lay.json["gpt"]["partitions"] if p["start"] == pv["start_sector"]][0]
    _, out, _ = run([losetup, "-f", "--show", "-r", "-o", pv["start_sector"] * SECTOR,
                     "--sizelimit", size["size"] * SECTOR, lay.disk])
    dev = out.strip()
    try:
        yield dev
    finally:
        subprocess.run([losetup, "-d", dev], timeout=30)


@pytest.fixture(scope="module")
def lvm2(lay):
    """lvm2's pvs, vgs and lvs --segments of the layout (JSON, sectors), and its plain lvs,
    with the loop device's name replaced by disk.img:p3, dmboot's name for it."""
    lvm = tool("lvm")
    require(lvm is not None, "lvm2 is not installed")
    with pv_loop(lay) as dev:
        def report(*args):
            _, out, _ = run([lvm, args[0], "--config", LVM_CONF, "--devices", dev, *args[1:]])
            return out.replace(dev, "disk.img:p3")
        units = ("--units", "s", "--nosuffix")
        got = {
            "pvs": json.loads(report("pvs", "--reportformat", "json", *units, "-o",
                                     "pv_name,vg_name,pv_uuid,pe_start,pv_size"))
            ["report"][0]["pv"],
            "vgs": json.loads(report("vgs", "--reportformat", "json", *units, "-o",
                                     "vg_name,vg_uuid,vg_extent_size,lv_count"))
            ["report"][0]["vg"],
            "segs": json.loads(report("lvs", "--segments", "--reportformat", "json", *units,
                                      "-o", "lv_name,segtype,seg_start_pe,seg_size_pe,"
                                      "seg_pe_ranges"))["report"][0]["seg"],
            "lvs": report("lvs"),
        }
    return got


def test_lvm2_sees_the_pv_and_vg(lay, lvm2):
    pv = lay.json["pv"]
    assert lvm2["pvs"] == [{"pv_name": "disk.img:p3", "vg_name": VG, "pv_uuid": pv["uuid"],
                            "pe_start": str(pv["pe_start_sector"]),
                            "pv_size": str(pv["sectors"])}]
    assert lvm2["vgs"] == [{"vg_name": VG, "vg_uuid": pv["vg_uuid"],
                            "vg_extent_size": str(MiB // SECTOR),
                            "lv_count": str(len(ALL_LVS))}]
    assert lay.json["vg"] == {"name": VG, "extent_sectors": MiB // SECTOR}


def test_lvm2_sees_every_lv_and_its_segments(lay, lvm2):
    es = lay.json["vg"]["extent_sectors"]
    pe_start = lay.json["pv"]["pe_start_sector"]
    want = []
    for name in sorted(ALL_LVS):
        for s in lay.lvs[name]["segments"]:
            pe = (s["pv_sector"] - pe_start) // es
            n = s["sectors"] // es
            want.append({"lv_name": name, "segtype": "linear",
                         "seg_start_pe": str(s["lv_sector"] // es), "seg_size_pe": str(n),
                         "seg_pe_ranges": "disk.img:p3:%d-%d" % (pe, pe + n - 1)})
            assert s["disk_sector"] == lay.json["pv"]["start_sector"] + s["pv_sector"]
    assert sorted(lvm2["segs"], key=lambda r: (r["lv_name"], int(r["seg_start_pe"]))) == want
    # os_1.0.0 is not contiguous: data sits between its two segments.
    first = lay.lvs["os_1.0.0"]["segments"]
    data = lay.lvs["data"]["segments"]
    assert len(first) == 2 and len(data) == 1
    assert first[0]["pv_sector"] + first[0]["sectors"] == data[0]["pv_sector"]
    assert data[0]["pv_sector"] + data[0]["sectors"] == first[1]["pv_sector"]
    assert [n for n in ALL_LVS if len(lay.lvs[n]["segments"]) != 1] == ["os_1.0.0"]
    for name in ALL_LVS:
        assert lay.lvs[name]["lv_sectors"] == sum(s["sectors"]
                                                  for s in lay.lvs[name]["segments"])


def test_dmboot_lvs_matches_lvm2(dm, lay, lvm2):
    def lvs(*args):
        rc, out, err = dm.exec([dm.binary, "lvm", "lvs", "--devices", lay.disk.name, *args],
                               cwd=lay.dir)
        assert (rc, err) == (0, ""), (args, rc, err)
        return out
    # lvm2 without activation cannot tell the state and open columns: X.
    assert lvs() == lvm2["lvs"].replace("-wi-XX----", "-wi-------")
    # (The aligned segment report is not compared: lvm2 sized its PE Ranges column for
    # /dev/loopN, not for disk.img:p3.)
    got = json.loads(lvs("--segments", "--reportformat", "json", "--units", "s", "--nosuffix",
                         "-o", "lv_name,segtype,seg_start_pe,seg_size_pe,seg_pe_ranges"))
    assert got["report"][0]["seg"] == lvm2["segs"]


def test_dmboot_activates_every_lv_as_lvm2_would(dm, lay):
    """vgchange -ay: each LV gets the table lvm2 loads and reads its bytes."""
    rc, out, err = dm.exec([dm.binary, "lvm", "vgchange", "-ay", VG, "--devices",
                            lay.disk.name], cwd=lay.dir)
    assert (rc, err) == (0, ""), err
    for name in ALL_LVS:
        lv = lay.lvs[name]
        assert dm.ok("table", lv["kernel_name"]) == lv["dm_table"]
        assert lv["kernel_table"] == lv["dm_table"].replace("disk.img:p3",
                                                            "PARTUUID=" + LVM_UUID)
        assert dm.read(lv["kernel_name"], cwd=lay.dir) == lay.read_lv(name)
    assert lay.lvs["os_1.0.0"]["dm_table"] == \
        "0 4096 linear disk.img:p3 2048\n4096 6144 linear disk.img:p3 14336\n"
    rc, out, err = dm.exec([dm.binary, "lvm", "vgchange", "-an", VG], cwd=lay.dir)
    assert rc == 0, err
    dm.assert_no_devices()


# -- the images in the LVs -----------------------------------------------------------------

@pytest.mark.parametrize("name", IMAGES)
def test_the_lv_holds_the_image(lay, name):
    lv = lay.lvs[name]
    data = lay.read_lv(name)
    n = lv["image_bytes"]
    assert len(data) == lv["lv_sectors"] * SECTOR and len(data) - n < MiB
    assert hashlib.sha256(data[:n]).hexdigest() == lv["sha256"]
    assert hashlib.sha256(lay.path(lv["image"]).read_bytes()).hexdigest() == lv["sha256"]
    assert data[n:] == bytes(len(data) - n)
    if lv["tamper"] is None:
        assert lv["sha256"] == lv["repart_sha256"]
    else:
        t = lv["tamper"]
        assert lv["sha256"] != lv["repart_sha256"]
        assert (data[t["offset"]], t["was"] ^ t["now"]) == (t["now"], 1)
        undone = bytearray(data[:n])
        undone[t["offset"]] = t["was"]
        assert hashlib.sha256(undone).hexdigest() == lv["repart_sha256"]


def partition(lv, data, suffix):
    """The bytes of the image partition whose repart type ends with suffix."""
    p = [p for p in lv["partitions"] if p["type"] == "root-%s%s" % (lv["architecture"],
                                                                   suffix)][0]
    return data[p["offset"]:p["offset"] + p["bytes"]]


@pytest.mark.parametrize("name", IMAGES)
def test_the_top_hash_block_matches_the_root_hash_unless_tampered(lay, name):
    """The first block after the superblock is the top of the tree: sha256(salt || block)
    is the root hash (verity format 1), except in the tampered image."""
    lv = lay.lvs[name]
    tree = partition(lv, lay.read_lv(name), "-verity")
    hb = lv["hash_block_bytes"]
    top = tree[hb:2 * hb]
    digest = hashlib.sha256(bytes.fromhex(lv["salt"]) + top).hexdigest()
    assert (digest == lv["root_hash"]) == (lv["verdict"] != "tampered")
    if lv["verdict"] == "tampered":
        hash_off = [p for p in lv["partitions"] if p["type"].endswith("-verity")][0]["offset"]
        assert lv["tamper"]["offset"] == hash_off + hb


SD_ROWS = {
    "signed": ["root", "root-verity", "root-verity-sig"],
    "unsigned": ["root", "root-verity"],
}


@pytest.mark.parametrize("name", IMAGES)
def test_systemd_dissect_sees_the_image(lay, name, tmp_path):
    lv = lay.lvs[name]
    got = json.loads(sh("systemd-dissect", "--json=short", lv_copy(lay, name, tmp_path)))
    assert got["size"] == lv["lv_sectors"] * SECTOR
    rows = {m["designator"]: m for m in got["mounts"]}
    assert [m["designator"] for m in got["mounts"]] == \
        SD_ROWS["unsigned" if lv["verdict"] == "unsigned" else "signed"]
    assert {m["architecture"] for m in got["mounts"]} == {lv["architecture"]}
    assert rows["root"]["partition_uuid"] == lv["root_partuuid"]
    assert rows["root-verity"]["partition_uuid"] == lv["verity_partuuid"]
    assert (rows["root"]["fstype"], rows["root"]["rw"]) == ("squashfs", "ro")
    assert rows["root"]["verity"] == ("no" if lv["verdict"] == "unsigned" else "signed")
    if "root-verity-sig" in rows:
        assert rows["root-verity-sig"]["partition_uuid"] == lv["sig_partuuid"]
    assert "IMAGE_VERSION=" + lv["version"] in got["osRelease"]


@pytest.mark.parametrize("name", IMAGES)
def test_veritysetup_verify(lay, name, tmp_path):
    lv = lay.lvs[name]
    data = lay.read_lv(name)
    (tmp_path / "root").write_bytes(partition(lv, data, ""))
    (tmp_path / "tree").write_bytes(partition(lv, data, "-verity"))
    p = subprocess.run([tool("veritysetup"), "verify", tmp_path / "root", tmp_path / "tree",
                        lv["root_hash"]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60, text=True)
    if lv["verdict"] == "tampered":
        # veritysetup names the end of the first block it found wrong: the top one.
        hb = lv["hash_block_bytes"]
        assert (p.returncode, p.stdout, p.stderr) == (
            2, "", "Verification failed at position %d.\nVerification of data area failed.\n"
            % (2 * hb))
    else:
        assert (p.returncode, p.stderr) == (0, ""), p.stderr


def test_the_other_lvs_are_ext4_and_swap(lay, tmp_path):
    for name, fstype, uuid in (("data", "ext4", DATA_UUID), ("swap", "swap", SWAP_UUID)):
        lv = lay.lvs[name]
        copy = lv_copy(lay, name, tmp_path)
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == lv["sha256"]
        out = sh("blkid", "-p", "-o", "export", copy).decode()
        fields = dict(line.split("=", 1) for line in out.split())
        assert (fields["TYPE"], fields["UUID"], fields["LABEL"]) == (fstype, uuid, name)
        assert lv["fstype"] == fstype
    # Neither has a partition table: systemd-dissect takes the ext4 file system for a
    # single-file-system image and finds nothing in the swap area.
    got = json.loads(sh("systemd-dissect", "--json=short", tmp_path / "data.lv"))
    assert [(m["designator"], m["fstype"], m["partition_uuid"]) for m in got["mounts"]] == \
        [("root", "ext4", None)]
    p = subprocess.run([tool("systemd-dissect"), "--json=short", tmp_path / "swap.lv"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, text=True)
    assert p.returncode == 1
    assert "Couldn't identify a suitable partition table or file system." in p.stderr


# -- dmboot's view of each image -------------------------------------------------------------

SIGNATURE = {"good": "verified", "tampered": "verified", "unsigned": None,
             "untrusted": "untrusted", "foreign": "verified"}


@pytest.mark.parametrize("name", IMAGES)
def test_dmboot_inspect_gives_the_verdict(dm, lay, name):
    lv = lay.lvs[name]
    copy = lv_copy(lay, name, dm.cwd)
    rc, out, err = dm.exec([dm.binary, "ddi", "inspect", "--json=short", copy.name,
                            "--architecture=x86-64", "--trusted-cert", lay.cert()])
    assert (rc, err) == (0, ""), err
    got = json.loads(out)
    root = [m for m in got["mounts"] if m["designator"] == "root"][0]
    assert root["architecture"] == lv["architecture"]
    assert root["partition_uuid"] == lv["root_partuuid"]
    assert root["signature"] == SIGNATURE[lv["verdict"]]
    assert root["roothash"] == (None if lv["verdict"] == "unsigned" else lv["root_hash"])
    assert root["verity"] == ("no" if lv["verdict"] == "unsigned" else "signed")


@pytest.mark.parametrize("name", ["os_1.0.0", "os_1.2.0"])
def test_dmboot_open_refuses_only_the_tampered_tree(dm, lay, name):
    lv = lay.lvs[name]
    copy = lv_copy(lay, name, dm.cwd)
    rc, out, err = dm.exec([dm.binary, "ddi", "open", copy.name, "--trusted-cert", lay.cert()])
    if lv["verdict"] == "tampered":
        assert (rc, out) == (IMAGE, "")
        assert err == ("ddi: create root: line 1: verity: metadata block 1 of %s:p2, the top "
                       "of the hash tree, does not match the root digest: a wrong root hash "
                       "or salt, or a corrupt hash device\n" % copy.name)
        dm.assert_no_devices()
        return
    assert (rc, err) == (0, ""), err
    assert dm.read("root", "--length", "4") == b"hsqs"        # squashfs, verified
    assert dm.exec([dm.binary, "ddi", "close", copy.name])[0] == 0
    dm.assert_no_devices()


@pytest.mark.parametrize("name", ["data", "swap"])
def test_dmboot_inspect_refuses_the_other_lvs(dm, lay, name):
    copy = lv_copy(lay, name, dm.cwd)
    rc, out, err = dm.exec([dm.binary, "ddi", "inspect", copy.name])
    assert (rc, out, err) == (IMAGE, "", "ddi: %s: no partition table: no MBR signature 55 aa\n"
                              % copy.name)


def test_untrusted_signature_fails_with_the_trusted_cert(dm, lay):
    copy = lv_copy(lay, "os_1.4.0", dm.cwd)
    rc, out, err = dm.exec([dm.binary, "ddi", "open", copy.name, "--trusted-cert", lay.cert()])
    assert (rc, out) == (UNTRUSTED, "") and err.count("\n") == 1, (rc, err)
    rc, out, err = dm.exec([dm.binary, "ddi", "inspect", "--json=short", copy.name,
                            "--trusted-cert", lay.cert("untrusted")])
    assert rc == 0
    assert json.loads(out)["mounts"][0]["signature"] == "verified"


def test_a_copy_is_private(lay, tmp_path):
    mine = lay.copy(tmp_path / "copy")
    assert mine.json == lay.json and mine.read_lv("os_1.1.0") == lay.read_lv("os_1.1.0")
    at = mine.lvs["os_1.1.0"]["segments"][0]["disk_sector"] * SECTOR
    with open(mine.disk, "r+b") as f:
        f.seek(at)
        f.write(b"\xff")
    assert mine.read_lv("os_1.1.0")[0] == 0xff and lay.read_lv("os_1.1.0")[0] == 0
    assert sorted(p.name for p in mine.dir.iterdir()) == sorted(
        ["disk.img", "layout.json", "trusted.crt", "trusted.key", "untrusted.crt",
         "untrusted.key"])


# -- the script and --images -------------------------------------------------------------

def test_images_n_makes_n_good_images(tmp_path_factory):
    need_root()
    where = tmp_path_factory.mktemp("bench-layout") / "out"
    got = build(where, images=3)
    assert [(lv["name"], lv["verdict"]) for lv in got["lvs"]] == \
        [("os_1.0.%d" % i, "good") for i in range(3)] + \
        [("data", "not-an-image"), ("swap", "not-an-image")]
    assert sorted(p.name for p in (where / "images").iterdir()) == \
        ["os_1.0.%d.raw" % i for i in range(3)]
    assert len(got["lvs"][0]["segments"]) == 2
    assert len({lv["root_hash"] for lv in got["lvs"][:3]}) == 3


def test_the_script_refuses_bad_arguments(tmp_path):
    script = Path(__file__).with_name("boot_layout.py")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    for args, message in ((["--images", "0", str(tmp_path / "o")], "--images takes 1 to 64"),
                          ([str(tmp_path / "full")], "is not empty")):
        p = subprocess.run(["/usr/bin/python3", script, *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        assert p.returncode == 2 and message in p.stderr, (args, p.stderr)
        assert p.stdout == ""
