#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Check lib/'s stack frames from the compiler's -fstack-usage files (.su):
# no function may use more than the budget in bytes (docs/porting.md §8),
# and none may have a dynamic frame (a VLA or alloca, "dynamic" in the .su
# file).  Fails with one line per offender; otherwise prints the largest
# frames.  Usage: check-stack.sh <budget> <file.su>...
set -eu
budget=$1
shift
# A .su line: "<file>:<line>:<col>:<function>\t<bytes>\t<static|dynamic[,bounded]>".
cat "$@" | awk -F '\t' -v budget="$budget" '
	{
		n = split($1, at, ":")
		where = at[1] ":" at[2]
		fn = at[n]
		if ($3 ~ /dynamic/) {
			printf "check-stack: %s: %s has a dynamic stack frame (%s, %s bytes)\n", where, fn, $3, $2
			bad = 1
		}
		if ($2 + 0 > budget + 0) {
			printf "check-stack: %s: %s uses %s bytes of stack, over the budget of %s\n", where, fn, $2, budget
			bad = 1
		}
	}
	END { exit bad }' >&2
count=$(cat "$@" | wc -l)
echo "check-stack: $count functions of lib/ within the budget of $budget bytes, none dynamic; largest:"
cat "$@" | sort -t "$(printf '\t')" -k2,2nr | head -5 |
	awk -F '\t' '{ n = split($1, at, ":"); printf "check-stack:   %6d  %s (%s)\n", $2, at[n], at[1] }'
