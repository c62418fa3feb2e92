# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Hardening finding 13: the dmsetup verbs dmboot lacked (docs/dmsetup.md): rename, deps,
targets, version, ls --tree, and -h after every verb, in dmsetup's layouts."""
import os
import shutil
import subprocess

import pytest

from conftest import require

SECTORS = 2048


def stack(dm):
    """lo (linear on a.img), st (striped over a.img and b.img), top over both, z (zero)."""
    dm.make_file("a.img", SECTORS * 512, 1)
    dm.make_file("b.img", SECTORS * 512, 2)
    dm.ok("create", "lo", "--table", "0 100 linear a.img 0")
    dm.ok("create", "st", "--table", "0 256 striped 2 8 a.img 200 b.img 0")
    dm.ok("create", "top", "--table", "0 100 linear /dev/mapper/lo 0\n100 100 linear st 0")
    dm.ok("create", "z", "--table", "0 10 zero")


def refused(dm, *args):
    """Run, require exit 1 and empty stdout; return stderr."""
    rc, out, err = dm.run(*args)
    assert (rc, out) == (1, ""), (args, rc, out, err)
    return err


# -- rename -----------------------------------------------------------------------

def test_h9_13_rename_moves_the_device(dm):
    dm.make_file("a.img", SECTORS * 512, 1)
    dm.ok("create", "old", "-u", "my-uuid", "-r", "--table", "0 100 linear a.img 0")
    before = dm.ok("table", "old")
    assert dm.ok("rename", "old", "new") == ""
    assert dm.ok("ls") == "new\t(253:0)\n"
    assert dm.ok("table", "new") == before
    info = dm.ok("info", "new")
    assert "UUID: my-uuid" in info and "ACTIVE (READ-ONLY)" in info
    assert dm.read("new") == dm.file("a.img")[:100 * 512]
    assert "no such device" in dm.fail("table", "old")
    assert dm.state_files() == [".lock", "dev-new"]
    dm.ok("remove", "new")
    dm.assert_no_devices()


def test_h9_13_rename_keeps_the_recorded_status(dm):
    dm.make_file("a.img", SECTORS * 512, 1)
    dm.make_file("b.img", SECTORS * 512, 2)
    dm.ok("create", "s", "--table", "0 256 striped 2 8 a.img 0 b.img 0")
    (dm.cwd / "b.img").unlink()
    # A read through the dead stripe records the 'D' (docs/dmsetup.md).
    dm.run("read", "s")
    status = dm.run("status", "s")[1]
    assert dm.ok("rename", "s", "t") == ""
    assert dm.run("status", "t")[1] == status
    assert not any(f.startswith("status-s") for f in dm.state_files())


def test_h9_13_rename_refuses_an_existing_name(dm):
    stack(dm)
    err = refused(dm, "rename", "z", "st")
    assert err == ("device-mapper: rename ioctl on z  failed: Device or resource busy\n"
                   "Command failed.\n")
    assert dm.ok("ls") == "lo\t(253:0)\nst\t(253:1)\ntop\t(253:2)\nz\t(253:3)\n"


def test_h9_13_rename_refuses_a_missing_device(dm):
    err = refused(dm, "rename", "nope", "x")
    assert err == ("device-mapper: rename ioctl on nope  failed: No such device or address\n"
                   "Command failed.\n")


@pytest.mark.parametrize("bad", ["a/b", "", ".", "..", "x" * 128, "tab\there"])
def test_h9_13_rename_refuses_an_invalid_name(dm, bad):
    dm.ok("create", "z", "--table", "0 10 zero")
    err = dm.fail("rename", "z", bad)
    assert err.startswith('dmsetup: rename z: invalid device name "')
    assert dm.ok("ls") == "z\t(253:0)\n"


def test_h9_13_rename_refuses_a_device_in_use(dm):
    stack(dm)
    err = dm.fail("rename", "lo", "lo2")
    assert err == ("dmsetup: rename lo: device is in use by top, whose table names it; "
                   "remove top first")
    err = dm.fail("rename", "st", "st2")
    assert "in use by top" in err
    # The top of a stack may be renamed, and still reads through what it uses.
    data = dm.read("top")
    assert dm.ok("rename", "top", "top2") == ""
    assert dm.read("top2") == data
    dm.ok("remove", "top2")
    assert dm.ok("rename", "lo", "lo2") == ""


