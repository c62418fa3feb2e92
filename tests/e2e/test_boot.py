# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`dmboot boot` on the boot layout (boot_layout.py: a GPT disk, an lvm2 VG `internal` on its
LVM partition, one LV per systemd-repart image): list gives every image's verdict in the
order they would be tried, cmdline the kernel command line in each form, built here from
layout.json (what lvm2, sfdisk and systemd-repart made), open maps the newest good image
with the kernel and device tree readable by unsquashfs, and close removes exactly that."""
import hashlib
import json
import subprocess

import pytest

from boot_layout import boot_layout
from conftest import tool

assert boot_layout                        # the session fixture, used by name below

OK, USAGE, NONE, BUSY, REFUSED = 0, 1, 4, 5, 6
SECTOR = 512


@pytest.fixture(scope="module")
def lay(boot_layout):
    return boot_layout


def boot(dm, lay, *args, certs=("trusted",)):
    argv = [dm.binary, "boot", *args, "--devices", lay.disk]
    for c in certs:
        argv += ["--trusted-cert", lay.cert(c)]
    return dm.exec(argv)


def boot_ok(dm, lay, *args, **kw):
    rc, out, err = boot(dm, lay, *args, **kw)
    assert (rc, err) == (0, ""), "boot %s: rc=%d stderr=%r" % (args, rc, err)
    return out


def boot_fails(dm, lay, want_rc, *args, **kw):
    """Exit want_rc, nothing on stdout, one error line; returns it."""
    rc, out, err = boot(dm, lay, *args, **kw)
    assert rc == want_rc and out == "", "boot %s: rc=%d out=%r err=%r" % (args, rc, out, err)
    assert err.count("\n") == 1, err
    return err.rstrip("\n")


def listed(dm, lay, *args, **kw):
    return json.loads(boot_ok(dm, lay, "list", "--json=short", *args, **kw))["images"]


REASONS = {
    "tampered": "the top hash block does not match the signed root hash",
    "unsigned": "unsigned",
    "untrusted": "signed by a certificate that is not trusted",
    "foreign": "built for arm64",
}


def test_list_gives_every_image_its_verdict(dm, lay):
    got = listed(dm, lay)
    by_name = {i["name"]: i for i in got}
    # Non-images (the data and swap LVs) are passed over quietly.
    assert sorted(by_name) == sorted(lv["name"] for lv in lay.images())
    for lv in lay.images():
        i = by_name[lv["name"]]
        assert (i["where"], i["host"], i["vg"], i["lv"]) == \
            ("internal/" + lv["name"], "lv", "internal", lv["name"])
        assert (i["version"], i["architecture"], i["designator"]) == \
            (lv["version"], lv["architecture"], "root")
        assert i["roothash"] == (None if lv["verdict"] == "unsigned" else lv["root_hash"])
        assert i["bootable"] == (lv["verdict"] == "good"), i
        assert i["reason"] == REASONS.get(lv["verdict"]), i
        want_sig = {"unsigned": "unsigned", "untrusted": "untrusted"}.get(lv["verdict"],
                                                                          "verified")
        assert i["signature"] == want_sig
        assert i["signer"] == {"trusted": "dmboot test trusted",
                               "untrusted": "dmboot test untrusted"}.get(lv["signer"])
    # Newest bootable first, then the rest newest first.
    assert [i["name"] for i in got] == ["os_1.1.0", "os_1.0.0", "os_1.5.0", "os_1.4.0",
                                        "os_1.3.0", "os_1.2.0"]


def test_list_table(dm, lay):
    lines = boot_ok(dm, lay, "list").splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "WHERE", "ARCH", "SIGNATURE", "SIGNER",
                                "ROOT", "HASH", "BOOT"]
    rows = [line.split(None, 8) for line in lines[1:]]
    assert [r[0] for r in rows] == ["os_1.1.0", "os_1.0.0", "os_1.5.0", "os_1.4.0",
                                    "os_1.3.0", "os_1.2.0"]
    assert lines[1].endswith(" " + lay.lvs["os_1.1.0"]["root_hash"] + " yes")
    assert lines[-1].endswith(" no: " + REASONS["tampered"])


def test_without_trust_nothing_boots(dm, lay):
    got = listed(dm, lay, certs=())
    assert not any(i["bootable"] for i in got)
    assert {i["name"]: i["signature"] for i in got}["os_1.1.0"] == "untrusted"


def test_min_version_and_match(dm, lay):
    got = {i["name"]: i for i in listed(dm, lay, "--min-version", "1.1")}
    assert got["os_1.0.0"]["reason"] == "older than --min-version 1.1"
    assert got["os_1.1.0"]["bootable"]
    assert listed(dm, lay, "--match", "os_@v") == listed(dm, lay)
    none = listed(dm, lay, "--match", "img-@v")
    assert not any(i["bootable"] or i["version"] for i in none)
    assert {i["name"]: i for i in none}["os_1.1.0"]["reason"].startswith(
        "no version in its name: ")
    err = boot_fails(dm, lay, USAGE, "list", "--match", "os_")
    assert err.startswith("boot: invalid --match: "), err


def lower_table(lv, pvuuid):
    return ",".join("%d %d linear PARTUUID=%s %d" % (s["lv_sector"], s["sectors"], pvuuid,
                                                     s["pv_sector"])
                    for s in lv["segments"])


def part(lv, label_end):
    return next(p for p in lv["partitions"] if p["type"].endswith(label_end))


def test_cmdline_dm_mod(dm, lay):
    """The LV first (its segments over the PV's partition by PARTUUID=), then the image's
    partitions over it, then verity: every number from what lvm2 and repart made."""
    lv = lay.lvs["os_1.1.0"]
    pv = lay.json["pv"]["partuuid"]
    data, hashp = part(lv, "x86-64"), part(lv, "x86-64-verity")
    blocks = data["bytes"] // lv["hash_block_bytes"]
    uuid = "LVM-" + (lay.json["pv"]["vg_uuid"] + boot_lv_uuid(dm, lay, "os_1.1.0")).replace(
        "-", "")
    want = ('dm-mod.create="internal-os_1.1.0,%s,,ro,%s;'
            'root-data,,,ro,0 %d linear /dev/dm-0 %d;root-hash,,,ro,0 %d linear /dev/dm-0 %d;'
            'root,,,ro,0 %d verity 1 /dev/dm-1 /dev/dm-2 %d %d %d 1 sha256 %s %s" '
            'root=/dev/dm-3 dm-mod.waitfor=PARTUUID=%s\n') % (
        uuid, lower_table(lv, pv), data["bytes"] // SECTOR, data["offset"] // SECTOR,
        hashp["bytes"] // SECTOR, hashp["offset"] // SECTOR, data["bytes"] // SECTOR,
        lv["hash_block_bytes"], lv["hash_block_bytes"], blocks, lv["root_hash"], lv["salt"], pv)
    assert boot_ok(dm, lay, "cmdline") == want
    assert boot_ok(dm, lay, "cmdline", "--format=dm-mod", "os_1.1.0") == want
    # The one named, under its name or where it is.
    older = boot_ok(dm, lay, "cmdline", "internal/os_1.0.0")
    assert lay.lvs["os_1.0.0"]["root_hash"] in older and "os_1.1.0" not in older


def boot_lv_uuid(dm, lay, name):
    rc, out, err = dm.exec([dm.binary, "lvm", "lvs", "--devices", lay.disk, "--noheadings",
                            "-o", "lv_uuid", "internal/" + name])
    assert rc == 0, err
    return out.strip()


def test_cmdline_other_forms(dm, lay):
    lv = lay.lvs["os_1.1.0"]
    assert boot_ok(dm, lay, "cmdline", "--format=ddi") == \
        "root=ddi:lvm:internal/os_1.1.0 rd.ddi.roothash=%s\n" % lv["root_hash"]
    err = boot_fails(dm, lay, REFUSED, "cmdline", "--format=roothash")
    assert err == ("boot: internal/os_1.1.0: the image is inside a logical volume, whose "
                   "partitions the kernel does not scan: use --format=dm-mod or --format=ddi")


@pytest.mark.parametrize("name", ["os_1.2.0", "os_1.3.0", "os_1.4.0", "os_1.5.0"])
def test_cmdline_and_open_refuse_what_cannot_boot(dm, lay, name):
    verdict = lay.lvs[name]["verdict"]
    want = "boot: internal/%s: cannot boot: %s" % (name, REASONS[verdict])
    assert boot_fails(dm, lay, NONE, "cmdline", name) == want
    assert boot_fails(dm, lay, NONE, "open", name) == want
    dm.assert_no_devices()


def test_usage_errors(dm, lay):
    rc, out, err = dm.exec([dm.binary, "boot", "list"])
    assert (rc, out) == (USAGE, "")
    assert err == "boot: no devices to scan: give them with --devices IMAGE[,IMAGE...]\n"
    assert boot_fails(dm, lay, USAGE, "cmdline", "--format=grub") == \
        "boot: invalid --format 'grub' (dm-mod, roothash or ddi)"
    assert boot_fails(dm, lay, NONE, "cmdline", "os_9") == \
        "boot: os_9: no such image on the devices given"
    assert boot_fails(dm, lay, USAGE, "cmdline", "--json") == "boot: cmdline: --json is for list"


def unsquash(dm, tmp_path, device, path):
    """A file of the squashfs a mapped device holds, read with unsquashfs."""
    img = tmp_path / (device + ".sqfs")
    img.write_bytes(dm.read(device))
    out = tmp_path / (device + path.replace("/", "_"))
    subprocess.run([tool("unsquashfs") or "unsquashfs", "-q", "-n", "-d", str(out), str(img),
                    path.lstrip("/")], check=True, stdout=subprocess.DEVNULL, timeout=120)
    return (out / path.lstrip("/")).read_bytes()


def test_open_maps_the_newest_good_image(dm, lay, tmp_path):
    lv = lay.lvs["os_1.1.0"]
    assert boot_ok(dm, lay, "open") == "internal/os_1.1.0: version 1.1.0 mapped as /dev/mapper/root\n"
    table = dm.ok("table", "root").split()
    assert table[2:5] == ["verity", "1", "/dev/mapper/internal-os_1.1.0:p1"]
    assert table[-2] == lv["root_hash"]
    kernel = unsquash(dm, tmp_path, "root", lv["kernel"])
    dtb = unsquash(dm, tmp_path, "root", lv["dtb"])
    assert hashlib.sha256(kernel).hexdigest() == lv["vmlinuz_sha256"]
    assert hashlib.sha256(dtb).hexdigest() == lv["dtb_sha256"]
    # Another image beside it under a prefix; the default prefix is taken.
    assert boot_fails(dm, lay, BUSY, "open") == "boot: boot open: already open (boot close)"
    assert boot_ok(dm, lay, "open", "--name", "old", "os_1.0.0") == \
        "internal/os_1.0.0: version 1.0.0 mapped as /dev/mapper/old-root\n"
    assert sorted(line.split()[0] for line in dm.ok("ls").splitlines()) == \
        ["internal-os_1.0.0", "internal-os_1.1.0", "old-root", "root"]
    rc, out, err = dm.exec([dm.binary, "boot", "close"])
    assert (rc, out, err) == (0, "", "")
    assert sorted(line.split()[0] for line in dm.ok("ls").splitlines()) == \
        ["internal-os_1.0.0", "old-root"]
    rc, out, err = dm.exec([dm.binary, "boot", "close", "old"])
    assert (rc, out, err) == (0, "", "")
    dm.assert_no_devices()
    rc, out, err = dm.exec([dm.binary, "boot", "close"])
    assert (rc, out, err) == (NONE, "", "boot: boot close: nothing open\n")


def test_open_falls_back_past_an_image_that_fails_to_map(dm, lay):
    """A device already named like the newest image's LV, with other contents: activation
    refuses it, and open goes on to the next image; close leaves that device alone."""
    dm.ok("create", "internal-os_1.1.0", "--table", "0 10240 zero")
    rc, out, err = boot(dm, lay, "open")
    assert rc == 0, err
    assert out == "internal/os_1.0.0: version 1.0.0 mapped as /dev/mapper/root\n"
    assert err.splitlines() == [
        "  Device internal-os_1.1.0 exists with another table; deactivate it first.",
        "boot: internal/os_1.1.0: not opened; trying the next image"]
    assert dm.ok("table", "root").split()[-2] == lay.lvs["os_1.0.0"]["root_hash"]
    rc, out, err = dm.exec([dm.binary, "boot", "close"])
    assert (rc, err) == (0, "")
    assert dm.ok("ls") == "internal-os_1.1.0\t(253:0)\n"
    dm.ok("remove", "internal-os_1.1.0")
    dm.assert_no_devices()


def scan(dm, *args, devices, cert):
    return dm.exec([dm.binary, "boot", *args, "--devices", devices, "--trusted-cert", cert])


def test_a_whole_disk_image(dm, lay):
    """The image file itself: named by its file, the roothash= form, the same dm-mod.create=
    line as `ddi cmdline`."""
    lv = lay.lvs["os_1.1.0"]
    (dm.cwd / "os_1.1.0.raw").write_bytes((lay.dir / lv["image"]).read_bytes())
    cert = lay.cert()
    rc, out, err = scan(dm, "list", "--json=short", "--match", "os_@v.raw",
                        devices="os_1.1.0.raw", cert=cert)
    assert (rc, err) == (0, "")
    [i] = json.loads(out)["images"]
    assert (i["name"], i["where"], i["host"], i["version"], i["bootable"], i["roothash"]) == \
        ("os_1.1.0.raw", "os_1.1.0.raw", "disk", "1.1.0", True, lv["root_hash"])
    rc, out, err = scan(dm, "cmdline", "--format=roothash", devices="os_1.1.0.raw", cert=cert)
    assert (rc, err) == (0, "")
    assert out == ("roothash=%s systemd.verity_root_data=PARTUUID=%s "
                   "systemd.verity_root_hash=PARTUUID=%s root=/dev/mapper/root\n") % (
        lv["root_hash"], lv["root_partuuid"], lv["verity_partuuid"])
    rc, out, err = scan(dm, "cmdline", devices="os_1.1.0.raw", cert=cert)
    rc2, want, err2 = dm.exec([dm.binary, "ddi", "cmdline", "os_1.1.0.raw", "--trusted-cert",
                               cert])
    assert (rc, err, rc2, err2) == (0, "", 0, "") and out == want
    rc, out, err = scan(dm, "cmdline", "--format=ddi", devices="os_1.1.0.raw", cert=cert)
    assert (rc, out) == (REFUSED, "")
    assert err == ("boot: os_1.1.0.raw: the ddi:lvm: form is for an image in a logical volume: "
                   "use --format=dm-mod or --format=roothash\n")


# A partition type no specification gives a meaning: a container of an image, not a root.
CONTAINER_TYPE = "5a1b0e26-73a4-4fd2-9c3e-0123456789ab"
CONTAINER_UUID = "6b2c1f37-84b5-4ae3-8d4f-123456789abc"


def test_an_image_in_a_partition(dm, lay):
    """An image kept in a GPT partition: its version from the partition label; the kernel
    line maps the partition first (Linux scans no table inside a partition)."""
    lv = lay.lvs["os_1.1.0"]
    raw = (lay.dir / lv["image"]).read_bytes()
    sectors = -(-len(raw) // SECTOR)
    disk = dm.cwd / "parts.img"
    disk.write_bytes(bytes((2048 + sectors + 2048) * SECTOR))
    subprocess.run([tool("sfdisk") or "sfdisk", "-q", str(disk)], check=True, timeout=60,
                   input=("label: gpt\nstart=2048, size=%d, type=%s, uuid=%s, name=os_1.1.0\n"
                          % (sectors, CONTAINER_TYPE, CONTAINER_UUID)).encode())
    with open(disk, "r+b") as f:
        f.seek(2048 * SECTOR)
        f.write(raw)
    cert = lay.cert()
    rc, out, err = scan(dm, "list", "--json=short", devices="parts.img", cert=cert)
    assert (rc, err) == (0, "")
    [i] = json.loads(out)["images"]
    assert (i["name"], i["where"], i["host"], i["version"], i["bootable"]) == \
        ("os_1.1.0", "parts.img:p1", "partition", "1.1.0", True)
    rc, out, err = scan(dm, "cmdline", devices="parts.img", cert=cert)
    assert (rc, err) == (0, "")
    assert out.startswith('dm-mod.create="image,,,ro,0 %d linear PARTUUID=%s 0;root-data,,,ro,'
                          % (sectors, CONTAINER_UUID))
    assert out.endswith(' root=/dev/dm-3 dm-mod.waitfor=PARTUUID=%s\n' % CONTAINER_UUID)
    rc, out, err = scan(dm, "cmdline", "--format=roothash", devices="parts.img", cert=cert)
    assert (rc, out) == (REFUSED, "") and "inside a partition" in err
    rc, out, err = scan(dm, "open", devices="parts.img", cert=cert)
    assert (rc, err) == (0, "")
    assert out == "parts.img:p1: version 1.1.0 mapped as /dev/mapper/root\n"
    assert dm.ok("table", "root").split()[4] == "parts.img:p1:p1"
    assert dm.read("root", "--length", "4")[:4] == b"hsqs"
    rc, out, err = dm.exec([dm.binary, "boot", "close"])
    assert (rc, out, err) == (0, "", "")
    dm.assert_no_devices()


def test_boot_counters_order_as_systemd_boot_orders_them(dm, lay, tmp_path):
    """LVs renamed by lvm2 to carry Boot Assessment counters: an image with no tries left
    goes last however new, and the counters are reported."""
    from test_lvm import LVM_CONF, run
    mine = lay.copy(tmp_path / "counters")
    pv = mine.json["pv"]
    size = [p for p in mine.json["gpt"]["partitions"] if p["start"] == pv["start_sector"]][0]
    _, out, _ = run([tool("losetup"), "-f", "--show", "-o", pv["start_sector"] * SECTOR,
                     "--sizelimit", size["size"] * SECTOR, mine.disk])
    dev = out.strip()
    try:
        for old, new in (("os_1.1.0", "os_1.1.0+0-3"), ("os_1.0.0", "os_1.0.0+2-1")):
            run([tool("lvm"), "lvrename", "--config", LVM_CONF, "--devices", dev, "internal",
                 old, new])
    finally:
        subprocess.run([tool("losetup"), "-d", dev], timeout=30)
    rc, out, err = scan(dm, "list", "--json=short", devices=mine.disk, cert=mine.cert())
    assert (rc, err) == (0, "")
    got = [(i["name"], i["version"], i.get("tries_left"), i.get("tries_done"), i["bootable"])
           for i in json.loads(out)["images"] if i["bootable"]]
    assert got == [("os_1.0.0+2-1", "1.0.0", 2, 1, True), ("os_1.1.0+0-3", "1.1.0", 0, 3, True)]
    rc, out, err = scan(dm, "cmdline", "--format=ddi", devices=mine.disk, cert=mine.cert())
    assert out == "root=ddi:lvm:internal/os_1.0.0+2-1 rd.ddi.roothash=%s\n" % \
        mine.lvs["os_1.0.0"]["root_hash"]
