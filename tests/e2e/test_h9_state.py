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


def test_h9_8_slow_writer_does_not_block_create_and_remove(dm):
    """A `write` waiting on its input holds no lock others need."""
    dm.make_file("x.img", 64 * 512, 1)
    dm.make_file("y.img", 8 * 512, 2)
    dm.ok("create", "x", "--table", "0 64 linear x.img 0")
    writer = subprocess.Popen([str(dm.binary), "dmsetup", "write", "x"], cwd=dm.cwd,
                              env=dm.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        writer.stdin.write(b"\xaa" * 512)
        writer.stdin.flush()
        # The writer is now between reads of its input.  A hang here is the bug;
        # the timeout only turns it into a failure.
        for args in (("create", "y", "--table", "0 8 linear y.img 0"), ("remove", "y"),
                     ("ls",), ("table", "x")):
            p = subprocess.run([str(dm.binary), "dmsetup", *args], cwd=dm.cwd, env=dm.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
            assert p.returncode == 0, (args, p.stderr)
        writer.stdin.write(b"\xbb" * 512)
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=20) == 0, writer.stderr.read()
    assert dm.file("x.img")[:1024] == b"\xaa" * 512 + b"\xbb" * 512
    dm.ok("remove", "x")
    dm.assert_no_devices()


def test_h9_9_leftover_tmp_files_are_removed(dm):
    """What a killed command left half-written is cleaned under the lock."""
    dm.make_file("x.img", 8 * 512, 1)
    dm.ok("create", "x", "--table", "0 8 linear x.img 0")
    (dm.state / ".tmp-Ab12Cd").write_bytes(b"dmboot-state 2\nhalf")
    dm.ok("create", "z", "--table", "0 8 linear x.img 0")
    assert not any(f.startswith(".tmp-") for f in dm.state_files())
    dm.ok("remove_all")
    dm.assert_no_devices()


def test_h9_7_damaged_record_one_line_and_removable(dm):
    """A damaged record: one line per command, listed with a warning, removable by name."""
    dm.make_file("x.img", 8 * 512, 1)
    dm.ok("create", "x", "--table", "0 8 linear x.img 0")
    dm.ok("create", "y", "--table", "0 8 zero")
    (dm.state / "dev-y").write_text("dmboot-state 2\nname y\n")
    rc, out, err = dm.run("ls")
    assert (rc, out) == (0, "x\t(253:0)\n")
    assert err == "dmsetup: warning: y: its record in the state directory is damaged\n"
    for cmd in ("table", "info", "status", "read"):
        err = dm.fail(cmd, "y")
        assert err == ("dmsetup: %s y: its record in the state directory is damaged "
                       "('dmsetup remove y' removes it)" % cmd)
    assert dm.read("x") == dm.file("x.img")
    dm.ok("remove", "y")
    dm.ok("remove", "x")
    dm.assert_no_devices()


def test_h9_7_shrunk_lower_device_still_shown(dm):
    """Only I/O fails when a lower device shrank: table, info and status still answer."""
    dm.make_file("x.img", 8 * 512, 1)
    dm.ok("create", "x", "--table", "0 8 linear x.img 0")
    os.truncate(dm.cwd / "x.img", 1024)
    assert dm.ok("table", "x") == "0 8 linear x.img 0\n"
    assert "Size:              8 sectors\n" in dm.ok("info", "x")
    assert dm.ok("status", "x") == "0 8 linear \n"
    err = dm.fail("read", "x")
    assert "too small for target" in err
    dm.ok("remove", "x")
    dm.assert_no_devices()
