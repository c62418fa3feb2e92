# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""End-to-end tests of `dmboot lvm` against lvm2.

Every volume group is made at test time by the real lvm2 (pvcreate, vgcreate,
lvcreate, lvextend, vgcfgrestore) on loop devices over image files, with
activation disabled (there is no kernel device-mapper here).  Then the loop
devices go away and the test:
  * fills every LV with known bytes, written straight into the image files at
    the places lvm2's own report gives (lvs --segments -o seg_pe_ranges,
    pvs -o pe_start, vgs -o vg_extent_size);
  * activates the VG with dmboot, and checks that each LV reads back exactly
    those bytes and that `dmsetup table VG-LV` prints the table lvm2 implies;
  * compares dmboot's pvs/vgs/lvs with what lvm2 printed for the same VG
    (device names mapped from /dev/loopN to the image names).
"""
import json
import os
import random
import re
import subprocess
from pathlib import Path

import pytest

from conftest import BINARIES, DM, Extents, require, tool

SECTOR = 512
MIB = 1 << 20
LVM_CONF = "global { activation = 0 } devices { use_devicesfile = 0 }"


LVM = tool("lvm")
LOSETUP = tool("losetup")
SFDISK = tool("sfdisk")


def run(argv, check=True, input=None):
    p = subprocess.run([str(a) for a in argv], input=input, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120, env=_env())
    out, err = p.stdout.decode(), p.stderr.decode()
    if check:
        assert p.returncode == 0, "%s: rc=%d\n%s%s" % (argv, p.returncode, out, err)
    return p.returncode, out, err


def _env():
    env = dict(os.environ, LC_ALL="C", LVM_SUPPRESS_FD_WARNINGS="1")
    env.pop("LANG", None)
    return env


class Images:
    """Image files in a directory, attached to loop devices while lvm2 works on them."""

    def __init__(self, where):
        require(LVM is not None and LOSETUP is not None,
                "lvm2 and losetup are needed (scripts/install-deps.sh installs them)")
        require(os.geteuid() == 0, "loop devices need root")
        self.dir = Path(where)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.loops = {}        # image name -> /dev/loopN
        self.parts = {}        # loop device over a partition -> "image:pK"

    def image(self, name, mib, partitions=None):
        """A zero image of mib MiB on a loop device; with partitions (sfdisk input), a
        partition table and the partitions' loop nodes."""
        path = self.dir / name
        with open(path, "wb") as f:
            f.truncate(mib * MIB)
        if partitions:
            run([SFDISK, "-q", path], input=partitions.encode())
        rc, out, err = run([LOSETUP, "-f", "--show", path])
        loop = out.strip()
        self.loops[name] = loop
        if partitions:
            # Loop partition nodes need udev; a loop device over each partition's
            # range is the same block device to lvm2.
            _, js, _ = run([SFDISK, "--json", path])
            for p in json.loads(js)["partitiontable"]["partitions"]:
                num = p["node"][len(str(path)):]
                _, out, _ = run([LOSETUP, "-f", "--show", "-o", p["start"] * SECTOR,
                                 "--sizelimit", p["size"] * SECTOR, path])
                self.parts[out.strip()] = "%s:p%s" % (name, num)
        return loop

    def devices(self):
        return sorted(self.loops.values()) + sorted(self.parts)

    def lvm(self, *args, check=True):
        """lvm2 on this test's loop devices only."""
        return run([LVM, args[0], "--config", LVM_CONF, "--devices", ",".join(self.devices()),
                    *args[1:]], check=check)

    def detach(self):
        """Detach every loop device (once); names stay known for mapping."""
        for loop in self.attached():
            subprocess.run([LOSETUP, "-d", loop], stderr=subprocess.DEVNULL)
        self.done = True

    def attached(self):
        return [] if getattr(self, "done", False) else \
            list(self.loops.values()) + list(self.parts)

    def name_of(self, dev):
        """The dmboot device name for an lvm2 device name."""
        if dev in self.parts:
            return self.parts[dev]
        for img, loop in self.loops.items():
            if loop == dev:
                return img
        return dev

    def map_names(self, text):
        for dev in sorted(list(self.parts) + list(self.loops.values()), key=len, reverse=True):
            text = text.replace(dev, self.name_of(dev))
        return text


@pytest.fixture
def images(tmp_path):
    im = Images(tmp_path / "w")
    yield im
    im.detach()


