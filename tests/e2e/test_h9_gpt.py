# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""GPT entries as Linux takes them (docs/sfdisk.md, "How tables are read").

A GPT copy whose header and entry-array CRCs are good is used whatever its
entries say, as Linux (block/partitions/efi.c) and sfdisk use it: entries
may overlap and lie outside the usable range.  An entry that ends past the
device's last sector, or before it starts, is listed (sfdisk lists it) but
is no partition (Linux makes none).  `dmboot sfdisk` prints what sfdisk
prints, with what `sfdisk --verify` would say of the entries on stderr.

The images are made by sfdisk and their entries patched here, the CRCs
recomputed, in both copies or in the primary only.  Every test runs against
build/dmboot and build/asan/dmboot (the `dm` fixture).
"""
import json
import struct
import zlib
from pathlib import Path

import pytest

from test_sfdisk import MiB, S, SECTOR

SIZE = 32 * MiB
LBAS = SIZE // SECTOR

SCRIPT = """label: gpt
label-id: 3B2F4E8A-1C5D-4F6E-9A7B-8C9D0E1F2A3B
first-lba: 2048
start=2048, size=4096, uuid=11111111-2222-3333-4444-000000000001, name="one"
start=6144, size=8192, uuid=11111111-2222-3333-4444-000000000002, name="two"
start=16384, size=2048, uuid=11111111-2222-3333-4444-000000000003, name="three"
"""

BACKUP_NOTE = "The backup GPT table is corrupt, but the primary appears OK, so that will be used.\n"


@pytest.fixture
def s(dm):
    return S(dm)


def patch_entry(path, index, first, last, primary_only=False):
    """Set entry index's first and last LBA, in both copies or the primary only, fixing the CRCs."""
    b = bytearray(Path(path).read_bytes())
    for lba in (1,) if primary_only else (1, len(b) // SECTOR - 1):
        h = lba * SECTOR
        assert b[h:h + 8] == b"EFI PART"
        hsz, = struct.unpack_from("<I", b, h + 12)
        at, count, esize = struct.unpack_from("<QII", b, h + 72)
        e = at * SECTOR
        struct.pack_into("<QQ", b, e + index * esize + 32, first, last)
        struct.pack_into("<I", b, h + 88, zlib.crc32(bytes(b[e:e + count * esize])))
        struct.pack_into("<I", b, h + 16, 0)
        struct.pack_into("<I", b, h + 16, zlib.crc32(bytes(b[h:h + hsz])))
    Path(path).write_bytes(bytes(b))


def disk(s, *patches, primary_only=False):
    s.image("disk.img", SIZE, SCRIPT)
    for index, first, last in patches:
        patch_entry(s.path("disk.img"), index, first, last, primary_only)
    return "disk.img"


def same_listing(s, name, err):
    """sfdisk's stdout and exit status for --json and --list; err on stderr."""
    for cmd in ("--json", "--list"):
        rc, out, got = s.same(cmd, name, stderr=False)
        assert (rc, got) == (0, err), cmd
    return json.loads(s.ref("--json", name)[1])["partitiontable"]["partitions"]


def verify(s, name):
    """What sfdisk --verify says (its findings go to stderr, the count to stdout)."""
    rc, out, err = s.ref("--verify", name)
    return err + out


def extents(parts):
    return [(int(p["node"][len("disk.img"):]), p["start"], p["size"]) for p in parts]


def test_h9_11_gpt_primary_overlap_used_like_linux(s):
    """The finding: only the primary has partition 2 overlapping partition 1.
    dmboot used the backup (partition 2 at 6144); Linux and sfdisk use the
    primary (partition 2 at 3000), and so does dmboot now."""
    name = disk(s, (1, 3000, 10000), primary_only=True)
    parts = same_listing(s, name, BACKUP_NOTE + "Partition 1 overlaps with partition 2.\n")
    assert extents(parts) == [(1, 2048, 4096), (2, 3000, 7001), (3, 16384, 2048)]
    assert "overlaps with partition" in verify(s, name)
    dm = s.dm
    warning = "dmsetup: warning: disk.img: the backup GPT is damaged or missing\n"
    assert dm.run("create", "p2", "--table", "0 7001 linear disk.img:p2 0") == (0, "", warning)
    assert dm.read("p2") == s.bytes_of(name, 3000, 7001)
    assert dm.run("create", "u2", "--devices", "disk.img", "--table",
                  "0 7001 linear PARTUUID=11111111-2222-3333-4444-000000000002 0") == \
        (0, "", warning)
    assert dm.read("u2") == s.bytes_of(name, 3000, 7001)


def test_h9_11_gpt_overlap_in_both_copies(s):
    """Both copies overlapping: refused before, now both partitions map, overlapping."""
    name = disk(s, (1, 3000, 10000))
    parts = same_listing(s, name, "Partition 1 overlaps with partition 2.\n")
    assert extents(parts)[1] == (2, 3000, 7001)
    dm = s.dm
    dm.ok("create", "p1", "--table", "0 4096 linear disk.img:p1 0")
    dm.ok("create", "p2", "--devices", "disk.img", "--table", "0 7001 linear PARTLABEL=two 0")
    assert dm.read("p1") == s.bytes_of(name, 2048, 4096)
    assert dm.read("p2") == s.bytes_of(name, 3000, 7001)


def test_h9_11_gpt_outside_usable_range(s):
    """Partition 1 over the primary's entry array, partition 3 up to the device's
    last sector (over the backup's array and header): Linux maps both, sfdisk
    --verify finds no error, dmboot maps both and says nothing."""
    name = disk(s, (0, 10, 100), (2, 16384, LBAS - 1))
    parts = same_listing(s, name, "")
    assert extents(parts) == [(1, 10, 91), (2, 6144, 8192), (3, 16384, LBAS - 16384)]
    assert "No errors detected.\n" in verify(s, name)
    dm = s.dm
    dm.ok("create", "p1", "--table", "0 91 linear disk.img:p1 0")
    dm.ok("create", "p3", "--table", "0 %d linear disk.img:p3 0" % (LBAS - 16384))
    assert dm.read("p1") == s.bytes_of(name, 10, 91)
    assert dm.read("p3") == s.bytes_of(name, 16384, LBAS - 16384)


def refused(dm, what, want):
    err = dm.fail("create", "x", "--devices", "disk.img", "--table", "0 1 linear %s 0" % what)
    assert err == "dmsetup: create x: line 1: linear: Device lookup failed: %s: %s" % (what, want)


@pytest.mark.parametrize("first,last", [(16384, LBAS), (70000, 80000)],
                         ids=["end past the device", "start past the device"])
def test_h9_11_gpt_past_end_listed_not_mapped(s, first, last):
    """Linux skips an entry that ends past the device's last sector: no partition 3.
    sfdisk lists it and --verify calls it too big; dmboot lists it, warns, maps nothing."""
    name = disk(s, (2, first, last))
    parts = same_listing(s, name, "Partition 3 is too big for the disk.\n")
    assert extents(parts)[2] == (3, first, last - first + 1)
    assert "Partition 3 is too big for the disk.\n" in verify(s, name)
    dm = s.dm
    refused(dm, "disk.img:p3", "disk.img has no partition 3")
    refused(dm, "PARTUUID=11111111-2222-3333-4444-000000000003",
            "no such partition on the devices given")
    refused(dm, "PARTLABEL=three", "no such partition on the devices given")
    dm.ok("create", "p2", "--table", "0 8192 linear disk.img:p2 0")
    assert dm.read("p2") == s.bytes_of(name, 6144, 8192)


@pytest.mark.parametrize("first,last", [(6144, 6143), (8000, 7000)],
                         ids=["end one before start", "end far before start"])
def test_h9_11_gpt_ends_before_it_starts(s, first, last):
    """Listed with size 0 as sfdisk lists it; no partition (Linux skips the size 0 of
    end = start - 1, dmboot skips the others rather than make a 2^64-sector device)."""
    name = disk(s, (1, first, last))
    parts = same_listing(s, name, "Partition 2 ends before it starts.\n")
    assert extents(parts)[1] == (2, first, 0)
    assert "Partition 2 ends before it starts.\n" in verify(s, name)
    refused(s.dm, "disk.img:p2", "disk.img has no partition 2")
    refused(s.dm, "PARTLABEL=two", "no such partition on the devices given")


@pytest.mark.parametrize("first,size,overlap", [(6144, (1 << 64) - 6144, True), (0, 0, False)],
                         ids=["from 6144", "from 0, the size wrapping to 0"])
def test_h9_11_gpt_end_at_last_64bit_lba(s, first, size, overlap):
    """An end of 2^64 - 1: sizes that overflow are listed as sfdisk lists them and
    mapped by nothing; the partitions after it still map."""
    name = disk(s, (1, first, (1 << 64) - 1))
    parts = same_listing(s, name, ("Partition 2 overlaps with partition 3.\n" if overlap else "")
                         + "Partition 2 is too big for the disk.\n")
    assert extents(parts)[1] == (2, first, size)
    assert "Partition 2 is too big for the disk.\n" in verify(s, name)
    refused(s.dm, "disk.img:p2", "disk.img has no partition 2")
    s.dm.ok("create", "p3", "--table", "0 2048 linear disk.img:p3 0")
    assert s.dm.read("p3") == s.bytes_of(name, 16384, 2048)
