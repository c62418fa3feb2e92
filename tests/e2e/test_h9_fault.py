# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""A kill -9 at any system call of a signed `veritysetup open` leaves no trust behind.

The open names two certificates, A and B; the signature is made by A.  strace
kills the command at each system call it makes in turn (each occurrence of each
call, as a recorded run lists them).  After every kill the registry must be
usable, a device that survived must be whole, and an open of the same device
naming only B must be refused for its signature, however far the killed command
got: trust is only ever what the running command named.
"""
import collections
import shutil
import subprocess

import pytest

from conftest import require

require(shutil.which("strace") and shutil.which("veritysetup") and shutil.which("openssl"),
        "strace, veritysetup and openssl are needed (scripts/install-deps.sh installs them)")


def sh(*argv, cwd):
    return subprocess.run([str(a) for a in argv], cwd=str(cwd), check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True).stdout


@pytest.fixture
def signed(dm):
    dm.make_file("data.img", 1 << 20, 91)
    out = sh("veritysetup", "format", "data.img", "hash.img", cwd=dm.cwd)
    root = [ln.split()[-1] for ln in out.splitlines() if ln.startswith("Root hash:")][0]
    for k in ("good", "other"):
        sh("openssl", "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout",
           k + ".key", "-out", k + ".crt", "-subj", "/CN=" + k, "-days", "2", cwd=dm.cwd)
    (dm.cwd / "root.txt").write_text(root)
    sh("openssl", "cms", "-sign", "-binary", "-nocerts", "-noattr", "-in", "root.txt",
       "-inkey", "good.key", "-signer", "good.crt", "-outform", "DER", "-out", "root.p7s",
       cwd=dm.cwd)
    return root


def open_argv(dm, root, *certs, name="x"):
    argv = [dm.binary, "veritysetup", "open", "data.img", name, "hash.img", root,
            "--root-hash-signature=root.p7s"]
    for c in certs:
        argv += ["--trusted-cert", c]
    return argv


def syscall_steps(dm, argv, input=None):
    """(name, n) for every system call argv makes, n counting that call's occurrences."""
    log = dm.tmp / "strace.log"
    rc, _, err = dm.exec(["strace", "-f", "-qq", "-o", log, *argv], input=input)
    assert rc == 0, err
    counts = collections.Counter()
    for line in log.read_text().splitlines():
        name = line.split(None, 1)[1].split("(", 1)[0]
        if name.isidentifier() and "resumed>" not in line:
            counts[name] += 1
    dm.ok("remove", "x")
    return [(name, n) for name, c in sorted(counts.items()) for n in range(1, c + 1)]


def test_h9_1_kill_at_every_syscall_of_open_leaves_no_trust(dm, signed):
    if dm.kind != "plain":
        pytest.skip("one binary is enough: the asan build runs the same steps slower")
    root = signed
    both = open_argv(dm, root, "good.crt", "other.crt")
    steps = syscall_steps(dm, both)
    assert ("rename", 1) in steps and len(steps) > 50
    survived = 0
    for name, n in steps:
        rc, _, err = dm.exec(["strace", "-f", "-qq", "-o", "/dev/null",
                              "-e", "inject=%s:signal=KILL:when=%d" % (name, n), *both])
        where = "killed at %s #%d (rc=%d %r)" % (name, n, rc, err)
        ls = dm.ok("ls")
        if ls != "No devices found\n":
            # The command got as far as its commit: the device is whole and checked.
            assert ls.startswith("x\t"), where
            assert dm.read("x") == dm.file("data.img"), where
            dm.ok("remove", "x")
            survived += 1
        rc, out, err = dm.exec(open_argv(dm, root, "other.crt"))
        assert rc != 0 and "signature" in err, where + ": open naming only other.crt: %r" % err
        dm.assert_no_devices()
    # Kills before the commit and kills after it were both exercised.
    assert 0 < survived < len(steps)


def test_h9_9_longest_name_carries_a_signature(dm, signed):
    """Every valid dm name (up to 127 characters) can hold a signed device."""
    name = "n" * 127
    rc, _, err = dm.exec(open_argv(dm, signed, "good.crt", name=name))
    assert (rc, err) == (0, "")
    assert dm.ok("table", name).endswith(" 2 root_hash_sig_key_desc dmboot:%s\n" % name)
    assert dm.read(name) == dm.file("data.img")
    assert dm.ok("ls").startswith(name + "\t")
    dm.ok("remove", name)
    err = dm.fail("create", "n" * 128, "--table", "0 8 zero")
    assert "name" in err
    dm.assert_no_devices()
