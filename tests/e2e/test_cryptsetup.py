# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""End-to-end tests of `dmboot cryptsetup` against cryptsetup 2.6.1.

Images are made at test time by cryptsetup luksFormat with fast KDFs.  Both
tools run on the same image and their stdout, stderr and exit codes are
compared (luksDump, open --test-passphrase, isLuks, luksUUID); an opened
device is written and read back through `dmboot dmsetup`, and the volume key
is checked to live in the user keyring only while the device is open.
"""
import subprocess

import pytest

from crypt_util import cs, crypt_model, dmb, need_cryptsetup, volume_key

need_cryptsetup()

FAST = ["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"]
KINDS = {
    "luks1": ["--type", "luks1", "--pbkdf-force-iterations", "1000"],
    "luks2-pbkdf2": ["--type", "luks2", *FAST, "--luks2-metadata-size", "16k",
                     "--luks2-keyslots-size", "256k"],
    "luks2-argon2id": ["--type", "luks2", "--pbkdf", "argon2id", "--pbkdf-memory", "32",
                       "--pbkdf-force-iterations", "4", "--luks2-metadata-size", "16k",
                       "--luks2-keyslots-size", "256k"],
}


@pytest.fixture(params=sorted(KINDS))
def img(request, tmp_path):
    path = tmp_path / "luks.img"
    with open(path, "wb") as f:
        f.truncate(16 << 20)
    rc, _, err = cs("luksFormat", "-q", *KINDS[request.param], path, "-", input=b"pw")
    assert rc == 0, err
    return path


def test_dump_identical(dm, img):
    assert dmb(dm, "luksDump", img) == cs("luksDump", img)


def test_isluks_uuid_identical(dm, img):
    assert dmb(dm, "isLuks", img) == cs("isLuks", img)
    assert dmb(dm, "luksUUID", img) == cs("luksUUID", img)


@pytest.mark.parametrize("pw", [b"pw", b"wrong"])
def test_test_passphrase(dm, img, pw):
    want = cs("open", "--test-passphrase", img, input=pw)
    assert dmb(dm, "open", "--test-passphrase", img, input=pw) == want
    assert want[0] == (0 if pw == b"pw" else 2)
    assert dm.state_files() in ([], [".lock"])


def test_open_write_read_close(dm, img, tmp_path):
    uuid = cs("luksUUID", img)[1].strip()
    rc, _, err = dmb(dm, "open", img, "c0", input=b"pw")
    assert rc == 0, err
    data = bytes(range(256)) * 4096
    dm.ok("write", "c0", input=data)
    assert dm.read("c0")[:len(data)] == data
    table = dm.ok("table", "c0")
    record = (dm.state / "dev-c0").read_text()
    if img.read_bytes()[6:8] == b"\x00\x02":
        assert (":logon:cryptsetup:%s-d0 " % uuid) in table
    else:
        # LUKS1: the hex key cryptsetup loads, masked; the record names the keyring key.
        assert set(table.split()[4]) == {"0"}
        assert ":logon:dmboot:key-" in record
    desc = record.split(":logon:")[1].split()[0]
    keys = subprocess.run(["keyctl", "show", "@u"], stdout=subprocess.PIPE).stdout.decode()
    rc, _, err = dmb(dm, "close", "c0")
    assert rc == 0, err
    after = subprocess.run(["keyctl", "show", "@u"], stdout=subprocess.PIPE).stdout.decode()
    assert desc in keys and desc not in after


def test_ciphertext_independent(dm, tmp_path):
    """Sectors dmboot wrote decrypt with cryptsetup's dumped volume key (aes-xts-plain64,
    4096-byte sectors, IV in 512-byte units) computed by python cryptography."""
    path = tmp_path / "x.img"
    with open(path, "wb") as f:
        f.truncate(16 << 20)
    assert cs("luksFormat", "-q", "--sector-size", "4096", *KINDS["luks2-pbkdf2"], path, "-",
              input=b"pw")[0] == 0
    assert dmb(dm, "open", path, "c1", input=b"pw")[0] == 0
    data = bytes(range(256)) * 1024
    dm.ok("write", "c1", input=data)
    offset = int(dm.ok("table", "c1").split()[7]) * 512
    assert dmb(dm, "close", "c1")[0] == 0
    key = volume_key(path, b"pw")
    raw = path.read_bytes()[offset:offset + len(data)]
    assert crypt_model("xts", "plain64", key, raw, 0, 4096, decrypt=True) == data


def test_damaged_secondary_header_warns(dm, tmp_path):
    """A LUKS2 header whose secondary copy is damaged opens through the primary, with one
    warning naming the damage (formats.md §5.2), and nothing is written to the image."""
    path = tmp_path / "d.img"
    with open(path, "wb") as f:
        f.truncate(16 << 20)
    assert cs("luksFormat", "-q", *KINDS["luks2-pbkdf2"], path, "-", input=b"pw")[0] == 0
    with open(path, "r+b") as f:
        f.seek(16384 + 4096 + 10)  # the secondary copy's JSON area
        f.write(b"\xff")
    before = path.read_bytes()
    rc, out, err = dmb(dm, "open", "--test-passphrase", path, input=b"pw")
    assert (rc, out) == (0, "")
    assert err.startswith("dmboot: warning: LUKS2 secondary header is damaged (") and \
        err.endswith("); using the primary header\n") and err.count("\n") == 1, err
    assert path.read_bytes() == before
