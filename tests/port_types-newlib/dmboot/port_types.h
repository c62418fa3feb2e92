/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * A replacement <dmboot/port_types.h> with the integer types of newlib on
 * 32-bit ARM (arm-none-eabi), which many bootloaders build with: uint32_t
 * is unsigned long and int32_t is long there, the same size as int but
 * another type, so a %u or %x given a uint32_t draws -Wformat.  The
 * compiler's own headers give size_t, va_list and bool.
 * scripts/check-cross.sh builds lib/ against it on arm, warnings as errors.
 */
#ifndef DMBOOT_PORT_TYPES_H
#define DMBOOT_PORT_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef long int32_t;
typedef unsigned long uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
typedef int intptr_t;
typedef unsigned int uintptr_t;

#define UINT8_MAX 0xff
#define UINT16_MAX 0xffff
#define UINT32_MAX 0xffffffffUL
#define UINT64_MAX 0xffffffffffffffffULL
#define INT8_MAX 0x7f
#define INT16_MAX 0x7fff
#define INT32_MAX 0x7fffffffL
#define INT32_MIN (-INT32_MAX - 1)
#define INT64_MAX 0x7fffffffffffffffLL
#define INT64_MIN (-INT64_MAX - 1)
#define UINTPTR_MAX 0xffffffffu
#define SIZE_MAX __SIZE_MAX__

#endif /* DMBOOT_PORT_TYPES_H */
