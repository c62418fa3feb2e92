# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`dmboot dmsetup`: ls, table, status, info, the registry, table input,
the multi-call binary and read-only devices (formats.md §1.9,
docs/dmsetup.md).  Bytes through read/write are in test_io.py, malformed
tables in test_malformed.py."""
import os
import subprocess

import pytest

from conftest import DM, Flow, LIN as LIN_MODEL, STR

# -- output of the standard flow ---------------------------------------------

LS = (
    "cc\t(253:4)\n"
    "lin\t(253:0)\n"
    "str\t(253:1)\n"
    "top\t(253:2)\n"
    "z\t(253:3)\n"
)
TABLES = {
    "cc": "0 16 linear a.img 0\n16 16 linear b.img 0\n",
    "lin": "0 2048 linear disk.img 4096\n2048 3000 linear disk.img 17\n",
    "str": "0 3840 striped 2 128 a.img 64 b.img 128\n",
    "top": "0 1000 linear /dev/mapper/str 7\n",
    "z": "0 100 zero \n",
}
STATUS = {
    "cc": "0 16 linear \n16 16 linear \n",
    "lin": "0 2048 linear \n2048 3000 linear \n",
    "str": "0 3840 striped 2 a.img b.img 1 AA\n",
    "top": "0 1000 linear \n",
    "z": "0 100 zero \n",
}
CONCISE = {
    "cc": "cc,,4,ro,0 16 linear a.img 0,16 16 linear b.img 0",
    "lin": "lin,,0,rw,0 2048 linear disk.img 4096,2048 3000 linear disk.img 17",
    "str": "str,,1,rw,0 3840 striped 2 128 a.img 64 b.img 128",
    "top": "top,,2,rw,0 1000 linear /dev/mapper/str 7",
    "z": "z,,3,rw,0 100 zero ",
}
NAMES = ["cc", "lin", "str", "top", "z"]


def info_text(name, state, opens, minor, targets, sectors, lowers, uuid=None):
    text = (
        "Name:              %s\n"
        "State:             %s\n"
        "Read Ahead:        256\n"
        "Tables present:    LIVE\n"
        "Open count:        %d\n"
        "Event number:      0\n"
        "Major, minor:      253, %d\n"
        "Number of targets: %d\n"
        "Size:              %d sectors\n"
        "Lower devices:     %s\n"
        % (name, state, opens, minor, targets, sectors, lowers))
    if uuid:
        text += "UUID: %s\n" % uuid
    return text + "\n"


INFO = {
    "cc": info_text("cc", "ACTIVE (READ-ONLY)", 0, 4, 2, 32, "a.img, b.img"),
    "lin": info_text("lin", "ACTIVE", 0, 0, 2, 5048, "disk.img"),
    "str": info_text("str", "ACTIVE", 1, 1, 1, 3840, "a.img, b.img"),
    "top": info_text("top", "ACTIVE", 0, 2, 1, 1000, "/dev/mapper/str"),
    "z": info_text("z", "ACTIVE", 0, 3, 1, 100, ""),
}
INFO_HEADER = "Name             Maj Min Stat Open Targ Event  UUID\n"
INFO_COLUMNS = {
    "cc": "cc               253   4 L--r    0    2      0 \n",
    "lin": "lin              253   0 L--w    0    2      0 \n",
    "str": "str              253   1 L--w    1    1      0 \n",
    "top": "top              253   2 L--w    0    1      0 \n",
    "z": "z                253   3 L--w    0    1      0 \n",
}


def prefixed(texts, names):
    return "".join("%s: %s\n" % (n, line)
                   for n in names for line in texts[n].splitlines())


def test_ls(flow):
    assert flow.dm.ok("ls") == LS


def test_flow_one_by_one(dm):
    """The flow made by five creates (four --table, one --concise) shows
    exactly what the one-command fixture shows."""
    Flow(dm, one_by_one=True)
    assert dm.ok("ls") == LS
    assert dm.ok("table") == prefixed(TABLES, NAMES)
    assert dm.ok("table", "--concise") == ";".join(CONCISE[n] for n in NAMES) + "\n"
    assert dm.ok("status") == prefixed(STATUS, NAMES)
    assert dm.ok("info") == "".join(INFO[n] for n in NAMES)
    assert dm.read("top") == dm.read("str")[7 * 512:1007 * 512]


def test_table_all_devices_prefixed(flow):
    out = flow.dm.ok("table")
    assert out == prefixed(TABLES, NAMES)
    assert out.splitlines()[-1] == "z: 0 100 zero "


@pytest.mark.parametrize("name", NAMES)
def test_table_one_device_no_prefix(flow, name):
    assert flow.dm.ok("table", name) == TABLES[name]


def test_table_two_devices_prefixed(flow):
    assert flow.dm.ok("table", "z", "lin") == prefixed(TABLES, ["z", "lin"])


def test_table_concise_all(flow):
    assert flow.dm.ok("table", "--concise") == ";".join(CONCISE[n] for n in NAMES) + "\n"


def test_table_concise_some(flow):
    dm = flow.dm
    assert dm.ok("table", "--concise", "lin") == CONCISE["lin"] + "\n"
    assert dm.ok("table", "--concise", "top", "cc") == CONCISE["top"] + ";" + CONCISE["cc"] + "\n"
    # Options may come anywhere, as with dmsetup.
    assert dm.ok("--concise", "table", "lin") == CONCISE["lin"] + "\n"
    assert dm.ok("table", "lin", "--concise") == CONCISE["lin"] + "\n"


def test_status_all_devices(flow):
    assert flow.dm.ok("status") == prefixed(STATUS, NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_status_one_device(flow, name):
    assert flow.dm.ok("status", name) == STATUS[name]


@pytest.mark.parametrize("name", NAMES)
def test_info_one_device(flow, name):
    assert flow.dm.ok("info", name) == INFO[name]


def test_info_all_and_several(flow):
    dm = flow.dm
    assert dm.ok("info") == "".join(INFO[n] for n in NAMES)
    assert dm.ok("info", "z", "str") == INFO["z"] + INFO["str"]


def test_info_columns(flow):
    dm = flow.dm
    expected = INFO_HEADER + "".join(INFO_COLUMNS[n] for n in NAMES)
    assert dm.ok("info", "-c") == expected
    assert dm.ok("info", "-C") == expected
    assert dm.ok("info", "--columns") == expected
    assert dm.ok("info", "-c", "top", "cc") == INFO_HEADER + INFO_COLUMNS["top"] + INFO_COLUMNS["cc"]


def test_info_uuid(dm):
    dm.make_file("d.img", 4096, 5)
    dm.ok("create", "u1", "-u", "LVM-abc", "--table", "0 8 linear d.img 0")
    dm.ok("create", "u2", "--uuid", "CRYPT-x,y;z", "--table", "0 8 zero")
    assert dm.ok("info", "u1") == info_text("u1", "ACTIVE", 0, 0, 1, 8, "d.img", "LVM-abc")
    assert dm.ok("info", "-c", "u1", "u2") == (
        INFO_HEADER
        + "u1               253   0 L--w    0    1      0 LVM-abc\n"
        + "u2               253   1 L--w    0    1      0 CRYPT-x,y;z\n")
    assert dm.ok("table", "--concise") == (
        "u1,LVM-abc,0,rw,0 8 linear d.img 0;u2,CRYPT-x\\,y\\;z,1,rw,0 8 zero \n")
    assert dm.fail("create", "u3", "-u", "LVM-abc", "--table", "0 8 zero") == \
        "dmsetup: create u3: uuid LVM-abc is already used by u1"


@pytest.mark.parametrize("cmd", ["table", "status", "info"])
def test_show_missing_device(flow, cmd):
    assert flow.dm.fail(cmd, "nosuch") == "dmsetup: %s nosuch: no such device" % cmd


def test_show_with_missing_lower_file(flow):
    """A device whose file went away cannot be shown, but ls still lists it."""
    dm = flow.dm
    (dm.cwd / "disk.img").unlink()
    assert dm.ok("ls") == LS
    assert dm.fail("table", "lin") == (
        "dmsetup: table lin: line 1: linear: Device lookup failed: "
        "disk.img: No such file or directory")


def test_show_with_shrunk_lower_file(flow):
    """Devices are instantiated afresh by every command: a file that shrank
    below the table's extent is an error, not a short read."""
    dm = flow.dm
    os.truncate(dm.cwd / "b.img", 1000 * 512)
    expected = ("line 1: striped: b.img too small for target: start=128, len=1920, "
                "dev_size=1000")
    assert dm.fail("read", "str") == "dmsetup: read str: " + expected
    # Finding 7: table, status and info still show the device; only I/O fails.
    assert dm.ok("status", "str") == "0 3840 striped 2 a.img b.img 1 AA\n"
    assert dm.ok("table", "str").startswith("0 3840 striped 2 ")
    assert "Lower devices:     (cannot be opened)" in dm.ok("info", "str")
    assert dm.fail("read", "top") == (
        "dmsetup: read top: line 1: linear: Device lookup failed: str: " + expected)
    assert dm.read("lin") == LIN_MODEL.read(dm.cwd)


