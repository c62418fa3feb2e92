/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * A replacement <dmboot/port_types.h> as a bootloader would write it: no
 * compiler header at all, its own typedefs, some of them other types than
 * the compiler's <stdint.h> has (uint64_t is unsigned long long on 64-bit
 * targets too, uintptr_t is unsigned long, true and false are an enum),
 * all of the same size and signedness.  scripts/check-cross.sh builds lib/
 * against it on every architecture, warnings as errors.
 */
#ifndef DMBOOT_PORT_TYPES_H
#define DMBOOT_PORT_TYPES_H

typedef signed char int8_t;
typedef unsigned char uint8_t;
typedef short int16_t;
typedef unsigned short uint16_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef long long int64_t;
typedef unsigned long long uint64_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;

#define UINT8_MAX 0xffu
#define UINT16_MAX 0xffffu
#define UINT32_MAX 0xffffffffu
#define UINT64_MAX 0xffffffffffffffffull
#define INT8_MAX 0x7f
#define INT16_MAX 0x7fff
#define INT32_MAX 0x7fffffff
#define INT32_MIN (-INT32_MAX - 1)
#define INT64_MAX 0x7fffffffffffffffll
#define INT64_MIN (-INT64_MAX - 1)
#define UINTPTR_MAX __UINTPTR_MAX__
#define SIZE_MAX __SIZE_MAX__

#define NULL ((void *)0)
#define offsetof(type, member) __builtin_offsetof(type, member)

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)
#define va_copy(dst, src) __builtin_va_copy(dst, src)

typedef _Bool bool;
enum { false = 0, true = 1 };

#endif /* DMBOOT_PORT_TYPES_H */
