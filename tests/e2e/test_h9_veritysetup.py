# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Hardening of `dmboot veritysetup` and the verity target against veritysetup 2.6.1:
root hash letter case and digest names (finding 6), exit codes and output errors
(finding 10), and parity of verify, status, --version and help (finding 13).

Images are made by the real veritysetup; where the real tool can run without the kernel's
device-mapper (format, verify, dump), its output and exit status are compared directly.
"""
import os
import shutil
import subprocess

import pytest

from conftest import require

require(shutil.which("veritysetup") and shutil.which("openssl"),
        "veritysetup and openssl are needed (scripts/install-deps.sh installs them)")


def real(dm, *args):
    p = subprocess.run(["veritysetup", *[str(a) for a in args]], cwd=str(dm.cwd),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       env=dm.env)
    return p.returncode, p.stdout, p.stderr


def vs(dm, *args, **kw):
    return dm.exec([dm.binary, "veritysetup", *args], **kw)


def sh(dm, *argv):
    subprocess.run([str(a) for a in argv], cwd=str(dm.cwd), check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def field(out, name):
    return [line.split()[-1] for line in out.splitlines() if line.startswith(name)][0]


@pytest.fixture
def img(dm):
    """A 2 MiB data image formatted by veritysetup; returns its root hash."""
    dm.make_file("data.img", 2 << 20, 61)
    rc, out, err = real(dm, "format", "data.img", "hash.img")
    assert rc == 0, err
    return field(out, "Root hash:")


def sign(dm, text, out):
    if not (dm.cwd / "key.crt").exists():
        sh(dm, "openssl", "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048",
           "-keyout", "key.pem", "-out", "key.crt", "-subj", "/CN=h9", "-days", "2")
    (dm.cwd / (out + ".txt")).write_text(text)
    sh(dm, "openssl", "cms", "-sign", "-binary", "-nocerts", "-noattr", "-in", out + ".txt",
       "-inkey", "key.pem", "-signer", "key.crt", "-outform", "DER", "-out", out)


def every_command_works(dm, name, root):
    table = dm.ok("table", name)
    assert " sha256 %s " % root.lower() in table
    assert dm.ok("status", name).endswith(" verity V\n")
    assert dm.read(name) == dm.file("data.img")
    dm.ok("remove", name)
    dm.assert_no_devices()


# -- finding 6: root hash letter case, digest names ----------------------------------

def test_h9_6_open_upper_case_root_hash_signed_lower(dm, img):
    """veritysetup open takes the hash in any case, writes lower case, and the
    signature is checked over the lower-case text (what the kernel sees)."""
    sign(dm, img, "lower.p7s")
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", img.upper(),
                      "--root-hash-signature", "lower.p7s", "--trusted-cert", "key.crt")
    assert (rc, err) == (0, ""), err
    assert " %s " % img in dm.ok("table", "v")
    every_command_works(dm, "v", img)


def test_h9_6_open_signature_over_upper_case_refused(dm, img):
    """A signature over the upper-case text is over other data than the table's
    lower-case root hash: refused at open, not accepted and broken afterwards."""
    sign(dm, img.upper(), "upper.p7s")
    for given in (img.upper(), img):
        rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", given,
                          "--root-hash-signature", "upper.p7s", "--trusted-cert", "key.crt")
        assert rc == 2 and "over other data" in err, (rc, err)
        dm.assert_no_devices()


def test_h9_6_open_upper_case_unsigned(dm, img):
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", img.upper())
    assert (rc, err) == (0, "")
    every_command_works(dm, "v", img)


def test_h9_6_dmsetup_create_upper_case_root_hash(dm, img):
    """A table given to dmsetup create: printed in lower case as the kernel prints
    it, and every later command works."""
    salt = field(real(dm, "dump", "hash.img")[1], "Salt:")
    line = "0 4096 verity 1 data.img hash.img 4096 4096 512 1 sha256 %s %s" % (
        img.upper(), salt)
    dm.ok("create", "--readonly", "v", "--table", line)
    assert dm.ok("table", "v") == line.replace(img.upper(), img) + "\n"
    every_command_works(dm, "v", img)


def test_h9_6_upper_case_digest_name_refused(dm, img):
    """The kernel's crypto API has no `SHA256`: such a table is refused with a message."""
    salt = field(real(dm, "dump", "hash.img")[1], "Salt:")
    line = "0 4096 verity 1 data.img hash.img 4096 4096 512 1 SHA256 %s %s" % (img, salt)
    err = dm.fail("create", "--readonly", "v", "--table", line)
    assert "Cannot initialize hash function SHA256" in err and "lower case (sha256)" in err
    dm.assert_no_devices()


