# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Images only a kernel can make, made in the VM by the real lvm2 and cryptsetup over
kernel dm, and kept under build/kernel/images/ for later work:

- snapshot/: a VG with an LV, a snapshot of it, data written through the snapshot and
  through the origin after the snapshot was taken (the COW holds exceptions);
- thin/: a thin pool with two thin volumes holding data;
- raid1/: a raid1 LV over two PVs;
- luks2/: a LUKS2 volume (pbkdf2, key file) with data, and a copy with a reencryption
  initialized (`cryptsetup reencrypt --init-only`).

Each folder holds the images, `expected.json` (the kernel's sha256 of every device, its
tables and status, what the tools printed) and a `complete` stamp; a folder without the
stamp, or with another format, is made again in the next run.  With every folder
complete the cases only check the kept images on the host."""
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import vm

IMAGES = vm.ROOT / "build" / "kernel" / "images"
FORMAT = "4"
MIB = 1 << 20
KEY = "kernel-suite-passphrase"
LVM = "/usr/sbin/lvm"
LOSETUP = "/usr/sbin/losetup"
HOST_CONF = "global { activation = 0 } devices { use_devicesfile = 0 }"
CONF = "devices { use_devicesfile = 0 } global { thin_check_executable = \"\" }"

LVM_LIB = r"""
killmid() {
	"$@" & pid=$!
	i=0
	while [ $i -lt 60 ]; do
		dmsetup ls | grep -q hotzone && break
		sleep 1; i=$((i + 1))
	done
	sleep 1
	kill -9 $pid; wait $pid
	echo "exit $?"
}
lv() { lvm "$@" --config '%s' --devices "$DEVS"; }
waitraid() {
	i=0
	while [ $i -lt 30 ]; do
		dmsetup status "$1" | grep -q ' AA ' && return 0
		sleep 1; i=$((i + 1))
	done
	return 1
}
""" % CONF

SPECS = {
    "snapshot": {
        "disks": {"pv.img": 24 * MIB},
        "devices": ["ksnap-origin", "ksnap-snap"],
        "script": r"""
DEVS=@pv.img@
step pvcreate lv pvcreate -y @pv.img@
step vgcreate lv vgcreate -s 1m ksnap @pv.img@
step origin lv lvcreate -y -Wn -L 8m -n origin ksnap
mk
step fill dd if=/dev/urandom of=/dev/mapper/ksnap-origin bs=64k count=128 conv=fsync
step snap lv lvcreate -y -s -L 4m -n snap ksnap/origin
mk
step wsnap dd if=/dev/urandom of=/dev/mapper/ksnap-snap bs=64k seek=10 count=4 conv=fsync
step worig dd if=/dev/urandom of=/dev/mapper/ksnap-origin bs=64k seek=40 count=4 conv=fsync
step uuids dmsetup info -c --noheadings --separator " " -o name,uuid,attr
""",
    },
    "thin": {
        "disks": {"pv.img": 32 * MIB},
        "devices": ["kthin-thin1", "kthin-thin2"],
        "script": r"""
DEVS=@pv.img@
step pvcreate lv pvcreate -y @pv.img@
step vgcreate lv vgcreate -s 1m kthin @pv.img@
step pool lv lvcreate -y --type thin-pool -L 8m -n pool kthin
step thin1 lv lvcreate -y -Wn -V 6m -T kthin/pool -n thin1
step thin2 lv lvcreate -y -Wn -V 6m -T kthin/pool -n thin2
mk
step w1 dd if=/dev/urandom of=/dev/mapper/kthin-thin1 bs=64k count=32 conv=fsync
step w2 dd if=/dev/urandom of=/dev/mapper/kthin-thin2 bs=64k seek=20 count=16 conv=fsync
""",
    },
    "raid1": {
        "disks": {"pv0.img": 16 * MIB, "pv1.img": 16 * MIB},
        "devices": ["kraid-r1"],
        "script": r"""
