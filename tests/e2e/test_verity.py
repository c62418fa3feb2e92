# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""End-to-end tests of `dmboot veritysetup` against Linux veritysetup.

veritysetup (cryptsetup-bin) can format, verify and dump on plain files but
cannot open a device here (no kernel device-mapper), so:
  * format / verify / dump: both tools run on the same inputs and their hash
    files, stdout, stderr and exit codes are compared;
  * open: images made by veritysetup are opened with dmboot and read back with
    `dmboot dmsetup read`; tables are compared with a model of the table line
    cryptsetup would load (formats.md §1.6, §2).

Most tests run against build/dmboot only; the ones parametrized with "asan"
also run against build/asan/dmboot, where any sanitizer report fails the test
(conftest.DM.exec).  Every test has its own tmp_path and DMBOOT_STATE_DIR.
"""
import random
import re
import shutil

import pytest

from conftest import BINARIES, DM, tool

SALT = "e48da609055204e89ae53b655ca2216dd983cf3cb829f34f63a297d106d53e2d"
UUID = "a60c98d2-ae9b-4865-bfcb-b4e3ace11033"
DIGEST = {"sha1": 20, "sha224": 28, "sha256": 32, "sha512": 64}
HEADER = "VERITY header information for %s"
SB_SIZE = 512


REF = tool("veritysetup")
MKE2FS = tool("mke2fs")
DEBUGFS = tool("debugfs")


# -- helpers -----------------------------------------------------------------------

class V:
    """A dmboot binary (plain or asan), veritysetup, a working and a state directory."""

    def __init__(self, kind, tmp_path):
        binary = BINARIES[kind]
        if not binary.exists():
            pytest.fail("%s is missing: run `make all build/asan/dmboot` first" % binary)
        if REF is None:
            pytest.fail("veritysetup (cryptsetup-bin) is not installed")
        self.kind = kind
        self.dm = DM(binary, kind, tmp_path)
        self.cwd = self.dm.cwd

    # running
    def ref(self, *args):
        """Linux veritysetup; (rc, stdout, stderr)."""
        return self.dm.exec([REF, *args])

    def dmb(self, *args, prog=None):
        """`dmboot veritysetup ARGS` (or PROG ARGS for a symlink); (rc, stdout, stderr)."""
        argv = [prog, *args] if prog else [self.dm.binary, "veritysetup", *args]
        return self.dm.exec(argv)

    def dms(self, *args, raw=False):
        """`dmboot dmsetup ARGS`; (rc, stdout, stderr)."""
        return self.dm.run(*args, raw=raw)

    def dmb_ok(self, *args):
        rc, out, err = self.dmb(*args)
        assert (rc, err) == (0, ""), "dmboot veritysetup %s: rc=%d stderr=%r" % (args, rc, err)
        return out

    def ref_format(self, data, hash_dev, *opts):
        rc, out, err = self.ref("format", data, hash_dev, *opts)
        assert rc == 0, "veritysetup format %s: %s" % (opts, err)
        return root_of(out)

    def read_dev(self, name, offset=None, length=None):
        args = ["read", name]
        if offset is not None:
            args += ["--offset", str(offset)]
        if length is not None:
            args += ["--length", str(length)]
        return self.dms(*args, raw=True)

    # files
    def path(self, name):
        return self.cwd / name

    def write(self, name, data):
        self.path(name).write_bytes(data)

    def read(self, name):
        return self.path(name).read_bytes()

    def patch(self, name, offset, data):
        with open(self.path(name), "r+b") as f:
            f.seek(offset)
            f.write(data)

    def xor(self, name, offset, mask=0x01):
        with open(self.path(name), "r+b") as f:
            f.seek(offset)
            b = f.read(1)
            f.seek(offset)
            f.write(bytes([b[0] ^ mask]))

    def copy(self, src, dst):
        shutil.copyfile(self.path(src), self.path(dst))


def root_of(format_stdout):
    m = re.search(r"^Root hash:\s+([0-9a-f]+)$", format_stdout, re.M)
    assert m, "no root hash in %r" % format_stdout
    return m.group(1)


def strip_prog(err):
    """dmboot prefixes its own error lines with "veritysetup: "; veritysetup does not."""
    return "".join(l[len("veritysetup: "):] if l.startswith("veritysetup: ") else l
                   for l in err.splitlines(True))


def assert_same_bytes(got, want, what):
    if got == want:
        return
    n = min(len(got), len(want))
    first = next((i for i in range(n) if got[i] != want[i]), n)
    pytest.fail("%s differ: sizes %d vs %d, first difference at byte %d"
                % (what, len(got), len(want), first))


def data_bytes(size, seed):
    """Random data with a few all-zero 4 KiB stretches (zero blocks at any block size)."""
    b = bytearray(random.Random(seed).randbytes(size))
    for start in (8192, 40960):
        if start + 4096 <= size:
            b[start:start + 4096] = bytes(4096)
    return bytes(b)


class Geo:
    """The hash tree geometry of formats.md §2.1, computed here independently."""

    def __init__(self, n, dbs=4096, hbs=4096, alg="sha256", fmt=1, hash_offset=0,
                 no_sb=False):
        self.n, self.dbs, self.hbs, self.alg, self.fmt = n, dbs, hbs, alg, fmt
        self.digest = DIGEST[alg]
        self.hpb_bits = (hbs // self.digest).bit_length() - 1
        self.slot = hbs >> self.hpb_bits if fmt == 1 else self.digest
        levels = 0
        while (n - 1) >> (levels * self.hpb_bits):
            levels += 1
        self.levels = levels
        self.size = [-(-n // (1 << ((i + 1) * self.hpb_bits))) for i in range(levels)]
        self.hash_start = hash_offset // hbs if no_sb else -(-(hash_offset + SB_SIZE) // hbs)
        self.block = [0] * levels
        if levels:
            self.block[levels - 1] = self.hash_start
            for i in range(levels - 2, -1, -1):
                self.block[i] = self.block[i + 1] + self.size[i + 1]
        self.hash_end = self.hash_start + sum(self.size)

    def covered(self, level, index):
        """Data blocks [first, last] under hash block `index` of `level`."""
        span = 1 << ((level + 1) * self.hpb_bits)
        return index * span, min(self.n, (index + 1) * span) - 1

    def locate(self, block):
        """(level, index) of an absolute hash block of the tree."""
        for level in range(self.levels):
            if self.block[level] <= block < self.block[level] + self.size[level]:
                return level, block - self.block[level]
        raise ValueError("hash block %d is not in the tree" % block)

    def spare_start(self, offset):
        """Where veritysetup says a spare area starts for a non-zero byte at offset on the
        hash device: the start of that digest's slot padding (v1) or of the block's tail."""
        block, rel = divmod(offset, self.hbs)
        level, index = self.locate(block)
        used = self.entries(level, index) * self.slot
        if rel < used:
            assert rel % self.slot >= self.digest, "offset %d is in a digest" % offset
            return block * self.hbs + rel // self.slot * self.slot + self.digest
        return block * self.hbs + used

    def entries(self, level, index):
        """Digests held by that hash block."""
        below = self.n if level == 0 else self.size[level - 1]
        per = 1 << self.hpb_bits
        return min(per, below - index * per)


def opt_value(opts, name, default=None):
    return opts[opts.index(name) + 1] if name in opts else default


def verify_opts(opts):
    """The options verify/open/dump need besides the superblock."""
    if "--no-superblock" in opts:
        out, i = [], 0
        while i < len(opts):
            if opts[i] == "--uuid":
                i += 2
                continue
            out.append(opts[i])
            i += 1
        return out
    return ["--hash-offset", opt_value(opts, "--hash-offset")] if "--hash-offset" in opts else []


# -- 1. format both ways ----------------------------------------------------------------

# (id, data size in bytes, options, layout); --salt SALT --uuid UUID are added unless
# given.  layout: "sep" (hash in its own new file), "prefill" (own file, already holding
# garbage), "same" (one file: data, then the hash area at --hash-offset).
K = 1024
FORMAT_CASES = [
    ("sha256-4k", 64 * K, [], "sep"),
    ("sha1-1k", 64 * K, ["--hash", "sha1", "--data-block-size", "1024",
                         "--hash-block-size", "1024"], "sep"),
    ("sha512-512", 64 * K, ["--hash", "sha512", "--data-block-size", "512",
                            "--hash-block-size", "512"], "sep"),
    ("sha224-1k-4k", 64 * K, ["--hash", "sha224", "--data-block-size", "1024"], "sep"),
    ("sha256-512-3lvl", 600 * 512, ["--data-block-size", "512", "--hash-block-size", "512"],
     "sep"),
    ("sha256-4k-2lvl", 600 * 4096, [], "sep"),
    ("v0-sha256-4k", 64 * K, ["--format", "0"], "sep"),
    ("v0-sha1-512", 64 * K, ["--format", "0", "--hash", "sha1", "--data-block-size", "512",
                             "--hash-block-size", "512"], "sep"),
    ("v0-sha512-1k-4k", 64 * K, ["--format", "0", "--hash", "sha512",
                                 "--data-block-size", "1024", "--hash-block-size", "4096"],
     "sep"),
    ("v0-sha1-1k-512", 200 * K, ["--format", "0", "--hash", "sha1",
                                 "--data-block-size", "1024", "--hash-block-size", "512"], "sep"),
    ("dbs512-hbs4096", 64 * K, ["--data-block-size", "512"], "sep"),
    ("dbs4096-hbs512", 64 * K, ["--hash-block-size", "512"], "sep"),
    ("dbs1024-hbs4096", 64 * K, ["--data-block-size", "1024", "--hash-block-size", "4096"],
     "sep"),
    ("dbs4096-hbs1024", 64 * K, ["--data-block-size", "4096", "--hash-block-size", "1024"],
     "sep"),
    ("salt-none", 64 * K, ["--salt", "-"], "sep"),
    ("salt-none-v0-1k", 64 * K, ["--salt", "-", "--format", "0", "--data-block-size", "1024",
                                 "--hash-block-size", "1024"], "sep"),
    ("salt-empty", 64 * K, ["--salt", ""], "sep"),
    ("salt-1byte", 64 * K, ["--salt", "ab"], "sep"),
    ("salt-upper", 64 * K, ["--salt", "E48DA6"], "sep"),
    ("salt-256bytes", 64 * K, ["--salt", "5a" * 256, "--format", "0"], "sep"),
    ("data-blocks", 64 * K, ["--data-blocks", "13"], "sep"),
    ("data-blocks-1", 64 * K, ["--data-blocks", "1"], "sep"),
    ("one-block", 4096, [], "sep"),
    ("odd-size", 66000, ["--data-block-size", "1024"], "sep"),
    ("prefilled-hash", 64 * K, ["--data-block-size", "1024", "--hash-block-size", "1024"],
     "prefill"),
    ("hash-offset-separate", 64 * K, ["--hash-offset", "8192"], "sep"),
    ("hash-offset-512", 64 * K, ["--hash-offset", "512", "--data-block-size", "1024"], "sep"),
    ("same-file", 64 * K, ["--hash-offset", "65536", "--data-blocks", "16"], "same"),
    ("same-file-1k", 60 * K, ["--hash-offset", "61440", "--data-blocks", "60",
                              "--data-block-size", "1024", "--hash-block-size", "1024"], "same"),
    ("same-file-gap", 64 * K, ["--hash-offset", "57344", "--data-blocks", "12"], "same"),
    ("same-file-no-sb", 64 * K, ["--no-superblock", "--hash-offset", "65536",
                                 "--data-blocks", "16"], "same"),
    ("no-sb", 64 * K, ["--no-superblock"], "sep"),
    ("no-sb-offset", 64 * K, ["--no-superblock", "--hash-offset", "4096"], "sep"),
    ("no-sb-v0-sha1", 64 * K, ["--no-superblock", "--format", "0", "--hash", "sha1",
                               "--data-block-size", "1024", "--hash-block-size", "512",
                               "--data-blocks", "50", "--salt", "0102"], "sep"),
    ("no-sb-prefilled", 64 * K, ["--no-superblock", "--hash-block-size", "1024"], "prefill"),
    # veritysetup lower-cases the algorithm name it writes to the superblock.
    ("hash-name-upper", 64 * K, ["--hash", "SHA256"], "sep"),
    # veritysetup prints the UUID it was given.
    ("uuid-upper", 64 * K, ["--uuid", UUID.upper()], "sep"),
    # --data-blocks 0 means "the whole device" to veritysetup.
    ("data-blocks-0", 64 * K, ["--data-blocks", "0"], "sep"),
]
FORMAT_BY_ID = {c[0]: c for c in FORMAT_CASES}
ASAN_FORMAT = ["sha256-4k", "sha1-1k", "v0-sha1-512", "same-file", "no-sb-offset",
               "sha256-512-3lvl"]


def case_params(cases, asan_ids):
    out = [pytest.param(c, "plain", id="%s-plain" % c[0]) for c in cases]
    out += [pytest.param(c, "asan", id="%s-asan" % c[0]) for c in cases if c[0] in asan_ids]
    return out


def full_opts(opts):
    base = []
    if "--salt" not in opts:
        base += ["--salt", SALT]
    if "--uuid" not in opts:
        base += ["--uuid", UUID]
    return base + list(opts)


def format_both(v, case):
    """Format the case's data with veritysetup and with dmboot; returns
    (data, opts, (ref data, ref hash), (dmb data, dmb hash), ref result, dmb result)."""
    cid, size, opts, layout = case
    opts = full_opts(opts)
    data = data_bytes(size, cid)
    if layout == "same":
        v.write("ref.img", data)
        v.write("dmb.img", data)
        ref, dmb = ("ref.img", "ref.img"), ("dmb.img", "dmb.img")
    else:
        v.write("data.img", data)
        ref, dmb = ("data.img", "ref.hash"), ("data.img", "dmb.hash")
        if layout == "prefill":
            garbage = random.Random(7).randbytes(300 * K)
            v.write("ref.hash", garbage)
            v.write("dmb.hash", garbage)
    r1 = v.ref("format", *ref, *opts)
    assert r1[0] == 0, "veritysetup format failed: %r" % (r1,)
    r2 = v.dmb("format", *dmb, *opts)
    return data, opts, ref, dmb, r1, r2


@pytest.mark.parametrize("case,kind", case_params(FORMAT_CASES, ASAN_FORMAT))
def test_format_matches_veritysetup(case, kind, tmp_path):
    v = V(kind, tmp_path)
    data, opts, ref, dmb, (rc1, out1, _), (rc2, out2, err2) = format_both(v, case)
    assert (rc2, err2) == (0, ""), "dmboot veritysetup format failed"

    # The hash area (or, in one file, everything) is byte-identical.
    assert_same_bytes(v.read(dmb[1]), v.read(ref[1]), "hash devices")
    if case[3] != "same":
        assert v.read("data.img") == data, "format changed the data device"

    # stdout is identical but for the device name in the first line.
    l1, l2 = out1.split("\n"), out2.split("\n")
    assert l1[0] == HEADER % ref[1]
    assert l2[0] == HEADER % dmb[1]
    assert l2[1:] == l1[1:]

    # Each tool verifies the other's output.
    root = root_of(out1)
    vo = verify_opts(opts)
    assert v.ref("verify", *dmb, root, *vo) == (0, "", ""), "veritysetup rejects dmboot's tree"
    assert v.dmb("verify", *ref, root, *vo) == (0, "", ""), "dmboot rejects veritysetup's tree"
    assert v.dmb("verify", *dmb, root, *vo) == (0, "", "")

    # dump prints what veritysetup prints.
    if "--no-superblock" not in opts:
        dump_opts = ["--hash-offset", opt_value(opts, "--hash-offset")] \
            if "--hash-offset" in opts else []
        for name in (ref[1], dmb[1]):
            want = v.ref("dump", name, *dump_opts)
            assert want[0] == 0
            assert v.dmb("dump", name, *dump_opts) == want


def test_format_through_symlink(tmp_path):
    """A symlink named veritysetup to dmboot is `dmboot veritysetup`."""
    v = V("plain", tmp_path)
    link = tmp_path / "bin" / "veritysetup"
    link.parent.mkdir()
    link.symlink_to(v.dm.binary)
    data = data_bytes(64 * K, 5)
    v.write("data.img", data)
    rc, out, err = v.dmb("format", "data.img", "link.hash", "--salt", SALT, "--uuid", UUID,
                         prog=link)
    assert (rc, err) == (0, "")
    rc, want, _ = v.ref("format", "data.img", "ref.hash", "--salt", SALT, "--uuid", UUID)
    assert out.split("\n")[1:] == want.split("\n")[1:]
    assert v.read("link.hash") == v.read("ref.hash")
    root = root_of(out)
    assert v.dmb("verify", "data.img", "ref.hash", root, prog=link) == (0, "", "")
    assert v.dmb("dump", "ref.hash", prog=link) == v.ref("dump", "ref.hash")
    assert v.dmb("open", "data.img", "viasym", "ref.hash", root, prog=link) == (0, "", "")
    assert v.read_dev("viasym") == (0, data, "")
    assert v.dms("table", "viasym")[1] == (
        "0 128 verity 1 data.img ref.hash 4096 4096 16 1 sha256 %s %s\n" % (root, SALT))
    assert v.dmb("close", "viasym", prog=link) == (0, "", "")
    v.dm.assert_no_devices()


def test_format_writes_root_hash_file(tmp_path):
    """format --root-hash-file FILE writes the root hash there (64 hex digits, no
    newline), as veritysetup does; both tools then accept the file."""
    v = V("plain", tmp_path)
    v.write("data.img", data_bytes(64 * K, 6))
    opts = ["--salt", SALT, "--uuid", UUID]
    rc, out1, _ = v.ref("format", "data.img", "ref.hash", "--root-hash-file", "ref.root", *opts)
    assert rc == 0
    rc, out2, err = v.dmb("format", "data.img", "dmb.hash", "--root-hash-file", "dmb.root", *opts)
    assert (rc, err) == (0, "")
    assert out2.split("\n")[1:] == out1.split("\n")[1:]
    assert v.read("ref.root") == root_of(out1).encode()
    assert v.path("dmb.root").exists(), "dmboot format ignored --root-hash-file"
    assert v.read("dmb.root") == v.read("ref.root")


# -- 2. verify failures -------------------------------------------------------------------

# Images for the verify scenarios: (id, data blocks, options)
IMAGES = {
    # 2 leaves (32 + 28 entries) and the root: spare area in the last leaf and the root.
    "1k": (60, ["--data-block-size", "1024", "--hash-block-size", "1024"]),
    # 38 leaves, 3 blocks on level 1, 1 root: three levels.
    "512": (600, ["--data-block-size", "512", "--hash-block-size", "512"]),
    # sha1 in 32-byte slots: 12 padding bytes after each digest.
    "sha1": (60, ["--hash", "sha1", "--data-block-size", "1024", "--hash-block-size", "1024"]),
    # format 0: packed 20-byte digests, 32 per 1 KiB block, 384 spare bytes after them.
    "v0": (70, ["--format", "0", "--hash", "sha1", "--data-block-size", "1024",
                "--hash-block-size", "1024"]),
    # no superblock, tree at 4096 in its own file
    "nosb": (40, ["--no-superblock", "--hash-offset", "4096", "--data-block-size", "1024",
                  "--hash-block-size", "1024"]),
}


def image_geo(img_id):
    n, opts = IMAGES[img_id]
    return Geo(n, int(opt_value(opts, "--data-block-size", 4096)),
               int(opt_value(opts, "--hash-block-size", 4096)), opt_value(opts, "--hash", "sha256"),
               int(opt_value(opts, "--format", 1)), int(opt_value(opts, "--hash-offset", 0)),
               "--no-superblock" in opts)


def make_image(v, img_id, data_name="data.img", hash_name="hash.img"):
    """Format an image with veritysetup; returns (geometry, root, data, verify options)."""
    n, opts = IMAGES[img_id]
    g = image_geo(img_id)
    data = data_bytes(n * g.dbs, img_id)
    v.write(data_name, data)
    opts = ["--salt", SALT, "--uuid", UUID] + opts
    root = v.ref_format(data_name, hash_name, *opts)
    assert v.path(hash_name).stat().st_size >= g.hash_end * g.hbs
    return g, root, data, verify_opts(opts)


def entry_offset(g, level, index, entry):
    """Byte offset on the hash device of digest `entry` in hash block `index` of `level`."""
    return (g.block[level] + index) * g.hbs + entry * g.slot


# (id, image, tampering) -- tampering is a list of (file, offset-function) pairs, each
# byte at offset is XORed with 0x5a; "root" replaces the root hash instead.
def _last_data(g):
    return (g.n - 1) * g.dbs + g.dbs - 1


VERIFY_CASES = [
    ("data-first", "1k", [("data", lambda g: 0)]),
    ("data-middle", "1k", [("data", lambda g: 37 * g.dbs + 100)]),
    ("data-last-byte", "1k", [("data", _last_data)]),
    ("data-two-blocks", "1k", [("data", lambda g: 50 * g.dbs), ("data", lambda g: 3 * g.dbs + 9)]),
    ("data-and-tree", "512", [("data", lambda g: 500 * g.dbs),
                              ("hash", lambda g: entry_offset(g, 1, 0, 2))]),
    ("leaf-entry", "1k", [("hash", lambda g: entry_offset(g, 0, 1, 5) + 3)]),
    ("leaf-spare", "1k", [("hash", lambda g: (g.block[0] + 1) * g.hbs + g.hbs - 1)]),
    ("leaf-spare-first-free", "1k",
     [("hash", lambda g: entry_offset(g, 0, 1, g.entries(0, 1)))]),
    ("upper-entry", "512", [("hash", lambda g: entry_offset(g, 1, 1, 7))]),
    ("upper-spare", "512", [("hash", lambda g: (g.block[1] + 2) * g.hbs + g.hbs - 2)]),
    ("root-block-entry", "512", [("hash", lambda g: entry_offset(g, 2, 0, 1) + 31)]),
    ("root-block-spare", "1k", [("hash", lambda g: g.block[1] * g.hbs + 900)]),
    ("sha1-slot-padding", "sha1", [("hash", lambda g: entry_offset(g, 0, 0, 3) + 25)]),
    ("sha1-entry", "sha1", [("hash", lambda g: entry_offset(g, 0, 1, 27) + 19)]),
    ("v0-entry", "v0", [("hash", lambda g: entry_offset(g, 0, 2, 5) + 1)]),
    ("v0-spare", "v0", [("hash", lambda g: (g.block[0] + 2) * g.hbs + 32 * 20 + 10)]),
    ("v0-data", "v0", [("data", lambda g: 69 * g.dbs)]),
    ("nosb-data", "nosb", [("data", lambda g: 20 * g.dbs)]),
    ("nosb-leaf", "nosb", [("hash", lambda g: entry_offset(g, 0, 0, 3))]),
    # Not covered by the tree or the check: both tools accept.
    ("superblock-uuid", "1k", [("hash", lambda g: 16)]),
    ("superblock-padding", "1k", [("hash", lambda g: 400)]),
    ("after-superblock", "1k", [("hash", lambda g: 700)]),
    ("nosb-before-tree", "nosb", [("hash", lambda g: 100)]),
]
ASAN_VERIFY = ["data-middle", "data-two-blocks", "upper-entry", "leaf-spare", "v0-spare"]


def tamper(v, where, offset):
    v.xor("data.img" if where == "data" else "hash.img", offset, 0x5a)


@pytest.mark.parametrize("case,kind", case_params(VERIFY_CASES, ASAN_VERIFY))
def test_verify_failure_matches_veritysetup(case, kind, tmp_path):
    cid, img, changes = case
    v = V(kind, tmp_path)
    g, root, data, vo = make_image(v, img)
    for where, off in changes:
        tamper(v, where, off(g))
    want = v.ref("verify", "data.img", "hash.img", root, *vo)
    got = v.dmb("verify", "data.img", "hash.img", root, *vo)
    assert got == want
    # Independent expectations for the simplest cases.
    if cid.startswith("superblock") or cid in ("after-superblock", "nosb-before-tree"):
        assert want == (0, "", "")
    elif cid in ("data-first", "data-middle", "data-last-byte", "v0-data", "nosb-data"):
        pos = changes[0][1](g) // g.dbs * g.dbs
        assert want == (2, "", "Verification failed at position %d.\n"
                        "Verification of data area failed.\n" % pos)
    elif "spare" in cid or "padding" in cid:
        pos = g.spare_start(changes[0][1](g))
        assert want == (2, "", "Spare area is not zeroed at position %d.\n"
                        "Verification of data area failed.\n" % pos)
    elif cid == "data-two-blocks":
        assert want[2].startswith("Verification failed at position %d.\n" % (3 * g.dbs))
    else:
        assert want[0] == 2 and want[2].endswith("Verification of data area failed.\n")


@pytest.mark.parametrize("kind", ["plain", "asan"])
def test_verify_wrong_root_hash(kind, tmp_path):
    """A consistent tree with the wrong root: "Verification of root hash failed." and
    veritysetup's exit code."""
    v = V(kind, tmp_path)
    g, root, data, vo = make_image(v, "1k")
    bad = ("%02x" % (int(root[:2], 16) ^ 1)) + root[2:]
    want = v.ref("verify", "data.img", "hash.img", bad)
    assert want[1:] == ("", "Verification of root hash failed.\n")
    got = v.dmb("verify", "data.img", "hash.img", bad)
    assert got[1:] == want[1:]
    assert got[0] == want[0], "exit code %d, veritysetup's is %d" % (got[0], want[0])