def dm_for(kind, tmp_path):
    binary = BINARIES[kind]
    if not binary.exists():
        pytest.fail("%s is missing: run `make all build/asan/dmboot` first" % binary)
    dm = DM(binary, kind, tmp_path / "dm")
    return dm


def dmb_lvm(dm, cwd, *args):
    """`dmboot lvm ARGS`; (rc, stdout, stderr)."""
    return dm.exec([dm.binary, "lvm", *args], cwd=cwd)


# -- what lvm2 says ---------------------------------------------------------------

def lvm2_layout(im, vg):
    """{lv: [(start_extent, extents, [(dmboot device, first pe)...], stripe_size)]},
    {dmboot device: pe_start sectors}, extent size in sectors: from lvm2's reports."""
    _, out, _ = im.lvm("vgs", "--reportformat", "json", "--units", "s", "--nosuffix",
                       "-o", "vg_extent_size", vg)
    es = int(json.loads(out)["report"][0]["vg"][0]["vg_extent_size"])
    _, out, _ = im.lvm("pvs", "--reportformat", "json", "--units", "s", "--nosuffix",
                       "-o", "pv_name,vg_name,pe_start")
    pe_start = {im.name_of(r["pv_name"]): int(r["pe_start"])
                for r in json.loads(out)["report"][0]["pv"] if r["vg_name"] == vg}
    _, out, _ = im.lvm("lvs", "-a", "--segments", "--reportformat", "json", "--units", "s",
                       "--nosuffix", "-o", "lv_name,seg_start_pe,seg_size_pe,segtype,stripes,"
                       "stripe_size,seg_pe_ranges", vg)
    lvs = {}
    for r in json.loads(out)["report"][0]["seg"]:
        areas = []
        for rng in r["seg_pe_ranges"].split():
            dev, span = rng.rsplit(":", 1)
            areas.append((im.name_of(dev), int(span.split("-")[0])))
        lvs.setdefault(r["lv_name"], []).append(
            (int(r["seg_start_pe"]), int(r["seg_size_pe"]), r["segtype"], areas,
             int(r["stripe_size"] or 0)))
    return lvs, pe_start, es


def expected_table(segs, pe_start, es):
    """The table lvm2 loads for an LV: one target per segment."""
    lines = []
    for start, count, segtype, areas, stripe in segs:
        offs = ["%s %d" % (dev, pe_start[dev] + pe * es) for dev, pe in areas]
        if len(areas) == 1:
            lines.append("%d %d linear %s" % (start * es, count * es, offs[0]))
        else:
            lines.append("%d %d striped %d %d %s" % (start * es, count * es, len(areas), stripe,
                                                     " ".join(offs)))
    return "".join(l + "\n" for l in lines)


def lv_extents(segs, pe_start, es, part_offsets):
    """An Extents model of an LV (files and sectors), independent of dmboot."""
    ext = Extents()
    for start, count, segtype, areas, stripe in segs:
        devs = []
        for dev, pe in areas:
            img, base = part_offsets.get(dev, (dev, 0))
            devs.append((img, base + pe_start[dev] + pe * es))
        if len(devs) == 1:
            ext = ext + Extents.linear(count * es, devs[0][0], devs[0][1])
        else:
            ext = ext + Extents.striped(count * es, stripe, devs)
    return ext


def partition_offsets(im):
    """{"disk.img:pN": ("disk.img", first sector)} from sfdisk --json."""
    out = {}
    for img in list(im.loops) + sorted({p.split(":")[0] for p in im.parts.values()}):
        if not any(p.startswith(img + ":") for p in im.parts.values()):
            continue
        _, js, _ = run([SFDISK, "--json", im.dir / img])
        for p in json.loads(js)["partitiontable"]["partitions"]:
            num = p["node"][len(str(im.dir / img)):]
            out["%s:p%s" % (img, num)] = (img, int(p["start"]))
    return out


def fill(im, lvs, pe_start, es, parts, seed):
    """Write random bytes into every striped/linear LV's extents; returns {lv: bytes}."""
    files = {}
    data = {}
    rnd = random.Random(seed)
    for lv, segs in lvs.items():
        if any(s[2] not in ("linear", "striped") for s in segs):
            continue
        ext = lv_extents(segs, pe_start, es, parts)
        blob = rnd.randbytes(ext.size)
        for f in {r[2] for r in ext.runs}:
            if f not in files:
                files[f] = bytearray((im.dir / f).read_bytes())
        ext.write(files, 0, blob)
        data[lv] = blob
    for f, content in files.items():
        (im.dir / f).write_bytes(content)
    return data


