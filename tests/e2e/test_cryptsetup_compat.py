# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`dmboot cryptsetup` against cryptsetup 2.6.1, image kind by image kind.

Every image is made at test time by cryptsetup (luksFormat, luksAddKey,
convert, reencrypt) with small KDF costs.  For each kind: luksDump (plain,
JSON and with the volume key) is byte-identical; open --test-passphrase gives
the same stdout, stderr and exit code for right and wrong passphrases, key
files and --key-slot; the table `dmsetup table --showkeys` prints is the one
cryptsetup loads, derived here from cryptsetup's own dump (cipher, offset,
sector size, the `:N:logon:cryptsetup:UUID-d0` reference of LUKS2, the hex
volume key of LUKS1 and plain mode, whose record names a keyring key holding
exactly the dumped volume key); sectors dmboot writes
decrypt with that key in an independent model (python `cryptography`).
Payloads move both ways with cryptsetup's offline reencryption: one it
encrypted reads back through dmboot, one dmboot wrote it decrypts.  A header
with a reencryption initialized dumps identically and is refused by name.  A
table of command lines (key file offsets and sizes, --header, isLuks,
luksUUID, devices that are missing or no LUKS) gives cryptsetup's output and
exit code.  Plain mode's key (the hashed passphrase, or a key file used as it
is) and table are computed here.  No file of the state directory ever holds a
volume key, close removes it from the user keyring, and two state directories
never share one.
"""
import hashlib
import os
import random
import re
import subprocess
from pathlib import Path

import pytest

from conftest import DM
from crypt_util import (SECTOR, cs, cs_ok, crypt_model, dmb, dmb_ok, keyring_key,
                        need_cryptsetup, spec_model, volume_key)

need_cryptsetup()

MIB = 1 << 20
PBKDF2 = ["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"]
SMALL = ["--luks2-metadata-size", "16k", "--luks2-keyslots-size", "1m"]


def argon(kind):
    return ["--pbkdf", kind, "--pbkdf-memory", "32768", "--pbkdf-force-iterations", "4"]


class Image:
    """A LUKS image in the test's working directory, named relatively so both tools print
    the same name; secrets: (what, value, slot) with what "pw" (stdin) or "file"."""

    def __init__(self, cwd, name="luks.img", mib=8):
        self.cwd = Path(cwd)
        self.name = name
        self.header = None
        self.secrets = []
        with open(self.cwd / name, "wb") as f:
            f.truncate(mib * MIB)

    @property
    def path(self):
        return self.cwd / self.name

    def opts(self):
        return ["--header", self.header] if self.header else []

    def cs(self, *args, input=None):
        return cs(*args, input=input, cwd=self.cwd)

    def format(self, *args, pw=b"pw"):
        out = cs_ok("luksFormat", "-q", *args, *self.opts(), self.name, "-", input=pw,
                    cwd=self.cwd)
        self.secrets.append(("pw", pw, 0))
        return out

    def add_key(self, slot, new_file, content, *args):
        (self.cwd / new_file).write_bytes(content)
        cs_ok("luksAddKey", "-q", "--key-file", "-", "--key-slot", slot, *args, *self.opts(),
              self.name, new_file, input=b"pw", cwd=self.cwd)
        self.secrets.append(("file", new_file, slot))


def make_kind(kind, cwd):
    im = Image(cwd, mib=20 if kind == "luks1-convert" else 8)
    if kind == "xts512":
        im.format("--type", "luks2", *PBKDF2, *SMALL)
    elif kind == "xts256":
        im.format("--type", "luks2", "--key-size", "256", *PBKDF2, *SMALL)
    elif kind == "cbc-essiv":
        im.format("--type", "luks2", "--cipher", "aes-cbc-essiv:sha256", "--key-size", "256",
                  *PBKDF2, *SMALL)
    elif kind in ("sector512", "sector4096"):
        im.format("--type", "luks2", "--sector-size", kind[6:], *PBKDF2, *SMALL)
    elif kind in ("argon2i", "argon2id"):
        im.format("--type", "luks2", *argon(kind), *SMALL)
    elif kind == "slots":
        im.format("--type", "luks2", *PBKDF2, *SMALL)
        im.add_key(1, "key.bin", random.Random(1).randbytes(300), *PBKDF2)
        im.add_key(2, "pw2.txt", b"second", *argon("argon2id"))
    elif kind == "extras":
        # Label, subsystem, priorities, tokens and an unbound keyslot: slot 1 preferred,
        # slot 2 ignored unless named, slot 3 unbound (its key is not the volume key).
        im.format("--type", "luks2", *PBKDF2, *SMALL, "--label", "a label",
                  "--subsystem", "sub")
        im.add_key(1, "pw1.txt", b"preferred", *PBKDF2)
        im.add_key(2, "ignored.txt", b"ignored", *PBKDF2)
        cs_ok("config", "--priority", "prefer", "--key-slot", "1", im.name, cwd=im.cwd)
        cs_ok("config", "--priority", "ignore", "--key-slot", "2", im.name, cwd=im.cwd)
        (im.cwd / "unbound.txt").write_bytes(b"unbound")
        cs_ok("luksAddKey", "-q", "--unbound", "--key-size", "256", *PBKDF2, "--key-slot", "3",
              im.name, "unbound.txt", cwd=im.cwd)
        im.secrets.append(("file", "unbound.txt", 3))
        cs_ok("token", "add", "--key-description", "some key", "--key-slot", "0", im.name,
              cwd=im.cwd)
        (im.cwd / "token.json").write_text(
            '{"type":"x-other","keyslots":["1"],"blob":"AAAA","list":[7,8],"o":{"e":{}}}')
        cs_ok("token", "import", "--json-file", "token.json", im.name, cwd=im.cwd)
    elif kind == "detached":
        im.header = "hdr.img"
        with open(im.cwd / im.header, "wb") as f:
            f.truncate(4 * MIB)
        im.format("--type", "luks2", *PBKDF2, *SMALL)
    elif kind == "luks1":
        im.format("--type", "luks1", "--pbkdf-force-iterations", "1000")
        im.add_key(3, "key.bin", random.Random(2).randbytes(64), "--pbkdf-force-iterations",
                   "1000")
    elif kind == "luks1-cbc-sha512":
        im.format("--type", "luks1", "--hash", "sha512", "--cipher", "aes-cbc-essiv:sha256",
                  "--key-size", "256", "--pbkdf-force-iterations", "1000")
        # A key file slot that takes bytes 10..29 of its file.
        (im.cwd / "pw.txt").write_bytes(b"pw")
        (im.cwd / "big.key").write_bytes(random.Random(3).randbytes(100))
        cs_ok("luksAddKey", "-q", "--key-file", "pw.txt", "--new-keyfile-offset", "10",
              "--new-keyfile-size", "20", "--pbkdf-force-iterations", "1000", "--key-slot", "5",
              im.name, "big.key", cwd=im.cwd)
    elif kind == "luks1-whirlpool":
        # A hash of OpenSSL's legacy provider, which cryptsetup loads (and so does dmboot).
        im.format("--type", "luks1", "--hash", "whirlpool", "--pbkdf-force-iterations", "1000")
    elif kind == "luks1-convert":
        im.format("--type", "luks2", "--sector-size", "512", *PBKDF2)
        cs_ok("convert", "-q", "--type", "luks1", im.name, cwd=im.cwd)
    else:
        raise AssertionError(kind)
    return im


KINDS = ["xts512", "xts256", "cbc-essiv", "sector512", "sector4096", "argon2i", "argon2id",
         "slots", "extras", "detached", "luks1", "luks1-cbc-sha512", "luks1-whirlpool",
         "luks1-convert"]


@pytest.fixture
def name():
    """A device name no other test on this machine uses (keys live in the one
    machine-wide user keyring)."""
    return "c%d-%08x" % (os.getpid(), random.SystemRandom().getrandbits(32))


@pytest.fixture(params=KINDS)
def image(request, dm):
    return make_kind(request.param, dm.cwd)


# Secrets of the "extras" kind no unlock tries without --key-slot: an ignored slot and an
# unbound one (whose key is not the volume key: never one to map with).
NOT_BY_DEFAULT = ("ignored.txt", "unbound.txt")


def secret_args(what, value):
    """(options, stdin) giving one secret to either tool."""
    if what == "pw":
        return [], value
    return ["--key-file", value], None


# -- luksDump ----------------------------------------------------------------------

def test_dump_identical(dm, image):
    o = image.opts()
    want = image.cs("luksDump", *o, image.name)
    assert want[0] == 0
    assert dmb(dm, "luksDump", *o, image.name) == want
    if image.path.read_bytes()[6:8] == b"\x00\x02" or image.header:
        want = image.cs("luksDump", "--dump-json-metadata", *o, image.name)
        assert dmb(dm, "luksDump", "--dump-json-metadata", *o, image.name) == want
    for what, value, _ in image.secrets:
        args, stdin = secret_args(what, value)
        if what == "pw":
            args = ["--key-file", "-"]
        want = image.cs("luksDump", "--dump-volume-key", "--batch-mode", *args, *o, image.name,
                        input=stdin)
        assert want[0] == (2 if value in NOT_BY_DEFAULT else 0)
        assert dmb(dm, "luksDump", "--dump-volume-key", "--batch-mode", *args, *o, image.name,
                   input=stdin) == want


REENCRYPT_INIT = {
    "checksum": ["--resilience", "checksum"],
    "journal": ["--resilience", "journal"],
    "none": ["--resilience", "none"],
    "encrypt-datashift": ["--encrypt", "--type", "luks2", "--reduce-device-size", "32M"],
    "decrypt-datashift": ["--decrypt", "--header", "exported.hdr"],
}


@pytest.mark.parametrize("how", sorted(REENCRYPT_INIT))
def test_reencryption_in_progress(dm, how):
    """A header with a reencryption initialized (reencrypt --init-only): the reencrypt
    keyslot, the segment flags and the requirement dump as cryptsetup dumps them; open is
    refused by name before any key is derived (formats.md §5.3).  cryptsetup's own
    --test-passphrase would accept the passphrase here: dmboot never unlocks such a header."""
    if how == "encrypt-datashift":
        im = Image(dm.cwd, mib=40)
    else:
        im = make_kind("xts512", dm.cwd)
    cs_ok("reencrypt", "-q", "--init-only", "--force-offline-reencrypt", *REENCRYPT_INIT[how],
          *PBKDF2, "--key-file", "-", im.name, input=b"pw", cwd=dm.cwd)
    o = ["--header", "exported.hdr"] if how == "decrypt-datashift" else []
    for extra in ([], ["--dump-json-metadata"]):
        want = im.cs("luksDump", *extra, *o, im.name)
        assert want[0] == 0
        assert dmb(dm, "luksDump", *extra, *o, im.name) == want
    req = im.cs("luksDump", *o, im.name)[1].split("Requirements:\t")[1].split(" \n")[0]
    assert req.startswith("online-reencrypt-v")
    rc, out, err = dmb(dm, "open", *o, im.name, "x", input=b"pw")
    assert (rc, out, err) == (1, "", "LUKS2 requirement %s is not supported\n" % req)
    dm.assert_no_devices()


# -- open --test-passphrase --------------------------------------------------------

def test_passphrase_verdicts(dm, image):
    o = image.opts()
    cases = []
    for what, value, slot in image.secrets:
        args, stdin = secret_args(what, value)
        cases.append((args, stdin, 2 if value in NOT_BY_DEFAULT else 0))
        cases.append((args + ["--key-slot", str(slot)], stdin, 0))
        other = 5 if slot != 5 else 6
        cases.append((args + ["--key-slot", str(other)], stdin, None))
    used = {s for _, _, s in image.secrets}
    if len(used) > 1:
        # A slot that exists but holds another secret.
        what, value, slot = image.secrets[0]
        args, stdin = secret_args(what, value)
        cases.append((args + ["--key-slot", str(max(used))], stdin, 2))
    (image.cwd / "wrong.bin").write_bytes(b"not the key")
    cases += [([], b"wrong", 2), (["--key-file", "wrong.bin"], None, 2),
              (["--key-file", "wrong.bin", "--key-slot", "0"], None, 2),
              (["--key-slot", "9"], b"pw", 1), (["--key-slot", "31"], b"pw", 1),
              (["--key-file", "missing.bin"], None, None)]
    for args, stdin, rc in cases:
        want = image.cs("open", "--test-passphrase", *args, *o, image.name, input=stdin)
        if rc is not None:
            assert want[0] == rc, (args, want)
        assert dmb(dm, "open", "--test-passphrase", *args, *o, image.name, input=stdin) == \
            want, args
    assert dm.state_files() in ([], [".lock"])


def test_unbound_keyslot_never_maps(dm, name):
    """An unbound keyslot's passphrase opens no device (its key is not the volume key),
    named or not, and its key is never dumped as the volume key, as cryptsetup refuses."""
    im = make_kind("extras", dm.cwd)
    for slot in ([], ["--key-slot", "3"]):
        rc, out, err = dmb(dm, "open", "--key-file", "unbound.txt", *slot, im.name, name)
        assert (rc, out, err) == (2, "", "No key available with this passphrase.\n")
        dm.assert_no_devices()


# Command lines both tools run in the same directory, stdin "pw\nmore": every stdout,
# stderr and exit code must be the same.
CLI_CASES = [
    ("keyfile-offset-size", ["open", "--test-passphrase", "--key-file", "big.key",
                             "--keyfile-offset", "10", "--keyfile-size", "20", "luks.img"]),
    ("keyfile-size-wrong", ["open", "--test-passphrase", "--key-file", "big.key",
                            "--keyfile-offset", "10", "--keyfile-size", "21", "luks.img"]),
    ("keyfile-offset-only", ["open", "--test-passphrase", "--key-file", "big.key",
                             "--keyfile-offset", "10", "luks.img"]),
    ("keyfile-size-past-end", ["open", "--test-passphrase", "--key-file", "big.key",
                               "--keyfile-size", "200", "luks.img"]),
    ("keyfile-slot-verbose", ["open", "--test-passphrase", "-v", "--key-slot", "5", "--key-file",
                              "big.key", "--keyfile-offset", "10", "--keyfile-size", "20",
                              "luks.img"]),
    ("stdin-keyfile-size", ["open", "--test-passphrase", "--key-file", "-", "--keyfile-size", "2",
                            "luks.img"]),
    ("stdin-keyfile-whole", ["open", "--test-passphrase", "--key-file", "-", "luks.img"]),
    ("stdin-line", ["open", "--test-passphrase", "-v", "luks.img"]),
    ("type-mismatch", ["open", "--test-passphrase", "--type", "luks2", "luks.img"]),
    ("dump-not-luks", ["luksDump", "plain.img"]),
    ("dump-missing", ["luksDump", "missing.img"]),
    ("open-not-luks", ["open", "--test-passphrase", "plain.img"]),
    ("isluks-not-luks", ["isLuks", "-v", "plain.img"]),
    ("isluks-missing", ["isLuks", "missing.img"]),
    ("isluks-type", ["isLuks", "--type", "luks1", "luks.img"]),
    ("isluks-type-other", ["isLuks", "--type", "luks2", "luks.img"]),
    ("isluks-header", ["isLuks", "--header", "luks.img", "plain.img"]),
    ("uuid-not-luks", ["luksUUID", "-v", "plain.img"]),
    ("uuid-missing", ["luksUUID", "missing.img"]),
    ("uuid-header", ["luksUUID", "--header", "luks.img", "plain.img"]),
    ("header-missing", ["open", "--test-passphrase", "--header", "missing.hdr", "luks.img"]),
    ("header-data-missing", ["open", "--test-passphrase", "--header", "luks.img", "missing.img"]),
    ("dump-header-data-missing", ["luksDump", "--header", "luks.img", "missing.img"]),
    ("dump-volume-key-slot-ignored", ["luksDump", "--dump-volume-key", "-q", "--key-slot", "7",
                                      "luks.img"]),
    ("open-no-name", ["open", "luks.img"]),
]


@pytest.mark.parametrize("argv", [c[1] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_cli_verdicts(dm, argv):
    make_kind("luks1-cbc-sha512", dm.cwd)
    dm.make_file("plain.img", MIB, 1)
    want = cs(*argv, input=b"pw\nmore", cwd=dm.cwd)
    assert dmb(dm, *argv, input=b"pw\nmore") == want


# -- the table and the plaintext ---------------------------------------------------

def dump_fields(text):
    """The fields of cryptsetup's luksDump the table is made of."""
    f = {}
    for line in text.splitlines():
        k, _, v = line.strip().partition(":")
        v = v.strip()
        if k in ("Version", "UUID", "Payload offset", "Cipher name", "Cipher mode") and k not in f:
            f[k] = v
        elif k in ("offset", "cipher", "sector") and k not in f:
            f[k] = v.split()[0]
    return f


