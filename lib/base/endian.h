/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Loads and stores of little- and big-endian integers at any alignment.
 * On-disk structures are copied out through these, never by casting a
 * struct over a buffer.
 */
#ifndef DMBOOT_LIB_BASE_ENDIAN_H
#define DMBOOT_LIB_BASE_ENDIAN_H

#include <dmboot/port_types.h>

static inline uint16_t dmbi_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t dmbi_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t dmbi_get_le64(const uint8_t *p)
{
	return dmbi_get_le32(p) | (uint64_t)dmbi_get_le32(p + 4) << 32;
}

static inline uint16_t dmbi_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t dmbi_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t dmbi_get_be64(const uint8_t *p)
{
	return (uint64_t)dmbi_get_be32(p) << 32 | dmbi_get_be32(p + 4);
}

static inline void dmbi_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void dmbi_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void dmbi_put_le64(uint8_t *p, uint64_t v)
{
	dmbi_put_le32(p, (uint32_t)v);
	dmbi_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline void dmbi_put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

#endif /* DMBOOT_LIB_BASE_ENDIAN_H */
