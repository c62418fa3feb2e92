# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""LVM snapshots with real lvm2 metadata: a VG made by lvm2 on loop devices (activation
off), two snapshots of one origin added with vgcfgrestore (lvm2 cannot create a snapshot
without the kernel), COW stores written here in dm-snap-persistent's format with
exceptions, then `dmboot lvm vgchange -ay`: the devices lvm2 would make, Linux's status,
and every byte of each snapshot from the COW store where it holds an exception and from the
origin elsewhere.  The kernel suite's `snapshot` image has a store the kernel wrote."""
import os
import re
import struct

import pytest

from test_lvm import MIB, Images, dm_for, dmb_lvm, lvm2_layout

SECTOR = 512
MAGIC = 0x70416e53

SNAPSHOTS = """
snapshot0 {
id = "SNAPxx-0000-0000-0000-0000-0000-yyyyy0"
status = ["READ"]
flags = []
segment_count = 1
segment1 {
start_extent = 0
extent_count = 4
type = "snapshot"
chunk_size = 8
origin = "origin"
cow_store = "cow1"
}
}
snapshot1 {
id = "SNAPxx-0000-0000-0000-0000-0000-yyyyy1"
status = ["READ"]
flags = []
segment_count = 1
segment1 {
start_extent = 0
extent_count = 4
type = "snapshot"
chunk_size = 16
origin = "origin"
cow_store = "cow2"
}
}
"""


@pytest.fixture
def images(tmp_path):
    im = Images(tmp_path / "w")
    yield im
    im.detach()


def cow_store(chunk, exceptions, size):
    """A COW store of size bytes: header, area 0 with the exceptions {old: new}, random data."""
    data = bytearray(os.urandom(size))
    data[:chunk * SECTOR] = struct.pack("<IIII", MAGIC, 1, 1, chunk).ljust(chunk * SECTOR, b"\0")
    area = b"".join(struct.pack("<QQ", o, n) for o, n in exceptions.items())
    data[chunk * SECTOR:2 * chunk * SECTOR] = area.ljust(chunk * SECTOR, b"\0")
    return bytes(data)


def lv_offset(layout, lv):
    """(device, first byte) of a one-segment linear LV."""
    lvs, pe_start, es = layout
    (start, count, segtype, areas, stripe), = lvs[lv]
    dev, pe = areas[0]
    return dev, (pe_start[dev] + pe * es) * SECTOR, count * es * SECTOR


def test_two_snapshots_of_one_origin(images, tmp_path):
    a = images.image("a.img", 32)
    images.lvm("pvcreate", a)
    images.lvm("vgcreate", "-s", "1m", "vgsn", a)
    for lv, size in (("origin", "4m"), ("cow1", "2m"), ("cow2", "2m"), ("plain", "1m")):
        images.lvm("lvcreate", "-an", "-Zn", "-L", size, "-n", lv, "vgsn")
    backup = images.dir / "vgsn.txt"
    images.lvm("vgcfgbackup", "-f", backup, "vgsn")
    text = re.sub(r"(?m)^\s+", "", backup.read_text())
    text = re.sub(r"\s*#[^\n\"]*$", "", text, flags=re.M)
    at = text.index("logical_volumes {\n") + len("logical_volumes {\n")
    backup.write_text(text[:at] + SNAPSHOTS.lstrip() + text[at:])
    images.lvm("vgcfgrestore", "--force", "-f", backup, "vgsn")
    _, lvm2_lvs, _ = images.lvm("lvs", "-o", "lv_name,lv_attr,origin", "vgsn")
    layout = lvm2_layout(images, "vgsn")
    images.detach()

    stores = {"cow1": (8, {0: 2, 7: 3, 511: 4}), "cow2": (16, {1: 2, 255: 3})}
    path = images.dir / "a.img"
    with open(path, "r+b") as f:
        dev, off, size = lv_offset(layout, "origin")
        origin = os.urandom(size)
        f.seek(off)
        f.write(origin)
        cows = {}
        for lv, (chunk, ex) in stores.items():
            dev, off, size = lv_offset(layout, lv)
            cows[lv] = cow_store(chunk, ex, size)
            f.seek(off)
            f.write(cows[lv])

    dm = dm_for("asan", tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-ay", "vgsn", "--devices", "a.img")
    assert (rc, out, err) == (0, '  4 logical volume(s) in volume group "vgsn" now active\n', "")
    assert dm.ok("ls").split()[::2] == ["vgsn-cow1", "vgsn-cow1-cow", "vgsn-cow2", "vgsn-cow2-cow",
                                        "vgsn-origin", "vgsn-origin-real", "vgsn-plain"]
    _, off, _ = lv_offset(layout, "origin")
    assert dm.ok("table", "vgsn-origin-real") == "0 8192 linear a.img %d\n" % (off // SECTOR)
    assert dm.ok("table", "vgsn-origin") == "0 8192 snapshot-origin vgsn-origin-real\n"
    assert dm.ok("table", "vgsn-cow1") == "0 8192 snapshot vgsn-origin-real vgsn-cow1-cow P 8\n"
    assert dm.ok("table", "vgsn-cow2") == "0 8192 snapshot vgsn-origin-real vgsn-cow2-cow P 16\n"
    # next_free one past the largest new chunk: 5 chunks of 8 sectors, 4 of 16.
    assert dm.ok("status", "vgsn-cow1") == "0 8192 snapshot 40/4096 16\n"
    assert dm.ok("status", "vgsn-cow2") == "0 8192 snapshot 64/4096 32\n"
    assert dm.read("vgsn-origin") == origin
    for lv, (chunk, ex) in stores.items():
        want = bytearray(origin)
        cb = chunk * SECTOR
        for old, new in ex.items():
            want[old * cb:(old + 1) * cb] = cows[lv][new * cb:(new + 1) * cb]
        assert dm.read("vgsn-" + lv) == bytes(want), lv
    # lvs as lvm2 prints it (lvm2 cannot know the state: its Attr column 5 is X).
    rc, out, err = dmb_lvm(dm, images.dir, "lvs", "-o", "lv_name,lv_attr,origin", "--devices",
                           "a.img")
    got = {x.split()[0]: x.split()[1:] for x in out.splitlines()[1:]}
    want = {x.split()[0]: x.split()[1:] for x in lvm2_lvs.splitlines()[1:]}
    assert sorted(got) == sorted(want) == ["cow1", "cow2", "origin", "plain"]
    for lv in got:
        assert got[lv][1:] == want[lv][1:] and got[lv][0][:4] == want[lv][0][:4], (lv, got, want)
    assert got["cow1"] == ["swi-a-s---", "origin"]
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-an", "vgsn")
    assert (rc, out, err) == (0, '  0 logical volume(s) in volume group "vgsn" now active\n', "")
    dm.assert_no_devices()
