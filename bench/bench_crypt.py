#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""dm-crypt benchmarks: reads through an opened LUKS2 device and unlock time.

Run by `make bench` after bench.py (bench.py calls main() here), or alone:
/usr/bin/python3 bench/bench_crypt.py.

In one temp dir under build/bench (its own DMBOOT_STATE_DIR):

  (a) reads  two LUKS2 images of 16 MiB header + 1 GiB payload, the same
             random payload bytes in both, made by `cryptsetup luksFormat
             --type luks2 --cipher aes-xts-plain64 --key-size 512` with
             --sector-size 512 and 4096 (PBKDF2 at 1000 iterations: setup
             only), opened with `dmboot cryptsetup open IMG NAME --key-file
             F`; warm in the page cache, `dmboot dmsetup read NAME >
             /dev/null` pinned to one core with taskset (the one-thread
             figure) and unpinned, against `dd bs=1M` of the payload (the
             raw read) and `openssl speed -evp aes-256-xts -bytes 512` and
             `-bytes 4096` pinned to the same core (before and after the
             timed runs; the better figure counts).  A few ranges of each
             device are checked against AES-XTS done in Python when the
             `cryptography` module is there, and the whole device read
             unpinned against the one-core read (SHA-256 of each).
  (b) unlock `dmboot cryptsetup open --test-passphrase` against `cryptsetup
             open --test-passphrase` on the same key slot: PBKDF2-sha256 at
             1000000 iterations, Argon2id at 64 MiB and 1 GiB, 4 passes,
             the threads cryptsetup chooses (skipped, with the reason, if
             the machine lacks the memory).  Peak RSS of each.

Runs are interleaved (each round runs every case once) after one untimed
round.  Figures and ratios are printed; goals (reads >= 0.9 of single-core
AES-XTS; unlock dmboot/cryptsetup <= 1.0 and peak RSS <= the slot's memory
cost + 8 MiB) are reported, never asserted.  Exits 1 only when a command
fails or a device reads back wrong bytes.  BENCH_RUNS=N changes the number
of timed rounds (5).
"""

import hashlib
import os
import shlex
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
GOAL_READ = 0.90
GOAL_UNLOCK = 1.0
RSS_SLACK_KIB = 8 * 1024

MiB = 1 << 20
GiB = 1 << 30
HEADER = 16 * MiB      # cryptsetup's LUKS2 data offset for these images
PAYLOAD = 1 * GiB
PASS = b"bench passphrase"
PBKDF2_ITER = 1000000
ARGON_MEM = (65536, 1048576)  # KiB
ARGON_T = 4

CommandFailed = B.CommandFailed


def capture(argv, env):
    r = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    if r.returncode != 0:
        raise CommandFailed("%s: exit status %d\n%s" % (
            " ".join(argv), r.returncode, r.stderr.decode(errors="replace").strip()))
    return r.stdout.decode(errors="replace")


def pin_cpu():
    try:
        return sorted(os.sched_getaffinity(0))[-1]
    except AttributeError:
        return 0


def openssl_xts(env, cpu, nbytes, decrypt=False):
    """Bytes/s of one core's AES-256-XTS over nbytes-long data units."""
    argv = ["taskset", "-c", str(cpu), "openssl", "speed", "-evp", "aes-256-xts",
            "-bytes", str(nbytes), "-seconds", "2"] + (["-decrypt"] if decrypt else [])
    text = capture(argv, env)
    for line in text.splitlines():
        f = line.split()
        if len(f) == 2 and f[0].upper() == "AES-256-XTS" and f[1].endswith("k"):
            return float(f[1][:-1]) * 1000, argv  # in 1000s of bytes per second
    raise CommandFailed("cannot parse the output of %s:\n%s" % (" ".join(argv), text))


