# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""LVM: a volume group made by the real lvm2 on the host (activation off, loop
devices over image files), activated by `dmboot lvm vgchange -ay` on the host and
by the VM's own `lvm vgchange -ay`: every LV has the same table, status and bytes."""
import os
import subprocess

import pytest

import vm

LVM = "/usr/sbin/lvm"
LOSETUP = "/usr/sbin/losetup"
CONF = "global { activation = 0 } devices { use_devicesfile = 0 }"
MIB = 1 << 20
LVS = ["lin", "str2", "str3", "str-big", "grow", "span"]


def _run(*args):
    p = subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120, env=dict(os.environ, LC_ALL="C",
                                                        LVM_SUPPRESS_FD_WARNINGS="1"))
    assert p.returncode == 0, "%s: %s" % (args, p.stderr)
    return p.stdout


def _make_vg(c):
    imgs = [c.disk("pv%d.img" % i, size=24 * MIB) for i in range(3)]
    loops = [_run(LOSETUP, "-f", "--show", p).strip() for p in imgs]
    try:
        def lvm(*args):
            return _run(LVM, args[0], "--config", CONF, "--devices", ",".join(loops), *args[1:])
        a, b, d = loops
        lvm("pvcreate", a, b, d)
        lvm("vgcreate", "-s", "1m", "kvg", a, b, d)
        lvm("lvcreate", "-an", "-Zn", "-L", "3m", "-n", "lin", "kvg", a)
        lvm("lvcreate", "-an", "-Zn", "-i", "2", "-I", "64k", "-L", "4m", "-n", "str2", "kvg",
            a, b)
        lvm("lvcreate", "-an", "-Zn", "-i", "3", "-I", "16k", "-L", "3m", "-n", "str3", "kvg")
        lvm("lvcreate", "-an", "-Zn", "-i", "2", "-I", "1m", "-L", "4m", "-n", "str-big", "kvg",
            b, d)
        lvm("lvcreate", "-an", "-Zn", "-L", "2m", "-n", "grow", "kvg", d)
        lvm("lvcreate", "-an", "-Zn", "-L", "1m", "-n", "gap", "kvg", d)
        lvm("lvextend", "-L", "+3m", "kvg/grow", d)
        free = int(float(lvm("pvs", "--noheadings", "--units", "m", "--nosuffix", "-o",
                             "pv_free", a).strip()))
        lvm("lvcreate", "-an", "-Zn", "-L", "%dm" % free, "-n", "span", "kvg", a)
        lvm("lvextend", "-L", "+2m", "kvg/span", b)
    finally:
        for lo in loops:
            subprocess.run([LOSETUP, "-d", lo], timeout=30)
    # Known bytes in the data areas (past the 1 MiB of label and metadata).
    for p in imgs:
        with open(p, "r+b") as f:
            f.seek(MIB)
            f.write(os.urandom(23 * MIB))
    return imgs


def _dm(lv):
    return "kvg-" + lv.replace("-", "--")


@vm.case("lvm_vgchange")
def _vgchange(c):
    imgs = _make_vg(c)
    c.dmboot("lvm", "vgchange", "-ay", "kvg", "--devices", ",".join(imgs))
    c.data["host"] = {lv: {
        "table": c.dmboot_text("dmsetup", "table", _dm(lv)),
        "status": c.dmboot_text("dmsetup", "status", _dm(lv)),
        "concise": c.dmboot_text("dmsetup", "table", "--concise", _dm(lv)),
        "sha": vm.sha256(c.dmboot("dmsetup", "read", _dm(lv)).stdout),
    } for lv in LVS + ["gap"]}
    script = "step vgchange lvm vgchange -ay --config 'devices { use_devicesfile = 0 }' kvg\nmk\n"
    for lv in LVS + ["gap"]:
        n = _dm(lv)
        script += ("step %s.table dmsetup table %s\nstep %s.status dmsetup status %s\n"
                   "step %s.concise dmsetup table --concise %s\nstep %s.sha devsha %s\n"
                   % (lv, n, lv, n, lv, n, lv, n))
    c.guest(script)


@pytest.mark.parametrize("lv", LVS + ["gap"])
def test_lvm_vgchange_same_table_status_bytes(kernel, lv):
    c = kernel("lvm_vgchange")
    vm.ok(c, "vgchange")
    host = c.data["host"][lv]
    assert c.guest_norm(vm.ok(c, lv + ".table")) == c.host_norm(host["table"])
    assert c.guest_norm(vm.ok(c, lv + ".status")) == c.host_norm(host["status"])
    assert vm.ok(c, lv + ".sha").strip() == host["sha"]


@pytest.mark.parametrize("lv", LVS + ["gap"])
def test_lvm_vgchange_same_concise(kernel, lv):
    c = kernel("lvm_vgchange")
    host = c.data["host"][lv]
    assert c.guest_norm(vm.ok(c, lv + ".concise")) == c.host_norm(host["concise"])
