// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * A program with no libc that maps tables over RAM devices and reads them
 * back: what a bootloader does, minus the bootloader.  It runs lib/ through
 * the reference bootloader port (ports/bootloader/port.c), whose generic
 * interface ports/freestanding/port.c supplies; this file adds the devices
 * that interface opens by path, RAM images.  First linear, zero and striped
 * targets; then the boot path itself, one call of dmb_verity_open() over a
 * data and a hash image in the port's arena (the superblock read from the
 * hash image, as `veritysetup open` does), checked with the port's SHA-256
 * against the root hash veritysetup gave (demo_image.h), every block read
 * back and compared; the same image opened from explicit parameters; then
 * one byte of the data flipped: that block's read must fail with DMB_EIO
 * and leave the buffer zeroed.  The verity device runs with a small
 * hash-block cache and a bounce buffer from the context, so its reads
 * allocate nothing.  Last, the key derivation a LUKS2 keyslot asks for: an
 * Argon2id of 256 KiB, 2 lanes and 3 passes through the portable provider
 * (ports/freestanding/argon2.c, lanes one after another), compared with
 * what Debian's argon2 command gives for the same input.  The arena's peak
 * use is printed, and every device opened is closed again.  Built by
 * scripts/check-freestanding.sh with -ffreestanding -nostdlib; the entry
 * point writes and exits through raw system calls (x86-64 Linux only;
 * elsewhere the script only links it).
 */
#include <dmboot/dmboot.h>

#include "../bootloader/bootloader.h"
#include "demo_image.h"
#include "freestanding.h"

/* The block the demo tampers with, and where. */
#define BAD_BLOCK 17u
#define BAD_OFFSET 300u

static uint8_t disk0[64 * 512];

/* The devices of the generic interface: RAM images by path. */
struct dmb_bl_dev {
	const char *path;
	uint8_t *mem;
	uint64_t bytes;
	int opens;
};

static struct dmb_bl_dev devices[] = {
	{ "ram0", disk0, sizeof(disk0), 0 },
	{ "vdata", NULL, 0, 0 },
	{ "vhash", NULL, 0, 0 },
};

#define N_DEVICES (sizeof(devices) / sizeof(devices[0]))

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

struct dmb_bl_dev *dmb_bl_dev_open(const char *path, uint64_t *size_bytes)
{
	for (size_t i = 0; i < N_DEVICES; i++) {
		if (devices[i].mem && streq(path, devices[i].path)) {
			devices[i].opens++;
			*size_bytes = devices[i].bytes;
			return &devices[i];
		}
	}
	return NULL;
}

int dmb_bl_dev_read(struct dmb_bl_dev *dev, uint64_t offset, void *buf, size_t len)
{
	if (offset > dev->bytes || len > dev->bytes - offset)
		return -1;
	memcpy(buf, dev->mem + offset, len);
	return 0;
}

void dmb_bl_dev_close(struct dmb_bl_dev *dev)
{
	dev->opens--;
}

static void put_u(size_t v)
{
	char buf[24];
	size_t i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	dmb_bl_puts(buf + i);
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

/* The demo image's parameters, as its superblock holds them. */
static int demo_params(struct dmb_verity_params *p)
{
	memset(p, 0, sizeof(*p));
	p->hash_type = 1;
	memcpy(p->hash_name, "sha256", 7);
	p->data_block_size = DEMO_BLOCK_SIZE;
	p->hash_block_size = DEMO_BLOCK_SIZE;
	p->data_blocks = DEMO_DATA_BLOCKS;
	p->salt_size = (sizeof(DEMO_SALT_HEX) - 1) / 2;
	memset(p->uuid, 0x5a, sizeof(p->uuid));
	return dmb_hex_decode(DEMO_SALT_HEX, p->salt, p->salt_size);
}

/* Every block of dev is the data image's. */
static int read_all(struct dmb_dev *dev, uint8_t *buf)
{
	for (uint32_t b = 0; b < DEMO_DATA_BLOCKS; b++) {
		memset(buf, 0xa5, DEMO_BLOCK_SIZE);
		if (dmb_bdev_read_sectors(dmb_dev_bdev(dev), b * 2, 2, buf) ||
		    !is_data(buf, b * DEMO_BLOCK_SIZE, DEMO_BLOCK_SIZE))
			return 1;
	}
	return 0;
}

/*
 * The hash image: a superblock block, then veritysetup's tree (at hash
 * block 1, where a superblock at offset 0 puts it).
 */
static int verity(struct dmb_ctx *ctx, size_t *reads_allocated)
{
	const size_t data_bytes = (size_t)DEMO_DATA_BLOCKS * DEMO_BLOCK_SIZE;
	const size_t hash_bytes = DEMO_BLOCK_SIZE + sizeof(demo_hash_tree);
	uint8_t *data = dmb_port_malloc(data_bytes);
	uint8_t *hash = dmb_port_malloc(hash_bytes);
	uint8_t buf[3 * DEMO_BLOCK_SIZE];
	struct dmb_verity_params p;
	struct dmb_verity_open_args a = { .data_dev = "vdata", .hash_dev = "vhash" };
	struct dmb_dev *dev;
	size_t before;

	if (!data || !hash || demo_params(&p))
		return 10;
	for (uint32_t i = 0; i < data_bytes; i++)
		data[i] = demo_data_byte(i);
	memset(hash, 0, DEMO_BLOCK_SIZE);
	dmb_verity_sb_encode(&p, hash);
	memcpy(hash + DEMO_BLOCK_SIZE, demo_hash_tree, sizeof(demo_hash_tree));
	devices[1].mem = data;
	devices[1].bytes = data_bytes;
	devices[2].mem = hash;
	devices[2].bytes = hash_bytes;
	/* A bootloader's budget: a bounce block and a four-block cache. */
	ctx->mem.verity_cache_bytes = 4 * DEMO_BLOCK_SIZE;
	ctx->mem.bounce = dmb_port_malloc(DEMO_BLOCK_SIZE);
	ctx->mem.bounce_bytes = DEMO_BLOCK_SIZE;
	if (!ctx->mem.bounce)
		return 11;

	/* The parameters from explicit values, nothing read first (--no-superblock). */
	p.no_superblock = true;
	p.hash_offset = DEMO_BLOCK_SIZE;
	a.params = &p;
	a.root_hex = DEMO_ROOT_HEX;
	if (dmb_verity_open(ctx, &a, &dev))
		return 12;
	if (read_all(dev, buf))
		return 13;
	dmb_dev_destroy(dev);

	/* `veritysetup open vdata demo vhash <root>`: the superblock gives them. */
	a.params = NULL;
	if (dmb_verity_open(ctx, &a, &dev))
		return 14;
	before = dmb_freestanding_arena_used();
	if (read_all(dev, buf))
		return 15;
	/* Unaligned: both edges go through the context's bounce block. */
	if (dmb_bdev_read_bytes(dmb_dev_bdev(dev), 1000, 2100, buf) || !is_data(buf, 1000, 2100))
		return 16;
	*reads_allocated = dmb_freestanding_arena_used() - before;

	/* One byte flipped: that block fails, wiped; its neighbours still read. */
	data[BAD_BLOCK * DEMO_BLOCK_SIZE + BAD_OFFSET] ^= 0x01;
	memset(buf, 0xa5, sizeof(buf));
	if (dmb_bdev_read_sectors(dmb_dev_bdev(dev), BAD_BLOCK * 2, 2, buf) != DMB_EIO)
		return 17;
	for (size_t i = 0; i < DEMO_BLOCK_SIZE; i++)
		if (buf[i] != 0)
			return 18;
	memset(buf, 0xa5, sizeof(buf));
	if (dmb_bdev_read_sectors(dmb_dev_bdev(dev), (BAD_BLOCK - 1) * 2, 6, buf) != DMB_EIO)
		return 19;
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0)
			return 20;
	if (dmb_bdev_read_sectors(dmb_dev_bdev(dev), (BAD_BLOCK + 1) * 2, 2, buf) ||
	    !is_data(buf, (BAD_BLOCK + 1) * DEMO_BLOCK_SIZE, DEMO_BLOCK_SIZE))
		return 21;
	dmb_dev_destroy(dev);
	return 0;
}