def test_h9_13_rename_setuuid_not_supported(dm):
    dm.ok("create", "z", "--table", "0 10 zero")
    err = dm.fail("rename", "z", "--setuuid", "some-uuid")
    assert err == "dmsetup: rename --setuuid: changing a device's uuid is not supported"


@pytest.mark.parametrize("args", [("z",), ("z", "y", "x")], ids=["one", "three"])
def test_h9_13_rename_needs_two_names(dm, args):
    dm.ok("create", "z", "--table", "0 10 zero")
    assert dm.fail("rename", *args) == "dmsetup: rename: expected <name> and <new_name>"


def test_h9_13_rename_same_name_is_busy(dm):
    dm.ok("create", "z", "--table", "0 10 zero")
    err = refused(dm, "rename", "z", "z")
    assert "rename ioctl on z  failed: Device or resource busy" in err


def _half_renamed(dm, reach_new):
    """The state a rename of a to b leaves when killed: journal written, and the new record
    written too when reach_new."""
    dm.make_file("a.img", SECTORS * 512, 1)
    dm.ok("create", "a", "--table", "0 100 linear a.img 0")
    record = (dm.state / "dev-a").read_text()
    rid = [line.split()[1] for line in record.splitlines() if line.startswith("id ")][0]
    fd = os.open(dm.state / ".rename", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, ("a\nb\n%s\n" % rid).encode())
    os.close(fd)
    if reach_new:
        fd = os.open(dm.state / "dev-b", os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, record.replace("\nname a\n", "\nname b\n").encode())
        os.close(fd)


@pytest.mark.parametrize("cmd", [("ls",), ("remove_all",)], ids=["shared", "exclusive"])
def test_h9_13_rename_killed_after_new_record_is_finished(dm, cmd):
    _half_renamed(dm, True)
    out = dm.ok(*cmd)
    if cmd == ("ls",):
        assert out == "b\t(253:0)\n"
        assert dm.state_files() == [".lock", "dev-b"]
        assert dm.read("b") == dm.file("a.img")[:100 * 512]
    else:
        dm.assert_no_devices()


def test_h9_13_rename_killed_before_new_record_is_forgotten(dm):
    _half_renamed(dm, False)
    assert dm.ok("ls") == "a\t(253:0)\n"
    assert dm.state_files() == [".lock", "dev-a"]


def test_h9_13_rename_journal_ignores_another_device_of_the_new_name(dm):
    _half_renamed(dm, False)
    # b is a different device (another id): the rename never got to write b.
    dm.make_file("b.img", SECTORS * 512, 2)
    (dm.state / ".rename").rename(dm.state / "saved")
    dm.ok("create", "b", "--table", "0 100 linear b.img 0")
    (dm.state / "saved").rename(dm.state / ".rename")
    assert dm.ok("ls") == "a\t(253:0)\nb\t(253:1)\n"
    assert dm.read("b") == dm.file("b.img")[:100 * 512]


def test_h9_13_rename_journal_naming_a_path_is_damaged(dm):
    """A journal whose names are not device names is removed, never followed."""
    _half_renamed(dm, False)
    rid = (dm.state / ".rename").read_text().split("\n")[2]
    (dm.state / ".rename").write_text("a\n../outside\n%s\n" % rid)
    rc, out, err = dm.run("ls")
    assert (rc, out) == (0, "a\t(253:0)\n")
    assert "removing a damaged rename journal" in err and err.count("\n") == 1
    assert dm.state_files() == [".lock", "dev-a"]
    assert not (dm.tmp / "dev-../outside").exists() and not (dm.tmp / "outside").exists()


REF = shutil.which("veritysetup")