def test_verify_single_block_image(tmp_path):
    """One data block: no tree, the root is the block's digest."""
    v = V("plain", tmp_path)
    v.write("data.img", data_bytes(4096, 9))
    root = v.ref_format("data.img", "hash.img", "--salt", SALT, "--uuid", UUID)
    assert v.dmb("verify", "data.img", "hash.img", root) == (0, "", "")
    v.xor("data.img", 4000)
    want = v.ref("verify", "data.img", "hash.img", root)
    got = v.dmb("verify", "data.img", "hash.img", root)
    assert want[0] != 0
    assert got[1:] == want[1:]
    assert got[0] == want[0], "exit code %d, veritysetup's is %d" % (got[0], want[0])


def test_verify_ignores_data_past_data_blocks(tmp_path):
    v = V("plain", tmp_path)
    v.write("data.img", data_bytes(64 * K, 10))
    root = v.ref_format("data.img", "hash.img", "--data-blocks", "10", "--salt", SALT)
    v.xor("data.img", 12 * 4096)
    assert v.ref("verify", "data.img", "hash.img", root) == (0, "", "")
    assert v.dmb("verify", "data.img", "hash.img", root) == (0, "", "")
    v.xor("data.img", 9 * 4096)
    want = v.ref("verify", "data.img", "hash.img", root)
    assert want == (2, "", "Verification failed at position 36864.\n"
                    "Verification of data area failed.\n")
    assert v.dmb("verify", "data.img", "hash.img", root) == want


