# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`dmboot sfdisk` against sfdisk (util-linux 2.38), and partitions as lower
devices of `dmboot dmsetup` (docs/sfdisk.md).

Images are made at test time by sfdisk itself, over random bytes: GPT and
MBR, names in UTF-8 beyond ASCII, attribute bits, several types, gaps in
the numbering, extended partitions with logical ones, the bootable flag,
4096-byte sectors (sfdisk 2.38 has no --sector-size: those images are made
on a loop device with 4096-byte sectors).  `dmboot sfdisk --json` and
`--list` must print exactly what sfdisk prints, also for images whose
primary or backup GPT was damaged here.  Then partitions are mapped by
`IMAGE:pN`, `PARTUUID=` and `PARTLABEL=` and read back byte for byte.

Every test runs against build/dmboot and build/asan/dmboot (the `dm`
fixture); any sanitizer report fails the test.
"""
import json
import os
import struct
import zlib
from pathlib import Path

import pytest

from conftest import tool

SECTOR = 512
MiB = 1 << 20


SFDISK = tool("sfdisk")

# sfdisk only writes the table: no signatures wiped, no kernel to tell.
SFDISK_WRITE = ["-q", "--no-reread", "--no-tell-kernel", "--wipe", "never",
                "--wipe-partitions", "never"]

GPT_SCRIPT = """label: gpt
label-id: 3B2F4E8A-1C5D-4F6E-9A7B-8C9D0E1F2A3B
first-lba: 2048
{dev}1 : start=2048, size=4096, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=11111111-2222-3333-4444-555555555555, name="EFI system", attrs="RequiredPartition LegacyBIOSBootable"
{dev}2 : start=6144, size=8192, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, uuid=A1B2C3D4-E5F6-4789-9ABC-DEF012345678, name="racine é ✓ 中文", attrs="GUID:60,63"
{dev}4 : start=16384, size=2048, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, name="swap \\ b"
{dev}5 : start=20480, size=100, type=E6D6D379-F507-44C2-A23C-238F2A3DF928, attrs="NoBlockIOProtocol GUID:48"
{dev}7 : start=22528, size=3000, type=01234567-89AB-CDEF-0123-456789ABCDEF, name="unknown type"
{dev}9 : start=30000, size=1, type=933AC7E1-2EB4-4F13-B844-0E14E2AEF915, name="x"
"""

MBR_SCRIPT = """label: dos
label-id: 0x5eedf00d
{dev}1 : start=2048, size=4096, type=83, bootable
{dev}2 : start=8192, size=24576, type=5
{dev}4 : start=34816, size=2048, type=ef
{dev}5 : start=10240, size=2048, type=82
{dev}6 : start=14336, size=4096, type=8e
{dev}7 : start=20480, size=1000, type=7
{dev}8 : start=24576, size=2048, type=99
"""


class S:
    """dmboot sfdisk and sfdisk on the same images, in the test's directory."""

    def __init__(self, dm):
        if SFDISK is None:
            pytest.fail("sfdisk (package fdisk) is not installed")
        self.dm = dm
        self.cwd = dm.cwd

    def ref(self, *args, input=None):
        return self.dm.exec([SFDISK, *args], input=input)

    def dmb(self, *args):
        return self.dm.exec([self.dm.binary, "sfdisk", *args])

    def image(self, name, size, script, seed=1):
        """An image of random bytes with the table the script describes."""
        self.dm.make_file(name, size, seed)
        rc, out, err = self.ref(*SFDISK_WRITE, name, input=script.format(dev=name))
        assert rc == 0, "sfdisk %s: %s" % (name, err)
        return name

    def same(self, *args, stderr=True):
        """Both tools print the same stdout (and stderr) with the same status."""
        want = self.ref(*args)
        got = self.dmb(*args)
        assert got[1] == want[1], "stdout of sfdisk %s differs:\n%s\n--- sfdisk:\n%s" % (
            " ".join(map(str, args)), got[1], want[1])
        assert got[0] == want[0], "exit status of sfdisk %s: %d, sfdisk %d (%s)" % (
            " ".join(map(str, args)), got[0], want[0], got[2])
        if stderr:
            assert got[2] == want[2], "stderr of sfdisk %s: %r, sfdisk %r" % (
                " ".join(map(str, args)), got[2], want[2])
        return got

    def path(self, name):
        return self.cwd / name

    def bytes_of(self, name, start, count, ss=SECTOR):
        with open(self.path(name), "rb") as f:
            f.seek(start * ss)
            return f.read(count * ss)

    def xor(self, name, offset, mask=0x01):
        with open(self.path(name), "r+b") as f:
            f.seek(offset)
            b = f.read(1)
            f.seek(offset)
            f.write(bytes([b[0] ^ mask]))