def committed_copies(img):
    """(absolute offset, size) of the committed metadata text of each metadata area of the
    PV in img, read from its label and metadata area headers (formats.md §4)."""
    raw = Path(img).read_bytes()
    label = raw.find(b"LABELONE", 0, 2048)
    assert label >= 0 and label % 512 == 0
    pvh = label + int.from_bytes(raw[label + 20:label + 24], "little")
    pos, lists = pvh + 40, []
    for _ in range(2):
        areas = []
        while True:
            off = int.from_bytes(raw[pos:pos + 8], "little")
            size = int.from_bytes(raw[pos + 8:pos + 16], "little")
            pos += 16
            if off == 0 and size == 0:
                break
            areas.append((off, size))
        lists.append(areas)
    out = []
    for off, size in lists[1]:
        locn = off + 40
        text_off = int.from_bytes(raw[locn:locn + 8], "little")
        text_size = int.from_bytes(raw[locn + 8:locn + 16], "little")
        out.append((off + text_off, text_size))
    return out


def flip(img, offset, mask=0x01):
    with open(img, "r+b") as f:
        f.seek(offset)
        c = f.read(1)
        f.seek(offset)
        f.write(bytes([c[0] ^ mask]))


def dm_name(vg, lv):
    return "%s-%s" % (vg.replace("-", "--"), lv.replace("-", "--"))


def normalise_attr(text):
    """lvm2 without activation prints X (unknown) for state and open; dmboot knows the LV
    is not active."""
    return re.sub(r"(?m)^(  \S+\s+\S+\s+.{4})XX", r"\1--", text)


# -- building volume groups --------------------------------------------------------

def build_basic(im):
    """vg0 over two 64 MiB PVs: linear, spanning, striped by 2 and 3 (three PVs), an LV
    extended into a second segment."""
    a = im.image("a.img", 64)
    b = im.image("b.img", 64)
    c = im.image("c.img", 64)
    im.lvm("pvcreate", a, b, c)
    im.lvm("vgcreate", "-s", "1m", "vg0", a, b, c)
    im.lvm("lvcreate", "-an", "-Zn", "-L", "6m", "-n", "lin", "vg0", a)
    im.lvm("lvcreate", "-an", "-Zn", "-i", "2", "-I", "64k", "-L", "8m", "-n", "str2", "vg0", a, b)
    im.lvm("lvcreate", "-an", "-Zn", "-i", "3", "-I", "16k", "-L", "6m", "-n", "str3", "vg0")
    im.lvm("lvcreate", "-an", "-Zn", "-i", "2", "-I", "1m", "-L", "4m", "-n", "str-big", "vg0",
           b, c)
    im.lvm("lvcreate", "-an", "-Zn", "-L", "3m", "-n", "grow", "vg0", c)
    im.lvm("lvcreate", "-an", "-Zn", "-L", "2m", "-n", "gap", "vg0", c)
    im.lvm("lvextend", "-L", "+5m", "vg0/grow", c)
    # Spanning: the rest of a and some of b.
    _, out, _ = im.lvm("pvs", "--noheadings", "--units", "m", "--nosuffix", "-o", "pv_free", a)
    free_a = int(float(out.strip()))
    im.lvm("lvcreate", "-an", "-Zn", "-L", "%dm" % free_a, "-n", "span", "vg0", a)
    im.lvm("lvextend", "-L", "+3m", "vg0/span", b)
    return ["a.img", "b.img", "c.img"]