/*
 * printf 'password' | argon2 somesalt -id -t 3 -k 256 -p 2 -l 32 -r
 * (Debian 12's argon2 0~20171227-0.3+deb12u1, over libargon2).
 */
static int argon2id(size_t *used)
{
	static const uint8_t want[32] = {
		0xa3, 0x16, 0x1d, 0xe9, 0x9d, 0x0e, 0x7c, 0x07, 0x62, 0x36, 0x4b,
		0x2c, 0x4b, 0x3e, 0xa2, 0xb9, 0x50, 0x00, 0x59, 0x73, 0xf8, 0x87,
		0x9d, 0x54, 0x28, 0x7f, 0xd8, 0xbd, 0x56, 0x92, 0x1f, 0x36,
	};
	const struct dmb_crypto *c = &dmb_freestanding_crypto;
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
	struct dmb_ctx ctx = { .resolver = &dmb_bl_resolver, .crypto = &dmb_bl_crypto };
	size_t reads_allocated = 0, argon2_used = 0;
	int r;

	r = linear_zero_striped(&ctx);
	if (r)
		return r;
	r = verity(&ctx, &reads_allocated);
	if (r) {
		dmb_port_log(DMB_LOG_ERR, ctx.msg);
		return r;
	}
	dmb_bl_puts("freestanding: verity: ");
	put_u(DEMO_DATA_BLOCKS);
	dmb_bl_puts(" blocks of ");
	put_u(DEMO_BLOCK_SIZE);
	dmb_bl_puts(" bytes verified against veritysetup's root hash by dmb_verity_open() through ports/bootloader/; block ");
	put_u(BAD_BLOCK);
	dmb_bl_puts(" with a byte flipped failed with DMB_EIO and came back zeroed\n");
	r = argon2id(&argon2_used);
	if (r)
		return r;
	dmb_bl_puts("freestanding: Argon2id (256 KiB, 2 lanes, 3 passes) matched argon2(1); it took ");
	put_u(argon2_used);
	dmb_bl_puts(" bytes of the arena\n");
	dmb_bl_puts("freestanding: arena peak ");
	put_u(dmb_freestanding_arena_used());
	dmb_bl_puts(" of ");
	put_u(DMB_FREESTANDING_ARENA_BYTES);
	dmb_bl_puts(" bytes (RAM disks ");
	put_u((size_t)(DEMO_DATA_BLOCKS + 1 + DEMO_HASH_BLOCKS) * DEMO_BLOCK_SIZE);
	dmb_bl_puts("); verified reads allocated ");
	put_u(reads_allocated);
	dmb_bl_puts(" bytes\n");
	for (size_t i = 0; i < N_DEVICES; i++)
		if (devices[i].opens)
			return 22;
	return reads_allocated ? 23 : 0;
}

#if defined(__x86_64__) && defined(__linux__)
__attribute__((force_align_arg_pointer, noreturn)) void dmb_freestanding_start(void);
void dmb_freestanding_start(void)
{
	dmb_freestanding_exit(run());
}
#else
int dmb_freestanding_run(void);
int dmb_freestanding_run(void)
{
	return run();
}
#endif
