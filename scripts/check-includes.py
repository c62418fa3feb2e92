#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""The one rule of inclusion, checked over every #include line.

lib/ is layered; each folder's main header states its rule:

    lib/base/     base                       (base.h)
    lib/core/     base core                  (core.h)
    lib/verity/   base core verity           (verity.h)
    lib/crypt/    base core crypt            (crypt.h)
    lib/targets/  base core verity crypt targets   (targets.h)
    lib/formats/  base core verity crypt formats   (formats.h, lvm2/ and luks/ included)

Every file under lib/ may also include the public headers <dmboot/...> and
the compiler's freestanding headers, nothing else; the SHA-256 backends
(lib/base/sha256_*.c) also the compiler's intrinsics headers, which need no
library.  ports/ and tools/ see
the library only through <dmboot/...>: no quoted path into lib/.  tests/
may include anything.  Prints one line per violation; exits 1 if any.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYERS = {
    "base": {"base"},
    "core": {"base", "core"},
    "verity": {"base", "core", "verity"},
    "crypt": {"base", "core", "crypt"},
    "targets": {"base", "core", "verity", "crypt", "targets"},
    "formats": {"base", "core", "verity", "crypt", "formats"},
}
FREESTANDING = {"stdarg.h", "stdbool.h", "stddef.h", "stdint.h"}
INTRINSICS = {
    "lib/base/sha256_shani.c": {"cpuid.h", "immintrin.h"},
    "lib/base/sha256_armv8.c": {"arm_neon.h"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def folder_of(path):
    """The lib/ folder a path is in ('base', 'formats', ...), or None."""
    parts = os.path.relpath(path, ROOT).split(os.sep)
    return parts[1] if len(parts) > 2 and parts[0] == "lib" else None


def check(path, errors):
    rel = os.path.relpath(path, ROOT)
    top = rel.split(os.sep)[0]
    mine = folder_of(path)
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, name = m.groups()
            where = f"{rel}:{lineno}: #include {kind}{name}{'>' if kind == '<' else kind}"
            if kind == "<":
                allowed = FREESTANDING | INTRINSICS.get(rel.replace(os.sep, "/"), set())
                if top == "lib" and not (name.startswith("dmboot/") or name in allowed):
                    errors.append(f"{where}: lib/ includes only <dmboot/...> and freestanding headers")
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(path), name))
            theirs = folder_of(target)
            if top == "lib":
                if mine not in LAYERS or theirs not in LAYERS[mine]:
                    allowed = " ".join(sorted(LAYERS.get(mine, ())))
                    errors.append(f"{where}: lib/{mine}/ may include only {allowed}")
            elif top in ("ports", "tools") and theirs is not None:
                errors.append(f"{where}: {top}/ uses the library only through <dmboot/...>")


def main():
    errors = []
    for top in ("lib", "ports", "tools"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    check(os.path.join(dirpath, name), errors)
    for e in errors:
        print("check-includes: " + e, file=sys.stderr)
    if errors:
        return 1
    print("check-includes: every #include in lib/, ports/ and tools/ follows its folder's rule")
    return 0


if __name__ == "__main__":
    sys.exit(main())
