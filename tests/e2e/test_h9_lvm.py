# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Parity of `dmboot lvm` with lvm2 2.03.16 (finding 13): reports with --separator keep
lvm2's two-space indent, and vgchange/lvchange -an leave an LV another device uses active,
with lvm2's messages and exit status 5.

The volume groups are made by the real lvm2 on loop devices (as in test_lvm.py); the
reports are compared with what lvm2 prints for the same VG."""
import pytest

from conftest import BINARIES, DM
from test_lvm import Images


@pytest.fixture
def images(tmp_path):
    im = Images(tmp_path / "w")
    yield im
    im.detach()


def dmboot(kind, tmp_path):
    binary = BINARIES[kind]
    if not binary.exists():
        pytest.fail("%s is missing: run `make all build/asan/dmboot` first" % binary)
    return DM(binary, kind, tmp_path / "dm")


def lvm(dm, cwd, *args):
    return dm.exec([dm.binary, "lvm", *args], cwd=cwd)


def build(im):
    """vg0 on a.img with three LVs, and vge on e.img with none."""
    a = im.image("a.img", 32)
    e = im.image("e.img", 16)
    im.lvm("pvcreate", a, e)
    im.lvm("vgcreate", "-s", "1m", "vg0", a)
    im.lvm("vgcreate", "vge", e)
    im.lvm("lvcreate", "-an", "-Zn", "-L", "6m", "-n", "lin", "vg0")
    im.lvm("lvcreate", "-an", "-Zn", "-L", "3m", "-n", "two", "vg0")
    im.lvm("lvcreate", "-an", "-Zn", "-L", "1m", "-n", "three", "vg0")
    return ["a.img", "e.img"]


def unknown_state(text):
    """lvm2 without activation prints X for the state and open columns of lv_attr."""
    return text.replace("-wi-XX----", "-wi-------")


SEPARATOR_CASES = [
    ["lvs", "--separator", ","],
    ["vgs", "--separator", ","],
    ["pvs", "--separator", ","],
    ["lvs", "--segments", "--separator", ","],
    ["lvs", "--separator", ",", "--noheadings"],
    ["vgs", "--separator", ",", "--noheadings"],
    ["pvs", "--separator", ",", "--noheadings"],
    ["lvs", "--separator", ",", "--nosuffix"],
    ["lvs", "--separator", ",", "--units", "s"],
    ["vgs", "--separator", ",", "--units", "k", "--nosuffix", "--noheadings"],
    ["vgs", "--separator", " | ", "--units", "b"],
    ["vgs", "--separator", ""],
    ["lvs", "--separator", ",", "-o", "lv_name,lv_size,lv_uuid"],
    ["lvs", "--separator", ",", "--aligned", "--units", "s"],
    ["vgs", "--separator", ":", "--aligned"],
    ["lvs", "--separator", ",", "--aligned", "--noheadings"],
    ["lvs", "--aligned"],
    ["lvs", "--separator", ",", "vge"],
    ["lvs", "--separator", ",", "--noheadings", "vge"],
]


def test_h9_13_lvs_separator_matches_lvm2(images, tmp_path):
    """Every line keeps the two-space indent with --separator, as lvm2 prints it; an empty
    report prints nothing, as without --separator."""
    devs = build(images)
    want = {}
    for cmd in SEPARATOR_CASES:
        rc, out, err = images.lvm(*cmd)
        want[tuple(cmd)] = unknown_state(images.map_names(out))
    assert want[("lvs", "--separator", ",")].startswith("  LV,VG,Attr,")
    assert want[("lvs", "--separator", ",", "vge")] == ""
    images.detach()
    dm = dmboot("plain", tmp_path)
    for cmd, text in want.items():
        rc, out, err = lvm(dm, images.dir, *cmd, "--devices", ",".join(devs))
        assert (rc, err) == (0, ""), cmd
        assert out == text, cmd


@pytest.mark.parametrize("kind", ["plain", "asan"])
def test_h9_13_lvs_separator_indent(kind, images, tmp_path):
    """The indent with and without headings, for each report."""
    devs = build(images)
    images.detach()
    dm = dmboot(kind, tmp_path)
    d = ["--devices", ",".join(devs)]
    for report in ("pvs", "vgs", "lvs"):
        for extra in ([], ["--noheadings"], ["--nosuffix", "--units", "m"]):
            rc, out, err = lvm(dm, images.dir, report, "--separator", ";", *extra, *d)
            assert (rc, err) == (0, "")
            assert out and all(l.startswith("  ") and not l.startswith("   ")
                               for l in out.splitlines()), (report, extra, out)


def activate_with_user(dm, cwd, devs, *lvs):
    """vg0 active, and a device "topN" stacked on each LV in lvs."""
    rc, out, err = lvm(dm, cwd, "vgchange", "-ay", "vg0", "--devices", ",".join(devs))
    assert (rc, err) == (0, "")
    for i, lv in enumerate(lvs):
        dm.ok("create", "top%d" % i, "--table", "0 8 linear vg0-%s 0" % lv)


def names(dm):
    out = dm.ok("ls")
    return [] if out == "No devices found\n" else sorted(l.split("\t")[0]
                                                          for l in out.splitlines())


@pytest.mark.parametrize("kind", ["plain", "asan"])
def test_h9_13_vgchange_in_use(kind, images, tmp_path):
    """vgchange -an with an LV in use: lvm2's two messages, exit 5, no "now active" line,
    and every LV of the VG still active."""
    devs = build(images)
    images.detach()
    dm = dmboot(kind, tmp_path)
    activate_with_user(dm, images.dir, devs, "lin")
    before = names(dm)
    assert before == ["top0", "vg0-lin", "vg0-three", "vg0-two"]
    rc, out, err = lvm(dm, images.dir, "vgchange", "-an", "vg0")
    assert (rc, out) == (5, "")
    assert err == ("  Logical volume vg0/lin is used by another device.\n"
                   "  Can't deactivate volume group \"vg0\" with 1 open logical volume(s)\n")
    assert "lvchange" not in err
    assert names(dm) == before
    # Once the user is gone, the VG deactivates.
    dm.ok("remove", "top0")
    rc, out, err = lvm(dm, images.dir, "vgchange", "-an", "vg0")
    assert (rc, out, err) == (0, '  0 logical volume(s) in volume group "vg0" now active\n', "")
    dm.assert_no_devices()


def test_h9_13_vgchange_in_use_counts_open_lvs(images, tmp_path):
    """Two open LVs: the count says 2 and the first one is named, as lvm2 stops at it."""
    devs = build(images)
    images.detach()
    dm = dmboot("plain", tmp_path)
    activate_with_user(dm, images.dir, devs, "two", "lin")
    rc, out, err = lvm(dm, images.dir, "vgchange", "-an", "vg0")
    assert (rc, out) == (5, "")
    assert err == ("  Logical volume vg0/lin is used by another device.\n"
                   "  Can't deactivate volume group \"vg0\" with 2 open logical volume(s)\n")
    assert len(names(dm)) == 5


def test_h9_13_vgchange_in_use_other_vg_still_changes(images, tmp_path):
    """A refused VG does not stop the next one on the command line; the exit status is 5."""
    a = images.image("a.img", 16)
    b = images.image("b.img", 16)
    images.lvm("pvcreate", a, b)
    images.lvm("vgcreate", "vg0", a)
    images.lvm("vgcreate", "vg1", b)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "4m", "-n", "lin", "vg0")
    images.lvm("lvcreate", "-an", "-Zn", "-L", "4m", "-n", "lin", "vg1")
    images.detach()
    dm = dmboot("plain", tmp_path)
    rc, out, err = lvm(dm, images.dir, "vgchange", "-ay", "vg0", "vg1", "--devices",
                       "a.img,b.img")
    assert (rc, err) == (0, "")
    dm.ok("create", "top", "--table", "0 8 linear vg0-lin 0")
    rc, out, err = lvm(dm, images.dir, "vgchange", "-an", "vg0", "vg1")
    assert rc == 5
    assert out == '  0 logical volume(s) in volume group "vg1" now active\n'
    assert err.endswith("with 1 open logical volume(s)\n")
    assert names(dm) == ["top", "vg0-lin"]


@pytest.mark.parametrize("kind", ["plain", "asan"])
def test_h9_13_vgchange_in_use_lvchange(kind, images, tmp_path):
    """lvchange -an of an LV in use: lvm2's message, exit 5, the LV stays; another LV of
    the same command line is still deactivated."""
    devs = build(images)
    images.detach()
    dm = dmboot(kind, tmp_path)
    activate_with_user(dm, images.dir, devs, "lin")
    rc, out, err = lvm(dm, images.dir, "lvchange", "-an", "vg0/lin")
    assert (rc, out, err) == (5, "", "  Logical volume vg0/lin is used by another device.\n")
    assert "vg0-lin" in names(dm)
    rc, out, err = lvm(dm, images.dir, "lvchange", "-an", "vg0/lin", "vg0/two")
    assert (rc, out, err) == (5, "", "  Logical volume vg0/lin is used by another device.\n")
    assert names(dm) == ["top0", "vg0-lin", "vg0-three"]
    # Stacked: the top device goes first, then the LV can.
    dm.ok("remove", "top0")
    rc, out, err = lvm(dm, images.dir, "lvchange", "-an", "vg0/lin")
    assert (rc, out, err) == (0, "", "")
    assert names(dm) == ["vg0-three"]
