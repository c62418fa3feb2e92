#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Check that every section of docs/formats.md the sources cite exists.  A
# citation is "formats.md" followed, within the same parenthesis or sentence
# (up to the first ')', ':' or sentence-ending '.'), by section numbers:
# "§1.6", "§2.1, §2.2", ranges "§1.1-1.5" and "§4.1-§4.3" (every section in
# between), even when a comment wraps between "formats.md" and the numbers.
# A section §X exists when docs/formats.md has a heading "#... §X <title>".
# Prints one line per missing section and exits 1 if there is any.
set -eu
cd "$(dirname "$0")/.."
doc=docs/formats.md

if [ ! -f "$doc" ]; then
	echo "$doc: missing" >&2
	exit 1
fi

files=$(grep -rlI 'formats\.md' lib include ports tools tests 2>/dev/null || true)
if [ -z "$files" ]; then
	echo "no formats.md citations found under lib/ include/ ports/ tools/ tests/" >&2
	exit 1
fi

# The section numbers the document's headings give.
headings=$(sed -n 's/^#\{1,6\} §\([0-9][0-9.]*[0-9]\|[0-9]\)\( .*\)\{0,1\}$/\1/p' "$doc")

# shellcheck disable=SC2086 # the file names hold no white space
awk -v headings="$headings" '
function cite(sec, where) {
	if (!(sec in cited))
		order[++ncited] = sec
	cited[sec] = cited[sec] (cited[sec] == "" ? "" : ", ") where
}
# Record a range a-b: every section between them when they differ only in
# their last component, else both ends.
function cite_range(a, b, where,    pa, pb, na, nb, i, prefix, same) {
	na = split(a, pa, ".")
	nb = split(b, pb, ".")
	same = na == nb
	for (i = 1; same && i < na; i++)
		same = pa[i] == pb[i]
	if (!same || pa[na] + 0 > pb[nb] + 0) {
		cite(a, where)
		cite(b, where)
		return
	}
	prefix = ""
	for (i = 1; i < na; i++)
		prefix = prefix pa[i] "."
	for (i = pa[na] + 0; i <= pb[nb] + 0; i++)
		cite(prefix i, where)
}
# The citations in one file, its lines joined with their comment leaders removed.
function scan(file,    text, starts, n, line, pos, at, rest, end, span, tok, ln, k, a, b) {
	text = ""
	n = 0
	while ((getline line < file) > 0) {
		sub(/^[ \t]*(\/\/+|\/\*+|\*+|#+)?[ \t]*/, "", line)
		starts[++n] = length(text) + 1
		text = text line " "
	}
	close(file)
	pos = 1
	while ((at = index(substr(text, pos), "formats.md")) > 0) {
		at += pos - 1
		pos = at + length("formats.md")
		for (ln = 1; ln < n && starts[ln + 1] <= at; ln++)
			;
		rest = substr(text, pos)
		end = match(rest, /\)|:|\.( |$)/)
		span = end ? substr(rest, 1, end - 1) : rest
		while (match(span, /§[0-9]+(\.[0-9]+)*(-(§)?[0-9]+(\.[0-9]+)*)?/)) {
			tok = substr(span, RSTART, RLENGTH)
			span = substr(span, RSTART + RLENGTH)
			gsub(/§/, "", tok)
			k = index(tok, "-")
			if (k) {
				a = substr(tok, 1, k - 1)
				b = substr(tok, k + 1)
				cite_range(a, b, file ":" ln)
			} else {
				cite(tok, file ":" ln)
			}
		}
	}
}
BEGIN {
	nh = split(headings, h, "\n")
	for (i = 1; i <= nh; i++)
		have[h[i]] = 1
	for (i = 1; i < ARGC; i++)
		scan(ARGV[i])
	missing = 0
	for (i = 1; i <= ncited; i++) {
		if (order[i] in have)
			continue
		printf "docs/formats.md: no section §%s (cited at %s)\n", order[i], cited[order[i]]
		missing++
	}
	if (ncited == 0) {
		print "no section numbers found in formats.md citations"
		exit 1
	}
	if (!missing)
		printf "check-doc-refs: the %d sections of docs/formats.md the sources cite all exist\n", ncited
	exit missing ? 1 : 0
}
' $files
