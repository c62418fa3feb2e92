/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the freestanding port offers its demo beyond <dmboot/port.h>: the
 * arena's use and a SHA-256 crypto provider.
 */
#ifndef DMBOOT_FREESTANDING_H
#define DMBOOT_FREESTANDING_H

#include <dmboot/dmboot.h>

/* Size of the port's arena, and bytes handed out so far (the bump allocator
 * never takes memory back, so this is also the peak). */
#define DMB_FREESTANDING_ARENA_BYTES (256u * 1024u)
size_t dmb_freestanding_arena_used(void);

/* SHA-256 only; no signature checks (sha256.c). */
extern const struct dmb_crypto dmb_freestanding_sha256;

#endif /* DMBOOT_FREESTANDING_H */
