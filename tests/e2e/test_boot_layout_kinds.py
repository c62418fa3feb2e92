# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""boot_layout.py --kinds (the layout `make demo` builds): one image per verdict given,
named os_1.0.0, os_1.1.0 ... in that order, each made as in the six-kind layout; bad
--kinds arguments are refused with their message before anything is built.
"""
import os
import subprocess
from pathlib import Path

from boot_layout import IMAGE_VERDICTS, KINDS, build, kinds_of
from conftest import require

SCRIPT = Path(__file__).with_name("boot_layout.py")


def test_kinds_of_names_the_images_in_order():
    assert kinds_of() == KINDS
    assert kinds_of(images=2) == [("os_1.0.0", "good"), ("os_1.0.1", "good")]
    assert kinds_of(kinds=["good", "good", "tampered"]) == \
        [("os_1.0.0", "good"), ("os_1.1.0", "good"), ("os_1.2.0", "tampered")]
    assert IMAGE_VERDICTS == ("good", "tampered", "unsigned", "untrusted", "foreign")


def test_kinds_good_good_tampered(tmp_path_factory):
    require(os.geteuid() == 0, "the layout needs loop devices")
    where = tmp_path_factory.mktemp("kinds-layout") / "out"
    got = build(where, kinds=["good", "good", "tampered"])
    assert [(lv["name"], lv["verdict"]) for lv in got["lvs"]] == \
        [("os_1.0.0", "good"), ("os_1.1.0", "good"), ("os_1.2.0", "tampered"),
         ("data", "not-an-image"), ("swap", "not-an-image")]
    assert sorted(p.name for p in (where / "images").iterdir()) == \
        ["os_1.0.0.raw", "os_1.1.0.raw", "os_1.2.0.raw"]
    images = got["lvs"][:3]
    assert [lv["tamper"] is None for lv in images] == [True, True, False]
    t = images[2]["tamper"]
    assert t["now"] == t["was"] ^ 1 and images[2]["sha256"] != images[2]["repart_sha256"]
    assert [lv["signer"] for lv in images] == ["trusted"] * 3
    assert len(got["lvs"][0]["segments"]) == 2


def test_the_script_refuses_bad_kinds(tmp_path):
    out = tmp_path / "o"
    for args, message in (
            (["--kinds", "good,bad"], "--kinds takes 1 to 64 of good, tampered, unsigned, "
             "untrusted, foreign, comma-separated, not 'bad'"),
            (["--kinds", "not-an-image"], "not 'not-an-image'"),
            (["--kinds", ""], "not ''"),
            (["--kinds", ",".join(["good"] * 65)], "--kinds takes 1 to 64 of"),
            (["--kinds", "good", "--images", "2"], "--images and --kinds exclude each other")):
        p = subprocess.run(["/usr/bin/python3", SCRIPT, str(out), *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        assert p.returncode == 2 and message in p.stderr, (args, p.stderr)
        assert p.stdout == "" and not out.exists()
