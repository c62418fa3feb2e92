#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Discoverable Disk Image benchmarks (`make bench`, after bench_lvm.py).

Makes, in a temp dir under build/bench with its own DMBOOT_STATE_DIR, a
signed DDI with systemd-repart: an ESP, a squashfs root (a kernel and a
256 MiB random file, made by mksquashfs and copied in with CopyBlocks=),
its verity hash partition and its -verity-sig partition, signed with a key
made here.  Then, with the image warm in the page cache:
  (a) from `dmboot ddi open` (dissect, check the signature, create root) to
      the first verified block of root (`dmboot dmsetup read root --length
      4096`), against `systemd-dissect --json=short` on the same image (which
      dissects and reads the signature partition but checks nothing and maps
      nothing: it cannot without kernel dm) and `dmboot ddi inspect
      --json=short` (the same work as systemd-dissect);
  (b) a full verified read of root (`dmboot dmsetup read root`, every block
      hashed up to the signed root hash) against `dd bs=1M` of the same
      partition straight from the image (no verification).
Every command runs in its own child through bench.py's launcher, so wall
time, CPU and peak RSS are its own.  Never asserts on time; exits 1 only
when a command fails or root reads back the wrong bytes.  Needs root (repart
formats through loop devices); skips otherwise.  BENCH_RUNS=N changes the
number of timed rounds (5); BENCH_DDI_MIB the size of the random file (256).
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402  (bench.py: launcher, Runner, machine context)
from bench import DMBOOT, ROOT, CommandFailed, Runner  # noqa: E402

MiB = 1 << 20
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
DATA_MIB = int(os.environ.get("BENCH_DDI_MIB", "256"))
TOOLS = ("systemd-repart", "systemd-dissect", "mksquashfs", "openssl", "sfdisk")


def tool(name):
    for cand in (shutil.which(name), "/usr/sbin/" + name, "/sbin/" + name):
        if cand and os.path.exists(cand):
            return cand
    return None


def sh(argv, env=None, cwd=None):
    r = subprocess.run([str(a) for a in argv], capture_output=True, env=env, cwd=cwd)
    if r.returncode != 0:
        raise CommandFailed("%s: exit status %d\n%s" % (" ".join(map(str, argv)), r.returncode,
                                                       r.stderr.decode(errors="replace")))
    return r.stdout


