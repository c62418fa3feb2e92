# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""A stack of mapped devices, and writes through linear and striped: the kernel
leaves the same bytes on its disks as dmboot leaves on its images."""
import hashlib
import os

import vm


@vm.case("stacked_linear_over_striped")
def _stacked(c):
    a = vm.shared_disk(c, "stripe0.img", 4 << 20)
    b = vm.shared_disk(c, "stripe1.img", 4 << 20)
    c.dmboot("dmsetup", "create", "lower", "--table", "0 4096 striped 2 16 %s 8 %s 0\n" % (a, b))
    c.file("lower.txt", c.dmboot_text("dmsetup", "table", "lower"))
    c.guest("step lower dmsetup create lower lower.txt\nmk\n")
    vm.mapping(c, "upper", "0 1000 linear /dev/mapper/lower 1024\n1000 500 zero\n")
    c.guest("step dminfo dmsetup info -c --noheadings -o name,major,minor --separator ' '\n")


def test_stacked_linear_over_striped(kernel):
    c = kernel("stacked_linear_over_striped")
    vm.ok(c, "lower")
    # The kernel names the lower mapped device by major:minor; dmboot keeps /dev/mapper/NAME.
    names = {}
    for line in vm.ok(c, "dminfo").splitlines():
        f = line.split()
        if len(f) == 3:
            names["%s:%s" % (f[1], f[2])] = "/dev/mapper/" + f[0]
    norm = c.guest_norm
    c.guest_norm = lambda t: _dm_names(norm(t), names)
    vm.assert_same(c)


def _dm_names(text, names):
    for mm, path in names.items():
        text = text.replace(" %s " % mm, " %s " % path)
    return text


WRITE_TABLE = "0 1000 linear {a} 50\n1000 3072 striped 2 8 {a} 2000 {b} 0\n4072 24 zero\n"


@vm.case("write_linear_striped")
def _write(c):
    pattern = vm.shared_disk(c, "pattern.img", 1 << 20)
    start = os.urandom(2 << 20)
    host = [c.disk("host%d.img" % i, data=start) for i in range(2)]
    guest = [c.disk("guest%d.img" % i, data=start) for i in range(2)]
    c.dmboot("dmsetup", "create", "w", "--table", WRITE_TABLE.format(a=host[0], b=host[1]))
    with open(pattern, "rb") as f:
        data = f.read(1500 * 512)
    c.dmboot("dmsetup", "write", "w", "--offset", str(300 * 512), input=data)
    c.data["host"] = [hashlib.sha256(open(p, "rb").read()).hexdigest() for p in host]
    c.data["guest"] = guest
    c.data["read"] = vm.sha256(c.dmboot("dmsetup", "read", "w").stdout)
    c.file("table.txt", WRITE_TABLE.format(a=guest[0], b=guest[1]))
    c.guest("""
step create dmsetup create w table.txt
mk
step write dd if=%s of=/dev/mapper/w bs=512 count=1500 seek=300 conv=notrunc,fsync
step sha devsha w
step remove dmsetup remove w
sync
""" % pattern)


def test_write_linear_striped_same_bytes_on_disk(kernel):
    c = kernel("write_linear_striped")
    vm.ok(c, "create")
    vm.ok(c, "write")
    assert vm.ok(c, "sha").strip() == c.data["read"]
    vm.ok(c, "remove")
    after = [hashlib.sha256(open(p, "rb").read()).hexdigest() for p in c.data["guest"]]
    assert after == c.data["host"]
