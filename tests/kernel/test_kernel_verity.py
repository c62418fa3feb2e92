# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""verity: images made by the real veritysetup on the host, opened by dmboot; the
kernel loads dmboot's table, reads the same bytes and prints the same text, and a
tampered data block fails in both, at the same block."""
import os
import re
import subprocess

import pytest

import vm

VERITYSETUP = "/usr/sbin/veritysetup"
BLOCKS = 256


def _data(zero_blocks=()):
    blocks = [os.urandom(4096) for _ in range(BLOCKS)]
    for i in zero_blocks:
        blocks[i] = bytes(4096)
    return b"".join(blocks)


def _format(c, data, fmt_args, fec=False):
    d = c.disk("data.img", data=data)
    h = c.disk("hash.img", size=1 << 20)
    extra = []
    if fec:
        f = c.disk("fec.img", size=1 << 20)
        extra = ["--fec-device=" + f]
    p = subprocess.run([VERITYSETUP, "format", *fmt_args, *extra, d, h],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    root = re.search(r"Root hash:\s*([0-9a-f]+)", p.stdout).group(1)
    return d, h, root, extra


VARIANTS = {
    "verity_sha256_salt": ([], [], ()),
    "verity_sha256_nosalt": (["--salt=-"], [], ()),
    "verity_sha1": (["--hash=sha1"], [], ()),
    "verity_sha512_1k_blocks": (["--hash=sha512", "--data-block-size=1024"], [], ()),
    "verity_v0": (["--format=0"], ["--format=0"], ()),
    "verity_ignore_zero_blocks": ([], ["--ignore-zero-blocks", "--check-at-most-once"],
                                  range(10, 30)),
    "verity_restart_on_corruption": ([], ["--restart-on-corruption"], ()),
}


def _register(name, fmt_args, open_args, zeros, fec=False):
    @vm.case(name)
    def _prepare(c):
        d, h, root, extra = _format(c, _data(zeros), fmt_args, fec)
        c.dmboot("veritysetup", "open", d, "v", h, root, *open_args, *extra)
        vm.mapping(c, "v", readonly=True)


for _name, (_fmt, _open, _zeros) in VARIANTS.items():
    _register(_name, _fmt, _open, _zeros)
_register("verity_fec", ["--fec-roots=2"], [], (), fec=True)


@pytest.mark.parametrize("name", sorted(VARIANTS) + ["verity_fec"])
def test_verity_same_table_status_bytes(kernel, name):
    vm.assert_same(kernel(name))


TAMPERED = 77


@vm.case("verity_tampered_block")
def _tampered(c):
    data = _data()
    d, h, root, _ = _format(c, data, [])
    with open(d, "r+b") as f:
        f.seek(TAMPERED * 4096 + 100)
        f.write(bytes(b ^ 0xFF for b in data[TAMPERED * 4096 + 100:TAMPERED * 4096 + 108]))
    c.dmboot("veritysetup", "open", d, "v", h, root)

    def rd(block):
        return c.dmboot("dmsetup", "read", "v", "--offset", str(block * 4096), "--length",
                        "4096", check=False)
    bad = rd(TAMPERED)
    c.data["host"] = {
        "table": c.dmboot_text("dmsetup", "table", "v"),
        "bad_rc": bad.returncode,
        "bad_err": bad.stderr.decode(errors="replace"),
        "good": {b: vm.sha256(rd(b).stdout) for b in (0, TAMPERED - 1, TAMPERED + 1)},
        "status": c.dmboot_text("dmsetup", "status", "v"),
    }
    c.file("table.txt", c.data["host"]["table"])
    c.guest("""
step create dmsetup create -r v table.txt
mk
step status0 dmsetup status v
for b in 0 %d %d; do
	step good$b sh -c "dd if=/dev/mapper/v bs=4096 skip=$b count=1 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1"