def expected_table(image, name, vk):
    """The crypt line cryptsetup loads for the image, from its own luksDump."""
    f = dump_fields(image.cs("luksDump", *image.opts(), image.name)[1])
    key_len = len(vk)
    size = image.path.stat().st_size // SECTOR
    if f["Version"] == "2":
        cipher, offset, ss = f["cipher"], int(f["offset"]) // SECTOR, int(f["sector"])
        key = ":%d:logon:cryptsetup:%s-d0" % (key_len, f["UUID"])
    else:
        cipher, offset, ss = f["Cipher name"] + "-" + f["Cipher mode"], \
            int(f["Payload offset"]), SECTOR
        key = vk.hex()
    opts = " 1 sector_size:%d" % ss if ss != SECTOR else ""
    return "0 %d crypt %s %s 0 %s %d%s\n" % (size - offset, cipher, key, image.name, offset,
                                            opts), cipher, offset, ss


def masked(table):
    """The table as `dmsetup table` prints it: a hex key as zeros."""
    w = table.split(" ")
    if not w[4].startswith(":"):
        w[4] = "0" * len(w[4])
    return " ".join(w)


def record_desc(dm, name):
    """The keyring key the device's record names for its crypt key."""
    m = re.search(r":\d+:logon:(\S+)", (dm.state / ("dev-" + name)).read_text())
    return m.group(1)


