# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""dm-verity FEC end to end (formats.md §2.3).

`dmboot veritysetup format --fec-device` must write the same hash and FEC
files as cryptsetup's veritysetup given the same salt and UUID: roots 2, 8
and 24, block sizes 4096, 1024 and 512, hash and FEC offsets, the FEC area
in the hash file after a gap.  Then a verity table with the FEC options,
written here from cryptsetup's sizing rule, must read back the original
data through `dmboot dmsetup read` after data and hash blocks are damaged
within the code's capacity, and fail past it.  Skipped without a real
veritysetup.
"""
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, require

SALT = "5ca1ab1e" * 8
UUID = "12345678-9abc-4def-8123-456789abcdef"


def real_veritysetup():
    for p in ("/usr/sbin/veritysetup", "/sbin/veritysetup", shutil.which("veritysetup")):
        if p and Path(p).exists() and ROOT not in Path(p).resolve().parents:
            return p
    return None


REAL = real_veritysetup()
require(REAL is not None, "veritysetup (cryptsetup-bin) is not installed")

# (block size, roots, data blocks, --hash-offset, --fec-offset, FEC in the hash file,
#  hash file size before formatting)
CASES = [
    (4096, 2, 300, 0, 0, False, 0),
    (4096, 24, 257, 8192, 12288, False, 0),
    (1024, 8, 1500, 0, 153600, True, 153600),
    (512, 4, 3000, 1024, 0, False, 0),
]


def fec_blocks(bs, blocks, hash_start, hash_bytes, same, fec_offset):
    """cryptsetup's VERITY_FEC_blocks."""
    n = (fec_offset if same else hash_bytes) // bs
    if n:
        n -= hash_start
    return blocks + n


def field(out, key):
    m = re.search(r"^%s:\s*(\S+)" % re.escape(key), out, re.M)
    assert m, "no %r in %r" % (key, out)
    return m.group(1)


def format_both(dm, case):
    bs, roots, blocks, hoff, foff, same, presize = case
    data = dm.make_file("data", bs * blocks, seed=bs + roots)
    outs = {}
    for who in ("real", "ours"):
        d = dm.cwd / who
        d.mkdir()
        (d / "data").write_bytes(data)
        if presize:
            (d / "hash").write_bytes(bytes(presize))
        args = ["format", "--data-block-size=%d" % bs, "--hash-block-size=%d" % bs,
                "--salt=" + SALT, "--uuid=" + UUID, "--fec-roots=%d" % roots,
                "--fec-device=" + ("hash" if same else "fec"),
                "--hash-offset=%d" % hoff, "--fec-offset=%d" % foff, "data", "hash"]
        argv = [REAL, *args] if who == "real" else [dm.binary, "veritysetup", *args]
        rc, out, err = dm.exec(argv, cwd=d)
        assert rc == 0, "%s: %s %s" % (who, out, err)
        outs[who] = out
    return data, outs


@pytest.mark.parametrize("case", CASES, ids=lambda c: "bs%d-roots%d-hoff%d-foff%d%s" % (
    c[0], c[1], c[3], c[4], "-same" if c[5] else ""))
def test_format_matches_veritysetup(dm, case):
    same = case[5]
    _, outs = format_both(dm, case)
    real, ours = dm.cwd / "real", dm.cwd / "ours"
    for key in ("Root hash", "FEC blocks", "Hash blocks"):
        assert field(outs["ours"], key) == field(outs["real"], key)
    assert (ours / "hash").read_bytes() == (real / "hash").read_bytes()
    if not same:
        assert (ours / "fec").read_bytes() == (real / "fec").read_bytes()


@pytest.mark.parametrize("case", CASES[:3], ids=["bs4096-roots2", "bs4096-roots24",
                                                  "bs1024-roots8-same"])
def test_repair_through_dmsetup(dm, case):
    bs, roots, blocks, hoff, foff, same, presize = case
    data, outs = format_both(dm, case)
    d = dm.cwd / "real"  # cryptsetup's image, repaired by dmboot
    root = field(outs["real"], "Root hash")
    hash_start = (hoff + 512 + bs - 1) // bs
    hash_bytes = foff if same else (d / "hash").stat().st_size
    fb = fec_blocks(bs, blocks, hash_start, hash_bytes, same, foff)
    fec_dev = "hash" if same else "fec"
    table = ("0 %d verity 1 data hash %d %d %d %d sha256 %s %s 8 use_fec_from_device %s "
             "fec_start %d fec_blocks %d fec_roots %d"
             % (blocks * bs // 512, bs, bs, blocks, hash_start, root, SALT, fec_dev,
                foff // bs, fb, roots))
    rsn = 255 - roots
    rounds = (fb + rsn - 1) // rsn

    # Damage: roots // 2 data blocks of one codeword group, and the root hash block.
    img = bytearray(data)
    for i in range(roots // 2):
        b = 7 + i * rounds
        img[b * bs:b * bs + 64] = bytes(64)
    (d / "data").write_bytes(bytes(img))
    h = bytearray((d / "hash").read_bytes())
    h[hash_start * bs + 3] ^= 0x81
    (d / "hash").write_bytes(bytes(h))

    dm.ok("create", "v", "--readonly", "--table", table, cwd=d)
    assert dm.read("v", cwd=d) == data
    assert "use_fec_from_device %s fec_blocks %d fec_start %d fec_roots %d" % (
        fec_dev, fb, foff // bs, roots) in dm.ok("table", "v")
    dm.ok("remove", "v")

    # Past capacity even with erasures: roots + 1 bad data blocks in one group.
    for i in range(roots + 1):
        b = 7 + i * rounds
        img[b * bs + 100] ^= 0x5a
    (d / "data").write_bytes(bytes(img))
    # Where the damaged root hash block shares their round, it cannot be
    # repaired either: no block could be read, so the device is refused when
    # made.  With the root hash block mended, the device is made.
    top_round = (blocks + 0) % rounds
    if any((7 + i * rounds) % rounds == top_round for i in range(roots + 1)):
        err = dm.fail("create", "v", "--readonly", "--table", table, cwd=d)
        assert "the top of the hash tree, does not match the root digest and FEC cannot " \
            "correct it" in err
    h[hash_start * bs + 3] ^= 0x81
    (d / "hash").write_bytes(bytes(h))
    dm.ok("create", "v", "--readonly", "--table", table, cwd=d)
    rc, out, err = dm.run("read", "v", cwd=d, raw=True)
    assert rc == 1  # dmsetup read: the I/O error of a block FEC cannot correct
    dm.ok("remove", "v")
