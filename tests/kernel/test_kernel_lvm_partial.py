# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""LVM with a missing PV: a volume group made by the real lvm2 on the host over two
PVs, with an LV on the first PV only, one spanning both and one striped over both.
Only the first PV is given to the VM; its `lvm vgchange -ay --activationmode partial`
and dmboot's, with only that image, load the same tables (the areas on the missing
PV read from `VG-LV-missing_S_A` fillers with an `error` table), the parts on the PV
present read the same bytes, and a read of a missing part fails in both."""
import os
import re
import subprocess

import pytest

import vm

LVM = "/usr/sbin/lvm"
LOSETUP = "/usr/sbin/losetup"
CONF = "global { activation = 0 } devices { use_devicesfile = 0 }"
MIB = 1 << 20
VG = "kpart"


def _run(*args):
    p = subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120, env=dict(os.environ, LC_ALL="C",
                                                        LVM_SUPPRESS_FD_WARNINGS="1"))
    assert p.returncode == 0, "%s: %s" % (args, p.stderr)
    return p.stdout


def _make_vg(c):
    """PV a (given to the VM) and PV b (kept off it); returns a's path."""
    a = c.disk("pv0.img", size=16 * MIB)
    b = c.dir / "pv1.img"
    with open(b, "wb") as f:
        f.truncate(16 * MIB)
    loops = [_run(LOSETUP, "-f", "--show", p).strip() for p in (a, b)]
    try:
        def lvm(*args):
            return _run(LVM, args[0], "--config", CONF, "--devices", ",".join(loops), *args[1:])
        la, lb = loops
        lvm("pvcreate", la, lb)
        lvm("vgcreate", "-s", "1m", VG, la, lb)
        lvm("lvcreate", "-an", "-Zn", "-L", "3m", "-n", "solo", VG, la)
        lvm("lvcreate", "-an", "-Zn", "-i", "2", "-I", "64k", "-L", "4m", "-n", "str", VG,
            la, lb)
        lvm("lvcreate", "-an", "-Zn", "-L", "4m", "-n", "span", VG, la)
        lvm("lvextend", "-L", "+3m", VG + "/span", lb)
    finally:
        for lo in loops:
            subprocess.run([LOSETUP, "-d", lo], timeout=30)
    with open(a, "r+b") as f:
        f.seek(MIB)
        f.write(os.urandom(15 * MIB))
    return a


@vm.case("lvm_partial")
def _partial(c):
    a = _make_vg(c)
    p = c.dmboot("lvm", "vgchange", "-ay", "--activationmode", "partial", VG, "--devices", a,
                 check=False)
    c.data["vgchange"] = (p.returncode, p.stdout.decode(), p.stderr.decode())
    c.data["table"] = c.dmboot_text("dmsetup", "table")
    c.data["status"] = c.dmboot_text("dmsetup", "status")
    c.data["ls"] = c.dmboot_text("dmsetup", "ls")
    c.data["sha"] = {
        "solo": vm.sha256(c.dmboot("dmsetup", "read", VG + "-solo").stdout),
        "span": vm.sha256(c.dmboot("dmsetup", "read", VG + "-span",
                                   "--length", str(4 * MIB)).stdout),
    }
    c.data["span_tail"] = c.dmboot("dmsetup", "read", VG + "-span", "--offset", str(5 * MIB),
                                   "--length", "4096", check=False).returncode
    c.guest("""
step vgchange lvm vgchange -ay --activationmode partial --config 'devices { use_devicesfile = 0 }' %s
mk
step table dmsetup table
step status dmsetup status
step ls dmsetup ls
step sha.solo devsha %s-solo
step sha.span sh -c 'dd if=/dev/mapper/%s-span bs=1M count=4 2>/dev/null | sha256sum | cut -d" " -f1'
step tail dd if=/dev/mapper/%s-span of=/dev/null bs=4096 skip=1280 count=1 iflag=direct
""" % (VG, VG, VG, VG))


def _by_name(c, text):
    """The kernel's text with each mapped device's major:minor replaced by its name,
    as dmboot prints a mapped device under another."""
    for line in vm.ok(c, "ls").splitlines():
        f = line.split()
        if len(f) == 2:
            text = re.sub(r"(?<![\d:])%s(?![\d:])" % re.escape(f[1].strip("()")), f[0], text)
    return c.guest_norm(text)


def _names(ls):
    return sorted(line.split()[0] for line in ls.splitlines() if line.strip())


def test_lvm_partial_same_devices(kernel):
    c = kernel("lvm_partial")
    vm.ok(c, "vgchange")
    assert c.data["vgchange"][0] == 0, c.data["vgchange"]
    assert _names(vm.ok(c, "ls")) == _names(c.data["ls"])


@pytest.mark.parametrize("what", ["table", "status"])
def test_lvm_partial_same_tables_and_status(kernel, what):
    c = kernel("lvm_partial")
    assert _by_name(c, vm.ok(c, what)) == c.host_norm(c.data[what])


def test_lvm_partial_fillers_are_error_targets(kernel):
    c = kernel("lvm_partial")
    fillers = [line for line in vm.ok(c, "table").splitlines() if "-missing_" in line]
    assert fillers, "the kernel's table has no filler device"
    assert all(line.split()[3] == "error" for line in fillers), fillers


def test_lvm_partial_same_bytes_where_present(kernel):
    c = kernel("lvm_partial")
    assert vm.ok(c, "sha.solo").strip() == c.data["sha"]["solo"]
    assert vm.ok(c, "sha.span").strip() == c.data["sha"]["span"]


def test_lvm_partial_missing_part_fails_in_both(kernel):
    c = kernel("lvm_partial")
    assert c.step("tail").rc != 0
    assert c.data["span_tail"] != 0
