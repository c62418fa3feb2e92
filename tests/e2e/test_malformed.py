# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Malformed tables and concise specifications: each fails with exit status
1, exactly one line on stderr naming the table line and the reason, nothing
on stdout, and no device left in the registry."""
import os

import pytest

from conftest import SECTOR

P = "dmsetup: create bad: "

# (id, table, expected stderr line)
BAD_TABLES = [
    ("gap", "0 8 zero\n9 8 zero",
     P + "line 2: gap in table: target starts at sector 9, previous target ends at 8"),
    ("overlap", "0 8 zero\n7 8 zero",
     P + "line 2: overlap in table: target starts at sector 7, previous target ends at 8"),
    ("not-at-zero", "1 8 zero",
     P + "line 1: table must start at sector 0, not 1"),
    ("gap-after-comment-lines", "# c\n0 8 zero\n\n16 8 zero",
     P + "line 4: gap in table: target starts at sector 16, previous target ends at 8"),
    ("zero-length", "0 0 zero",
     P + "line 1: zero-length target"),
    ("zero-length-second", "0 8 zero\n8 0 zero",
     P + "line 2: zero-length target"),
    ("device-too-small", "0 4097 linear disk.img 0",
     P + "line 1: linear: disk.img too small for target: start=0, len=4097, dev_size=4096"),
    ("device-too-small-offset", "0 8 linear disk.img 4089",
     P + "line 1: linear: disk.img too small for target: start=4089, len=8, dev_size=4096"),
    ("device-too-small-offset-overflow", "0 8 linear disk.img 18446744073709551615",
     P + "line 1: linear: disk.img too small for target: start=18446744073709551615, len=8, "
     "dev_size=4096"),
    ("stripe-too-small", "0 8192 striped 2 128 a.img 0 b.img 0",
     P + "line 1: striped: a.img too small for target: start=0, len=4096, dev_size=2048"),
    ("trailing-junk-length", "0 8x zero",
     P + 'line 1: invalid length "8x"'),
    ("trailing-junk-start", "0x0 8 zero",
     P + 'line 1: invalid start sector "0x0"'),
    ("negative-length", "0 -8 zero",
     P + 'line 1: invalid length "-8"'),
    ("plus-start", "+0 8 zero",
     P + 'line 1: invalid start sector "+0"'),
    ("length-2^64", "0 18446744073709551616 zero",
     P + 'line 1: length "18446744073709551616" is out of range'),
    ("start-2^64", "0 8 zero\n18446744073709551616 8 zero",
     P + 'line 2: start sector "18446744073709551616" is out of range'),
    ("end-past-2^64", "0 8 zero\n8 18446744073709551615 zero",
     P + "line 2: target end 8 + 18446744073709551615 is past 2^64-1 sectors"),
    ("missing-type", "0 8",
     P + "line 1: invalid format: expected <start> <length> <type> [<arguments>]"),
    ("unknown-target", "0 8 zero\n8 8 nosuch",
     P + "line 2: nosuch: unknown target type"),
    ("type-name-too-long", "0 8 abcdefghijklmnop",
     P + 'line 1: target type name "abcdefghijklmnop" longer than 15 bytes'),
    ("missing-device", "0 8 linear missing.img 0",
     P + "line 1: linear: Device lookup failed: missing.img: No such file or directory"),
    ("missing-device-absolute", "0 8 linear /nonexistent/x.img 0",
     P + "line 1: linear: Device lookup failed: /nonexistent/x.img: No such file or directory"),
    ("directory-as-device", "0 8 linear . 0",
     P + "line 1: linear: Device lookup failed: .: Is a directory"),
    ("fifo-as-device", "0 8 linear fifo 0",
     P + "line 1: linear: Device lookup failed: fifo: not a regular file or block device"),
    ("missing-mapped-device", "0 8 linear /dev/mapper/nosuch 0",
     P + "line 1: linear: Device lookup failed: nosuch: no such device"),
    ("missing-minor", "0 8 linear 253:42 0",
     P + "line 1: linear: Device lookup failed: 253:42: no such mapped device"),
    ("stripe-count-zero", "0 8 striped 0 8 a.img 0",
     P + "line 1: striped: Invalid stripe count"),
    ("stripe-count-junk", "0 8 striped 2x 8 a.img 0 b.img 0",
     P + "line 1: striped: Invalid stripe count"),
    ("chunk-size-zero", "0 16 striped 2 0 a.img 0 b.img 0",
     P + "line 1: striped: Invalid chunk_size"),
    ("chunk-size-junk", "0 16 striped 2 -4 a.img 0 b.img 0",
     P + "line 1: striped: Invalid chunk_size"),
    ("striped-no-args", "0 16 striped",
     P + "line 1: striped: Not enough arguments"),
    ("not-divisible-by-stripes", "0 15 striped 2 4 a.img 0 b.img 0",
     P + "line 1: striped: Target length not divisible by number of stripes"),
    ("not-divisible-by-chunk", "0 16 striped 2 3 a.img 0 b.img 0",
     P + "line 1: striped: Target length not divisible by chunk size"),
    ("too-few-destinations", "0 16 striped 2 4 a.img 0",
     P + "line 1: striped: Not enough destinations specified"),
    ("too-many-destinations", "0 16 striped 2 4 a.img 0 b.img 0 a.img 8",
     P + "line 1: striped: Not enough destinations specified"),
    ("stripe-offset-junk", "0 16 striped 2 4 a.img 0 b.img 1x",
     P + "line 1: striped: Couldn't parse stripe destination"),
    ("linear-one-arg", "0 8 linear disk.img",
     P + "line 1: linear: Invalid argument count"),
    ("linear-three-args", "0 8 linear disk.img 0 1",
     P + "line 1: linear: Invalid argument count"),
    ("linear-bad-offset", "0 8 linear disk.img 1x",
     P + "line 1: linear: Invalid device sector"),
    ("zero-with-args", "0 8 zero 1",
     P + "line 1: zero: No arguments required"),
    ("empty-table", "",
     P + "table has no targets"),
    ("only-comments", "# nothing\n\n   \n# here",
     P + "table has no targets"),
]


@pytest.fixture
def imgs(dm):
    """disk.img (4096 sectors), a.img and b.img (2048 sectors each)."""
    dm.make_file("disk.img", 4096 * SECTOR, 1)
    dm.make_file("a.img", 2048 * SECTOR, 2)
    dm.make_file("b.img", 2048 * SECTOR, 3)
    os.mkfifo(dm.cwd / "fifo")
    return dm


@pytest.mark.parametrize("table,expected", [t[1:] for t in BAD_TABLES],
                         ids=[t[0] for t in BAD_TABLES])
def test_bad_table(imgs, table, expected):
    dm = imgs
    assert dm.fail("create", "bad", "--table", table) == expected
    dm.assert_no_devices()


# The same failures through the other ways of giving a table.
VIA_CASES = ["gap", "device-too-small", "unknown-target", "empty-table"]


@pytest.mark.parametrize("via", ["file", "stdin"])
@pytest.mark.parametrize("case", VIA_CASES)
def test_bad_table_via_file_and_stdin(imgs, case, via):
    dm = imgs
    table, expected = {t[0]: t[1:] for t in BAD_TABLES}[case]
    if via == "file":
        (dm.cwd / "t.table").write_text(table + "\n")
        assert dm.fail("create", "bad", "t.table") == expected
    else:
        assert dm.fail("create", "bad", input=table + "\n") == expected
    dm.assert_no_devices()


C = "dmsetup: create --concise: "
BAD_CONCISE = [
    ("four-fields", "bad,,,rw",
     C + "device 1: five comma-separated fields are required: "
     "<name>,<uuid>,<minor>,<flags>,<table>[,<table>...]"),
    ("four-fields-second", "ok,,,rw,0 8 zero;bad,,,rw",
     C + "device 2: five comma-separated fields are required: "
     "<name>,<uuid>,<minor>,<flags>,<table>[,<table>...]"),
    ("empty-spec", "",
     C + "device 1: five comma-separated fields are required: "
     "<name>,<uuid>,<minor>,<flags>,<table>[,<table>...]"),
    ("bad-flags", "bad,,,xx,0 8 zero",
     C + "device 1 (bad): invalid flags \"xx\": must be 'ro' or 'rw'"),
    ("bad-flags-case", "bad,,,RO,0 8 zero",
     C + "device 1 (bad): invalid flags \"RO\": must be 'ro' or 'rw'"),
    ("bad-minor", "bad,,x,rw,0 8 zero",
     C + 'device 1 (bad): invalid minor "x"'),
    ("minor-too-big", "bad,,1048576,rw,0 8 zero",
     C + 'device 1 (bad): invalid minor "1048576"'),
    ("empty-name", ",,,rw,0 8 zero",
     C + "device 1: empty name"),
    ("empty-table-field", "bad,,,rw,",
     C + "device 1 (bad): table 1 is empty"),
    ("table-gap", "bad,,,rw,0 8 zero,9 8 zero",
     C + "device 1 (bad): table line 2: gap in table: target starts at sector 9, "
     "previous target ends at 8"),
    ("table-junk", "bad,,,rw,0 8x zero",
     C + 'device 1 (bad): table line 1: invalid length "8x"'),
    ("trailing-backslash", "bad,,,rw,0 8 zero\\",
     C + "backslash must be followed by another character at end of string"),
    # Errors found when the devices are made, after parsing.
    ("unknown-target", "bad,,,rw,0 8 nosuch",
     "dmsetup: create bad: line 1: nosuch: unknown target type"),
    ("zero-with-args", "bad,,,rw,0 8 zero 1",
     "dmsetup: create bad: line 1: zero: No arguments required"),
    ("invalid-name", "a/b,,,rw,0 8 zero",
     'dmsetup: create: invalid device name "a/b"'),
]


@pytest.mark.parametrize("spec,expected", [t[1:] for t in BAD_CONCISE],
                         ids=[t[0] for t in BAD_CONCISE])
def test_bad_concise(imgs, spec, expected):
    dm = imgs
    assert dm.fail("create", "--concise", spec) == expected
    dm.assert_no_devices()


ALL_OR_NOTHING = [
    # (id, spec, expected) -- the first devices are good, a later one fails
    ("second-unknown-target", "one,,,rw,0 8 zero;two,,,rw,0 8 nosuch",
     "dmsetup: create two: line 1: nosuch: unknown target type"),
    ("third-missing-file", "one,,,rw,0 8 linear a.img 0;two,,,rw,0 8 linear one 0;"
     "three,,,rw,0 8 linear missing.img 0",
     "dmsetup: create three: line 1: linear: Device lookup failed: missing.img: "
     "No such file or directory"),
    ("duplicate-name", "one,,,rw,0 8 zero;one,,,rw,0 8 zero",
     "dmsetup: create one: device one already exists"),
    ("duplicate-minor", "one,,5,rw,0 8 zero;two,,5,rw,0 8 zero",
     "dmsetup: create two: minor 5 is already used by one"),
    ("duplicate-uuid", "one,U,,rw,0 8 zero;two,U,,rw,0 8 zero",
     "dmsetup: create two: uuid U is already used by one"),
    ("second-too-small", "one,,,rw,0 8 zero;two,,,rw,0 16 linear one 0",
     "dmsetup: create two: line 1: linear: one too small for target: start=0, len=16, "
     "dev_size=8"),
]


@pytest.mark.parametrize("spec,expected", [t[1:] for t in ALL_OR_NOTHING],
                         ids=[t[0] for t in ALL_OR_NOTHING])
def test_concise_all_or_nothing(imgs, spec, expected):
    dm = imgs
    assert dm.fail("create", "--concise", spec) == expected
    dm.assert_no_devices()


def test_concise_failure_keeps_existing_devices(imgs):
    """Rolling back a failed concise create removes only what it made."""
    dm = imgs
    dm.ok("create", "old", "--table", "0 8 linear a.img 0")
    assert dm.fail("create", "--concise", "new,,,rw,0 8 zero;old,,,rw,0 16 zero") == \
        "dmsetup: create old: device old already exists"
    assert dm.ok("ls") == "old\t(253:0)\n"
    assert dm.ok("table", "old") == "0 8 linear a.img 0\n"
    assert sorted(dm.state_files()) == [".lock", "dev-old"]


BAD_NAMES = [
    ("slash", "a/b"),
    ("dot", "."),
    ("dotdot", ".."),
    ("empty", ""),
    ("128-bytes", "n" * 128),
]


@pytest.mark.parametrize("name", [n[1] for n in BAD_NAMES], ids=[n[0] for n in BAD_NAMES])
def test_bad_device_name(imgs, name):
    dm = imgs
    assert dm.fail("create", name, "--table", "0 8 zero") == \
        'dmsetup: create: invalid device name "%s"' % name
    dm.assert_no_devices()


CONTROL_NAMES = ["a\nb", "a\x1b[2Jb", "a\tb", "a\x7fb"]
NAME_COMMANDS = [
    (["create", "{}", "--table", "0 8 zero"], 'dmsetup: create: invalid device name "'),
    (["create", "--concise", "{},,,xx,0 8 zero"], "dmsetup: create --concise: device 1 ("),
    (["remove", "{}"], "dmsetup: remove "),
    (["read", "{}"], "dmsetup: read "),
    (["table", "{}"], "dmsetup: table "),
]


def test_control_characters_in_names_keep_errors_on_one_line(imgs):
    """Error messages are one line: a name given with a newline or another
    control character must not be echoed raw (it could forge a second
    message line or drive the terminal)."""
    dm = imgs
    bad = []
    for name in CONTROL_NAMES:
        for cmd, prefix in NAME_COMMANDS:
            args = [a.replace("{}", name) for a in cmd]
            rc, out, err = dm.run(*args)
            assert (rc, out) == (1, ""), args
            assert err.startswith(prefix), (args, err)
            if err.count("\n") != 1 or any(ord(c) < 0x20 or ord(c) == 0x7f for c in err[:-1]):
                bad.append(err)
    dm.assert_no_devices()
    assert bad == [], "BUG: raw control characters echoed in error messages:\n" + \
        "\n".join(repr(e) for e in bad)


def test_longest_device_name(imgs):
    dm = imgs
    name = "n" * 127
    dm.ok("create", name, "--table", "0 8 zero")
    assert dm.ok("ls") == name + "\t(253:0)\n"


def test_bad_uuid(imgs):
    dm = imgs
    assert dm.fail("create", "bad", "-u", "u" * 129, "--table", "0 8 zero") == \
        "dmsetup: create bad: invalid uuid"
    dm.assert_no_devices()
