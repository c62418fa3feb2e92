# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""--version and -h/--help of dmboot itself and of `dmboot lvm`, `dmboot sfdisk` and
`dmboot ddi` (finding 13): a version line in the layout of the tool followed, help on
stdout with exit status 0, after every verb too."""
import subprocess

import pytest

from conftest import tool

VERSION = "0.9.0"

LVM_VERBS = ["pvs", "vgs", "lvs", "vgchange", "lvchange", "version"]
DDI_VERBS = ["inspect", "open", "close", "cmdline"]
HELP = ["-h", "--help"]


def real_first_line(name, *args):
    """The first line the real tool prints, or None when it is not installed."""
    path = tool(name)
    if path is None:
        return None
    p = subprocess.run([path, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True, timeout=30)
    return p.stdout.splitlines()[0] if p.stdout else None


def test_h9_13_version_dmboot(dm):
    for arg in ("--version", "-V"):
        assert dm.exec([dm.binary, arg]) == (0, "dmboot %s\n" % VERSION, "")


@pytest.mark.parametrize("argv", [["lvm", "version"], ["lvm", "--version"],
                                  ["lvm", "lvs", "--version"], ["lvm", "vgchange", "--version"]],
                         ids=lambda a: "-".join(a))
def test_h9_13_version_lvm(dm, argv):
    """lvm2's version block, dmboot's version where lvm2 has its build date."""
    rc, out, err = dm.exec([dm.binary, *argv])
    assert (rc, err) == (0, "")
    assert out == ("  LVM version:     2.03.16(2) (dmboot %s)\n"
                   "  Library version: 1.02.185 (dmboot %s)\n" % (VERSION, VERSION))


def test_h9_13_version_lvm_layout_is_lvm2s(dm):
    """Up to the parenthesis the line is what lvm2 2.03.16 prints, so `awk '{print $3}'`
    and the like read the same release from both."""
    real = real_first_line("lvm", "version")
    if real is None:
        pytest.fail("lvm2 is needed (make deps installs it)")
    ours = dm.exec([dm.binary, "lvm", "version"])[1].splitlines()[0]
    assert ours.split(" (")[0] == real.split(" (")[0]
    assert ours.split()[2] == real.split()[2]


def test_h9_13_version_lvm_symlink(dm, tmp_path):
    link = tmp_path / "lvs"
    link.symlink_to(dm.binary)
    rc, out, err = dm.exec([link, "--version"])
    assert (rc, err) == (0, "") and out.startswith("  LVM version:     2.03.16(2) ")


@pytest.mark.parametrize("arg", ["--version", "-v"])
def test_h9_13_version_sfdisk(dm, arg):
    """util-linux's line as it is, then dmboot's."""
    rc, out, err = dm.exec([dm.binary, "sfdisk", arg])
    assert (rc, out, err) == (0, "sfdisk from util-linux 2.38.1\ndmboot %s\n" % VERSION, "")
    real = real_first_line("sfdisk", "--version")
    assert real is None or real == out.splitlines()[0]


@pytest.mark.parametrize("argv", [["ddi", "--version"], ["ddi", "inspect", "--version"]],
                         ids=lambda a: "-".join(a))
def test_h9_13_version_ddi(dm, argv):
    """systemd's "systemd 252 (...)", with dmboot's version in the parentheses."""
    rc, out, err = dm.exec([dm.binary, *argv])
    assert (rc, out, err) == (0, "systemd 252 (dmboot %s)\n" % VERSION, "")
    real = real_first_line("systemd-dissect", "--version")
    assert real is None or real.split(" (")[0] == out.split(" (")[0]


def assert_help(dm, argv):
    rc, out, err = dm.exec([dm.binary, *argv])
    assert (rc, err) == (0, ""), argv
    assert out.startswith("Usage"), (argv, out)


@pytest.mark.parametrize("argv", [[h] for h in HELP] + [["help"]], ids=lambda a: a[0])
def test_h9_13_help_dmboot(dm, argv):
    assert_help(dm, argv)


@pytest.mark.parametrize("verb", [None] + LVM_VERBS)
@pytest.mark.parametrize("flag", HELP)
def test_h9_13_help_lvm(dm, verb, flag):
    assert_help(dm, ["lvm"] + ([verb] if verb else []) + [flag])


@pytest.mark.parametrize("verb", [None] + DDI_VERBS)
@pytest.mark.parametrize("flag", HELP)
def test_h9_13_help_ddi(dm, verb, flag):
    assert_help(dm, ["ddi"] + ([verb, "x.img"] if verb else []) + [flag])


@pytest.mark.parametrize("cmd", [None, "--json", "--list"])
@pytest.mark.parametrize("flag", HELP)
def test_h9_13_help_sfdisk(dm, cmd, flag):
    assert_help(dm, ["sfdisk"] + ([cmd, "x.img"] if cmd else []) + [flag])


def test_h9_13_help_lvm_mentions_version(dm):
    rc, out, err = dm.exec([dm.binary, "lvm", "--help"])
    assert "version" in out and "-h, --help" in out


def test_h9_13_help_lists_version(dm):
    for argv in (["--help"], ["sfdisk", "--help"], ["ddi", "--help"]):
        assert "--version" in dm.exec([dm.binary, *argv])[1], argv