def test_h9_6_format_hash_upper_case_as_veritysetup(dm):
    """veritysetup format --hash=SHA256 prints SHA256 and stores sha256 in the superblock."""
    dm.make_file("data.img", 1 << 20, 62)
    rc, out, err = vs(dm, "format", "--hash=SHA256", "--salt", "ab" * 32, "--uuid",
                      "12345678-1234-4234-8234-123456789abc", "data.img", "hash.img")
    assert (rc, err) == (0, "")
    rc2, want, err2 = real(dm, "format", "--hash=SHA256", "--salt", "ab" * 32, "--uuid",
                           "12345678-1234-4234-8234-123456789abc", "data.img", "real.img")
    assert rc2 == 0
    assert out.replace("hash.img", "X") == want.replace("real.img", "X")
    assert "\tSHA256\n" in out
    assert dm.file("hash.img") == dm.file("real.img")
    assert field(vs(dm, "dump", "hash.img")[1], "Hash algorithm:") == "sha256"
    rc, out, err = vs(dm, "verify", "data.img", "hash.img", field(want, "Root hash:"))
    assert (rc, err) == (0, "")


# -- finding 10: exit codes and output errors ------------------------------------------

def corrupt(dm, name, offset, data=b"XXXX"):
    with open(dm.cwd / name, "r+b") as f:
        f.seek(offset)
        f.write(data)


@pytest.mark.parametrize("case", ["good", "wrong-root", "corrupt-data", "bad-root-string",
                                  "missing-hash", "missing-data", "not-verity",
                                  "hash-dir-missing"])
def test_h9_10_exit_codes_and_verbose_lines_as_veritysetup(dm, img, case):
    """Exit status, stderr and -v's last line (on stdout) as veritysetup's."""
    shutil.copy(dm.cwd / "data.img", dm.cwd / "bad.img")
    corrupt(dm, "bad.img", 40000)
    args = {
        "good": ["verify", "data.img", "hash.img", img],
        "wrong-root": ["verify", "data.img", "hash.img", "0" * 64],
        "corrupt-data": ["verify", "bad.img", "hash.img", img],
        "bad-root-string": ["verify", "data.img", "hash.img", "abc"],
        "missing-hash": ["verify", "data.img", "nohash.img", img],
        "missing-data": ["verify", "nodata.img", "hash.img", img],
        "not-verity": ["dump", "data.img"],
        "hash-dir-missing": ["format", "data.img", "nodir/hash.img"],
    }[case]
    for verbose in ([], ["-v"]):
        want = real(dm, *verbose, *args)
        got = vs(dm, *verbose, *args)
        assert got == want, (verbose, got, want)


