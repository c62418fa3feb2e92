# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""dm-verity root hash signatures end to end.

Images are formatted by the real veritysetup; signatures are made by the real
openssl (detached PKCS#7 over the lowercase hex root hash, as the kernel and
systemd use them), with and without the certificate and signed attributes.
dmboot must accept exactly the good ones, refuse every bad one with the
reason, and keep checking the signature every time the device is used.
"""
import shutil
import subprocess

import pytest

from conftest import require

require(shutil.which("veritysetup") and shutil.which("openssl"),
        "veritysetup and openssl are needed (scripts/install-deps.sh installs them)")


def sh(*argv, cwd):
    subprocess.run([str(a) for a in argv], cwd=str(cwd), check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def make_key(cwd, name, kind="rsa"):
    newkey = ["-newkey", "rsa:2048"] if kind == "rsa" else \
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    sh("openssl", "req", "-x509", "-new", "-nodes", *newkey, "-keyout", name + ".key",
       "-out", name + ".crt", "-subj", "/CN=" + name, "-days", "2", cwd=cwd)


def sign(cwd, text, key, out, extra=("-nocerts", "-noattr")):
    (cwd / (out + ".txt")).write_text(text)
    sh("openssl", "cms", "-sign", "-binary", *extra, "-in", out + ".txt",
       "-inkey", key + ".key", "-signer", key + ".crt", "-outform", "DER", "-out", out,
       cwd=cwd)


@pytest.fixture
def img(dm):
    """A 2 MiB random data image formatted by veritysetup; returns the root hash."""
    dm.make_file("data.img", 2 << 20, 11)
    p = subprocess.run(["veritysetup", "format", "data.img", "hash.img"], cwd=dm.cwd,
                       check=True, stdout=subprocess.PIPE, text=True)
    root = [line.split()[-1] for line in p.stdout.splitlines() if line.startswith("Root hash:")][0]
    make_key(dm.cwd, "good")
    make_key(dm.cwd, "other")
    make_key(dm.cwd, "ec", kind="ec")
    return root


def vs(dm, *args):
    return dm.exec([dm.binary, "veritysetup", *args])


@pytest.mark.parametrize("form", [
    ("good", ("-nocerts", "-noattr")),
    ("good", ()),                      # certificate and signed attributes included
    ("good", ("-noattr",)),            # certificate included
    ("good", ("-nocerts",)),           # signed attributes
    ("ec", ("-nocerts", "-noattr")),
], ids=["rsa-bare", "rsa-cert-attrs", "rsa-cert", "rsa-attrs", "ec-bare"])
def test_good_signatures_open_and_stay_checked(dm, img, form):
    key, extra = form
    sign(dm.cwd, img, key, "root.p7s", extra)
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", img,
                      "--root-hash-signature", "root.p7s", "--trusted-cert", key + ".crt")
    assert (rc, err) == (0, ""), err
    table = dm.ok("table", "v")
    assert table.endswith(" 2 root_hash_sig_key_desc dmboot:v\n")
    assert dm.read("v") == dm.file("data.img")
    # Finding 1: signature and certificates live in the device's record, written with it
    # in one rename; nothing else in the state directory can change what it trusts.
    assert dm.state_files() == [".lock", "dev-v"]
    record = (dm.state / "dev-v").read_text()
    assert "\ncert " in record and "\nkey " in record
    assert dm.read("v") == dm.file("data.img")
    rc, out, err = vs(dm, "close", "v")
    assert rc == 0
    dm.assert_no_devices()


def test_trusted_cert_directory(dm, img):
    sign(dm.cwd, img, "good", "root.p7s")
    certs = dm.cwd / "verity.d"
    certs.mkdir()
    shutil.copy(dm.cwd / "other.crt", certs / "a.crt")
    shutil.copy(dm.cwd / "good.crt", certs / "b.pem")
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", img,
                      "--root-hash-signature", "root.p7s", "--trusted-cert", str(certs))
    assert (rc, err) == (0, "")
    assert dm.read("v") == dm.file("data.img")


def refused(dm, img, sig, *trust, code=2):
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", img,
                      "--root-hash-signature", sig, *trust)
    assert rc == code, (rc, err)
    assert err.count("\n") == 1, err
    dm.assert_no_devices()
    return err


def test_untrusted_signer(dm, img):
    sign(dm.cwd, img, "good", "root.p7s")
    err = refused(dm, img, "root.p7s", "--trusted-cert", "other.crt")
    assert "is not a trusted certificate" in err
    # A certificate inside the signature does not make it trusted.
    sign(dm.cwd, img, "good", "withcert.p7s", ("-noattr",))
    err = refused(dm, img, "withcert.p7s", "--trusted-cert", "other.crt")
    assert "not a trusted certificate" in err


def test_no_trusted_certificates(dm, img):
    sign(dm.cwd, img, "good", "root.p7s")
    err = refused(dm, img, "root.p7s")
    assert "no trusted certificates" in err


def test_signature_over_another_root_hash(dm, img):
    other = ("0" if img[0] != "0" else "1") + img[1:]
    sign(dm.cwd, other, "good", "root.p7s")
    err = refused(dm, img, "root.p7s", "--trusted-cert", "good.crt")
    assert "over other data" in err
    # Upper case hex is other data too: the signature covers the text.
    sign(dm.cwd, img.upper(), "good", "upper.p7s")
    refused(dm, img, "upper.p7s", "--trusted-cert", "good.crt")


def test_tampered_signature(dm, img):
    sign(dm.cwd, img, "good", "root.p7s")
    sig = bytearray(dm.file("root.p7s"))
    sig[-10] ^= 0x01                     # inside the RSA signature value
    (dm.cwd / "bad.p7s").write_bytes(bytes(sig))
    err = refused(dm, img, "bad.p7s", "--trusted-cert", "good.crt")
    assert "corrupt" in err


def test_malformed_signature(dm, img):
    (dm.cwd / "junk.p7s").write_bytes(b"\x30\x82\x01\x00 not a signature")
    err = refused(dm, img, "junk.p7s", "--trusted-cert", "good.crt", code=1)
    assert "root hash signature" in err
    sign(dm.cwd, img, "good", "root.p7s")
    (dm.cwd / "short.p7s").write_bytes(dm.file("root.p7s")[:100])
    refused(dm, img, "short.p7s", "--trusted-cert", "good.crt", code=1)


def test_require_signature(dm, img):
    rc, out, err = vs(dm, "open", "data.img", "v", "hash.img", img, "--require-signature")
    assert rc == 2 and err == "veritysetup: Root hash signature required.\n"
    dm.assert_no_devices()


def test_table_naming_a_missing_key_fails_closed(dm, img):
    line = ("0 4096 verity 1 data.img hash.img 4096 4096 512 1 sha256 %s %s "
            "2 root_hash_sig_key_desc nosuchkey" % (img, "-"))
    err = dm.fail("create", "--readonly", "v", "--table", line)
    assert "root hash verification" in err and "nosuchkey" in err
    dm.assert_no_devices()
