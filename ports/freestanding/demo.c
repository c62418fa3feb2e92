// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * A program with no libc that maps tables over RAM devices and reads them
 * back: what a bootloader does, minus the bootloader.  First linear, zero
 * and striped targets; then the boot path itself, a dm-verity device over a
 * RAM disk in the port's arena, checked with the port's SHA-256 against the
 * root hash veritysetup gave (demo_image.h), every block read back and
 * compared, then one byte of the data flipped: that block's read must fail
 * with DMB_EIO and leave the buffer zeroed.  The verity device runs with a
 * small hash-block cache and a bounce buffer from the context, so its reads
 * allocate nothing.  Last, the key derivation a LUKS2 keyslot asks for: an
 * Argon2id of 256 KiB, 2 lanes and 3 passes through the port's provider
 * (the portable ports/freestanding/argon2.c, lanes one after another),
 * compared with what Debian's argon2 command gives for the same input.  The
 * arena's peak use is printed.  Built by
 * scripts/check-freestanding.sh with -ffreestanding -nostdlib; the entry
 * point writes and exits through raw system calls (x86-64 Linux only;
 * elsewhere the script only links it).
 */
#include <dmboot/dmboot.h>

#include "demo_image.h"
#include "freestanding.h"

/* The block the demo tampers with, and where. */
#define BAD_BLOCK 17u
#define BAD_OFFSET 300u

static uint8_t disk0[64 * 512];

struct ram_resolver {
	struct dmb_ram_bdev ram, vdata, vhash;
};

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

static int ram_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	struct ram_resolver *rr = r->priv;

	(void)ctx;
	(void)flags;
	if (streq(name, "ram0"))
		*out = &rr->ram.bdev;
	else if (streq(name, "vdata"))
		*out = &rr->vdata.bdev;
	else if (streq(name, "vhash"))
		*out = &rr->vhash.bdev;
	else
		return DMB_ENOENT;
	return 0;
}

static void ram_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	(void)bd;
}

#if defined(__x86_64__) && defined(__linux__)
static void put(const char *s)
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
#else
static void put(const char *s)
{
	(void)s;
}
#endif

static void put_u(size_t v)
{
	char buf[24];
	size_t i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(buf + i);
}

static int linear_zero_striped(struct dmb_ctx *ctx)
{
	static const char table[] = "0 8 linear ram0 16\n8 8 zero\n16 16 striped 2 4 ram0 0 ram0 40\n";
	struct dmb_table *t;
	struct dmb_dev *dev;
	uint8_t buf[32 * 512];

	for (unsigned i = 0; i < sizeof(disk0); i++)
		disk0[i] = (uint8_t)(i / 512 + 1);
	if (dmb_table_parse(ctx, table, sizeof(table) - 1, &t))
		return 1;
	if (dmb_dev_create(ctx, t, DMB_DEV_READONLY, &dev))
		return 2;
	if (dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, sizeof(buf), buf))
		return 3;
	/* linear: sectors 16..23 of ram0; zero; striped chunks of 4 from 0 and 40. */
	if (buf[0] != 17 || buf[7 * 512] != 24 || buf[8 * 512] != 0 || buf[16 * 512] != 1 ||
	    buf[20 * 512] != 41 || buf[24 * 512] != 5 || buf[28 * 512] != 45)
		return 4;
	dmb_dev_destroy(dev);
	dmb_table_destroy(t);
	return 0;
}

/* Whether buf holds the data image's bytes [offset, offset + len). */
static bool is_data(const uint8_t *buf, uint32_t offset, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != demo_data_byte(offset + (uint32_t)i))
			return false;
	return true;
}