def mem_available_kib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def xts_check(img, vkey, name, sector, env):
    """Compare three ranges of the opened device with AES-XTS of the image."""
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:
        return "skipped (no python3 cryptography module)"
    size = PAYLOAD
    for off, n in ((0, 1 * MiB), (size // 2 - 3 * sector, 7 * sector),
                   (size - 2 * MiB, 2 * MiB)):
        got = subprocess.run([DMBOOT, "dmsetup", "read", name, "--offset", str(off),
                              "--length", str(n)], env=env, capture_output=True,
                             check=True).stdout
        want = bytearray()
        with open(img, "rb") as f:
            f.seek(HEADER + off)
            ct = f.read(n)
        for i in range(0, n, sector):
            tweak = ((off + i) // 512).to_bytes(16, "little")  # plain64, 512-byte units
            d = Cipher(algorithms.AES(vkey), modes.XTS(tweak)).decryptor()
            want += d.update(ct[i:i + sector]) + d.finalize()
        if got != bytes(want):
            raise CommandFailed("%s: bytes %d..%d differ from AES-XTS of the image"
                                % (name, off, off + n - 1))
    return "3 ranges of each device equal AES-XTS of the image (python3 cryptography)"


def read_digest(argv, env):
    """SHA-256 of a command's stdout, streamed."""
    h = hashlib.sha256()
    with subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as p:
        while True:
            b = p.stdout.read(8 * MiB)
            if not b:
                break
            h.update(b)
        err = p.stderr.read().decode(errors="replace").strip()
    if p.returncode != 0:
        raise CommandFailed("%s: exit status %d\n%s" % (" ".join(argv), p.returncode, err))
    return h.hexdigest()


def luks_format(img, keyfile, extra, env, vkey_file=None):
    argv = ["cryptsetup", "luksFormat", "-q", "--type", "luks2", "--cipher", "aes-xts-plain64",
            "--key-size", "512", "--key-file", keyfile] + extra
    if vkey_file:
        argv += ["--volume-key-file", vkey_file]
    capture(argv + [img], env)
    return argv + [img]


def stats(rows):
    walls = [r[0] for r in rows]
    return {"med": statistics.median(walls), "min": min(walls),
            "cpu": statistics.median(r[1] for r in rows), "rss": max(r[2] for r in rows)}


def short(argv, work):
    return shlex.join(a.replace(work + "/", "") if work in a else
                      (os.path.relpath(a, ROOT) if a.startswith(ROOT) else a) for a in argv)


def main():
    for tool in ("cryptsetup", "openssl", "taskset", "dd"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            print("bench_crypt: %s is not installed; skipping the crypt benchmarks" % tool,
                  file=sys.stderr)
            return 0
    if not os.access(DMBOOT, os.X_OK):
        print("bench_crypt: %s is missing; run 'make all' first" % DMBOOT, file=sys.stderr)
        return 1
    base = os.path.join(ROOT, "build", "bench")
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="crypt-", dir=base)
    env = dict(os.environ, DMBOOT_STATE_DIR=os.path.join(work, "state"), LC_ALL="C")
    env["PATH"] = env.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    env.pop("DMBOOT_DEBUG", None)
    try:
        return bench(work, env)
    except (CommandFailed, subprocess.CalledProcessError) as e:
        print("\nbench_crypt: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        for name in ("bench-c512", "bench-c4096"):
            subprocess.run([DMBOOT, "cryptsetup", "close", name], env=env, capture_output=True)
        subprocess.run([DMBOOT, "dmsetup", "remove_all"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        try:
            os.rmdir(base)
        except OSError:
            pass


def bench(work, env):
    cpu = pin_cpu()
    print()
    print("dmboot crypt bench: reads through an opened LUKS2 device (aes-xts-plain64) against "
          "openssl speed and dd,")
    print("and unlock time against %s" % capture(["cryptsetup", "--version"], env).strip())
    print()
    for k, v in B.machine_context():
        print("  %-10s %s" % (k + ":", v))
    print("  %-10s %s" % ("openssl:", capture(["openssl", "version"], env).strip()))
    print("  %-10s %.2f %.2f %.2f (1/5/15 min, at start; other load skews wall times)"
          % (("loadavg:",) + os.getloadavg()))
    print("  %-10s %s" % ("work dir:", work))
    print()
    runner = B.Runner(env, work)
    if not runner.launcher:
        print("timing: no C compiler: commands run from Python, peak RSS is an upper bound")
    rc = bench_reads(work, env, runner, cpu)
    return bench_unlock(work, env, runner) or rc


def bench_reads(work, env, runner, cpu):
    keyfile = os.path.join(work, "pass.key")
    with open(keyfile, "wb") as f:
        f.write(PASS)
    os.chmod(keyfile, 0o600)
    t0 = time.perf_counter()
    imgs, fmt, vkeys = {}, {}, {}
    block = os.urandom(64 * MiB)
    for ss in (512, 4096):
        imgs[ss] = os.path.join(work, "luks%d.img" % ss)
        with open(imgs[ss], "wb") as f:
            f.write(bytes(HEADER))
        B.write_file(imgs[ss] + ".payload", block, PAYLOAD, 0)
        with open(imgs[ss], "ab") as out, open(imgs[ss] + ".payload", "rb") as src:
            shutil.copyfileobj(src, out, 8 * MiB)
        os.unlink(imgs[ss] + ".payload")
        vk = os.path.join(work, "vk%d" % ss)
        vkeys[ss] = os.urandom(64)
        with open(vk, "wb") as f:
            f.write(vkeys[ss])
        fmt[ss] = luks_format(imgs[ss], keyfile, ["--sector-size", str(ss), "--pbkdf", "pbkdf2",
                                                  "--pbkdf-force-iterations", "1000"], env, vk)
        os.unlink(vk)
    del block
    print("data: luks512.img and luks4096.img, 16 MiB header + 1 GiB payload each: the same "
          "64 MiB random block")
    print("  repeated as payload (the ciphertext), then luksFormat over it with a given "
          "volume key (%.1f s)" % (time.perf_counter() - t0))
    names = {512: "bench-c512", 4096: "bench-c4096"}
    opens = {}
    for ss in (512, 4096):
        opens[ss] = [DMBOOT, "cryptsetup", "open", imgs[ss], names[ss], "--key-file", keyfile]
        capture(opens[ss], env)
    print("commands (setup, untimed):")
    for ss in (512, 4096):
        print("  " + short(fmt[ss], work).replace("--volume-key-file vk%d " % ss, ""))
        print("  " + short(opens[ss], work))
    for line in capture([DMBOOT, "dmsetup", "table"], env).splitlines():
        print("  table " + line.replace(work + "/", ""))
    for ss in (512, 4096):
        B.warm(imgs[ss])
    print("page cache warmed: both images read once")
    for ss in (512, 4096):
        msg = xts_check(imgs[ss], vkeys[ss], names[ss], ss, env)
    print("sanity: " + msg)
    for ss in (512, 4096):
        rd = [DMBOOT, "dmsetup", "read", names[ss]]
        if read_digest(rd, env) != read_digest(["taskset", "-c", str(cpu)] + rd, env):
            raise CommandFailed("%s: the unpinned read differs from the one-core read"
                                % names[ss])
    print("sanity: the whole of each device reads the same unpinned (threads) and on one core")

    osl = {ss: [openssl_xts(env, cpu, ss)] for ss in (512, 4096)}
    osl_dec = {ss: openssl_xts(env, cpu, ss, True)[0] for ss in (512, 4096)}
    skip = str(HEADER // MiB)
    cases = {}
    for ss in (512, 4096):
        cases["dd%d" % ss] = ["dd", "if=" + imgs[ss], "of=/dev/null", "bs=1M", "skip=" + skip]
        cases["t1-%d" % ss] = ["taskset", "-c", str(cpu), DMBOOT, "dmsetup", "read", names[ss]]
        cases["all-%d" % ss] = [DMBOOT, "dmsetup", "read", names[ss]]
    t0 = time.perf_counter()
    res = runner.rounds(cases, RUNS)
    for ss in (512, 4096):
        osl[ss].append(openssl_xts(env, cpu, ss))
    print("timed: %d rounds after one untimed, each round every command once (%.1f s)"
          % (RUNS, time.perf_counter() - t0))
    print("commands (timed; stdout to /dev/null):")
    for ss in (512, 4096):
        for k in ("dd%d" % ss, "t1-%d" % ss, "all-%d" % ss):
            print("  " + short(cases[k], work))
        print("  " + short(osl[ss][0][1], work) + "   (before and after)")
    print("  " + short(osl[4096][0][1], work) + " -decrypt   (and -bytes 512; information)")

    st = {k: stats(v) for k, v in res.items()}
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    best = {ss: max(x[0] for x in osl[ss]) for ss in (512, 4096)}
    print()
    print("(a) Sequential read of the 1 GiB payload, GB/s = 10^9 B/s; wall median and best of "
          "%d, user+sys median, peak RSS the largest:" % RUNS)
    print("  %-44s %8s %8s %8s %9s %10s %9s" % ("command", "median s", "min s", "GB/s",
                                                 "GB/s best", "user+sys s", "peak RSS"))
    for ss in (512, 4096):
        labels = (("dd%d" % ss, "dd bs=1M of the payload (raw read)"),
                  ("t1-%d" % ss, "dmboot read, %d-byte sectors, one core" % ss),
                  ("all-%d" % ss, "dmboot read, %d-byte sectors, %d threads" % (ss, cores)))
        for k, label in labels:
            s = st[k]
            print("  %-44s %8.3f %8.3f %8.2f %9.2f %10.3f %9s" % (
                label, s["med"], s["min"], PAYLOAD / s["med"] / 1e9, PAYLOAD / s["min"] / 1e9,
                s["cpu"], B.fmt_rss(s["rss"])))
        print("  %-44s %8s %8s %8.2f %9s %10s %9s" % (
            "openssl speed aes-256-xts -bytes %d, 1 core" % ss, "", "", best[ss] / 1e9,
            "", "", ""))
        print("  %-44s %8s %8s %8.2f %9s %10s %9s" % (
            "  the same, -decrypt (information)", "", "", osl_dec[ss] / 1e9, "", "", ""))
    print()
    print("Ratios (goal >= %.2f of single-core AES-XTS for one thread: reported, not "
          "enforced):" % GOAL_READ)
    print("  %-44s %10s %10s %10s %s" % ("case", "/ openssl", "/ raw read", "CPU s/GiB",
                                         ""))
    for ss in (512, 4096):
        for k, label in (("t1-%d" % ss, "one core, %d-byte sectors" % ss),
                         ("all-%d" % ss, "%d threads, %d-byte sectors" % (cores, ss))):
            rate = PAYLOAD / st[k]["med"]
            r = rate / best[ss]
            print("  %-44s %10.3f %10.3f %10.3f %s" % (
                label, r, st["dd%d" % ss]["med"] / st[k]["med"], st[k]["cpu"],
                ("met" if r >= GOAL_READ else "below") if k.startswith("t1") else ""))
    print("  (openssl speed keeps one IV per context and measures the cipher alone; a read "
          "also copies")
    print("  the ciphertext out of the page cache, which the raw read's figure is: one thread "
          "doing both")
    print("  reaches at most 1 / (1 / openssl + 1 / raw read) of it; unpinned, dmboot reads "
          "on one thread")
    print("  per usable CPU)")
    for ss in (512, 4096):
        bound = 1 / (1 / best[ss] + st["dd%d" % ss]["med"] / PAYLOAD)
        print("  one-thread bound, %d-byte sectors: %.2f GB/s = %.3f of openssl"
              % (ss, bound / 1e9, bound / best[ss]))
    return 0


def bench_unlock(work, env, runner):
    keyfile = os.path.join(work, "pass.key")
    slots = [("pbkdf2", "PBKDF2-sha256, %d iterations" % PBKDF2_ITER, 0,
              ["--pbkdf", "pbkdf2", "--hash", "sha256", "--pbkdf-force-iterations",
               str(PBKDF2_ITER)])]
    for m in ARGON_MEM:
        slots.append(("argon%d" % m, "Argon2id, %d MiB, %d passes" % (m // 1024, ARGON_T), m,
                      ["--pbkdf", "argon2id", "--pbkdf-memory", str(m),
                       "--pbkdf-force-iterations", str(ARGON_T)]))
    avail = mem_available_kib()
    print()
    cases, made, skipped = {}, [], []
    t0 = time.perf_counter()
    for key, label, mem, extra in slots:
        # Each tool in turn holds the slot's memory; leave room for the rest.
        if mem and avail < mem + 256 * 1024:
            skipped.append((label, "MemAvailable %d MiB is below the slot's %d MiB + 256 MiB"
                            % (avail // 1024, mem // 1024)))
            continue
        img = os.path.join(work, key + ".img")
        with open(img, "wb") as f:
            f.truncate(32 * MiB)
        argv = luks_format(img, keyfile, extra, env)
        dump = capture(["cryptsetup", "luksDump", img], env)
        threads = [ln.split(":", 1)[1].strip() for ln in dump.splitlines()
                   if ln.strip().startswith("Threads:")]
        made.append((key, label + (", %s threads" % threads[0] if threads else ""), mem, argv))
        cases["cs-" + key] = ["cryptsetup", "open", "--test-passphrase", img, "--key-file",
                              keyfile]
        cases["dm-" + key] = [DMBOOT, "cryptsetup", "open", "--test-passphrase", img,
                              "--key-file", keyfile]
    print("(b) unlock: key slots made by luksFormat on 32 MiB images (%.1f s):"
          % (time.perf_counter() - t0))
    for key, label, mem, argv in made:
        print("  %-40s %s" % (label, short(argv, work)))
    for label, why in skipped:
        print("  %-40s skipped: %s" % (label, why))
    if not cases:
        return 0
    t0 = time.perf_counter()
    res = runner.rounds(cases, RUNS)
    print("timed: %d rounds after one untimed, each round every command once (%.1f s)"
          % (RUNS, time.perf_counter() - t0))
    print("commands (timed):")
    for key, _, _, _ in made[:1]:
        print("  " + short(cases["cs-" + key], work))
        print("  " + short(cases["dm-" + key], work))
    print("  (and the same on %s)" % ", ".join(k + ".img" for k, _, _, _ in made[1:]))
    st = {k: stats(v) for k, v in res.items()}
    print()
    print("Unlock, wall s median and best of %d, user+sys s median, peak RSS the largest; "
          "goals dmboot/cryptsetup <= %.1f" % (RUNS, GOAL_UNLOCK))
    print("and dmboot's peak RSS <= the slot's memory + 8 MiB (reported, not enforced):")
    print("  %-44s %8s %8s %10s %10s %6s %6s" % ("slot / tool", "median s", "min s",
                                                 "user+sys s", "peak RSS", "ratio", "goal"))
    for key, label, mem, _ in made:
        print("  " + label)
        for tool in ("cs", "dm"):
            s = st[tool + "-" + key]
            limit = mem + RSS_SLACK_KIB
            extra = ""
            if tool == "dm":
                r = s["med"] / st["cs-" + key]["med"]
                extra = "%6.3f %6s" % (r, "met" if r <= GOAL_UNLOCK else "above")
            print("    %-42s %8.3f %8.3f %10.3f %10s %s   RSS %s (limit %s)" % (
                "cryptsetup" if tool == "cs" else "dmboot", s["med"], s["min"], s["cpu"],
                B.fmt_rss(s["rss"]), extra or " " * 13,
                "met" if s["rss"] <= limit else "above", B.fmt_rss(limit)))
    print()
    print("Times vary from run to run (other load, memory faults of the Argon2 area); "
          "nothing here is asserted.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
