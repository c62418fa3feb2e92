# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""The crypt target through `dmboot dmsetup` (formats.md §1.7, §1.9): tables over
files, plaintext written and read back, the ciphertext on the file compared with
dm-crypt's sectors computed here with python `cryptography` (xts plain64,
cbc essiv:sha256, 4096-byte sectors with and without iv_large_sectors, iv_offset,
offset), the masked and --showkeys table text, and one named row per malformed
table with the kernel's message; nothing is left mapped after a failure."""
import pytest

from crypt_util import SECTOR, crypt_model as _model

K256 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
K512 = K256 + "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeffe0e1e2e3e4e5e6e7e8e9eaebecedeeef"


IO_CASES = [
    ("xts_plain64", "aes-xts-plain64", K512, "xts", "plain64", 0, 0, 512, False, ""),
    ("xts_plain64_256", "aes-xts-plain64", K256, "xts", "plain64", 0, 0, 512, False, ""),
    ("cbc_essiv", "aes-cbc-essiv:sha256", K256, "cbc", "essiv", 0, 0, 512, False, ""),
    ("xts_4096", "aes-xts-plain64", K512, "xts", "plain64", 0, 0, 4096, False,
     " 1 sector_size:4096"),
    ("xts_4096_large", "aes-xts-plain64", K512, "xts", "plain64", 16, 8, 4096, True,
     " 2 sector_size:4096 iv_large_sectors"),
    ("xts_iv_offset", "aes-xts-plain64", K512, "xts", "plain64", 1000, 3, 512, False, ""),
    ("capi_xts", "capi:xts(aes)-plain64", K512, "xts", "plain64", 7, 0, 512, False, ""),
]
LEN = 256


@pytest.mark.parametrize("case", IO_CASES, ids=[c[0] for c in IO_CASES])
def test_crypt_io(dm, case):
    _, cipher, key, chain, ivmode, iv_offset, offset, ss, large, opts = case
    dm.make_file("lower.img", (LEN + offset) * SECTOR, 0)
    before = dm.file("lower.img")
    table = "0 %d crypt %s %s %d lower.img %d%s" % (LEN, cipher, key, iv_offset, offset, opts)
    dm.ok("create", "c", "--table", table)
    data = bytes((i * 7 + 3) & 0xff for i in range(LEN * SECTOR))
    dm.ok("write", "c", input=data, raw=True)
    assert dm.read("c") == data
    after = dm.file("lower.img")
    assert after[:offset * SECTOR] == before[:offset * SECTOR]
    ct = after[offset * SECTOR:]
    assert ct == _model(chain, ivmode, bytes.fromhex(key), data, iv_offset, ss, large)
    dm.ok("remove", "c")
    dm.assert_no_devices()


def test_crypt_table_masked_and_shown(dm):
    dm.make_file("lower.img", 72 * SECTOR, 0)
    dm.ok("create", "c", "--table",
          "0 64 crypt aes-xts-plain64 %s 8 lower.img 8 2 sector_size:4096 allow_discards" % K512)
    masked = "0 64 crypt aes-xts-plain64 %s 8 lower.img 8 2 allow_discards sector_size:4096\n" \
        % ("0" * len(K512))
    assert dm.ok("table", "c") == masked
    assert dm.ok("table", "--showkeys", "c") == masked.replace("0" * len(K512), K512)
    assert dm.ok("status", "c") == "0 64 crypt \n"
    dm.ok("remove", "c")


BAD = [
    ("bad-key-hex", "aes-xts-plain64 zz%s 0 lower.img 0" % K512[2:],
     "Error decoding and setting key"),
    ("odd-key-length", "aes-xts-plain64 0%s 0 lower.img 0" % K512,
     "Error decoding and setting key"),
    ("bad-keycount", "aes:3-xts-plain64 %s 0 lower.img 0" % K512,
     "Bad cipher key count specification"),
    ("missing-iv-mode", "aes-xts %s 0 lower.img 0" % K512, "IV mechanism required"),
    ("paren-in-legacy", "xts(aes)-plain64 %s 0 lower.img 0" % K512, "Bad cipher specification"),
    ("integrity-option", "aes-xts-plain64 %s 0 lower.img 0 1 integrity:28:aead" % K512,
     "integrity (AEAD) is not supported"),
    ("bad-sector-size", "aes-xts-plain64 %s 0 lower.img 0 1 sector_size:1000" % K512,
     "Invalid feature value for sector_size"),
    ("iv-offset-not-multiple", "aes-xts-plain64 %s 1 lower.img 0 1 sector_size:4096" % K512,
     "Invalid iv_offset sector"),
    ("unknown-option", "aes-xts-plain64 %s 0 lower.img 0 1 bogus" % K512,
     "Invalid feature arguments"),
    ("serpent", "serpent-xts-plain64 %s 0 lower.img 0" % K512,
     "cipher serpent-xts is not supported by the crypto provider"),
    ("lmk", "aes-cbc-lmk %s 0 lower.img 0" % K256,
     "IV mode not supported (lmk, tcw, random, elephant, eboiv)"),
]


@pytest.mark.parametrize("params,why", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_crypt_bad_table(dm, params, why):
    dm.make_file("lower.img", 64 * SECTOR, 0)
    err = dm.fail("create", "c", "--table", "0 16 crypt " + params)
    assert err == "dmsetup: create c: line 1: crypt: " + why
    dm.assert_no_devices()


def test_crypt_length_not_multiple(dm):
    dm.make_file("lower.img", 64 * SECTOR, 0)
    err = dm.fail("create", "c", "--table",
                  "0 12 crypt aes-xts-plain64 %s 0 lower.img 0 1 sector_size:4096" % K512)
    assert err == "dmsetup: create c: line 1: crypt: Device size is not multiple of sector_size feature"
    dm.assert_no_devices()