# -- the tests ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["plain", "asan"])
def test_activate_read_and_tables(kind, images, tmp_path):
    """Every LV reads back the bytes lvm2's layout puts there, with lvm2's table."""
    devs = build_basic(images)
    lvs, pe_start, es = lvm2_layout(images, "vg0")
    assert len(lvs["grow"]) == 2 and len(lvs["str3"][0][3]) == 3
    assert {s[3][0][0] for s in lvs["span"]} == {"a.img", "b.img"}
    images.detach()
    data = fill(images, lvs, pe_start, es, {}, 1)
    dm = dm_for(kind, tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-ay", "vg0", "--devices", ",".join(devs))
    assert (rc, err) == (0, "")
    assert out == '  %d logical volume(s) in volume group "vg0" now active\n' % len(lvs)
    for lv, segs in lvs.items():
        name = dm_name("vg0", lv)
        assert dm.ok("table", name) == expected_table(segs, pe_start, es), lv
        assert dm.read(name) == data[lv], lv
    # Deactivation removes exactly the VG's devices.
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-an", "vg0")
    assert (rc, err) == (0, "")
    dm.assert_no_devices()


def test_reports_match_lvm2(images, tmp_path):
    devs = build_basic(images) + ["orphan.img"]
    images.lvm("pvcreate", images.image("orphan.img", 24))
    want = {}
    for cmd in (["vgs"], ["lvs"], ["lvs", "--segments"], ["lvs", "--units", "s"],
                ["vgs", "--units", "k", "--nosuffix"], ["lvs", "-o", "+lv_uuid,seg_count"],
                ["vgs", "-o", "+vg_uuid,vg_extent_size,vg_extent_count,vg_free_count,vg_seqno"]):
        want[tuple(cmd)] = images.lvm(*cmd)[1]
    jwant = {}
    for cmd in (["pvs"], ["vgs"], ["lvs"], ["lvs", "--segments", "-o", "+seg_pe_ranges,devices"],
                ["pvs", "-o", "+pv_uuid,pe_start,pv_pe_count,pv_pe_alloc_count,pv_used,dev_size,"
                 "pv_mda_count"]):
        jwant[tuple(cmd)] = json.loads(images.map_names(
            images.lvm(*cmd, "--reportformat", "json")[1]))
    pvs_text = images.map_names(images.lvm("pvs")[1])
    images.detach()
    dm = dm_for("plain", tmp_path)
    d = ["--devices", ",".join(devs)]
    for cmd, text in want.items():
        rc, out, err = dmb_lvm(dm, images.dir, *cmd, *d)
        assert (rc, err) == (0, "")
        assert out == normalise_attr(text), cmd
    for cmd, obj in jwant.items():
        rc, out, err = dmb_lvm(dm, images.dir, *cmd, "--reportformat", "json", *d)
        assert (rc, err) == (0, "")
        got = json.loads(out)
        for rows in obj["report"][0].values():
            for row in rows:
                if "lv_attr" in row:
                    row["lv_attr"] = row["lv_attr"].replace("XX", "--")
        if cmd[0] == "pvs":  # /dev/loop10 sorts before /dev/loop9: compare as sets
            for o in (got, obj):
                o["report"][0]["pv"].sort(key=lambda r: r["pv_name"])
        assert got == obj, cmd
    # pvs text: the PV column is as wide as the names, so compare cell by cell.
    rc, out, err = dmb_lvm(dm, images.dir, "pvs", *d)
    assert sorted(l.split() for l in out.splitlines()) == \
        sorted(l.split() for l in pvs_text.splitlines())


def test_activated_lv_attr_and_json(images, tmp_path):
    devs = build_basic(images)
    images.detach()
    dm = dm_for("plain", tmp_path)
    d = ["--devices", ",".join(devs)]
    assert dmb_lvm(dm, images.dir, "lvchange", "-ay", "vg0/lin", *d)[0] == 0
    dm.ok("create", "user", "--table", "0 8 linear /dev/mapper/vg0-lin 0")
    rc, out, err = dmb_lvm(dm, images.dir, "lvs", "-o", "lv_name,lv_attr,lv_active", *d)
    rows = {l.split()[0]: l.split()[1:] for l in out.splitlines()[1:]}
    assert rows["lin"] == ["-wi-ao----", "active"]
    assert rows["str2"] == ["-wi-------"]
    assert dm.ok("ls").count("vg0-") == 1


def test_pv_in_gpt_partition(images, tmp_path):
    """A PV on partition 2 of a GPT disk: found by scanning the disk image."""
    images.image("disk.img", 48, "label: gpt\nsize=8M, type=L\nsize=32M, type=E6D6D379-F507-"
                                 "44C2-A23C-238F2A3DF928\n")
    part = [p for p in images.parts if images.parts[p] == "disk.img:p2"][0]
    images.lvm("pvcreate", part)
    images.lvm("vgcreate", "vgp", part)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "8m", "-n", "root", "vgp")
    images.lvm("lvcreate", "-an", "-Zn", "-L", "12m", "-n", "home", "vgp")
    lvs, pe_start, es = lvm2_layout(images, "vgp")
    parts = partition_offsets(images)
    images.detach()
    data = fill(images, lvs, pe_start, es, parts, 2)
    dm = dm_for("plain", tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-ay", "vgp", "--devices", "disk.img")
    assert (rc, err) == (0, "")
    for lv, segs in lvs.items():
        assert dm.ok("table", dm_name("vgp", lv)) == expected_table(segs, pe_start, es)
        assert dm.read(dm_name("vgp", lv)) == data[lv]
    rc, out, err = dmb_lvm(dm, images.dir, "pvs", "--devices", "disk.img")
    assert out.splitlines()[1].split()[:2] == ["disk.img:p2", "vgp"]


def test_pv_in_mbr_logical_partition(images, tmp_path):
    """A PV on a logical partition (p5) behind an extended one: found as disk.img:p5."""
    images.image("disk.img", 40, "label: dos\n,8M,83\n,,5\n,24M,8e\n")
    part = [p for p in images.parts if images.parts[p] == "disk.img:p5"][0]
    images.lvm("pvcreate", part)
    images.lvm("vgcreate", "vgl5", part)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "12m", "-n", "data", "vgl5")
    lvs, pe_start, es = lvm2_layout(images, "vgl5")
    parts = partition_offsets(images)
    images.detach()
    data = fill(images, lvs, pe_start, es, parts, 7)
    dm = dm_for("asan", tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "lvchange", "-ay", "vgl5/data", "--devices", "disk.img")
    assert (rc, err) == (0, "")
    assert dm.ok("table", "vgl5-data") == expected_table(lvs["data"], pe_start, es)
    assert dm.read("vgl5-data") == data["data"]


