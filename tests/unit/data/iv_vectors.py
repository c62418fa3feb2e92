#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""The null, benbi and plain64be rows of test_crypt.c's test_iv_vectors.

8 KiB of zeros encrypted with AES-128-CBC under the FIPS-197 key, one IV per crypto
sector as Linux's dm-crypt makes them (null: all zero; benbi: the big-endian narrow
block count, sector * 32 + 1 for 16-byte blocks, in the last 8 bytes; plain64be: the
sector big-endian in the last 8 bytes), the sector counted in 512-byte units unless
iv_large_sectors; printed as SHA-256 sums in the test's row form.  The same model with
plain64 (the sector little-endian in the first 8 bytes) gives the plain64 rows that
come from cryptsetup.  Run: python3 tests/unit/data/iv_vectors.py
"""
import hashlib
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
ROWS = [("null", 0xfffffff8, 512, False), ("benbi", 0xfffffff8, 512, False),
        ("benbi", 0xfffffff8, 4096, True), ("plain64be", 0xfffffff8, 512, False),
        ("plain64be", 0xfffffff8, 4096, False)]


def iv(kind, sector):
    if kind == "null":
        return bytes(16)
    if kind == "benbi":
        return bytes(8) + struct.pack(">Q", (sector << 5) + 1)
    if kind == "plain64be":
        return bytes(8) + struct.pack(">Q", sector)
    if kind == "plain64":
        return struct.pack("<Q", sector) + bytes(8)
    raise ValueError(kind)


def ciphertext_sum(kind, iv_offset, ss, large):
    out = b""
    for i in range(8192 // ss):
        sector = iv_offset + i * (ss // 512)
        if large:
            sector //= ss // 512
        enc = Cipher(algorithms.AES(KEY), modes.CBC(iv(kind, sector))).encryptor()
        out += enc.update(bytes(ss)) + enc.finalize()
    return hashlib.sha256(out).hexdigest()


for kind, off, ss, large in ROWS:
    print('\t\t{ "aes-cbc-%s", 0x%xull, %d, %s,\n\t\t  "%s" },'
          % (kind, off, ss, "true" if large else "false", ciphertext_sum(kind, off, ss, large)))