DEVS=@pv0.img@,@pv1.img@
step modprobe modprobe -a raid1 dm-raid
step pvcreate lv pvcreate -y @pv0.img@ @pv1.img@
step vgcreate lv vgcreate -s 1m kraid @pv0.img@ @pv1.img@
step r1 lv lvcreate -y -Wn --type raid1 -m 1 -L 4m -n r1 kraid
mk
step w dd if=/dev/urandom of=/dev/mapper/kraid-r1 bs=64k count=64 conv=fsync
step sync waitraid kraid-r1
""",
    },
    "luks2": {
        "disks": {"luks.img": 24 * MIB, "reencrypt.img": 24 * MIB,
                  "interrupted.img": 24 * MIB},
        "devices": ["kluks", "kreenc", "kintr"],
        "script": r"""
mkdir -p /run/cryptsetup
step modprobe modprobe -a ecb xts
F="--batch-mode --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file key"
step format cryptsetup luksFormat $F @luks.img@
step open cryptsetup open --key-file key @luks.img@ kluks
step w dd if=/dev/urandom of=/dev/mapper/kluks bs=64k count=64 conv=fsync
step rformat cryptsetup luksFormat $F @reencrypt.img@
step ropen cryptsetup open --key-file key @reencrypt.img@ kreenc
step rw dd if=/dev/urandom of=/dev/mapper/kreenc bs=64k count=64 conv=fsync
step iformat cryptsetup luksFormat $F @interrupted.img@
step iopen cryptsetup open --key-file key @interrupted.img@ kintr
step iw dd if=/dev/urandom of=/dev/mapper/kintr bs=64k count=128 conv=fsync
mk
""",
        "after": r"""
