# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Fixtures for the end-to-end tests of `dmboot dmsetup`.

Every test that takes the `dm` fixture runs twice: against build/dmboot and
against build/asan/dmboot (ASan + UBSan).  For the sanitizer build any
sanitizer report on stderr fails the test, whatever the exit status, since a
sanitizer's exit status 1 would otherwise pass for an expected failure.

Each test gets its own working directory (tmp_path/"w") and its own state
directory (tmp_path/"state"), so tests never see each other's devices.
"""
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARIES = {
    "plain": ROOT / "build" / "dmboot",
    "asan": ROOT / "build" / "asan" / "dmboot",
}
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
)
TIMEOUT = 30


def tool(name):
    """The path of a system tool (also in /usr/sbin and /sbin, off a user's PATH), or None."""
    for cand in (shutil.which(name), "/usr/sbin/" + name, "/sbin/" + name):
        if cand and Path(cand).exists():
            return cand
    return None


def require(ok, what):
    """The one skip policy: a missing tool, privilege or machine capability fails the test
    (under make check nothing is skipped); DMBOOT_ALLOW_SKIP=1 makes it a skip instead.
    Usable at module level, in fixtures and in tests."""
    if ok:
        return
    if os.environ.get("DMBOOT_ALLOW_SKIP") == "1":
        pytest.skip(what, allow_module_level=True)
    pytest.fail("%s (DMBOOT_ALLOW_SKIP=1 skips instead)" % what, pytrace=False)


@pytest.fixture
def loop(tmp_path):
    """attach(path, block_size=None) -> /dev/loopN, with that logical block size; all
    detached afterwards."""
    losetup = tool("losetup")
    require(os.geteuid() == 0, "loop devices need root")
    require(losetup is not None, "losetup is not installed (util-linux)")
    attached = []

    def attach(path, block_size=None):
        args = ["-f", "--show"] + (["-b", str(block_size)] if block_size else []) + [str(path)]
        p = subprocess.run([losetup, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30, text=True)
        require(p.returncode == 0 and p.stdout.strip().startswith("/dev/loop"),
                "losetup %s failed: %s" % (" ".join(args), p.stderr.strip()))
        dev = p.stdout.strip()
        attached.append(dev)
        if block_size:
            with open("/sys/block/%s/queue/logical_block_size" % os.path.basename(dev)) as f:
                require(f.read().strip() == str(block_size),
                        "loop device did not take a %d-byte block size" % block_size)
        return dev

    try:
        yield attach
    finally:
        for dev in attached:
            subprocess.run([losetup, "-d", dev], timeout=30)


class DM:
    """One dmboot binary, a working directory and a state directory."""

    def __init__(self, binary, kind, tmp_path):
        self.binary = Path(binary)
        self.kind = kind
        self.tmp = Path(tmp_path)
        self.cwd = self.tmp / "w"
        self.cwd.mkdir(parents=True)
        self.state = self.tmp / "state"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ASAN_", "UBSAN_", "LSAN_", "DMBOOT_", "LC_"))
               and k not in ("XDG_RUNTIME_DIR", "LANG", "LANGUAGE")}
        env["DMBOOT_STATE_DIR"] = str(self.state)
        env["LC_ALL"] = "C"
        if kind == "asan":
            env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
            env["UBSAN_OPTIONS"] = "print_stacktrace=1"
        self.env = env

    # -- running -----------------------------------------------------------
    def exec(self, argv, input=None, cwd=None, stdin=None, raw=False, env=None):
        """Run argv (argv[0] is the program); returns (rc, stdout, stderr).

        stdout is bytes when raw, else str; stderr is always str.  input is
        bytes or str fed on a pipe; stdin may instead be an open file.
        """
        if isinstance(input, str):
            input = input.encode()
        kw = {}
        if stdin is not None:
            assert input is None
            kw["stdin"] = stdin
        elif input is None:
            kw["stdin"] = subprocess.DEVNULL
        p = subprocess.run(
            [str(a) for a in argv], input=input, cwd=str(cwd or self.cwd),
            env=env or self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=TIMEOUT, **kw)
        err = p.stderr.decode("utf-8", "surrogateescape")
        if self.kind == "asan":
            for marker in SANITIZER_MARKERS:
                if marker in err:
                    pytest.fail("sanitizer report from %s:\n%s" % (argv, err))
        out = p.stdout if raw else p.stdout.decode("utf-8", "surrogateescape")
        return p.returncode, out, err

    def run(self, *args, input=None, cwd=None, stdin=None, raw=False):
        """`dmboot dmsetup ARGS...`; returns (rc, stdout, stderr)."""
        return self.exec([self.binary, "dmsetup", *args], input=input, cwd=cwd,
                         stdin=stdin, raw=raw)

    def ok(self, *args, **kw):
        """Run, require exit 0 and a silent stderr, return stdout."""
        rc, out, err = self.run(*args, **kw)
        assert (rc, err) == (0, ""), "dmsetup %s: rc=%d stderr=%r" % (args, rc, err)
        return out

    def fail(self, *args, **kw):
        """Run, require exit 1, empty stdout and exactly one stderr line; return it."""
        rc, out, err = self.run(*args, **kw)
        assert rc == 1, "dmsetup %s: rc=%d stdout=%r stderr=%r" % (args, rc, out, err)
        assert out in ("", b""), "dmsetup %s: unexpected stdout %r" % (args, out)
        assert err.endswith("\n") and err.count("\n") == 1, \
            "dmsetup %s: stderr is not one line: %r" % (args, err)
        return err[:-1]

    def read(self, name, *opts, cwd=None):
        """The bytes of a mapped device (or part of it)."""
        return self.ok("read", name, *opts, cwd=cwd, raw=True)

    # -- state -------------------------------------------------------------
    def state_files(self):
        return sorted(p.name for p in self.state.iterdir()) if self.state.exists() else []

    def assert_no_devices(self):
        assert self.ok("ls") == "No devices found\n"
        assert [f for f in self.state_files() if f != ".lock"] == []

    # -- files -------------------------------------------------------------
    def make_file(self, name, size, seed, where=None):
        """A file of size random (but reproducible) bytes; returns its content."""
        data = random.Random(seed).randbytes(size)
        (Path(where or self.cwd) / name).write_bytes(data)
        return data

    def file(self, name, where=None):
        return (Path(where or self.cwd) / name).read_bytes()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture(params=sorted(BINARIES), ids=sorted(BINARIES))
def dm(request, tmp_path):
    binary = BINARIES[request.param]
    if not binary.exists():
        pytest.fail("%s is missing: run `make all build/asan/dmboot` first" % binary)
    d = DM(binary, request.param, tmp_path)
    yield d
    # Devices a test left mapped hold keys in the kernel user keyring: remove them.
    if d.state.exists():
        d.run("remove_all")
    # The image files add up to gigabytes over a run: keep them only for
    # tests that failed, to look at.
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.passed:
        shutil.rmtree(tmp_path, ignore_errors=True)


# -- a model of mapped devices -------------------------------------------------
SECTOR = 512


class Extents:
    """Where each sector of a mapped device lives: a sorted list of runs
    (dev_sector, nsectors, file name, file_sector).  Reads and writes of the
    model go straight to the files, independently of dmboot."""

    def __init__(self, runs=()):
        self.runs = list(runs)

    @property
    def sectors(self):
        return sum(r[1] for r in self.runs)

    @property
    def size(self):
        return self.sectors * SECTOR

    def __add__(self, other):
        base = self.sectors
        return Extents(self.runs + [(s + base, n, f, o) for s, n, f, o in other.runs])

    @staticmethod
    def linear(length, file, offset):
        return Extents([(0, length, file, offset)])

    @staticmethod
    def striped(length, chunk, devs):
        """devs: [(file, offset)...]; chunk c is on devs[c % n] as its chunk c // n."""
        n = len(devs)
        runs = []
        for c in range(length // chunk):
            f, off = devs[c % n]
            runs.append((c * chunk, chunk, f, off + (c // n) * chunk))
        return Extents(runs)

    def slice(self, start, length):
        """The extents of sectors [start, start+length) (a linear target over this)."""
        out = []
        for s, n, f, o in self.runs:
            lo, hi = max(s, start), min(s + n, start + length)
            if lo < hi:
                out.append((lo - start, hi - lo, f, o + lo - s))
        return Extents(out)

    def pieces(self, offset, length):
        """(file, file byte offset, nbytes) covering device bytes [offset, offset+length)."""
        end = offset + length
        for s, n, f, o in self.runs:
            lo, hi = max(s * SECTOR, offset), min((s + n) * SECTOR, end)
            if lo < hi:
                yield f, o * SECTOR + lo - s * SECTOR, hi - lo

    def read(self, where, offset=0, length=None):
        """Device bytes, read from the files in directory where."""
        if length is None:
            length = self.size - offset
        cache = {}
        out = bytearray()
        for f, off, n in self.pieces(offset, length):
            if f not in cache:
                cache[f] = (Path(where) / f).read_bytes()
            out += cache[f][off:off + n]
        return bytes(out)

    def write(self, files, offset, data):
        """Apply a device write to files (dict name -> bytearray)."""
        pos = 0
        for f, off, n in self.pieces(offset, len(data)):
            files[f][off:off + n] = data[pos:pos + n]
            pos += n
        assert pos == len(data)


# The standard set of devices several tests start from (see `flow`).
LIN_TABLE = "0 2048 linear disk.img 4096\n2048 3000 linear disk.img 17"
STR_TABLE = "0 3840 striped 2 128 a.img 64 b.img 128"
TOP_TABLE = "0 1000 linear /dev/mapper/str 7"
Z_TABLE = "0 100 zero"
CC_CONCISE = "cc,,,ro,0 16 linear a.img 0,16 16 linear b.img 0"

LIN = Extents.linear(2048, "disk.img", 4096) + Extents.linear(3000, "disk.img", 17)
STR = Extents.striped(3840, 128, [("a.img", 64), ("b.img", 128)])
TOP = STR.slice(7, 1000)
CC = Extents.linear(16, "a.img", 0) + Extents.linear(16, "b.img", 0)
MODELS = {"lin": LIN, "str": STR, "top": TOP, "cc": CC}


def concise_line(table):
    return ",".join(line for line in table.split("\n"))


# The same five devices in one concise specification (one command: cheaper).
FLOW_CONCISE = ";".join([
    "lin,,,rw," + concise_line(LIN_TABLE),
    "str,,,rw," + concise_line(STR_TABLE),
    "top,,,rw," + concise_line(TOP_TABLE),
    "z,,,rw," + concise_line(Z_TABLE),
    CC_CONCISE,
])


class Flow:
    def __init__(self, dm, one_by_one=False):
        self.dm = dm
        self.disk = dm.make_file("disk.img", 8192 * SECTOR, 1)
        self.a = dm.make_file("a.img", 2048 * SECTOR, 2)
        self.b = dm.make_file("b.img", 2048 * SECTOR, 3)
        if one_by_one:
            dm.ok("create", "lin", "--table", LIN_TABLE)
            dm.ok("create", "str", "--table", STR_TABLE)
            dm.ok("create", "top", "--table", TOP_TABLE)
            dm.ok("create", "z", "--table", Z_TABLE)
            dm.ok("create", "--concise", CC_CONCISE)
        else:
            dm.ok("create", "--concise", FLOW_CONCISE)

    def files(self):
        """The current content of the image files, as bytearrays."""
        return {f: bytearray(self.dm.file(f)) for f in ("disk.img", "a.img", "b.img")}


@pytest.fixture
def flow(dm):
    """lin (two linear targets over disk.img), str (striped 2 x 128 over a.img
    and b.img), top (linear over /dev/mapper/str from sector 7), z (zero) and
    cc (read-only), in that order, by one `create --concise`.
    test_dmsetup.py::test_flow_one_by_one checks that creating them one by
    one (--table, then --concise for cc) gives the same registry."""
    return Flow(dm)