@pytest.mark.parametrize("kind", ["plain", "asan"])
def test_verify_root_hash_file(kind, tmp_path):
    v = V(kind, tmp_path)
    g, root, data, vo = make_image(v, "1k")
    v.write("root.txt", root.encode())
    v.write("root-nl.txt", (root + "\n").encode())
    for f in ("root.txt", "root-nl.txt"):
        assert v.ref("verify", "data.img", "hash.img", "--root-hash-file", f) == (0, "", "")
        assert v.dmb("verify", "data.img", "hash.img", "--root-hash-file", f) == (0, "", "")
    # A root hash file with a corrupted data block / the wrong hash.
    v.xor("data.img", 5 * g.dbs)
    want = v.ref("verify", "data.img", "hash.img", "--root-hash-file", "root.txt")
    assert want == (2, "", "Verification failed at position 5120.\n"
                    "Verification of data area failed.\n")
    assert v.dmb("verify", "data.img", "hash.img", "--root-hash-file", "root.txt") == want
    v.xor("data.img", 5 * g.dbs)
    v.write("bad.txt", ("0" * 64).encode())
    want = v.ref("verify", "data.img", "hash.img", "--root-hash-file", "bad.txt")
    got = v.dmb("verify", "data.img", "hash.img", "--root-hash-file", "bad.txt")
    assert want[1:] == ("", "Verification of root hash failed.\n")
    assert got[1:] == want[1:]
    # A malformed file.
    v.write("short.txt", b"abcd")
    want = v.ref("verify", "data.img", "hash.img", "--root-hash-file", "short.txt")
    got = v.dmb("verify", "data.img", "hash.img", "--root-hash-file", "short.txt")
    assert want == (1, "", "Invalid root hash file short.txt.\n")
    assert got[:2] == want[:2] and "root hash" in one_line(got[2])


