/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * lib/base/: what every part of lib/ may use — formatting, strings, strict
 * number parsing and checked arithmetic, sorting and the extent-overlap
 * check, CRC-32, base64, byte order and the JSON tokenizer.
 *
 * Inclusion rule: a file in lib/base/ includes only <dmboot/...> public
 * headers and other lib/base/ headers; it knows nothing of tables, devices
 * or formats.  Everything declared here is internal (dmbi_ / DMBI_) and is
 * not exported from libdmboot.a.  scripts/check-includes.py enforces the
 * rule of every folder.
 */
#ifndef DMBOOT_LIB_BASE_H
#define DMBOOT_LIB_BASE_H

#include "base64.h"
#include "crc32.h"
#include "div64.h"
#include "endian.h"
#include "fmt.h"
#include "json.h"
#include "parse.h"
#include "sort.h"
#include "str.h"

#endif /* DMBOOT_LIB_BASE_H */
