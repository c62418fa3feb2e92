// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The bootloader the freestanding demo pretends to be: it supplies the
 * generic interface of ports/bootloader/bootloader.h with no libc at all,
 * and ports/bootloader/port.c turns that into lib/'s port.  Memory comes
 * from a fixed arena with a bump allocator (free is a no-op), the console
 * is a write(2) system call (x86-64 Linux; elsewhere output is dropped),
 * reset and halt exit, digests are the portable provider's (sha256.c), and
 * the four memory functions a compiler may call are byte loops.  The demo
 * (demo.c) adds the devices, its RAM images.  `make check` links it all
 * with -nostdlib and runs it.
 */
#include "../bootloader/bootloader.h"
#include "freestanding.h"

#define ARENA_BYTES DMB_FREESTANDING_ARENA_BYTES

static _Alignas(16) unsigned char arena[ARENA_BYTES];
static size_t arena_used;

size_t dmb_freestanding_arena_used(void)
{
	return arena_used;
}

/* 16-byte granules: aligned for any object type, as <dmboot/port.h> asks. */
void *dmb_bl_malloc(size_t n)
{
	size_t need = (n + 15u) & ~(size_t)15u;
	void *p;

	if (need < n || need > ARENA_BYTES - arena_used)
		return NULL;
	p = arena + arena_used;
	arena_used += need;
	return p;
}

void dmb_bl_free(void *p)
{
	(void)p;
}

#if defined(__x86_64__) && defined(__linux__)
void dmb_bl_puts(const char *s)
{
	size_t n = 0;
	long ret;

	while (s[n])
		n++;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(1L), "D"(1L), "S"(s), "d"(n)
			 : "rcx", "r11", "memory");
	(void)ret;
}

_Noreturn void dmb_freestanding_exit(long code)
{
	__asm__ volatile("syscall" : : "a"(60L), "D"(code) : "rcx", "r11", "memory");
	for (;;)
		;
}
#else
void dmb_bl_puts(const char *s)
{
	(void)s;
}

_Noreturn void dmb_freestanding_exit(long code)
{
	(void)code;
	for (;;)
		;
}
#endif

void dmb_bl_reset(void)
{
	dmb_freestanding_exit(70);
}

void dmb_bl_halt(void)
{
	dmb_freestanding_exit(71);
}

/* The portable provider's digest states stand for the bootloader's own. */
struct dmb_bl_digest *dmb_bl_digest_alloc(const char *name, size_t *digest_size)
{
	const struct dmb_crypto *c = &dmb_freestanding_crypto;
	struct dmb_digest *d;

	if (c->ops->digest_create(c, name, &d, digest_size))
		return NULL;
	return (struct dmb_bl_digest *)(void *)d;
}

int dmb_bl_digest_init(struct dmb_bl_digest *d)
{
	return dmb_freestanding_crypto.ops->digest_init((struct dmb_digest *)(void *)d);
}

int dmb_bl_digest_update(struct dmb_bl_digest *d, const void *data, size_t len)
{
	return dmb_freestanding_crypto.ops->digest_update((struct dmb_digest *)(void *)d, data, len);
}

int dmb_bl_digest_final(struct dmb_bl_digest *d, uint8_t *out)
{
	return dmb_freestanding_crypto.ops->digest_final((struct dmb_digest *)(void *)d, out);
}

void dmb_bl_digest_free(struct dmb_bl_digest *d)
{
	dmb_freestanding_crypto.ops->digest_destroy((struct dmb_digest *)(void *)d);
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n--; x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}