step rinit cryptsetup reencrypt --init-only --batch-mode --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --key-file key @reencrypt.img@
step dump cryptsetup luksDump @luks.img@
step rdump cryptsetup luksDump @reencrypt.img@
step ikill killmid cryptsetup reencrypt --batch-mode --key-file key --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --resilience checksum --hotzone-size 64k --active-name kintr
step ils dmsetup ls
dmsetup remove_all
step idump cryptsetup luksDump @interrupted.img@
step ireopen cryptsetup open --key-file key @interrupted.img@ kintr
mk
step sha2.kintr devsha kintr
step ireclose cryptsetup close kintr
""",
    },
}

# Common to every spec: tables, status and bytes while active, then deactivate,
# activate again (the kernel reads its own metadata back) and compare the bytes.
COMMON = r"""
step table dmsetup table
step status dmsetup status
for d in @DEVICES@; do step sha.$d devsha $d; done
"""
LVM_TAIL = r"""
step lvs lv lvs -a -o +devices
step deact lv vgchange -an @VG@
step react lv vgchange -ay @VG@
mk
for d in @DEVICES@; do step sha2.$d devsha $d; done
step deact2 lv vgchange -an @VG@
"""
LUKS_TAIL = r"""
step close cryptsetup close kluks
step rclose cryptsetup close kreenc
step reopen cryptsetup open --key-file key @luks.img@ kluks
mk
step sha2.kluks devsha kluks
step reclose cryptsetup close kluks
"""


def kept(name):
    """The folder of kept images NAME when it is complete, else None."""
    d = IMAGES / name
    st = d / "complete"
    if st.exists() and st.read_text() == "format %s\n" % FORMAT:
        return d
    return None


def _register(name, spec):
    @vm.case("image_" + name)
    def _prepare(c):
        if kept(name):
            c.data["kept"] = True
            return
        paths = {n: c.disk(n, size=size) for n, size in spec["disks"].items()}
        c.data["paths"] = paths
        c.file("key", KEY)
        vg = spec["devices"][0].split("-")[0]
        script = ("%s%s%s%s" % (LVM_LIB, spec["script"], COMMON,
                                LVM_TAIL if name != "luks2" else LUKS_TAIL))
        if name == "luks2":
            script = script.replace("step reopen", spec["after"] + "step reopen")
        script = script.replace("@DEVICES@", " ".join(spec["devices"])).replace("@VG@", vg)
        for n, p in paths.items():
            script = script.replace("@%s@" % n, p)
        c.guest(script)
    return _prepare


for _n, _s in SPECS.items():
    _register(_n, _s)


def keep(kernel, name):
    """The kept images NAME: made in this run (then copied to build/kernel/images/NAME)
    or kept from an earlier run."""
    c = kernel("image_" + name)
    if c.data.get("kept"):
        return kept(name)
    expected = {"sha256": {}, "steps": {}}
    for s, st in sorted(c.steps.items()):
        if s.startswith("_"):
            continue
        assert st.rc == 0, "guest step %s of %s failed: %r" % (
            s, c.name, st)
        expected["steps"][s] = {"out": c.guest_norm(st.out), "err": c.guest_norm(st.err)}
    for d in SPECS[name]["devices"]:
        expected["sha256"][d] = c.step("sha." + d).out.strip()
        if d == "kreenc":
            continue
        again = c.step("sha2." + d).out.strip()
        assert again == expected["sha256"][d], "%s reads other bytes after reactivation" % d
    tok = {p: c.tokens[p] for p in c.data["paths"].values()}
    expected["disks"] = {n: "<%s>" % tok[p] for n, p in c.data["paths"].items()}
    IMAGES.mkdir(parents=True, exist_ok=True)
    tmp = IMAGES / (".%s.%d" % (name, os.getpid()))
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for n, p in c.data["paths"].items():
        shutil.copyfile(p, tmp / n)
    (tmp / "key").write_text(KEY)
    (tmp / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    (tmp / "complete").write_text("format %s\n" % FORMAT)
    final = IMAGES / name
    shutil.rmtree(final, ignore_errors=True)
    os.rename(tmp, final)
    return final


@pytest.fixture(scope="session")
def images(kernel_run):
    done = {}

    def get(name):
        if name not in done:
            done[name] = keep(lambda n: kernel_run[n], name)
        return done[name]
    return get


@pytest.mark.parametrize("name", list(SPECS))
def test_image_kept_with_expected_bytes(images, name):
    d = images(name)
    exp = json.loads((d / "expected.json").read_text())
    for n in SPECS[name]["disks"]:
        assert (d / n).stat().st_size == SPECS[name]["disks"][n]
    assert sorted(exp["sha256"]) == sorted(SPECS[name]["devices"])
    assert all(len(v) == 64 for v in exp["sha256"].values()), exp["sha256"]


def test_image_snapshot_cow_holds_exceptions(images):
    exp = json.loads((images("snapshot") / "expected.json").read_text())
    sha = exp["sha256"]
    assert sha["ksnap-origin"] != sha["ksnap-snap"]
    status = exp["steps"]["status"]["out"]
    line = [x for x in status.splitlines() if x.startswith("ksnap-snap:")][0]
    used, total = line.split()[4].split("/")
    assert line.split()[3] == "snapshot" and int(used) > 0, line


def test_image_luks2_reencrypt_initialized(images):
    exp = json.loads((images("luks2") / "expected.json").read_text())
    assert "reencrypt" in exp["steps"]["rdump"]["out"]
    assert "reencrypt" not in exp["steps"]["dump"]["out"]


def test_image_luks2_reencrypt_interrupted(images):
    """Killed in the middle of `cryptsetup reencrypt`: the header still asks for the
    reencryption to finish, and the kernel reads the same plaintext after reopening."""
    exp = json.loads((images("luks2") / "expected.json").read_text())
    assert exp["steps"]["ikill"]["out"].strip() == "exit 137", exp["steps"]["ikill"]
    dump = exp["steps"]["idump"]["out"]
    assert "online-reencrypt" in dump, dump
    segments = dump.split("Data segments:")[1].split("Keyslots:")[0]
    assert "  1: crypt" in segments and "reencrypt (unbound)" in dump, dump
    assert "kintr-hotzone-forward" in exp["steps"]["ils"]["out"], exp["steps"]["ils"]


def path(name, image):
    return Path(IMAGES / name / image)


# --- dmboot on the kept images, on the host -----------------------------------
REFUSED = {
    "thin": ("kthin", ["pv.img"], {"pool": "thin-pool", "thin1": "thin", "thin2": "thin"}),
    "raid1": ("kraid", ["pv0.img", "pv1.img"], {"r1": "raid1"}),
}
# The VGs of the kept images, for the reports.
VGS = dict(REFUSED, snapshot=("ksnap", ["pv.img"], {}))


def _dmboot(tmp_path, *args):
    env = dict(os.environ, DMBOOT_STATE_DIR=str(tmp_path), LC_ALL="C")
    return subprocess.run([str(vm.DMBOOT), *map(str, args)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=60)


def _devices(name, disks):
    return ",".join(str(path(name, d)) for d in disks)


@pytest.mark.parametrize("name", list(REFUSED))
def test_image_dmboot_refuses_by_name(images, tmp_path, name):
    images(name)
    vg, disks, lvs = REFUSED[name]
    p = _dmboot(tmp_path, "lvm", "vgchange", "-ay", vg, "--devices", _devices(name, disks))
    assert p.returncode == 5, p
    assert p.stdout == '  0 logical volume(s) in volume group "%s" now active\n' % vg
    lines = p.stderr.splitlines()
    assert len(lines) == len(lvs), lines
    for lv, segtype in lvs.items():
        want = [x for x in lines if x.startswith("  Cannot activate %s/%s: " % (vg, lv))]
        assert len(want) == 1 and want[0].endswith(
            "segment type %s is not supported" % segtype), lines
    ls = _dmboot(tmp_path, "dmsetup", "ls")
    assert ls.returncode == 0 and ls.stdout == "No devices found\n", ls


def _kernel_view(exp, step, names):
    """The kernel's output of step with its major:minor numbers written as the names dmboot's
    tables use (names: {device: its position among the lower devices of a target line}) and
    its disk token as the image path."""
    out = exp["steps"][step]["out"]
    table = exp["steps"]["table"]["out"]
    for dev, (of, k) in names.items():
        line = [x for x in table.splitlines() if x.startswith(of + ":")][0]
        out = out.replace(" %s" % line.split()[4 + k], " %s" % dev)
    return out.replace(exp["disks"]["pv.img"], str(path("snapshot", "pv.img")))


SNAP_LAYERS = {"ksnap-origin-real": ("ksnap-origin", 0), "ksnap-snap-cow": ("ksnap-snap", 1)}


def test_image_snapshot_dmboot_as_the_kernel(images, tmp_path):
    """dmboot's vgchange -ay of ksnap makes the four devices lvm2 made in the VM, with the
    same names, uuids, tables and status, and reads the bytes the kernel read; writes are
    refused by name; vgchange -an removes all four."""
    exp = json.loads((images("snapshot") / "expected.json").read_text())
    devs = _devices("snapshot", ["pv.img"])
    p = _dmboot(tmp_path, "lvm", "vgchange", "-ay", "ksnap", "--devices", devs)
    assert (p.returncode, p.stdout, p.stderr) == (
        0, '  2 logical volume(s) in volume group "ksnap" now active\n', ""), p
    for what in ("table", "status"):
        got = _dmboot(tmp_path, "dmsetup", what)
        assert got.returncode == 0 and got.stdout == _kernel_view(exp, what, SNAP_LAYERS), got
    info = _dmboot(tmp_path, "dmsetup", "info", "-c")
    ours = {x.split()[0]: (x.split()[3], x.split()[7]) for x in info.stdout.splitlines()[1:]}
    theirs = {x.split()[0]: (x.split()[2], x.split()[1])
              for x in exp["steps"]["uuids"]["out"].splitlines()}
    assert ours == theirs and len(ours) == 4, (ours, theirs)
    for dev, want in exp["sha256"].items():
        r = subprocess.run([str(vm.DMBOOT), "dmsetup", "read", dev], stdout=subprocess.PIPE,
                           env=dict(os.environ, DMBOOT_STATE_DIR=str(tmp_path)), timeout=60)
        assert r.returncode == 0 and vm.sha256(r.stdout) == want, dev
    # lvs while active: the kernel's report (Data% from the snapshot's status) less its
    # Devices column.
    lvs = _dmboot(tmp_path, "lvm", "lvs", "--devices", devs)
    want = [x[:x.index("Devices")] if "Devices" in x else x.rsplit(" ", 1)[0]
            for x in exp["steps"]["lvs"]["out"].splitlines()]
    assert lvs.returncode == 0 and [x.rstrip() for x in lvs.stdout.splitlines()] == [
        x.rstrip() for x in want], (lvs.stdout, want)
    assert "origin 12.70" in lvs.stdout
    for dev, target in (("ksnap-origin", "snapshot-origin"), ("ksnap-snap", "snapshot")):
        w = subprocess.run([str(vm.DMBOOT), "dmsetup", "write", dev], input=b"x" * 512,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                           env=dict(os.environ, DMBOOT_STATE_DIR=str(tmp_path)))
        assert w.returncode == 1 and w.stderr.decode() == (
            "dmsetup: write %s: %s target at sector 0 refuses writes: writing needs copy-out "
            "to the snapshot's COW store, and dmboot maps snapshots read-only\n" % (dev, target)), w
    p = _dmboot(tmp_path, "lvm", "vgchange", "-an", "ksnap")
    assert (p.returncode, p.stdout, p.stderr) == (
        0, '  0 logical volume(s) in volume group "ksnap" now active\n', ""), p
    ls = _dmboot(tmp_path, "dmsetup", "ls")
    assert ls.stdout == "No devices found\n", ls


def test_image_snapshot_lvchange_brings_the_origin(images, tmp_path):
    """lvchange -ay of the snapshot alone activates its origin first, as lvm2 does; the
    snapshot's bytes are the kernel's; lvchange -an of the origin removes all four."""
    exp = json.loads((images("snapshot") / "expected.json").read_text())
    p = _dmboot(tmp_path, "lvm", "lvchange", "-ay", "ksnap/snap", "--devices",
                _devices("snapshot", ["pv.img"]))
    assert (p.returncode, p.stdout, p.stderr) == (0, "", ""), p
    ls = _dmboot(tmp_path, "dmsetup", "ls")
    assert [x.split()[0] for x in ls.stdout.splitlines()] == [
        "ksnap-origin", "ksnap-origin-real", "ksnap-snap", "ksnap-snap-cow"], ls
    r = subprocess.run([str(vm.DMBOOT), "dmsetup", "read", "ksnap-snap"], stdout=subprocess.PIPE,
                       env=dict(os.environ, DMBOOT_STATE_DIR=str(tmp_path)), timeout=60)
    assert vm.sha256(r.stdout) == exp["sha256"]["ksnap-snap"]
    # Deactivating the origin takes its snapshot down too, as lvm2 does.
    p = _dmboot(tmp_path, "lvm", "lvchange", "-an", "ksnap/origin")
    assert (p.returncode, p.stdout, p.stderr) == (0, "", ""), p
    ls = _dmboot(tmp_path, "dmsetup", "ls")
    assert ls.stdout == "No devices found\n", ls


@pytest.mark.parametrize("image", ["luks.img", "reencrypt.img", "interrupted.img"])
def test_image_luks2_dmboot_fails_cleanly(images, tmp_path, image):
    images("luks2")
    img = path("luks2", image)
    pvs = _dmboot(tmp_path, "lvm", "pvs", "--devices", img)
    assert (pvs.returncode, pvs.stdout, pvs.stderr) == (0, "", ""), pvs
    ddi = _dmboot(tmp_path, "ddi", "inspect", img)
    assert ddi.returncode == 2, ddi
    assert ddi.stdout == ""
    assert ddi.stderr == "ddi: %s: no partition table: no MBR signature 55 aa\n" % img, ddi
    ls = _dmboot(tmp_path, "dmsetup", "ls")
    assert ls.stdout == "No devices found\n", ls


def _lvm2_lvs(name, disks, opts):
    loops = [_host(LOSETUP, "-f", "--show", "-r", path(name, d)).strip() for d in disks]
    try:
        return _host(LVM, "lvs", *opts, "--config", HOST_CONF, "--devices", ",".join(loops))
    finally:
        for lo in loops:
            subprocess.run([LOSETUP, "-d", lo], timeout=30)


def _host(*args):
    p = subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120, env=dict(os.environ, LC_ALL="C",
                                                        LVM_SUPPRESS_FD_WARNINGS="1"))
    assert p.returncode == 0, "%s: %s" % (args, p.stderr)
    return p.stdout


def _mask_kernel_columns(lvm2, dmb):
    """lvm2 without kernel dm prints X in the Attr columns it would ask the kernel for
    (state, open, health); dmboot prints what it knows.  Those columns are masked in
    both reports where lvm2 has X."""
    head = lvm2.splitlines()[0] if lvm2 else ""
    at = head.find("Attr")
    a, b = lvm2.splitlines(), dmb.splitlines()
    if at < 0 or len(a) != len(b):
        return lvm2, dmb
    for i in range(1, len(a)):
        x, y = list(a[i]), list(b[i])
        for k in range(at, min(at + 10, len(x), len(y))):
            if x[k] == "X":
                x[k] = y[k] = "?"
        a[i], b[i] = "".join(x), "".join(y)
    return "\n".join(a) + "\n", "\n".join(b) + "\n"


LVS_DIFFERS = {
    ("thin", ""): "lvm2 shows thin volumes of a zeroing pool with z in Attr column 8; dmboot -",
    ("thin", "-a"): "as without -a (z in column 8 of thin volumes)",
    ("raid1", "-a"): "lvm2 shows raid images and metadata LVs as Iwi-XXr-X- / ewi-XXr-X-; "
                     "dmboot as plain -wi-------",
}


@pytest.mark.parametrize("name,opt", [(n, o) for n in VGS for o in ("", "-a")])
def test_image_lvs_as_lvm2(images, tmp_path, request, name, opt):
    if (name, opt) in LVS_DIFFERS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=LVS_DIFFERS[(name, opt)]))
    images(name)
    vg, disks, _ = VGS[name]
    opts = [opt] if opt else []
    want = _lvm2_lvs(name, disks, opts)
    p = _dmboot(tmp_path, "lvm", "lvs", *opts, "--devices", _devices(name, disks))
    assert p.returncode == 0, p
    want, got = _mask_kernel_columns(want, p.stdout)
    assert got == want


def test_image_luks2_dmboot_reads_what_the_kernel_wrote(images, tmp_path):
    """The LUKS2 volume the kernel's cryptsetup made and wrote through Linux's dm-crypt:
    dmboot dumps its header as the guest's cryptsetup did, opens it with the key file,
    prints the guest's table (but for the lower device's name) and reads the plaintext
    whose sha256 the kernel recorded; the two reencryption headers are refused by name
    and leave nothing mapped."""
    d = images("luks2")
    exp = json.loads((d / "expected.json").read_text())
    img, key = path("luks2", "luks.img"), d / "key"
    dump = _dmboot(tmp_path, "cryptsetup", "luksDump", img)
    assert (dump.returncode, dump.stdout) == (0, exp["steps"]["dump"]["out"]), dump
    op = _dmboot(tmp_path, "cryptsetup", "open", "--key-file", key, img, "kluks")
    assert (op.returncode, op.stdout, op.stderr) == (0, "", ""), op
    guest = [ln for ln in exp["steps"]["table"]["out"].splitlines()
             if ln.startswith("kluks: ")][0].split()[1:]
    mine = _dmboot(tmp_path, "dmsetup", "table", "kluks").stdout.split()
    assert mine[:6] + mine[7:] == guest[:6] + guest[7:], (mine, guest)
    got = subprocess.run([str(vm.DMBOOT), "dmsetup", "read", "kluks"], stdout=subprocess.PIPE,
                         env=dict(os.environ, DMBOOT_STATE_DIR=str(tmp_path)), timeout=120)
    assert got.returncode == 0
    assert hashlib.sha256(got.stdout).hexdigest() == exp["sha256"]["kluks"]
    assert _dmboot(tmp_path, "cryptsetup", "close", "kluks").returncode == 0
    for image, req in (("reencrypt.img", "online-reencrypt"), ("interrupted.img",
                                                             "online-reencrypt")):
        r = _dmboot(tmp_path, "cryptsetup", "open", "--key-file", key,
                    path("luks2", image), "k")
        assert r.returncode != 0 and req in r.stderr, (image, r)
    assert _dmboot(tmp_path, "dmsetup", "ls").stdout == "No devices found\n"
