#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Build the kernel suite's VM: Debian's own kernel and a small initramfs.

The kernel is the one Debian's linux-image-amd64 depends on today; its package
is fetched with `apt-get download`, unpacked with `dpkg -x`, and the modules
the suite loads (device-mapper, virtio, crypto, squashfs, erofs) are copied
into an initramfs with busybox-static and the real dmsetup, veritysetup,
cryptsetup and lvm (with the libraries ldd names).  Everything is cached
under build/kernel/<kernel version>/: a second run with the same kernel
version does nothing and prints the paths.  The script installs nothing
itself: a missing tool is an error naming `make deps`.

Usage: build_vm.py [--print]   (prints "VERSION VMLINUZ INITRD" on success)
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "kernel"
STAMP = "complete"
FORMAT = "3"   # bump when the initramfs layout changes: the cache is rebuilt

TOOLS = ("apt-get", "apt-cache", "dpkg", "depmod", "cpio", "gzip", "ldd", "qemu-system-x86_64")
BUSYBOX = "/bin/busybox"
GUEST_PROGRAMS = ("dmsetup", "veritysetup", "cryptsetup", "lvm")
MODULE_DIRS = ("kernel/drivers/md", "kernel/crypto", "kernel/arch/x86/crypto", "kernel/lib",
               "kernel/drivers/block", "kernel/drivers/virtio", "kernel/fs/squashfs",
               "kernel/fs/erofs")
MODULES = ("crc32c_generic", "libcrc32c", "virtio_pci", "virtio_blk", "dm-mod", "dm-zero",
           "dm-verity", "dm-crypt", "dm-snapshot", "dm-thin-pool", "af_alg", "algif_skcipher",
           "algif_hash", "ecb", "xts", "aes_generic", "sha256_generic", "sha512_generic",
           "sha1_generic", "cbc", "essiv", "squashfs", "erofs")


class BuildError(Exception):
    """The VM cannot be built; the message says why and what to do."""


def which(name):
    for cand in (shutil.which(name), "/usr/sbin/" + name, "/sbin/" + name):
        if cand and Path(cand).exists():
            return cand
    return None


def run(args, **kw):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        raise BuildError("%s failed (%d): %s" % (" ".join(map(str, args)), p.returncode,
                                                 p.stderr.strip()[-2000:]))
    return p.stdout


def check_tools():
    missing = [t for t in TOOLS if which(t) is None]
    missing += [p for p in GUEST_PROGRAMS if which(p) is None]
    if not Path(BUSYBOX).exists() or "=>" in subprocess.run(
            ["ldd", BUSYBOX], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout:
        missing.append("busybox-static")
    if missing:
        raise BuildError("missing: %s (run `make deps`)" % ", ".join(missing))


def kernel_package():
    """The linux-image-<version> package linux-image-amd64 depends on now, or None."""
    try:
        out = run(["apt-cache", "depends", "linux-image-amd64"])
    except BuildError:
        return None
    m = re.search(r"Depends:\s*(linux-image-(\d[^\s]*-amd64))", out)
    return m.group(1) if m else None


def cached_versions():
    return sorted(d.name for d in CACHE.glob("[0-9]*") if (d / STAMP).exists())


def unpack_kernel(pkg, work):
    deb = work / "deb"
    deb.mkdir(parents=True, exist_ok=True)
    for f in deb.glob("*.deb"):
        f.unlink()
    run(["apt-get", "download", "-q", pkg], cwd=deb)
    debs = list(deb.glob("*.deb"))
    if len(debs) != 1:
        raise BuildError("apt-get download %s left %d packages" % (pkg, len(debs)))
    root = work / "pkgroot"
    shutil.rmtree(root, ignore_errors=True)
    run(["dpkg", "-x", str(debs[0]), str(root)])
    return root


def copy_modules(pkgroot, version, initrd):
    src = pkgroot / "lib" / "modules" / version
    dst = initrd / "lib" / "modules" / version
    for sub in MODULE_DIRS:
        if (src / sub).is_dir():
            shutil.copytree(src / sub, dst / sub, dirs_exist_ok=True)
    for meta in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        if (src / meta).exists():
            shutil.copy2(src / meta, dst / meta)
    run([which("depmod"), "-b", str(initrd), version])


def copy_program(path, initrd):
    """Copy a program and every library ldd names into the initramfs."""
    real = Path(path).resolve()
    targets = [(real, initrd / "usr" / "sbin" / Path(path).name)]
    for line in run(["ldd", str(real)]).splitlines():
        m = re.search(r"(/\S+)\s+\(0x", line)
        if m:
            lib = Path(m.group(1))
            targets.append((lib.resolve(), initrd / str(lib).lstrip("/")))
    for src, dst in targets:
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not dst.exists():
            shutil.copy2(src, dst)


INIT = r"""#!/bin/sh
# The VM's init: mount, load the suite's modules, run /run.sh, power off.
/bin/busybox --install -s /bin
export PATH=/usr/sbin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/mapper /run/lock /run/lvm /tmp
for m in @MODULES@; do
	modprobe "$m" || echo "init: modprobe $m failed"
done
mdev -s 2>/dev/null
echo "init: ready $(uname -r)"
if [ -x /run.sh ]; then /run.sh; echo "init: run.sh exited $?"; else echo "init: no /run.sh"; fi
sync
poweroff -f
"""


def make_initrd(pkgroot, version, work):
    initrd = work / "initrd"
    shutil.rmtree(initrd, ignore_errors=True)
    for d in ("bin", "sbin", "usr/sbin", "proc", "sys", "dev", "etc", "tmp", "run", "out",
              "lib64", "etc/lvm"):
        (initrd / d).mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUSYBOX, initrd / "bin" / "busybox")
    os.symlink("busybox", initrd / "bin" / "sh")
    for prog in GUEST_PROGRAMS:
        copy_program(which(prog), initrd)
    (initrd / "etc" / "lvm" / "lvm.conf").write_text(
        "devices { obtain_device_list_from_udev = 0 }\n"
        "activation { udev_sync = 0 udev_rules = 0 }\n")
    (initrd / "etc" / "passwd").write_text("root:x:0:0:root:/:/bin/sh\n")
    (initrd / "etc" / "group").write_text("root:x:0:\n")
    copy_modules(pkgroot, version, initrd)
    init = initrd / "init"
    init.write_text(INIT.replace("@MODULES@", " ".join(MODULES)))
    init.chmod(0o755)
    return cpio_gz(initrd, work / "initrd.gz")