def test_table_and_plaintext(dm, image, name):
    what, value, _ = [x for x in image.secrets if x[1] not in NOT_BY_DEFAULT][-1]
    args, stdin = secret_args(what, value)
    vk = volume_key(image.path, b"pw", *image.opts(), cwd=image.cwd)
    dmb_ok(dm, "open", *args, *image.opts(), image.name, name, input=stdin)
    table = dm.ok("table", "--showkeys", name)
    want, cipher, offset, ss = expected_table(image, name, vk)
    assert table == want
    assert dm.ok("table", name) == masked(want)
    desc = record_desc(dm, name)
    assert keyring_key(desc) == vk
    data = random.Random(3).randbytes(64 * 1024)
    dm.ok("write", name, input=data, raw=True)
    assert dm.read(name, "--length", str(len(data))) == data
    raw = image.path.read_bytes()[offset * SECTOR:offset * SECTOR + len(data)]
    chain, ivmode = spec_model(cipher)
    assert crypt_model(chain, ivmode, vk, raw, 0, ss, decrypt=True) == data
    dmb_ok(dm, "close", name)
    assert keyring_key(desc) is None
    dm.assert_no_devices()


# -- payloads through cryptsetup's offline reencryption ----------------------------

def encrypted_by_cryptsetup(cwd, plain_mib=4, *fmt):
    """A file of known plaintext encrypted in place by `cryptsetup reencrypt --encrypt
    --reduce-device-size 32M` (the last 32 MiB give room for the header); returns the
    image and the plaintext that must survive (all but those 32 MiB)."""
    im = Image(cwd, mib=plain_mib + 32)
    plain = random.Random(4).randbytes(plain_mib * MIB)
    with open(im.path, "r+b") as f:
        f.write(plain)
    cs_ok("reencrypt", "-q", "--encrypt", "--type", "luks2", "--reduce-device-size", "32M",
          *PBKDF2, *fmt, "--key-file", "-", im.name, input=b"pw", cwd=cwd)
    im.secrets.append(("pw", b"pw", 0))
    return im, plain