@pytest.fixture
def s(dm):
    return S(dm)


# -- sfdisk --json and --list --------------------------------------------------------------------

def test_gpt_json_and_list(s):
    s.image("disk.img", 32 * MiB, GPT_SCRIPT)
    out = s.same("--json", "disk.img")[1]
    parts = json.loads(out)["partitiontable"]["partitions"]
    assert [p["node"] for p in parts] == ["disk.img%d" % n for n in (1, 2, 4, 5, 7, 9)]
    assert parts[1]["name"] == "racine é ✓ 中文"
    assert parts[2]["name"] == "swap \\ b"
    s.same("-J", "disk.img")
    s.same("--list", "disk.img")
    s.same("-l", "disk.img")


def test_mbr_json_and_list(s):
    s.image("mbr.img", 20 * MiB, MBR_SCRIPT)
    out = s.same("--json", "mbr.img")[1]
    table = json.loads(out)["partitiontable"]
    assert table["id"] == "0x5eedf00d"
    assert [p["node"][len("mbr.img"):] for p in table["partitions"]] == \
        ["1", "2", "4", "5", "6", "7", "8"]
    assert table["partitions"][0]["bootable"] is True
    s.same("--list", "mbr.img")


def test_mbr_out_of_order(s):
    """Logical partitions before a later primary (sfdisk's note about the order),
    and one in order."""
    s.image("ooo.img", 64 * MiB, """label: dos
start=2048, size=4096, type=83, bootable
start=8192, size=40960, type=5
start=51200, size=2048, type=c
start=10240, size=2048, type=82
start=14336, size=4096, type=7
start=20480, size=1024, type=b
""")
    s.same("--json", "ooo.img")
    assert "Partition table entries are not in disk order." in s.same("--list", "ooo.img")[1]
    s.image("order.img", 64 * MiB, "label: dos\nsize=4096, type=83\nsize=8192, type=5\n"
            "size=2048, type=83\nsize=2048, type=83\n")
    assert "not in disk order" not in s.same("--list", "order.img")[1]


def test_small_disk_and_table_length(s):
    """Below 4 MiB sfdisk's grain is one sector (a "grain" key); a short entry array."""
    s.image("small.img", 2 * MiB, """label: gpt
table-length: 8
size=100, name="a"
size=3, type=swap
""")
    out = s.same("--json", "small.img")[1]
    table = json.loads(out)["partitiontable"]
    assert table["grain"] == "512" and table["table-length"] == "8"
    s.same("--list", "small.img")


def test_empty_tables(s):
    s.image("eg.img", 8 * MiB, "label: gpt\n")
    s.image("ed.img", 8 * MiB, "label: dos\nlabel-id: 0x00000001\n")
    for name in ("eg.img", "ed.img"):
        s.same("--json", name)
        s.same("--list", name)


def test_sizes_in_list(s):
    """The Size column's rounding at the edges of size_to_human_string."""
    s.image("sizes.img", 64 * MiB, """label: gpt
size=3948
size=3947
size=1
size=3
size=2047
size=2049
size=20479
size=1
""")
    s.same("--list", "sizes.img")


def test_list_several_devices(s):
    s.image("a.img", 8 * MiB, GPT_SCRIPT.split("{dev}4")[0].replace("first-lba: 2048\n", ""))
    s.image("b.img", 8 * MiB, "label: dos\nsize=100, type=83\n")
    s.dm.make_file("none.img", MiB, 3)
    s.same("--list", "a.img", "none.img", "b.img")
    # Devices that cannot be opened: an error line each, and sfdisk's separators.
    assert s.same("--list", "nosuch.img", "a.img", "nosuch2.img", "b.img")[0] == 1


