# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Bytes through `dmboot dmsetup read` and `write`, checked against a model
of each mapping computed here from the image files (conftest.Extents), and
against the files themselves after writes.  Also loop block devices and
offsets past 2^32 sectors."""
import random

import pytest

from conftest import CC, LIN, MODELS, SECTOR, STR, TOP, require

MiB = 1 << 20
SIZES = {"lin": LIN.size, "str": STR.size, "top": TOP.size, "z": 100 * SECTOR, "cc": CC.size}


def payload(n, seed):
    return random.Random(seed).randbytes(n)


# -- read ------------------------------------------------------------------------

def test_read_linear(flow):
    disk = flow.disk
    expected = disk[4096 * 512:6144 * 512] + disk[17 * 512:3017 * 512]
    assert len(expected) == 5048 * 512
    assert flow.dm.read("lin") == expected


def test_read_striped(flow):
    a, b = flow.a, flow.b
    chunk = 128 * 512
    expected = bytearray()
    for i in range(3840 // 128 // 2):
        expected += a[64 * 512 + i * chunk:64 * 512 + (i + 1) * chunk]
        expected += b[128 * 512 + i * chunk:128 * 512 + (i + 1) * chunk]
    assert len(expected) == 3840 * 512
    assert flow.dm.read("str") == bytes(expected)


def test_read_stacked(flow):
    dm = flow.dm
    assert dm.read("top") == dm.read("str")[7 * 512:1007 * 512]
    assert dm.read("top") == TOP.read(dm.cwd)


def test_read_zero(flow):
    assert flow.dm.read("z") == bytes(100 * 512)


def test_read_concise_readonly_device(flow):
    assert flow.dm.read("cc") == flow.a[:16 * 512] + flow.b[:16 * 512]


READ_RANGES = [
    # (device, offset, length); None = to the end
    ("lin", 0, 1),
    ("lin", 1, 511),
    ("lin", 511, 2),
    ("lin", 2048 * 512 - 3, 7),            # across the target boundary
    ("lin", 2048 * 512 - 1000, 300000),
    ("lin", 12345, None),                  # unaligned start, > 1 MiB
    ("lin", MiB - 3, MiB + 10),            # across the 1 MiB read chunks
    ("lin", 5048 * 512 - 1, 1),            # last byte
    ("lin", 5048 * 512, 0),                # empty range at the end
    ("lin", 5048 * 512, None),
    ("lin", 77, 0),
    ("str", 128 * 512 - 1, 2),             # across a stripe chunk
    ("str", 3 * 128 * 512 + 100, 128 * 512 * 5 + 17),
    ("str", 999, None),
    ("top", 1, 128 * 512 * 2),
    ("top", 121 * 512 + 5, 1000),          # top sector 121 = str sector 128
    ("z", 333, 4444),
    ("cc", 16 * 512 - 2, 4),
]


@pytest.mark.parametrize("name,offset,length", READ_RANGES,
                         ids=["%s-%s-%s" % r for r in READ_RANGES])
def test_read_range(flow, name, offset, length):
    dm = flow.dm
    whole = bytes(SIZES["z"]) if name == "z" else MODELS[name].read(dm.cwd)
    opts = ["--offset", str(offset)]
    if length is not None:
        opts += ["--length", str(length)]
    end = len(whole) if length is None else offset + length
    assert dm.read(name, *opts) == whole[offset:end]


def test_read_length_only(flow):
    dm = flow.dm
    assert dm.read("str", "--length", "1000") == STR.read(dm.cwd)[:1000]


READ_PAST_END = [
    ("lin", 5048 * 512, 1),
    ("lin", 5048 * 512 + 1, None),
    ("lin", 0, 5048 * 512 + 1),
    ("lin", 5048 * 512 - 1, 2),
    ("lin", 2 ** 64 - 1, 1),
    ("lin", 1, 2 ** 64 - 1),
    ("z", 51200, 1),
    ("top", 512000, 1),
]


@pytest.mark.parametrize("name,offset,length", READ_PAST_END,
                         ids=["%s-%s-%s" % r for r in READ_PAST_END])
def test_read_past_end(flow, name, offset, length):
    opts = ["--offset", str(offset)]
    if length is not None:
        opts += ["--length", str(length)]
    assert flow.dm.fail("read", name, *opts) == (
        "dmsetup: read %s: range past the end of the device (%d bytes)" % (name, SIZES[name]))


@pytest.mark.parametrize("value", ["18446744073709551616", "-1", "1x", "", " 1", "0x10"])
def test_read_bad_numbers(flow, value):
    assert flow.dm.fail("read", "lin", "--offset", value) == \
        'dmsetup: invalid number of bytes "%s"' % value
    assert flow.dm.fail("read", "lin", "--length", value) == \
        'dmsetup: invalid number of bytes "%s"' % value


def test_read_missing_device(dm):
    assert dm.fail("read", "nosuch") == "dmsetup: read nosuch: no such device"


def test_read_error_target(dm):
    dm.ok("create", "e", "--table", "0 8 zero\n8 8 error\n16 8 zero")
    assert dm.read("e", "--length", "4096") == bytes(4096)
    assert dm.fail("read", "e", "--offset", "4096", "--length", "1") == \
        "dmsetup: read e: error target: I/O error at sector 8"
    assert dm.ok("status", "e") == "0 8 zero \n8 8 error \n16 8 zero \n"


# -- write -----------------------------------------------------------------------------

def write(dm, name, offset, data, via):
    """Write data into a device at offset, stdin a pipe or a regular file."""
    opts = [] if offset is None else ["--offset", str(offset)]
    if via == "pipe":
        return dm.run("write", name, *opts, input=data)
    path = dm.tmp / "payload"
    path.write_bytes(data)
    with open(path, "rb") as f:
        return dm.run("write", name, *opts, stdin=f)


WRITES = [
    # (device, offset, length)
    ("lin", 0, 1),
    ("lin", 1, 510),
    ("lin", 2048 * 512 - 100, 300),        # across the target boundary
    ("lin", 5048 * 512 - 7, 7),            # up to the very end
    ("lin", 333, MiB + 4097),              # several 1 MiB stdin chunks
    ("lin", 0, 5048 * 512),                # everything
    ("str", 128 * 512 - 5, 10),            # across a stripe chunk
    ("str", 1000, 128 * 512 * 3 + 10),
    ("str", 3840 * 512 - 70000, 70000),
    ("top", 3, 200000),                    # through the stack into a.img and b.img
]


@pytest.mark.parametrize("via", ["pipe", "file"])
@pytest.mark.parametrize("name,offset,length", WRITES, ids=["%s-%s-%s" % w for w in WRITES])
def test_write(flow, name, offset, length, via):
    dm = flow.dm
    model = {"lin": LIN, "str": STR, "top": TOP}[name]
    files = flow.files()
    data = payload(length, offset ^ length)
    rc, out, err = write(dm, name, offset, data, via)
    assert (rc, out, err) == (0, "", "")
    model.write(files, offset, data)
    for f, content in files.items():
        assert dm.file(f) == content, "%s differs from the model" % f
    assert dm.read(name, "--offset", str(offset), "--length", str(length)) == data


def test_write_without_offset(flow):
    dm = flow.dm
    files = flow.files()
    rc, out, err = write(dm, "str", None, b"hello", "pipe")
    assert (rc, out, err) == (0, "", "")
    STR.write(files, 0, b"hello")
    assert dm.file("a.img") == files["a.img"]
    assert dm.file("a.img")[64 * 512:64 * 512 + 5] == b"hello"


def test_write_empty_input(flow):
    dm = flow.dm
    files = flow.files()
    assert write(dm, "lin", 5, b"", "pipe") == (0, "", "")
    assert write(dm, "lin", 5048 * 512, b"", "file") == (0, "", "")
    assert flow.files() == files


def test_write_readonly_refused(flow):
    dm = flow.dm
    files = flow.files()
    for via in ("pipe", "file"):
        rc, out, err = write(dm, "cc", 3, b"should not land", via)
        assert (rc, out, err) == (1, "", "dmsetup: write cc: device is read-only\n")
    assert flow.files() == files
    assert dm.read("cc") == CC.read(dm.cwd)


WRITE_PAST_END = [
    ("lin", 5048 * 512 - 3, 4),
    ("lin", 5048 * 512, 1),
    ("lin", 5048 * 512 + 1, 1),
    ("lin", 0, 5048 * 512 + 1),
    ("str", 3840 * 512 - 10, 11),
    ("top", 1000 * 512 - 512, 513),
    ("z", 51200 - 2, 3),
]


@pytest.mark.parametrize("via", ["pipe", "file"])
@pytest.mark.parametrize("name,offset,length", WRITE_PAST_END,
                         ids=["%s-%s-%s" % w for w in WRITE_PAST_END])
def test_write_past_end(flow, name, offset, length, via):
    dm = flow.dm
    files = flow.files()
    rc, out, err = write(dm, name, offset, payload(length, 1), via)
    assert (rc, out) == (1, "")
    assert err == "dmsetup: write %s: data past the end of the device (%d bytes)\n" % (
        name, SIZES[name])
    # A regular file is checked before anything is written; a pipe chunk by
    # chunk (1 MiB), so nothing may land when the data fits in one chunk.
    if via == "file" or length <= MiB:
        assert flow.files() == files


def test_write_zero_drops_data(flow):
    dm = flow.dm
    files = flow.files()
    assert write(dm, "z", 1000, b"\xff" * 5000, "pipe") == (0, "", "")
    assert dm.read("z") == bytes(100 * 512)
    assert flow.files() == files


def test_write_error_target(dm):
    dm.ok("create", "e", "--table", "0 8 zero\n8 8 error")
    assert dm.fail("write", "e", "--offset", "4095", input=b"ab") == \
        "dmsetup: write e: error target: I/O error at sector 8"


def test_write_missing_device(dm):
    assert dm.fail("write", "nosuch", input=b"x") == "dmsetup: write nosuch: no such device"


# -- big offsets ----------------------------------------------------------------------------

def test_offsets_past_2_to_32_sectors(dm):
    """A sparse 5 TiB file: sector numbers and byte offsets need 64 bits."""
    big = dm.cwd / "big.img"
    try:
        with open(big, "wb") as f:
            f.truncate(5 << 40)
    except OSError as e:
        require(False, "cannot make a 5 TiB sparse file here: %s" % e)
    base = (1 << 42) // 512 + 3          # sector 2^33 + 3
    with open(big, "r+b") as f:
        f.seek(base * 512 + 1000)
        f.write(b"HELLO")
    dm.ok("create", "big", "--table", "0 16 linear big.img %d\n16 %d zero" % (base, (1 << 33)))
    assert dm.read("big", "--offset", "1000", "--length", "5") == b"HELLO"
    assert dm.ok("info", "big").splitlines()[8] == "Size:              %d sectors" % (16 + (1 << 33))
    end = (16 + (1 << 33)) * 512
    assert dm.read("big", "--offset", str(end - 3)) == bytes(3)
    assert dm.fail("read", "big", "--offset", str(end), "--length", "1") == \
        "dmsetup: read big: range past the end of the device (%d bytes)" % end
    rc, out, err = dm.run("write", "big", "--offset", "4094", input=b"WORLD")
    assert (rc, out, err) == (0, "", "")
    with open(big, "rb") as f:
        f.seek(base * 512 + 4094)
        assert f.read(5) == b"WORLD"


# -- block devices ------------------------------------------------------------------------------

def test_loop_device(dm, loop):
    data = bytearray(dm.make_file("loop.img", MiB, 31))
    dev = loop(dm.cwd / "loop.img")
    dm.ok("create", "lp", "--table", "0 1000 linear %s 48" % dev)
    assert dm.ok("table", "lp") == "0 1000 linear %s 48\n" % dev
    assert dm.read("lp") == bytes(data[48 * 512:1048 * 512])
    new = payload(3000, 5)
    assert write(dm, "lp", 1001, new, "pipe") == (0, "", "")
    data[48 * 512 + 1001:48 * 512 + 4001] = new
    assert dm.file("loop.img") == data
    assert dm.read("lp") == bytes(data[48 * 512:1048 * 512])


def test_loop_device_4k_sectors(dm, loop):
    """Over a 4096-byte-sector device: 512-byte mapping, read-modify-write below."""
    data = bytearray(dm.make_file("loop4k.img", MiB, 32))
    dev = loop(dm.cwd / "loop4k.img", block_size=4096)
    dm.ok("create", "l4", "--table", "0 100 linear %s 3" % dev)
    assert dm.read("l4") == bytes(data[3 * 512:103 * 512])
    assert dm.read("l4", "--offset", "5", "--length", "10") == bytes(data[3 * 512 + 5:3 * 512 + 15])
    new = payload(9000, 6)
    assert write(dm, "l4", 7, new, "file") == (0, "", "")
    data[3 * 512 + 7:3 * 512 + 9007] = new
    assert dm.file("loop4k.img") == data


def test_write_from_stdin_file_not_at_its_start(flow):
    """`{ read header; dmsetup write; } < file`: the end check must count the
    bytes left in the stdin file, not its whole size."""
    dm = flow.dm
    files = flow.files()
    path = dm.tmp / "payload"
    data = payload(SIZES["z"] + 1000, 8)       # larger than z, but what is left fits
    path.write_bytes(data)
    with open(path, "rb") as f:
        f.seek(2000)
        rc, out, err = dm.run("write", "lin", "--offset", str(LIN.size - len(data) + 2000),
                              stdin=f)
    assert (rc, out, err) == (0, "", ""), \
        "BUG: write refused although the rest of stdin fits: %r" % err
    LIN.write(files, LIN.size - len(data) + 2000, data[2000:])
    assert flow.files() == files
