# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""What the crypt end-to-end tests share: running cryptsetup and `dmboot
cryptsetup` side by side, the volume key cryptsetup dumps, the keyring key
an opened device names, and a model of dm-crypt's sectors (python
`cryptography`, independent of dmboot) for the ciphers LUKS and plain mode
use: aes-xts-plain64, aes-cbc-essiv:sha256, aes-cbc-plain(64)."""
import hashlib
import struct
import subprocess

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from conftest import require, tool

SECTOR = 512
CS = tool("cryptsetup")
KEYCTL = tool("keyctl")


def need_cryptsetup():
    require(CS, "cryptsetup is not installed")


def cs(*args, input=None, cwd=None):
    """cryptsetup ARGS: (rc, stdout, stderr)."""
    p = subprocess.run([CS, *map(str, args)], input=input, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, cwd=cwd, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def cs_ok(*args, input=None, cwd=None):
    rc, out, err = cs(*args, input=input, cwd=cwd)
    assert rc == 0, "cryptsetup %s: rc=%d %s" % (args, rc, err)
    return out


def dmb(dm, *args, input=None):
    """dmboot cryptsetup ARGS in the test's working directory: (rc, stdout, stderr)."""
    return dm.exec([dm.binary, "cryptsetup", *args], input=input)


def dmb_ok(dm, *args, input=None):
    rc, out, err = dmb(dm, *args, input=input)
    assert rc == 0, "dmboot cryptsetup %s: rc=%d %s" % (args, rc, err)
    return out


def volume_key(path, pw, *opts, cwd=None):
    """The volume key cryptsetup's luksDump --dump-volume-key prints."""
    out = cs_ok("luksDump", "--dump-volume-key", "--batch-mode", "--key-file", "-", *opts,
                path, input=pw, cwd=cwd)
    return bytes.fromhex("".join(out.split("MK dump:")[1].split()))


def keyring_key(desc):
    """The payload of the user key DESC in @u, or None when there is none."""
    require(KEYCTL, "keyctl is not installed (keyutils)")
    p = subprocess.run([KEYCTL, "search", "@u", "user", desc], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        return None
    p = subprocess.run([KEYCTL, "pipe", p.stdout.decode().strip()], stdout=subprocess.PIPE,
                       check=True)
    return p.stdout


def _iv(mode, key, s):
    if mode == "plain64":
        return struct.pack("<Q", s) + bytes(8)
    if mode == "plain":
        return struct.pack("<I", s & 0xffffffff) + bytes(12)
    if mode == "essiv":
        salt = hashlib.sha256(key).digest()
        e = Cipher(algorithms.AES(salt), modes.ECB()).encryptor()
        return e.update(struct.pack("<Q", s) + bytes(8)) + e.finalize()
    raise AssertionError(mode)


def crypt_model(chain, ivmode, key, data, iv_offset, ss, large=False, decrypt=False):
    """dm-crypt's ciphertext of DATA (its plaintext when decrypt): one IV per
    ss-byte crypto sector, IV sectors in 512-byte units from iv_offset unless large."""
    out = b""
    for i in range(len(data) // ss):
        s = iv_offset + i * (ss // SECTOR)
        if large:
            s //= ss // SECTOR
        iv = _iv(ivmode, key, s)
        m = modes.XTS(iv) if chain == "xts" else modes.CBC(iv)
        c = Cipher(algorithms.AES(key), m)
        e = c.decryptor() if decrypt else c.encryptor()
        out += e.update(data[i * ss:(i + 1) * ss]) + e.finalize()
    return out


def spec_model(cipher):
    """(chain, ivmode) of a cipher specification the model knows."""
    return {
        "aes-xts-plain64": ("xts", "plain64"),
        "aes-cbc-essiv:sha256": ("cbc", "essiv"),
        "aes-cbc-plain64": ("cbc", "plain64"),
        "aes-cbc-plain": ("cbc", "plain"),
    }[cipher]