def test_h9_13_rename_signed_verity_still_reads(dm):
    require(REF and shutil.which("openssl"), "veritysetup and openssl are needed")
    data = dm.make_file("data.img", 1 << 20, 7)
    p = subprocess.run([REF, "format", "data.img", "hash.img"], cwd=dm.cwd, check=True,
                       stdout=subprocess.PIPE, text=True)
    root = [ln.split()[-1] for ln in p.stdout.splitlines() if ln.startswith("Root hash:")][0]
    run = dict(cwd=dm.cwd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    subprocess.run(["openssl", "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048",
                    "-keyout", "k.key", "-out", "k.crt", "-subj", "/CN=k", "-days", "2"], **run)
    (dm.cwd / "root.txt").write_text(root)
    subprocess.run(["openssl", "cms", "-sign", "-binary", "-nocerts", "-noattr", "-in",
                    "root.txt", "-inkey", "k.key", "-signer", "k.crt", "-outform", "DER",
                    "-out", "root.p7s"], **run)
    rc, out, err = dm.exec([dm.binary, "veritysetup", "open", "data.img", "v", "hash.img",
                            root, "--root-hash-signature", "root.p7s", "--trusted-cert",
                            "k.crt"])
    assert (rc, err) == (0, ""), err
    table = dm.ok("table", "v")
    assert dm.ok("rename", "v", "w") == ""
    assert dm.ok("table", "w") == table
    assert dm.read("w") == data
    record = (dm.state / "dev-w").read_text()
    assert "\ncert " in record and "\nkey " in record
    # Trust moved with the record: nothing else in the state directory.
    assert dm.state_files() == [".lock", "dev-w"]
    rc, out, err = dm.exec([dm.binary, "veritysetup", "close", "w"])
    assert rc == 0, err
    dm.assert_no_devices()


# -- deps -------------------------------------------------------------------------

def test_h9_13_deps_one_device(dm):
    stack(dm)
    assert dm.ok("deps", "top") == "2 dependencies\t: (253, 1) (253, 0)\n"
    assert dm.ok("deps", "-o", "devname", "top") == "2 dependencies\t: (st) (lo)\n"
    assert dm.ok("deps", "-o", "blkdevname", "top") == "2 dependencies\t: (dm-1) (dm-0)\n"
    assert dm.ok("deps", "z") == "0 dependencies\t:\n"


def test_h9_13_deps_all_devices(dm):
    stack(dm)
    assert dm.ok("deps") == ("lo: 1 dependencies\t: (a.img)\n"
                             "st: 2 dependencies\t: (b.img) (a.img)\n"
                             "top: 2 dependencies\t: (253, 1) (253, 0)\n"
                             "z: 0 dependencies\t:\n")
    assert dm.ok("deps", "lo", "z") == ("lo: 1 dependencies\t: (a.img)\n"
                                        "z: 0 dependencies\t:\n")


def test_h9_13_deps_same_device_twice_counts_once(dm):
    dm.ok("create", "z", "--table", "0 10 zero")
    dm.ok("create", "u", "--table", "0 10 linear z 0\n10 10 linear /dev/mapper/z 0\n"
          "20 10 linear 253:0 0")
    assert dm.ok("deps", "u") == "1 dependencies\t: (253, 0)\n"


def test_h9_13_deps_block_device(dm, loop):
    dm.make_file("a.img", SECTORS * 512, 1)
    dev = loop(dm.cwd / "a.img")
    st = os.stat(dev)
    dm.ok("create", "b", "--table", "0 100 linear %s 0" % dev)
    dm.ok("create", "u", "--table", "0 100 linear b 0")
    assert dm.ok("deps", "b") == "1 dependencies\t: (%d, %d)\n" % (
        os.major(st.st_rdev), os.minor(st.st_rdev))
    name = os.path.basename(dev)
    assert dm.ok("deps", "-o", "blkdevname", "b") == "1 dependencies\t: (%s)\n" % name
    assert dm.ok("deps", "-o", "devname", "b") == "1 dependencies\t: (%s)\n" % name
    assert dm.ok("ls", "--tree") == "u (253:1)\n `-b (253:0)\n    `- (%d:%d)\n" % (
        os.major(st.st_rdev), os.minor(st.st_rdev))
    assert dm.ok("ls", "--tree", "-o", "blkdevname,nodevice").splitlines()[2] == \
        "    `- <%s>" % name


def test_h9_13_deps_refusals(dm):
    assert dm.ok("deps") == "No devices found\n"
    dm.ok("create", "z", "--table", "0 10 zero")
    assert dm.fail("deps", "-o", "bogus", "z") == "dmsetup: Option not recognised: bogus"
    assert dm.fail("deps", "nope") == "dmsetup: deps nope: no such device"


# -- targets and version ------------------------------------------------------------

def test_h9_13_targets(dm):
    assert dm.ok("targets") == ("snapshot         v1.16.0\n"
                                "snapshot-origin  v1.9.0\n"
                                "crypt            v1.24.0\n"
                                "verity           v1.9.0\n"
                                "zero             v1.1.0\n"
                                "striped          v1.6.0\n"
                                "linear           v1.4.0\n"
                                "error            v1.5.0\n")
    # No state directory needed.
    assert not dm.state.exists()


def test_h9_13_version(dm):
    want = "Library version:   1.02.185 (dmboot 0.9.0)\nDriver version:    4.47.0\n"
    assert dm.ok("version") == want
    assert dm.ok("--version") == want
    assert not dm.state.exists()


def test_h9_13_version_library_line_matches_dmsetup(dm):
    real = shutil.which("dmsetup") or "/usr/sbin/dmsetup"
    require(os.path.exists(real), "dmsetup is not installed")
    p = subprocess.run([real, "version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    ref = p.stdout.splitlines()[0]
    ours = dm.ok("version").splitlines()[0]
    assert ref.split("(")[0] == ours.split("(")[0]


# -- ls --tree ----------------------------------------------------------------------

def test_h9_13_ls_tree_utf(dm):
    stack(dm)
    dm.env["LC_ALL"] = "C.UTF-8"
    assert dm.ok("ls", "--tree") == ("top (253:2)\n"
                                     " \u251c\u2500st (253:1)\n"
                                     " \u2502  \u251c\u2500 (b.img)\n"
                                     " \u2502  \u2514\u2500 (a.img)\n"
                                     " \u2514\u2500lo (253:0)\n"
                                     "    \u2514\u2500 (a.img)\n"
                                     "z (253:3)\n")


def test_h9_13_ls_tree_ascii_and_attributes(dm):
    stack(dm)
    assert dm.ok("ls", "--tree") == ("top (253:2)\n"
                                     " |-st (253:1)\n"
                                     " |  |- (b.img)\n"
                                     " |  `- (a.img)\n"
                                     " `-lo (253:0)\n"
                                     "    `- (a.img)\n"
                                     "z (253:3)\n")
    dm.env["LC_ALL"] = "C.UTF-8"
    out = dm.ok("ls", "--tree", "-o", "ascii,nodevice,blkdevname,rw,open")
    assert out.splitlines()[:2] == ["top <dm-2> [RW, 0]", " |-st <dm-1> [RW, 1]"]
    assert dm.fail("ls", "--tree", "-o", "bogus") == \
        "dmsetup: Tree options not recognised: bogus"
    assert "not supported" in dm.fail("ls", "--tree", "-o", "inverted")


def test_h9_13_ls_tree_truncates_at_80_columns(dm):
    dm.ok("create", "n" * 77, "--table", "0 10 zero")
    out = dm.ok("ls", "--tree", "-o", "nodevice")
    assert out == "n" * 77 + "\n"
    dm.ok("create", "m" * 90, "--table", "0 10 zero")
    lines = dm.ok("ls", "--tree").splitlines()
    assert lines[0] == "m" * 79 + "..."
    assert dm.ok("ls", "--tree", "-o", "notrunc").splitlines()[0] == "m" * 90 + " (253:1)"


def test_h9_13_ls_tree_empty_and_ls_forms(dm):
    assert dm.ok("ls", "--tree") == "No devices found\n"
    dm.ok("create", "z", "--table", "0 10 zero")
    assert dm.ok("ls", "-o", "blkdevname") == "z\t(dm-0)\n"
    assert dm.ok("ls", "-o", "devname") == "z\t(z)\n"


# -- help after every verb ------------------------------------------------------------

VERBS = ["create", "remove", "remove_all", "rename", "ls", "deps", "table", "status",
         "info", "read", "write", "targets", "version"]


@pytest.mark.parametrize("flag", ["-h", "--help"])
@pytest.mark.parametrize("verb", VERBS)
def test_h9_13_help_after_every_verb(dm, verb, flag):
    out = dm.ok(verb, flag)
    assert out.startswith("Usage: dmsetup <command> [options]\n")
    assert "  rename <name> <new_name>\n" in out and "  deps " in out


def test_h9_13_help_after_verb_posixly_correct(dm):
    dm.env["POSIXLY_CORRECT"] = "1"
    out = dm.ok("create", "x", "-h")
    assert out.startswith("Usage: dmsetup")
    assert dm.ok("ls") == "No devices found\n"


def test_h9_13_info_o_refused(dm):
    dm.ok("create", "z", "--table", "0 10 zero")
    assert dm.fail("info", "-o", "name", "z") == \
        "dmsetup: info: -o (report fields) is not supported"
