#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""What each feature of lib/ costs in code: build subsets of lib/sources.mk
freestanding with -Os -ffunction-sections for x86-64 and for 32-bit ARM
(Thumb-2, armv7-a), link each with --gc-sections keeping every public
function the subset defines, and print .text + .rodata (docs/porting.md §9).

Every subset must also link on its own: its undefined symbols may only be
the port's (plus, on ARM, the 32-bit division helpers every ARM bootloader
ships).  What a bootloader links to map a verity root from its table (core,
linear and verity, kept from the calls it makes) must stay within its
budget on ARM; both failures exit 1.

    scripts/text-size.py [--budget-kib N] [--markdown]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PORT_SYMS = {"dmb_port_fatal", "dmb_port_free", "dmb_port_log", "dmb_port_malloc",
             "memcmp", "memcpy", "memmove", "memset"}
ARM32_DIV = {"__aeabi_uidiv", "__aeabi_uidivmod", "__aeabi_idiv", "__aeabi_idivmod"}

ARCHES = {
    # name: (compiler prefix, extra flags, extra allowed symbols)
    "x86-64": ("", ["-mno-red-zone", "-mgeneral-regs-only"], set()),
    "arm32-thumb2": ("arm-linux-gnueabihf-", ["-mthumb", "-march=armv7-a", "-mfloat-abi=soft"],
                     ARM32_DIV),
}

TARGET_MACROS = ["STRIPED", "ZERO", "ERROR", "VERITY", "SNAPSHOT", "CRYPT"]

CORE = ["DMBOOT_BASE_CORE_SRCS", "DMBOOT_CORE_SRCS", "DMBOOT_TARGET_LINEAR_SRCS"]
VERITY = ["DMBOOT_VERITY_CHECK_SRCS", "DMBOOT_TARGET_VERITY_SRCS"]
VERITY_NOFEC = ["DMBOOT_VERITY_CHECK_NOFEC_SRCS", "DMBOOT_TARGET_VERITY_NOFEC_SRCS"]
SIMPLE = ["DMBOOT_TARGET_STRIPED_SRCS", "DMBOOT_TARGET_ZERO_SRCS", "DMBOOT_TARGET_ERROR_SRCS"]
ALL_TARGETS = ["DMBOOT_BASE_CORE_SRCS", "DMBOOT_CORE_SRCS", "DMBOOT_VERITY_CHECK_SRCS",
               "DMBOOT_TARGET_SRCS", "DMBOOT_CONCISE_SRCS"]

# What a bootloader calls to map a verity root from its table and read it.
BOOT_PATH = ["dmb_table_parse", "dmb_dev_create", "dmb_dev_bdev", "dmb_bdev_read_bytes",
             "dmb_dev_destroy", "dmb_table_destroy", "dmb_strerror", "dmb_ctx_message"]
BOOT_PATH_OPEN = ["dmb_verity_open"] + BOOT_PATH[2:]

# (name, source lists, targets built in besides linear[, the only roots kept])
SUBSETS = [
    ("core + linear", CORE, []),
    ("core + linear + verity (no FEC)", CORE + VERITY_NOFEC, ["VERITY"]),
    ("core + linear + verity", CORE + VERITY, ["VERITY"]),
    ("  its boot path: a verity table parsed, mapped, read", CORE + VERITY, ["VERITY"], BOOT_PATH),
    ("  the same through dmb_verity_open()", CORE + VERITY + ["DMBOOT_FORMAT_VERITY_READ_SRCS"],
     ["VERITY"], BOOT_PATH_OPEN),
    ("core + linear + verity + dmb_verity_open()", CORE + VERITY + ["DMBOOT_FORMAT_VERITY_READ_SRCS"],
     ["VERITY"]),
    ("+ striped, zero, error", CORE + VERITY + SIMPLE, ["VERITY", "STRIPED", "ZERO", "ERROR"]),
    ("+ snapshot", CORE + VERITY + SIMPLE + ["DMBOOT_TARGET_SNAPSHOT_SRCS"],
     ["VERITY", "STRIPED", "ZERO", "ERROR", "SNAPSHOT"]),
    ("+ concise tables (dm-mod.create=)", CORE + VERITY + SIMPLE + ["DMBOOT_TARGET_SNAPSHOT_SRCS",
     "DMBOOT_CONCISE_SRCS"], ["VERITY", "STRIPED", "ZERO", "ERROR", "SNAPSHOT"]),
    ("+ crypt: every target", ALL_TARGETS, TARGET_MACROS),
    ("every target + verity superblock", ALL_TARGETS + ["DMBOOT_FORMAT_VERITY_READ_SRCS"], TARGET_MACROS),
    ("every target + GPT/MBR", ALL_TARGETS + ["DMBOOT_BASE_SRCS", "DMBOOT_FORMAT_PART_SRCS"], TARGET_MACROS),
    ("every target + LVM2", ALL_TARGETS + ["DMBOOT_BASE_SRCS", "DMBOOT_FORMAT_LVM_SRCS"], TARGET_MACROS),
    ("every target + LUKS1/LUKS2", ALL_TARGETS + ["DMBOOT_BASE_SRCS", "DMBOOT_FORMAT_LUKS_SRCS"], TARGET_MACROS),
    ("every target + DDI", ALL_TARGETS + ["DMBOOT_BASE_SRCS", "DMBOOT_FORMAT_PART_SRCS",
     "DMBOOT_FORMAT_VERITY_READ_SRCS", "DMBOOT_FORMAT_DDI_SRCS"], TARGET_MACROS),
    ("the bootloader subset (DMBOOT_BOOTLOADER_SRCS)", ["DMBOOT_BOOTLOADER_SRCS"], TARGET_MACROS),
    ("all of lib/ (DMBOOT_LIB_SRCS)", ["DMBOOT_LIB_SRCS"], TARGET_MACROS),
]
BUDGET_SUBSET = "  its boot path: a verity table parsed, mapped, read"
BUDGET_ARCH = "arm32-thumb2"


