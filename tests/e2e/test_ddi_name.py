# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`ddi open --name PREFIX`: devices PREFIX-root (and PREFIX-usr), so that several
images can be open at once (docs/ddi.md).  Images are those of test_ddi.py's Kit."""

import pytest

from test_ddi import Kit, ddi, ddi_ok


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    return Kit(tmp_path_factory.mktemp("ddiname"))


def image(kit, fs):
    return kit.once("name-" + fs, lambda: kit.hand("name-%s.raw" % fs, fs=fs))[0]


def test_two_images_open_at_once_under_their_names(dm, kit):
    a, b = image(kit, "squashfs"), image(kit, "erofs")
    cert = kit.cert("good")
    ddi_ok(dm, "open", a, "--trusted-cert", cert, "--name", "os_1")
    ddi_ok(dm, "open", b, "--trusted-cert", cert, "--name", "os_2")
    names = [line.split("\t")[0] for line in dm.ok("ls").splitlines()]
    assert names == ["os_1-root", "os_2-root"]
    assert dm.ok("table", "os_1-root").split()[2] == "verity"
    head_a = dm.read("os_1-root", "--length", "4096")
    head_b = dm.read("os_2-root", "--length", "4096")
    assert head_a[:4] == b"hsqs" and head_b[1024:1028] == b"\xe2\xe1\xf5\xe0"
    # The same image again is refused, under any name.
    rc, out, err = ddi(dm, "open", a, "--trusted-cert", cert, "--name", "os_3")
    assert rc != 0 and "is already open" in err and err.count("\n") == 1
    ddi_ok(dm, "close", a)
    assert [line.split("\t")[0] for line in dm.ok("ls").splitlines()] == ["os_2-root"]
    ddi_ok(dm, "close", b)
    dm.assert_no_devices()


def test_default_name_is_root(dm, kit):
    a = image(kit, "squashfs")
    ddi_ok(dm, "open", a, "--trusted-cert", kit.cert("good"))
    assert dm.ok("ls").startswith("root\t")
    ddi_ok(dm, "close", a)
    dm.assert_no_devices()


@pytest.mark.parametrize("args,msg", [
    (("open", "IMG", "--name", "a/b"), "invalid --name 'a/b': a device name of at most 122 characters"),
    (("open", "IMG", "--name", "x" * 123), "invalid --name '%s': a device name of at most 122 characters" % ("x" * 123)),
    (("open", "IMG", "--name", ""), "invalid --name '': a device name of at most 122 characters"),
    (("inspect", "IMG", "--name", "a"), "--name goes with open only"),
], ids=["slash", "too-long", "empty", "not-open"])
def test_bad_name_refused(dm, kit, args, msg):
    a = image(kit, "squashfs")
    args = [a if x == "IMG" else x for x in args]
    rc, out, err = ddi(dm, *args)
    assert (rc, out, err) == (1, "", "ddi: %s\n" % msg)
    dm.assert_no_devices()


def test_longest_name(dm, kit):
    a = image(kit, "squashfs")
    name = "p" * 122
    ddi_ok(dm, "open", a, "--trusted-cert", kit.cert("good"), "--name", name)
    assert dm.ok("ls").startswith(name + "-root\t")
    ddi_ok(dm, "close", a)
    dm.assert_no_devices()
