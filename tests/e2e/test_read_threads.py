# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`dmboot dmsetup read` of long ranges, which runs one worker thread per
usable CPU, each with its own instance of the device: the bytes are those
of the one-thread read (the command pinned to one CPU with taskset) and of
the files, in order; a failing chunk stops the output right before it, with
the one-thread read's message."""
import os

from conftest import SECTOR, require, tool

MiB = 1 << 20
FILE_BYTES = 40 * MiB
KEY = "".join("%02x" % ((7 * i + 3) & 255) for i in range(64))


def one_cpu(dm, *args):
    """`dmboot dmsetup ARGS` pinned to one CPU: the one-thread read."""
    taskset = tool("taskset")
    require(taskset is not None, "taskset is not installed (util-linux)")
    cpu = str(sorted(os.sched_getaffinity(0))[0])
    return dm.exec([taskset, "-c", cpu, dm.binary, "dmsetup", *args], raw=True)


def test_long_read_linear(dm):
    data = dm.make_file("f.img", FILE_BYTES, 11)
    dm.ok("create", "lin", "--table", "0 %d linear f.img 0" % (FILE_BYTES // SECTOR))
    assert dm.read("lin") == data
    assert one_cpu(dm, "read", "lin") == (0, data, "")
    # A start and a length off the 1 MiB chunks; an unaligned start.
    off, n = 3 * SECTOR, 20 * MiB + 1234
    assert dm.read("lin", "--offset", str(off), "--length", str(n)) == data[off:off + n]
    assert dm.read("lin", "--offset", "1000") == data[1000:]


def test_long_read_crypt(dm):
    dm.make_file("c.img", FILE_BYTES, 12)
    sectors = FILE_BYTES // SECTOR
    for name, opts in (("c512", ""), ("c4096", " 1 sector_size:4096")):
        dm.ok("create", name, "--table",
              "0 %d crypt aes-xts-plain64 %s 0 c.img 0%s" % (sectors, KEY, opts))
        got = dm.read(name)
        assert len(got) == FILE_BYTES
        assert one_cpu(dm, "read", name) == (0, got, "")
        off = 5 * MiB + 4096
        assert dm.read(name, "--offset", str(off), "--length", str(17 * MiB)) == \
            got[off:off + 17 * MiB]


def test_long_read_error_midway(dm):
    data = dm.make_file("f.img", FILE_BYTES, 13)
    half = FILE_BYTES // SECTOR // 2
    dm.ok("create", "e", "--table", "0 %d linear f.img 0\n%d 8 error\n%d %d linear f.img %d"
          % (half, half, half + 8, half, half))
    want = "dmsetup: read e: error target: I/O error at sector %d\n" % half
    for rc, out, err in (dm.run("read", "e", raw=True), one_cpu(dm, "read", "e")):
        assert (rc, err) == (1, want)
        # Every chunk before the failing one, in order, and nothing after.
        assert out == data[:half * SECTOR]


def test_long_read_records_status_of_any_thread(dm):
    """A corrupt verity block read by another thread than the first still
    marks the device corrupted (status C), as the one-thread read does."""
    data = bytearray(dm.make_file("d.img", FILE_BYTES, 14))
    rc, out, err = dm.exec([dm.binary, "veritysetup", "format", "d.img", "h.img"])
    assert rc == 0, err
    root = [ln.split(":", 1)[1].strip() for ln in out.splitlines()
            if ln.startswith("Root hash:")][0]
    bad = 21 * MiB + 100                 # chunk 21: not the first thread's with 2 or more
    data[bad] ^= 1
    with open(dm.cwd / "d.img", "r+b") as f:
        f.seek(bad)
        f.write(data[bad:bad + 1])
    rc, out, err = dm.exec([dm.binary, "veritysetup", "open", "d.img", "v", "h.img", root])
    assert rc == 0, err
    assert dm.ok("status", "v") == "0 %d verity V\n" % (FILE_BYTES // SECTOR)
    rc, out, err = dm.run("read", "v", raw=True)
    assert rc == 1 and "is corrupted" in err and err.count("\n") == 1, err
    assert out == bytes(data[:21 * MiB])
    assert dm.ok("status", "v") == "0 %d verity C\n" % (FILE_BYTES // SECTOR)