def make_list(var):
    mk = "include lib/sources.mk\nall:\n\t@echo $(%s)\n" % var
    out = subprocess.run(["make", "-s", "-f", "-"], input=mk, text=True, cwd=ROOT,
                         check=True, capture_output=True).stdout
    return out.split()


def sources(lists):
    seen = []
    for var in lists:
        for s in make_list(var):
            if s not in seen:
                seen.append(s)
    return seen


def run(cmd):
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode:
        sys.exit("text-size: %s failed:\n%s" % (" ".join(cmd[:3]), r.stderr))
    return r.stdout


def measure(arch, prefix, flags, allowed, srcs, targets, keep, work):
    cc = prefix + "gcc" if prefix else os.environ.get("CC", "cc")
    inc = run([cc, "-print-file-name=include"]).strip()
    defines = ["-DDMBOOT_WITHOUT_" + t for t in TARGET_MACROS if t not in targets]
    objs = []
    for s in srcs:
        o = os.path.join(work, s.replace("/", "_") + ".o")
        run([cc, "-std=c11", "-Os", "-ffreestanding", "-nostdinc", "-isystem", inc, "-Iinclude",
             "-fno-stack-protector", "-fno-pic", "-ffunction-sections", "-fdata-sections",
             "-Wall", "-Wextra", "-Werror"] + flags + defines + ["-c", "lib/" + s, "-o", o])
        objs.append(o)
    rel = os.path.join(work, "subset.o")
    run([prefix + "ld", "-r", "-o", rel] + objs)
    undef = set(run([prefix + "nm", "-u", rel]).split()) - {"U"}
    extra = sorted(undef - PORT_SYMS - allowed)
    roots = keep or sorted({line.split()[2] for line in run([prefix + "nm", "-g", "--defined-only", rel])
                    .splitlines() if len(line.split()) == 3 and line.split()[2].startswith("dmb_")})
    exe = os.path.join(work, "subset.elf")
    cmd = [prefix + "ld", "--gc-sections", "-e", "0", "--unresolved-symbols=ignore-all", "-o", exe]
    for r in roots:
        cmd += ["-u", r]
    run(cmd + [rel])
    sizes = {}
    for line in run([prefix + "size", "-A", exe]).splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] in (".text", ".rodata") and f[1].isdigit():
            sizes[f[0]] = int(f[1])
    for o in objs + [rel, exe]:
        os.unlink(o)
    return sizes.get(".text", 0) + sizes.get(".rodata", 0), extra


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget-kib", type=float, default=24.0)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    arches = {}
    for name, (prefix, flags, allowed) in ARCHES.items():
        if prefix and not shutil.which(prefix + "gcc"):
            print("text-size: %sgcc not installed; %s skipped" % (prefix, name))
            continue
        arches[name] = (prefix, flags, allowed)
    table = []
    failed = False
    with tempfile.TemporaryDirectory() as work:
        for name, lists, targets, *keep in SUBSETS:
            srcs = sources(lists)
            row = [name]
            for arch, (prefix, flags, allowed) in arches.items():
                size, extra = measure(arch, prefix, flags, allowed, srcs, targets,
                                      keep[0] if keep else None, work)
                if extra:
                    print("text-size: %s on %s needs %s, outside the port" %
                          (name, arch, " ".join(extra)), file=sys.stderr)
                    failed = True
                if name == BUDGET_SUBSET and arch == BUDGET_ARCH and size > a.budget_kib * 1024:
                    print("text-size: %s on %s is %.1f KiB, above its budget of %.1f KiB" %
                          (name, arch, size / 1024, a.budget_kib), file=sys.stderr)
                    failed = True
                row.append("%.1f" % (size / 1024))
            table.append(row)
    head = ["subset (.text + .rodata, KiB, -Os, gc-sections)"] + list(arches)
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|---|" + "---:|" * len(arches))
        for row in table:
            print("| " + " | ".join(row) + " |")
    else:
        w = max(len(r[0]) for r in table + [head])
        for row in [head] + table:
            print(row[0].ljust(w) + "".join(c.rjust(14) for c in row[1:]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
