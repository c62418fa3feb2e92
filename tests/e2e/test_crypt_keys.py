# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Crypt keys never reach a file (docs/cryptsetup.md, Keys): a hex key given to
`dmsetup create`, and the volume key of a LUKS1, LUKS2 or plain-mode
`cryptsetup open`, live in the kernel user keyring; no file of the state
directory holds them, raw or in hex of either case; the table still reads as
the kernel prints it (masked, --showkeys shows the key); every later command
reads the key back from the keyring; remove, remove_all, close and a failed
create leave no key behind."""
import subprocess

import pytest

CS = "/sbin/cryptsetup"
K512 = bytes(range(7, 71))
FAST = ["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"]


def _user_keys():
    out = subprocess.run(["keyctl", "rlist", "@u"], stdout=subprocess.PIPE, check=True)
    descs = set()
    for kid in out.stdout.decode().split():
        d = subprocess.run(["keyctl", "rdescribe", kid], stdout=subprocess.PIPE)
        if d.returncode == 0:
            descs.add(d.stdout.decode().strip().split(";", 4)[-1])
    return descs


def _assert_no_key_in_state(dm, key):
    forms = [key, key.hex().encode(), key.hex().upper().encode()]
    for p in dm.state.rglob("*"):
        if p.is_file():
            data = p.read_bytes()
            for f in forms:
                assert f not in data, "%s holds the key" % p.name


def _table(key=K512, dev="lower.img"):
    return "0 64 crypt aes-xts-plain64 %s 0 %s 0" % (key.hex(), dev)


def test_create_keeps_hex_key_out_of_the_record(dm):
    before = _user_keys()
    dm.make_file("lower.img", 64 * 512, 0)
    dm.ok("create", "c", "--table", _table())
    _assert_no_key_in_state(dm, K512)
    added = _user_keys() - before
    assert len(added) == 1 and next(iter(added)).startswith("dmboot:key-")
    assert dm.ok("table", "c") == "0 64 crypt aes-xts-plain64 %s 0 lower.img 0\n" % ("0" * 128)
    assert dm.ok("table", "--showkeys", "c") == _table() + "\n"
    assert K512.hex() in dm.ok("table", "--concise", "--showkeys", "c")
    assert K512.hex() not in dm.ok("table", "--concise", "c")
    data = bytes(range(256)) * 128
    dm.ok("write", "c", input=data, raw=True)
    assert dm.read("c") == data
    dm.ok("remove", "c")
    assert _user_keys() - before == set()
    dm.assert_no_devices()


def test_remove_all_and_rename_unlink_the_keys(dm):
    before = _user_keys()
    dm.make_file("lower.img", 64 * 512, 0)
    dm.ok("create", "a", "--table", _table())
    dm.ok("create", "b", "--table", _table(bytes(range(100, 164))))
    dm.ok("rename", "a", "x")
    assert K512.hex() in dm.ok("table", "--showkeys", "x")
    assert len(_user_keys() - before) == 2
    dm.ok("remove_all")
    assert _user_keys() - before == set()


def test_failed_create_leaves_no_key(dm):
    before = _user_keys()
    dm.make_file("lower.img", 64 * 512, 0)
    dm.fail("create", "c", "--table", _table(dev="missing.img"))
    dm.ok("create", "c", "--table", _table())
    # A second device of the same name fails after the key would be made.
    dm.fail("create", "c", "--table", _table(bytes(range(64))))
    assert len(_user_keys() - before) == 1
    dm.ok("remove", "c")
    assert _user_keys() - before == set()


def test_key_gone_from_keyring_is_an_error(dm):
    before = _user_keys()
    dm.make_file("lower.img", 64 * 512, 0)
    dm.ok("create", "c", "--table", _table())
    (desc,) = _user_keys() - before
    kid = subprocess.run(["keyctl", "search", "@u", "user", desc], stdout=subprocess.PIPE,
                         check=True).stdout.decode().strip()
    subprocess.run(["keyctl", "unlink", kid, "@u"], check=True)
    rc, _, err = dm.run("read", "c", "--length", "512")
    # The kernel's message for a key it cannot load.
    assert (rc, err) == (1, "dmsetup: read c: line 1: crypt: Error decoding and setting key\n")
    dm.ok("remove", "c")


def _cs(*args, input=None):
    return subprocess.run([CS, *map(str, args)], input=input, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)


def _volume_key(img):
    p = _cs("luksDump", "--dump-volume-key", "-q", img, input=b"pw")
    assert p.returncode == 0, p.stderr
    text = p.stdout.decode()
    hexes = text.split("MK dump:")[1].split("\n\n")[0]
    return bytes.fromhex("".join(h for h in hexes.split() if len(h) == 2))


@pytest.mark.parametrize("kind", ["luks1", "luks2", "plain"])
def test_cryptsetup_open_keeps_key_out_of_files(dm, tmp_path, kind):
    img = tmp_path / "c.img"
    with open(img, "wb") as f:
        f.truncate(32 << 20)
    before = _user_keys()
    args = [img, "c0"]
    if kind == "plain":
        args = ["--type", "plain", img, "c0"]
    else:
        assert _cs("luksFormat", "-q", "--type", kind, *FAST, img, "-", input=b"pw").returncode == 0
    rc, _, err = dm.exec([dm.binary, "cryptsetup", "open", *args], input=b"pw")
    assert rc == 0, err
    table = dm.ok("table", "--showkeys", "c0")
    if kind == "luks2":
        assert ":64:logon:cryptsetup:" in table
        key = _volume_key(img)
    else:
        key = bytes.fromhex(table.split()[4])
        if kind == "luks1":
            assert key == _volume_key(img)
    _assert_no_key_in_state(dm, key)
    status = dm.exec([dm.binary, "cryptsetup", "status", "c0"])[1]
    assert ("key location: keyring" if kind == "luks2" else "key location: dm-crypt") in status
    data = bytes(range(256)) * 64
    dm.ok("write", "c0", input=data, raw=True)
    assert dm.read("c0", "--length", str(len(data))) == data
    # dmsetup remove, not close: the key goes all the same.
    dm.ok("remove", "c0")
    assert _user_keys() - before == set()


def test_user_key_from_the_kernel_keyring(dm):
    """`:64:user:DESC` names a user key of the kernel keyring, as in Linux; it is read
    again by every command and never copied into the record."""
    desc = "dmboot-test-user-%d" % id(dm)
    kid = subprocess.run(["keyctl", "padd", "user", desc, "@u"], input=K512,
                         stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    try:
        dm.make_file("lower.img", 64 * 512, 0)
        table = "0 64 crypt aes-xts-plain64 :64:user:%s 0 lower.img 0" % desc
        dm.ok("create", "c", "--table", table)
        _assert_no_key_in_state(dm, K512)
        assert dm.ok("table", "--showkeys", "c") == table + "\n"
        assert dm.ok("table", "c") == table + "\n"
        data = bytes(range(256)) * 128
        dm.ok("write", "c", input=data, raw=True)
        assert dm.read("c") == data
        dm.ok("remove", "c")
        # Not dmboot's key: it stays.
        assert subprocess.run(["keyctl", "search", "@u", "user", desc],
                              stdout=subprocess.PIPE).returncode == 0
    finally:
        subprocess.run(["keyctl", "unlink", kid, "@u"])