@pytest.mark.parametrize("fmt", [[], ["--sector-size", "4096"],
                                 ["--cipher", "aes-cbc-essiv:sha256", "--key-size", "256"]],
                         ids=["xts", "xts-4096", "cbc-essiv"])
def test_payload_encrypted_by_cryptsetup(dm, fmt, name):
    im, plain = encrypted_by_cryptsetup(dm.cwd, 4, *fmt)
    assert dmb(dm, "luksDump", im.name) == im.cs("luksDump", im.name)
    dmb_ok(dm, "open", im.name, name, input=b"pw")
    want, _, _, _ = expected_table(im, name, volume_key(im.path, b"pw"))
    assert dm.ok("table", "--showkeys", name) == want
    assert dm.read(name, "--length", str(len(plain))) == plain
    dmb_ok(dm, "close", name)


def test_payload_decrypted_by_cryptsetup(dm, name):
    """Data written through dmboot comes out of `cryptsetup reencrypt --decrypt`: LUKS2
    decryption needs the header exported to a detached file (--header), and a file
    (not a block device) needs --force-offline-reencrypt."""
    im, plain = encrypted_by_cryptsetup(dm.cwd, 4)
    dmb_ok(dm, "open", im.name, name, input=b"pw")
    data = random.Random(5).randbytes(1 * MIB)
    dm.ok("write", name, "--offset", str(MIB), input=data, raw=True)
    dmb_ok(dm, "close", name)
    cs_ok("reencrypt", "-q", "--decrypt", "--force-offline-reencrypt", "--header", "exported.hdr",
          "--key-file", "-", im.name, input=b"pw", cwd=dm.cwd)
    out = im.path.read_bytes()
    assert out[:MIB] == plain[:MIB]
    assert out[MIB:2 * MIB] == data
    assert out[2 * MIB:4 * MIB] == plain[2 * MIB:]


