# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""The boot layout of issue 12, built with the real tools, as a fixture for the tests of
`dmboot boot` (and a script for the benchmark and the demo):

    /usr/bin/python3 tests/e2e/boot_layout.py OUTDIR [--images N | --kinds V,V,...]

OUTDIR receives:
  * trusted.crt/.key and untrusted.crt/.key: self-signed certificates (openssl);
  * images/NAME.raw: one Discoverable Disk Image per OS version, made by systemd-repart
    (test_ddi.py's helpers), each with a squashfs root holding /boot/vmlinuz-V,
    /boot/dtbs/V/board.dtb, /usr/lib/os-release (IMAGE_VERSION=V) and the /etc/os-release
    link, its -verity partition and, unless unsigned, its -verity-sig partition;
  * disk.img: a GPT (sfdisk) with an ESP, a backup ESP (label esp-backup) and one Linux LVM
    partition flagged grow-file-system (GPT attribute 59); on it a PV made by lvm2 on a loop
    device with activation off (test_lvm.py's Images), its label in sector 1, and VG
    `internal` with 1 MiB extents: one linear LV per image, named after it, holding the
    image's bytes (then zeros up to the LV's last extent), the first LV in two segments
    with `data` (ext4) between them, and `swap` (mkswap);
  * layout.json: the disk, the GPT (sfdisk --json), the PV (partno, partuuid, start_sector,
    label_sector, pe_start_sector, sectors, uuid, vg_uuid) and the VG (name,
    extent_sectors), and per LV, in creation order: name, vg, version, verdict (good,
    tampered, unsigned, untrusted, foreign, not-an-image), image_lv, lv_sectors, segments
    ([{lv_sector, sectors, pv_sector, disk_sector}]), dm_table (the table lvm2 loads, over
    disk.img:p3) and kernel_table (the same over PARTUUID=), kernel_name (VG-LV),
    pv_partuuid, pv_partlabel, pv_partno; for an image also architecture, signer,
    root_hash (repart's), root_partuuid, verity_partuuid, sig_partuuid, partitions (repart's
    offsets and sizes in the image), hash_block_bytes, salt, image (images/NAME.raw),
    image_bytes, sha256 (of the bytes in the LV), repart_sha256 (before tampering), tamper
    ({offset, was, now} or null), kernel, dtb (paths in the root) and vmlinuz_sha256,
    dtb_sha256, os_release_sha256; for data and swap fstype and sha256.

The six images are os_1.0.0 and os_1.1.0 (good), os_1.2.0 (signed, then one byte of its
top hash block flipped: the signature verifies, the tree does not), os_1.3.0 (no -verity-sig
partition), os_1.4.0 (signed by the untrusted key) and os_1.5.0 (arm64 partition types).
With --images N they are instead N good images os_1.0.0 ... os_1.0.(N-1); with --kinds
V,V,... (verdicts among good, tampered, unsigned, untrusted and foreign) one image per V,
made as above, named os_1.0.0, os_1.1.0 ... in that order (the demo uses good,good,tampered).

In pytest, `layout(tmp_path_factory)` builds the layout once per session and returns a
Layout; `boot_layout` is a session fixture that does so (import it into a test module:
`from boot_layout import boot_layout`). The built layout is shared: a test that writes to
the disk works on `Layout.copy(tmp_path)`. Everything here needs root (loop devices for
lvm2 and systemd-repart); the build takes a few seconds.
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

try:
    import pytest
except ImportError:                       # a python3 without Debian's python3-pytest
    sys.exit("boot_layout.py needs pytest (python3-pytest): run it with /usr/bin/python3")

from conftest import require, tool
from test_ddi import Kit, repart_root_hash, sh, verity_defs
from test_lvm import Images, expected_table, lv_extents, lvm2_layout, partition_offsets

SECTOR = 512
MiB = 1 << 20
VG = "internal"
EXTENT_MIB = 1

ESP_TYPE = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
LVM_TYPE = "e6d6d379-f507-44c2-a23c-238f2a3df928"
# Fixed UUIDs, so that kernel command lines naming them are known in advance.
DISK_UUID = "8a0e5f6b-1c2d-4e3f-9a0b-1c2d3e4f5a6b"
ESP_UUID = "2d3c4b5a-6978-4e8f-a1b2-c3d4e5f60718"
ESP_BACKUP_UUID = "3e4d5c6b-7a89-4f90-b2c3-d4e5f6071829"
LVM_UUID = "4f5e6d7c-8b9a-4a01-83d4-e5f60718293a"
DATA_UUID = "5a6f7e8d-9cab-4b12-94e5-f6071829304b"
SWAP_UUID = "6b7a8f9e-adbc-4c23-a5f6-071829304a5c"
REPART_SEED = "0e9f8a7b-6c5d-4e3f-a2b1-c0d9e8f7a6b5"
FIXED_TIME = 1700000000          # the mtime of every file in the roots

ESP_MIB = 8
DATA_MIB = 4
SWAP_MIB = 2

# The six kinds: (LV name, expected verdict).
KINDS = [
    ("os_1.0.0", "good"),
    ("os_1.1.0", "good"),
    ("os_1.2.0", "tampered"),
    ("os_1.3.0", "unsigned"),
    ("os_1.4.0", "untrusted"),
    ("os_1.5.0", "foreign"),
]
VERDICTS = ("good", "tampered", "unsigned", "untrusted", "foreign", "not-an-image")
IMAGE_VERDICTS = VERDICTS[:-1]            # the kinds an image can be made as (--kinds)


def version_of(name):
    return name.split("_", 1)[1]


# -- the files in each root ------------------------------------------------------------

def root_files(version):
    """{path in the root: bytes} of an image's regular files; the kernel is a few KiB of
    pseudo-random bytes that depend only on the version."""
    rnd = random.Random("vmlinuz-" + version)
    return {
        "boot/vmlinuz-" + version: b"MZ" + rnd.randbytes(6 * 1024 + len(version)),
        "boot/dtbs/%s/board.dtb" % version: bytes.fromhex("d00dfeed") + rnd.randbytes(1500),
        "usr/lib/os-release": ("ID=dmboot-test\nIMAGE_ID=os\nIMAGE_VERSION=%s\n"
                               % version).encode(),
    }


def make_root(where, version):
    """The root tree of one image; returns root_files(version)."""
    files = root_files(version)
    for name, data in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_bytes(data)
    (where / "etc").mkdir()
    os.symlink("../usr/lib/os-release", where / "etc" / "os-release")
    for dirpath, dirnames, filenames in os.walk(where):
        for n in dirnames + filenames:
            os.utime(Path(dirpath) / n, (FIXED_TIME, FIXED_TIME), follow_symlinks=False)
    return files


# -- keys and images ---------------------------------------------------------------------

def make_keys(out):
    for k in ("trusted", "untrusted"):
        sh("openssl", "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048",
           "-keyout", k + ".key", "-out", k + ".crt", "-subj", "/CN=dmboot test " + k,
           "-days", "30", cwd=out)


def signer(out, key, name):
    """A directory for image name holding KEY as good.key/good.crt, the names
    test_ddi.Kit.repart signs with: a stand-in for a Kit with that key."""
    where = out / "work" / ("repart-" + name)
    where.mkdir(parents=True)
    for ext in ("key", "crt"):
        os.symlink(out / (key + "." + ext), where / ("good." + ext))
    return SimpleNamespace(dir=where)


def image_defs(tree, arch, signed):
    """systemd-repart definitions: squashfs root of arch, its -verity and (signed) its
    -verity-sig partition; the root and verity sizes capped to keep the image small."""
    designator = "root" if arch == "x86-64" else "root-" + arch
    defs = verity_defs(designator, "Format=squashfs\nCopyFiles=%s:/\nSizeMinBytes=2M\n"
                       "SizeMaxBytes=2M" % tree)
    key = [k for k in defs if k.startswith("30-")][0]
    defs[key] += "SizeMinBytes=1M\nSizeMaxBytes=1M\n"
    if not signed:
        del defs[[k for k in defs if k.startswith("40-")][0]]
    return defs


def verity_superblock(raw, offset):
    """(hash block size, salt) of the veritysetup superblock at offset (formats.md)."""
    sb = raw[offset:offset + 512]
    assert sb[:8] == b"verity\0\0", "no verity superblock at %d" % offset
    hash_block = int.from_bytes(sb[68:72], "little")
    salt_size = int.from_bytes(sb[80:82], "little")
    assert hash_block in (512, 1024, 2048, 4096) and salt_size <= 256, (hash_block, salt_size)
    return hash_block, bytes(sb[88:88 + salt_size])


def make_image(out, name, verdict):
    """One DDI: (path, entry for layout.json without the LV fields)."""
    version = version_of(name)
    tree = out / "work" / ("tree-" + name)
    tree.mkdir(parents=True)
    files = make_root(tree, version)
    arch = "arm64" if verdict == "foreign" else "x86-64"
    key = "untrusted" if verdict == "untrusted" else "trusted"
    defs = image_defs(tree, arch, signed=verdict != "unsigned")
    path, report = Kit.repart(signer(out, key, name), name + ".raw", defs)
    raw = bytearray(path.read_bytes())
    designator = "root" if arch == "x86-64" else "root-" + arch
    root_hash = repart_root_hash(report, designator)
    parts = {p["type"]: p for p in report}
    data_p = parts["root-" + arch]
    hash_p = parts[data_p["type"] + "-verity"]
    sig_p = parts.get(data_p["type"] + "-verity-sig")
    hash_block, salt = verity_superblock(raw, hash_p["offset"])
    entry = {
        "repart_sha256": hashlib.sha256(raw).hexdigest(),
        "architecture": arch,
        "signer": None if sig_p is None else key,
        "root_hash": root_hash,
        "root_partuuid": data_p["uuid"],
        "verity_partuuid": hash_p["uuid"],
        "sig_partuuid": None if sig_p is None else sig_p["uuid"],
        "partitions": [{"type": p["type"], "label": p["label"], "uuid": p["uuid"],
                        "offset": p["offset"], "bytes": p["raw_size"]} for p in report],
        "hash_block_bytes": hash_block,
        "salt": salt.hex(),
        "tamper": None,
    }
    if verdict == "tampered":
        # The first block after the superblock is the top of the tree (veritysetup stores
        # the levels top first): the signed root hash no longer matches it.
        at = hash_p["offset"] + hash_block
        entry["tamper"] = {"offset": at, "was": raw[at], "now": raw[at] ^ 0x01}
        raw[at] ^= 0x01
    final = out / "images" / (name + ".raw")
    final.write_bytes(raw)
    path.unlink()
    entry.update({
        "image": "images/%s.raw" % name,
        "image_bytes": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "kernel": "/boot/vmlinuz-" + version,
        "dtb": "/boot/dtbs/%s/board.dtb" % version,
        "vmlinuz_sha256": hashlib.sha256(files["boot/vmlinuz-" + version]).hexdigest(),
        "dtb_sha256": hashlib.sha256(files["boot/dtbs/%s/board.dtb" % version]).hexdigest(),
        "os_release_sha256": hashlib.sha256(files["usr/lib/os-release"]).hexdigest(),
    })
    return entry


def filesystem_blob(out, kind, mib):
    """The bytes of the non-image LVs: an ext4 file system, or a swap area."""
    path = out / "work" / (kind + ".img")
    with open(path, "wb") as f:
        f.truncate(mib * MiB)
    if kind == "data":
        sh("mkfs.ext4", "-q", "-F", "-U", DATA_UUID, "-L", "data",
           "-E", "hash_seed=" + DATA_UUID + ",lazy_itable_init=0", path)
    else:
        sh("mkswap", "-U", SWAP_UUID, "-L", "swap", path)
    blob = path.read_bytes()
    path.unlink()
    return blob


# -- the disk ------------------------------------------------------------------------------

def sfdisk_script(lvm_mib):
    return "\n".join([
        "label: gpt",
        "label-id: " + DISK_UUID,
        "first-lba: 2048",
        'size=%dM, type=%s, uuid=%s, name="esp"' % (ESP_MIB, ESP_TYPE, ESP_UUID),
        'size=%dM, type=%s, uuid=%s, name="esp-backup"' % (ESP_MIB, ESP_TYPE, ESP_BACKUP_UUID),
        'size=%dM, type=%s, uuid=%s, name="internal", attrs="GUID:59"'
        % (lvm_mib, LVM_TYPE, LVM_UUID),
    ]) + "\n"


def lv_mib(nbytes):
    return -(-nbytes // (EXTENT_MIB * MiB)) * EXTENT_MIB


def build_vg(im, entries):
    """pvcreate, vgcreate and the LVs, by lvm2 (activation off); the first image LV is
    grown after `data` is made, so it has two segments."""
    esp, backup, pv = sorted(im.parts, key=lambda d: im.parts[d])
    for dev, label in ((esp, "ESP"), (backup, "ESPBACKUP")):
        sh("mkfs.vfat", "-n", label, "-i", "12345678", dev)
    im.lvm("pvcreate", "--labelsector", "1", pv)
    im.lvm("vgcreate", "-s", "%dm" % EXTENT_MIB, VG, pv)
    first = entries[0]
    size = lv_mib(first["image_bytes"])
    assert size >= 2 * EXTENT_MIB, "the first image must span two extents to be split"
    half = size // 2

    def create(name, mib):
        im.lvm("lvcreate", "-an", "-Zn", "-Wn", "-L", "%dm" % mib, "-n", name, VG)

    create(first["name"], half)
    create("data", DATA_MIB)
    im.lvm("lvextend", "-L", "+%dm" % (size - half), "%s/%s" % (VG, first["name"]))
    for e in entries[1:]:
        create(e["name"], lv_mib(e["image_bytes"]))
    create("swap", SWAP_MIB)


def write_lvs(im, blobs):
    """Each LV's bytes written at its physical extents, as lvm2 reports them; returns the
    segments per LV ([{lv_sector, sectors, pv_sector, disk_sector}]), the table lvm2
    loads for each (over disk.img:p3), pe_start and the extent size (sectors)."""
    lvs, pe_start, es = lvm2_layout(im, VG)
    parts = partition_offsets(im)
    pv = next(iter(pe_start))
    segments, tables = {}, {}
    for name, segs in lvs.items():
        tables[name] = expected_table(segs, pe_start, es)
        assert all(s[2] == "linear" for s in segs), (name, segs)
        segments[name] = [{"lv_sector": start * es, "sectors": count * es,
                           "pv_sector": pe_start[areas[0][0]] + areas[0][1] * es,
                           "disk_sector": parts[pv][1] + pe_start[areas[0][0]]
                           + areas[0][1] * es}
                          for start, count, _, areas, _ in segs]
        ext = lv_extents(segs, pe_start, es, parts)
        blob = blobs[name] + bytes(ext.size - len(blobs[name]))
        with open(im.dir / "disk.img", "r+b") as f:
            pos = 0
            for fname, off, n in ext.pieces(0, ext.size):
                assert fname == "disk.img"
                f.seek(off)
                f.write(blob[pos:pos + n])
                pos += n
    return segments, tables, pe_start[pv], es


def pv_facts(im):
    _, out, _ = im.lvm("pvs", "--reportformat", "json", "--units", "s", "--nosuffix",
                       "-o", "pv_name,pv_uuid,vg_name,vg_uuid,pe_start,pv_size")
    row = json.loads(out)["report"][0]["pv"][0]
    return {"uuid": row["pv_uuid"], "vg_uuid": row["vg_uuid"],
            "sectors": int(row["pv_size"])}


def kinds_of(images=None, kinds=None):
    """The (LV name, verdict) list to build: the six kinds, N good images, or one image
    per verdict in kinds, named os_1.0.0, os_1.1.0 ..."""
    if kinds is not None:
        assert images is None and kinds and all(v in IMAGE_VERDICTS for v in kinds), kinds
        return [("os_1.%d.0" % i, v) for i, v in enumerate(kinds)]
    return KINDS if images is None else [("os_1.0.%d" % i, "good") for i in range(images)]


def build(out, images=None, kinds=None):
    """Build the layout in out (which must be empty or missing); returns layout.json's
    content.  images=None: the six kinds; images=N: N good images; kinds=[verdict, ...]:
    one image per verdict (kinds_of)."""
    require(os.geteuid() == 0, "the boot layout needs root (loop devices)")
    require(all(tool(t) for t in ("lvm", "losetup", "sfdisk", "systemd-repart", "mkswap",
                                  "mkfs.ext4", "mkfs.vfat", "openssl")),
            "the boot layout needs lvm2, util-linux, systemd-repart, e2fsprogs, dosfstools "
            "and openssl (scripts/install-deps.sh installs them)")
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    (out / "images").mkdir()
    make_keys(out)
    entries, blobs = [], {}
    for name, verdict in kinds_of(images, kinds):
        e = {"name": name, "version": version_of(name), "verdict": verdict}
        e.update(make_image(out, name, verdict))
        entries.append(e)
        blobs[name] = (out / e["image"]).read_bytes()
    blobs["data"] = filesystem_blob(out, "data", DATA_MIB)
    blobs["swap"] = filesystem_blob(out, "swap", SWAP_MIB)

    lvm_mib = sum(lv_mib(e["image_bytes"]) for e in entries) + DATA_MIB + SWAP_MIB + 2
    im = Images(out)
    try:
        im.image("disk.img", 1 + 2 * ESP_MIB + lvm_mib + 1, sfdisk_script(lvm_mib))
        build_vg(im, entries)
        pv = pv_facts(im)
        segments, tables, pe_start, es = write_lvs(im, blobs)
    finally:
        im.detach()

    gpt = json.loads(sh("sfdisk", "--json", "disk.img", cwd=out))["partitiontable"]
    lvm_part = [p for p in gpt["partitions"] if p["type"].lower() == LVM_TYPE][0]
    lvs = []
    for e in entries:
        lvs.append(dict(e, image_lv=True, lv_sectors=sum(s["sectors"]
                                                        for s in segments[e["name"]])))
    for name, fstype in (("data", "ext4"), ("swap", "swap")):
        lvs.append({"name": name, "version": None, "verdict": "not-an-image",
                    "image_lv": False, "fstype": fstype,
                    "sha256": hashlib.sha256(blobs[name]).hexdigest(),
                    "lv_sectors": sum(s["sectors"] for s in segments[name])})
    for lv in lvs:
        partuuid = "PARTUUID=" + lvm_part["uuid"].lower()
        lv.update({"vg": VG, "segments": segments[lv["name"]],
                   "dm_table": tables[lv["name"]],
                   "kernel_table": tables[lv["name"]].replace("disk.img:p3", partuuid),
                   "pv_partuuid": lvm_part["uuid"].lower(),
                   "pv_partlabel": lvm_part["name"], "pv_partno": 3,
                   "kernel_name": "%s-%s" % (VG.replace("-", "--"),
                                             lv["name"].replace("-", "--"))})
    layout = {
        "disk": "disk.img",
        "disk_bytes": (out / "disk.img").stat().st_size,
        "disk_uuid": DISK_UUID,
        "gpt": gpt,
        "trusted_cert": "trusted.crt",
        "untrusted_cert": "untrusted.crt",
        "pv": {"partno": 3, "partuuid": lvm_part["uuid"].lower(),
               "start_sector": lvm_part["start"], "label_sector": 1,
               "pe_start_sector": pe_start, **pv},
        "vg": {"name": VG, "extent_sectors": es},
        "lvs": lvs,
    }
    shutil.rmtree(out / "work")
    (out / "layout.json").write_text(json.dumps(layout, indent=1, sort_keys=True) + "\n")
    return layout


# -- using a built layout ---------------------------------------------------------------

class Layout:
    """A built layout: its directory, layout.json's content, and what tests read from it."""

    def __init__(self, where):
        self.dir = Path(where)
        self.json = json.loads((self.dir / "layout.json").read_text())
        self.disk = self.dir / self.json["disk"]
        self.lvs = {lv["name"]: lv for lv in self.json["lvs"]}

    def path(self, name):
        return self.dir / name

    def copy(self, where):
        """A private copy (disk, certificates, keys and layout.json, not images/) in where,
        for a test that writes to the disk; the shared one stays as built."""
        where = Path(where)
        where.mkdir(parents=True, exist_ok=True)
        for name in ("layout.json", self.json["disk"], "trusted.crt", "trusted.key",
                     "untrusted.crt", "untrusted.key"):
            shutil.copyfile(self.dir / name, where / name)
        return Layout(where)

    def cert(self, which="trusted"):
        return self.dir / (which + ".crt")

    def images(self, verdict=None):
        """The image LVs (with that verdict), in the order they were made."""
        return [lv for lv in self.json["lvs"]
                if lv["image_lv"] and verdict in (None, lv["verdict"])]

    def read_lv(self, name):
        """An LV's bytes, read at its segments straight from disk.img."""
        out = bytearray()
        with open(self.disk, "rb") as f:
            for s in self.lvs[name]["segments"]:
                f.seek(s["disk_sector"] * SECTOR)
                out += f.read(s["sectors"] * SECTOR)
        return bytes(out)


def layout(tmp_path_factory, images=None):
    """The layout, built once per pytest session (per value of images)."""
    where = tmp_path_factory.getbasetemp() / ("boot-layout" if images is None
                                              else "boot-layout-%d" % images)
    if not (where / "layout.json").exists():
        build(where, images)
    return Layout(where)


@pytest.fixture(scope="session")
def boot_layout(tmp_path_factory):
    """The six-kind layout (module docstring), built once per session."""
    return layout(tmp_path_factory)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Build the boot layout of issue 12.")
    ap.add_argument("outdir")
    ap.add_argument("--images", type=int, metavar="N",
                    help="N good images os_1.0.0 ... instead of the six kinds")
    ap.add_argument("--kinds", metavar="V,V,...",
                    help="one image per verdict (%s), os_1.0.0, os_1.1.0 ... instead of "
                    "the six kinds" % ", ".join(IMAGE_VERDICTS))
    args = ap.parse_args(argv)
    if args.images is not None and not 1 <= args.images <= 64:
        ap.error("--images takes 1 to 64")
    kinds = None
    if args.kinds is not None:
        if args.images is not None:
            ap.error("--images and --kinds exclude each other")
        kinds = args.kinds.split(",")
        bad = [v for v in kinds if v not in IMAGE_VERDICTS]
        if bad or not 1 <= len(kinds) <= 64:
            ap.error("--kinds takes 1 to 64 of %s, comma-separated%s"
                     % (", ".join(IMAGE_VERDICTS), ", not %r" % bad[0] if bad else ""))
    out = Path(args.outdir)
    if out.exists() and any(out.iterdir()):
        ap.error("%s is not empty" % out)
    layout_json = build(out, args.images, kinds)
    for lv in layout_json["lvs"]:
        print("%-10s %-13s %s" % (lv["name"], lv["verdict"], lv.get("root_hash") or "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
