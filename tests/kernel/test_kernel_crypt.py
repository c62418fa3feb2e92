# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""crypt: a table mapped by dmboot on the host is loaded by the VM's kernel from the
line `dmboot dmsetup table --showkeys` prints; the kernel prints the same table (keys
shown and masked) and status, reads the plaintext dmboot wrote, and dmboot decrypts
the ciphertext the kernel wrote.  `dmsetup targets` gives crypt's version in both."""
import hashlib
import os

import pytest

import vm

K256 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
K512 = K256 + "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeffe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
SECTORS = 2048

# name: (cipher, key, iv_offset, offset, options)
CASES = {
    "crypt_xts_256": ("aes-xts-plain64", K256, 0, 0, ""),
    "crypt_xts_512": ("aes-xts-plain64", K512, 0, 0, ""),
    "crypt_cbc_essiv": ("aes-cbc-essiv:sha256", K256, 0, 0, ""),
    "crypt_xts_4k": ("aes-xts-plain64", K512, 0, 0, " 1 sector_size:4096"),
    "crypt_xts_4k_large": ("aes-xts-plain64", K512, 16, 8,
                           " 2 sector_size:4096 iv_large_sectors"),
    "crypt_offsets": ("aes-xts-plain64", K512, 12345, 77, ""),
    "crypt_capi_xts": ("capi:xts(aes)-plain64", K512, 3, 0, " 1 allow_discards"),
    "crypt_plain64be": ("aes-xts-plain64be", K512, 0, 0, ""),
    "crypt_benbi": ("aes-cbc-benbi", K256, 0, 0, ""),
    "crypt_keycount_2": ("aes:2-xts-plain64", K512, 5, 0, ""),
}


def _register(name, cipher, key, iv_offset, offset, opts):
    @vm.case(name)
    def _prepare(c):
        pattern = vm.shared_disk(c, "crypt_pattern.img", SECTORS * 512)
        data = open(pattern, "rb").read()
        size = (SECTORS + offset) * 512
        host = c.disk("host.img", size=size)
        guest = c.disk("guest.img", size=size)
        table = "0 %d crypt %s %s %d %%s %d%s\n" % (SECTORS, cipher, key, iv_offset, offset, opts)
        c.dmboot("dmsetup", "create", "c", "--table", table % host)
        c.dmboot("dmsetup", "write", "c", input=data)
        c.data["host"] = {
            "shown": c.dmboot_text("dmsetup", "table", "--showkeys", "c"),
            "table": c.dmboot_text("dmsetup", "table", "c"),
            "status": c.dmboot_text("dmsetup", "status", "c"),
            "targets": c.dmboot_text("dmsetup", "targets"),
            "read": vm.sha256(c.dmboot("dmsetup", "read", "c").stdout),
        }
        c.data["pattern"] = vm.sha256(data)
        c.data["guest_img"] = guest
        c.data["table"] = table
        c.file("table.txt", c.data["host"]["shown"])
        c.file("gtable.txt", table % guest)
        c.guest("""
step create dmsetup create c table.txt
mk
step shown dmsetup table --showkeys c
step table dmsetup table c
step status dmsetup status c
step targets dmsetup targets
step sha devsha c
step remove dmsetup remove c
step gcreate dmsetup create g gtable.txt
mk
step gwrite dd if=%s of=/dev/mapper/g bs=512 count=%d conv=notrunc,fsync
step gremove dmsetup remove g
sync
""" % (pattern, SECTORS))


for _name, _args in CASES.items():
    _register(_name, *_args)


@pytest.mark.parametrize("name", sorted(CASES))
def test_crypt_kernel_loads_dmboot_table(kernel, name):
    c = kernel(name)
    host = c.data["host"]
    assert host["read"] == c.data["pattern"]
    vm.ok(c, "create")
    assert c.guest_norm(vm.ok(c, "shown")) == c.host_norm(host["shown"])
    assert c.guest_norm(vm.ok(c, "table")) == c.host_norm(host["table"])
    assert c.guest_norm(vm.ok(c, "status")) == c.host_norm(host["status"])
    # The kernel reads the plaintext dmboot wrote.
    assert vm.ok(c, "sha").strip() == c.data["pattern"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_crypt_dmboot_reads_kernel_ciphertext(kernel, name):
    c = kernel(name)
    vm.ok(c, "gcreate")
    vm.ok(c, "gwrite")
    vm.ok(c, "gremove")
    c.dmboot("dmsetup", "create", "k", "--table", c.data["table"] % c.data["guest_img"])
    assert vm.sha256(c.dmboot("dmsetup", "read", "k").stdout) == c.data["pattern"]
    c.dmboot("dmsetup", "remove", "k")


def test_crypt_target_version(kernel):
    c = kernel("crypt_xts_256")
    ours = [ln for ln in c.data["host"]["targets"].splitlines() if ln.split()[0] == "crypt"]
    theirs = [ln for ln in vm.ok(c, "targets").splitlines() if ln.split()[0] == "crypt"]
    assert ours and ours == theirs