@pytest.mark.parametrize("kind", ["detached", "cbc-essiv"])
def test_written_then_decrypted_in_place(dm, name, kind):
    """A detached header decrypts in place (--header names it); an attached one after
    exporting it (--header to a new file): either way cryptsetup's plaintext is what
    dmboot wrote, at the data segment's offset of the device it ends up on (0)."""
    im = make_kind(kind, dm.cwd)
    dmb_ok(dm, "open", *im.opts(), im.name, name, input=b"pw")
    data = random.Random(13).randbytes(MIB)
    dm.ok("write", name, input=data, raw=True)
    dmb_ok(dm, "close", name)
    hdr = im.opts() or ["--header", "exported.hdr"]
    cs_ok("reencrypt", "-q", "--decrypt", "--force-offline-reencrypt", *hdr, "--key-file", "-",
          im.name, input=b"pw", cwd=dm.cwd)
    assert im.path.read_bytes()[:len(data)] == data


def test_luks1_decrypted_by_cryptsetup(dm, name):
    """LUKS1: cryptsetup 2.6.1 reencrypts LUKS1 only through kernel dm, so the header is
    converted to LUKS2 (offline, the data untouched) and decrypted as above."""
    im = make_kind("luks1", dm.cwd)
    dmb_ok(dm, "open", im.name, name, input=b"pw")
    data = random.Random(6).randbytes(2 * MIB)
    dm.ok("write", name, input=data, raw=True)
    dmb_ok(dm, "close", name)
    cs_ok("convert", "-q", "--type", "luks2", im.name, cwd=dm.cwd)
    cs_ok("reencrypt", "-q", "--decrypt", "--force-offline-reencrypt", "--header", "exported.hdr",
          "--key-file", "-", "--key-slot", "0", im.name, input=b"pw", cwd=dm.cwd)
    assert im.path.read_bytes()[:len(data)] == data