static int verity(struct dmb_ctx *ctx, struct ram_resolver *rr, size_t *reads_allocated)
{
	static const char table[] = "0 80 verity 1 vdata vhash 1024 1024 40 0 sha256 " DEMO_ROOT_HEX
				    " " DEMO_SALT_HEX "\n";
	const size_t data_bytes = (size_t)DEMO_DATA_BLOCKS * DEMO_BLOCK_SIZE;
	uint8_t *data = dmb_port_malloc(data_bytes);
	uint8_t *tree = dmb_port_malloc(sizeof(demo_hash_tree));
	uint8_t buf[3 * DEMO_BLOCK_SIZE];
	struct dmb_table *t;
	struct dmb_dev *dev;
	size_t before;

	if (!data || !tree)
		return 10;
	for (uint32_t i = 0; i < data_bytes; i++)
		data[i] = demo_data_byte(i);
	memcpy(tree, demo_hash_tree, sizeof(demo_hash_tree));
	dmb_ram_bdev_init(&rr->vdata, data, data_bytes, 9, false);
	dmb_ram_bdev_init(&rr->vhash, tree, sizeof(demo_hash_tree), 9, false);
	/* A bootloader's budget: a bounce block and a four-block cache. */
	ctx->crypto = &dmb_freestanding_crypto;
	ctx->mem.verity_cache_bytes = 4 * DEMO_BLOCK_SIZE;
	ctx->mem.bounce = dmb_port_malloc(DEMO_BLOCK_SIZE);
	ctx->mem.bounce_bytes = DEMO_BLOCK_SIZE;
	if (!ctx->mem.bounce)
		return 11;
	if (dmb_table_parse(ctx, table, sizeof(table) - 1, &t))
		return 12;
	if (dmb_dev_create(ctx, t, DMB_DEV_READONLY, &dev))
		return 13;

	before = dmb_freestanding_arena_used();
	for (uint32_t b = 0; b < DEMO_DATA_BLOCKS; b++) {
		memset(buf, 0xa5, DEMO_BLOCK_SIZE);
		if (dmb_bdev_read_sectors(dmb_dev_bdev(dev), b * 2, 2, buf) ||
		    !is_data(buf, b * DEMO_BLOCK_SIZE, DEMO_BLOCK_SIZE))
			return 14;
	}
	/* Unaligned: both edges go through the context's bounce block. */
	if (dmb_bdev_read_bytes(dmb_dev_bdev(dev), 1000, 2100, buf) || !is_data(buf, 1000, 2100))
		return 15;
	*reads_allocated = dmb_freestanding_arena_used() - before;

	/* One byte flipped: that block fails, wiped; its neighbours still read. */
	data[BAD_BLOCK * DEMO_BLOCK_SIZE + BAD_OFFSET] ^= 0x01;
	memset(buf, 0xa5, sizeof(buf));
	if (dmb_bdev_read_sectors(dmb_dev_bdev(dev), BAD_BLOCK * 2, 2, buf) != DMB_EIO)
		return 16;
	for (size_t i = 0; i < DEMO_BLOCK_SIZE; i++)
		if (buf[i] != 0)
			return 17;
	memset(buf, 0xa5, sizeof(buf));
	if (dmb_bdev_read_sectors(dmb_dev_bdev(dev), (BAD_BLOCK - 1) * 2, 6, buf) != DMB_EIO)
		return 18;
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0)
			return 19;
	if (dmb_bdev_read_sectors(dmb_dev_bdev(dev), (BAD_BLOCK + 1) * 2, 2, buf) ||
	    !is_data(buf, (BAD_BLOCK + 1) * DEMO_BLOCK_SIZE, DEMO_BLOCK_SIZE))
		return 20;
	dmb_dev_destroy(dev);
	dmb_table_destroy(t);
	return 0;
}

/*
 * printf 'password' | argon2 somesalt -id -t 3 -k 256 -p 2 -l 32 -r
 * (Debian 12's argon2 0~20171227-0.3+deb12u1, over libargon2).
 */
static int argon2id(struct dmb_ctx *ctx, size_t *used)
{
	static const uint8_t want[32] = {
		0xa3, 0x16, 0x1d, 0xe9, 0x9d, 0x0e, 0x7c, 0x07, 0x62, 0x36, 0x4b,
		0x2c, 0x4b, 0x3e, 0xa2, 0xb9, 0x50, 0x00, 0x59, 0x73, 0xf8, 0x87,
		0x9d, 0x54, 0x28, 0x7f, 0xd8, 0xbd, 0x56, 0x92, 0x1f, 0x36,
	};
	const struct dmb_crypto *c = ctx->crypto;
	size_t before = dmb_freestanding_arena_used();
	uint8_t out[32];
	int r;

	r = c->ops->argon2(c, DMB_ARGON2ID, 3, 256, 2, (const uint8_t *)"password", 8,
			   (const uint8_t *)"somesalt", 8, out, sizeof(out));
	*used = dmb_freestanding_arena_used() - before;
	if (r)
		return 30;
	if (dmb_memcmp_ct(out, want, sizeof(out)))
		return 31;
	dmb_wipe(out, sizeof(out));
	return 0;
}

static int run(void)
{
	struct ram_resolver rr;
	struct dmb_resolver res = { ram_open, ram_close, &rr };
	struct dmb_ctx ctx = { 0 };
	size_t reads_allocated = 0, argon2_used = 0;
	int r;

	dmb_ram_bdev_init(&rr.ram, disk0, sizeof(disk0), 9, true);
	ctx.resolver = &res;
	r = linear_zero_striped(&ctx);
	if (r)
		return r;
	r = verity(&ctx, &rr, &reads_allocated);
	if (r)
		return r;
	put("freestanding: verity: ");
	put_u(DEMO_DATA_BLOCKS);
	put(" blocks of ");
	put_u(DEMO_BLOCK_SIZE);
	put(" bytes verified against veritysetup's root hash; block ");
	put_u(BAD_BLOCK);
	put(" with a byte flipped failed with DMB_EIO and came back zeroed\n");
	r = argon2id(&ctx, &argon2_used);
	if (r)
		return r;
	put("freestanding: Argon2id (256 KiB, 2 lanes, 3 passes) matched argon2(1); it took ");
	put_u(argon2_used);
	put(" bytes of the arena\n");
	put("freestanding: arena peak ");
	put_u(dmb_freestanding_arena_used());
	put(" of ");
	put_u(DMB_FREESTANDING_ARENA_BYTES);
	put(" bytes (RAM disks ");
	put_u((size_t)(DEMO_DATA_BLOCKS + DEMO_HASH_BLOCKS) * DEMO_BLOCK_SIZE);
	put("); verified reads allocated ");
	put_u(reads_allocated);
	put(" bytes\n");
	return reads_allocated ? 21 : 0;
}

#if defined(__x86_64__) && defined(__linux__)
__attribute__((force_align_arg_pointer, noreturn)) void dmb_freestanding_start(void);
void dmb_freestanding_start(void)
{
	long code = run();

	__asm__ volatile("syscall" : : "a"(60L), "D"(code) : "rcx", "r11", "memory");
	for (;;)
		;
}
#else
int dmb_freestanding_run(void);
int dmb_freestanding_run(void)
{
	return run();
}
#endif
