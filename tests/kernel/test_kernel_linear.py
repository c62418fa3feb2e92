# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""linear: the kernel maps dmboot's table to the same bytes and prints the same text."""
import os

import vm


@vm.case("linear_two_segments")
def _linear(c):
    a = c.disk("a.img", data=os.urandom(4 << 20))
    b = c.disk("b.img", data=os.urandom(4 << 20))
    vm.mapping(c, "lin", "0 2048 linear %s 4096\n2048 6000 linear %s 100\n" % (b, a))


def test_linear_two_segments(kernel):
    vm.assert_same(kernel("linear_two_segments"))


@vm.case("concise_two_devices")
def _concise(c):
    a = vm.shared_disk(c, "stripe0.img", 4 << 20)
    b = vm.shared_disk(c, "stripe1.img", 4 << 20)
    c.dmboot("dmsetup", "create", "one", "--table", "0 2048 linear %s 64\n" % a)
    c.dmboot("dmsetup", "create", "two", "--readonly", "--table",
             "0 1024 striped 2 32 %s 0 %s 128\n1024 8 zero\n" % (a, b))
    host = c.data["host"] = {
        "concise": c.dmboot_text("dmsetup", "table", "--concise"),
        "one": vm.sha256(c.dmboot("dmsetup", "read", "one").stdout),
        "two": vm.sha256(c.dmboot("dmsetup", "read", "two").stdout),
    }
    c.file("concise.txt", host["concise"].strip())
    c.guest("""
step create dmsetup create --concise "$(cat concise.txt)"
mk
step concise dmsetup table --concise
step one devsha one
step two devsha two
""")


def test_concise_two_devices(kernel):
    c = kernel("concise_two_devices")
    host = c.data["host"]
    vm.ok(c, "create")
    assert c.guest_norm(vm.ok(c, "concise")) == c.host_norm(host["concise"])
    assert vm.ok(c, "one").strip() == host["one"]
    assert vm.ok(c, "two").strip() == host["two"]