def cpio_gz(tree, out):
    """Pack a directory as a gzip-compressed newc cpio archive."""
    names = subprocess.run(["find", ".", "-mindepth", "1"], cwd=tree, check=True,
                           stdout=subprocess.PIPE).stdout
    with open(out, "wb") as f:
        cpio = subprocess.Popen(["cpio", "-o", "-H", "newc", "--quiet", "-R", "0:0"], cwd=tree,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        gz = subprocess.Popen(["gzip", "-1", "-n"], stdin=cpio.stdout, stdout=f)
        cpio.stdout.close()
        cpio.communicate(names)
        gz.wait()
        if cpio.returncode or gz.returncode:
            raise BuildError("packing %s failed" % tree)
    return out


def build():
    """Build (or find cached) the VM; returns (version, vmlinuz, initrd)."""
    check_tools()
    pkg = kernel_package()
    have = [v for v in cached_versions() if is_current(CACHE / v)]
    if pkg is None:
        if not have:
            raise BuildError("apt-cache knows no linux-image-amd64 (run `apt-get update`)")
        version = have[-1]
    else:
        version = pkg[len("linux-image-"):]
    work = CACHE / version
    if is_current(work):
        return version, work / "vmlinuz", work / "initrd.gz"
    # Built in a private folder and renamed into place, so that an interrupted or a
    # concurrent build never leaves a folder that looks complete.
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = CACHE / (".%s.%d" % (version, os.getpid()))
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        try:
            pkgroot = unpack_kernel(pkg, tmp)
        except BuildError as e:
            if not have:
                raise
            print("build_vm: %s; using the cached kernel %s" % (e, have[-1]), file=sys.stderr)
            return have[-1], CACHE / have[-1] / "vmlinuz", CACHE / have[-1] / "initrd.gz"
        shutil.copy2(pkgroot / "boot" / ("vmlinuz-" + version), tmp / "vmlinuz")
        make_initrd(pkgroot, version, tmp)
        for d in ("pkgroot", "initrd", "deb"):
            shutil.rmtree(tmp / d)
        (tmp / STAMP).write_text(stamp_text(version))
        if not is_current(work):
            shutil.rmtree(work, ignore_errors=True)
            os.rename(tmp, work)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return version, work / "vmlinuz", work / "initrd.gz"


def stamp_text(version):
    return "%s format %s\n" % (version, FORMAT)


def is_current(work):
    """Whether WORK holds a complete build of this builder's format."""
    st = work / STAMP
    return st.exists() and st.read_text() == stamp_text(work.name) \
        and (work / "vmlinuz").exists() and (work / "initrd.gz").exists()


def main():
    try:
        version, vmlinuz, initrd = build()
    except BuildError as e:
        print("build_vm: %s" % e, file=sys.stderr)
        return 1
    print(version, vmlinuz, initrd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
