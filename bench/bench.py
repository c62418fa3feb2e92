#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""dmboot read throughput against dd (`make bench`).

Sets up, in a temp dir under build/bench with its own DMBOOT_STATE_DIR:
  - a linear device over a 1 GiB file,
  - 2-way striped devices over two 512 MiB files, chunk 128 sectors (64 KiB,
    LVM's default stripe size) and chunk 1024 sectors (512 KiB),
  - a linear device stacked on the 64 KiB striped one (/dev/mapper/NAME),
then times, with the files warm in the page cache, `dd if=FILE of=/dev/null
bs=1M` (the baseline: the same bytes straight from the files) against
`dmboot dmsetup read NAME > /dev/null`.  Every command runs in its own child
process, so its CPU time and peak RSS are its own.  Runs are interleaved (each
round runs every case once) so drift hits all cases alike.

Peak RSS: a child started straight from Python inherits Python's RSS high-water
mark (vfork/exec carries the parent's into the child's ru_maxrss), which would
swamp the ~2 MiB of dd or dmboot.  So each command is started by a tiny C
launcher (built here with $CC or cc, the compiler `make` already needs) that
forks, execs, and reports wall time and wait4's rusage of that one child.  If
no compiler works, the bench falls back to subprocess + os.wait4 from Python
and labels peak RSS as an upper bound.

Prints figures and ratios and never asserts on time: the goal (dmboot at
least 0.95 of the baseline throughput) is printed, not enforced.  Exits 1 only
when a command fails or a device reads back wrong bytes.
Standard library only.  BENCH_RUNS=N changes the number of timed runs (5).
"""

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DMBOOT = os.path.join(ROOT, "build", "dmboot")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
GOAL = 0.95

MiB = 1 << 20
GiB = 1 << 30
BLOCK = 64 * MiB  # one random block, written over and over
LINEAR_BYTES = 1 * GiB
STRIPE_FILE_BYTES = 512 * MiB


class CommandFailed(Exception):
    pass


def machine_context():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / (1 << 20))
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    rev = "unknown"
    try:
        rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return [
        ("nproc", "%d (usable by this process: %d)" % (os.cpu_count(), usable)),
        ("CPU model", model),
        ("memory", mem),
        ("kernel", "%s %s %s" % (platform.system(), platform.release(), platform.machine())),
        ("python", "%s (%s)" % (platform.python_version(), sys.executable)),
        ("dmboot", "%s (git %s)" % (DMBOOT, rev)),
    ]


def write_file(path, block, size, rotate):
    """size bytes of block repeated, rotated by `rotate` so files differ."""
    mv = memoryview(block)
    pieces = [mv[rotate:], mv[:rotate]]
    with open(path, "wb") as f:
        left = size
        while left:
            for p in pieces:
                n = min(left, len(p))
                f.write(p[:n])
                left -= n


def warm(path):
    """Read a file once so the timed runs find it in the page cache."""
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(8 * MiB)
        while f.readinto(buf):
            pass


LAUNCHER_C = r"""
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* launcher RESULT CMD [ARG...]: run CMD, write "status wall utime stime maxrss". */
int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 3)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	f = fopen(argv[1], "w");
	if (!f)
		return 2;
	fprintf(f, "%d %.9f %.6f %.6f %ld\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss);
	return fclose(f) ? 2 : 0;
}
"""


def build_launcher(work):
    """Compile the launcher; None when no C compiler works."""
    src = os.path.join(work, "launcher.c")
    exe = os.path.join(work, "launcher")
    with open(src, "w") as f:
        f.write(LAUNCHER_C)
    cc = os.environ.get("CC") or "cc"
    try:
        r = subprocess.run([cc, "-O2", "-o", exe, src], capture_output=True)
    except OSError:
        return None
    return exe if r.returncode == 0 else None


class Runner:
    def __init__(self, env, work):
        self.env = env
        self.errfile = os.path.join(work, "stderr.txt")
        self.result = os.path.join(work, "result.txt")
        self.launcher = build_launcher(work)

    def _failed(self, argv, code):
        with open(self.errfile, "rb") as f:
            msg = f.read().decode(errors="replace").strip()
        raise CommandFailed("%s: exit status %d\n%s" % (" ".join(argv), code, msg))

    def one(self, argv):
        """Run argv, stdout on /dev/null: (wall s, user+sys s, peak RSS KiB)."""
        if self.launcher:
            with open(self.errfile, "wb") as err:
                r = subprocess.run([self.launcher, self.result, *argv], env=self.env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=err)
            if r.returncode != 0:
                raise CommandFailed("launcher for %s: exit status %d"
                                    % (" ".join(argv), r.returncode))
            with open(self.result) as f:
                code, wall, utime, stime, rss = f.read().split()
            if int(code) != 0:
                self._failed(argv, int(code))
            return float(wall), float(utime) + float(stime), int(rss)
        with open(self.errfile, "wb") as err:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=err, env=self.env)
            _, status, ru = os.wait4(p.pid, 0)
            t1 = time.perf_counter()
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            self._failed(argv, p.returncode)
        return t1 - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss

    def rounds(self, cases, runs):
        """Each of runs rounds (after one untimed) runs every command of cases once, in
        order, so drift hits all alike: {key: [(wall, cpu, rss) per timed round]}."""
        res = {k: [] for k in cases}
        for rnd in range(runs + 1):
            for k, argv in cases.items():
                r = self.one(argv)
                if rnd:
                    res[k].append(r)
        return res

    def seq(self, cmds):
        """Run commands one after another: total wall, total CPU, peak RSS."""
        wall = cpu = 0.0
        rss = 0
        for argv in cmds:
            w, c, r = self.one(argv)
            wall += w
            cpu += c
            rss = max(rss, r)
        return wall, cpu, rss


def dm(env, *args, stdin=None):
    r = subprocess.run([DMBOOT, "dmsetup", *args], env=env, stdin=stdin,
                       capture_output=True)
    if r.returncode != 0:
        raise CommandFailed("dmboot dmsetup %s: exit status %d\n%s" % (
            " ".join(args), r.returncode, r.stderr.decode(errors="replace").strip()))
    return r.stdout


def read_range(path, off, n):
    with open(path, "rb") as f:
        f.seek(off)
        return f.read(n)


def striped_expected(files, chunk_sectors, off, n):
    """Bytes [off, off+n) of a striped device over `files`, from the files."""
    cb = chunk_sectors * 512
    out = bytearray()
    while n:
        chunk, within = divmod(off, cb)
        k = min(n, cb - within)
        f = files[chunk % len(files)]
        out += read_range(f, (chunk // len(files)) * cb + within, k)
        off += k
        n -= k
    return bytes(out)


def check_device(env, name, expected_fn, size):
    """Compare a few ranges of a device with the bytes the table says."""
    for off, n in ((0, 4 * MiB), (size // 2 - 3 * MiB - 1234, 6 * MiB + 777),
                   (size - 5 * MiB, 5 * MiB)):
        got = dm(env, "read", name, "--offset", str(off), "--length", str(n))
        if got != expected_fn(off, n):
            raise CommandFailed("%s: bytes %d..%d differ from the backing files"
                                % (name, off, off + n - 1))


def fmt_rss(kib):
    return "%.1f MiB" % (kib / 1024)


def main():
    if not os.access(DMBOOT, os.X_OK):
        print("bench: %s is missing; run 'make all' first" % DMBOOT, file=sys.stderr)
        return 1
    base = os.path.join(ROOT, "build", "bench")
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="run-", dir=base)
    env = dict(os.environ, DMBOOT_STATE_DIR=os.path.join(work, "state"))
    env.pop("DMBOOT_DEBUG", None)
    try:
        return bench(work, env)
    except CommandFailed as e:
        print("\nbench: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        try:
            if os.path.isdir(env["DMBOOT_STATE_DIR"]):
                dm(env, "remove_all")
        except CommandFailed as e:
            print("bench: cleanup: %s" % e, file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        try:
            os.rmdir(base)
        except OSError:
            pass


def bench(work, env):
    print("dmboot bench: `dmboot dmsetup read NAME > /dev/null` "
          "vs `dd if=FILE of=/dev/null bs=1M`")
    print()
    for k, v in machine_context():
        print("  %-10s %s" % (k + ":", v))
    print("  %-10s %s" % ("work dir:", work))
    print()

    runner = Runner(env, work)
    if runner.launcher:
        print("timing: each command forked by a small C launcher; wall time, user+sys "
              "and peak RSS are that child's own")
    else:
        print("timing: no C compiler, so commands run straight from Python; peak RSS then "
              "includes Python's inherited RSS (an upper bound)")

    lin = os.path.join(work, "linear.img")
    s0 = os.path.join(work, "stripe0.img")
    s1 = os.path.join(work, "stripe1.img")
    t0 = time.perf_counter()
    block = os.urandom(BLOCK)
    write_file(lin, block, LINEAR_BYTES, 0)
    write_file(s0, block, STRIPE_FILE_BYTES, 4097 * 512 + 13)
    write_file(s1, block, STRIPE_FILE_BYTES, 9001 * 512 + 77)
    del block
    print("data: linear.img (1 GiB), stripe0.img and stripe1.img (512 MiB each): a 64 MiB "
          "random block repeated, rotated differently per file (%.1f s)"
          % (time.perf_counter() - t0))

    lin_sectors = LINEAR_BYTES // 512
    str_sectors = 2 * STRIPE_FILE_BYTES // 512
    dm(env, "create", "bench-linear", "--table", "0 %d linear %s 0" % (lin_sectors, lin))
    for chunk in (128, 1024):
        dm(env, "create", "bench-striped%d" % chunk, "--table",
           "0 %d striped 2 %d %s 0 %s 0" % (str_sectors, chunk, s0, s1))
    dm(env, "create", "bench-stacked", "--table",
       "0 %d linear /dev/mapper/bench-striped128 0" % str_sectors)
    print("devices (dmsetup table):")
    for line in dm(env, "table").decode().splitlines():
        print("  " + line.replace(work + "/", ""))

    t0 = time.perf_counter()
    for f in (lin, s0, s1):
        warm(f)
    print("page cache warmed: every file read once (%.1f s)" % (time.perf_counter() - t0))

    t0 = time.perf_counter()
    check_device(env, "bench-linear", lambda o, n: read_range(lin, o, n), LINEAR_BYTES)
    for chunk in (128, 1024):
        check_device(env, "bench-striped%d" % chunk,
                     lambda o, n, c=chunk: striped_expected([s0, s1], c, o, n),
                     2 * STRIPE_FILE_BYTES)
    check_device(env, "bench-stacked", lambda o, n: striped_expected([s0, s1], 128, o, n),
                 2 * STRIPE_FILE_BYTES)
    print("sanity: three ranges of every device read back the right bytes (%.1f s)"
          % (time.perf_counter() - t0))

    def dd(path):
        return ["dd", "if=" + path, "of=/dev/null", "bs=1M"]

    def rd(name):
        return [DMBOOT, "dmsetup", "read", name]

    sbytes = 2 * STRIPE_FILE_BYTES
    # key: (label, bytes, commands run one after another)
    cases = {
        "lin-dd": ("dd bs=1M linear.img", LINEAR_BYTES, [dd(lin)]),
        "lin-dm": ("dmboot read bench-linear", LINEAR_BYTES, [rd("bench-linear")]),
        "str-dd": ("dd bs=1M stripe0.img; stripe1.img", sbytes, [dd(s0), dd(s1)]),
        "str128-dm": ("dmboot read bench-striped128", sbytes, [rd("bench-striped128")]),
        "str1024-dm": ("dmboot read bench-striped1024", sbytes, [rd("bench-striped1024")]),
        "stack-dm": ("dmboot read bench-stacked", sbytes, [rd("bench-stacked")]),
        # The fixed cost of one command (process start, shared libraries, state):
        # one sector each, so the copy is nothing.
        "start-dd": ("dd one sector of linear.img", 512,
                     [["dd", "if=" + lin, "of=/dev/null", "bs=512", "count=1"]]),
        "start-dm": ("dmboot read, one sector", 512,
                     [[DMBOOT, "dmsetup", "read", "bench-linear", "--length", "512"]]),
    }
    res = {key: [] for key in cases}

    t0 = time.perf_counter()
    for key, (_, _, cmds) in cases.items():  # one untimed run each
        runner.seq(cmds)
    for _ in range(RUNS):
        for key, (_, _, cmds) in cases.items():
            res[key].append(runner.seq(cmds))
    print("timed: %d runs of each case, interleaved, after one untimed run (%.1f s)"
          % (RUNS, time.perf_counter() - t0))

    st = {}
    for key, (label, nbytes, _) in cases.items():
        walls = [r[0] for r in res[key]]
        st[key] = {
            "label": label,
            "bytes": nbytes,
            "med": statistics.median(walls),
            "min": min(walls),
            "cpu": statistics.median(r[1] for r in res[key]),
            "rss": max(r[2] for r in res[key]),
        }

    def gbs(key, which):
        return st[key]["bytes"] / st[key][which] / 1e9

    print()
    print("Throughput, GB/s = 10^9 bytes/s, median and best of %d runs; user+sys is the "
          "median;" % RUNS)
    print("peak RSS the largest ru_maxrss over the runs%s."
          % ("" if runner.launcher else " (upper bound, see above)"))
    hdr = "  %-34s %8s %8s %8s %9s %10s %9s" % (
        "command", "median s", "min s", "GB/s", "GB/s best", "user+sys s", "peak RSS")
    groups = [
        ("fixed cost: one sector", ["start-dd", "start-dm"]),
        ("linear: 1 GiB file", ["lin-dd", "lin-dm"]),
        ("2-way striped: 2 x 512 MiB files (1 GiB); stacked = linear over striped128",
         ["str-dd", "str128-dm", "str1024-dm", "stack-dm"]),
    ]
    for title, keys in groups:
        print()
        print(title)
        print(hdr)
        for key in keys:
            s = st[key]
            print("  %-34s %8.3f %8.3f %8.2f %9.2f %10.3f %9s" % (
                s["label"], s["med"], s["min"], gbs(key, "med"), gbs(key, "min"), s["cpu"],
                fmt_rss(s["rss"])))

    print()
    print("Ratios: throughput dmboot / dd baseline (goal >= %.2f: reported, not enforced);"
          % GOAL)
    print("CPU x: dmboot user+sys / baseline user+sys")
    print("  %-40s %7s %7s %7s  %s" % ("case", "median", "best", "CPU x", "goal %.2f" % GOAL))
    ratios = [
        ("linear 1 GiB", "lin-dm", "lin-dd"),
        ("striped, chunk 128 (64 KiB)", "str128-dm", "str-dd"),
        ("striped, chunk 1024 (512 KiB)", "str1024-dm", "str-dd"),
        ("linear over striped 128 (stacked)", "stack-dm", "str-dd"),
    ]
    for label, a, b in ratios:
        rmed = st[b]["med"] / st[a]["med"]
        rbest = st[b]["min"] / st[a]["min"]
        cpu = st[a]["cpu"] / st[b]["cpu"] if st[b]["cpu"] > 0 else float("nan")
        print("  %-40s %7.3f %7.3f %7.2f  %s" % (
            label, rmed, rbest, cpu, "met" if rmed >= GOAL else "below"))
    rmed = st["str128-dm"]["med"] / st["stack-dm"]["med"]
    rbest = st["str128-dm"]["min"] / st["stack-dm"]["min"]
    cpu = st["stack-dm"]["cpu"] / st["str128-dm"]["cpu"]
    print("  %-40s %7.3f %7.3f %7.2f  %s" % (
        "stacking cost: stacked / striped 128", rmed, rbest, cpu, "(1.0 = free)"))
    s_dd, s_dm = st["start-dd"]["med"], st["start-dm"]["med"]
    print()
    print("Fixed cost of one command (one sector read): dd %.2f ms, dmboot %.2f ms (dmboot links"
          % (1e3 * s_dd, 1e3 * s_dm))
    print("OpenSSL and opens its state directory).  The same ratios with each command's fixed")
    print("cost taken off its time, i.e. the streaming throughput alone:")
    for label, a, b in ratios:
        rmed = (st[b]["med"] - s_dd * len(cases[b][2])) / (st[a]["med"] - s_dm)
        print("  %-40s %7.3f          %s" % (label, rmed, "met" if rmed >= GOAL else "below"))
    print()
    print("The files are in the page cache: this measures the copy path and dmboot's")
    print("mapping, not the disk.  Times vary from run to run; nothing here is asserted.")
    return 0


if __name__ == "__main__":
    rc = main()
    import bench_verity  # then the dm-verity benchmarks (bench/bench_verity.py)
    rc = bench_verity.main() or rc
    import bench_lvm  # then LVM2 (bench/bench_lvm.py)
    rc = bench_lvm.main() or rc
    import bench_ddi  # then discoverable disk images (bench/bench_ddi.py)
    rc = bench_ddi.main() or rc
    import bench_boot  # then boot list and open on image LVs (bench/bench_boot.py)
    rc = bench_boot.main() or rc
    import bench_sha256  # then the library's SHA-256 per backend and lane count
    rc = bench_sha256.main() or rc
    import bench_crypt  # then dm-crypt reads and LUKS2 unlock (bench/bench_crypt.py)
    sys.exit(bench_crypt.main() or rc)