# -- concise escaping -----------------------------------------------------------

def test_concise_escaping_and_round_trip(dm, tmp_path):
    """',', ';' and '\\' are escaped in concise output; white space, '\\' and
    '#' in device paths are escaped in tables; the output reads back."""
    fname = "sp ace#,;\\.img"
    data = dm.make_file(fname, 16 * 512, 7)
    name = "we,ird;na\\me"
    table = "0 8 linear sp\\ ace\\#,;\\\\.img 8"
    dm.ok("create", name, "-u", "u,1;x\\y", "--table", table)
    assert dm.ok("table", name) == "0 8 linear sp\\ ace\\#,;\\\\.img 8\n"
    assert dm.ok("ls") == name + "\t(253:0)\n"
    concise = dm.ok("table", "--concise")
    assert concise == ("we\\,ird\\;na\\\\me,u\\,1\\;x\\\\y,0,rw,"
                       "0 8 linear sp\\\\ ace\\\\#\\,\\;\\\\\\\\.img 8\n")
    assert dm.read(name) == data[8 * 512:]

    # Feed the output to create --concise in a fresh registry: same device.
    other = DM(dm.binary, dm.kind, tmp_path / "second")
    other.ok("create", "--concise", concise[:-1], cwd=dm.cwd)
    assert other.ok("table", "--concise") == concise
    assert other.read(name) == data[8 * 512:]


