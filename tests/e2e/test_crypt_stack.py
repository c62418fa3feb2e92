# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Devices stacked on an opened LUKS2 device (design.md §1: a mapped device is a block
device).

LVM on LUKS: the real lvm2 makes a PV, VG and LV on a loop device over a file
(activation disabled, as test_lvm.py does), known bytes go into the LV's
extents; the file becomes LUKS2 either by `cryptsetup reencrypt --encrypt
--reduce-device-size 32M` (the payload encrypted by cryptsetup itself) or by
writing the PV's bytes through dmboot's opened device.  Then `dmboot lvm
vgchange -ay VG --devices /dev/mapper/NAME` maps the LV, which reads back those
bytes.

verity on LUKS: `veritysetup format` of a data file, the data and its hash tree
written into the opened LUKS device, `dmboot veritysetup open` over it reads the
data; one byte of ciphertext changed on the image makes the verity read of that
block fail while the other blocks still read.
"""
import os
import random
import subprocess

import pytest

from conftest import require, tool
from crypt_util import SECTOR, cs_ok, dmb_ok, need_cryptsetup

need_cryptsetup()

MIB = 1 << 20
LVM = tool("lvm")
LOSETUP = tool("losetup")
VERITYSETUP = tool("veritysetup")
LVM_CONF = "global { activation = 0 } devices { use_devicesfile = 0 }"
PBKDF2 = ["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"]
VG = "vgcrypt"


def run(argv, input=None):
    env = dict(os.environ, LC_ALL="C", LVM_SUPPRESS_FD_WARNINGS="1")
    p = subprocess.run([str(a) for a in argv], input=input, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120, env=env)
    assert p.returncode == 0, "%s: rc=%d\n%s" % (argv, p.returncode, p.stderr.decode())
    return p.stdout.decode()


@pytest.fixture
def name():
    """A device name no other test on this machine uses (see test_cryptsetup_compat.py)."""
    return "s%d-%08x" % (os.getpid(), random.SystemRandom().getrandbits(32))


def make_pv(path, mib):
    """A PV, VG (1 MiB extents) and a 3 MiB LV made by lvm2 on a loop device over path;
    returns the LV's first byte in the file and its length."""
    require(LVM is not None and LOSETUP is not None, "lvm2 and losetup are needed")
    require(os.geteuid() == 0, "loop devices need root")
    with open(path, "wb") as f:
        f.truncate(mib * MIB)
    loop = run([LOSETUP, "-f", "--show", path]).strip()
    try:
        def lvm(*args):
            return run([LVM, args[0], "--config", LVM_CONF, "--devices", loop, *args[1:]])
        lvm("pvcreate", "-q", loop)
        lvm("vgcreate", "-q", "-s", "1m", VG, loop)
        lvm("lvcreate", "-q", "-L", "3m", "-n", "lv0", VG)
        pe_start = int(lvm("pvs", "--noheadings", "--units", "b", "--nosuffix", "-o",
                           "pe_start", loop).strip())
        ranges = lvm("lvs", "--noheadings", "--segments", "-o", "seg_pe_ranges",
                     VG + "/lv0").strip()
    finally:
        subprocess.run([LOSETUP, "-d", loop], timeout=30)
    first_pe = int(ranges.rsplit(":", 1)[1].split("-")[0])
    return pe_start + first_pe * MIB, 3 * MIB