# -- plain mode --------------------------------------------------------------------

DIGESTS = {"ripemd160": 20, "sha1": 20, "sha256": 32, "sha512": 64}


def plain_hash(hash_name, pw, key_len):
    """cryptsetup's plain-mode key: digests of the passphrase behind 0, 1, 2 ... bytes 'A',
    concatenated and cut to the key size; "plain": the passphrase, zero padded or cut."""
    if hash_name == "plain":
        return (pw + bytes(key_len))[:key_len]
    out = b""
    n = 0
    while len(out) < key_len:
        out += digest(hash_name, b"A" * n + pw)
        n += 1
    return out[:key_len]


def digest(hash_name, data):
    """hashlib's digest, or openssl's with its legacy provider (whirlpool)."""
    try:
        return hashlib.new(hash_name, data).digest()
    except ValueError:
        p = subprocess.run(["openssl", "dgst", "-" + hash_name, "-provider", "legacy",
                            "-provider", "default", "-binary"], input=data,
                           stdout=subprocess.PIPE, check=True)
        return p.stdout


PLAIN_CASES = [
    # id, options, stdin, key from (hash, secret), cipher, key bytes, offset, skip
    ("defaults", [], b"pw", ("ripemd160", b"pw"), "aes-cbc-essiv:sha256", 32, 0, 0),
    ("ripemd160-long-key", ["-c", "aes-xts-plain64", "-s", "512"], b"pw",
     ("ripemd160", b"pw"), "aes-xts-plain64", 64, 0, 0),
    ("xts-sha256-offset-skip", ["--cipher", "aes-xts-plain64", "--key-size", "512", "--hash",
                                "sha256", "--offset", "8", "--skip", "24"], b"secret",
     ("sha256", b"secret"), "aes-xts-plain64", 64, 8, 24),
    ("cbc-plain64-sha512", ["--cipher", "aes-cbc-plain64", "--key-size", "128", "--hash",
                            "sha512", "-o", "3", "-p", "5"], b"x" * 40,
     ("sha512", b"x" * 40), "aes-cbc-plain64", 16, 3, 5),
    ("whirlpool", ["--hash", "whirlpool", "--key-size", "512", "-c", "aes-xts-plain64"], b"pw",
     ("whirlpool", b"pw"), "aes-xts-plain64", 64, 0, 0),
    ("hash-plain", ["--hash", "plain", "--key-size", "256"], b"short",
     ("plain", b"short"), "aes-cbc-essiv:sha256", 32, 0, 0),
    ("keyfile", ["--key-file", "kf.bin"], None, ("file", None), "aes-cbc-essiv:sha256", 32, 0, 0),
    ("keyfile-hash-ignored", ["--key-file", "kf.bin", "--hash", "sha256", "-s", "512",
                              "-c", "aes-xts-plain64"], None, ("file", None),
     "aes-xts-plain64", 64, 0, 0),
    ("keyfile-offset", ["--key-file", "kf.bin", "--keyfile-offset", "7"], None,
     ("file", 7), "aes-cbc-essiv:sha256", 32, 0, 0),
    ("sector-4096", ["--sector-size", "4096", "-c", "aes-xts-plain64", "-s", "512", "-o", "8",
                     "-p", "16"], b"pw", ("ripemd160", b"pw"), "aes-xts-plain64", 64, 8, 16),
    ("iv-large-sectors", ["--sector-size", "4096", "--iv-large-sectors", "-p", "16"], b"pw",
     ("ripemd160", b"pw"), "aes-cbc-essiv:sha256", 32, 0, 16),
    ("keyfile-stdin-hashed", ["--key-file", "-"], b"pw\n", ("ripemd160", b"pw\n"),
     "aes-cbc-essiv:sha256", 32, 0, 0),
]