def as_nobody(argv, cwd, env):
    return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           *[str(a) for a in argv]], cwd=str(cwd), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_h9_10_permission_denied_is_wrong_device(dm, img, tmp_path_factory):
    """A device file the user may not read: veritysetup's exit 4, not 2."""
    require(os.geteuid() == 0 and shutil.which("setpriv"), "needs root and setpriv")
    import tempfile
    work = tempfile.mkdtemp(prefix="h9-perm-", dir="/tmp")
    try:
        os.chmod(work, 0o755)
        for name in ("data.img", "hash.img"):
            shutil.copy(dm.cwd / name, os.path.join(work, name))
            os.chmod(os.path.join(work, name), 0o644)
        shutil.copy(dm.cwd / "hash.img", os.path.join(work, "locked.img"))
        os.chmod(os.path.join(work, "locked.img"), 0)
        env = dict(dm.env, DMBOOT_STATE_DIR=os.path.join(work, "state"))
        for args in (["-v", "verify", "data.img", "locked.img", img],
                     ["-v", "verify", "locked.img", "hash.img", img],
                     ["dump", "locked.img"],
                     ["format", "data.img", "locked.img"]):
            want = as_nobody(["veritysetup", *args], work, env)
            got = as_nobody([dm.binary, "veritysetup", *args], work, env)
            assert want.returncode == 4, (args, want)
            assert (got.returncode, got.stdout, got.stderr) == \
                (want.returncode, want.stdout, want.stderr), args
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_h9_10_dump_to_full_stdout(dm, img):
    with open("/dev/full", "w") as full:
        p = subprocess.run([str(dm.binary), "veritysetup", "dump", "hash.img"], cwd=dm.cwd,
                           env=dm.env, stdout=full, stderr=subprocess.PIPE, text=True)
    assert p.returncode != 0
    assert p.stderr == "veritysetup: write error on standard output: No space left on device\n"


def test_h9_10_unreadable_root_hash_and_signature_files(dm, img):
    """One line each, veritysetup's; a missing root hash file is an error (veritysetup
    2.6.1 prints the line and exits 0)."""
    rc, out, err = vs(dm, "verify", "data.img", "hash.img", "--root-hash-file", "nofile")
    assert (rc, out, err) == (1, "", "Cannot read root hash file nofile.\n")
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", img,
                      "--root-hash-signature", "nosig")
    assert (rc, out, err) == (1, "", "Invalid signature file nosig.\n")
    dm.assert_no_devices()


# -- finding 13: parity with veritysetup -------------------------------------------

@pytest.fixture
def fec_img(dm):
    """data.img with hash.img and fec.img made by veritysetup; returns the root hash."""
    dm.make_file("data.img", 2 << 20, 63)
    rc, out, err = real(dm, "format", "--fec-device", "fec.img", "data.img", "hash.img")
    assert rc == 0, err
    return field(out, "Root hash:")


def write_blocks(dm, name, blocks, fill=b"Z"):
    with open(dm.cwd / name, "r+b") as f:
        for b in blocks:
            f.seek(b * 4096)
            f.write(fill * 4096)


@pytest.mark.parametrize("damage", ["none", "one-byte", "two-blocks", "beyond-repair",
                                    "hash-block", "wrong-root"])
def test_h9_13_verify_fec_repairable_as_veritysetup(dm, fec_img, damage):
    """veritysetup verify --fec-device: a data area FEC repairs verifies (exit 0, with
    'Found N repairable errors'), one beyond repair fails; nothing is written."""
    shutil.copy(dm.cwd / "data.img", dm.cwd / "d.img")
    shutil.copy(dm.cwd / "hash.img", dm.cwd / "h.img")
    root = fec_img
    if damage == "one-byte":
        corrupt(dm, "d.img", 5000, b"Q")
    elif damage == "two-blocks":
        write_blocks(dm, "d.img", [7, 300])
    elif damage == "beyond-repair":
        write_blocks(dm, "d.img", [0, 3, 6])      # one round: 3 errors a codeword, 2 roots
    elif damage == "hash-block":
        corrupt(dm, "h.img", 4096 * 2 + 100, b"\xff\xee")
    elif damage == "wrong-root":
        root = "0" * 64
    before = [dm.file(n) for n in ("d.img", "h.img", "fec.img")]
    args = ["-v", "verify", "--fec-device", "fec.img", "d.img", "h.img", root]
    want = real(dm, *args)
    got = vs(dm, *args)
    assert got == want
    assert [dm.file(n) for n in ("d.img", "h.img", "fec.img")] == before
    if damage == "one-byte":
        assert want[0] == 0 and "Found 1 repairable errors with FEC device.\n" in want[2]


def test_h9_13_verify_verbose_success(dm, img):
    rc, out, err = vs(dm, "-v", "verify", "data.img", "hash.img", img)
    assert (rc, out, err) == (0, "Command successful.\n", "")
    assert real(dm, "-v", "verify", "data.img", "hash.img", img) == (rc, out, err)


