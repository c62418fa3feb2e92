# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`veritysetup dump|verify|open`, `sfdisk --dump|--json|--list` and `ddi inspect` take a
device under any spelling (tools/dmboot/cli/image.h, docs/dmsetup.md): FILE, FILE:pN, a
mapped device as NAME, /dev/mapper/NAME, VG/LV and 253:MINOR, and PARTUUID= and PARTLABEL=
searched on --devices (or through udev's /dev/disk links).

The bytes are the same everywhere: a verity data device, its hash device and FEC device made
by the real veritysetup, and a disk made by the real sfdisk.  Each is a plain file, a
partition of one GPT disk (found by number, PARTUUID and PARTLABEL), and a linear mapped
device over the file.  The mapped devices are named as device-mapper names LVs (vg0-data,
...), so that VG/LV finds them as it finds an LV that `dmboot lvm` activated
(test_ddi_spelling.py reads a real lvm2 LV that way).  What dmboot prints for each spelling
must be what the real tool prints for the plain file, the device's name aside.
"""
import json
import os
import uuid as uuidlib
from pathlib import Path

import pytest

from conftest import tool
from test_ddi import Kit, ddi, ddi_ok
from test_ddi_spelling import same_image

VERITYSETUP = tool("veritysetup")
SFDISK = tool("sfdisk")
SECTOR = 512
SALT = "e48da609055204e89ae53b655ca2216dd983cf3cb829f34f63a297d106d53e2d"
VUUID = "a60c98d2-ae9b-4865-bfcb-b4e3ace11033"

# The parts, in the order of the disk's partitions and of the mapped devices' minors.
PARTS = ["data", "hash", "fec", "inner"]
PARTUUIDS = {
    "data": "6E1A3C52-0B7D-4F2A-9C1E-2D3B4A5C6D71",
    "hash": "6E1A3C52-0B7D-4F2A-9C1E-2D3B4A5C6D72",
    "fec": "6E1A3C52-0B7D-4F2A-9C1E-2D3B4A5C6D73",
    "inner": "6E1A3C52-0B7D-4F2A-9C1E-2D3B4A5C6D74",
}
INNER_SCRIPT = """label: gpt
label-id: 0D6A2C1E-7B3F-4E58-A9C0-1F2E3D4C5B6A
first-lba: 2048
inner.img1 : start=2048, size=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=1B2C3D4E-0000-4000-8000-000000000001, name="ESP", attrs="RequiredPartition"
inner.img2 : start=4096, size=8192, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=1B2C3D4E-0000-4000-8000-000000000002, name="root a", attrs="GUID:60"
inner.img3 : start=12288, size=2048, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, uuid=1B2C3D4E-0000-4000-8000-000000000003
"""
SFDISK_WRITE = ["-q", "--no-reread", "--no-tell-kernel", "--wipe", "never",
                "--wipe-partitions", "never"]

# Every spelling of part p: a function of (part, minor of its mapped device).
SPELLINGS = {
    "file": lambda p, m: "%s.img" % p,
    "partition": lambda p, m: "disk.raw:p%d" % (PARTS.index(p) + 1),
    "name": lambda p, m: "vg0-%s" % p,
    "mapper": lambda p, m: "/dev/mapper/vg0-%s" % p,
    "vg/lv": lambda p, m: "vg0/%s" % p,
    "major:minor": lambda p, m: "253:%d" % m,
    "partuuid": lambda p, m: "PARTUUID=%s" % PARTUUIDS[p].lower(),
    "partlabel": lambda p, m: "PARTLABEL=v-%s" % p,
}


def sectors(path):
    return (path.stat().st_size + SECTOR - 1) // SECTOR


class Env:
    """The devices of one test: files, the disk holding them, the mapped devices."""

    def __init__(self, dm):
        if VERITYSETUP is None or SFDISK is None:
            pytest.fail("veritysetup and sfdisk are needed (make deps installs them)")
        self.dm = dm
        self.cwd = dm.cwd
        dm.make_file("data.img", 256 * 4096, 7)
        rc, out, err = self.ref("format", "data.img", "hash.img", "--salt", SALT,
                                "--uuid", VUUID, "--fec-device", "fec.img")
        assert rc == 0, err
        self.root = [l.split(":", 1)[1].strip() for l in out.splitlines()
                     if l.startswith("Root hash:")][0]
        inner = self.cwd / "inner.img"
        with open(inner, "wb") as f:
            f.truncate(16 * 1024 * 1024)
        rc, out, err = dm.exec([SFDISK, *SFDISK_WRITE, "inner.img"], input=INNER_SCRIPT)
        assert rc == 0, err
        self.make_disk()
        self.minor = {}
        for p in PARTS:
            img = self.cwd / ("%s.img" % p)
            self.minor[p] = len(self.minor)
            dm.ok("create", "vg0-%s" % p, "--table", "0 %d linear %s.img 0" % (sectors(img), p))

    def make_disk(self):
        """disk.raw: each part in a partition of its own size, in PARTS order."""
        lines, start = ["label: gpt"], 2048
        for p in PARTS:
            n = sectors(self.cwd / ("%s.img" % p))
            lines.append("start=%d, size=%d, uuid=%s, name=v-%s" % (start, n, PARTUUIDS[p], p))
            start += n + 2048
        with open(self.cwd / "disk.raw", "wb") as f:
            f.truncate((start + 2048) * SECTOR)
        rc, out, err = self.dm.exec([SFDISK, *SFDISK_WRITE, "disk.raw"],
                                    input="\n".join(lines) + "\n")
        assert rc == 0, err
        with open(self.cwd / "disk.raw", "r+b") as f:
            start = 2048
            for p in PARTS:
                f.seek(start * SECTOR)
                f.write((self.cwd / ("%s.img" % p)).read_bytes())
                start += sectors(self.cwd / ("%s.img" % p)) + 2048

    def spell(self, how, p):
        return SPELLINGS[how](p, self.minor[p])

    def extra(self, how):
        """The options a spelling needs."""
        return ["--devices", "disk.raw"] if how in ("partuuid", "partlabel") else []

    def ref(self, *args):
        return self.dm.exec([VERITYSETUP, *args])

    def verity(self, *args):
        return self.dm.exec([self.dm.binary, "veritysetup", *args])

    def sfdisk(self, *args):
        return self.dm.exec([self.dm.binary, "sfdisk", *args])


@pytest.fixture
def env(dm):
    return Env(dm)


ALL = sorted(SPELLINGS)


def renamed(text, old, new):
    """The real tool's output for old, as it reads for new."""
    return text.replace(old, new)


# -- veritysetup --------------------------------------------------------------------------

@pytest.mark.parametrize("how", ALL)
def test_veritysetup_dump(env, how):
    want = env.ref("dump", "hash.img")
    assert want[0] == 0 and "Hash blocks:" in want[1]
    name = env.spell(how, "hash")
    got = env.verity("dump", name, *env.extra(how))
    assert got == (0, renamed(want[1], "hash.img", name), "")


@pytest.mark.parametrize("how", ALL)
def test_veritysetup_verify(env, how):
    data, hash_ = env.spell(how, "data"), env.spell(how, "hash")
    want = env.ref("verify", "data.img", "hash.img", env.root)
    assert want == (0, "", "")
    assert env.verity("verify", data, hash_, env.root, *env.extra(how)) == want
    # A wrong root hash: veritysetup's lines and exit status.
    wrong = ("0" if env.root[0] != "0" else "1") + env.root[1:]
    want = env.ref("verify", "data.img", "hash.img", wrong)
    assert want[0] != 0 and "Verification of root hash failed." in want[2]
    assert env.verity("verify", data, hash_, wrong, *env.extra(how)) == want


@pytest.mark.parametrize("how", ALL)
def test_veritysetup_verify_with_fec(env, how):
    data, hash_, fec = (env.spell(how, p) for p in ("data", "hash", "fec"))
    want = env.ref("verify", "data.img", "hash.img", env.root, "--fec-device", "fec.img")
    assert want == (0, "", "")
    assert env.verity("verify", data, hash_, env.root, "--fec-device", fec,
                      *env.extra(how)) == want


def test_veritysetup_fec_repairs_through_a_partition(env):
    """A corrupted data block in a copy of the disk: the FEC parity, read through a
    partition name, tells what veritysetup tells of the same corrupted file."""
    raw = bytearray((env.cwd / "disk.raw").read_bytes())
    raw[2048 * SECTOR + 5000] ^= 0x40
    (env.cwd / "bad.raw").write_bytes(bytes(raw))
    data = bytearray((env.cwd / "data.img").read_bytes())
    data[5000] ^= 0x40
    (env.cwd / "bad-data.img").write_bytes(bytes(data))
    want = env.ref("verify", "bad-data.img", "hash.img", env.root, "--fec-device", "fec.img")
    assert want[0] == 0 and "repairable errors with FEC device" in want[2]
    got = env.verity("verify", "bad.raw:p1", "bad.raw:p2", env.root, "--fec-device",
                     "bad.raw:p3")
    assert got == want


@pytest.mark.parametrize("how", ALL)
def test_veritysetup_open(env, how):
    dm = env.dm
    data, hash_, fec = (env.spell(how, p) for p in ("data", "hash", "fec"))
    rc, out, err = env.verity("open", data, "v", hash_, env.root, "--fec-device", fec,
                              *env.extra(how))
    assert (rc, out, err) == (0, "", "")
    # Instantiated again from the registry: the table found its devices.
    assert dm.read("v") == (env.cwd / "data.img").read_bytes()
    table = dm.ok("table", "v").split()
    mapped = {"name", "mapper", "vg/lv", "major:minor"}
    want_data = "/dev/mapper/vg0-data" if how in mapped else data
    assert table[2:5] == ["verity", "1", want_data]
    assert env.verity("close", "v") == (0, "", "")


def test_veritysetup_open_a_wrong_root_hash_through_partuuid(env):
    wrong = ("0" if env.root[0] != "0" else "1") + env.root[1:]
    rc, out, err = env.verity("open", env.spell("partuuid", "data"), "v",
                              env.spell("partuuid", "hash"), wrong, "--devices", "disk.raw")
    assert rc != 0 and out == ""
    assert env.dm.ok("ls").count("\n") == len(PARTS)


# -- sfdisk -------------------------------------------------------------------------------

def node(dev, n):
    """libfdisk's partition node of dev."""
    if dev.startswith("/dev/mapper/"):
        return "%s-part%d" % (dev, n)
    return "%s%s%d" % (dev, "p" if dev[-1].isdigit() else "", n)


def sfdisk_renamed(text, dev):
    for n in (1, 2, 3):
        text = text.replace("inner.img%d " % n, node(dev, n) + " ")
        text = text.replace('"inner.img%d"' % n, '"%s"' % node(dev, n))
    return text.replace("inner.img", dev)


@pytest.mark.parametrize("how", ALL)
def test_sfdisk_dump(env, how):
    rc, want, err = env.dm.exec([SFDISK, "--dump", "inner.img"])
    assert rc == 0 and "label-id: 0D6A2C1E" in want
    dev = env.spell(how, "inner")
    got = env.sfdisk("--dump", dev, *env.extra(how))
    assert got == (0, sfdisk_renamed(want, dev), "")


@pytest.mark.parametrize("how", ALL)
def test_sfdisk_json(env, how):
    rc, want, err = env.dm.exec([SFDISK, "--json", "inner.img"])
    assert rc == 0
    dev = env.spell(how, "inner")
    got = env.sfdisk("--json", dev, *env.extra(how))
    assert got[0] == 0 and got[2] == ""
    assert json.loads(got[1]) == json.loads(sfdisk_renamed(want, dev))


@pytest.mark.parametrize("how", ALL)
def test_sfdisk_list(env, how):
    """--list pads its columns to the names: compared field by field."""
    rc, want, err = env.dm.exec([SFDISK, "--list", "inner.img"])
    assert rc == 0
    dev = env.spell(how, "inner")
    rc, got, err = env.sfdisk("--list", *env.extra(how), dev)
    assert (rc, err) == (0, "")
    assert [l.split() for l in got.splitlines()] == \
        [l.split() for l in sfdisk_renamed(want, dev).splitlines()]


# -- names that match no partition, or several --------------------------------------------

def one_line(err):
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err[:-1]


def test_missing_partuuid(env):
    missing = "PARTUUID=%s" % uuidlib.UUID(int=12345)
    rc, out, err = env.verity("dump", missing, "--devices", "disk.raw")
    assert (rc, out) == (4, "")
    assert one_line(err).endswith("%s: no such partition on the devices given" % missing)
    rc, out, err = env.sfdisk("--json", missing, "--devices", "disk.raw")
    assert (rc, out) == (1, "")
    assert one_line(err).endswith("cannot open %s: no such partition on the devices given"
                                  % missing)
    rc, out, err = ddi(env.dm, "inspect", missing, "--devices", "disk.raw")
    assert (rc, out) == (4, "")
    assert one_line(err).endswith("%s: no such partition on the devices given" % missing)


def test_partuuid_without_devices(env):
    name = env.spell("partuuid", "hash")
    rc, out, err = env.verity("dump", name)
    assert (rc, out) == (4, "")
    assert one_line(err).endswith(
        "%s: no such partition (no /dev/disk/by-partuuid/ link, and no --devices to search)"
        % name)


def test_ambiguous_partuuid_and_partlabel(env):
    (env.cwd / "copy.raw").write_bytes((env.cwd / "disk.raw").read_bytes())
    for name in (env.spell("partuuid", "hash"), env.spell("partlabel", "hash")):
        rc, out, err = env.verity("dump", name, "--devices", "disk.raw,copy.raw")
        assert (rc, out) == (4, "")
        assert one_line(err).endswith("%s: 2 partitions match (one is disk.raw:p2)" % name)
        rc, out, err = env.sfdisk("--dump", name, "--devices", "disk.raw,copy.raw")
        assert (rc, out) == (1, "")
        assert one_line(err).endswith("2 partitions match (one is disk.raw:p2)")
    # The same device twice is searched once.
    rc, out, err = env.verity("dump", env.spell("partuuid", "hash"), "--devices",
                              "disk.raw,disk.raw")
    assert rc == 0 and out.startswith("VERITY header information for PARTUUID=")


def test_bad_devices_lists(env):
    rc, out, err = env.verity("dump", "hash.img", "--devices", ",")
    assert (rc, out, one_line(err)) == (1, "", err[:-1])
    assert err.endswith("veritysetup: --devices names no device\n")
    rc, out, err = env.sfdisk("--dump", "inner.img", "--devices",
                              ",".join("d%d" % i for i in range(65)))
    assert (rc, out) == (1, "")
    assert one_line(err).endswith("sfdisk: --devices names more than 64 devices")


# -- udev's links -------------------------------------------------------------------------

@pytest.fixture
def udev_link(env):
    """/dev/disk/by-partuuid/<uuid> -> hash.img, made here when the machine has no udev
    link of that name (and taken away again)."""
    if os.geteuid() != 0:
        pytest.skip("writing /dev/disk needs root")
    u = str(uuidlib.uuid4())
    d = Path("/dev/disk/by-partuuid")
    made = [p for p in (d.parent, d) if not p.exists()]
    for p in made:
        p.mkdir()
    link = d / u
    link.symlink_to(env.cwd / "hash.img")
    yield u
    link.unlink()
    for p in reversed(made):
        p.rmdir()


def test_partuuid_through_udev(env, udev_link):
    """With udev's link no --devices is needed; the link's name in upper case too."""
    want = env.ref("dump", "hash.img")[1]
    link = "/dev/disk/by-partuuid/%s" % udev_link
    for name in ("PARTUUID=%s" % udev_link, "PARTUUID=%s" % udev_link.upper()):
        assert env.verity("dump", name) == (0, renamed(want, "hash.img", name), "")
    rc, out, err = env.verity("open", "data.img", "v", "PARTUUID=%s" % udev_link.upper(),
                              env.root)
    assert (rc, err) == (0, "")
    assert env.dm.ok("table", "v").split()[5] == link
    assert env.dm.read("v") == (env.cwd / "data.img").read_bytes()
    env.verity("close", "v")


# -- ddi ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return Kit(tmp_path_factory.mktemp("imagespell"))


def test_ddi_inspect_by_partuuid_and_partlabel(dm, kit):
    """A DDI kept in partition 2 of a disk, found by PARTUUID= and PARTLABEL= on --devices."""
    img = kit.once("spell", lambda: kit.hand("spell.raw"))[0]
    n = sectors(img)
    disk = dm.cwd / "disk.raw"
    with open(disk, "wb") as f:
        f.truncate((2048 + 2048 + n + 2048) * SECTOR)
    u = "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9"
    rc, out, err = dm.exec([SFDISK, *SFDISK_WRITE, "disk.raw"],
                           input="label: gpt\nstart=2048, size=2048\n"
                                 "start=4096, size=%d, uuid=%s, name=os\n" % (n, u))
    assert rc == 0, err
    with open(disk, "r+b") as f:
        f.seek(4096 * SECTOR)
        f.write(img.read_bytes())
    cert = kit.cert("good")
    want = json.loads(ddi_ok(dm, "inspect", img, "--json=short", "--trusted-cert", cert))
    for name in ("PARTUUID=" + u.lower(), "PARTLABEL=os"):
        got = json.loads(ddi_ok(dm, "inspect", name, "--devices", "disk.raw", "--json=short",
                                "--trusted-cert", cert))
        same_image(got, want, name)
    # cmdline reads the same image the same way.
    line = ddi_ok(dm, "cmdline", img, "--trusted-cert", cert)
    assert ddi_ok(dm, "cmdline", "PARTLABEL=os", "--devices", "disk.raw",
                  "--trusted-cert", cert) == line
    # open records the partition it found as DEVICE:pN, which its tables name and close
    # finds again under either name.
    for name in ("PARTLABEL=os", "PARTUUID=" + u):
        ddi_ok(dm, "open", name, "--devices", "disk.raw", "--trusted-cert", cert)
        table = dm.ok("table", "root").split()
        assert table[2:6] == ["verity", "1", "disk.raw:p2:p1", "disk.raw:p2:p2"], table
        assert len(dm.read("root", "--length", "4096")) == 4096   # a verified read
        ddi_ok(dm, "close", "PARTUUID=" + u.lower() if name.startswith("PARTLABEL")
               else "PARTLABEL=os", "--devices", "disk.raw")
        dm.assert_no_devices()
    for name, why in (("PARTLABEL=nope", "no such partition"),
                      ("PARTLABEL=", "no such partition")):
        rc, out, err = ddi(dm, "open", name, "--devices", "disk.raw", "--trusted-cert", cert)
        assert (rc, out, one_line(err)) == (4, "", "ddi: %s: %s on the --devices" % (name, why))
    dm.assert_no_devices()


def test_ddi_open_refuses_a_partition_name_found_twice(dm, kit):
    """The same PARTLABEL on two disks: open does not pick one."""
    for disk in ("a.raw", "b.raw"):
        with open(dm.cwd / disk, "wb") as f:
            f.truncate(8192 * SECTOR)
        rc, out, err = dm.exec([SFDISK, *SFDISK_WRITE, disk],
                               input="label: gpt\nstart=2048, size=2048, name=os\n")
        assert rc == 0, err
    rc, out, err = ddi(dm, "open", "PARTLABEL=os", "--devices", "a.raw,b.raw")
    assert (rc, out, one_line(err)) == \
        (4, "", "ddi: PARTLABEL=os: more than one partition has that name on the --devices")
    dm.assert_no_devices()


# -- more of sfdisk --dump, and a real LV ---------------------------------------------------

MBR_SCRIPT = """label: dos
label-id: 0x5eedf00d
mbr.img1 : start=2048, size=4096, type=83, bootable
mbr.img2 : start=8192, size=8192, type=5
mbr.img3 : start=20480, size=2048, type=ef
mbr.img5 : start=10240, size=2048, type=82
"""


def test_sfdisk_dump_of_mbr_through_partlabel(env):
    """An MBR disk (logical partitions, the bootable flag) kept in a GPT partition."""
    dm = env.dm
    with open(dm.cwd / "mbr.img", "wb") as f:
        f.truncate(16 * 1024 * 1024)
    rc, out, err = dm.exec([SFDISK, *SFDISK_WRITE, "mbr.img"], input=MBR_SCRIPT)
    assert rc == 0, err
    rc, want, err = dm.exec([SFDISK, "--dump", "mbr.img"])
    assert rc == 0 and "mbr.img1 : start=        2048, size=        4096, type=83, bootable" in want
    assert "mbr.img5 : start=       10240" in want
    n = sectors(dm.cwd / "mbr.img")
    with open(dm.cwd / "outer.raw", "wb") as f:
        f.truncate((2048 + n + 2048) * SECTOR)
    rc, out, err = dm.exec([SFDISK, *SFDISK_WRITE, "outer.raw"],
                           input="label: gpt\nstart=2048, size=%d, name=\"old mbr\"\n" % n)
    assert rc == 0, err
    with open(dm.cwd / "outer.raw", "r+b") as f:
        f.seek(2048 * SECTOR)
        f.write((dm.cwd / "mbr.img").read_bytes())
    dev = "PARTLABEL=old mbr"
    got = env.sfdisk("--dump", dev, "--devices", "outer.raw")
    want = want.replace("mbr.img1 ", dev + "1 ").replace("mbr.img2 ", dev + "2 ")
    want = want.replace("mbr.img3 ", dev + "3 ").replace("mbr.img5 ", dev + "5 ")
    assert got == (0, want.replace("mbr.img", dev), "")


def test_a_real_lv(dm):
    """The verity devices and the inner disk written into LVs lvm2 made (each rounded up
    to whole MiB), activated by `dmboot lvm`, and read as VG/LV."""
    from test_lvm import Images
    e = Env(dm)
    im = Images(dm.cwd)
    mib = 1 << 20
    sizes = {p: ((e.cwd / ("%s.img" % p)).stat().st_size + mib - 1) // mib for p in PARTS}
    try:
        pv = im.image("pv.img", 8 + sum(sizes.values()))
        im.lvm("pvcreate", pv)
        im.lvm("vgcreate", "-s", "1m", "real-vg", pv)
        for p in PARTS:
            im.lvm("lvcreate", "-an", "-Zn", "-L", "%dm" % sizes[p], "-n", p, "real-vg")
    finally:
        im.detach()
    rc, out, err = dm.exec([dm.binary, "lvm", "vgchange", "-ay", "real-vg", "--devices",
                            "pv.img"])
    assert rc == 0, err
    for p in PARTS:
        data = (e.cwd / ("%s.img" % p)).read_bytes()
        rc, out, err = dm.run("write", "real--vg-%s" % p, input=data)
        assert rc == 0, err
    want = e.ref("dump", "hash.img")[1]
    assert e.verity("dump", "real-vg/hash") == (0, want.replace("hash.img", "real-vg/hash"), "")
    assert e.verity("verify", "real-vg/data", "real-vg/hash", e.root) == (0, "", "")
    rc, want, err = dm.exec([SFDISK, "--dump", "inner.img"])
    assert e.sfdisk("--dump", "real-vg/inner") == (0, sfdisk_renamed(want, "real-vg/inner"), "")