def main():
    missing = [t for t in TOOLS if not tool(t)]
    if os.geteuid() != 0 or missing:
        print("\nbench_ddi: needs root and %s; skipping the DDI benchmarks"
              % ", ".join(missing or TOOLS), file=sys.stderr)
        return 0
    base = os.path.join(ROOT, "build", "bench")
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="ddi-", dir=base)
    env = dict(os.environ, DMBOOT_STATE_DIR=os.path.join(work, "state"), LC_ALL="C")
    env.pop("DMBOOT_DEBUG", None)
    try:
        return bench(work, env)
    except CommandFailed as e:
        print("\nbench_ddi: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        subprocess.run([DMBOOT, "dmsetup", "remove_all"], env=env, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        try:
            os.rmdir(base)
        except OSError:
            pass


def make_image(work, env):
    tree = os.path.join(work, "tree")
    os.makedirs(os.path.join(tree, "boot"))
    os.makedirs(os.path.join(tree, "usr"))
    with open(os.path.join(tree, "boot", "vmlinuz"), "wb") as f:
        f.write(os.urandom(8 * MiB))
    with open(os.path.join(tree, "data.bin"), "wb") as f:
        for _ in range(DATA_MIB // 64):
            f.write(os.urandom(64 * MiB))
    sqfs = os.path.join(work, "root.sqfs")
    sh([tool("mksquashfs"), tree, sqfs, "-noappend", "-quiet", "-noD", "-no-xattrs"])
    sh(["openssl", "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout",
        "bench.key", "-out", "bench.crt", "-subj", "/CN=dmboot-bench", "-days", "1"], cwd=work)
    defs = os.path.join(work, "repart.d")
    os.makedirs(defs)
    confs = {
        "10-esp.conf": "Type=esp\nFormat=vfat\nSizeMinBytes=2M\n",
        "20-root.conf": "Type=root\nCopyBlocks=%s\nVerity=data\nVerityMatchKey=root\n" % sqfs,
        # repart 252 does not size the hash partition itself: 32-byte digests of
        # 512-byte blocks are a sixteenth of the data, plus the upper levels.
        "30-root-verity.conf": "Type=root-verity\nVerity=hash\nVerityMatchKey=root\n"
                               "SizeMinBytes=%d\n" % (os.path.getsize(sqfs) // 15 + 2 * MiB),
        "40-root-verity-sig.conf": "Type=root-verity-sig\nVerity=signature\n"
                                   "VerityMatchKey=root\n",
    }
    for name, text in confs.items():
        with open(os.path.join(defs, name), "w") as f:
            f.write("[Partition]\n" + text)
    image = os.path.join(work, "disk.raw")
    report = json.loads(sh([tool("systemd-repart"), "--definitions", defs, "--empty=create",
                            "--size=auto", "--dry-run=no", "--private-key",
                            os.path.join(work, "bench.key"), "--certificate",
                            os.path.join(work, "bench.crt"), "--json=short", image]))
    root_hash = [p["roothash"] for p in report if p["roothash"]][0]
    return image, sqfs, root_hash


def sha256_limit(block):
    """Bytes per second `openssl speed` hashes in block-sized pieces, or None."""
    r = subprocess.run(["openssl", "speed", "-evp", "sha256", "-bytes", str(block), "-seconds",
                        "1"], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.startswith("sha256") and line.split()[-1].endswith("k"):
            return float(line.split()[-1][:-1]) * 1000
    return None


def stats(rs):
    w = [r[0] for r in rs]
    return statistics.median(w), min(w), statistics.median(r[1] for r in rs), max(r[2] for r in rs)


def bench(work, env):
    print()
    print("dmboot DDI bench: `dmboot ddi open` to the first verified read, and full verified "
          "reads, against systemd-dissect %s"
          % sh([tool("systemd-dissect"), "--version"]).decode().split()[1])
    print()
    for k, v in B.machine_context():
        print("  %-10s %s" % (k + ":", v))
    print()
    t0 = time.perf_counter()
    image, sqfs, root_hash = make_image(work, env)
    parts = json.loads(sh([tool("sfdisk"), "--json", image]))["partitiontable"]["partitions"]
    rootp = [p for p in parts if p["uuid"].lower().replace("-", "") == root_hash[:32]][0]
    print("setup: %s, %d MiB (a squashfs root of %d MiB: an 8 MiB kernel and a %d MiB random "
          "file; verity; a signature), made with systemd-repart (%.1f s)"
          % (os.path.basename(image), os.path.getsize(image) // MiB,
             os.path.getsize(sqfs) // MiB, DATA_MIB, time.perf_counter() - t0))
    os.chdir(work)
    B.warm(image)
    runner = Runner(env, work)
    cert = ["--trusted-cert", "bench.crt"]
    open_cmd = [DMBOOT, "ddi", "open", "disk.raw", *cert, "--require-signature"]
    first_cmd = [DMBOOT, "dmsetup", "read", "root", "--length", "4096"]
    close_cmd = [DMBOOT, "ddi", "close", "disk.raw"]

    # Sanity: what root reads back is the squashfs image, verified.
    sh(open_cmd, env)
    table = sh([DMBOOT, "dmsetup", "table", "root"], env).decode()
    if " sha256 %s " % root_hash not in table:
        raise CommandFailed("root is not mapped with the signed root hash: " + table)
    got = sh([DMBOOT, "dmsetup", "read", "root"], env)
    with open(sqfs, "rb") as f:
        want = f.read()
    if got[:len(want)] != want or got[len(want):].strip(b"\0"):
        raise CommandFailed("root reads back other bytes than the squashfs image")
    root_bytes = len(got)
    del got, want
    block = table.split()[7]
    sh(close_cmd, env)
    print("sanity: root reads back the squashfs image, verified (%s-byte verity blocks)" % block)

    # (a) open to first verified read, and dissection alone.
    cases = {
        "open": ("dmboot ddi open (dissect, signature, create)", [open_cmd]),
        "first": ("dmboot dmsetup read root --length 4096", [first_cmd]),
        "inspect": ("dmboot ddi inspect --json=short", [[DMBOOT, "ddi", "inspect",
                                                         "--json=short", "disk.raw", *cert]]),
        "sd": ("systemd-dissect --json=short", [[tool("systemd-dissect"), "--json=short",
                                                  "disk.raw"]]),
    }
    res = {k: [] for k in cases}
    for rnd in range(RUNS + 1):
        for k, (_, cmds) in cases.items():
            r = runner.seq(cmds)
            if rnd:
                res[k].append(r)
            if k == "first":
                sh(close_cmd, env)
    print()
    print("(a) from `ddi open` to the first verified block of root; median and best of %d runs "
          "after one untimed:" % RUNS)
    print("  %-46s %9s %9s %11s %9s" % ("command", "median ms", "best ms", "user+sys ms",
                                         "peak RSS"))
    for k, (label, _) in cases.items():
        med, best, cpu, rss = stats(res[k])
        print("  %-46s %9.1f %9.1f %11.1f %9s" % (label, 1e3 * med, 1e3 * best, 1e3 * cpu,
                                                  B.fmt_rss(rss)))
    both = [(a[0] + b[0], a[1] + b[1], max(a[2], b[2])) for a, b in zip(res["open"],
                                                                       res["first"])]
    med, best, cpu, rss = stats(both)
    print("  %-46s %9.1f %9.1f %11.1f %9s" % ("open + first verified read", 1e3 * med,
                                              1e3 * best, 1e3 * cpu, B.fmt_rss(rss)))
    sd = stats(res["sd"])
    print("  ratio systemd-dissect time / dmboot open + first verified read: %.2f "
          "(above 1: dmboot is faster)" % (sd[0] / med))
    print("  ratio systemd-dissect time / dmboot ddi inspect: %.2f" % (sd[0] /
                                                                      stats(res["inspect"])[0]))
    print("  ratio peak RSS systemd-dissect / dmboot open: %.2f"
          % (sd[3] / stats(res["open"])[3]))

    # (b) full verified read against dd of the partition.
    sh(open_cmd, env)
    dd = ["dd", "if=disk.raw", "of=/dev/null", "bs=1M", "iflag=skip_bytes,count_bytes",
          "skip=%d" % (rootp["start"] * 512), "count=%d" % root_bytes]
    rcases = {"dd": ("dd bs=1M of the root partition (unverified)", [dd]),
              "dm": ("dmboot dmsetup read root (dm-verity)",
                     [[DMBOOT, "dmsetup", "read", "root"]])}
    rres = {k: [] for k in rcases}
    for rnd in range(RUNS + 1):
        for k, (_, cmds) in rcases.items():
            r = runner.seq(cmds)
            if rnd:
                rres[k].append(r)
    sh(close_cmd, env)
    print()
    print("(b) read all of root (%d MiB), page cache warm, %d runs:" % (root_bytes // MiB, RUNS))
    for k, (label, _) in rcases.items():
        med, best, cpu, rss = stats(rres[k])
        print("  %-46s %6.2f GB/s median, %6.2f GB/s best, user+sys %.3f s, peak RSS %s"
              % (label, root_bytes / med / 1e9, root_bytes / best / 1e9, cpu, B.fmt_rss(rss)))
    print("  ratio dmboot verified / dd unverified throughput: %.3f median, %.3f best"
          % (stats(rres["dd"])[0] / stats(rres["dm"])[0],
             stats(rres["dd"])[1] / stats(rres["dm"])[1]))
    limit = sha256_limit(int(block))
    if limit:
        print("  hardware: SHA-256 of %s-byte blocks, one core (openssl speed): %.2f GB/s; "
              "dmboot reaches %.2f of it" % (block, limit / 1e9,
                                              root_bytes / stats(rres["dm"])[0] / limit))
    print("  (systemd-dissect cannot read a verity root without kernel dm: no figure for it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