def test_no_table(s):
    s.dm.make_file("none.img", MiB, 4)
    rc, out, err = s.same("--json", "none.img")
    assert (rc, err) == (1, "sfdisk: none.img: does not contain a recognized partition table\n")
    assert s.same("--list", "none.img")[0] == 0


def test_missing_and_tiny(s):
    (s.cwd / "tiny.img").write_bytes(b"\0" * 100)
    for args in (("--json", "nosuch.img"), ("--list", "nosuch.img"), ("--json", "tiny.img")):
        rc, out, err = s.same(*args)
        assert rc == 1 and err.count("\n") == 1


def test_usage_errors(s):
    assert s.dmb("--json")[0:2] == (1, "")
    rc, out, err = s.dmb("disk.img")
    assert rc == 1 and out == "" and err.startswith("sfdisk: only --json and --list")
    rc, out, err = s.dmb("--sector-size", "513", "--json", "x.img")
    assert (rc, err) == (1, "sfdisk: invalid sector size argument: '513'\n")
    rc, out, err = s.dmb("--frobnicate")
    assert rc == 1 and out == ""
    rc, out, err = s.dmb("--help")
    assert rc == 0 and out.startswith("Usage:") and err == ""


def test_symlink(s):
    s.image("disk.img", 32 * MiB, GPT_SCRIPT)
    link = s.cwd / "sfdisk"
    link.symlink_to(s.dm.binary)
    got = s.dm.exec([link, "--json", "disk.img"])
    assert got == s.ref("--json", "disk.img")


