# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`dmboot ddi` takes an image under any device spelling (docs/ddi.md): a file, a mapped
device as NAME, /dev/mapper/NAME, 253:MINOR or VG/LV (an LV activated by `dmboot lvm`),
and a partition IMAGE:pN.  inspect, open, cmdline and close agree on which image it is,
and the tables open makes name it so that later commands find it again."""
import json
import subprocess

import pytest

from test_ddi import Kit, ddi, ddi_ok
from test_lvm import Images

MIB = 1 << 20


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return Kit(tmp_path_factory.mktemp("ddispell"))


def image(kit):
    return kit.once("spell", lambda: kit.hand("spell.raw"))[0]


def same_image(got, want, node):
    """Two inspect --json outputs of one image: all alike but the name and the nodes, which
    are node:pN."""
    got, want = dict(got), dict(want)
    got.pop("name", None)
    want.pop("name", None)
    gm, wm = got.pop("mounts"), want.pop("mounts")
    assert got == want and len(gm) == len(wm) > 0
    for g, w in zip(gm, wm):
        assert g["node"] == "%s:p%d" % (node, g["partno"])
        g, w = dict(g), dict(w)
        g.pop("node")
        w.pop("node")
        assert g == w


def sectors(path):
    return (path.stat().st_size + 511) // 512


@pytest.fixture
def mapped(dm, kit):
    """The image as a mapped device `img` (a linear device over the file)."""
    img = image(kit)
    dm.ok("create", "img", "--table", "0 %d linear %s 0" % (sectors(img), img))
    return img


@pytest.mark.parametrize("spelling", ["img", "/dev/mapper/img", "253:0"])
def test_inspect_a_mapped_device(dm, kit, mapped, spelling):
    want = json.loads(ddi_ok(dm, "inspect", mapped, "--json=short",
                             "--trusted-cert", kit.cert("good")))
    got = json.loads(ddi_ok(dm, "inspect", spelling, "--json=short",
                            "--trusted-cert", kit.cert("good")))
    same_image(got, want, "/dev/mapper/img")


@pytest.mark.parametrize("spelling", ["img", "/dev/mapper/img", "253:0"])
def test_open_a_mapped_device_and_close_it_by_another_name(dm, kit, mapped, spelling):
    ddi_ok(dm, "open", spelling, "--trusted-cert", kit.cert("good"), "--name", "os")
    table = dm.ok("table", "os-root")
    assert " /dev/mapper/img:p" in table and table.split()[2] == "verity"
    assert dm.read("os-root", "--length", "4")[:4] == b"hsqs"
    others = [s for s in ("img", "/dev/mapper/img", "253:0") if s != spelling]
    rc, out, err = ddi(dm, "open", others[0], "--trusted-cert", kit.cert("good"), "--name", "x")
    assert rc != 0 and "is already open" in err
    ddi_ok(dm, "close", others[1])
    assert dm.ok("ls") == "img\t(253:0)\n"


def test_cmdline_of_a_mapped_device_matches_the_file(dm, kit, mapped):
    cert = kit.cert("good")
    line = ddi_ok(dm, "cmdline", mapped, "--trusted-cert", cert)
    assert "dm-mod.create=" in line
    assert ddi_ok(dm, "cmdline", "img", "--trusted-cert", cert) == line


def test_a_partition_of_a_disk(dm, kit):
    """The image as partition 2 of a GPT disk: IMAGE:pN."""
    img = image(kit)
    disk = dm.cwd / "disk.raw"
    n = sectors(img)
    with open(disk, "wb") as f:
        f.truncate((2048 + 2048 + n + 2048) * 512)
    subprocess.run(["sfdisk", "-q", str(disk)], check=True,
                   input=("label: gpt\nstart=2048, size=2048\nstart=4096, size=%d\n" % n).encode())
    with open(disk, "r+b") as f:
        f.seek(4096 * 512)
        f.write(img.read_bytes())
    want = json.loads(ddi_ok(dm, "inspect", img, "--json=short", "--trusted-cert", kit.cert("good")))
    got = json.loads(ddi_ok(dm, "inspect", "disk.raw:p2", "--json=short",
                            "--trusted-cert", kit.cert("good")))
    same_image(got, want, "disk.raw:p2")
    ddi_ok(dm, "open", "disk.raw:p2", "--trusted-cert", kit.cert("good"))
    assert dm.read("root", "--length", "4")[:4] == b"hsqs"
    ddi_ok(dm, "close", "disk.raw:p2")
    dm.assert_no_devices()


def test_an_lv_by_vg_slash_lv(dm, kit, tmp_path):
    """The image written into an LV (made by the real lvm2), opened as vg-0/os-1.2."""
    img = image(kit)
    im = Images(dm.cwd)
    try:
        pv = im.image("pv.img", 8 + (img.stat().st_size + MIB - 1) // MIB)
        im.lvm("pvcreate", pv)
        im.lvm("vgcreate", "-s", "1m", "vg-0", pv)
        im.lvm("lvcreate", "-an", "-Zn", "-L", "%dm" % ((img.stat().st_size + MIB - 1) // MIB),
               "-n", "os-1.2", "vg-0")
    finally:
        im.detach()
    rc, out, err = dm.exec([dm.binary, "lvm", "vgchange", "-ay", "vg-0", "--devices", "pv.img"])
    assert rc == 0, err
    rc, out, err = dm.run("write", "vg--0-os--1.2", input=img.read_bytes())
    assert rc == 0, err
    ddi_ok(dm, "open", "vg-0/os-1.2", "--trusted-cert", kit.cert("good"), "--name", "os")
    assert " /dev/mapper/vg--0-os--1.2:p" in dm.ok("table", "os-root")
    assert dm.read("os-root", "--length", "4")[:4] == b"hsqs"
    ddi_ok(dm, "close", "/dev/mapper/vg--0-os--1.2")
    assert dm.ok("ls") == "vg--0-os--1.2\t(253:0)\n"


def test_a_path_that_is_not_there(dm, kit):
    rc, out, err = ddi(dm, "inspect", "no/such.img")
    assert rc != 0 and out == "" and err.count("\n") == 1 and "no/such.img" in err


def test_partitions_nest_four_deep_at_most(dm):
    """A disk image kept in a partition is IMAGE:pN:pM; the nesting is bounded."""
    dm.make_file("x.img", 8 * 512, 1)
    err = dm.fail("create", "x", "--table", "0 8 linear x.img:p1:p1:p1:p1:p1 0")
    assert err.endswith("x.img:p1:p1:p1:p1: partitions nest deeper than 4 levels")
    err = dm.fail("create", "x", "--table", "0 8 linear x.img:p1:p1 0")
    assert "x.img" in err and "partition" in err
    dm.assert_no_devices()
