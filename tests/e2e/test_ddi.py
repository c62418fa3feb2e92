# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`dmboot ddi` end to end (docs/ddi.md): Discoverable Disk Images made at
test time, compared with systemd-dissect (systemd 252), opened, read through
dm-verity, refused for each kind of bad signature, and handed to the kernel
as a dm-mod.create= line.

Images come from two makers:
  * systemd-repart with Verity=data/hash/signature, a test key and
    certificate: a squashfs root with an ESP; an erofs root (CopyBlocks= of
    an image from mkfs.erofs, since repart 252 cannot make erofs) with an
    ext4 /home; a plain root with a verity-protected /usr;
  * by hand: mksquashfs or mkfs.erofs, `veritysetup format` (hash offset 0,
    with a superblock), sfdisk with the DPS type GUIDs and the partition
    UUIDs the root hash gives, `openssl cms -sign -binary -noattr -outform DER`
    (and with the certificate and signed attributes), and the -verity-sig
    JSON written here -- which also makes every malformed variant.

`inspect --json` must agree with `systemd-dissect --json=short` on
designators, partition UUIDs, labels, flags, file systems and architectures
(systemd-dissect needs loop devices, so root), and name the root hash the
image maker reported.  The root mapped by `open` must yield the known files
through unsquashfs and fsck.erofs --extract; a flipped byte in a data block
or in the hash tree must fail the reads that meet it while other ranges
still read.  The image files are made once per module and shared by the
tests that only read them.