# -- 3. open and read -------------------------------------------------------------------

OPEN_CASES = [FORMAT_BY_ID[i] for i in (
    "sha256-4k", "sha1-1k", "sha512-512", "sha256-512-3lvl", "sha256-4k-2lvl", "v0-sha256-4k",
    "v0-sha1-512", "v0-sha1-1k-512", "dbs512-hbs4096", "dbs4096-hbs512", "salt-none",
    "salt-1byte", "salt-256bytes", "data-blocks", "data-blocks-1", "one-block", "odd-size",
    "hash-offset-separate", "hash-offset-512", "same-file", "same-file-gap",
    "same-file-no-sb", "no-sb", "no-sb-offset", "no-sb-v0-sha1")]
ASAN_OPEN = ["sha256-4k", "v0-sha1-512", "same-file", "no-sb-offset", "sha256-512-3lvl"]


def expected_table(opts, data_name, hash_name, root, n, extra=""):
    dbs = int(opt_value(opts, "--data-block-size", 4096))
    hbs = int(opt_value(opts, "--hash-block-size", 4096))
    g = Geo(n, dbs, hbs, opt_value(opts, "--hash", "sha256"), int(opt_value(opts, "--format", 1)),
            int(opt_value(opts, "--hash-offset", 0)), "--no-superblock" in opts)
    salt = opt_value(opts, "--salt").lower() or "-"
    return "0 %d verity %d %s %s %d %d %d %d %s %s %s%s\n" % (
        n * dbs // 512, g.fmt, data_name, hash_name, dbs, hbs, n, g.hash_start, g.alg, root,
        salt, extra)


