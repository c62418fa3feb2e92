#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""LVM2 benchmarks (`make bench`, after bench.py and bench_verity.py).

Makes, with lvm2 on loop devices (activation off), a VG of 2 PVs holding 50
small LVs and one 1 GiB linear LV spanning both PVs, fills the big LV's
extents with random bytes, then times:
  (a) scanning: `dmboot lvm lvs --devices A,B` against lvm2's
      `lvs --devices /dev/loopA,/dev/loopB` on the same images (both read
      every label and metadata area and print the 51 LVs);
  (b) activation: `dmboot lvm vgchange -ay` of all 51 LVs (and -an), which
      lvm2 cannot do without the kernel, reported in absolute terms;
  (c) reading the 1 GiB LV through `dmboot dmsetup read` against `dd` of the
      same extents straight from the image files (page cache warm).
Never asserts on time; exits 1 only when a command fails or the LV reads
back the wrong bytes.  Needs root for the loop devices; skips otherwise.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import bench as B
from bench import DMBOOT, ROOT, CommandFailed, Runner

MiB = 1 << 20
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
GOAL = 0.95
LVM_CONF = "global { activation = 0 } devices { use_devicesfile = 0 }"
SMALL_LVS = 50
PV_MIB = 640


def sh(argv, env=None):
    r = subprocess.run([str(a) for a in argv], capture_output=True, env=env)
    if r.returncode != 0:
        raise CommandFailed("%s: exit status %d\n%s" % (" ".join(map(str, argv)), r.returncode,
                                                       r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def main():
    if os.geteuid() != 0 or not shutil.which("losetup") or not (
            shutil.which("lvm") or os.path.exists("/usr/sbin/lvm")):
        print("\nbench_lvm: needs root, losetup and lvm2; skipping the LVM benchmarks",
              file=sys.stderr)
        return 0
    base = os.path.join(ROOT, "build", "bench")
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="lvm-", dir=base)
    env = dict(os.environ, DMBOOT_STATE_DIR=os.path.join(work, "state"), LC_ALL="C",
               LVM_SUPPRESS_FD_WARNINGS="1")
    loops = []
    try:
        return bench(work, env, loops)
    except CommandFailed as e:
        print("\nbench_lvm: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        for loop in loops:
            subprocess.run(["losetup", "-d", loop], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
        try:
            os.rmdir(base)
        except OSError:
            pass


def bench(work, env, loops):
    lvm = shutil.which("lvm") or "/usr/sbin/lvm"
    print()
    print("dmboot LVM bench: `dmboot lvm` against lvm2 %s on loop devices"
          % sh([lvm, "version"]).split("\n")[0].split()[2])
    print()
    for k, v in B.machine_context():
        print("  %-10s %s" % (k + ":", v))
    print()
    imgs = [os.path.join(work, n) for n in ("pv0.img", "pv1.img")]
    for img in imgs:
        with open(img, "wb") as f:
            f.truncate(PV_MIB * MiB)
        loops.append(sh(["losetup", "-f", "--show", img]).strip())
    devs = ",".join(loops)

    def lvm_cmd(*args):
        return sh([lvm, args[0], "--config", LVM_CONF, "--devices", devs, *args[1:]], env)

    t0 = time.perf_counter()
    lvm_cmd("pvcreate", *loops)
    lvm_cmd("vgcreate", "-s", "4m", "benchvg", *loops)
    for i in range(SMALL_LVS):
        lvm_cmd("lvcreate", "-an", "-Zn", "-L", "4m", "-n", "lv%02d" % i, "benchvg",
                loops[i % 2])
    free0 = int(float(lvm_cmd("pvs", "--noheadings", "--units", "m", "--nosuffix", "-o",
                              "pv_free", loops[0])))
    lvm_cmd("lvcreate", "-an", "-Zn", "-L", "%dm" % free0, "-n", "big", "benchvg", loops[0])
    lvm_cmd("lvextend", "-L", "1g", "benchvg/big", loops[1])
    layout = json.loads(lvm_cmd("lvs", "--segments", "--reportformat", "json", "--units", "b",
                                "--nosuffix", "-o", "seg_start,seg_size,seg_pe_ranges",
                                "benchvg/big"))["report"][0]["seg"]
    pe_start = {r["pv_name"]: int(r["pe_start"]) for r in json.loads(
        lvm_cmd("pvs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o",
                "pv_name,pe_start"))["report"][0]["pv"]}
    print("setup: 2 PVs of %d MiB, VG benchvg (4 MiB extents), %d LVs of 4 MiB and big (1 GiB "
          "over both PVs, %d segments) made with lvm2 (%.1f s)"
          % (PV_MIB, SMALL_LVS, len(layout), time.perf_counter() - t0))

    # The big LV's extents: (image, byte offset, length) in LV order.
    pieces = []
    for seg in layout:
        dev, rng = seg["seg_pe_ranges"].rsplit(":", 1)
        first = int(rng.split("-")[0])
        img = imgs[loops.index(dev)]
        pieces.append((img, pe_start[dev] + first * 4 * MiB, int(seg["seg_size"])))
    block = os.urandom(64 * MiB)
    for img, off, n in pieces:
        with open(img, "r+b") as f:
            f.seek(off)
            done = 0
            while done < n:
                k = min(len(block), n - done)
                f.write(block[:k])
                done += k
    del block

    runner = Runner(env, work)
    d = ["--devices", ",".join(os.path.basename(i) for i in imgs)]
    scan_cases = {
        "lvs-lvm2": ("lvm2 lvs (2 loop devices)", [[lvm, "lvs", "--config", LVM_CONF,
                                                     "--devices", devs]]),
        "lvs-dm": ("dmboot lvm lvs (2 image files)", [[DMBOOT, "lvm", "lvs", *d]]),
    }
    os.chdir(work)
    res = {k: [] for k in scan_cases}
    for _, cmds in scan_cases.values():
        runner.seq(cmds)
    for _ in range(RUNS):
        for k, (_, cmds) in scan_cases.items():
            res[k].append(runner.seq(cmds))
    act, deact = [], []
    for _ in range(RUNS):
        act.append(runner.one([DMBOOT, "lvm", "vgchange", "-ay", "benchvg", *d]))
        deact.append(runner.one([DMBOOT, "lvm", "vgchange", "-an", "benchvg"]))

    print()
    print("(a) scan and report 51 LVs, median and best of %d runs:" % RUNS)
    print("  %-40s %9s %9s %10s %9s" % ("command", "median ms", "best ms", "user+sys ms",
                                         "peak RSS"))
    for k, (label, _) in scan_cases.items():
        w = [r[0] for r in res[k]]
        print("  %-40s %9.1f %9.1f %10.1f %9s" % (
            label, 1e3 * statistics.median(w), 1e3 * min(w),
            1e3 * statistics.median(r[1] for r in res[k]), B.fmt_rss(max(r[2] for r in res[k]))))
    ratio = statistics.median(r[0] for r in res["lvs-lvm2"]) / \
        statistics.median(r[0] for r in res["lvs-dm"])
    print("  ratio lvm2 time / dmboot time: %.2f (above 1: dmboot is faster)" % ratio)
    print()
    print("(b) dmboot lvm vgchange -ay benchvg (51 devices created and recorded), -an:")
    for label, rs in (("vgchange -ay", act), ("vgchange -an", deact)):
        w = [r[0] for r in rs]
        print("  %-40s %9.1f ms median, %.1f ms best, peak RSS %s"
              % (label, 1e3 * statistics.median(w), 1e3 * min(w),
                 B.fmt_rss(max(r[2] for r in rs))))

    # (c) read throughput of the big LV against dd of the same extents.
    sh([DMBOOT, "lvm", "lvchange", "-ay", "benchvg/big", *d], env)
    for img in imgs:
        B.warm(img)
    got = subprocess.run([DMBOOT, "dmsetup", "read", "benchvg-big", "--offset",
                          str(pieces[0][2] - 3 * MiB), "--length", str(6 * MiB)],
                         capture_output=True, env=env).stdout
    want = B.read_range(pieces[0][0], pieces[0][1] + pieces[0][2] - 3 * MiB, 3 * MiB) + \
        B.read_range(pieces[1][0], pieces[1][1], 3 * MiB)
    if got != want:
        raise CommandFailed("benchvg-big reads back the wrong bytes across its segments")
    dd_cmds = [["dd", "if=" + img, "of=/dev/null", "bs=1M", "iflag=skip_bytes,count_bytes",
                "skip=%d" % off, "count=%d" % n] for img, off, n in pieces]
    read_cases = {"dd": ("dd bs=1M of the LV's extents", dd_cmds),
                  "dm": ("dmboot dmsetup read benchvg-big",
                         [[DMBOOT, "dmsetup", "read", "benchvg-big"]])}
    rres = {k: [] for k in read_cases}
    for _, cmds in read_cases.values():
        runner.seq(cmds)
    for _ in range(RUNS):
        for k, (_, cmds) in read_cases.items():
            rres[k].append(runner.seq(cmds))
    total = sum(p[2] for p in pieces)
    print()
    print("(c) read the 1 GiB LV (2 segments on 2 PVs), page cache warm, %d runs:" % RUNS)
    for k, (label, _) in read_cases.items():
        w = [r[0] for r in rres[k]]
        print("  %-40s %6.2f GB/s median, %6.2f GB/s best, user+sys %.3f s, peak RSS %s"
              % (label, total / statistics.median(w) / 1e9, total / min(w) / 1e9,
                 statistics.median(r[1] for r in rres[k]), B.fmt_rss(max(r[2] for r in rres[k]))))
    rmed = statistics.median(r[0] for r in rres["dd"]) / statistics.median(r[0] for r in rres["dm"])
    rbest = min(r[0] for r in rres["dd"]) / min(r[0] for r in rres["dm"])
    print("  ratio dmboot / dd throughput: %.3f median, %.3f best (goal >= %.2f: %s)"
          % (rmed, rbest, GOAL, "met" if rmed >= GOAL else "below"))
    sh([DMBOOT, "lvm", "vgchange", "-an", "benchvg"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
