#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Keep files and functions small enough to read: no C file under lib/,
ports/ or tools/ over MAX_FILE_LINES lines, no function over
MAX_FUNCTION_LINES (from its opening to its closing brace, which the
project's style puts in column 0).  Prints one line per offender, longest
first, and exits 1 if there is any; with --report, lists the longest ones
and exits 0."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_FILE_LINES = 800
MAX_FUNCTION_LINES = 120
NAME = re.compile(r"([A-Za-z_]\w*)\s*\(")


def functions(lines):
    """(name, first line, length) of each function definition."""
    i = 0
    while i < len(lines):
        if lines[i].rstrip() == "{" and i > 0 and lines[i - 1].rstrip().endswith(")"):
            j = i - 1
            while j > 0 and not NAME.search(lines[j]):
                j -= 1
            m = NAME.search(lines[j])
            end = i + 1
            while end < len(lines) and lines[end].rstrip() != "}":
                end += 1
            yield m.group(1), j + 1, end - i + 1
            i = end
        i += 1


def main():
    report = "--report" in sys.argv
    too_long = []
    for top in ("lib", "ports", "tools"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, ROOT)
                with open(path, encoding="utf-8") as f:
                    lines = f.read().split("\n")
                if len(lines) - 1 > MAX_FILE_LINES or report:
                    too_long.append((len(lines) - 1, f"{rel}: {len(lines) - 1} lines", MAX_FILE_LINES))
                for fn, first, length in functions(lines):
                    if length > MAX_FUNCTION_LINES or report:
                        too_long.append((length, f"{rel}:{first}: {fn}() {length} lines",
                                         MAX_FUNCTION_LINES))
    too_long.sort(reverse=True)
    if report:
        for _, text, _ in too_long[:40]:
            print(text)
        return 0
    for n, text, limit in too_long:
        print(f"check-size: {text} (limit {limit})", file=sys.stderr)
    if too_long:
        return 1
    print(f"check-size: no file over {MAX_FILE_LINES} lines, no function over "
          f"{MAX_FUNCTION_LINES} in lib/, ports/ and tools/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