@pytest.mark.parametrize("case,kind", case_params(OPEN_CASES, ASAN_OPEN))
def test_open_read_table_status_close(case, kind, tmp_path):
    cid, size, opts, layout = case
    v = V(kind, tmp_path)
    opts = full_opts(opts)
    data = data_bytes(size, cid)
    dname = "image.img" if layout == "same" else "data.img"
    hname = "image.img" if layout == "same" else "hash.img"
    v.write(dname, data)
    rc, out, err = v.ref("format", dname, hname, *opts)
    assert rc == 0, err
    root = root_of(out)
    n = int(re.search(r"^Data blocks:\s+(\d+)$", out, re.M).group(1))
    dbs = int(opt_value(opts, "--data-block-size", 4096))
    vo = verify_opts(opts)

    assert v.dmb("open", dname, "vdev", hname, root, *vo) == (0, "", "")
    assert v.dms("ls")[1] == "vdev\t(253:0)\n"
    rc, got, err = v.read_dev("vdev")
    assert (rc, err) == (0, "")
    assert_same_bytes(got, data[:n * dbs], "device and data")
    # A read of one block from the middle and of the last block.
    mid = (n // 2) * dbs
    assert v.read_dev("vdev", mid, dbs) == (0, data[mid:mid + dbs], "")
    assert v.read_dev("vdev", (n - 1) * dbs, dbs) == (0, data[(n - 1) * dbs:n * dbs], "")
    assert v.dms("table", "vdev")[1:] == (expected_table(opts, dname, hname, root, n), "")
    assert v.dms("status", "vdev")[1:] == ("0 %d verity V\n" % (n * dbs // 512), "")
    assert v.dmb("close", "vdev") == (0, "", "")
    v.dm.assert_no_devices()


@pytest.mark.parametrize("flags,tail", [
    (["--ignore-corruption"], " 1 ignore_corruption"),
    (["--restart-on-corruption"], " 1 restart_on_corruption"),
    (["--panic-on-corruption"], " 1 panic_on_corruption"),
    (["--ignore-zero-blocks"], " 1 ignore_zero_blocks"),
    (["--check-at-most-once"], " 1 check_at_most_once"),
    (["--check-at-most-once", "--ignore-zero-blocks", "--restart-on-corruption"],
     " 3 restart_on_corruption ignore_zero_blocks check_at_most_once"),
    (["--check-at-most-once", "--panic-on-corruption"],
     " 2 panic_on_corruption check_at_most_once"),
    (["--ignore-zero-blocks", "--ignore-corruption", "--check-at-most-once"],
     " 3 ignore_corruption ignore_zero_blocks check_at_most_once"),
])
def test_open_options_in_linux_order(flags, tail, tmp_path):
    v = V("plain", tmp_path)
    g, root, data, vo = make_image(v, "1k")
    assert v.dmb("open", "data.img", "opt", "hash.img", root, *flags) == (0, "", "")
    opts = ["--salt", SALT] + IMAGES["1k"][1]
    assert v.dms("table", "opt")[1] == expected_table(opts, "data.img", "hash.img", root, g.n,
                                                      tail)
    assert v.read_dev("opt") == (0, data, "")
    assert v.dmb("close", "opt") == (0, "", "")
    v.dm.assert_no_devices()


@pytest.mark.parametrize("flags", [
    ["--restart-on-corruption", "--panic-on-corruption"],
    ["--ignore-corruption", "--restart-on-corruption"],
])
def test_open_conflicting_modes_rejected(flags, tmp_path):
    """veritysetup refuses two of the corruption modes together (exit 1)."""
    v = V("plain", tmp_path)
    g, root, data, vo = make_image(v, "1k")
    want = v.ref("open", "data.img", "x", "hash.img", root, *flags)
    assert want[0] == 1 and "cannot be used together" in want[2]
    rc, out, err = v.dmb("open", "data.img", "x", "hash.img", root, *flags)
    assert rc == 1, "dmboot accepted %s: table %r" % (flags, v.dms("table", "x")[1])
    v.dm.assert_no_devices()


def test_open_root_hash_file_and_close(tmp_path):
    v = V("plain", tmp_path)
    g, root, data, vo = make_image(v, "nosb")
    v.write("root.txt", (root + "\n").encode())
    opts = ["--salt", SALT] + IMAGES["nosb"][1]
    assert v.dmb("open", "data.img", "rh", "hash.img", "--root-hash-file", "root.txt",
                 *vo) == (0, "", "")
    assert v.dms("table", "rh")[1] == expected_table(opts, "data.img", "hash.img", root, g.n)
    assert v.read_dev("rh") == (0, data, "")
    assert v.dmb("close", "rh") == (0, "", "")
    v.dm.assert_no_devices()


def test_ignore_zero_blocks(tmp_path):
    """With ignore_zero_blocks, a block whose digest is that of a zero block is
    returned as zeros without looking at the device (Linux); without, it is checked."""
    v = V("plain", tmp_path)
    g, root, data, vo = make_image(v, "1k")
    zero = 8192 // g.dbs        # data_bytes() zeroes 4 KiB at 8192
    assert data[zero * g.dbs:(zero + 1) * g.dbs] == bytes(g.dbs)
    v.patch("data.img", zero * g.dbs + 10, b"not zero")
    assert v.dmb("open", "data.img", "plain", "hash.img", root) == (0, "", "")
    assert v.dmb("open", "data.img", "zero", "hash.img", root,
                 "--ignore-zero-blocks") == (0, "", "")
    rc, out, err = v.read_dev("plain", zero * g.dbs, g.dbs)
    assert (rc, out) == (1, b"") and "data block %d of data.img is corrupted" % zero in err
    assert v.read_dev("zero") == (0, data, "")


# -- 4. same-length tampering of a file system ----------------------------------------------

ALPHA = b"MARKER-ALPHA-0123456789"
EVIL = b"MARKER-EVIL!-0123456789"
assert len(ALPHA) == len(EVIL)


def file_blocks(v, img, path):
    rc, out, err = v.dm.exec([DEBUGFS, "-R", "blocks %s" % path, img])
    assert rc == 0, err
    return [int(x) for x in out.split()]


@pytest.fixture
def ext4(tmp_path):
    """An ext4 image (4 KiB blocks) with alpha.bin and bravo.bin, formatted by
    veritysetup; alpha's marker tampered in place (same length) afterwards."""
    if MKE2FS is None or DEBUGFS is None:
        pytest.fail("mke2fs/debugfs (e2fsprogs) are not installed")
    v = V("plain", tmp_path)
    src = tmp_path / "src"
    src.mkdir()
    rnd = random.Random(44)
    alpha = rnd.randbytes(10000) + ALPHA + rnd.randbytes(20000)
    bravo = rnd.randbytes(30000) + b"MARKER-BRAVO" + rnd.randbytes(3000)
    (src / "alpha.bin").write_bytes(alpha)
    (src / "bravo.bin").write_bytes(bravo)
    rc, out, err = v.dm.exec([MKE2FS, "-q", "-F", "-t", "ext4", "-b", "4096", "-d", str(src),
                              "fs.img", "16M"])
    assert rc == 0, err
    root = v.ref_format("fs.img", "fs.hash", "--salt", SALT)
    img = v.read("fs.img")
    ab, bb = file_blocks(v, "fs.img", "/alpha.bin"), file_blocks(v, "fs.img", "/bravo.bin")
    assert img.count(ALPHA) == 1
    at = img.index(ALPHA)
    assert at // 4096 in ab and (at + len(ALPHA) - 1) // 4096 in ab
    assert b"".join(img[b * 4096:(b + 1) * 4096] for b in ab)[:len(alpha)] == alpha
    assert b"".join(img[b * 4096:(b + 1) * 4096] for b in bb)[:len(bravo)] == bravo
    v.patch("fs.img", at, EVIL)
    assert v.ref("verify", "fs.img", "fs.hash", root)[0] == 2
    return v, root, img, at, ab, bb


def read_blocks(v, name, blocks):
    """Read each contiguous run of blocks; returns (rc, bytes, stderr) of the first failure
    or of the whole."""
    out = b""
    runs, start = [], blocks[0]
    for a, b in zip(blocks, blocks[1:] + [None]):
        if b != a + 1:
            runs.append((start, a))
            start = b
    for first, last in runs:
        rc, got, err = v.read_dev(name, first * 4096, (last - first + 1) * 4096)
        if rc:
            return rc, got, err
        out += got
    return 0, out, ""


def test_ext4_tampered_file_fails_other_file_reads(ext4):
    v, root, img, at, ab, bb = ext4
    assert v.dmb("open", "fs.img", "fs", "fs.hash", root) == (0, "", "")
    bad = at // 4096
    rc, out, err = read_blocks(v, "fs", ab)
    assert (rc, out) == (1, b"")
    assert err.count("\n") == 1 and "data block %d of fs.img is corrupted" % bad in err, err
    # Just the tampered block, and the blocks of alpha before and after it.
    assert v.read_dev("fs", bad * 4096, 4096)[0] == 1
    others = [b for b in ab if b != bad]
    assert read_blocks(v, "fs", others) == (0, b"".join(img[b * 4096:(b + 1) * 4096]
                                                        for b in others), "")
    # The untouched file reads correctly.
    assert read_blocks(v, "fs", bb) == (0, b"".join(img[b * 4096:(b + 1) * 4096]
                                                    for b in bb), "")
    assert v.dmb("close", "fs") == (0, "", "")


def test_ext4_status_shows_corruption_after_failed_read(ext4):
    """Like the kernel: once a corrupt block has been read, status says C."""
    v, root, img, at, ab, bb = ext4
    assert v.dmb("open", "fs.img", "fs", "fs.hash", root) == (0, "", "")
    assert v.dms("status", "fs")[1] == "0 32768 verity V\n"
    assert v.read_dev("fs", at // 4096 * 4096, 4096)[0] == 1
    assert v.dms("status", "fs")[1] == "0 32768 verity C\n"


def test_ext4_ignore_corruption_returns_tampered_bytes(ext4):
    v, root, img, at, ab, bb = ext4
    assert v.dmb("open", "fs.img", "fs", "fs.hash", root, "--ignore-corruption") == (0, "", "")
    rc, out, err = read_blocks(v, "fs", ab)
    assert rc == 0, err
    want = bytearray(b"".join(img[b * 4096:(b + 1) * 4096] for b in ab))
    pos = want.index(ALPHA)
    want[pos:pos + len(EVIL)] = EVIL
    assert out == bytes(want)
    assert read_blocks(v, "fs", bb)[:2] == (0, b"".join(img[b * 4096:(b + 1) * 4096]
                                                        for b in bb))


@pytest.mark.parametrize("mode,code,word", [("--restart-on-corruption", 10, "restart"),
                                            ("--panic-on-corruption", 11, "panic")])
def test_ext4_restart_and_panic(ext4, mode, code, word):
    v, root, img, at, ab, bb = ext4
    assert v.dmb("open", "fs.img", "fs", "fs.hash", root, mode) == (0, "", "")
    # Untouched blocks are fine.
    assert read_blocks(v, "fs", bb)[0] == 0
    rc, out, err = v.read_dev("fs", at // 4096 * 4096, 4096)
    assert rc == code, err
    assert "%s requested" % word in err
    assert "data block %d of fs.img is corrupted" % (at // 4096) in err


# -- 5. tampering each tree level and the superblock ---------------------------------------

TREE_IMAGES = {
    "4k-2lvl": (600, 4096, 4096),
    "512-3lvl": (600, 512, 512),
}


def tree_targets():
    out = []
    for img, (n, dbs, hbs) in TREE_IMAGES.items():
        g = Geo(n, dbs, hbs)
        for level in range(g.levels):
            picks = sorted({0, g.size[level] // 2, g.size[level] - 1})
            for idx in picks:
                for where in ("first", "last"):
                    out.append(pytest.param(img, level, idx, where,
                                            id="%s-L%d-b%d-%s" % (img, level, idx, where)))
    return out


def check_reads(v, name, g, data, bad_first, bad_last, what):
    """Blocks [bad_first, bad_last] fail one by one, everything else reads correctly."""
    dbs = g.dbs
    for b in sorted({bad_first, (bad_first + bad_last) // 2, bad_last}):
        rc, out, err = v.read_dev(name, b * dbs, dbs)
        assert (rc, out) == (1, b""), "block %d readable after tampering %s" % (b, what)
        assert err.count("\n") == 1 and "is corrupted" in err
    if bad_first > 0:
        assert v.read_dev(name, 0, bad_first * dbs) == (0, data[:bad_first * dbs], ""), \
            "blocks before %d fail after tampering %s" % (bad_first, what)
    if bad_last < g.n - 1:
        assert v.read_dev(name, (bad_last + 1) * dbs) == (0, data[(bad_last + 1) * dbs:], ""), \
            "blocks after %d fail after tampering %s" % (bad_last, what)


@pytest.mark.parametrize("img,level,idx,where", tree_targets())
def test_tamper_tree_level(img, level, idx, where, tmp_path):
    n, dbs, hbs = TREE_IMAGES[img]
    v = V("plain", tmp_path)
    g = Geo(n, dbs, hbs)
    data = data_bytes(n * dbs, img)
    v.write("data.img", data)
    root = v.ref_format("data.img", "hash.img", "--salt", SALT, "--data-block-size", str(dbs),
                        "--hash-block-size", str(hbs))
    assert v.dmb("open", "data.img", "t", "hash.img", root) == (0, "", "")
    assert v.read_dev("t") == (0, data, "")
    hb = g.block[level] + idx
    # "first": inside the first digest; "last": the block's last byte (spare or digest).
    v.xor("hash.img", hb * hbs + (0 if where == "first" else hbs - 1), 0x80)
    if level == g.levels - 1:
        # The top block: no block could ever be read, so dmboot refuses the
        # device when a command makes it (docs/veritysetup.md), where the
        # kernel would fail every read.
        rc, out, err = v.read_dev("t", 0, dbs)
        assert (rc, out) == (1, b"") and err.count("\n") == 1
        assert "metadata block %d of hash.img, the top of the hash tree, does not match the " \
            "root digest" % hb in err, err
        return
    first, last = g.covered(level, idx)
    check_reads(v, "t", g, data, first, last, "hash block %d (level %d)" % (hb, level))
    rc, out, err = v.read_dev("t", first * dbs, dbs)
    assert "metadata block %d of hash.img is corrupted" % hb in err, err


def test_tamper_data_block_under_each_leaf(tmp_path):
    """Each data block fails alone; the tree model's leaf is what dmboot uses."""
    v = V("plain", tmp_path)
    g = Geo(600, 512, 512)
    data = data_bytes(600 * 512, "leafs")
    v.write("data.img", data)
    root = v.ref_format("data.img", "hash.img", "--salt", SALT, "--data-block-size", "512",
                        "--hash-block-size", "512")
    assert v.dmb("open", "data.img", "t", "hash.img", root) == (0, "", "")
    for b in (0, 15, 16, 255, 256, 599):
        v.xor("data.img", b * 512 + 77)
        check_reads(v, "t", g, data, b, b, "data block %d" % b)
        rc, out, err = v.read_dev("t", b * 512, 512)
        assert "data block %d of data.img is corrupted" % b in err
        v.xor("data.img", b * 512 + 77)


# (id, offset, new bytes, outcome): outcome "reject" (open fails, no device; the text is
# pinned), "ok" (opens and reads), "bad-reads" (opens, every read fails).
SB_CASES = [
    ("magic", 0, b"V", ("reject", "Device hash.img is not a valid VERITY device.")),
    ("magic-last", 7, b"\x01", ("reject", "Device hash.img is not a valid VERITY device.")),
    ("version", 8, b"\x02", ("reject", "unsupported version 2")),
    ("hash-type-2", 12, b"\x02", ("reject", "unsupported hash type 2")),
    ("algorithm", 35, b"X", ("reject", "shaX56")),
    ("algorithm-empty", 32, b"\x00", ("reject", "algorithm")),
    ("data-block-size", 64, b"\x00\x03", ("reject", "data block size 768")),
    ("hash-block-size", 68, b"\x00\x03", ("reject", "hash block size 768")),
    ("salt-size-too-big", 80, b"\x01\x02", ("reject", "salt size 513")),
    # veritysetup itself would only fail when the kernel checks the data device's size.
    ("data-blocks-too-many", 72, b"\x41", ("too-small", "too small")),
    # The kernel opens these and fails every read; dmboot checks the top hash
    # block when the device is made and refuses them (docs/veritysetup.md).
    ("hash-type-0", 12, b"\x00", ("top-block", None)),
    ("salt-size", 80, b"\x03", ("top-block", None)),
    ("salt-byte", 88, b"\x00", ("top-block", None)),
    # 32 blocks need one level only: block 1 (the real root block) is taken as the leaf.
    ("data-blocks-fewer", 72, b"\x20", ("bad-reads", None)),
    ("uuid", 16, b"\xff\xee", ("ok", None)),
    ("algorithm-tail", 63, b"X", ("ok", None)),
    ("pad1", 82, b"\x01", ("ok", None)),
    ("salt-tail", 88 + 40, b"\x01", ("ok", None)),
    ("pad2", 344, b"\x01", ("ok", None)),
    ("pad2-end", 511, b"\xff", ("ok", None)),
    ("after-superblock", 1000, b"\xff", ("ok", None)),
]


@pytest.mark.parametrize("cid,offset,new,outcome", [pytest.param(*c, id=c[0]) for c in SB_CASES])
def test_tamper_superblock(cid, offset, new, outcome, tmp_path):
    v = V("plain", tmp_path)
    g, root, data, vo = make_image(v, "1k")
    v.patch("hash.img", offset, new)
    kind, detail = outcome
    rc, out, err = v.dmb("open", "data.img", "sb", "hash.img", root)
    if kind == "too-small":
        assert (rc, out) == (1, "") and detail in one_line(err)
        v.dm.assert_no_devices()
        return
    if kind == "reject":
        # veritysetup's open stops at the superblock too (before needing device-mapper).
        want = v.ref("open", "data.img", "sb", "hash.img", root)
        assert want[0] == 1 and "device-mapper" not in want[2]
        assert detail in strip_prog(err), err
        assert err.count("\n") == 1 and out == ""
        v.dm.assert_no_devices()
        assert rc == want[0], "exit code %d, veritysetup's is %d (%r)" % (rc, want[0], want[2])
        return
    if kind == "top-block":
        assert v.ref("verify", "data.img", "hash.img", root)[0] != 0
        assert (rc, out) == (2, "")
        assert "the top of the hash tree, does not match the root digest" in one_line(err)
        v.dm.assert_no_devices()
        return
    assert (rc, out, err) == (0, "", "")
    ref_verify = v.ref("verify", "data.img", "hash.img", root)
    if kind == "ok":
        assert ref_verify == (0, "", "")
        assert v.read_dev("sb") == (0, data, "")
    else:
        assert ref_verify[0] != 0
        rc, got, err = v.read_dev("sb", 0, g.dbs)
        assert (rc, got) == (1, b"") and "is corrupted" in err
        assert v.read_dev("sb")[0] == 1


# -- 6. single-bit flips --------------------------------------------------------------------

@pytest.mark.parametrize("kind,count", [("plain", 200), ("asan", 40)])
def test_bit_flip_sweep(kind, count, tmp_path):
    """Every single-bit flip in the data or in the tree is caught by verify, exactly as
    veritysetup reports it."""
    v = V(kind, tmp_path)
    n, dbs = 64, 1024
    g = Geo(n, dbs, dbs)
    data = data_bytes(n * dbs, "sweep")
    v.write("data.img", data)
    root = v.ref_format("data.img", "hash.img", "--salt", SALT, "--data-block-size", "1024",
                        "--hash-block-size", "1024")
    tree_lo, tree_hi = g.hash_start * dbs, g.hash_end * dbs
    assert v.path("hash.img").stat().st_size == tree_hi
    rnd = random.Random(1234)
    # Always: first and last bit of both areas; the rest at random, 2/3 in the data.
    picks = [("data.img", 0), ("data.img", n * dbs * 8 - 1),
             ("hash.img", tree_lo * 8), ("hash.img", tree_hi * 8 - 1)]
    while len(picks) < count:
        if rnd.random() < 2 / 3:
            picks.append(("data.img", rnd.randrange(n * dbs * 8)))
        else:
            picks.append(("hash.img", rnd.randrange(tree_lo * 8, tree_hi * 8)))
    compare_every = 1 if kind == "plain" else 4
    missed, differ = [], []
    for i, (f, bit) in enumerate(picks):
        v.xor(f, bit // 8, 1 << (bit % 8))
        got = v.dmb("verify", "data.img", "hash.img", root)
        if got[0] != 2 or not got[2].endswith("\nVerification of data area failed.\n"):
            missed.append((f, bit, got))
        elif i % compare_every == 0:
            want = v.ref("verify", "data.img", "hash.img", root)
            # Spare-area positions have their own test (test_verify_failure_...).
            if not want[2].startswith("Spare area") and got != want:
                differ.append((f, bit, got, want))
        v.xor(f, bit // 8, 1 << (bit % 8))
    assert missed == [], "flips not detected"
    assert differ == [], "flips reported unlike veritysetup"
    assert v.dmb("verify", "data.img", "hash.img", root) == (0, "", "")


# -- 7. errors ---------------------------------------------------------------------------

@pytest.fixture
def img1k(tmp_path, request):
    kind = getattr(request, "param", "plain")
    v = V(kind, tmp_path)
    g, root, data, vo = make_image(v, "1k")
    return v, g, root, data


def one_line(err):
    assert err.endswith("\n") and err.count("\n") == 1, "stderr is not one line: %r" % err
    return strip_prog(err)[:-1]


@pytest.mark.parametrize("img1k", ["plain", "asan"], indirect=True)
def test_open_without_root_hash(img1k):
    v, g, root, data = img1k
    want = v.ref("open", "data.img", "x", "hash.img")
    rc, out, err = v.dmb("open", "data.img", "x", "hash.img")
    assert want[0] == 1
    assert (rc, out) == (want[0], "")
    assert "root hash" in one_line(err)
    v.dm.assert_no_devices()


@pytest.mark.parametrize("img1k", ["plain", "asan"], indirect=True)
@pytest.mark.parametrize("bad", ["abc", "zz" * 32, "00" * 31, "00" * 33, "0" * 63 + "g", ""])
def test_bad_root_hash_string(img1k, bad):
    v, g, root, data = img1k
    for action in (["open", "data.img", "x", "hash.img", bad],
                   ["verify", "data.img", "hash.img", bad]):
        want = v.ref(*action)
        assert want == (1, "", "Invalid root hash string specified.\n")
        rc, out, err = v.dmb(*action)
        assert (rc, out, one_line(err)) == (1, "", "Invalid root hash string specified.")
    v.dm.assert_no_devices()


@pytest.mark.parametrize("img1k", ["plain", "asan"], indirect=True)
def test_open_existing_name(img1k):
    v, g, root, data = img1k
    assert v.dmb("open", "data.img", "dup", "hash.img", root) == (0, "", "")
    table = v.dms("table", "dup")[1]
    rc, out, err = v.dmb("open", "data.img", "dup", "hash.img", root, "--ignore-corruption")
    assert (rc, out) == (5, "")
    assert one_line(err) == "Device dup already exists."
    assert v.dms("table", "dup")[1] == table
    assert v.dmb("close", "dup") == (0, "", "")
    rc, out, err = v.dmb("close", "dup")
    assert (rc, out) == (4, "") and "dup" in one_line(err)
    v.dm.assert_no_devices()


def test_open_wrong_root_hash_is_refused(img1k):
    """Unlike the kernel, which opens it and fails every read, a well-formed
    wrong root hash is refused at open: the top hash block does not match it
    (docs/veritysetup.md; tests/e2e/test_h9_ddi.py has the other cases)."""
    v, g, root, data = img1k
    bad = "%064x" % (int(root, 16) ^ 1)
    rc, out, err = v.dmb("open", "data.img", "w", "hash.img", bad)
    assert (rc, out) == (2, "")
    assert "metadata block %d of hash.img, the top of the hash tree, does not match the root " \
        "digest" % g.block[g.levels - 1] in one_line(err)
    v.dm.assert_no_devices()


def test_format_data_device_too_small(tmp_path):
    v = V("plain", tmp_path)
    v.write("data.img", data_bytes(64 * K, 12))
    want = v.ref("format", "data.img", "ref.hash", "--data-blocks", "17")
    assert want[0] == 1
    rc, out, err = v.dmb("format", "data.img", "dmb.hash", "--data-blocks", "17")
    assert (rc, out) == (1, "")
    assert one_line(err) == "Device data.img is too small."
    # A device smaller than one block.
    v.write("tiny.img", b"x" * 100)
    want = v.ref("format", "tiny.img", "ref.hash")
    assert want[0] == 1
    rc, out, err = v.dmb("format", "tiny.img", "dmb.hash")
    assert (rc, out) == (1, "") and "too small" in one_line(err)


@pytest.mark.parametrize("action,kind", [("verify", "plain"), ("verify", "asan"),
                                         ("open", "plain"), ("dump", "plain")])
def test_not_a_verity_device(kind, action, tmp_path):
    v = V(kind, tmp_path)
    v.write("data.img", data_bytes(64 * K, 13))
    root = "00" * 32
    args = {"verify": ["verify", "data.img", "data.img", root],
            "open": ["open", "data.img", "nv", "data.img", root],
            "dump": ["dump", "data.img"]}[action]
    want = v.ref(*args)
    assert want[1:] == ("", "Device data.img is not a valid VERITY device.\n")
    rc, out, err = v.dmb(*args)
    assert (out, one_line(err)) == ("", "Device data.img is not a valid VERITY device.")
    v.dm.assert_no_devices()
    assert rc == want[0], "exit code %d, veritysetup's is %d" % (rc, want[0])


@pytest.mark.parametrize("args", [
    ["verify", "missing.img", "hash.img", "00" * 32],
    ["verify", "data.img", "missing.img", "00" * 32],
    ["format", "missing.img", "new.hash"],
    ["dump", "missing.img"],
    ["open", "missing.img", "m", "hash.img", "00" * 32],
    ["open", "data.img", "m", "missing.img", "00" * 32],
])
def test_missing_device(img1k, args):
    v, g, root, data = img1k
    want = v.ref(*args)
    rc, out, err = v.dmb(*args)
    assert want[0] == 4
    assert (rc, out) == (4, "")
    assert "missing.img" in one_line(err)
    v.dm.assert_no_devices()


@pytest.mark.parametrize("opt,value", [("--salt", "abc"), ("--uuid", "not-a-uuid"),
                                       ("--format", "2"), ("--data-block-size", "1000"),
                                       ("--hash", "sha999")])
def test_bad_format_option(opt, value, tmp_path):
    """veritysetup exits 1; dmboot too, with veritysetup's message."""
    v = V("plain", tmp_path)
    v.write("data.img", data_bytes(64 * K, 14))
    want = v.ref("format", "data.img", "ref.hash", opt, value)
    assert want[0] == 1
    rc, out, err = v.dmb("format", "data.img", "dmb.hash", opt, value)
    assert (rc, out) == (1, "")
    assert err == want[2].replace("ref.hash", "dmb.hash") and err.count("\n") == 1
