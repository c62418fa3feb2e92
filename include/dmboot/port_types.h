/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The types the public headers and lib/ use, from one place: the
 * fixed-width integers and their limits (uint8_t ... uint64_t, int32_t,
 * int64_t, uintptr_t, UINT32_MAX, UINT64_MAX, INT64_MAX, INT64_MIN,
 * SIZE_MAX, ...), size_t and NULL, va_list with va_start, va_arg, va_end
 * and va_copy, and bool with true and false.  This default takes them
 * from the compiler's freestanding headers.
 *
 * An embedder whose environment defines these itself (a bootloader's own
 * uint64_t, say) replaces this file: it puts a directory holding its own
 * dmboot/port_types.h before dmboot's include/ on the include path, and
 * that file defines the same names, ABI-compatible with the compiler's
 * (same sizes and signedness), usually by including the bootloader's type
 * header.  The limits must have their types' values in #if as well.
 * docs/porting.md ("Architectures") has an example.
 */
#ifndef DMBOOT_PORT_TYPES_H
#define DMBOOT_PORT_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#endif /* DMBOOT_PORT_TYPES_H */
