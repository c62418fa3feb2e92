# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""The kernel handoff: `ddi cmdline`'s dm-mod.create= value, given to the VM's
`dmsetup create --concise` with the image as a disk, maps a root whose bytes and
files are the ones dmboot maps (Debian's kernel has dm as a module, so the VM
cannot take the value on its own command line; dm-init and --concise share one
grammar)."""
import hashlib
import json
import os
import re
import subprocess

import vm

SEED = "0e9f8a7b-6c5d-4e3f-a2b1-c0d9e8f7a6b5"


def _repart(c):
    tree = c.dir / "tree"
    (tree / "etc").mkdir(parents=True)
    (tree / "etc" / "hello").write_text("hello from the root\n")
    blob = os.urandom(300000)
    (tree / "blob").write_bytes(blob)
    defs = c.dir / "defs"
    defs.mkdir()
    (defs / "20-root.conf").write_text("[Partition]\nType=root\nFormat=squashfs\n"
                                       "CopyFiles=%s:/\nVerity=data\nVerityMatchKey=root\n"
                                       % tree)
    (defs / "30-root-verity.conf").write_text("[Partition]\nType=root-verity\nVerity=hash\n"
                                              "VerityMatchKey=root\n")
    img = c.dir / "ddi.raw"
    p = subprocess.run(["systemd-repart", "--definitions", str(defs), "--empty=create",
                        "--size=auto", "--dry-run=no", "--json=short", "--seed", SEED, str(img)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    root_hash = [x["roothash"] for x in json.loads(p.stdout) if x.get("roothash")][0]
    return c.use(img), root_hash, hashlib.sha256(blob).hexdigest()


@vm.case("ddi_cmdline_handoff")
def _handoff(c):
    img, root_hash, blob_sha = _repart(c)
    line = c.dmboot_text("ddi", "cmdline", img, "--root-hash=" + root_hash).strip()
    m = re.search(r'dm-mod\.create="([^"]*)"', line)
    assert m, line
    c.dmboot("ddi", "open", img, "--root-hash=" + root_hash)
    c.data.update(line=m.group(1), blob=blob_sha,
                  sha=vm.sha256(c.dmboot("dmsetup", "read", "root").stdout),
                  status=c.dmboot_text("dmsetup", "status", "root"),
                  table=c.dmboot_text("dmsetup", "table", "root"))
    c.file("create.txt", m.group(1))
    c.guest("""
step create dmsetup create --concise "$(cat create.txt)"
mk
step sha devsha root
step status dmsetup status root
step table dmsetup table root
mkdir -p /mnt
step mount mount -t squashfs -o ro /dev/mapper/root /mnt
step hello cat /mnt/etc/hello
step blob sh -c "sha256sum /mnt/blob | cut -d' ' -f1"
umount /mnt
""")


def test_ddi_cmdline_handoff_maps_the_same_root(kernel):
    c = kernel("ddi_cmdline_handoff")
    assert "verity" in c.data["line"] and "PARTUUID=" in c.data["line"]
    vm.ok(c, "create")
    assert vm.ok(c, "sha").strip() == c.data["sha"]
    assert vm.ok(c, "status") == c.data["status"]
    # The kernel found the PARTUUID= partitions dmboot's `ddi open` maps.
    assert c.guest_norm(vm.ok(c, "table")) == c.host_norm(c.data["table"])
    vm.ok(c, "mount")
    assert vm.ok(c, "hello") == "hello from the root\n"
    assert vm.ok(c, "blob").strip() == c.data["blob"]
