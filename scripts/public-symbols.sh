#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Print, one per line and sorted, the functions and objects the public
# headers (include/dmboot/) declare: the names libdmboot.a may export.  The
# headers are preprocessed, so comments and macros do not count; a name is
# a declaration when "dmb_name(" or "dmb_name;" follows a type at file scope
# (function pointers, "(*dmb_fn)", are types, not symbols).  dmb_port_*
# are the port's functions, which lib/ calls and does not define.
set -eu
CC=${1:-cc}
cd "$(dirname "$0")/.."
printf '#include <dmboot/dmboot.h>\n' |
	$CC -E -P -Iinclude -x c - |
	tr '\n' ' ' |
	sed 's/{[^{}]*}/;/g; s/{[^{}]*}/;/g; s/{[^{}]*}/;/g' |
	tr ';' '\n' |
	grep -v '^ *typedef' |
	grep -o 'dmb_[a-zA-Z0-9_]* *(\|^ *extern .*dmb_[a-zA-Z0-9_]* *$' |
	grep -o 'dmb_[a-zA-Z0-9_]*' |
	grep -v '^dmb_port_' |
	sort -u
