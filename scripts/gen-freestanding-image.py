#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Make ports/freestanding/demo_image.h: the verity image of the freestanding
demo.  The data image follows a formula (written here once, in Python for
veritysetup and in C for the demo); `veritysetup format` builds the hash
tree and gives the root hash, so the demo checks the library against an
independent implementation.  With --check, regenerate and fail unless the
committed header is what veritysetup produces today."""
import os
import re
import subprocess
import sys
import tempfile

HEADER = "ports/freestanding/demo_image.h"
BLOCK = 1024
BLOCKS = 40            # two leaf hash blocks and a root: a two-level tree
SALT = "d1b00700c0ffee01"
C_FORMULA = "(uint8_t)((uint32_t)i * 2654435761u >> 13)"


def data_byte(i):
    return ((i * 2654435761) & 0xFFFFFFFF) >> 13 & 0xFF


def build():
    with tempfile.TemporaryDirectory() as tmp:
        data, tree = os.path.join(tmp, "data"), os.path.join(tmp, "tree")
        with open(data, "wb") as f:
            f.write(bytes(data_byte(i) for i in range(BLOCK * BLOCKS)))
        cmd = ["veritysetup", "format", "--no-superblock", "--hash", "sha256",
               "--data-block-size", str(BLOCK), "--hash-block-size", str(BLOCK),
               "--salt", SALT, data, tree]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        root = re.search(r"^Root hash:\s*([0-9a-f]+)$", out, re.M).group(1)
        with open(tree, "rb") as f:
            hashes = f.read()
    if len(hashes) % BLOCK:
        sys.exit("gen-freestanding-image: hash tree of %d bytes is not whole blocks" % len(hashes))
    rows = ",\n".join("\t" + ", ".join("0x%02x" % b for b in hashes[i:i + 12])
                      for i in range(0, len(hashes), 12))
    return f"""/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The freestanding demo's verity image, made by scripts/gen-freestanding-image.py
 * (do not edit): {BLOCKS} data blocks of {BLOCK} bytes given by demo_data_byte(),
 * and the hash tree and root hash of
 *   veritysetup format --no-superblock --hash sha256 --data-block-size {BLOCK}
 *     --hash-block-size {BLOCK} --salt {SALT} <data> <tree>
 */
#ifndef DMBOOT_FREESTANDING_DEMO_IMAGE_H
#define DMBOOT_FREESTANDING_DEMO_IMAGE_H

#define DEMO_BLOCK_SIZE {BLOCK}
#define DEMO_DATA_BLOCKS {BLOCKS}
#define DEMO_HASH_BLOCKS {len(hashes) // BLOCK}
#define DEMO_SALT_HEX "{SALT}"
#define DEMO_ROOT_HEX "{root}"

/* Byte i of the data image. */
static inline uint8_t demo_data_byte(uint32_t i)
{{
	return {C_FORMULA};
}}

static const uint8_t demo_hash_tree[DEMO_HASH_BLOCKS * DEMO_BLOCK_SIZE] = {{
{rows},
}};

#endif /* DMBOOT_FREESTANDING_DEMO_IMAGE_H */
"""


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    text = build()
    if sys.argv[1:] == ["--check"]:
        with open(HEADER) as f:
            if f.read() != text:
                sys.exit(f"gen-freestanding-image: {HEADER} is not what veritysetup makes; "
                         "run scripts/gen-freestanding-image.py")
        root = re.search(r'DEMO_ROOT_HEX "(\w+)"', text).group(1)
        print(f"gen-freestanding-image: {HEADER} matches veritysetup (root {root})")
        return
    with open(HEADER, "w") as f:
        f.write(text)
    print(f"gen-freestanding-image: wrote {HEADER}")


if __name__ == "__main__":
    main()