def test_h9_13_status_of_an_open_device(dm, img):
    salt = field(real(dm, "dump", "hash.img")[1], "Salt:")
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", img, "--ignore-corruption",
                      "--check-at-most-once")
    assert (rc, err) == (0, "")
    rc, out, err = vs(dm, "status", "v")
    assert (rc, err) == (0, "")
    assert out == (
        "/dev/mapper/v is active.\n"
        "  type:        VERITY\n"
        "  status:      verified\n"
        "  hash type:   1\n"
        "  data block:  4096\n"
        "  hash block:  4096\n"
        "  hash name:   sha256\n"
        "  salt:        %s\n"
        "  data device: data.img\n"
        "  size:        4096 sectors\n"
        "  mode:        readonly\n"
        "  hash device: hash.img\n"
        "  hash offset: 8 sectors\n"
        "  root hash:   %s\n"
        "  flags:       ignore_corruption check_at_most_once\n" % (salt, img))
    assert vs(dm, "status", "/dev/mapper/v")[1] == out
    # A corrupt block read under ignore_corruption turns the status to corrupted.
    corrupt(dm, "data.img", 4096 * 9 + 1)
    dm.run("read", "v", raw=True)    # exit 0 under ignore_corruption, the block logged
    rc, out, err = vs(dm, "status", "v")
    assert rc == 0 and "  status:      corrupted\n" in out
    assert vs(dm, "close", "v")[0] == 0
    dm.assert_no_devices()


def test_h9_13_status_fec_and_signature(dm, fec_img):
    sign(dm, fec_img, "root.p7s")
    rc, out, err = vs(dm, "open", "data.img", "f", "hash.img", fec_img.upper(),
                      "--fec-device", "fec.img", "--root-hash-signature", "root.p7s",
                      "--trusted-cert", "key.crt")
    assert (rc, err) == (0, ""), err
    rc, out, err = vs(dm, "status", "f")
    assert (rc, err) == (0, "")
    assert "  status:      verified (with signature)\n" in out
    assert ("  hash offset: 8 sectors\n  FEC device:  fec.img\n  FEC offset:  0 sectors\n"
            "  FEC roots:   2\n  root hash:   %s\n" % fec_img) in out
    assert "flags:" not in out


def test_h9_13_status_unknown_and_not_verity(dm):
    rc, out, err = vs(dm, "status", "nope")
    assert (rc, out, err) == (4, "/dev/mapper/nope is inactive.\n", "")
    dm.make_file("x.img", 8 * 512, 1)
    dm.ok("create", "lin", "--table", "0 8 linear x.img 0")
    rc, out, err = vs(dm, "status", "lin")
    assert (rc, out, err) == (1, "/dev/mapper/lin is active.\n  type:        n/a\n", "")


def test_h9_13_version(dm):
    for opt in ("--version", "-V"):
        rc, out, err = vs(dm, opt)
        assert (rc, out, err) == (0, "veritysetup 2.6.1 (dmboot 0.9.0)\n", "")


@pytest.mark.parametrize("args", [["--help"], ["-?"], ["-h"], ["open", "-h"], ["open", "--help"],
                                  ["verify", "-h"], ["format", "--help"], ["close", "-h"],
                                  ["status", "--help"], ["dump", "-h"], ["help"]])
def test_h9_13_help_everywhere(dm, args):
    rc, out, err = vs(dm, *args)
    assert (rc, err) == (0, "")
    assert out.startswith("Usage: veritysetup [OPTION...] <action> <action-specific>\n")
    assert "  status <name>\n" in out


def test_h9_13_dash_h_is_still_hash(dm):
    """-h NAME stays --hash, as in veritysetup."""
    dm.make_file("data.img", 1 << 20, 64)
    rc, out, err = vs(dm, "-h", "sha1", "--salt", "-", "format", "data.img", "hash.img")
    assert (rc, err) == (0, "")
    assert "Hash algorithm:  \tsha1\n" in out