def test_concise_round_trip_of_flow(flow, tmp_path):
    dm = flow.dm
    concise = dm.ok("table", "--concise")
    other = DM(dm.binary, dm.kind, tmp_path / "second")
    other.ok("create", "--concise", input=concise, cwd=dm.cwd)
    assert other.ok("table", "--concise") == concise
    assert other.ok("ls") == LS
    assert other.read("top") == dm.read("top")


# -- registry -------------------------------------------------------------------

def test_devices_persist_across_invocations_and_cwds(flow, tmp_path):
    dm = flow.dm
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert dm.ok("ls", cwd=elsewhere) == LS
    assert dm.ok("table", cwd=elsewhere) == prefixed(TABLES, NAMES)
    assert sorted(dm.state_files()) == [".lock", "dev-cc", "dev-lin", "dev-str", "dev-top", "dev-z"]


def test_create_existing_name_fails(flow):
    dm = flow.dm
    assert dm.fail("create", "lin", "--table", "0 8 zero") == \
        "dmsetup: create lin: device lin already exists"
    assert dm.fail("create", "--concise", "z,,,rw,0 8 zero") == \
        "dmsetup: create z: device z already exists"
    assert dm.ok("table", "lin") == TABLES["lin"]
    assert dm.ok("table", "z") == TABLES["z"]
    assert dm.ok("ls") == LS


def test_remove_in_use_then_in_order(flow):
    dm = flow.dm
    assert dm.fail("remove", "str") == "dmsetup: remove str: device is in use by top"
    assert dm.ok("ls") == LS
    assert dm.ok("remove", "top") == ""
    assert dm.ok("remove", "str") == ""
    assert dm.ok("ls") == "cc\t(253:4)\nlin\t(253:0)\nz\t(253:3)\n"
    assert dm.fail("remove", "str") == "dmsetup: remove str: no such device"
    assert dm.fail("read", "top") == "dmsetup: read top: no such device"


def test_remove_several_names(flow):
    dm = flow.dm
    dm.ok("remove", "top", "str", "z")
    assert dm.ok("ls") == "cc\t(253:4)\nlin\t(253:0)\n"


def test_remove_stops_at_first_failure(flow):
    dm = flow.dm
    assert dm.fail("remove", "z", "str", "lin") == "dmsetup: remove str: device is in use by top"
    assert dm.ok("ls") == "cc\t(253:4)\nlin\t(253:0)\nstr\t(253:1)\ntop\t(253:2)\n"


