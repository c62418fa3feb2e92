/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* CRC-32 (IEEE 802.3, reflected), as GPT and LVM2 store it. */
#ifndef DMBOOT_LIB_BASE_CRC32_H
#define DMBOOT_LIB_BASE_CRC32_H

#include <dmboot/dmboot.h>

/*
 * CRC-32 as zlib's crc32(): dmbi_crc32(0, buf, len) is the checksum GPT
 * stores; calls chain.  dmbi_crc32_update() is the bare register update with
 * no inversion before or after (LVM2's calc_crc with its own seed).
 */
uint32_t dmbi_crc32(uint32_t crc, const void *buf, size_t len);
uint32_t dmbi_crc32_update(uint32_t crc, const void *buf, size_t len);

#endif /* DMBOOT_LIB_BASE_CRC32_H */