@pytest.mark.parametrize("case", PLAIN_CASES, ids=[c[0] for c in PLAIN_CASES])
def test_plain(dm, case, name):
    _, opts, stdin, (how, secret), cipher, key_len, offset, skip = case
    kf = random.Random(7).randbytes(100)
    (dm.cwd / "kf.bin").write_bytes(kf)
    if how == "file":
        key = kf[secret or 0:][:key_len]
    else:
        key = plain_hash(how, secret, key_len)
    dm.make_file("p.img", 4 * MIB, 8)
    rc, out, err = dmb(dm, "open", "--type", "plain", *opts, "p.img", name, input=stdin)
    assert (rc, err) == (0, "")
    if "--hash" in opts and how == "file":
        assert out == "WARNING: The --hash parameter is being ignored in plain mode with " \
            "keyfile specified.\n"
    else:
        assert out == ""
    ss = int(opts[opts.index("--sector-size") + 1]) if "--sector-size" in opts else SECTOR
    large = "--iv-large-sectors" in opts
    extra = ""
    if ss != SECTOR:
        extra = " %d sector_size:%d%s" % (1 + large, ss, " iv_large_sectors" if large else "")
    table = dm.ok("table", "--showkeys", name)
    assert table == "0 %d crypt %s %s %d p.img %d%s\n" % (
        4 * MIB // SECTOR - offset, cipher, key.hex(), skip, offset, extra)
    desc = record_desc(dm, name)
    assert keyring_key(desc) == key
    chain, ivmode = spec_model(cipher)
    before = dm.file("p.img")
    got = dm.read(name, "--length", str(64 * 1024))
    ct = before[offset * SECTOR:offset * SECTOR + len(got)]
    assert crypt_model(chain, ivmode, key, ct, skip, ss, large, decrypt=True) == got
    data = random.Random(9).randbytes(32 * 1024)
    dm.ok("write", name, input=data, raw=True)
    after = dm.file("p.img")
    assert after[offset * SECTOR:offset * SECTOR + len(data)] == \
        crypt_model(chain, ivmode, key, data, skip, ss, large)
    assert after[:offset * SECTOR] == before[:offset * SECTOR]
    dmb_ok(dm, "close", name)
    assert keyring_key(desc) is None


def test_same_name_two_state_dirs(dm, name):
    """Two state directories (DMBOOT_STATE_DIR) each open a device of the same name: their
    keys never meet in the one user keyring, and closing one leaves the other readable."""
    other = DM(dm.binary, dm.kind, dm.tmp / "other")
    data = random.Random(10).randbytes(8192)
    for d, pw in ((dm, b"one"), (other, b"two")):
        d.make_file("p.img", MIB, 8)
        rc, _, err = d.exec([d.binary, "cryptsetup", "open", "--type", "plain", "p.img", name],
                            input=pw)
        assert rc == 0, err
        d.ok("write", name, input=data, raw=True)
    assert record_desc(dm, name) != record_desc(other, name)
    dmb_ok(dm, "close", name)
    assert other.read(name, "--length", str(len(data))) == data
    want = crypt_model("cbc", "essiv", plain_hash("ripemd160", b"two", 32), data, 0, SECTOR)
    assert other.file("p.img")[:len(data)] == want
    rc, _, err = other.exec([other.binary, "cryptsetup", "close", name])
    assert rc == 0, err


def test_luks2_open_twice(dm, name):
    """A LUKS2 volume already open is refused as cryptsetup refuses a device in use: both
    devices would name the one cryptsetup:UUID-d0 key, and closing one would unlink it."""
    im = make_kind("xts512", dm.cwd)
    dmb_ok(dm, "open", im.name, name, input=b"pw")
    rc, out, err = dmb(dm, "open", im.name, name + "b", input=b"pw")
    assert (rc, out, err) == (5, "", "Cannot use device luks.img which is in use (already "
                                     "mapped or mounted).\n")
    assert dm.ok("ls").startswith(name + "\t")
    assert len(dm.read(name, "--length", "4096")) == 4096
    dmb_ok(dm, "close", name)
    dm.assert_no_devices()


def test_plain_keyfile_too_short(dm, name):
    (dm.cwd / "kf.bin").write_bytes(b"short")
    dm.make_file("p.img", MIB, 8)
    rc, out, err = dmb(dm, "open", "--type", "plain", "--key-file", "kf.bin", "p.img", name)
    assert rc != 0 and out == "" and err != ""
    dm.assert_no_devices()


# -- no key in a file; none left in the keyring ------------------------------------

def state_holds(state, key):
    """The state directory's files that contain key: raw, or hex in either case."""
    needles = [key, key.hex().encode(), key.hex().upper().encode()]
    found = []
    for root, _, files in os.walk(state):
        for f in files:
            data = (Path(root) / f).read_bytes()
            if any(n in data for n in needles):
                found.append(f)
    return found


@pytest.mark.parametrize("kind", ["luks1", "xts512", "detached", "plain"])
def test_no_key_in_state(dm, kind, name):
    if kind == "plain":
        dm.make_file("p.img", MIB, 8)
        dmb_ok(dm, "open", "--type", "plain", "p.img", name, input=b"pw")
        key = plain_hash("ripemd160", b"pw", 32)
    else:
        im = make_kind(kind, dm.cwd)
        key = volume_key(im.path, b"pw", *im.opts(), cwd=im.cwd)
        dmb_ok(dm, "open", *im.opts(), im.name, name, input=b"pw")
    # Stack a device on it and read through both, so every record is written.
    dm.ok("create", "top", "--table", "0 8 linear /dev/mapper/%s 0" % name)
    dm.read("top")
    desc = record_desc(dm, name)
    assert keyring_key(desc) == key
    assert state_holds(dm.state, key) == []
    assert key.hex() not in dm.ok("table", "--showkeys", "top")
    dm.ok("remove", "top")
    dmb_ok(dm, "close", name)
    assert keyring_key(desc) is None
    assert state_holds(dm.state, key) == []
    dm.assert_no_devices()
