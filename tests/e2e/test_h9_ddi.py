# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Hardening findings 4, 5 and 12 (docs/ddi.md, docs/veritysetup.md), end to end.

 4. An image stripped of its signature: with --trusted-cert, open and cmdline
    refuse an unsigned root (exit 14) unless --allow-unsigned, which maps it
    and says so on stderr.
 5. ignore_corruption logs each corrupted block once per command, as the
    kernel's verity_handle_err() logs them, and stops after 100 blocks with
    "reached maximum errors" as the kernel does.
12. Messages that agree with the verdict: inspect with another --root-hash
    is refused as open refuses it; a rootHash cut short is malformed, not a
    signature "over other data"; a wrong salt, root hash or top hash block is
    refused when the device is made (FEC may still repair the top block); an
    unsigned squashfs root maps read-only as inspect shows it; certificate
    errors name the user's argument.

Images are those of test_ddi.py (its Kit), hash trees from the real
veritysetup.  Every test runs against build/dmboot and build/asan/dmboot.
"""
import base64
import json
import shutil

import pytest

from conftest import tool
from test_ddi import (BADSIG, IMAGE, MALFORMED, UNSIGNED, ROOT_X86_64, Kit, by_designator,
                      ddi, ddi_ok, flip_first, inspect_json, refused, uuid_of)

SALT = "e48da609055204e89ae53b655ca2216dd983cf3cb829f34f63a297d106d53e2d"
REF = tool("veritysetup")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return Kit(tmp_path_factory.mktemp("h9ddi"))


def hand(kit, key, **kw):
    return kit.once(key, lambda: kit.hand(key + ".raw", **kw))


def stripped(kit):
    """The signed hand-made DDI without its -verity-sig and -verity partitions:
    a plain squashfs root."""
    def make():
        data, _, root = kit.once(("verity", "squashfs"), lambda: kit._verity_fs("squashfs"))
        return kit.disk(kit.dir / "stripped.raw", [
            {"type": ROOT_X86_64, "uuid": uuid_of(root[:32]), "name": "root-x86-64",
             "data": data}])
    return kit.once("stripped", make)


# -- 4. unsigned images under --trusted-cert ------------------------------------------------

@pytest.mark.parametrize("which", ["no-verity", "no-signature"])
def test_h9_4_trusted_cert_refuses_an_unsigned_root(dm, kit, which):
    image = stripped(kit) if which == "no-verity" else hand(kit, "hand-nosig", sig=None)[0]
    part = 1
    msg = ("ddi: %s: root partition %d has no verity signature, and --trusted-cert maps only "
           "signed images (--allow-unsigned maps it unverified)" % (image, part))
    for cmd in ("open", "cmdline"):
        assert refused(dm, UNSIGNED, cmd, image, "--trusted-cert", kit.cert("good")) == msg
    # inspect only shows it.
    row = by_designator(inspect_json(dm, image, "--trusted-cert", kit.cert("good")))["root"]
    assert row["signature"] is None


def test_h9_4_allow_unsigned_maps_and_says_so(dm, kit):
    image = stripped(kit)
    warn = ("ddi: warning: %s: root partition 1 has no verity signature: mapped unverified "
            "(--allow-unsigned)\n" % image)
    rc, out, err = ddi(dm, "open", image, "--trusted-cert", kit.cert("good"), "--allow-unsigned")
    assert (rc, out, err) == (0, "", warn)
    assert " linear %s:p1 0\n" % image in dm.ok("table", "root")
    ddi_ok(dm, "close", image)
    rc, out, err = ddi(dm, "cmdline", image, "--trusted-cert", kit.cert("good"),
                       "--allow-unsigned")
    assert rc == 0 and out.startswith('dm-mod.create="root,,,ro,0 ') and err == warn
    # A signed image with --allow-unsigned: nothing to say.
    signed, _ = hand(kit, "hand-squashfs")
    assert ddi(dm, "cmdline", signed, "--trusted-cert", kit.cert("good"),
               "--allow-unsigned")[2] == ""
    # A root hash the user gives is the user's trust: no refusal, no warning.
    nosig, root = hand(kit, "hand-nosig", sig=None)
    ddi_ok(dm, "open", nosig, "--trusted-cert", kit.cert("good"), "--root-hash", root)
    ddi_ok(dm, "close", nosig)
    # Without --trusted-cert, as systemd-dissect's default policy: silent.
    ddi_ok(dm, "open", image)
    ddi_ok(dm, "close", image)
    rc, out, err = ddi(dm, "open", image, "--allow-unsigned", "--require-signature")
    assert (rc, out) == (1, "") and \
        err == "ddi: --allow-unsigned and --require-signature contradict each other\n"
    dm.assert_no_devices()


# -- 5. ignore_corruption logs each block once --------------------------------------------

def verity_image(dm, blocks=300, bad=(5, 9)):
    """data.img (random), hash.img by veritysetup; then data blocks `bad` flipped."""
    data = bytearray(dm.make_file("data.img", blocks * 4096, seed=7))
    p = dm.exec([REF, "format", "data.img", "hash.img", "--salt", SALT])
    assert p[0] == 0, p
    root = [ln.split()[-1] for ln in p[1].splitlines() if ln.startswith("Root hash:")][0]
    for b in bad:
        data[b * 4096 + 17] ^= 0x20
    (dm.cwd / "data.img").write_bytes(bytes(data))
    return root, bytes(data)


def vs(dm, *args):
    return dm.exec([dm.binary, "veritysetup", *args])


def test_h9_5_ignore_corruption_logs_each_block_once(dm):
    root, data = verity_image(dm)
    assert vs(dm, "open", "data.img", "v", "hash.img", root, "--ignore-corruption") == \
        (0, "", "")
    # One command reading v twice (two segments over it): each block is named once.
    dm.ok("create", "twice", "--readonly", "--table", "0 2400 linear v 0\n2400 2400 linear v 0")
    rc, out, err = dm.run("read", "twice", raw=True)
    assert (rc, out) == (0, data + data)
    assert err == ("dmboot: error: verity: data block 5 of data.img is corrupted (ignored)\n"
                   "dmboot: error: verity: data block 9 of data.img is corrupted (ignored)\n")
    # The device lives for one command: the next one says it again.
    rc, out, err = dm.run("read", "v", "--offset", str(5 * 4096), "--length", "4096", raw=True)
    assert (rc, out) == (0, data[5 * 4096:6 * 4096])
    assert err == "dmboot: error: verity: data block 5 of data.img is corrupted (ignored)\n"
    assert dm.ok("status", "v") == "0 2400 verity C\n"
    dm.ok("remove", "twice")
    assert vs(dm, "close", "v") == (0, "", "")


def test_h9_5_ignore_corruption_log_stops_at_the_kernels_limit(dm):
    root, data = verity_image(dm, bad=range(0, 240, 2))
    assert vs(dm, "open", "data.img", "v", "hash.img", root, "--ignore-corruption")[0] == 0
    rc, out, err = dm.run("read", "v", raw=True)
    lines = err.splitlines()
    assert (rc, out) == (0, data) and len(lines) == 101
    assert lines[99] == "dmboot: error: verity: data block 198 of data.img is corrupted (ignored)"
    assert lines[100] == "dmboot: error: verity: data.img: reached maximum errors"
    assert vs(dm, "close", "v")[0] == 0


def test_h9_5_restart_on_corruption_names_the_block_once(dm):
    root, data = verity_image(dm)
    assert vs(dm, "open", "data.img", "v", "hash.img", root, "--restart-on-corruption")[0] == 0
    rc, out, err = dm.run("read", "v", raw=True)
    assert rc == 10 and err == \
        "dmboot: restart requested: verity: data block 5 of data.img is corrupted\n"
    assert vs(dm, "close", "v")[0] == 0


# -- 12. messages that agree with the verdict -------------------------------------------------

def test_h9_12_inspect_refuses_another_root_hash_as_open_does(dm, kit):
    image, root = hand(kit, "hand-squashfs")
    msg = ("ddi: %s: root-verity-sig partition 3: the signed root hash differs from the one "
           "given" % image)
    for cmd in ("inspect", "open"):
        assert refused(dm, BADSIG, cmd, image, "--trusted-cert", kit.cert("good"),
                       "--root-hash", flip_first(root)) == msg
    # The signed one is fine.
    row = by_designator(inspect_json(dm, image, "--trusted-cert", kit.cert("good"),
                                     "--root-hash", root))["root"]
    assert (row["verity"], row["signature"]) == ("signed", "verified")


def test_h9_12_root_hash_cut_short_is_malformed(dm, kit):
    def make():
        root = kit.once(("verity", "squashfs"), lambda: kit._verity_fs("squashfs"))[2]
        return kit.hand("hand-short.raw", root_hash_json=root[:-2], signed_text=root)
    image, _ = kit.once("hand-short", make)
    err = refused(dm, MALFORMED, "open", image, "--trusted-cert", kit.cert("good"))
    assert err == ("ddi: %s: root-verity-sig partition 3: rootHash is 31 bytes, not a sha256 "
                   "digest of 32 bytes as the root-verity partition 2 holds" % image)
    row = by_designator(inspect_json(dm, image, "--trusted-cert", kit.cert("good")))["root"]
    assert (row["signature"], row["roothash"]) == ("malformed", None)
    assert "over other data" not in row["signature_error"]


def flip_salt(src, dst):
    """A copy of a DDI with one byte of the salt in its verity superblock
    flipped: the superblock opens partition 2, whose first LBA the second GPT
    entry gives (LBA 2, 128 bytes an entry, the first LBA at byte 32)."""
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        f.seek(2 * 512 + 128 + 32)
        start = int.from_bytes(f.read(8), "little")
        f.seek(start * 512 + 88)
        b = f.read(1)
        f.seek(start * 512 + 88)
        f.write(bytes([b[0] ^ 0x01]))


def test_h9_12_flipped_salt_byte_refused_at_open(dm, kit):
    image, _ = hand(kit, "hand-squashfs")
    flip_salt(image, dm.cwd / "salt.raw")
    err = refused(dm, IMAGE, "open", "salt.raw", "--trusted-cert", kit.cert("good"))
    assert err == ("ddi: create root: line 1: verity: metadata block 1 of salt.raw:p2, the top "
                   "of the hash tree, does not match the root digest: a wrong root hash or "
                   "salt, or a corrupt hash device")
    # The same through veritysetup, where the kernel would open it and fail every read.
    root, _ = verity_image(dm, bad=())
    with open(dm.cwd / "hash.img", "r+b") as f:
        f.seek(88)
        b = f.read(1)
        f.seek(88)
        f.write(bytes([b[0] ^ 0x01]))
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", root)
    assert (rc, out) == (2, "") and err.count("\n") == 1
    assert "metadata block 1 of hash.img, the top of the hash tree, does not match" in err
    dm.assert_no_devices()


def test_h9_12_top_block_under_ignore_corruption_and_fec(dm):
    root, data = verity_image(dm, bad=())
    bad = flip_first(root)
    # ignore_corruption: made, as the kernel would; the top block is named once.
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", bad, "--ignore-corruption")
    assert (rc, out) == (0, "") and err == \
        "dmboot: error: verity: metadata block 1 of hash.img is corrupted (ignored)\n"
    rc, out, err = dm.run("read", "v", raw=True)
    assert (rc, out) == (0, data) and err.count("\n") == 1
    assert vs(dm, "close", "v")[0] == 0
    # A top block FEC repairs opens and reads.
    p = dm.exec([REF, "format", "data.img", "hash2.img", "--salt", SALT, "--fec-device",
                 "fec.img", "--fec-roots", "2"])
    assert p[0] == 0
    root2 = [ln.split()[-1] for ln in p[1].splitlines() if ln.startswith("Root hash:")][0]
    with open(dm.cwd / "hash2.img", "r+b") as f:
        f.seek(4096 + 100)
        b = f.read(1)
        f.seek(4096 + 100)
        f.write(bytes([b[0] ^ 0x01]))
    assert vs(dm, "open", "data.img", "f", "hash2.img", root2, "--fec-device", "fec.img",
              "--fec-roots", "2") == (0, "", "")
    assert dm.read("f") == data
    assert vs(dm, "close", "f")[0] == 0


def test_h9_12_unsigned_squashfs_root_maps_read_only(dm, kit):
    image = stripped(kit)
    assert by_designator(inspect_json(dm, image))["root"]["rw"] == "ro"
    ddi_ok(dm, "open", image)
    assert "(READ-ONLY)" in dm.ok("info", "root")
    ddi_ok(dm, "close", image)
    assert ddi_ok(dm, "cmdline", image).startswith('dm-mod.create="root,,,ro,0 ')
    if shutil.which("systemd-dissect") or tool("systemd-dissect"):
        p = dm.exec([tool("systemd-dissect"), "--json=short", str(image)])
        if p[0] == 0:
            assert by_designator(json.loads(p[1]))["root"]["rw"] == "ro"


def test_h9_12_trust_errors_name_the_users_argument(dm, kit):
    image, _ = hand(kit, "hand-squashfs")
    key = kit.dir / "good.key"
    rc, out, err = ddi(dm, "open", image, "--trusted-cert=%s" % key)
    assert (rc, out, err) == (1, "", "ddi: %s: no certificate in it\n" % key)
    (dm.cwd / "certs").mkdir()
    (dm.cwd / "certs" / "bad.crt").write_bytes(base64.b64encode(b"junk"))
    rc, out, err = ddi(dm, "inspect", image, "--trusted-cert", "certs")
    assert (rc, out) == (1, "") and \
        err == "ddi: certs/bad.crt: no certificate in it (neither PEM nor DER)\n"