def test_remove_all_removes_a_stack(flow):
    dm = flow.dm
    # Make the stack deeper: s2 over top, s3 over s2 and str.
    dm.ok("create", "s2", "--table", "0 500 linear top 100")
    dm.ok("create", "s3", "--table", "0 250 linear s2 0\n250 250 linear 253:1 0")
    assert dm.fail("remove", "s2") == "dmsetup: remove s2: device is in use by s3"
    assert dm.ok("remove_all") == ""
    dm.assert_no_devices()


def test_no_devices(dm):
    assert dm.ok("ls") == "No devices found\n"
    assert dm.ok("table") == "No devices found\n"
    assert dm.ok("status") == "No devices found\n"
    assert dm.ok("info") == "No devices found\n"
    assert dm.ok("remove_all") == ""
    dm.assert_no_devices()


def test_minor_reuse(flow):
    dm = flow.dm
    dm.ok("remove", "lin")
    dm.ok("create", "new", "--table", "0 8 zero")
    assert "new\t(253:0)\n" in dm.ok("ls")
    dm.ok("create", "new2", "--table", "0 8 zero")
    assert "new2\t(253:5)\n" in dm.ok("ls")


def test_relative_paths_are_relative_to_create_cwd(dm, tmp_path):
    where = tmp_path / "dir A,1"
    (where / "sub").mkdir(parents=True)
    data = dm.make_file("data.img", 64 * 512, 11, where=where)
    sub = dm.make_file("sub/x.img", 32 * 512, 12, where=where)
    dm.ok("create", "rel", "--table", "0 64 linear data.img 0\n64 16 linear sub/x.img 8",
          cwd=where)
    # A decoy with the same relative names in the directory we read from.
    other = tmp_path / "other"
    (other / "sub").mkdir(parents=True)
    dm.make_file("data.img", 64 * 512, 13, where=other)
    dm.make_file("sub/x.img", 32 * 512, 14, where=other)
    expected = data + sub[8 * 512:24 * 512]
    assert dm.read("rel", cwd=other) == expected
    assert dm.read("rel", cwd=where) == expected
    assert dm.ok("table", "rel", cwd=other) == "0 64 linear data.img 0\n64 16 linear sub/x.img 8\n"
    # Stacking from a third directory still finds the files.
    dm.ok("create", "up", "--table", "0 80 linear rel 0", cwd=other)
    assert dm.read("up", cwd=tmp_path) == expected


def test_lower_device_by_minor_and_by_name(flow):
    dm = flow.dm
    dm.ok("create", "by-minor", "--table", "0 100 linear 253:1 5")
    dm.ok("create", "by-name", "--table", "0 100 linear str 5")
    dm.ok("create", "by-path", "--table", "0 100 linear /dev/mapper/str 5")
    want = STR.read(dm.cwd)[5 * 512:105 * 512]
    for name in ("by-minor", "by-name", "by-path"):
        assert dm.read(name) == want, name
    assert dm.ok("table", "by-minor") == "0 100 linear 253:1 5\n"
    assert dm.ok("info", "str").splitlines()[4] == "Open count:        4"
    assert dm.fail("remove", "str") == "dmsetup: remove str: device is in use by by-minor"
    dm.ok("remove", "by-minor", "by-name", "by-path", "top")
    dm.ok("remove", "str")


def test_missing_mapped_lower_devices(flow):
    dm = flow.dm
    assert dm.fail("create", "x", "--table", "0 8 linear 253:77 0") == \
        "dmsetup: create x: line 1: linear: Device lookup failed: 253:77: no such mapped device"
    assert dm.fail("create", "x", "--table", "0 8 linear /dev/mapper/nosuch 0") == \
        "dmsetup: create x: line 1: linear: Device lookup failed: nosuch: no such device"
    assert dm.ok("ls") == LS


def test_lower_file_not_shadowed_by_later_device_name(dm):
    """A table names a relative file "disk.img"; a mapped device created
    later under the name "disk.img" must not change what the first device
    maps (the kernel resolves a table's devices once, at load time)."""
    data = dm.make_file("disk.img", 64 * 512, 21)
    dm.ok("create", "lin", "--table", "0 64 linear disk.img 0")
    assert dm.read("lin") == data
    dm.ok("create", "disk.img", "--table", "0 64 zero")
    rc, out, err = dm.run("read", "lin", raw=True)
    assert (rc, err) == (0, "")
    assert out == data, (
        "BUG: after `create disk.img`, `read lin` reads the mapped device "
        "disk.img (%s) instead of the file disk.img"
        % ("zeros" if out == bytes(len(out)) else "other bytes"))


