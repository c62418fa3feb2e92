# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
# Sourced by scripts/check-freestanding.sh and scripts/check-cross.sh: how
# lib/ is built freestanding, and what it may need from outside.

# fs_flags CC [EXTRA...]: the compiler flags for lib/ with compiler CC:
# C11, freestanding, only the compiler's own headers and include/, warnings
# as errors.  EXTRA (target flags, include directories to search before
# include/) goes before -Iinclude.
fs_flags() {
	fs_cc=$1
	shift
	echo "-std=c11 -O2 -ffreestanding -nostdinc -isystem $($fs_cc -print-file-name=include) $*" \
		"-Iinclude -fno-stack-protector -fno-pic -Wall -Wextra -Wpedantic -Wshadow -Wformat=2" \
		"-Wmissing-prototypes -Wstrict-prototypes -Wvla -Werror"
}

# fs_stack_flags CC: frame sizes per function (.su files); on x86,
# outgoing arguments are preallocated rather than pushed, so that
# "dynamic" in a .su file means a VLA or alloca.
fs_stack_flags() {
	if $1 -maccumulate-outgoing-args -x c -c /dev/null -o /dev/null 2>/dev/null; then
		echo "-fstack-usage -maccumulate-outgoing-args"
	else
		echo "-fstack-usage"
	fi
}

# The only symbols lib/ may leave undefined: the port's (include/dmboot/port.h).
fs_port_symbols="dmb_port_fatal dmb_port_free dmb_port_log dmb_port_malloc memcmp memcpy memmove memset"
