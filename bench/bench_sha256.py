#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""The library's SHA-256 per backend and lane count (`make bench`).

Run by `make bench` after bench.py (bench.py calls main() here), or alone:
/usr/bin/python3 bench/bench_sha256.py.

Builds bench/sha256_speed.c with the library's SHA-256 files twice, with gcc
and with clang at -O2 (no -march: the SHA-NI file enables what it needs, SSE
only), and runs each pinned to one core: dm-verity's work, 4 KiB blocks each
after a 32-byte salt whose state is computed once, 1 MiB (in the L2 cache)
hashed many times; the best round counts, so preemption by other work on a
shared machine drops out.  OpenSSL's EVP SHA-256 one block at a time (what
the provider did per block before) is the baseline.  Every method's digests
are checked against OpenSSL's first.  Prints GB/s, TSC cycles per byte and
the ratio to OpenSSL; never asserts on time.  Exits 1 only when a build
fails or a digest differs.  SHA256_MIB and SHA256_ROUNDS change the data
size (1) and rounds (300).
"""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRCS = ["bench/sha256_speed.c", "lib/base/sha256.c", "lib/base/sha256_portable.c",
        "lib/base/sha256_shani.c", "lib/base/sha256_armv8.c", "lib/base/str.c",
        "ports/posix/port.c"]


def build(cc, out):
    argv = [cc, "-O2", "-std=c11", "-Iinclude", "-o", out, *SRCS, "-lcrypto"]
    r = subprocess.run(argv, cwd=ROOT, capture_output=True)
    if r.returncode != 0:
        print("bench_sha256: cannot build with %s:\n%s\n%s" % (
            cc, " ".join(argv), r.stderr.decode(errors="replace")), file=sys.stderr)
        return False
    return True


def main():
    mib = os.environ.get("SHA256_MIB", "1")
    rounds = os.environ.get("SHA256_ROUNDS", "300")
    print("\n== SHA-256: 4 KiB blocks after a 32-byte salt, one core, best of %s rounds over %s MiB"
          % (rounds, mib))
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    rc = 0
    work = tempfile.mkdtemp(prefix="sha256-")
    try:
        for cc in ("gcc", "clang"):
            if not shutil.which(cc):
                print("%-6s not installed: skipped" % cc)
                continue
            exe = os.path.join(work, "sha256_speed-" + cc)
            if not build(cc, exe):
                rc = 1
                continue
            r = subprocess.run(pin + [exe, mib, rounds], capture_output=True, text=True)
            if r.returncode != 0:
                print("bench_sha256: %s build: %s" % (cc, r.stderr.strip()), file=sys.stderr)
                rc = 1
                continue
            rows = [line.split() for line in r.stdout.splitlines() if line.strip()]
            base = next((float(x[2]) for x in rows if x[0] == "openssl-evp"), None)
            for name, lanes, gbs, cpb in rows:
                ratio = " %5.2fx" % (float(gbs) / base) if base else ""
                print("%-6s %-12s x%s  %6.2f GB/s  %5.2f TSC cycles/byte%s" % (
                    cc, name, lanes, float(gbs), float(cpb), ratio))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