Every test runs against build/dmboot and build/asan/dmboot (the `dm`
fixture); any sanitizer report fails the test.
"""
import base64
import hashlib
import json
import os
import random
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import require, tool

SECTOR = 512
MiB = 1 << 20

ROOT_X86_64 = "4f68bce3-e8cd-4db1-96e7-fbcaf984b709"
ROOT_ARM64 = "b921b045-1df0-41c3-af44-4c6f280d3fae"
ROOT_VERITY_X86_64 = "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5"
ROOT_VERITY_SIG_X86_64 = "41092b05-9fc8-4523-994f-2def0408b176"
ROOT_VERITY_ARM64 = "df3300ce-d69f-4c92-978c-9bfb0f38d820"
ESP = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
HOME = "933ac7e1-2eb4-4f13-b844-0e14e2aef915"
SWAP = "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f"

# Exit status of dmboot ddi (docs/ddi.md).
IMAGE, NOTFOUND, BUSY = 2, 4, 5
UNTRUSTED, BADSIG, UUID, MALFORMED, UNSIGNED = 10, 11, 12, 13, 14

# The keys a systemd-dissect row is compared on (node differs by design).
SD_KEYS = ("rw", "designator", "partition_uuid", "partition_label", "fstype",
           "architecture", "verity", "growfs", "partno")


TOOLS = {n: tool(n) for n in ("systemd-repart", "systemd-dissect", "sfdisk", "veritysetup",
                               "mksquashfs", "unsquashfs", "mkfs.erofs", "fsck.erofs",
                               "openssl", "mkfs.vfat", "mkfs.ext4")}

require(all(v is not None for v in TOOLS.values()),
        "needs %s (scripts/install-deps.sh installs them)"
        % ", ".join(k for k, v in TOOLS.items() if v is None))


def need_root():
    require(os.geteuid() == 0, "systemd-repart and systemd-dissect need loop devices")


@pytest.fixture
def as_root():
    need_root()


NEED_ROOT = pytest.mark.usefixtures("as_root")


def sh(*argv, cwd=None, input=None):
    argv = (TOOLS.get(argv[0]) or tool(argv[0]) or argv[0],) + argv[1:]
    p = subprocess.run([str(a) for a in argv], cwd=cwd and str(cwd), input=input,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert p.returncode == 0, "%s: rc=%d\n%s" % (argv, p.returncode, p.stderr.decode())
    return p.stdout


# -- the files the images hold ----------------------------------------------------

def make_tree(where, seed):
    """A root tree: a kernel and a DTB under /boot, a text file, and two random
    files big enough that the data spans several leaf hash blocks."""
    rnd = random.Random(seed)
    files = {
        "boot/vmlinuz": b"MZ" + rnd.randbytes(300 * 1024),
        "boot/dtbs/board.dtb": bytes.fromhex("d00dfeed") + rnd.randbytes(2000),
        "hello.txt": b"hello from a discoverable disk image\n" * 20,
        "big.bin": rnd.randbytes(MiB),
        "other.bin": rnd.randbytes(128 * 1024),
    }
    for name, data in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_bytes(data)
    (where / "usr").mkdir()           # where a /usr partition is mounted
    return files


def flip_first(hexstr):
    """Another hex string of the same length."""
    return ("0" if hexstr[0] != "0" else "1") + hexstr[1:]


def uuid_of(hexstr):
    return "%s-%s-%s-%s-%s" % (hexstr[:8], hexstr[8:12], hexstr[12:16], hexstr[16:20],
                               hexstr[20:32])


class Kit:
    """Keys, trees and images shared by the module's tests."""

    def __init__(self, base):
        self.dir = Path(base)
        self.tree = self.dir / "tree"
        self.tree.mkdir()
        self.files = make_tree(self.tree, 5)
        self.usr_tree = self.dir / "usrtree"
        self.usr_tree.mkdir()
        self.usr_files = {"lib/os-release": b"ID=dmboot-test\n",
                          "bin/tool": random.Random(6).randbytes(64 * 1024)}
        for name, data in self.usr_files.items():
            (self.usr_tree / name).parent.mkdir(parents=True, exist_ok=True)
            (self.usr_tree / name).write_bytes(data)
        for k in ("good", "other"):
            sh("openssl", "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048",
               "-keyout", k + ".key", "-out", k + ".crt", "-subj", "/CN=" + k, "-days", "2",
               cwd=self.dir)
        der = sh("openssl", "x509", "-in", "good.crt", "-outform", "DER", cwd=self.dir)
        self.good_fp = hashlib.sha256(der).hexdigest()
        self.cache = {}
        self.dissected = {}

    def cert(self, name):
        return str(self.dir / (name + ".crt"))

    def once(self, key, fn):
        if key not in self.cache:
            self.cache[key] = fn()
        return self.cache[key]

    # -- pieces -----------------------------------------------------------------
    def fs_image(self, fs, tree, name):
        out = self.dir / name
        if fs == "squashfs":
            sh("mksquashfs", tree, out, "-noappend", "-quiet", "-all-root", "-no-xattrs",
               "-mkfs-time", "0", "-all-time", "0")
        else:
            sh("mkfs.erofs", "--quiet", "--all-root", "-T0", out, tree)
        return out

    def verity(self, data_path):
        """veritysetup format into a separate hash file (offset 0, superblock):
        returns (hash file, root hash)."""
        hash_path = Path(str(data_path) + ".verity")
        out = sh("veritysetup", "format", data_path, hash_path).decode()
        root = [ln.split()[-1] for ln in out.splitlines() if ln.startswith("Root hash:")][0]
        return hash_path, root

    def sign(self, text, key="good", extra=("-nocerts", "-noattr")):
        src = self.dir / ("sign-%s.txt" % hashlib.sha1(text.encode()).hexdigest())
        src.write_text(text)
        return sh("openssl", "cms", "-sign", "-binary", *extra, "-in", src,
                  "-inkey", key + ".key", "-signer", key + ".crt", "-outform", "DER",
                  cwd=self.dir)

    def sig_part(self, root_hash, der, fingerprint=True, raw=None):
        """The -verity-sig partition content: JSON padded with NULs to 4 KiB."""
        if raw is None:
            obj = {"rootHash": root_hash}
            if fingerprint:
                obj["certificateFingerprint"] = self.good_fp
            obj["signature"] = base64.b64encode(der).decode()
            raw = json.dumps(obj, separators=(",", ":")).encode()
        return raw + b"\0" * (-len(raw) % 4096)

    # -- disks --------------------------------------------------------------------
    def disk(self, path, parts):
        """A GPT disk from parts: dicts with type, uuid, name, data (bytes or a
        path), size (bytes, optional), attrs (optional).  Each partition
        starts on a MiB boundary, in the order given."""
        start = MiB
        lines = ["label: gpt", "first-lba: 2048"]
        placed = []
        for p in parts:
            data = p["data"]
            if isinstance(data, Path):
                data = data.read_bytes()
            size = max(p.get("size", 0), len(data))
            size += -size % MiB
            line = "start=%d, size=%d, type=%s" % (start // SECTOR, size // SECTOR, p["type"])
            if p.get("uuid"):
                line += ", uuid=" + p["uuid"]
            if p.get("name"):
                line += ', name="%s"' % p["name"]
            if p.get("attrs"):
                line += ', attrs="%s"' % p["attrs"]
            lines.append(line)
            placed.append((start, data))
            start += size
        with open(path, "wb") as f:
            f.truncate(start + MiB)
            for off, data in placed:
                f.seek(off)
                f.write(data)
        sh("sfdisk", "-q", "--no-reread", "--no-tell-kernel", "--wipe", "never", path,
           input=("\n".join(lines) + "\n").encode())
        return path

    def hand(self, name, fs="squashfs", sig="good", root_hash_json=None, signed_text=None,
             key="good", extra=("-nocerts", "-noattr"), raw_json=None, extra_parts=()):
        """A DDI made by hand: root (fs), root-verity and, unless sig is None,
        root-verity-sig.  The pieces are cached; root_hash_json, signed_text,
        key, extra and raw_json make the malformed variants."""
        data, hash_path, root = self.once(("verity", fs), lambda: self._verity_fs(fs))
        parts = [
            {"type": ROOT_X86_64, "uuid": uuid_of(root[:32]), "name": "root-x86-64",
             "data": data},
            {"type": ROOT_VERITY_X86_64, "uuid": uuid_of(root[-32:]),
             "name": "root-x86-64-verity", "data": hash_path, "attrs": "GUID:60"},
        ]
        if sig is not None:
            text = signed_text if signed_text is not None else (root_hash_json or root)
            der = self.sign(text, key, extra) if raw_json is None else b""
            parts.append({"type": ROOT_VERITY_SIG_X86_64, "name": "root-x86-64-verity-sig",
                          "uuid": "6f9d2c1e-5a4b-4c3d-8e7f-0a1b2c3d4e5f", "attrs": "GUID:60",
                          "data": self.sig_part(root_hash_json or root, der, raw=raw_json)})
        parts.extend(extra_parts)
        return self.disk(self.dir / name, parts), root

    def _verity_fs(self, fs):
        data = self.fs_image(fs, self.tree, "hand-%s.img" % fs)
        hash_path, root = self.verity(data)
        return data, hash_path, root

    def repart(self, name, defs):
        """An image from systemd-repart definitions (name -> text); returns
        (image, repart's JSON)."""
        ddir = self.dir / (name + ".d")
        ddir.mkdir()
        for fname, text in defs.items():
            (ddir / fname).write_text(text)
        out = sh("systemd-repart", "--definitions", ddir, "--empty=create", "--size=auto",
                 "--dry-run=no", "--private-key", self.dir / "good.key",
                 "--certificate", self.dir / "good.crt", "--json=short",
                 "--seed", "0e9f8a7b-6c5d-4e3f-a2b1-c0d9e8f7a6b5", self.dir / name)
        return self.dir / name, json.loads(out)

    def dissect(self, image):
        """systemd-dissect --json=short of an image, once per image."""
        if image not in self.dissected:
            self.dissected[image] = json.loads(sh("systemd-dissect", "--json=short", image))
        return self.dissected[image]


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return Kit(tmp_path_factory.mktemp("ddi"))


# -- the images -----------------------------------------------------------------------

def verity_defs(designator, copy):
    return {
        "20-%s.conf" % designator: "[Partition]\nType=%s\n%s\nVerity=data\nVerityMatchKey=%s\n"
        % (designator, copy, designator),
        "30-%s-verity.conf" % designator: "[Partition]\nType=%s-verity\nVerity=hash\n"
        "VerityMatchKey=%s\n" % (designator, designator),
        "40-%s-verity-sig.conf" % designator: "[Partition]\nType=%s-verity-sig\n"
        "Verity=signature\nVerityMatchKey=%s\n" % (designator, designator),
    }


def repart_squashfs(kit):
    def make():
        defs = verity_defs("root", "Format=squashfs\nCopyFiles=%s:/" % kit.tree)
        defs["10-esp.conf"] = "[Partition]\nType=esp\nFormat=vfat\nSizeMinBytes=2M\n"
        return kit.repart("repart-squashfs.raw", defs)
    return kit.once("repart-squashfs", make)


def repart_erofs(kit):
    def make():
        erofs = kit.fs_image("erofs", kit.tree, "repart-root.erofs")
        defs = verity_defs("root", "CopyBlocks=%s" % erofs)
        defs["50-home.conf"] = "[Partition]\nType=home\nFormat=ext4\nSizeMinBytes=8M\n"
        return kit.repart("repart-erofs.raw", defs)
    return kit.once("repart-erofs", make)


def repart_usr(kit):
    def make():
        defs = verity_defs("usr", "Format=squashfs\nCopyFiles=%s:/" % kit.usr_tree)
        defs["10-root.conf"] = "[Partition]\nType=root\nFormat=squashfs\nCopyFiles=%s:/\n" \
            % kit.tree
        return kit.repart("repart-usr.raw", defs)
    return kit.once("repart-usr", make)


def repart_root_hash(report, designator):
    for p in report:
        if p["type"].startswith(designator + "-") and p["type"].endswith("-verity") \
                and p["roothash"]:
            return p["roothash"]
    raise AssertionError("repart reported no root hash for " + designator)


def ddi(dm, *args, **kw):
    """`dmboot ddi ARGS...` -> (rc, stdout, stderr)."""
    return dm.exec([dm.binary, "ddi", *args], **kw)


def ddi_ok(dm, *args, **kw):
    rc, out, err = ddi(dm, *args, **kw)
    assert (rc, err) == (0, ""), "ddi %s: rc=%d stderr=%r" % (args, rc, err)
    return out


def refused(dm, code, *args):
    """A refusal: the exit status, one line on stderr, nothing on stdout, no device."""
    rc, out, err = ddi(dm, *args)
    assert rc == code, "ddi %s: rc=%d stderr=%r" % (args, rc, err)
    assert out == "" and err.endswith("\n") and err.count("\n") == 1, (out, err)
    dm.assert_no_devices()
    return err[:-1]


def inspect_json(dm, image, *opts):
    return json.loads(ddi_ok(dm, "inspect", "--json=short", image, *opts))


def by_designator(report):
    return {m["designator"]: m for m in report["mounts"]}


def sfdisk_parts(image):
    t = json.loads(sh("sfdisk", "--json", image))["partitiontable"]
    return {p["uuid"].lower(): int(p["node"][len(str(image)):]) for p in t["partitions"]}


# -- inspect against systemd-dissect ---------------------------------------------------

IMAGES = {
    "repart-squashfs": lambda kit: (repart_squashfs(kit)[0],
                                    repart_root_hash(repart_squashfs(kit)[1], "root")),
    "repart-erofs": lambda kit: (repart_erofs(kit)[0],
                                 repart_root_hash(repart_erofs(kit)[1], "root")),
    "repart-usr": lambda kit: (repart_usr(kit)[0],
                               repart_root_hash(repart_usr(kit)[1], "usr")),
    "hand-squashfs": lambda kit: kit.once("hand-sq", lambda: kit.hand("hand-squashfs.raw")),
    "hand-erofs": lambda kit: kit.once("hand-ero", lambda: kit.hand("hand-erofs.raw",
                                                                    fs="erofs")),
    "hand-cert-attrs": lambda kit: kit.once("hand-ca", lambda: kit.hand(
        "hand-cert-attrs.raw", extra=())),
}


@NEED_ROOT
@pytest.mark.parametrize("which", sorted(IMAGES))
def test_inspect_agrees_with_systemd_dissect(dm, kit, which):
    image, root_hash = IMAGES[which](kit)
    ours = inspect_json(dm, image, "--trusted-cert", kit.cert("good"))
    theirs = kit.dissect(image)
    assert ours["name"] == theirs["name"] and ours["size"] == theirs["size"]
    assert [m["designator"] for m in ours["mounts"]] == \
        [m["designator"] for m in theirs["mounts"]]
    for a, b in zip(ours["mounts"], theirs["mounts"]):
        if which == "repart-usr" and a["designator"] == "usr":
            # systemd 252 reads a -verity-sig partition only for root unless told
            # otherwise (later versions read usr's too); dmboot reads both.
            assert (a["verity"], b["verity"]) == ("signed", "no")
            b = dict(b, verity="signed")
        assert {k: a[k] for k in SD_KEYS} == {k: b[k] for k in SD_KEYS}
        assert a["node"] == "%s:p%d" % (image, a["partno"])
    data = "usr" if which == "repart-usr" else "root"
    row = by_designator(ours)[data]
    assert (row["verity"], row["roothash"], row["signature"], row["signature_error"]) == \
        ("signed", root_hash, "verified", None)
    # The other forms say the same.
    pretty = ddi_ok(dm, "inspect", "--json", image, "--trusted-cert", kit.cert("good"))
    assert json.loads(pretty) == ours and pretty.startswith('{\n\t"name" : ')
    assert json.loads(ddi_ok(dm, "inspect", "--json=pretty", image, "--trusted-cert",
                             kit.cert("good"))) == ours


@NEED_ROOT
def test_inspect_text_agrees_with_systemd_dissect(dm, kit):
    image, root_hash = IMAGES["repart-squashfs"](kit)
    ours = ddi_ok(dm, "inspect", image, "--trusted-cert", kit.cert("good")).splitlines()
    theirs = sh("systemd-dissect", "--no-pager", image).decode().splitlines()
    assert ours[:2] == theirs[:2]            # Name, Size
    assert ours[2:5] == [" Root Hash: " + root_hash,
                         " Signature: verified (root-verity-sig partition 4)", ""]
    head = theirs.index(next(ln for ln in theirs if ln.startswith("RW ")))
    ours_t, theirs_t = ours[5:], theirs[head:]
    assert len(ours_t) == len(theirs_t)
    for a, b in zip(ours_t, theirs_t):       # the same cells; NODE differs
        a, b = a.split(), b.split()
        node = -2 if a[0] != "RW" else -1
        assert a[:node] == b[:node] and a[-1] == b[-1], (a, b)


def test_inspect_shows_a_bad_signature(dm, kit):
    """inspect records signature failures instead of stopping at them."""
    image, root = kit.once("hand-sq", lambda: kit.hand("hand-squashfs.raw"))
    row = by_designator(inspect_json(dm, image, "--trusted-cert", kit.cert("other")))["root"]
    assert (row["verity"], row["roothash"], row["signature"], row["rw"]) == \
        ("signed", root, "untrusted", "ro")
    assert "signer CN = good is not a trusted certificate" in row["signature_error"] or \
        "is not a trusted certificate" in row["signature_error"]
    text = ddi_ok(dm, "inspect", image, "--trusted-cert", kit.cert("other"))
    assert " Signature: NOT VERIFIED: root-verity-sig partition 3: " in text
    # No signature partition: the verity partition is there, the root hash unknown.
    image, _ = kit.once("hand-nosig", lambda: kit.hand("hand-nosig.raw", sig=None))
    row = by_designator(inspect_json(dm, image))["root"]
    assert (row["verity"], row["roothash"], row["signature"]) == ("no", None, None)
    row = by_designator(inspect_json(dm, image, "--root-hash", root))["root"]
    assert (row["verity"], row["roothash"], row["signature"]) == ("yes", root, None)
    assert "Root Hash: unknown" in ddi_ok(dm, "inspect", image)


def test_choice_among_candidates(dm, kit):
    """The native architecture first, then the highest version in the label;
    no-auto partitions are skipped; --architecture changes the native one."""
    # Roots hold a file system: systemd-dissect mounts the root it chose.
    small = kit.once("small-fs", lambda: kit.fs_image("squashfs", kit.usr_tree, "small.sqfs"))
    blob = lambda n: small if n <= 4 else random.Random(n).randbytes(8192)  # noqa: E731
    parts = [
        {"type": ROOT_X86_64, "name": "os_1.10", "data": blob(1),
         "uuid": "10000000-0000-4000-8000-000000000001"},
        {"type": ROOT_X86_64, "name": "os_1.9", "data": blob(2),
         "uuid": "10000000-0000-4000-8000-000000000002"},
        {"type": ROOT_X86_64, "name": "os_2.0", "data": blob(3), "attrs": "GUID:63",
         "uuid": "10000000-0000-4000-8000-000000000003"},
        {"type": ROOT_ARM64, "name": "os_9", "data": blob(4),
         "uuid": "10000000-0000-4000-8000-000000000004"},
        {"type": HOME, "name": "home\\x07a", "data": blob(5), "attrs": "GUID:59,60",
         "uuid": "10000000-0000-4000-8000-000000000005"},
        {"type": HOME, "name": "home-b", "data": blob(6),
         "uuid": "10000000-0000-4000-8000-000000000006"},
        {"type": SWAP, "name": "swäp ✓", "data": blob(7), "attrs": "GUID:59,60",
         "uuid": "10000000-0000-4000-8000-000000000007"},
    ]
    image = kit.once("choice", lambda: kit.disk(kit.dir / "choice.raw", parts))
    rows = by_designator(inspect_json(dm, image))
    assert (rows["root"]["partition_label"], rows["root"]["architecture"]) == \
        ("os_1.10", "x86-64")
    assert (rows["home"]["partition_label"], rows["home"]["rw"], rows["home"]["growfs"]) == \
        ("home\x07a", "ro", False)
    assert (rows["swap"]["rw"], rows["swap"]["growfs"]) == ("rw", False)
    # The table's columns line up, whatever UTF-8 a label holds.
    lines = ddi_ok(dm, "inspect", image).splitlines()
    table = lines[lines.index("") + 1:]
    assert table[0].startswith("RW DESIGNATOR ") and "swäp ✓" in table[-1]
    assert " home\\x07a " in table[2]     # a control character is shown escaped
    assert len({ln.index(" NODE" if i == 0 else " %s:p" % image) for i, ln in
                enumerate(table)}) == 1
    rows = by_designator(inspect_json(dm, image, "--architecture", "arm64"))
    assert (rows["root"]["partition_label"], rows["root"]["architecture"]) == ("os_9", "arm64")
    if os.geteuid() == 0:
        theirs = by_designator(kit.dissect(image))
        assert theirs["root"]["partition_label"] == "os_1.10"
        assert theirs["home"]["partition_label"] == "home\x07a"


@NEED_ROOT
def test_4096_byte_sectors(dm, kit):
    """A DDI with 4096-byte sectors (made on a loop device with that sector
    size) is read as one: the sector size comes from where "EFI PART" sits."""
    data, hash_path, root = kit.once(("verity", "squashfs"), lambda: kit._verity_fs("squashfs"))
    sig = kit.sig_part(root, kit.sign(root))
    img = dm.cwd / "disk4k.raw"
    with open(img, "wb") as f:
        f.truncate(16 * MiB)
    loop = sh("losetup", "-f", "--show", "--sector-size", "4096", img).decode().strip()
    try:
        script = "label: gpt\n" + "".join(
            "start=%d, size=%d, type=%s, uuid=%s, name=%s\n" % (start, size, t, u, n)
            for start, size, t, u, n in [
                (256, 1024, ROOT_X86_64, uuid_of(root[:32]), "root-x86-64"),
                (1280, 256, ROOT_VERITY_X86_64, uuid_of(root[-32:]), "root-x86-64-verity"),
                (1536, 16, ROOT_VERITY_SIG_X86_64, "6f9d2c1e-5a4b-4c3d-8e7f-0a1b2c3d4e5f",
                 "root-x86-64-verity-sig")])
        sh("sfdisk", "-q", "--no-reread", "--no-tell-kernel", loop, input=script.encode())
    finally:
        subprocess.run([tool("losetup") or "losetup", "-d", loop])
    with open(img, "r+b") as f:
        for lba, blob in ((256, data.read_bytes()), (1280, hash_path.read_bytes()), (1536, sig)):
            f.seek(lba * 4096)
            f.write(blob)
    row = by_designator(inspect_json(dm, "disk4k.raw", "--trusted-cert", kit.cert("good")))
    assert (row["root"]["signature"], row["root"]["roothash"]) == ("verified", root)
    ddi_ok(dm, "open", "disk4k.raw", "--trusted-cert", kit.cert("good"), "--require-signature")
    assert dm.read("root") == data.read_bytes()
    ddi_ok(dm, "close", "disk4k.raw")
    dm.assert_no_devices()


SRV = "3b8f8425-20e0-4f3b-907f-1a25a76f98e8"
TMP = "7ec6f557-3bc5-4aca-b293-16ef5df639d1"

# The ext family as mke2fs makes it: (designator, type GUID, mkfs command).
EXT_FAMILY = (
    ("root", ROOT_X86_64, ("mkfs.ext2", "-q", "-F")),
    ("home", HOME, ("mkfs.ext3", "-q", "-F")),
    ("srv", SRV, ("mkfs.ext4", "-q", "-F")),
    ("tmp", TMP, ("mkfs.ext4", "-q", "-F", "-O", "journal_dev", "-b", "4096")),
)


def test_ext_family_named_as_blkid_names_it(dm, kit):
    """ext2, ext3, ext4 and an external journal, each made by mke2fs into a
    partition, are named as blkid and systemd-dissect name them."""
    img = dm.cwd / "ext.raw"
    with open(img, "wb") as f:
        f.truncate(40 * MiB)
    script = "label: gpt\n" + "".join(
        "start=%d, size=%d, type=%s\n" % ((1 + 8 * i) * MiB // SECTOR, 8 * MiB // SECTOR, t)
        for i, (_, t, _) in enumerate(EXT_FAMILY))
    sh("sfdisk", "-q", img, input=script.encode())
    blkid = {}
    for i, (name, _, mkfs) in enumerate(EXT_FAMILY):
        fs = dm.cwd / ("%s.fs" % name)
        with open(fs, "wb") as f:
            f.truncate(8 * MiB)
        sh(*mkfs, fs)
        blkid[name] = sh("blkid", "-p", "-o", "value", "-s", "TYPE", fs).decode().strip()
        with open(img, "r+b") as f:
            f.seek((1 + 8 * i) * MiB)
            f.write(fs.read_bytes())
    assert blkid == {"root": "ext2", "home": "ext3", "srv": "ext4", "tmp": "jbd"}
    ours = by_designator(inspect_json(dm, "ext.raw"))
    assert {d: ours[d]["fstype"] for d in blkid} == blkid
    if os.geteuid() == 0:
        theirs = by_designator(json.loads(sh("systemd-dissect", "--json=short", img)))
        assert {d: theirs[d]["fstype"] for d in blkid} == blkid


LINUX_GENERIC = "0fc63daf-8483-4772-8e79-3d69d8477de4"
USR_X86_64 = "8484680c-9521-48c6-9c11-b0720656f69e"

# Images without a root partition type, as sfdisk scripts (start and size in MiB):
# the generic-root fallback, and MBR with systemd's two MBR types.
GENERIC_IMAGES = {
    "gpt-generic": "label: gpt\n"
                   "1 8 type=%s\n"
                   "9 8 type=%s\n" % (LINUX_GENERIC, HOME),
    "gpt-generic-flags": "label: gpt\n"
                         "1 8 type=%s, attrs=\"GUID:63\"\n"          # no-auto: skipped
                         "9 8 type=%s, attrs=\"GUID:59,GUID:60\"\n" % (LINUX_GENERIC, LINUX_GENERIC),
    "gpt-root-and-generic": "label: gpt\n"
                            "1 8 type=%s\n"
                            "9 8 type=%s\n" % (ROOT_X86_64, LINUX_GENERIC),
    "gpt-usr-and-generics": "label: gpt\n"
                            "1 8 type=%s\n"
                            "9 8 type=%s\n"
                            "17 8 type=%s\n" % (USR_X86_64, LINUX_GENERIC, LINUX_GENERIC),
    "mbr": "label: dos\n"
           "1 8 type=83\n"                   # not bootable: not used
           "9 8 type=83, bootable\n"         # root
           "17 8 type=ea\n"                  # xbootldr
           "25 8 type=ef\n",                 # an ESP, which systemd ignores on MBR
}


def make_generic_image(dm, name, script):
    """The image, with an ext4 file system in every partition."""
    img = dm.cwd / ("%s.raw" % name)
    with open(img, "wb") as f:
        f.truncate(40 * MiB)
    lines = script.splitlines()
    sh("sfdisk", "-q", img, input="".join(
        ln + "\n" if ln.startswith("label") else
        "start=%sMiB, size=%sMiB, %s\n" % tuple(ln.split(" ", 2)) for ln in lines).encode())
    fs = dm.cwd / "generic.fs"
    if not fs.exists():
        with open(fs, "wb") as f:
            f.truncate(8 * MiB)
        sh("mkfs.ext4", "-q", "-F", fs)
    with open(img, "r+b") as f:
        for ln in lines[1:]:
            f.seek(int(ln.split()[0]) * MiB)
            f.write(fs.read_bytes())
    return img


@NEED_ROOT
@pytest.mark.parametrize("name", sorted(GENERIC_IMAGES))
def test_generic_root_and_mbr_agree_with_systemd_dissect(dm, kit, name):
    """A lone generic Linux partition is root when there is no root or usr, and
    MBR images are read as systemd reads them: what systemd-dissect lists."""
    img = make_generic_image(dm, name, GENERIC_IMAGES[name])
    ours = inspect_json(dm, img.name)
    theirs = json.loads(sh("systemd-dissect", "--json=short", img))  # made anew: not cached
    assert [m["designator"] for m in ours["mounts"]] == \
        [m["designator"] for m in theirs["mounts"]]
    for a, b in zip(ours["mounts"], theirs["mounts"]):
        assert {k: a[k] for k in SD_KEYS} == {k: b[k] for k in SD_KEYS}


ROOT_RISCV64 = "72ec70a6-cf74-40e6-bd49-4bda08e8f224"
ROOT_X86 = "44479540-f297-41b2-9af7-d131d5f0458a"
USR_X86 = "75250d76-8cc6-458e-bd66-bd47cc81a812"

# Partitions of several architectures on x86-64 (native x86-64, secondary x86): what
# systemd-dissect takes from each tier, or that it refuses the image.
TIER_IMAGES = {
    "foreign-root": "label: gpt\n1 8 type=%s\n" % ROOT_ARM64,
    "foreign-roots-by-version": "label: gpt\n1 8 type=%s, name=os_1\n9 8 type=%s, name=os_2\n"
                                % (ROOT_ARM64, ROOT_RISCV64),
    "secondary-beats-foreign": "label: gpt\n1 8 type=%s\n9 8 type=%s\n" % (ROOT_ARM64, ROOT_X86),
    "native-root-foreign-verity": "label: gpt\n1 8 type=%s\n9 8 type=%s\n"
                                  % (ROOT_X86_64, ROOT_VERITY_ARM64),
    "native-root-secondary-usr": "label: gpt\n1 8 type=%s\n9 8 type=%s\n" % (ROOT_X86_64, USR_X86),
    "foreign-root-native-usr": "label: gpt\n1 8 type=%s\n9 8 type=%s\n" % (ROOT_ARM64, USR_X86_64),
    "foreign-root-and-generic": "label: gpt\n1 8 type=%s\n9 8 type=%s\n"
                                % (ROOT_ARM64, LINUX_GENERIC),
}
TIER_REFUSED = {
    "foreign-root-native-verity": ("label: gpt\n1 8 type=%s\n9 8 type=%s\n"
                                   % (ROOT_ARM64, ROOT_VERITY_X86_64),
                                   "root-verity partition 2 without a root partition"),
    "foreign-root-secondary-usr": ("label: gpt\n1 8 type=%s\n9 8 type=%s\n"
                                   % (ROOT_ARM64, USR_X86),
                                   "root and usr partitions of different architectures"),
}


@NEED_ROOT
@pytest.mark.parametrize("name", sorted(TIER_IMAGES))
def test_architecture_tiers_agree_with_systemd_dissect(dm, kit, name):
    img = make_generic_image(dm, name, TIER_IMAGES[name])
    ours = inspect_json(dm, img.name, "--architecture", "x86-64")
    theirs = json.loads(sh("systemd-dissect", "--json=short", img))
    assert [(m["designator"], m["partno"]) for m in ours["mounts"]] == \
        [(m["designator"], m["partno"]) for m in theirs["mounts"]]
    for a, b in zip(ours["mounts"], theirs["mounts"]):
        assert {k: a[k] for k in SD_KEYS} == {k: b[k] for k in SD_KEYS}


@NEED_ROOT
@pytest.mark.parametrize("name", sorted(TIER_REFUSED))
def test_architecture_tiers_refused_as_systemd_refuses(dm, kit, name):
    script, why = TIER_REFUSED[name]
    img = make_generic_image(dm, name, script)
    p = subprocess.run([TOOLS["systemd-dissect"], "--json=short", str(img)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert p.returncode == 1  # systemd-dissect: EXIT_FAILURE
    assert refused(dm, IMAGE, "inspect", img.name, "--architecture", "x86-64") == \
        "ddi: %s: %s" % (img.name, why)


@NEED_ROOT
@pytest.mark.parametrize("script", [
    "label: gpt\n1 8 type=%s\n9 8 type=%s\n" % (LINUX_GENERIC, LINUX_GENERIC),
    "label: dos\n1 8 type=83, bootable\n9 8 type=83, bootable\n",
], ids=["gpt", "mbr"])
def test_two_generic_roots_are_refused(dm, kit, script):
    img = make_generic_image(dm, "two", script)
    p = subprocess.run([TOOLS["systemd-dissect"], "--json=short", str(img)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert p.returncode == 1 and b"Multiple suitable root partitions" in p.stderr
    for cmd in ("inspect", "open", "cmdline"):
        err = refused(dm, IMAGE, cmd, img.name)
        assert err == "ddi: two.raw: no root partition, and more than one generic Linux " \
                      "partition (1 and 2) to use as root"


def test_mbr_root_opens_and_hands_over(dm, kit):
    """The bootable Linux partition of an MBR image maps linearly, read-write,
    and the kernel line names it by Linux's MBR PARTUUID."""
    img = make_generic_image(dm, "mbr", GENERIC_IMAGES["mbr"])
    ptuuid = sh("blkid", "-p", "-o", "value", "-s", "PTUUID", img).decode().strip()
    assert len(ptuuid) == 8
    ddi_ok(dm, "open", img.name)
    with open(img, "rb") as f:
        f.seek(9 * MiB)
        assert dm.read("root") == f.read(8 * MiB)
    assert "UUID: DMBOOT-DDI-%s02-root\n" % ptuuid in dm.ok("info", "root")
    ddi_ok(dm, "close", img.name)
    dm.assert_no_devices()
    assert ddi_ok(dm, "cmdline", img.name) == \
        'dm-mod.create="root,,,rw,0 16384 linear PARTUUID=%s-02 0" root=/dev/dm-0 ' \
        "dm-mod.waitfor=PARTUUID=%s-02\n" % (ptuuid, ptuuid)
    err = refused(dm, UNSIGNED, "open", img.name, "--require-signature")
    assert err == "ddi: mbr.raw: root partition 2: no verity signature, and one is required"


def test_bad_command_lines(dm, kit):
    image, _ = kit.once("hand-sq", lambda: kit.hand("hand-squashfs.raw"))
    for args, msg in [
        (("inspect",), "ddi: inspect: expected exactly one image"),
        (("inspect", image, "--json=yaml"),
         "ddi: invalid --json mode 'yaml' (pretty, short or off)"),
        (("inspect", image, "--architecture", "vax"), "ddi: unknown architecture 'vax'"),
        (("open", image, "--root-hash", "abc"), "ddi: invalid root hash 'abc'"),
        (("open", image, "--json"), "ddi: open: --json is for inspect"),
        (("frob", image), "ddi: unknown command 'frob'"),
    ]:
        rc, out, err = ddi(dm, *args)
        assert rc == 1 and err.splitlines()[0] == msg, (args, rc, err)
    assert refused(dm, NOTFOUND, "inspect", "nosuch.raw") == \
        "ddi: nosuch.raw: No such file or directory"
    (dm.cwd / "plain.img").write_bytes(bytes(MiB))
    assert refused(dm, IMAGE, "inspect", "plain.img").startswith("ddi: plain.img: ")


# -- open, read, close ----------------------------------------------------------------

def extract(fs, blob, where, path):
    """One file out of a file system image, through the file system's own tool."""
    img = where / ("extract.%s" % fs)
    img.write_bytes(blob)
    if fs == "squashfs":
        return sh("unsquashfs", "-cat", img, path)
    out = where / "x"
    shutil.rmtree(out, ignore_errors=True)
    sh("fsck.erofs", "--extract=%s" % out, img)
    return (out / path).read_bytes()


@pytest.mark.parametrize("which", ["repart-squashfs", "repart-erofs", "hand-squashfs",
                                   "hand-erofs", "hand-cert-attrs"])
def test_open_reads_verified_root(dm, kit, which):
    if which.startswith("repart"):
        need_root()
    image, root = IMAGES[which](kit)
    ddi_ok(dm, "open", image, "--trusted-cert", kit.cert("good"), "--require-signature")
    table = dm.ok("table", "root")
    parts = sfdisk_parts(image)
    assert table.startswith("0 ") and " verity 1 %s:p%d %s:p%d " % (
        image, parts[uuid_of(root[:32])], image, parts[uuid_of(root[-32:])]) in table
    assert (" sha256 %s " % root) in table and "root_hash_sig_key_desc" not in table
    assert "(READ-ONLY)" in dm.ok("info", "root")
    blob = dm.read("root")
    fs = "erofs" if "erofs" in which else "squashfs"
    for name in ("boot/vmlinuz", "boot/dtbs/board.dtb", "hello.txt"):
        assert extract(fs, blob, dm.tmp, name) == kit.files[name], name
    ddi_ok(dm, "close", image)
    dm.assert_no_devices()


@NEED_ROOT
def test_open_usr(dm, kit):
    """A plain root and a verity /usr: root is linear over its partition, usr is
    verity; the kernel line maps both."""
    image, report = repart_usr(kit)
    usr_hash = repart_root_hash(report, "usr")
    # The plain root is unsigned: --trusted-cert maps it only when allowed, and says so.
    rc, out, err = ddi(dm, "open", image, "--trusted-cert", kit.cert("good"), "--allow-unsigned")
    assert (rc, out) == (0, "") and err == "ddi: warning: %s: root partition 1 has no verity " \
        "signature: mapped unverified (--allow-unsigned)\n" % image
    assert dm.ok("ls") == "root\t(253:0)\nusr\t(253:1)\n"
    assert " linear %s:p1 0\n" % image in dm.ok("table", "root")
    assert " sha256 %s " % usr_hash in dm.ok("table", "usr")
    assert extract("squashfs", dm.read("usr"), dm.tmp, "bin/tool") == kit.usr_files["bin/tool"]
    assert extract("squashfs", dm.read("root"), dm.tmp, "hello.txt") == kit.files["hello.txt"]
    check_cmdline(dm, image, ("root", "usr"), "--trusted-cert", kit.cert("good"),
                  "--allow-unsigned")
    ddi_ok(dm, "close", image)
    dm.assert_no_devices()


def test_open_with_a_given_root_hash(dm, kit):
    """Without a signature partition: linear without a root hash, verity with
    --root-hash; --require-signature refuses both."""
    image, root = kit.once("hand-nosig", lambda: kit.hand("hand-nosig.raw", sig=None))
    ddi_ok(dm, "open", image)
    assert " linear %s:p1 0\n" % image in dm.ok("table", "root")
    # squashfs cannot be written: the root maps read-only (test_h9_ddi.py).
    assert "(READ-ONLY)" in dm.ok("info", "root")
    ddi_ok(dm, "close", image)
    ddi_ok(dm, "open", image, "--root-hash", root)
    assert " sha256 %s " % root in dm.ok("table", "root")
    assert extract("squashfs", dm.read("root"), dm.tmp, "hello.txt") == kit.files["hello.txt"]
    ddi_ok(dm, "close", image)
    assert refused(dm, UUID, "open", image, "--root-hash", flip_first(root)) == \
        "ddi: %s: root: no root partition has the UUID the root hash gives" % image


# -- refusals ---------------------------------------------------------------------------

def test_refusal_untrusted_signer(dm, kit):
    image, _ = kit.once("hand-sq", lambda: kit.hand("hand-squashfs.raw"))
    err = refused(dm, UNTRUSTED, "open", image, "--trusted-cert", kit.cert("other"))
    assert err.startswith("ddi: %s: root-verity-sig partition 3: root hash signature: signer "
                          % image) and err.endswith(" is not a trusted certificate")
    image, _ = kit.once("hand-other-key", lambda: kit.hand("hand-other-key.raw", key="other"))
    err = refused(dm, UNTRUSTED, "cmdline", image, "--trusted-cert", kit.cert("good"))
    assert err.endswith(" is not a trusted certificate")


def test_refusal_signature_over_another_root_hash(dm, kit):
    def make():
        root = kit.once(("verity", "squashfs"), lambda: kit._verity_fs("squashfs"))[2]
        return kit.hand("hand-other-text.raw", signed_text=flip_first(root))
    image, root = kit.once("hand-other-text", make)
    err = refused(dm, BADSIG, "open", image, "--trusted-cert", kit.cert("good"))
    assert err == ("ddi: %s: root-verity-sig partition 3: root hash signature: made by a "
                   "trusted key over other data than this root hash" % image)
    # A root hash given on the command line must be the signed one.
    good, _ = kit.once("hand-sq", lambda: kit.hand("hand-squashfs.raw"))
    err = refused(dm, BADSIG, "open", good, "--trusted-cert", kit.cert("good"),
                  "--root-hash", flip_first(root))
    assert err == ("ddi: %s: root-verity-sig partition 3: the signed root hash differs from "
                   "the one given" % good)


def test_refusal_root_hash_not_matching_uuids(dm, kit):
    def make():
        root = kit.once(("verity", "squashfs"), lambda: kit._verity_fs("squashfs"))[2]
        return kit.hand("hand-wrong-uuid.raw", root_hash_json=root[:-2] + "00")
    image, _ = kit.once("hand-wrong-uuid", make)
    err = refused(dm, UUID, "open", image, "--trusted-cert", kit.cert("good"))
    assert err == "ddi: %s: root: no root-verity partition has the UUID the root hash gives" \
        % image
    # inspect cannot show partitions it cannot pair either.
    assert refused(dm, UUID, "inspect", image, "--trusted-cert", kit.cert("good")) == err


MALFORMED_JSON = [
    ("truncated", b'{"rootHash":"%(root)s","signature":"', "malformed JSON"),
    ("not-an-object", b'["%(root)s"]', "the JSON is not an object"),
    ("junk-after-padding", None, "data after the JSON's end at byte"),
    ("no-root-hash", b'{"signature":"%(sig)s"}', "no rootHash"),
    ("no-signature", b'{"rootHash":"%(root)s"}', "no signature"),
    ("root-hash-not-hex", b'{"rootHash":"%(root_bad)s","signature":"%(sig)s"}',
     "rootHash is not a hex digest"),
    ("signature-not-base64", b'{"rootHash":"%(root)s","signature":"@@@@"}',
     "signature is not base64"),
    ("pkcs7-garbage", b'{"rootHash":"%(root)s","signature":"%(junk)s"}',
     "root hash signature: not DER PKCS#7/CMS"),
]


@pytest.mark.parametrize("case", MALFORMED_JSON, ids=[c[0] for c in MALFORMED_JSON])
def test_refusal_malformed_signature_partition(dm, kit, case):
    name, template, msg = case

    def make():
        root = kit.once(("verity", "squashfs"), lambda: kit._verity_fs("squashfs"))[2]
        sig = base64.b64encode(kit.sign(root)).decode()
        if template is None:
            raw = kit.sig_part(root, kit.sign(root)) + b"x" + b"\0" * 4095
        else:
            raw = template % {b"root": root.encode(), b"sig": sig.encode(),
                              b"root_bad": b"zz" + root[2:].encode(),
                              b"junk": base64.b64encode(b"\x30\x03junk")}
        return kit.hand("hand-bad-%s.raw" % name, raw_json=raw)
    image, _ = kit.once("bad-" + name, make)
    err = refused(dm, MALFORMED, "open", image, "--trusted-cert", kit.cert("good"))
    assert err.startswith("ddi: %s: root-verity-sig partition 3: " % image) and msg in err, err
    row = by_designator(inspect_json(dm, image, "--trusted-cert", kit.cert("good")))["root"]
    assert row["signature"] == "malformed" and msg in row["signature_error"]


def test_refusal_missing_signature(dm, kit):
    image, root = kit.once("hand-nosig", lambda: kit.hand("hand-nosig.raw", sig=None))
    msg = "ddi: %s: root partition 1: no verity signature, and one is required" % image
    assert refused(dm, UNSIGNED, "open", image, "--require-signature") == msg
    assert refused(dm, UNSIGNED, "open", image, "--require-signature", "--root-hash",
                   root) == msg
    assert refused(dm, UNSIGNED, "cmdline", image, "--require-signature") == msg


def test_refusal_no_trusted_certificates(dm, kit):
    if any(Path(d).is_dir() and any(Path(d).glob("*.crt")) for d in
           ("/etc/verity.d", "/run/verity.d", "/usr/local/lib/verity.d", "/usr/lib/verity.d")):
        require(False, "this machine trusts verity.d certificates")
    image, _ = kit.once("hand-sq", lambda: kit.hand("hand-squashfs.raw"))
    assert refused(dm, UNTRUSTED, "open", image) == (
        "ddi: %s: root-verity-sig partition 3: root hash signature: no trusted "
        "certificates are configured" % image)


# -- tampering ----------------------------------------------------------------------------

def find(blob, data):
    pos = blob.find(data[:4096])
    assert pos >= 0
    return pos


@pytest.mark.parametrize("where", ["data", "tree"])
def test_tampering_fails_the_reads_that_meet_it(dm, kit, where):
    image, root = kit.once("hand-sq", lambda: kit.hand("hand-squashfs.raw"))
    img = dm.cwd / "disk.raw"
    shutil.copyfile(image, img)
    fsdata, hash_path, _ = kit.once(("verity", "squashfs"), lambda: kit._verity_fs("squashfs"))
    fsblob = fsdata.read_bytes()
    big, other = find(fsblob, kit.files["big.bin"]), find(fsblob, kit.files["other.bin"])
    other_len = len(kit.files["other.bin"])
    blocks = len(fsblob) // 4096
    data_off = MiB          # partition 1 starts at 1 MiB
    hash_off = data_off + len(fsblob) + (-len(fsblob) % MiB)
    with open(img, "r+b") as f:
        if where == "data":
            bad = big + 5 * 4096 + 17          # inside big.bin, data block big // 4096 + 5
            f.seek(data_off + bad)
            byte = f.read(1)
            f.seek(data_off + bad)
            f.write(bytes([byte[0] ^ 0x40]))
            bad_block = bad // 4096
        else:
            # The tree is stored top level first after the superblock: the
            # first leaf hash block (data blocks 0-127) follows the levels above.
            levels, n = [], blocks
            while True:
                n = (n + 127) // 128
                levels.append(n)
                if n == 1:
                    break
            leaf = 1 + sum(levels[1:])
            bad_hash_block = leaf
            f.seek(hash_off + leaf * 4096 + 40)
            byte = f.read(1)
            f.seek(hash_off + leaf * 4096 + 40)
            f.write(bytes([byte[0] ^ 0x01]))
            bad_block = 1                      # the second hash in that block
    assert other // 4096 >= 128      # beyond the first leaf hash block's reach
    ddi_ok(dm, "open", "disk.raw", "--trusted-cert", kit.cert("good"))
    rc, out, err = dm.run("read", "root", raw=True)
    assert rc == 1 and err.count("\n") == 1
    if where == "data":
        assert "verity: data block %d of disk.raw:p1 is corrupted" % bad_block in err, err
    else:
        assert "verity: metadata block %d of disk.raw:p2 is corrupted" % bad_hash_block \
            in err, err
    # Blocks the damage does not cover still read, verified.
    assert dm.read("root", "--offset", str(other), "--length", str(other_len)) == \
        kit.files["other.bin"]
    rc, out, err = dm.run("read", "root", "--offset", str(bad_block * 4096), "--length", "4096")
    assert rc == 1 and "corrupted" in err
    assert dm.ok("status", "root").rstrip().endswith(" C")
    ddi_ok(dm, "close", "disk.raw")
    dm.assert_no_devices()


# -- the kernel command line ----------------------------------------------------------------

def check_cmdline(dm, image, names, *opts):
    """Parse the line back and compare each dm-mod.create= device with the
    table open made, PARTUUIDs mapped back to IMAGE:pN by sfdisk."""
    rc, line, err = ddi(dm, "cmdline", image, *opts)
    assert rc == 0 and all(ln.startswith("ddi: warning: ") for ln in err.splitlines()), err
    assert ("--allow-unsigned" in opts) == (err != "")
    assert line.endswith("\n") and line.count("\n") == 1 and len(line) < 4096
    words = shlex.split(line)
    args = dict(w.split("=", 1) for w in words)
    assert args["root"] == "/dev/dm-0"
    if "usr" in names:
        assert args["mount.usr"] == "/dev/dm-1"
    parts = sfdisk_parts(image)
    devs = args["dm-mod.create"].split(";")
    assert [d.split(",")[0] for d in devs] == list(names)
    waitfor = []
    for spec, name in zip(devs, names):
        fields = spec.split(",")
        # ro or rw as open made the device (a plain root is writable unless flagged).
        mode = "ro" if "(READ-ONLY)" in dm.ok("info", name) else "rw"
        assert fields[1:4] == ["", "", mode] and len(fields) == 5
        words = fields[4].split()
        for i, w in enumerate(words):
            if w.startswith("PARTUUID="):
                waitfor.append(w)
                words[i] = "%s:p%d" % (image, parts[w[9:]])
        assert " ".join(words) + "\n" == dm.ok("table", name)
    assert args["dm-mod.waitfor"].split(",") == waitfor
    return line


def test_cmdline_matches_the_open_table(dm, kit):
    image, root = kit.once("hand-sq", lambda: kit.hand("hand-squashfs.raw"))
    ddi_ok(dm, "open", image, "--trusted-cert", kit.cert("good"))
    line = check_cmdline(dm, image, ("root",), "--trusted-cert", kit.cert("good"))
    assert line.startswith('dm-mod.create="root,,,ro,0 ')
    assert "root_hash_sig_key_desc" not in line and "mount.usr" not in line
    # The concise form of the same table comes from the same generator.
    concise = dm.ok("table", "--concise", "root")
    assert concise.startswith("root,DMBOOT-DDI-%s-root,0,ro,0 " % root[:32])
    ddi_ok(dm, "close", image)


# -- close, and all or nothing ---------------------------------------------------------------

def test_close_removes_exactly_what_open_made(dm, kit):
    image, _ = kit.once("hand-sq", lambda: kit.hand("hand-squashfs.raw"))
    dm.make_file("x.img", 8 * SECTOR, 1)
    dm.ok("create", "keep", "--table", "0 8 linear x.img 0")
    ddi_ok(dm, "open", image, "--trusted-cert", kit.cert("good"))
    assert refused_keep(dm, BUSY, "open", image, "--trusted-cert", kit.cert("good")) == \
        "ddi: %s is already open (ddi close %s)" % (image, image)
    dm.ok("create", "top", "--readonly", "--table", "0 8 linear root 0")
    assert refused_keep(dm, BUSY, "close", image) == \
        "ddi: close %s: device root is in use by top" % image
    assert dm.ok("ls") == "keep\t(253:0)\nroot\t(253:1)\ntop\t(253:2)\n"
    dm.ok("remove", "top")
    ddi_ok(dm, "close", image)
    assert dm.ok("ls") == "keep\t(253:0)\n"
    assert dm.state_files() == [".lock", "dev-keep"]
    assert refused_keep(dm, NOTFOUND, "close", image) == "ddi: %s: not open" % image
    # A root that is no longer the one open made is left alone.
    ddi_ok(dm, "open", image, "--trusted-cert", kit.cert("good"))
    dm.ok("remove", "root")
    dm.ok("create", "root", "--table", "0 8 linear x.img 0")
    ddi_ok(dm, "close", image)
    assert dm.ok("ls") == "keep\t(253:0)\nroot\t(253:1)\n"


def refused_keep(dm, code, *args):
    rc, out, err = ddi(dm, *args)
    assert rc == code and out == "" and err.count("\n") == 1, (rc, out, err)
    return err[:-1]


@NEED_ROOT
def test_open_is_all_or_nothing(dm, kit):
    """usr cannot be made (the name is taken): root, made first, goes again."""
    image, _ = repart_usr(kit)
    dm.make_file("x.img", 8 * SECTOR, 1)
    dm.ok("create", "usr", "--table", "0 8 linear x.img 0")
    before = dm.state_files()
    assert refused_keep(dm, BUSY, "open", image, "--trusted-cert", kit.cert("good"),
                        "--allow-unsigned") == "ddi: create usr: device usr already exists"
    assert dm.ok("ls") == "usr\t(253:0)\n" and dm.state_files() == before