done
step bad dd if=/dev/mapper/v of=/dev/null bs=4096 skip=%d count=1 iflag=direct
step status dmsetup status v
step dmesg dmesg
""" % (TAMPERED - 1, TAMPERED + 1, TAMPERED))


def test_verity_tampered_block_fails_in_both(kernel):
    c = kernel("verity_tampered_block")
    host = c.data["host"]
    assert host["bad_rc"] != 0
    vm.ok(c, "create")
    bad = c.step("bad")
    assert bad.rc != 0 and "Input/output error" in bad.err, bad
    for b, sha in host["good"].items():
        assert vm.ok(c, "good%d" % b).strip() == sha
    assert re.search(r"verity: .*data block %d is corrupted" % TAMPERED, vm.ok(c, "dmesg"))


def test_verity_tampered_block_same_status(kernel):
    c = kernel("verity_tampered_block")
    assert c.guest_norm(vm.ok(c, "status")) == c.host_norm(c.data["host"]["status"])


@vm.case("verity_hash_on_data_device")
def _same_device(c):
    d = c.disk("both.img", data=_data() + bytes(1 << 20))
    p = subprocess.run([VERITYSETUP, "format", "--data-blocks=%d" % BLOCKS,
                        "--hash-offset=%d" % (BLOCKS * 4096), d, d],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    root = re.search(r"Root hash:\s*([0-9a-f]+)", p.stdout).group(1)
    c.dmboot("veritysetup", "open", d, "v", d, root, "--data-blocks=%d" % BLOCKS,
             "--hash-offset=%d" % (BLOCKS * 4096))
    vm.mapping(c, "v", readonly=True)


def test_verity_hash_on_data_device(kernel):
    vm.assert_same(kernel("verity_hash_on_data_device"))


@vm.case("verity_fewer_data_blocks")
def _fewer(c):
    d, h, root, _ = _format(c, _data(), ["--data-blocks=100"])
    c.dmboot("veritysetup", "open", d, "v", h, root, "--data-blocks=100")
    vm.mapping(c, "v", readonly=True)


def test_verity_fewer_data_blocks(kernel):
    vm.assert_same(kernel("verity_fewer_data_blocks"))


@vm.case("verity_tampered_hash_block")
def _tampered_hash(c):
    d, h, root, _ = _format(c, _data(), [])
    # The hash device: superblock, then the top level, then the leaves; the last
    # 4 KiB hash block holds the leaf hashes of the data blocks.
    size = 4096 * 4
    with open(h, "r+b") as f:
        f.seek(size - 4096 + 64)
        f.write(b"\xaa" * 32)
    c.dmboot("veritysetup", "open", d, "v", h, root)
    whole = c.dmboot("dmsetup", "read", "v", check=False)
    c.data["host"] = {"table": c.dmboot_text("dmsetup", "table", "v"),
                      "rc": whole.returncode}
    c.file("table.txt", c.data["host"]["table"])
    c.guest("""
step create dmsetup create -r v table.txt
mk
step whole dd if=/dev/mapper/v of=/dev/null bs=4096 iflag=direct
""")


def test_verity_tampered_hash_block_fails_in_both(kernel):
    c = kernel("verity_tampered_hash_block")
    assert c.data["host"]["rc"] != 0
    vm.ok(c, "create")
    whole = c.step("whole")
    assert whole.rc != 0 and "Input/output error" in whole.err, whole


@vm.case("verity_fec_corrects_block")
def _fec_repair(c):
    data = _data()
    d, h, root, extra = _format(c, data, ["--fec-roots=2"], fec=True)
    with open(d, "r+b") as f:
        f.seek(TAMPERED * 4096 + 1000)
        f.write(bytes(b ^ 0x5A for b in data[TAMPERED * 4096 + 1000:TAMPERED * 4096 + 1016]))
    c.dmboot("veritysetup", "open", d, "v", h, root, *extra)
    c.data["want"] = vm.sha256(data)
    vm.mapping(c, "v", readonly=True)


def test_verity_fec_corrects_block_in_both(kernel):
    c = kernel("verity_fec_corrects_block")
    assert c.data["host"]["sha"] == c.data["want"]
    vm.assert_same(c)


@vm.case("verity_ignore_corruption_tampered")
def _ignore_corruption(c):
    data = _data()
    d, h, root, _ = _format(c, data, [])
    with open(d, "r+b") as f:
        f.seek(TAMPERED * 4096)
        f.write(bytes(4096))
    c.dmboot("veritysetup", "open", d, "v", h, root, "--ignore-corruption")
    vm.mapping(c, "v", readonly=True)
    # After the reads above: the status the kernel shows once it has seen corruption.
    c.data["after"] = c.dmboot_text("dmsetup", "status", "v")
    c.guest("""
step again dmsetup create --concise "$(cat concise.txt)"
mk
step againsha devsha v
step after dmsetup status v
""")


def test_verity_ignore_corruption_reads_the_tampered_bytes_in_both(kernel):
    c = kernel("verity_ignore_corruption_tampered")
    with open(c.dir / "data.img", "rb") as f:
        assert c.data["host"]["sha"] == vm.sha256(f.read())
    vm.assert_same(c)


def test_verity_ignore_corruption_status_after_reads(kernel):
    c = kernel("verity_ignore_corruption_tampered")
    assert c.guest_norm(vm.ok(c, "after")) == c.host_norm(c.data["after"])
