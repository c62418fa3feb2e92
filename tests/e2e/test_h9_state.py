# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Hardening of the state directory: trust kept in the record, a directory nobody else can
steer, closed standard descriptors."""
import os
import subprocess


def test_h9_1_stale_trust_directory_is_not_used(dm):
    """A trust-NAME directory a killed open left behind is never read."""
    dm.make_file("x.img", 8 * 512, 1)
    (dm.state / "trust-x").mkdir(parents=True, exist_ok=True)
    (dm.state / "trust-x" / "0.crt").write_text("not a certificate")
    dm.ok("create", "x", "--table", "0 8 linear x.img 0")
    assert dm.read("x") == dm.file("x.img")


def test_h9_2_world_writable_state_dir_refused(dm):
    dm.make_file("x.img", 8 * 512, 1)
    dm.state.mkdir(parents=True, exist_ok=True)
    os.chmod(dm.state, 0o777)
    err = dm.fail("create", "x", "--table", "0 8 linear x.img 0")
    assert "refusing state directory" in err and "writable by group or others" in err
    os.chmod(dm.state, 0o700)


def test_h9_2_symlinked_lock_refused(dm):
    dm.make_file("x.img", 8 * 512, 1)
    dm.state.mkdir(parents=True, exist_ok=True)
    (dm.state / ".lock").unlink(missing_ok=True)
    os.symlink(dm.cwd / "x.img", dm.state / ".lock")
    err = dm.fail("ls")
    assert "refusing" in err and ".lock" in err


def test_h9_3_closed_stdout_is_an_error(dm):
    dm.make_file("x.img", 8 * 512, 1)
    dm.ok("create", "x", "--table", "0 8 linear x.img 0")
    p = subprocess.run([str(dm.binary), "dmsetup", "read", "x"], cwd=dm.cwd, env=dm.env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       preexec_fn=lambda: os.close(1))
    assert p.returncode != 0
    assert os.path.getsize(dm.state / ".lock") == 0


def test_h9_10_full_stdout_is_an_error(dm):
    with open("/dev/full", "w") as full:
        p = subprocess.run([str(dm.binary), "dmsetup", "help"], cwd=dm.cwd, env=dm.env,
                           stdout=full, stderr=subprocess.PIPE)
    assert p.returncode != 0 and b"write error" in p.stderr