def test_stacking_depth_limit(dm):
    """Stacks of 17 mapped devices work; the 18th level is refused cleanly."""
    dm.ok("create", "d0", "--table", "0 8 zero")
    for i in range(1, 17):
        dm.ok("create", "d%d" % i, "--table", "0 8 linear d%d 0" % (i - 1))
    assert dm.read("d16") == bytes(4096)
    err = dm.fail("create", "d17", "--table", "0 8 linear d16 0")
    assert err.startswith("dmsetup: create d17: line 1: linear: Device lookup failed: d16: "
                          "line 1: linear: Device lookup failed: d15: "), err
    assert "d17" not in dm.ok("ls")
    dm.ok("remove_all")
    dm.assert_no_devices()


def test_concurrent_creates_get_distinct_minors(dm):
    """The registry is locked: parallel creates neither lose devices nor share minors."""
    procs = [subprocess.Popen([str(dm.binary), "dmsetup", "create", "p%d" % i, "--table",
                               "0 8 zero"], cwd=dm.cwd, env=dm.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for i in range(12)]
    for p in procs:
        out, err = p.communicate(timeout=30)
        assert (p.returncode, out) == (0, b""), err
        # Finding 8: a command that waits for the lock says so, and says nothing else.
        assert all(l.startswith(b"dmsetup: waiting for another dmboot command") for l in err.splitlines()), err
    lines = dm.ok("ls").splitlines()
    assert sorted(line.split("\t")[0] for line in lines) == sorted("p%d" % i for i in range(12))
    assert sorted(line.split("\t")[1] for line in lines) == \
        sorted("(253:%d)" % i for i in range(12))


# -- table input ------------------------------------------------------------------

def test_table_from_file_with_comments(dm):
    dm.make_file("d.img", 100 * 512, 3)
    (dm.cwd / "t.table").write_text(
        "# a comment line\n"
        "\n"
        "   \t\n"
        "0 50 linear d.img 50   # trailing comment\n"
        "  50\t25   zero\n"
        "75 25 linear d.img 0\n")
    assert dm.ok("create", "f", "t.table") == ""
    assert dm.ok("table", "f") == "0 50 linear d.img 50\n50 25 zero \n75 25 linear d.img 0\n"


def test_table_from_file_line_numbers_count_comments(dm):
    (dm.cwd / "t.table").write_text("# comment\n\n0 8 zero\n9 8 zero\n")
    assert dm.fail("create", "f", "t.table") == (
        "dmsetup: create f: line 4: gap in table: target starts at sector 9, "
        "previous target ends at 8")
    dm.assert_no_devices()


def test_table_from_missing_file(dm):
    assert dm.fail("create", "f", "nosuch.table") == \
        "dmsetup: nosuch.table: No such file or directory"
    dm.assert_no_devices()


def test_table_from_stdin(dm):
    dm.make_file("d.img", 100 * 512, 3)
    assert dm.ok("create", "s", input="# from stdin\n0 100 linear d.img 0\n") == ""
    assert dm.ok("table", "s") == "0 100 linear d.img 0\n"
    assert dm.read("s") == dm.file("d.img")


def test_table_from_stdin_file(dm):
    dm.make_file("d.img", 100 * 512, 3)
    (dm.cwd / "t.table").write_text("0 10 zero\n10 90 linear d.img 10\n")
    with open(dm.cwd / "t.table", "rb") as f:
        assert dm.ok("create", "s", stdin=f) == ""
    assert dm.ok("table", "s") == "0 10 zero \n10 90 linear d.img 10\n"


def test_table_option_and_file_together_is_usage_error(dm):
    (dm.cwd / "t.table").write_text("0 8 zero\n")
    assert dm.fail("create", "x", "--table", "0 8 zero", "t.table") == \
        "dmsetup: create: expected <name> and --table <table>, a table file or stdin"
    dm.assert_no_devices()


def test_create_concise_from_stdin(dm):
    a = dm.make_file("a.img", 64 * 512, 4)
    spec = "p,,,rw,0 64 linear a.img 0;q,uu,7,ro,0 16 linear p 8,16 16 zero\n"
    assert dm.ok("create", "--concise", input=spec) == ""
    assert dm.ok("ls") == "p\t(253:0)\nq\t(253:7)\n"
    assert dm.ok("table", "--concise") == (
        "p,,0,rw,0 64 linear a.img 0;q,uu,7,ro,0 16 linear p 8,16 16 zero \n")
    assert dm.read("q") == a[8 * 512:24 * 512] + bytes(16 * 512)
    assert dm.ok("info", "q") == info_text("q", "ACTIVE (READ-ONLY)", 0, 7, 2, 32, "p", "uu")
    assert dm.ok("info", "p").splitlines()[4] == "Open count:        1"


def test_create_concise_several_on_command_line(dm):
    spec = "one,,,,0 8 zero;two,,3,rw,0 8 zero;"
    dm.ok("create", "--concise", spec)
    assert dm.ok("ls") == "one\t(253:0)\ntwo\t(253:3)\n"


# -- multi-call and usage ------------------------------------------------------------

def test_dmsetup_symlink(flow, tmp_path):
    dm = flow.dm
    link = tmp_path / "dmsetup"
    link.symlink_to(dm.binary)
    for args in (["ls"], ["table"], ["table", "--concise"], ["status", "str"], ["info", "-c"]):
        rc, out, err = dm.exec([link, *args])
        assert (rc, out, err) == (0, dm.ok(*args), ""), args
    rc, out, err = dm.exec([link, "remove", "str"])
    assert (rc, out, err) == (1, "", "dmsetup: remove str: device is in use by top\n")
    rc, out, err = dm.exec([link, "read", "top"], raw=True)
    assert (rc, out, err) == (0, dm.read("top"), "")


def test_dmboot_unknown_command(dm):
    rc, out, err = dm.exec([dm.binary, "frobnicate"])
    assert rc == 1 and out == ""
    assert err.splitlines()[0] == "dmboot: unknown command 'frobnicate'"
    rc, out, err = dm.exec([dm.binary])
    assert rc == 1 and out == "" and err.startswith("Usage: dmboot ")
    rc, out, err = dm.exec([dm.binary, "--help"])
    assert rc == 0 and out.startswith("Usage: dmboot ") and err == ""


def test_dmsetup_unknown_command_and_option(dm):
    rc, out, err = dm.run("frobnicate")
    assert rc == 1 and out == ""
    assert err.splitlines()[0] == "dmsetup: unknown command 'frobnicate'"
    rc, out, err = dm.run("ls", "--bogus")
    assert rc == 1 and out == ""
    assert err.splitlines()[0] == "dmsetup: unknown option '--bogus'"
    assert dm.fail("ls", "extra") == "dmsetup: ls: takes no arguments"
    assert dm.fail("remove") == "dmsetup: remove: expected a device name"
    assert dm.fail("read", "a", "b") == "dmsetup: read: expected exactly one device name"
    rc, out, err = dm.run("help")
    assert rc == 0 and out.startswith("Usage: dmsetup ") and err == ""
    dm.assert_no_devices()


def test_default_state_directory_under_xdg_runtime_dir(dm, tmp_path):
    """Without DMBOOT_STATE_DIR the registry lives in $XDG_RUNTIME_DIR/dmboot."""
    env = dict(dm.env)
    del env["DMBOOT_STATE_DIR"]
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "xdg")
    rc, out, err = dm.exec([dm.binary, "dmsetup", "create", "x", "--table", "0 8 zero"], env=env)
    assert (rc, out, err) == (0, "", "")
    assert sorted(os.listdir(tmp_path / "xdg" / "dmboot")) == [".lock", "dev-x"]
    dm.assert_no_devices()


# -- read-only -------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["--readonly", "-r"])
def test_create_readonly(dm, flag):
    data = dm.make_file("d.img", 32 * 512, 9)
    dm.ok("create", "ro", flag, "--table", "0 32 linear d.img 0")
    assert dm.ok("info", "ro").splitlines()[1] == "State:             ACTIVE (READ-ONLY)"
    assert dm.ok("info", "ro") == info_text("ro", "ACTIVE (READ-ONLY)", 0, 0, 1, 32, "d.img")
    assert dm.ok("table", "--concise") == "ro,,0,ro,0 32 linear d.img 0\n"
    assert dm.ok("info", "-c", "ro") == INFO_HEADER + "ro               253   0 L--r    0    1      0 \n"
    assert dm.read("ro") == data
    assert dm.fail("write", "ro", input=b"x") == "dmsetup: write ro: device is read-only"
    assert dm.file("d.img") == data
