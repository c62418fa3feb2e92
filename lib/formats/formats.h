/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * lib/formats/: readers of on-disk formats — veritysetup superblocks and the
 * hash-tree builders, MBR and GPT (partitions.h), LVM2 (lvm2/), and
 * Discoverable Partitions Specification images (ddi*.c).
 *
 * Inclusion rule: a file in lib/formats/ (and lvm2/) includes <dmboot/...>
 * public headers and lib/base/, lib/core/, lib/verity/ and lib/formats/
 * headers; never a target's internals: a format hands the engine table
 * lines, and the engine finds targets through its registry.
 */
#ifndef DMBOOT_LIB_FORMATS_H
#define DMBOOT_LIB_FORMATS_H

#include "../core/core.h"

#endif /* DMBOOT_LIB_FORMATS_H */