@pytest.mark.parametrize("how", ["reencrypt", "write"])
def test_lvm_on_luks(dm, name, how):
    pv = dm.cwd / "pv.img"
    start, length = make_pv(pv, 8)
    lv_data = random.Random(11).randbytes(length)
    with open(pv, "r+b") as f:
        f.seek(start)
        f.write(lv_data)
    img = dm.cwd / "luks.img"
    if how == "reencrypt":
        pv.rename(img)
        with open(img, "r+b") as f:
            f.truncate((8 + 32) * MIB)
        cs_ok("reencrypt", "-q", "--encrypt", "--type", "luks2", "--reduce-device-size", "32M",
              *PBKDF2, "--key-file", "-", img.name, input=b"pw", cwd=dm.cwd)
        dmb_ok(dm, "open", img.name, name, input=b"pw")
    else:
        with open(img, "wb") as f:
            f.truncate(12 * MIB)
        cs_ok("luksFormat", "-q", "--type", "luks2", *PBKDF2, "--luks2-metadata-size", "16k",
              "--luks2-keyslots-size", "1m", img.name, "-", input=b"pw", cwd=dm.cwd)
        dmb_ok(dm, "open", img.name, name, input=b"pw")
        dm.ok("write", name, input=pv.read_bytes(), raw=True)
        pv.unlink()
    assert lv_data not in img.read_bytes()
    rc, out, err = dm.exec([dm.binary, "lvm", "vgchange", "-ay", VG, "--devices",
                            "/dev/mapper/" + name])
    assert rc == 0, err
    table = dm.ok("table", VG + "-lv0")
    assert table.startswith("0 %d linear " % (length // SECTOR))
    assert table.endswith(" %d\n" % (start // SECTOR))
    assert dm.read(VG + "-lv0") == lv_data
    rc, out, err = dm.exec([dm.binary, "lvm", "vgchange", "-an", VG])
    assert rc == 0, err
    dmb_ok(dm, "close", name)
    dm.assert_no_devices()


def test_verity_on_luks(dm, name):
    require(VERITYSETUP is not None, "veritysetup is not installed")
    blocks = 256
    data = random.Random(12).randbytes(blocks * 4096)
    (dm.cwd / "data.img").write_bytes(data)
    out = run([VERITYSETUP, "format", dm.cwd / "data.img", dm.cwd / "hash.img"])
    root = [line.split(":", 1)[1].strip() for line in out.splitlines()
            if line.startswith("Root hash:")][0]
    img = dm.cwd / "luks.img"
    with open(img, "wb") as f:
        f.truncate(6 * MIB)
    cs_ok("luksFormat", "-q", "--type", "luks2", "--sector-size", "4096", *PBKDF2,
          "--luks2-metadata-size", "16k", "--luks2-keyslots-size", "1m", img.name, "-",
          input=b"pw", cwd=dm.cwd)
    dmb_ok(dm, "open", img.name, name, input=b"pw")
    offset = int(dm.ok("table", name).split()[7]) * SECTOR
    dm.ok("write", name, input=data + (dm.cwd / "hash.img").read_bytes(), raw=True)
    lower = "/dev/mapper/" + name
    rc, out, err = dm.exec([dm.binary, "veritysetup", "open", lower, "v0", lower, root,
                            "--hash-offset", str(len(data)), "--data-blocks", str(blocks)])
    assert rc == 0, err
    assert dm.read("v0") == data
    # One byte of ciphertext in data block 10: that block no longer verifies.
    with open(img, "r+b") as f:
        f.seek(offset + 10 * 4096 + 100)
        b = f.read(1)
        f.seek(offset + 10 * 4096 + 100)
        f.write(bytes([b[0] ^ 1]))
    rc, out, err = dm.run("read", "v0", "--offset", str(10 * 4096), "--length", "4096", raw=True)
    assert rc != 0 and out == b"" and err
    assert dm.read("v0", "--offset", str(9 * 4096), "--length", "4096") == \
        data[9 * 4096:10 * 4096]
    assert dm.read("v0", "--offset", str(11 * 4096), "--length", "8192") == \
        data[11 * 4096:13 * 4096]
    rc, out, err = dm.run("read", "v0")
    assert rc != 0
    rc, out, err = dm.exec([dm.binary, "veritysetup", "close", "v0"])
    assert rc == 0, err
    dmb_ok(dm, "close", name)
    dm.assert_no_devices()