def test_two_metadata_copies_and_alignment(images, tmp_path):
    """--pvmetadatacopies 2 puts a second copy at the end; --dataalignment moves pe_start.
    Damage to one copy is survived (with a warning), from either end."""
    a = images.image("a.img", 64)
    images.lvm("pvcreate", "--pvmetadatacopies", "2", "--dataalignment", "3m", a)
    images.lvm("vgcreate", "-s", "2m", "vgm", a)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "10m", "-n", "lv", "vgm")
    lvs, pe_start, es = lvm2_layout(images, "vgm")
    assert pe_start["a.img"] == 3 * MIB // SECTOR
    images.detach()
    data = fill(images, lvs, pe_start, es, {}, 3)
    dm = dm_for("plain", tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "pvs", "-o", "pv_name,pv_mda_count,pe_start",
                           "--units", "s", "--devices", "a.img")
    assert out.splitlines()[1].split() == ["a.img", "2", "6144S"]
    img = images.dir / "a.img"
    copies = committed_copies(img)
    assert len(copies) == 2 and copies[1][0] > 32 * MIB, "expected a copy near the end"
    for where, size in copies:
        flip(img, where + size // 2)
        rc, out, err = dmb_lvm(dm, images.dir, "lvchange", "-ay", "vgm/lv", "--devices", "a.img")
        assert rc == 0
        assert "metadata checksum" in err and err.count("\n") <= 3
        assert dm.read(dm_name("vgm", "lv")) == data["lv"]
        dm.ok("remove", dm_name("vgm", "lv"))
        flip(img, where + size // 2)


def test_all_metadata_copies_bad(images, tmp_path):
    a = images.image("a.img", 32)
    images.lvm("pvcreate", a)
    images.lvm("vgcreate", "vgx", a)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "4m", "-n", "lv", "vgx")
    images.detach()
    for where, size in committed_copies(images.dir / "a.img"):
        flip(images.dir / "a.img", where + 2)
    dm = dm_for("plain", tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-ay", "vgx", "--devices", "a.img")
    assert rc == 5 and out == ""
    assert 'Volume group "vgx" not found' in err
    assert "metadata checksum" in err
    dm.assert_no_devices()


def test_label_checksum_bad(images, tmp_path):
    """A PV whose label fails its CRC is not a PV: its VG misses it, as lvm2 says."""
    a = images.image("a.img", 32)
    b = images.image("b.img", 32)
    images.lvm("pvcreate", a, b)
    images.lvm("vgcreate", "vgl", a, b)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "8m", "-n", "ona", "vgl", a)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "8m", "-n", "onb", "vgl", b)
    lvs, pe_start, es = lvm2_layout(images, "vgl")
    images.detach()
    data = fill(images, lvs, pe_start, es, {}, 4)
    flip(images.dir / "b.img", 512 + 40, 0xff)
    dm = dm_for("plain", tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-ay", "vgl", "--devices", "a.img,b.img")
    assert rc == 5
    assert "b.img: label checksum" in err
    assert "is missing PV" in err and "Refusing activation of partial LV vgl/onb" in err
    assert out == '  1 logical volume(s) in volume group "vgl" now active\n'
    assert dm.read(dm_name("vgl", "ona")) == data["ona"]


@pytest.mark.parametrize("kind", ["plain", "asan"])
def test_missing_pv_and_partial(kind, images, tmp_path):
    a = images.image("a.img", 32)
    b = images.image("b.img", 32)
    images.lvm("pvcreate", a, b)
    images.lvm("vgcreate", "-s", "1m", "vgm", a, b)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "6m", "-n", "whole", "vgm", a)
    images.lvm("lvcreate", "-an", "-Zn", "-i", "2", "-I", "64k", "-L", "4m", "-n", "str", "vgm",
               a, b)
    _, out, _ = images.lvm("pvs", "--noheadings", "--units", "m", "--nosuffix", "-o", "pv_free", a)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "%dm" % int(float(out)), "-n", "split", "vgm", a)
    images.lvm("lvextend", "-L", "+4m", "vgm/split", b)
    lvs, pe_start, es = lvm2_layout(images, "vgm")
    images.detach()
    data = fill(images, lvs, pe_start, es, {}, 5)
    dm = dm_for(kind, tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-ay", "vgm", "--devices", "a.img")
    assert rc == 5
    assert "Refusing activation of partial LV vgm/split" in err
    assert dm.read(dm_name("vgm", "whole")) == data["whole"]
    assert dmb_lvm(dm, images.dir, "vgchange", "-an", "vgm")[0] == 0
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-ay", "vgm", "--activationmode",
                           "partial", "--devices", "a.img")
    assert rc == 0
    # As lvm2: each area on the missing PV reads from a filler device of the error
    # target, "VG-LV-missing_<segment>_<area>", the size of its segment.
    name = dm_name("vgm", "split")
    table = dm.ok("table", name).splitlines()
    assert table[0].split()[2:] == ["linear", "a.img", str(pe_start["a.img"] + lvs["split"][0][3][0][1] * es)]
    assert table[-1].split()[2:] == ["linear", "vgm-split-missing_1_0", "0"]
    assert dm.ok("table", "vgm-split-missing_1_0") == "0 %d error \n" % (lvs["split"][1][1] * es)
    on_a = lvs["split"][0][1] * es * SECTOR
    assert dm.read(name, "--length", str(on_a)) == data["split"][:on_a]
    rc, out, err = dm.run("read", name, "--offset", str(on_a), "--length", "512", raw=True)
    assert rc == 1 and "I/O error" in err
    # A striped LV keeps the stripe on the PV that is there.
    name = dm_name("vgm", "str")
    seg = lvs["str"][0]
    stripe = seg[4]
    assert [area[0] for area in seg[3]] == ["a.img", "b.img"]
    assert dm.ok("table", name).split()[2:] == [
        "striped", "2", str(stripe), "a.img", str(pe_start["a.img"] + seg[3][0][1] * es),
        "vgm-str-missing_0_1", "0"]
    assert dm.ok("table", "vgm-str-missing_0_1") == "0 %d error \n" % (seg[1] * es)
    chunk = stripe * SECTOR
    for k in range(len(data["str"]) // chunk):
        rc, out, err = dm.run("read", name, "--offset", str(k * chunk), "--length", str(chunk),
                              raw=True)
        if k % 2 == 0:
            assert (rc, out) == (0, data["str"][k * chunk:(k + 1) * chunk]), k
        else:
            assert rc == 1 and "I/O error" in err, k
    # Deactivation removes the fillers after the LVs; lvchange takes an LV's own. While a
    # device uses the LV, the LV stays, and so does its filler, without a second complaint.
    dm.ok("create", "top", "--table", "0 8 linear %s 0" % name)
    rc, out, err = dmb_lvm(dm, images.dir, "lvchange", "-an", "vgm/str")
    assert (rc, err) == (5, "  Logical volume vgm/str is used by another device.\n"), err
    assert "vgm-str-missing_0_1" in dm.ok("ls")
    dm.ok("remove", "top")
    assert dmb_lvm(dm, images.dir, "lvchange", "-an", "vgm/str")[0] == 0
    names = [ln.split()[0] for ln in dm.ok("ls").splitlines()]
    assert sorted(names) == sorted([dm_name("vgm", "whole"), dm_name("vgm", "split"),
                                    "vgm-split-missing_1_0"])
    assert dmb_lvm(dm, images.dir, "vgchange", "-an", "vgm")[0] == 0
    assert dm.ok("ls") == "No devices found\n"


def test_truncated_pv(images, tmp_path):
    a = images.image("a.img", 32)
    images.lvm("pvcreate", a)
    images.lvm("vgcreate", "-s", "1m", "vgt", a)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "4m", "-n", "first", "vgt")
    images.lvm("lvcreate", "-an", "-Zn", "-L", "20m", "-n", "last", "vgt")
    lvs, pe_start, es = lvm2_layout(images, "vgt")
    images.detach()
    data = fill(images, lvs, pe_start, es, {}, 6)
    with open(images.dir / "a.img", "r+b") as f:
        f.truncate(16 * MIB)
    dm = dm_for("plain", tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-ay", "vgt", "--devices", "a.img")
    assert rc == 5
    assert "vgt/last" in err and "a.img" in err
    assert dm.read(dm_name("vgt", "first")) == data["first"]
    assert "vgt-last" not in dm.ok("ls")


THIN_AND_SNAPSHOT = """
thinpool {
id = "%(id1)s"
status = ["READ", "WRITE", "VISIBLE"]
flags = []
segment_count = 1
segment1 {
start_extent = 0
extent_count = 2
type = "thin-pool"
metadata = "thinpool_tmeta"
pool = "thinpool_tdata"
transaction_id = 1
chunk_size = 128
discards = "passdown"
zero_new_blocks = 1
}
}
thin1 {
id = "%(id2)s"
status = ["READ", "WRITE", "VISIBLE"]
flags = []
segment_count = 1
segment1 {
start_extent = 0
extent_count = 4
type = "thin"
thin_pool = "thinpool"
transaction_id = 0
device_id = 1
}
}
snapshot0 {
id = "%(id3)s"
status = ["READ"]
flags = []
segment_count = 1
segment1 {
start_extent = 0
extent_count = 2
type = "snapshot"
chunk_size = 8
origin = "origin"
cow_store = "cow"
}
}
"""


def _rename_and_hide(text, old, new):
    start = text.index("\n%s {\n" % old)
    end = text.index("\n}\n", start)
    block = text[start:end].replace("\n%s {\n" % old, "\n%s {\n" % new, 1)
    block = block.replace(', "VISIBLE"]', "]", 1)
    return text[:start] + block + text[end:]


def test_unsupported_types_refused(images, tmp_path):
    """A thin pool and a thin LV (metadata restored with vgcfgrestore, since lvm2 cannot
    create them without the kernel) are refused by name and type; the VG's plain LVs and
    the snapshot (its COW store new, never written: every chunk reads from the origin)
    activate as lvm2 loads them."""
    a = images.image("a.img", 32)
    images.lvm("pvcreate", a)
    images.lvm("vgcreate", "-s", "1m", "vgu", a)
    for lv in ("plain", "tdata", "tmeta", "origin", "cow"):
        images.lvm("lvcreate", "-an", "-Zn", "-L", "2m", "-n", lv, "vgu")
    backup = images.dir / "vgu.txt"
    images.lvm("vgcfgbackup", "-f", backup, "vgu")
    text = re.sub(r"(?m)^\s+", "", backup.read_text())
    text = re.sub(r"\s*#[^\n\"]*$", "", text, flags=re.M)
    text = _rename_and_hide(text, "tdata", "thinpool_tdata")
    text = _rename_and_hide(text, "tmeta", "thinpool_tmeta")
    ids = {"id%d" % i: "%s-0000-0000-0000-0000-0000-%s" % ("x" * 5 + str(i), "y" * 6)
           for i in (1, 2, 3)}
    at = text.index("logical_volumes {\n") + len("logical_volumes {\n")
    text = text[:at] + (THIN_AND_SNAPSHOT % ids).lstrip() + text[at:]
    backup.write_text(text)
    images.lvm("vgcfgrestore", "--force", "-f", backup, "vgu")
    _, lvm2_lvs, _ = images.lvm("lvs", "vgu")
    lvm2_vgs = images.lvm("vgs", "vgu")[1]
    images.detach()
    dm = dm_for("plain", tmp_path)
    rc, out, err = dmb_lvm(dm, images.dir, "vgchange", "-ay", "vgu", "--devices", "a.img")
    assert rc == 5
    assert "vgu/thinpool: segment type thin-pool is not supported" in err
    assert "vgu/thin1: segment type thin is not supported" in err
    assert "vgu/cow" not in err and "vgu/origin" not in err
    assert dm.ok("ls").split()[::2] == ["vgu-cow", "vgu-cow-cow", "vgu-origin",
                                        "vgu-origin-real", "vgu-plain"]
    assert dm.ok("table", "vgu-origin") == "0 4096 snapshot-origin vgu-origin-real\n"
    assert dm.ok("table", "vgu-cow") == "0 4096 snapshot vgu-origin-real vgu-cow-cow P 8\n"
    assert dm.ok("status", "vgu-cow") == "0 4096 snapshot 16/4096 16\n"
    assert dm.read("vgu-cow") == dm.read("vgu-origin") == dm.read("vgu-origin-real")
    rc, out, err = dmb_lvm(dm, images.dir, "lvs", "-o", "lv_name,lv_attr,lv_size,pool_lv,origin",
                           "--devices", "a.img")
    rows = {l.split()[0]: l.split()[1:] for l in out.splitlines()[1:]}
    assert rows["thin1"] == ["Vwi---t---", "4.00m", "thinpool"]
    assert rows["thinpool"] == ["twi---tz--", "2.00m"]
    assert rows["cow"] == ["swi-a-s---", "2.00m", "origin"]
    assert rows["origin"] == ["owi-a-s---", "2.00m"]
    assert dmb_lvm(dm, images.dir, "vgs", "vgu", "--devices", "a.img")[1] == lvm2_vgs
    want = [l.split() for l in normalise_attr(lvm2_lvs).splitlines()]
    got = [l.split() for l in dmb_lvm(dm, images.dir, "lvs", "vgu", "--devices", "a.img")[1]
           .splitlines()]
    assert [r[:2] for r in got] == [r[:2] for r in want]


def test_errors(images, tmp_path):
    a = images.image("a.img", 16)
    images.lvm("pvcreate", a)
    images.lvm("vgcreate", "vge", a)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "4m", "-n", "lv", "vge")
    images.detach()
    (images.dir / "zero.img").write_bytes(bytes(MIB))
    dm = dm_for("asan", tmp_path)
    cases = [
        (["vgs", "nosuch", "--devices", "a.img"], 5, 'Volume group "nosuch" not found'),
        (["lvchange", "-ay", "vge/nosuch", "--devices", "a.img"], 5,
         'Failed to find logical volume "vge/nosuch"'),
        (["vgchange", "-ay", "vge"], 3, "no devices to scan"),
        (["lvs", "-o", "lv_name,bogus", "--devices", "a.img"], 3, "Unrecognised field: bogus"),
        (["vgs", "--units", "q", "--devices", "a.img"], 3, "invalid value 'q'"),
        (["vgchange", "vge", "--devices", "a.img"], 3, "give -ay or -an"),
        (["lvs", "--devices", "missing.img"], 0, "missing.img"),
        (["frobnicate"], 3, "unknown command"),
    ]
    for args, rc_want, msg in cases:
        rc, out, err = dmb_lvm(dm, images.dir, *args)
        assert rc == rc_want and msg in err, (args, rc, err)
    # A device that is no PV is simply not one.
    rc, out, err = dmb_lvm(dm, images.dir, "pvs", "--devices", "zero.img,a.img")
    assert (rc, err) == (0, "") and out.splitlines()[1].split()[0] == "a.img"
    dm.assert_no_devices()


def test_symlink_and_dm_names(images, tmp_path):
    a = images.image("a.img", 16)
    images.lvm("pvcreate", a)
    images.lvm("vgcreate", "my-vg", a)
    images.lvm("lvcreate", "-an", "-Zn", "-L", "4m", "-n", "the-lv", "my-vg")
    images.detach()
    dm = dm_for("plain", tmp_path)
    link = images.dir / "lvm"
    link.symlink_to(dm.binary)
    rc, out, err = dm.exec([link, "lvchange", "-ay", "my-vg/the-lv", "--devices", "a.img"],
                           cwd=images.dir)
    assert (rc, err) == (0, "")
    assert dm.ok("ls").startswith("my--vg-the--lv\t")
