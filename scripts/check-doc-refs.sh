#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Every "formats.md §N[.M]" that a comment, test or document cites must be a
# heading of docs/formats.md ("## §N ..." or "### §N.M ...").  Prints one
# line per citation without a section and fails if there is any.
set -eu
cd "$(dirname "$0")/.."
status=0
cites=$(grep -rhoE 'formats\.md §[0-9]+(\.[0-9]+)?' lib include ports tools tests docs README.md |
	sed 's/.*§//' | sort -u)
for n in $cites; do
	if ! grep -qE "^#+ §$(echo "$n" | sed 's/\./\\./g')( |$)" docs/formats.md; then
		where=$(grep -rlE "formats\.md §$(echo "$n" | sed 's/\./\\./g')([^.0-9]|$)" lib include ports tools tests docs README.md | head -3 | tr '\n' ' ')
		echo "check-doc-refs: §$n is cited (${where% }) but docs/formats.md has no such section" >&2
		status=1
	fi
done
[ $status -eq 0 ] && echo "check-doc-refs: the $(echo "$cites" | wc -l) sections of docs/formats.md the tree cites all exist"
exit $status