def patch_gpt_name(path, index, units, ss=SECTOR):
    """Write UTF-16 code units as the name of entry index in both GPT copies, fixing the CRCs."""
    b = bytearray(Path(path).read_bytes())
    raw = b"".join(struct.pack("<H", u) for u in units).ljust(72, b"\0")
    for lba in (1, len(b) // ss - 1):
        h = lba * ss
        assert b[h:h + 8] == b"EFI PART"
        hsz, = struct.unpack_from("<I", b, h + 12)
        at, count, esize = struct.unpack_from("<QII", b, h + 72)
        e = at * ss
        b[e + index * esize + 56:e + index * esize + 128] = raw
        struct.pack_into("<I", b, h + 88, zlib.crc32(bytes(b[e:e + count * esize])))
        struct.pack_into("<I", b, h + 16, 0)
        struct.pack_into("<I", b, h + 16, zlib.crc32(bytes(b[h:h + hsz])))
    Path(path).write_bytes(bytes(b))


def test_gpt_names_json_escapes(s):
    """Names sfdisk cannot write: quotes and control characters (escaped in
    JSON as util-linux does), a surrogate pair, 36 units of 3 bytes each."""
    s.image("names.img", 8 * MiB, "label: gpt\nsize=10\nsize=10\nsize=10\n")
    patch_gpt_name(s.path("names.img"), 0, [0x22, ord("q"), 1, 0x1F, 10, 9, 8, 12, 13, 0x7F,
                                           0x5C, 0xD83D, 0xDE00, ord("z")])
    patch_gpt_name(s.path("names.img"), 1, [0x4E2D] * 36)
    patch_gpt_name(s.path("names.img"), 2, [ord("a"), 0, ord("b")])
    out = s.same("--json", "names.img")[1]
    parts = json.loads(out)["partitiontable"]["partitions"]
    assert parts[0]["name"] == '"q\x01\x1f\n\t\b\f\r\x7f\\\U0001f600z'
    assert parts[1]["name"] == "\u4e2d" * 36
    assert parts[2]["name"] == "a"
    s.same("--list", "names.img")


def test_gpt_lone_surrogates(s):
    """sfdisk writes an unpaired surrogate as three bytes that are not UTF-8;
    dmboot writes U+FFFD, so its output stays valid UTF-8."""
    s.image("lone.img", 8 * MiB, "label: gpt\nsize=10\n")
    patch_gpt_name(s.path("lone.img"), 0, [ord("a"), 0xDC00, ord("b"), 0xD800])
    rc, out, err = s.dm.exec([s.dm.binary, "sfdisk", "--json", "lone.img"], raw=True)
    assert (rc, err) == (0, "")
    assert b'"name": "a\xef\xbf\xbdb\xef\xbf\xbd"' in out
    want = s.dm.exec([SFDISK, "--json", "lone.img"], raw=True)[1]
    assert out == want.replace(b"\xed\xb0\x80", b"\xef\xbf\xbd").replace(b"\xed\xa0\x80",
                                                                          b"\xef\xbf\xbd")


# -- 4096-byte sectors ---------------------------------------------------------------------------

def test_gpt_4096(s, loop):
    """A GPT made on a 4096-byte-sector loop device: the same output on the loop
    device, and on the image file, whose sector size dmboot finds itself."""
    s.dm.make_file("g4k.img", 32 * MiB, 7)
    dev = loop(s.path("g4k.img"), block_size=4096)
    rc, out, err = s.ref(*SFDISK_WRITE, dev, input="""label: gpt
size=100, name="four ✓", attrs="GUID:59"
size=200, type=swap
start=1000, size=50, type=home, name="home"
""")
    assert rc == 0, err
    for args in (("--json", dev), ("--list", dev)):
        s.same(*args, stderr=False)
    want = s.ref("--json", dev)[1].replace(dev + "p", "g4k.img").replace(dev, "g4k.img")
    for opts in ((), ("--sector-size", "4096")):
        rc, out, err = s.dmb(*opts, "--json", "g4k.img")
        assert (rc, out, err) == (0, want, "")
    # As 512-byte sectors there is only a protective MBR (sfdisk shows it as
    # a dos table; dmboot refuses a protective MBR without its GPT).
    rc, out, err = s.dmb("--sector-size", "512", "--json", "g4k.img")
    assert rc == 1 and err.startswith("sfdisk: g4k.img: no valid GPT: primary header at LBA 1: ")


def test_mbr_4096(s, loop):
    s.dm.make_file("m4k.img", 32 * MiB, 8)
    dev = loop(s.path("m4k.img"), block_size=4096)
    rc, out, err = s.ref(*SFDISK_WRITE, dev, input="""label: dos
size=256, type=83
size=2048, type=f
size=100, type=82
size=100, type=83
""")
    assert rc == 0, err
    for args in (("--json", dev), ("--list", dev)):
        s.same(*args, stderr=False)
    want = s.ref("--json", dev)[1].replace(dev + "p", "m4k.img").replace(dev, "m4k.img")
    rc, out, err = s.dmb("--sector-size", "4096", "--json", "m4k.img")
    assert (rc, out, err) == (0, want, "")


# -- damaged GPTs ---------------------------------------------------------------------------------

PRIMARY_NOTE = "The primary GPT table is corrupt, but the backup appears OK, so that will be used.\n"
BACKUP_NOTE = "The backup GPT table is corrupt, but the primary appears OK, so that will be used.\n"


def gpt_disk(s, name="disk.img"):
    s.image(name, 32 * MiB, GPT_SCRIPT)
    return name, (32 * MiB) // SECTOR


@pytest.mark.parametrize("where", ["header CRC", "header field", "entry array"])
def test_damaged_primary(s, where):
    name, lbas = gpt_disk(s)
    offset = {"header CRC": SECTOR + 16, "header field": SECTOR + 40,
              "entry array": 2 * SECTOR + 128 + 60}[where]
    s.xor(name, offset, 0x10)
    for cmd in ("--json", "--list"):
        rc, out, err = s.same(cmd, name)
        assert (rc, err) == (0, PRIMARY_NOTE)
    s.xor(name, offset, 0x10)
    s.same("--json", name)


@pytest.mark.parametrize("where", ["header CRC", "entry array", "wiped"])
def test_damaged_backup(s, where):
    name, lbas = gpt_disk(s)
    if where == "wiped":
        with open(s.path(name), "r+b") as f:
            f.seek((lbas - 1) * SECTOR)
            f.write(bytes(SECTOR))
    else:
        s.xor(name, {"header CRC": (lbas - 1) * SECTOR + 16,
                     "entry array": (lbas - 33) * SECTOR + 5}[where], 0x04)
    for cmd in ("--json", "--list"):
        rc, out, err = s.same(cmd, name)
        assert (rc, err) == (0, BACKUP_NOTE)


def test_both_damaged(s):
    """sfdisk then reads the protective MBR as a dos table; dmboot refuses."""
    name, lbas = gpt_disk(s)
    s.xor(name, SECTOR + 16)
    s.xor(name, (lbas - 1) * SECTOR + 16)
    rc, out, err = s.ref("--json", name)
    assert rc == 0 and json.loads(out)["partitiontable"]["partitions"][0]["type"] == "ee"
    for cmd in ("--json", "--list"):
        rc, out, err = s.dmb(cmd, name)
        assert (rc, out) == (1, "")
        assert err.startswith("sfdisk: disk.img: no valid GPT: primary header at LBA 1: "
                              "header CRC 0x")
        assert "; backup header at LBA %d: header CRC 0x" % (lbas - 1) in err
        assert err.count("\n") == 1


def test_grown_image(s):
    """An image grown after partitioning: the backup stays where it was."""
    name, lbas = gpt_disk(s)
    with open(s.path(name), "ab") as f:
        f.write(bytes(MiB))
    rc, out, err = s.dmb("--json", name)
    want = s.ref("--json", name)
    assert (rc, out) == want[0:2]
    assert err == "The backup GPT table is not on the end of the device.\n"


# -- partitions as lower devices ------------------------------------------------------------------

def test_partition_by_number(s):
    name, lbas = gpt_disk(s)
    dm = s.dm
    dm.ok("create", "p2", "--table", "0 8192 linear disk.img:p2 0")
    assert dm.ok("table", "p2") == "0 8192 linear disk.img:p2 0\n"
    assert dm.read("p2") == s.bytes_of(name, 6144, 8192)
    # A part of a partition, at an offset, and the one-sector partition 9.
    dm.ok("create", "mid", "--table", "0 100 linear disk.img:p7 2900\n100 1 linear disk.img:p9 0")
    assert dm.read("mid") == s.bytes_of(name, 22528 + 2900, 100) + s.bytes_of(name, 30000, 1)
    assert "Lower devices:     disk.img:p7, disk.img:p9\n" in dm.ok("info", "mid")
    # Past the end of the partition: the kernel's own check, on the partition's size.
    err = dm.fail("create", "big", "--table", "0 8193 linear disk.img:p2 0")
    assert err == ("dmsetup: create big: line 1: linear: disk.img:p2 too small for target: "
                   "start=0, len=8193, dev_size=8192")


def test_partition_write(s):
    name, lbas = gpt_disk(s)
    dm = s.dm
    dm.ok("create", "w", "--table", "0 100 linear disk.img:p5 0")
    data = os.urandom(1000)
    rc, out, err = dm.run("write", "w", "--offset", "700", input=data)
    assert (rc, err) == (0, "")
    assert s.bytes_of(name, 20480, 100)[700:1700] == data
    assert dm.read("w") == s.bytes_of(name, 20480, 100)
    dm.ok("create", "r", "--readonly", "--table", "0 100 linear disk.img:p5 0")
    assert dm.fail("write", "r", input=b"x") == "dmsetup: write r: device is read-only"


def test_mbr_partitions(s):
    s.image("mbr.img", 20 * MiB, MBR_SCRIPT)
    dm = s.dm
    dm.ok("create", "l6", "--table", "0 4096 linear mbr.img:p6 0")
    assert dm.read("l6") == s.bytes_of("mbr.img", 14336, 4096)
    dm.ok("create", "p1", "--devices", "mbr.img", "--table",
          "0 4096 linear PARTUUID=5EEDF00D-01 0\n4096 2048 linear PARTUUID=5eedf00d-08 0")
    assert dm.read("p1") == s.bytes_of("mbr.img", 2048, 4096) + s.bytes_of("mbr.img", 24576, 2048)
    # Linux makes an extended partition a 1 KiB device.
    dm.ok("create", "ext", "--table", "0 2 linear mbr.img:p2 0")
    assert dm.read("ext") == s.bytes_of("mbr.img", 8192, 2)
    err = dm.fail("create", "ext3", "--table", "0 3 linear mbr.img:p2 0")
    assert err.endswith("mbr.img:p2 too small for target: start=0, len=3, dev_size=2")


def test_hybrid_iso_layout(s):
    """A hybrid ISO image's MBR, written by hand (sfdisk will not make it): partition 1
    of type 0 from sector 0 covers the whole image and overlaps the EFI partition 2.
    Linux and sfdisk take both; so does dmboot."""
    s.dm.make_file("iso.img", 4 * MiB, 4)
    with open(s.path("iso.img"), "r+b") as f:
        mbr = bytearray(f.read(512))
        mbr[440:444] = bytes.fromhex("78563412")
        mbr[446:510] = bytes(64)
        for slot, (boot, typ, start, size) in enumerate([(0x80, 0x00, 0, 8192),
                                                           (0x00, 0xef, 64, 2048)]):
            e = 446 + 16 * slot
            mbr[e], mbr[e + 4] = boot, typ
            mbr[e + 8:e + 16] = start.to_bytes(4, "little") + size.to_bytes(4, "little")
        mbr[510:512] = b"\x55\xaa"
        f.seek(0)
        f.write(mbr)
    table = json.loads(s.same("--json", "iso.img")[1])["partitiontable"]
    assert [(p["start"], p["size"]) for p in table["partitions"]] == [(0, 8192), (64, 2048)]
    s.same("--list", "iso.img")
    dm = s.dm
    dm.ok("create", "esp", "--table", "0 2048 linear iso.img:p2 0")
    assert dm.read("esp") == s.bytes_of("iso.img", 64, 2048)
    dm.ok("create", "whole", "--devices", "iso.img", "--table",
          "0 8192 linear PARTUUID=12345678-01 0")
    assert dm.read("whole") == s.bytes_of("iso.img", 0, 8192)


def test_partuuid_and_partlabel(s):
    name, lbas = gpt_disk(s)
    s.image("mbr.img", 20 * MiB, MBR_SCRIPT, seed=2)
    dm = s.dm
    table = ("0 4096 linear PARTUUID=11111111-2222-3333-4444-555555555555 0\n"
             "4096 8192 linear PARTLABEL=racine\\ é\\ ✓\\ 中文 0\n"
             "12288 100 linear PARTUUID=a1b2c3d4-e5f6-4789-9abc-def012345678 0\n"
             "12388 2048 linear PARTUUID=5eedf00d-06 0")
    dm.ok("create", "byid", "--devices", "mbr.img,disk.img", "--table", table)
    assert dm.ok("table", "byid") == table + "\n"
    want = (s.bytes_of(name, 2048, 4096) + s.bytes_of(name, 6144, 8192)
            + s.bytes_of(name, 6144, 100) + s.bytes_of("mbr.img", 14336, 2048))
    assert dm.read("byid") == want
    # The devices to search are kept: a later command in another directory finds them.
    other = s.cwd.parent / "elsewhere"
    other.mkdir()
    assert dm.read("byid", cwd=other) == want
    # Stacked on a mapped device, and removal refused while in use.
    dm.ok("create", "top", "--table", "0 10 linear byid 4096")
    assert dm.read("top") == s.bytes_of(name, 6144, 10)


def test_partition_refusals(s):
    name, lbas = gpt_disk(s)
    s.image("copy.img", 32 * MiB, GPT_SCRIPT, seed=3)
    dm = s.dm
    assert dm.fail("create", "x", "--table", "0 1 linear disk.img:p3 0") == (
        "dmsetup: create x: line 1: linear: Device lookup failed: disk.img:p3: "
        "disk.img has no partition 3")
    assert dm.fail("create", "x", "--table", "0 1 linear disk.img:p4096 0").endswith(
        "disk.img has no partition 4096")
    assert dm.fail("create", "x", "--table", "0 1 linear nosuch.img:p1 0") == (
        "dmsetup: create x: line 1: linear: Device lookup failed: nosuch.img: "
        "No such file or directory")
    dm.make_file("plain.img", MiB, 9)
    assert dm.fail("create", "x", "--table", "0 1 linear plain.img:p1 0") == (
        "dmsetup: create x: line 1: linear: Device lookup failed: plain.img: "
        "no partition table: no MBR signature 55 aa")
    assert dm.fail("create", "x", "--table", "0 1 linear PARTLABEL=x 0") == (
        "dmsetup: create x: line 1: linear: Device lookup failed: PARTLABEL=x: "
        "no devices to search (dmsetup create --devices)")
    assert dm.fail("create", "x", "--devices", "disk.img", "--table",
                   "0 1 linear PARTLABEL=nosuch 0") == (
        "dmsetup: create x: line 1: linear: Device lookup failed: PARTLABEL=nosuch: "
        "no such partition on the devices given")
    # The same label on two images is ambiguous; so is a PARTUUID both share.
    assert dm.fail("create", "x", "--devices", "disk.img,copy.img", "--table",
                   "0 1 linear PARTLABEL=x 0") == (
        "dmsetup: create x: line 1: linear: Device lookup failed: PARTLABEL=x: "
        "2 partitions match (one is disk.img:p9)")
    assert "2 partitions match" in dm.fail(
        "create", "x", "--devices", "disk.img,copy.img", "--table",
        "0 1 linear PARTUUID=11111111-2222-3333-4444-555555555555 0")
    # A device that cannot be opened is an error, one without a table is skipped.
    assert dm.fail("create", "x", "--devices", "nosuch.img,disk.img", "--table",
                   "0 1 linear PARTLABEL=x 0").endswith("nosuch.img: No such file or directory")
    dm.ok("create", "x", "--devices", "plain.img,disk.img,disk.img", "--table",
          "0 1 linear PARTLABEL=x 0")
    assert dm.fail("create", "y", "--devices", ",", "--table", "0 1 zero") == \
        "dmsetup: create: --devices names no device"
    dm.ok("remove", "x")
    dm.assert_no_devices()


def test_file_name_wins(s):
    """A name that is an existing file is the file, even when it looks like a partition."""
    name, lbas = gpt_disk(s)
    data = s.dm.make_file("disk.img:p2", 4 * SECTOR, 11)
    s.dm.ok("create", "f", "--table", "0 4 linear disk.img:p2 0")
    assert s.dm.read("f") == data


def test_partition_of_mapped_device(s):
    """A mapped device with a partition table: NAME:pN and /dev/mapper/NAME:pN."""
    name, lbas = gpt_disk(s)
    dm = s.dm
    dm.ok("create", "whole", "--table", "0 %d linear disk.img 0" % lbas)
    dm.ok("create", "a", "--table", "0 4096 linear whole:p1 0")
    dm.ok("create", "b", "--table", "0 4096 linear /dev/mapper/whole:p1 0")
    assert dm.read("a") == dm.read("b") == s.bytes_of(name, 2048, 4096)
    assert dm.fail("remove", "whole") == "dmsetup: remove whole: device is in use by a"


def test_damaged_primary_as_lower_device(s):
    name, lbas = gpt_disk(s)
    s.xor(name, SECTOR + 16)
    rc, out, err = s.dm.run("create", "p2", "--table", "0 8192 linear disk.img:p2 0")
    assert (rc, out) == (0, "")
    assert err == "dmsetup: warning: disk.img: the primary GPT is damaged; using the backup GPT\n"
    # Said at create; later commands are quiet.
    assert s.dm.read("p2") == s.bytes_of(name, 6144, 8192)
    s.xor(name, (lbas - 1) * SECTOR + 16)
    err = s.dm.fail("read", "p2")
    assert err.startswith("dmsetup: read p2: line 1: linear: Device lookup failed: disk.img: "
                          "no valid GPT: ")


def test_4096_partition_as_lower_device(s, loop):
    s.dm.make_file("g4k.img", 32 * MiB, 12)
    dev = loop(s.path("g4k.img"), block_size=4096)
    rc, out, err = s.ref(*SFDISK_WRITE, dev, input="label: gpt\nsize=100\nsize=200, name=\"b\"\n")
    assert rc == 0, err
    starts = [p["start"] for p in json.loads(s.ref("--json", dev)[1])["partitiontable"]["partitions"]]
    # On the file (512-byte blocks, 4096-byte sectors found) and on the loop device.
    s.dm.ok("create", "f", "--table", "0 1600 linear g4k.img:p2 0")
    s.dm.ok("create", "l", "--devices", dev, "--table", "0 1600 linear PARTLABEL=b 0")
    want = s.bytes_of("g4k.img", starts[1], 200, ss=4096)
    assert s.dm.read("f") == s.dm.read("l") == want
