#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""dm-verity benchmarks: dmboot against veritysetup and the SHA-256 limit.

Run by `make bench` after bench.py (bench.py calls main() here at its end),
or alone: /usr/bin/python3 bench/bench_verity.py.

In one temp dir under build/bench (its own DMBOOT_STATE_DIR), on the same
files, warm in the page cache:

  hardware  `openssl speed -evp sha256 -bytes 4096 -seconds 2`, single core
            and `-multi N` (N = usable cores), before and after the timed
            runs; the better figure of the two counts (the stricter limit).
  (a)       verify of a 1 GiB data image: `veritysetup verify` against
            `dmboot veritysetup verify` (all cores, and --threads=1).
  (b)       format of the same image into a fresh hash file (deleted before
            every run), fixed --salt and --uuid; checked once that all three
            write byte-identical hash files with the same root hash.
  (c)       reads through an open device, by bench/verity_reads.c (compiled
            here against build/libdmboot.a): the whole 1 GiB in 1 MiB
            requests, and 20000 seeded random 4 KiB reads, with the verity
            target's counters (meta_reads, digests, cache_hits); the same
            reads from the data file's own dmb_bdev (--plain) and `dd bs=1M`
            are the baselines.
  (e)       the device of (c) opened by name (`dmboot veritysetup open`)
            and read whole by `dmboot dmsetup read NAME > /dev/null`, on all
            cores and pinned to one; checked once against data.img.
  (d)       peak RSS (ru_maxrss of each child, through bench.py's launcher)
            of (a), and of dmboot verify on a 256 MiB image, to show it does
            not grow with the image.

Runs are interleaved (each round runs every case once) after one untimed
round.  Figures and ratios are printed; goals are reported, never asserted.
Exits 1 only when a command fails or outputs disagree (root hashes, hash
files, or bytes read through the device).  Standard library only.
BENCH_RUNS=N changes the number of timed rounds (5).
"""

import filecmp
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402  (bench.py: launcher, Runner, machine context)

ROOT = B.ROOT
DMBOOT = B.DMBOOT
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# Goals (issue: multi-lane SHA-256): verify/format on all cores >= 4x
# veritysetup and >= 1.4 x (cores x single-core OpenSSL SHA-256); verified
# sequential reads on one thread >= 1.45 x single-core OpenSSL SHA-256.
GOAL_VS_TOOL = 4.0
GOAL_ALL_CORES = 1.4
GOAL_SEQ = 1.45

MiB = 1 << 20
GiB = 1 << 30
BIG = 1 * GiB
SMALL = 256 * MiB
RAND_READS = 20000
SEED = 20240601
SALT = "5a" * 16 + "c3" * 16  # 32 bytes, veritysetup's default salt size
UUID = "0badc0de-dead-4eef-8bad-f00dcafe0001"
DEV = "bench-verity"

LIB_C = ["ports/posix/file_bdev.c", "ports/posix/port.c", "ports/posix/crypto_openssl.c",
         "ports/posix/crypto_sig.c", "ports/posix/crypto_cipher.c"]


CommandFailed = B.CommandFailed


class Disagree(Exception):
    pass


# --- running commands ---------------------------------------------------------

class Runner(B.Runner):
    """bench.py's Runner, plus runs whose stdout is kept."""

    def out(self, argv):
        """Run argv: (wall s, user+sys s, peak RSS KiB, stdout text)."""
        outfile = os.path.join(os.path.dirname(self.result), "stdout.txt")
        if self.launcher:
            with open(self.errfile, "wb") as err, open(outfile, "wb") as out:
                r = subprocess.run([self.launcher, self.result, *argv], env=self.env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            if r.returncode != 0:
                raise CommandFailed("launcher for %s: exit status %d"
                                    % (" ".join(argv), r.returncode))
            with open(self.result) as f:
                code, wall, utime, stime, rss = f.read().split()
            if int(code) != 0:
                self._failed(argv, int(code))
            with open(outfile) as f:
                text = f.read()
            return float(wall), float(utime) + float(stime), int(rss), text
        with open(self.errfile, "wb") as err, open(outfile, "wb") as out:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 env=self.env)
            _, status, ru = os.wait4(p.pid, 0)
            t1 = time.perf_counter()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            self._failed(argv, code)
        with open(outfile) as f:
            text = f.read()
        return t1 - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, text


def capture(argv, env):
    r = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    if r.returncode != 0:
        raise CommandFailed("%s: exit status %d\n%s" % (
            " ".join(argv), r.returncode, r.stderr.decode(errors="replace").strip()))
    return r.stdout.decode(errors="replace")


def parse_kv(text):
    d = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            d[k.strip()] = v.strip()
    return d


def root_hash(text):
    m = re.search(r"^Root hash:\s*([0-9a-f]+)\s*$", text, re.M)
    if not m:
        raise CommandFailed("no 'Root hash:' line in format output:\n" + text)
    return m.group(1)


# --- the hardware limit -----------------------------------------------------

def openssl_sha256(env, multi):
    """Bytes/s of SHA-256 over 4096-byte buffers (all processes together)."""
    argv = ["openssl", "speed", "-evp", "sha256", "-bytes", "4096", "-seconds", "2"]
    if multi > 1:
        argv += ["-multi", str(multi)]
    text = capture(argv, env)
    rate = None
    for line in text.splitlines():
        f = line.split()
        if len(f) == 2 and f[0].lower() in ("sha256", "sha2-256") and f[1].endswith("k"):
            rate = float(f[1][:-1]) * 1000  # "The 'numbers' are in 1000s of bytes per second"
    if rate is None:
        raise CommandFailed("cannot parse the output of %s:\n%s" % (" ".join(argv), text))
    return rate


# --- data -------------------------------------------------------------------

def write_data(path, block, size, salt):
    """size bytes: block repeated, each repetition rotated differently (no two
    4 KiB blocks of the file alike, so every digest is different work)."""
    mv = memoryview(block)
    with open(path, "wb") as f:
        left, i = size, 0
        while left:
            rot = (salt * 7919 + i * 4099 + 13) % len(block)
            for p in (mv[rot:], mv[:rot]):
                n = min(left, len(p))
                f.write(p[:n])
                left -= n
            i += 1


def build_reads(work):
    exe = os.path.join(work, "verity_reads")
    cc = os.environ.get("CC") or "cc"
    argv = [cc, "-O2", "-std=c11", "-D_FILE_OFFSET_BITS=64", "-Iinclude", "-Iports/posix",
            "-o", exe, "bench/verity_reads.c", "build/libdmboot.a", *LIB_C, "-lcrypto", "-largon2"]
    r = subprocess.run(argv, cwd=ROOT, capture_output=True)
    if r.returncode != 0:
        raise CommandFailed("cannot build bench/verity_reads.c:\n%s\n%s" % (
            " ".join(argv), r.stderr.decode(errors="replace")))
    return exe


def cpu_pressure():
    """(some avg60 %, some total us) from /proc/pressure/cpu, or None."""
    try:
        with open("/proc/pressure/cpu") as f:
            for line in f:
                if line.startswith("some"):
                    kv = dict(x.split("=") for x in line.split()[1:])
                    return float(kv["avg60"]), int(kv["total"])
    except (OSError, ValueError, KeyError):
        pass
    return None


def files_equal(a, b):
    return filecmp.cmp(a, b, shallow=False)


def fmt_rss(kib):
    return "%.1f MiB" % (kib / 1024)


def summarize(rows):
    """rows: [(wall, cpu, rss, extra)] -> median/min wall, median cpu, max rss."""
    walls = [r[0] for r in rows]
    return {
        "med": statistics.median(walls),
        "min": min(walls),
        "cpu": statistics.median(r[1] for r in rows),
        "rss": max(r[2] for r in rows),
        "rss_min": min(r[2] for r in rows),
    }


def main():
    for tool in ("veritysetup", "openssl"):
        if not shutil.which(tool):
            print("bench_verity: %s is not installed; skipping the verity benchmarks" % tool,
                  file=sys.stderr)
            return 1
    if not os.access(DMBOOT, os.X_OK) or not os.path.exists(
            os.path.join(ROOT, "build", "libdmboot.a")):
        print("bench_verity: build/dmboot or build/libdmboot.a is missing; run 'make all' "
              "first", file=sys.stderr)
        return 1
    base = os.path.join(ROOT, "build", "bench")
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="verity-", dir=base)
    env = dict(os.environ, DMBOOT_STATE_DIR=os.path.join(work, "state"))
    env.pop("DMBOOT_DEBUG", None)
    try:
        return bench(work, env)
    except CommandFailed as e:
        print("\nbench_verity: FAILED: %s" % e, file=sys.stderr)
        return 1
    except Disagree as e:
        print("\nbench_verity: FAILED: outputs disagree: %s" % e, file=sys.stderr)
        return 1
    finally:
        subprocess.run([DMBOOT, "veritysetup", "close", DEV], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        try:
            os.rmdir(base)
        except OSError:
            pass


def vcmd_open(data, hash_file, root):
    return [DMBOOT, "veritysetup", "open", data, DEV, hash_file, root]


def bench(work, env):
    t_start = time.perf_counter()
    print()
    print("dmboot verity bench: `dmboot veritysetup` and reads through a verity device, "
          "against `veritysetup` %s"
          % capture(["veritysetup", "--version"], env).split()[1])
    print()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    for k, v in B.machine_context():
        print("  %-10s %s" % (k + ":", v))
    print("  %-10s %s" % ("openssl:", capture(["openssl", "version"], env).strip()))
    load0 = os.getloadavg()
    print("  %-10s %.2f %.2f %.2f (1/5/15 min, at start; other load skews wall times)"
          % (("loadavg:",) + load0))
    psi0 = cpu_pressure()
    if psi0:
        print("  %-10s some avg60 %.1f%% (share of time a task waited for a CPU, at start)"
              % ("CPU PSI:", psi0[0]))
    print("  %-10s %s" % ("work dir:", work))
    print()

    runner = Runner(env, work)
    if runner.launcher:
        print("timing: each command forked by bench.py's C launcher; wall time, user+sys "
              "and peak RSS are that child's own")
    else:
        print("timing: no C compiler: commands run from Python, peak RSS is an upper bound")
    reads_exe = build_reads(work)
    print("built %s (bench/verity_reads.c + build/libdmboot.a + ports/posix)"
          % os.path.relpath(reads_exe, ROOT))

    # Hardware limit, part 1 (again after the timed runs).
    sha1 = [openssl_sha256(env, 1)]
    shaN = [openssl_sha256(env, cores)] if cores > 1 else []

    data = os.path.join(work, "data.img")
    small = os.path.join(work, "small.img")
    t0 = time.perf_counter()
    block = os.urandom(64 * MiB)
    write_data(data, block, BIG, 1)
    write_data(small, block, SMALL, 2)
    del block
    print("data: data.img (1 GiB) and small.img (256 MiB), a 64 MiB random block repeated "
          "with a different rotation each time (%.1f s)" % (time.perf_counter() - t0))

    common = ["--salt=" + SALT, "--uuid=" + UUID]
    vs_hash = os.path.join(work, "vs.hash")
    dm_hash = os.path.join(work, "dm.hash")
    dm1_hash = os.path.join(work, "dm1.hash")
    small_hash = os.path.join(work, "small.hash")
    small_vs = os.path.join(work, "small-vs.hash")

    # (b) check once: byte-identical hash files and root hashes.
    t0 = time.perf_counter()
    roots = {
        "veritysetup": root_hash(capture(["veritysetup", "format", *common, data, vs_hash],
                                         env)),
        "dmboot": root_hash(capture([DMBOOT, "veritysetup", "format", *common, data, dm_hash],
                                    env)),
        "dmboot --threads=1": root_hash(capture(
            [DMBOOT, "veritysetup", "format", "--threads=1", *common, data, dm1_hash], env)),
    }
    if len(set(roots.values())) != 1:
        raise Disagree("root hashes of data.img differ: %s" % roots)
    for h in (dm_hash, dm1_hash):
        if not files_equal(vs_hash, h):
            raise Disagree("%s and %s differ" % (os.path.basename(vs_hash), os.path.basename(h)))
    root = roots["dmboot"]
    sroot = root_hash(capture([DMBOOT, "veritysetup", "format", *common, small, small_hash], env))
    sroot_vs = root_hash(capture(["veritysetup", "format", *common, small, small_vs], env))
    if sroot != sroot_vs or not files_equal(small_hash, small_vs):
        raise Disagree("small.img: dmboot and veritysetup hash files differ (%s, %s)"
                       % (sroot, sroot_vs))
    os.unlink(small_vs)
    for h in (dm_hash, dm1_hash):
        os.unlink(h)
    print("check: veritysetup, dmboot and dmboot --threads=1 format wrote byte-identical "
          "hash files, root %s... (%.1f s)" % (root[:16], time.perf_counter() - t0))

    for f in (data, small, vs_hash, small_hash):
        B.warm(f)
    print("page cache warmed: every file read once")

    # (e) the same device opened by name, read by `dmboot dmsetup read`.
    capture(vcmd_open(data, vs_hash, root), env)
    sha = hashlib.sha256()
    with open(data, "rb") as f:
        for piece in iter(lambda: f.read(MiB), b""):
            sha.update(piece)
    got = hashlib.sha256()
    with subprocess.Popen([DMBOOT, "dmsetup", "read", DEV], env=env, stdout=subprocess.PIPE,
                          stdin=subprocess.DEVNULL) as p:
        for piece in iter(lambda: p.stdout.read(MiB), b""):
            got.update(piece)
    if p.returncode != 0 or got.digest() != sha.digest():
        raise Disagree("dmboot dmsetup read %s did not give data.img (exit %d)"
                       % (DEV, p.returncode))
    print("check: `dmboot dmsetup read %s` gave data.img byte for byte" % DEV)

    fmt_out = {"vs": os.path.join(work, "fmt-vs.hash"), "dm": os.path.join(work, "fmt-dm.hash"),
               "dm1": os.path.join(work, "fmt-dm1.hash")}

    def vcmd(*a):
        return [DMBOOT, "veritysetup", *a]

    reads = [reads_exe]
    # key: (label, bytes for throughput, argv, hash file to delete first, wants stdout)
    cases = {
        "ver-vs": ("veritysetup verify", BIG, ["veritysetup", "verify", data, vs_hash, root],
                   None),
        "ver-dm": ("dmboot verify (all cores)", BIG, vcmd("verify", data, vs_hash, root), None),
        "ver-dm1": ("dmboot verify --threads=1", BIG,
                    vcmd("verify", "--threads=1", data, vs_hash, root), None),
        "fmt-vs": ("veritysetup format", BIG,
                   ["veritysetup", "format", *common, data, fmt_out["vs"]], fmt_out["vs"]),
        "fmt-dm": ("dmboot format (all cores)", BIG,
                   vcmd("format", *common, data, fmt_out["dm"]), fmt_out["dm"]),
        "fmt-dm1": ("dmboot format --threads=1", BIG,
                    vcmd("format", "--threads=1", *common, data, fmt_out["dm1"]),
                    fmt_out["dm1"]),
        "seq-dd": ("dd if=data.img bs=1M", BIG,
                   ["dd", "if=" + data, "of=/dev/null", "bs=1M"], None),
        "seq-plain": ("verity_reads seq --plain", BIG,
                      reads + ["seq", data, vs_hash, root, "--plain"], None),
        "seq-ver": ("verity_reads seq (verity)", BIG, reads + ["seq", data, vs_hash, root], None),
        "rand-plain": ("verity_reads rand --plain", RAND_READS * 4096,
                       reads + ["rand", data, vs_hash, root, "--plain",
                                "--count=%d" % RAND_READS, "--seed=%d" % SEED], None),
        "rand-ver": ("verity_reads rand (verity)", RAND_READS * 4096,
                     reads + ["rand", data, vs_hash, root, "--count=%d" % RAND_READS,
                              "--seed=%d" % SEED], None),
        "sm-vs": ("veritysetup verify 256 MiB", SMALL,
                  ["veritysetup", "verify", small, small_hash, sroot], None),
        "sm-dm": ("dmboot verify 256 MiB (all cores)", SMALL,
                  vcmd("verify", small, small_hash, sroot), None),
        "sm-dm1": ("dmboot verify 256 MiB --threads=1", SMALL,
                   vcmd("verify", "--threads=1", small, small_hash, sroot), None),
        "dev-dm": ("dmboot dmsetup read (all cores)", BIG,
                   [DMBOOT, "dmsetup", "read", DEV], None),
        "dev-dm1": ("dmboot dmsetup read, one CPU", BIG,
                    ["taskset", "-c", "0", DMBOOT, "dmsetup", "read", DEV], None),
    }
    if not shutil.which("taskset"):
        del cases["dev-dm1"]
    res = {k: [] for k in cases}

    def run(key):
        _, _, argv, rm = cases[key]
        if rm and os.path.exists(rm):
            os.unlink(rm)
        if argv[0] == reads_exe:
            w, c, r, text = runner.out(argv)
            kv = parse_kv(text)
            if kv.get("checked") != "ok":
                raise Disagree("%s: reads did not check out:\n%s" % (" ".join(argv), text))
            return w, c, r, kv
        w, c, r = runner.one(argv)
        return w, c, r, None

    psi_t0 = (cpu_pressure(), time.perf_counter())
    t0 = time.perf_counter()
    for key in cases:  # one untimed round
        run(key)
    for h in fmt_out.values():
        if not files_equal(vs_hash, h):
            raise Disagree("%s differs from vs.hash" % os.path.basename(h))
    for _ in range(RUNS):
        for key in cases:
            res[key].append(run(key))
    print("timed: %d rounds of every case, interleaved, after one untimed round (%.1f s)"
          % (RUNS, time.perf_counter() - t0))
    psi1 = cpu_pressure()
    stall = None
    if psi1 and psi_t0[0]:
        stall = (psi1[1] - psi_t0[0][1]) / 1e6 / (time.perf_counter() - psi_t0[1])
        print("CPU pressure during the runs: some task waited for a CPU %.0f%% of the time%s"
              % (100 * stall, " (the machine was busy: wall-time figures are pessimistic)"
                 if stall > 0.10 else ""))
    for h in fmt_out.values():
        if os.path.exists(h):
            os.unlink(h)

    sha1.append(openssl_sha256(env, 1))
    if cores > 1:
        shaN.append(openssl_sha256(env, cores))
    s1 = max(sha1)
    sN = max(shaN) if shaN else s1
    load1 = os.getloadavg()

    st = {k: summarize(v) for k, v in res.items()}

    def gbs(key, which="med"):
        return cases[key][1] / st[key][which] / 1e9

    # --- hardware -----------------------------------------------------------
    print()
    print("Hardware limit: openssl speed -evp sha256 -bytes 4096 -seconds 2 (GB/s = 10^9 B/s; "
          "best of a run before and after)")
    print("  single core            %6.3f GB/s   (runs: %s)"
          % (s1 / 1e9, ", ".join("%.3f" % (x / 1e9) for x in sha1)))
    if cores > 1:
        print("  -multi %-2d (all cores)  %6.3f GB/s   (runs: %s) = %.2f x single core"
              % (cores, sN / 1e9, ", ".join("%.3f" % (x / 1e9) for x in shaN), sN / s1))
    print("  %d x single core        %6.3f GB/s   (the goal's all-core limit)"
          % (cores, cores * s1 / 1e9))

    print("  (openssl divides by its own user CPU time, so these figures hold however busy "
          "the machine is;")
    print("  command wall times do not: see 'cores busy' and the CPU-time columns below)")

    hdr = "  %-34s %8s %8s %6s %7s %8s %7s %6s %9s" % (
        "command", "median s", "min s", "GB/s", "best", "user+sys", "GB/CPUs", "busy",
        "peak RSS")

    def cpu_gbs(k):
        return cases[k][1] / st[k]["cpu"] / 1e9

    def table(keys):
        print(hdr)
        for k in keys:
            s = st[k]
            print("  %-34s %8.3f %8.3f %6.3f %7.3f %8.3f %7.3f %6.2f %9s" % (
                cases[k][0], s["med"], s["min"], gbs(k), gbs(k, "min"), s["cpu"], cpu_gbs(k),
                s["cpu"] / s["med"], fmt_rss(s["rss"])))

    def goal_text(goal, rm, rb):
        if not goal:
            return ""
        return ">= %.2f: %s" % (goal, "met" if rm >= goal else
                                ("met by best run" if rb >= goal else "below"))

    def fmt3(x):
        return "-" if x is None else "%.3f" % x

    def ratio_rows(rows):
        """rows: (label, median, best, CPU-time, goal); None prints '-'."""
        print("  %-52s %7s %7s %8s  %s" % ("ratio", "median", "best", "CPU-time", "goal"))
        for label, rm, rb, rc, goal in rows:
            print("  %-52s %7s %7s %8s  %s" % (label, fmt3(rm), fmt3(rb), fmt3(rc),
                                              goal_text(goal, rm, rb)))

    def vs_cmd(a, b, cpu=True):
        """Throughput of a over b: wall median, wall best, and from user+sys."""
        return (st[b]["med"] / st[a]["med"], st[b]["min"] / st[a]["min"],
                st[b]["cpu"] / st[a]["cpu"] if cpu else None)

    def vs_rate(a, rate, cpu=True):
        return gbs(a) * 1e9 / rate, gbs(a, "min") * 1e9 / rate, (
            cpu_gbs(a) * 1e9 / rate if cpu else None)

    for what, pre in (("(a) verify", "ver"), ("(b) format", "fmt")):
        vs, dm, dm1 = pre + "-vs", pre + "-dm", pre + "-dm1"
        print()
        print("%s, 1 GiB data image: GB/s = data bytes / wall time (median, best run); "
              "GB/CPUs = data bytes / user+sys;" % what)
        print("    busy = user+sys / wall (cores kept busy)")
        table([vs, dm, dm1])
        ratio_rows([
            ("dmboot (all cores) / veritysetup",) + vs_cmd(dm, vs) + (GOAL_VS_TOOL,),
            ("dmboot --threads=1 / veritysetup",) + vs_cmd(dm1, vs) + (None,),
            ("dmboot (all cores) / (%d x single-core SHA-256)" % cores,)
            + vs_rate(dm, cores * s1, False) + (GOAL_ALL_CORES,),
            ("dmboot (all cores) / openssl -multi %d" % cores,) + vs_rate(dm, sN, False)
            + (None,),
            ("dmboot --threads=1 / single-core SHA-256",) + vs_rate(dm1, s1) + (None,),
            ("dmboot (all cores): bytes per CPU-s / single-core SHA", None, None,
             cpu_gbs(dm) * 1e9 / s1, None),
            ("dmboot all cores / dmboot --threads=1 (scaling)",) + vs_cmd(dm, dm1, False)
            + (None,),
        ])
        print("  (CPU-time: the ratio from user+sys instead of wall time; against SHA-256, "
              "bytes per CPU-second over")
        print("  openssl's bytes per CPU-second: what the wall ratio would be on otherwise "
              "idle cores, before scaling)")

    # --- (c) reads ------------------------------------------------------------
    def kv_set(key, field):
        return sorted({int(r[3][field]) for r in res[key]})

    def loop(key, which="med", field="seconds"):
        """(bytes/s, requests/s, seconds) from the program's own timing of its read loop."""
        secs = [float(r[3][field]) for r in res[key]]
        t = statistics.median(secs) if which == "med" else min(secs)
        kv = res[key][0][3]
        return int(kv["bytes"]) / t, int(kv["requests"]) / t, t

    geo = res["seq-ver"][0][3]
    data_blocks, hash_blocks = int(geo["data_blocks"]), int(geo["hash_blocks"])
    print()
    print("(c) reads through an open verity device (bench/verity_reads.c, one thread): wall and "
          "CPU time of the read")
    print("    loop only (device setup excluded), MB/s = 10^6 B/s, MB/CPUs = bytes / loop "
          "CPU time; peak RSS of the process")
    print("    tree: %d data blocks, %d hash blocks (%s leaf), %s levels, 4 KiB blocks"
          % (data_blocks, hash_blocks, geo["leaf_blocks"], geo["levels"]))
    print("  %-32s %8s %8s %8s %8s %8s %9s %9s %9s" % (
        "reads", "median s", "min s", "MB/s", "best", "CPU s", "MB/CPUs", "IOPS", "peak RSS"))
    for k in ("seq-dd", "seq-plain", "seq-ver", "rand-plain", "rand-ver"):
        if k == "seq-dd":
            med, mn, cpu = st[k]["med"], st[k]["min"], st[k]["cpu"]
            bps, bbest = BIG / med, BIG / mn
            iops = BIG / MiB / med
        else:
            bps, iops, med = loop(k)
            bbest, _, mn = loop(k, "min")
            cpu = loop(k, field="cpu_seconds")[2]
        print("  %-32s %8.3f %8.3f %8.1f %8.1f %8.3f %9.1f %9.0f %9s" % (
            cases[k][0], med, mn, bps / 1e6, bbest / 1e6, cpu, cases[k][1] / cpu / 1e6, iops,
            fmt_rss(st[k]["rss"])))
    dd_bps = BIG / st["seq-dd"]["med"]
    dd_best = BIG / st["seq-dd"]["min"]
    dd_cpu = st["seq-dd"]["cpu"]
    seq_bps, _, _ = loop("seq-ver")
    seq_best = loop("seq-ver", "min")[0]
    seq_cpu = loop("seq-ver", field="cpu_seconds")[2]
    plain_cpu = loop("seq-plain", field="cpu_seconds")[2]
    serial = 1 / (1 / s1 + 1 / dd_bps)
    print()
    print("  %-58s %7s %7s %8s  %s" % ("ratio (sequential, 1 MiB requests)", "median", "best",
                                        "CPU-time", "goal"))
    for label, den, den_best, cpu_r, goal in (
            ("verified / dd bs=1M (plain file read)", dd_bps, dd_best, dd_cpu / seq_cpu, None),
            ("verified / plain dmb_bdev reads (--plain)", loop("seq-plain")[0],
             loop("seq-plain", "min")[0], plain_cpu / seq_cpu, None),
            ("verified / single-core SHA-256", s1, s1, BIG / seq_cpu / s1, GOAL_SEQ),
            ("verified / serial limit 1/(1/SHA + 1/dd) = %.2f GB/s" % (serial / 1e9), serial,
             1 / (1 / s1 + 1 / dd_best), BIG / seq_cpu / (1 / (1 / s1 + dd_cpu / BIG)), None)):
        print("  %-58s %7.3f %7.3f %8.3f  %s" % (label, seq_bps / den, seq_best / den_best, cpu_r,
                                                goal_text(goal, seq_bps / den,
                                                          seq_best / den_best)))
    rp_iops, rv_iops = loop("rand-plain")[1], loop("rand-ver")[1]
    rp_cpu = loop("rand-plain", field="cpu_seconds")[2]
    rv_cpu = loop("rand-ver", field="cpu_seconds")[2]
    print("  %-58s %7.3f %7s %8.3f" % ("random 4 KiB: verified IOPS / plain IOPS",
                                      rv_iops / rp_iops, "", rp_cpu / rv_cpu))
    print("  random 4 KiB: %.1f us of CPU per verified read, %.1f us per plain read"
          % (rv_cpu / RAND_READS * 1e6, rp_cpu / RAND_READS * 1e6))

    print()
    print("  verity target counters (dmb_dev_target_stats), identical in every run unless "
          "several values are shown:")
    sq = res["seq-ver"][0][3]
    reqs = int(sq["requests"])
    exp_digests = data_blocks + hash_blocks
    extra = max(kv_set("seq-ver", "meta_reads")) - hash_blocks
    print("  sequential: %d requests; meta_reads %s (hash blocks: %d; %s)"
          % (reqs, kv_set("seq-ver", "meta_reads"), hash_blocks,
             "each read once" if extra == 0 else
             "%d read again after the cache evicted it, %.4f%%" % (extra,
                                                                   100 * extra / hash_blocks)))
    print("              digests %s (data + hash blocks + re-reads: %d: %s); cache_hits %s; "
          "meta_reads per data block %.5f, per request %.2f"
          % (kv_set("seq-ver", "digests"), exp_digests + extra,
             "yes" if kv_set("seq-ver", "digests") == [exp_digests + extra] else "NO",
             kv_set("seq-ver", "cache_hits"), int(sq["meta_reads"]) / data_blocks,
             int(sq["meta_reads"]) / reqs))
    rv = res["rand-ver"][0][3]
    h2 = int(rv["h2_requests"])
    h2_meta = kv_set("rand-ver", "h2_meta_reads")
    worst = max(h2_meta) / h2
    print("  random:     %d reads of 4 KiB (seed %d); meta_reads %s in all (%.3f per read)"
          % (RAND_READS, SEED, kv_set("rand-ver", "meta_reads"),
             int(rv["meta_reads"]) / RAND_READS))
    print("              second half (steady state, %d reads): meta_reads %s = %.3f per read "
          "(goal <= 1: %s), digests %.3f per read, cache_hits %.3f per read"
          % (h2, h2_meta, worst, "met" if worst <= 1 else "below",
             int(rv["h2_digests"]) / h2, int(rv["h2_cache_hits"]) / h2))
    cache_blocks = 256  # VERITY_CACHE_BYTES (1 MiB) / 4 KiB, lib/targets/verity.c
    upper = hash_blocks - int(geo["leaf_blocks"])
    print("              (a 1 MiB cache holds %d of the %d hash blocks: with the %d upper "
          "blocks cached, a random read misses its leaf with p ~ %.2f)"
          % (cache_blocks, hash_blocks, upper,
             1 - (cache_blocks - upper) / int(geo["leaf_blocks"])))

    # --- (e) reads by name, on every core ---------------------------------------
    print()
    print("(e) `dmboot dmsetup read %s > /dev/null` (the 1 GiB device of (c), opened by "
          "veritysetup open): whole" % DEV)
    print("    commands, device setup included; above %d MiB the read is spread over one "
          "thread per CPU, each" % 16)
    print("    with its own instance of the device")
    keys = [k for k in ("dev-dm", "dev-dm1") if k in cases]
    table(keys)
    rows = [("dmsetup read (all cores) / single-core SHA-256",) + vs_rate("dev-dm", s1, False)
            + (None,),
            ("dmsetup read (all cores) / (%d x single-core SHA-256)" % cores,)
            + vs_rate("dev-dm", cores * s1, False) + (None,)]
    if "dev-dm1" in cases:
        rows.append(("dmsetup read, one CPU / single-core SHA-256",)
                    + vs_rate("dev-dm1", s1) + (None,))
        rows.append(("all cores / one CPU (scaling)",) + vs_cmd("dev-dm", "dev-dm1", False)
                    + (None,))
    ratio_rows(rows)

    # --- (d) memory ---------------------------------------------------------
    print()
    print("(d) peak RSS (ru_maxrss of the child; max and min over %d timed runs)" % RUNS)
    print("  %-28s %12s %12s %12s %12s  %s" % (
        "verify", "1 GiB max", "1 GiB min", "256 MiB max", "256 MiB min", "1 GiB / 256 MiB"))
    for label, big, sm in (("veritysetup", "ver-vs", "sm-vs"),
                           ("dmboot (all cores)", "ver-dm", "sm-dm"),
                           ("dmboot --threads=1", "ver-dm1", "sm-dm1")):
        print("  %-28s %12s %12s %12s %12s  %.2f" % (
            label, fmt_rss(st[big]["rss"]), fmt_rss(st[big]["rss_min"]), fmt_rss(st[sm]["rss"]),
            fmt_rss(st[sm]["rss_min"]), st[big]["rss"] / st[sm]["rss"]))
    print("  256 MiB verify throughput: dmboot %.3f GB/s, --threads=1 %.3f GB/s, "
          "veritysetup %.3f GB/s" % (gbs("sm-dm"), gbs("sm-dm1"), gbs("sm-vs")))

    print()
    print("  loadavg at end: %.2f %.2f %.2f%s.  Files in the page cache: this measures "
          "hashing and copying," % (load1 + ("; CPU waited for %.0f%% of the runs"
                                             % (100 * stall) if stall is not None else "",)))
    print("  not the disk.  Times vary from run to run; nothing here is asserted.  "
          "Total %.0f s." % (time.perf_counter() - t_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
