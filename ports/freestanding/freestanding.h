/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the freestanding port offers beyond the generic bootloader interface
 * it supplies (ports/bootloader/bootloader.h): the arena's use, an exit,
 * BLAKE2b, a portable Argon2 and the crypto provider built from them and
 * SHA-256.  blake2b.c and argon2.c need nothing but <dmboot/port.h>'s
 * allocator and memory functions and dmb_wipe(), so any port without a
 * crypto library of its own can take them as they are.
 */
#ifndef DMBOOT_FREESTANDING_H
#define DMBOOT_FREESTANDING_H

#include <dmboot/dmboot.h>

/* Size of the port's arena, and bytes handed out so far (the bump allocator
 * never takes memory back, so this is also the peak). */
#define DMB_FREESTANDING_ARENA_BYTES (320u * 1024u)
size_t dmb_freestanding_arena_used(void);

/* End the program with status code (x86-64 Linux: exit(2); elsewhere: spin). */
_Noreturn void dmb_freestanding_exit(long code);

/*
 * The port's crypto provider (sha256.c): digests "sha256", "blake2b-512"
 * and "blake2b-256", and Argon2 (argon2.c); no PBKDF2, ciphers or
 * signature checks, so what needs those fails closed with DMB_ENOTSUP.
 */
extern const struct dmb_crypto dmb_freestanding_crypto;

/* --- BLAKE2b (RFC 7693), unkeyed (blake2b.c) ------------------------------ */

struct dmb_blake2b {
	uint64_t h[8];
	uint64_t t[2];    /* bytes compressed so far */
	uint8_t buf[128]; /* pending input: fill bytes, compressed once more comes */
	size_t fill;
	size_t out_len;
};

/* Start a digest of out_len bytes (1..64).  Errors: DMB_EINVAL. */
int dmb_freestanding_blake2b_init(struct dmb_blake2b *s, size_t out_len);
void dmb_freestanding_blake2b_update(struct dmb_blake2b *s, const void *data, size_t len);
/* Write out_len bytes and wipe the state (init again to reuse it). */
void dmb_freestanding_blake2b_final(struct dmb_blake2b *s, uint8_t *out);

/* --- Argon2 version 1.3 (RFC 9106) (argon2.c) ----------------------------- */

/* Argon2's own limits (RFC 9106 §3.1, and libargon2's 8-byte salt minimum). */
#define DMB_ARGON2_MAX_LANES 0xffffffu
#define DMB_ARGON2_MIN_SALT 8u
#define DMB_ARGON2_MIN_OUT 4u

struct dmb_argon2_input {
	enum dmb_argon2_type type;
	uint32_t t_cost;     /* passes, >= 1 */
	uint32_t m_cost_kib; /* >= 8 * lanes; rounded down to a multiple of 4 * lanes */
	uint32_t lanes;      /* 1..DMB_ARGON2_MAX_LANES, computed one after another */
	const uint8_t *pass;
	size_t pass_len;
	const uint8_t *salt; /* at least DMB_ARGON2_MIN_SALT bytes */
	size_t salt_len;
	const uint8_t *secret; /* K of RFC 9106, may be NULL with secret_len 0 */
	size_t secret_len;
	const uint8_t *ad; /* X, associated data, may be NULL with ad_len 0 */
	size_t ad_len;
};

/*
 * Bytes of working memory Argon2 needs for m_cost_kib and lanes: 1 KiB per
 * block of the rounded memory size; 0 if the parameters are out of range
 * or the size does not fit a size_t.
 */
size_t dmb_freestanding_argon2_memory_bytes(uint32_t m_cost_kib, uint32_t lanes);

/*
 * Argon2 of `in`, writing out_len (>= DMB_ARGON2_MIN_OUT) bytes.  memory is
 * the working memory, memory_bytes long and 8-byte aligned; NULL takes it
 * from dmb_port_malloc() and gives it back with dmb_port_free().  Either
 * way it is wiped before returning.  Besides it, the computation uses about
 * 5 KiB of stack (gcc -O2, x86-64) and nothing else.
 * Errors: DMB_EINVAL (a parameter out of Argon2's range, or memory too
 * small or misaligned), DMB_ENOTSUP (unknown type), DMB_ENOMEM.
 */
int dmb_freestanding_argon2(const struct dmb_argon2_input *in, void *memory, size_t memory_bytes,
			    uint8_t *out, size_t out_len);

/* The provider's argon2 op (<dmboot/crypto.h>): no secret, no associated
 * data, memory from the port allocator. */
int dmb_freestanding_argon2_op(const struct dmb_crypto *c, enum dmb_argon2_type type,
			       uint32_t t_cost, uint32_t m_cost_kib, uint32_t lanes,
			       const uint8_t *pass, size_t pass_len, const uint8_t *salt,
			       size_t salt_len, uint8_t *out, size_t out_len);

#endif /* DMBOOT_FREESTANDING_H */
