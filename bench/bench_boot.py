#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`dmboot boot` benchmarks (`make bench`, after bench_ddi.py).

Builds, in a temp dir under build/bench with its own DMBOOT_STATE_DIR, the boot
layout of issue 12 with 8 good images (tests/e2e/boot_layout.py --images 8:
a GPT disk whose LVM partition holds VG `internal`, one LV per signed
systemd-repart image os_1.0.0 ... os_1.0.7, plus a data and a swap LV).  Then,
with disk.img warm in the page cache, against the Linux tools doing the same
work where they can:
  (a) `dmboot boot list` (scan the VG, dissect every image LV, check each
      signature and top hash block) against lvm2 `lvs` (activation off, on a
      read-only loop device over the LVM partition), `systemd-dissect
      --json=short` on each image LV and `veritysetup verify` of each image's
      root against its hash tree;
  (b) `dmboot boot open` to the first verified read of root (`dmboot dmsetup
      read root --length 4096`), then `boot close`, against `lvs`,
      systemd-dissect and `veritysetup verify` for the one image open chooses
      (`lvs` stands in for lvm2's activation, which needs kernel dm), with the
      fixed cost of one dmboot command (`dmboot dmsetup version`) for scale.
Without kernel dm, systemd-dissect and veritysetup cannot reach an LV: each
gets loop devices over the LV's byte range in disk.img (`losetup -o OFFSET
--sizelimit`, partition scanning on) and over its root and hash partitions,
set up before the timed runs.  That works for the single-segment LVs; the
first LV has two segments, so its bytes are copied to a file beforehand and
the loop devices sit on the copy.  Neither setup is timed: the Linux side is
charged nothing for reaching the LVs.
Every command runs in its own child through bench.py's launcher, so wall
time, CPU and peak RSS are its own.  Never asserts on time; exits 1 only when
a command fails or a tool gives another answer than the layout says.  Needs
root (loop devices); skips otherwise.  BENCH_RUNS=N changes the number of
timed rounds (5).
"""

import json
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
from bench import DMBOOT, ROOT, CommandFailed, Runner  # noqa: E402

MiB = 1 << 20
SECTOR = 512
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
IMAGES = 8
GOAL_RATIO = 3.0
GOAL_OPEN_MS = 50.0
LVM_CONF = "global { activation = 0 } devices { use_devicesfile = 0 }"
LAYOUT = os.path.join(ROOT, "tests", "e2e", "boot_layout.py")
TOOLS = ("lvm", "losetup", "sfdisk", "systemd-repart", "systemd-dissect", "veritysetup",
         "mksquashfs", "mkswap", "mkfs.ext4", "mkfs.vfat", "openssl")


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


class Loops:
    """Read-only loop devices, detached in the order they were made."""

    def __init__(self):
        self.devs = []

    def add(self, path, offset, size, scan=False):
        argv = [tool("losetup"), "-f", "--show", "-r", "-o", offset, "--sizelimit", size]
        dev = sh(argv + (["-P"] if scan else []) + [path]).decode().strip()
        self.devs.append(dev)
        return dev

    def detach(self):
        for dev in reversed(self.devs):
            subprocess.run([tool("losetup"), "-d", dev], capture_output=True)
        self.devs = []


def main():
    missing = [t for t in TOOLS if not tool(t)]
    if os.geteuid() != 0 or missing:
        print("\nbench_boot: needs root and %s; skipping the boot benchmarks"
              % ", ".join(missing or TOOLS), file=sys.stderr)
        return 0
    base = os.path.join(ROOT, "build", "bench")
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="boot-", dir=base)
    env = dict(os.environ, DMBOOT_STATE_DIR=os.path.join(work, "state"), LC_ALL="C",
               LVM_SUPPRESS_FD_WARNINGS="1")
    env.pop("DMBOOT_DEBUG", None)
    env.pop("LANG", None)
    loops = Loops()
    os.chdir(work)                        # bench_ddi.py leaves a removed directory current
    try:
        return bench(work, env, loops)
    except CommandFailed as e:
        print("\nbench_boot: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        os.chdir(ROOT)
        subprocess.run([DMBOOT, "dmsetup", "remove_all"], env=env, capture_output=True)
        loops.detach()
        shutil.rmtree(work, ignore_errors=True)
        try:
            os.rmdir(base)
        except OSError:
            pass


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[:3]
    except OSError:
        return ["unknown"]


def lv_bytes(lay, lv):
    out = bytearray()
    with open(os.path.join(lay, "disk.img"), "rb") as f:
        for s in lv["segments"]:
            f.seek(s["disk_sector"] * SECTOR)
            out += f.read(s["sectors"] * SECTOR)
    return bytes(out)


def partition(lv, suffix):
    return [p for p in lv["partitions"]
            if p["type"] == "root-%s%s" % (lv["architecture"], suffix)][0]


def image_loops(lay, lv, loops):
    """(LV device, root device, hash device, where): loop devices for the Linux tools."""
    if len(lv["segments"]) == 1:
        path, base = os.path.join(lay, "disk.img"), lv["segments"][0]["disk_sector"] * SECTOR
        where = "disk.img"
    else:
        path, base = os.path.join(lay, lv["name"] + ".lv"), 0
        with open(path, "wb") as f:
            f.write(lv_bytes(lay, lv))
        where = "a copy"
    dev = loops.add(path, base, lv["lv_sectors"] * SECTOR, scan=True)
    root, tree = partition(lv, ""), partition(lv, "-verity")
    return (dev, loops.add(path, base + root["offset"], root["bytes"]),
            loops.add(path, base + tree["offset"], tree["bytes"]), where)


def check_linux(lay, layout, images, devs, pv, env):
    """lvm2, systemd-dissect and veritysetup give the answers the layout says."""
    names = sorted(lv["name"] for lv in layout["lvs"])
    out = sh([tool("lvm"), "lvs", "--config", LVM_CONF, "--devices", pv, "--noheadings",
              "-o", "lv_name"], env).decode()
    if sorted(out.split()) != names:
        raise CommandFailed("lvs lists %s, not %s" % (out.split(), names))
    for lv in images:
        dev, root, tree, _ = devs[lv["name"]]
        got = json.loads(sh([tool("systemd-dissect"), "--json=short", dev], env))
        rows = {m["designator"]: m for m in got["mounts"]}
        want = (lv["root_partuuid"], "signed", "IMAGE_VERSION=" + lv["version"])
        have = (rows.get("root", {}).get("partition_uuid"), rows.get("root", {}).get("verity"),
                [r for r in got["osRelease"] if r.startswith("IMAGE_VERSION=")][0])
        if have != want or "root-verity-sig" not in rows:
            raise CommandFailed("systemd-dissect on %s: %s, not %s" % (lv["name"], have, want))
        sh([tool("veritysetup"), "verify", root, tree, lv["root_hash"]], env)


def check_dmboot(lay, images, newest, env):
    """boot list orders every image newest first and bootable; open maps the newest."""
    cert = ["--trusted-cert", "trusted.crt"]
    got = json.loads(sh([DMBOOT, "boot", "list", "--devices", "disk.img", *cert, "--json"],
                        env))["images"]
    have = [(i["name"], i["roothash"], i["signature"], i["bootable"]) for i in got]
    want = [(lv["name"], lv["root_hash"], "verified", True)
            for lv in reversed(images)]
    if have != want:
        raise CommandFailed("boot list: %s, not %s" % (have, want))
    sh([DMBOOT, "boot", "open", "--devices", "disk.img", *cert], env)
    table = sh([DMBOOT, "dmsetup", "table", "root"], env).decode()
    if " sha256 %s " % newest["root_hash"] not in table:
        raise CommandFailed("root is not mapped with %s's root hash: %s"
                            % (newest["name"], table))
    first = sh([DMBOOT, "dmsetup", "read", "root", "--length", "4096"], env)
    root = partition(newest, "")
    if first != lv_bytes(lay, newest)[root["offset"]:root["offset"] + 4096] \
            or first[:4] != b"hsqs":
        raise CommandFailed("root's first block is not %s's squashfs" % newest["name"])
    sh([DMBOOT, "boot", "close"], env)
    left = sh([DMBOOT, "dmsetup", "ls"], env).decode()
    if left.strip() != "No devices found":
        raise CommandFailed("boot close left devices: " + left)


def stats(rs):
    w = [r[0] for r in rs]
    return statistics.median(w), min(w), statistics.median(r[1] for r in rs), max(r[2] for r in rs)


def total(res, keys):
    """Per round: the commands of keys one after another (wall, CPU summed; peak RSS)."""
    return [(sum(res[k][i][0] for k in keys), sum(res[k][i][1] for k in keys),
             max(res[k][i][2] for k in keys)) for i in range(RUNS)]


def row(label, rs):
    med, best, cpu, rss = stats(rs)
    print("  %-54s %9.1f %9.1f %11.1f %9s" % (label, 1e3 * med, 1e3 * best, 1e3 * cpu,
                                              B.fmt_rss(rss)))


def ratio(label, linux, dmb):
    lm, lb, lc, lr = stats(linux)
    dm, db, dc, dr = stats(dmb)
    r = lm / dm
    print("  %-44s %7.1f x median, %7.1f x best, CPU %6.1f x, peak RSS %5.2f x  %s"
          % (label, r, lb / db, lc / dc if dc > 0 else float("nan"), lr / dr,
             "met" if r >= GOAL_RATIO else "below"))


def bench(work, env, loops):
    print()
    print("dmboot boot bench: `dmboot boot list` and `boot open` to the first verified read, "
          "on %d image LVs, against lvm2 %s, systemd-dissect %s and veritysetup %s" % (
              IMAGES, sh([tool("lvm"), "version"]).decode().split()[2],
              sh([tool("systemd-dissect"), "--version"]).decode().split()[1],
              sh([tool("veritysetup"), "--version"]).decode().split()[1]))
    print()
    for k, v in B.machine_context():
        print("  %-10s %s" % (k + ":", v))
    print("  %-10s %s (1, 5, 15 min; wall times stretch when it is above nproc)"
          % ("load:", " ".join(loadavg())))
    print()
    lay = os.path.join(work, "layout")
    t0 = time.perf_counter()
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    sh([python, LAYOUT, lay, "--images", str(IMAGES)], env)  # boot_layout needs its pytest
    with open(os.path.join(lay, "layout.json")) as f:
        layout = json.load(f)
    images = [lv for lv in layout["lvs"] if lv["image_lv"]]
    newest = images[-1]                   # os_1.0.0 ... os_1.0.7, made oldest first
    split = [lv["name"] for lv in images if len(lv["segments"]) > 1]
    print("setup: disk.img, %d MiB: GPT, ESP, backup ESP, LVM partition with VG %s "
          "(%d MiB extents): %d signed image LVs of %d MiB (%s in more than one segment), "
          "data and swap; made by lvm2 and systemd-repart (%.1f s)"
          % (layout["disk_bytes"] // MiB, layout["vg"]["name"],
             layout["vg"]["extent_sectors"] * SECTOR // MiB, len(images),
             images[0]["lv_sectors"] * SECTOR // MiB, ", ".join(split) or "none",
             time.perf_counter() - t0))
    os.chdir(lay)

    pvp = [p for p in layout["gpt"]["partitions"]
           if p["start"] == layout["pv"]["start_sector"]][0]
    pv = loops.add("disk.img", pvp["start"] * SECTOR, pvp["size"] * SECTOR)
    devs = {lv["name"]: image_loops(lay, lv, loops) for lv in images}
    print("loop devices (untimed, no kernel dm): the LVM partition for lvs; per image LV one "
          "over its range of disk.img")
    print("  with partition scanning for systemd-dissect, and one each over its root and hash "
          "partitions for veritysetup;")
    for lv in images:
        if devs[lv["name"]][3] != "disk.img":
            print("  %s has %d segments, which one loop device cannot map: its loop devices "
                  "sit on a copy of its bytes" % (lv["name"], len(lv["segments"])))
    B.warm("disk.img")
    check_linux(lay, layout, images, devs, pv, env)
    check_dmboot(lay, images, newest, env)
    print("sanity: lvs lists every LV; systemd-dissect finds each image's signed root and "
          "version; veritysetup verifies")
    print("  each tree; boot list gives all %d newest first, verified and bootable; boot open "
          "maps %s," % (len(images), newest["name"]))
    print("  whose first verified block is its squashfs; boot close removes everything")

    cert = ["--trusted-cert", "trusted.crt"]
    cases = {
        "list": [DMBOOT, "boot", "list", "--devices", "disk.img", *cert],
        "lvs": [tool("lvm"), "lvs", "--config", LVM_CONF, "--devices", pv],
    }
    for lv in images:
        dev, root, tree, _ = devs[lv["name"]]
        cases["sd " + lv["name"]] = [tool("systemd-dissect"), "--json=short", dev]
        cases["vs " + lv["name"]] = [tool("veritysetup"), "verify", root, tree, lv["root_hash"]]
    cases.update({
        "open": [DMBOOT, "boot", "open", "--devices", "disk.img", *cert],
        "first": [DMBOOT, "dmsetup", "read", "root", "--length", "4096"],
        "close": [DMBOOT, "boot", "close"],
        # The fixed cost of any dmboot command: process start, libcrypto, no work.
        "fixed": [DMBOOT, "dmsetup", "version"],
    })
    print("commands (the Linux tools' one per image LV shown for %s):" % newest["name"])
    for k in ("list", "open", "first", "close", "lvs", "sd " + newest["name"],
              "vs " + newest["name"]):
        print("  " + shlex.join(os.path.basename(a) if a.startswith("/") and
                                not a.startswith("/dev/") else a for a in cases[k]))
    runner = Runner(env, work)
    t0 = time.perf_counter()
    res = runner.rounds(cases, RUNS)
    print("timed: %d rounds after one untimed, each round every command once, in order "
          "(%.1f s)" % (RUNS, time.perf_counter() - t0))
    report(res, images, newest, runner)
    return 0


def report(res, images, newest, runner):
    sds = ["sd " + lv["name"] for lv in images]
    vss = ["vs " + lv["name"] for lv in images]
    lin_list = total(res, ["lvs"] + sds + vss)
    lin_open = total(res, ["lvs", "sd " + newest["name"], "vs " + newest["name"]])
    dm_open = total(res, ["open", "first"])
    print()
    print("Wall ms median and best of %d rounds, user+sys ms the median, peak RSS the largest "
          "ru_maxrss%s:" % (RUNS, "" if runner.launcher else " (an upper bound: no launcher)"))
    print("  %-54s %9s %9s %11s %9s" % ("command", "median ms", "best ms", "user+sys ms",
                                         "peak RSS"))
    print("(a) list the %d images" % len(images))
    row("dmboot boot list", res["list"])
    row("lvm lvs (activation off)", res["lvs"])
    row("systemd-dissect --json=short, all %d (sum)" % len(images), total(res, sds))
    row("veritysetup verify, all %d (sum)" % len(images), total(res, vss))
    row("Linux tools: lvs + %d dissect + %d verify" % (len(images), len(images)), lin_list)
    print("(b) open %s and read its first verified block" % newest["name"])
    row("dmboot boot open", res["open"])
    row("dmboot dmsetup read root --length 4096", res["first"])
    row("dmboot open + first verified read", dm_open)
    row("dmboot boot close (not in the sums)", res["close"])
    row("dmboot dmsetup version (a command's fixed cost)", res["fixed"])
    row("systemd-dissect --json=short %s" % newest["name"], res["sd " + newest["name"]])
    row("veritysetup verify %s" % newest["name"], res["vs " + newest["name"]])
    row("Linux tools: lvs + dissect + verify", lin_open)
    print()
    print("Ratios, Linux tools / dmboot (goal >= %.0f x: reported, not enforced):" % GOAL_RATIO)
    ratio("(a) boot list", lin_list, res["list"])
    ratio("(b) boot open + first verified read", lin_open, dm_open)
    med = stats(dm_open)[0] * 1e3
    print("  boot open + first verified read: %.1f ms median (boot open alone %.1f ms); goal "
          "below %.0f ms: %s" % (med, stats(res["open"])[0] * 1e3, GOAL_OPEN_MS,
                                 "met" if med < GOAL_OPEN_MS else "below"))
    print()
    print("The Linux tools do less than dmboot: systemd-dissect reads the signature partition "
          "but checks")
    print("nothing, and veritysetup verify checks the tree but not the signature (the kernel "
          "keyring does")
    print("that at open, which needs dm); veritysetup verify hashes all of root (%d MiB) "
          "where dmboot"
          % (partition(newest, "")["bytes"] // MiB))
    print("checks the top hash block at list and each block as it is read.  lvs stands in "
          "for lvm2's")
    print("activation, and the loop devices the tools need without kernel dm are not timed.  "
          "disk.img is")
    print("in the page cache; times vary from run to run and nothing here is asserted.")


if __name__ == "__main__":
    sys.exit(main())
