# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""striped: several chunk sizes over 2 and 3 disks, and zero and error beside them."""
import pytest

import vm

STRIPES = [(n, chunk) for n in (2, 3) for chunk in (8, 64, 128)]


def _register(n, chunk):
    @vm.case("striped_%d_%d" % (n, chunk))
    def _prepare(c):
        disks = [vm.shared_disk(c, "stripe%d.img" % i, 4 << 20) for i in range(n)]
        # A length that is a whole number of chunks per disk; offsets differ per disk.
        length = n * chunk * (4096 // chunk) // 2
        legs = " ".join("%s %d" % (d, 16 * i) for i, d in enumerate(disks))
        vm.mapping(c, "st", "0 %d striped %d %d %s\n" % (length, n, chunk, legs))


for _n, _chunk in STRIPES:
    _register(_n, _chunk)


@pytest.mark.parametrize("n,chunk", STRIPES)
def test_striped(kernel, n, chunk):
    vm.assert_same(kernel("striped_%d_%d" % (n, chunk)))


@vm.case("striped_then_linear")
def _mixed(c):
    a = vm.shared_disk(c, "stripe0.img", 4 << 20)
    b = vm.shared_disk(c, "stripe1.img", 4 << 20)
    vm.mapping(c, "mix", "0 1024 striped 2 64 %s 0 %s 512\n1024 512 linear %s 3000\n"
               % (a, b, a))


def test_striped_then_linear(kernel):
    vm.assert_same(kernel("striped_then_linear"))


@vm.case("zero")
def _zero(c):
    vm.mapping(c, "z", "0 4096 zero\n")


def test_zero(kernel):
    vm.assert_same(kernel("zero"))


@vm.case("zero_linear_zero")
def _zero_mix(c):
    a = vm.shared_disk(c, "stripe2.img", 4 << 20)
    vm.mapping(c, "zl", "0 100 zero\n100 900 linear %s 7\n1000 24 zero\n" % a)


def test_zero_linear_zero(kernel):
    vm.assert_same(kernel("zero_linear_zero"))


@vm.case("error")
def _error(c):
    a = vm.shared_disk(c, "stripe0.img", 4 << 20)
    c.dmboot("dmsetup", "create", "er", "--table", "0 1024 linear %s 0\n1024 1024 error\n" % a)
    host = c.data["host"] = {
        "table": c.dmboot_text("dmsetup", "table", "er"),
        "status": c.dmboot_text("dmsetup", "status", "er"),
        "good": vm.sha256(c.dmboot("dmsetup", "read", "er", "--length", str(1024 * 512)).stdout),
        "bad": c.dmboot("dmsetup", "read", "er", "--offset", str(1024 * 512), "--length",
                        "512", check=False).returncode,
        "whole": c.dmboot("dmsetup", "read", "er", check=False).returncode,
    }
    assert host["bad"] != 0 and host["whole"] != 0
    c.file("table.txt", host["table"])
    c.guest("""
step create dmsetup create er table.txt
mk
step table dmsetup table er
step status dmsetup status er
step good sh -c 'dd if=/dev/mapper/er bs=512 count=1024 2>/dev/null | sha256sum | cut -d" " -f1'
step bad dd if=/dev/mapper/er of=/dev/null bs=512 skip=1024 count=1 iflag=direct
step whole dd if=/dev/mapper/er of=/dev/null bs=4096 iflag=direct
""")


def test_error_reads_fail_in_both(kernel):
    c = kernel("error")
    host = c.data["host"]
    vm.ok(c, "create")
    assert c.guest_norm(vm.ok(c, "table")) == c.host_norm(host["table"])
    assert c.guest_norm(vm.ok(c, "status")) == c.host_norm(host["status"])
    assert vm.ok(c, "good").strip() == host["good"]
    assert c.step("bad").rc != 0, c.step("bad")
    assert c.step("whole").rc != 0, c.step("whole")
