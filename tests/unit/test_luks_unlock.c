// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Unlocking LUKS1 key slots (formats.md §5.4, §5.6) through the public API
 * of <dmboot/luks.h>.  A generator in the test builds LUKS1 images from a
 * chosen volume key: slot keys by PBKDF2 through the crypto provider, the
 * anti-forensic split written here from the §5.4 description (random
 * stripes, diffusion with the header's hash, the last stripe the key XOR
 * the diffusion), the stripes encrypted as a dm-crypt device of 512-byte
 * sectors with IVs from 0 (dmbi_crypt_storage), the mkDigest a PBKDF2 of
 * the key.  Then: the right passphrase gives the key (several slots, slot
 * order, a named slot, a disabled slot), a wrong one DMB_ENOKEY, the volume
 * key check (a shorter key whose zero padding would match must not), and
 * the table of §5.6.  Three images made by cryptsetup 2.6.1
 * (tests/unit/data/README.md) must unlock to the volume keys cryptsetup
 * dumped.  Every allocation and every read is made to fail in turn, and no
 * block given back to the port may still hold the derived key, the volume
 * key or the stripes.
 */
#include "helpers.h"

#include "../../lib/formats/luks/luks_internal.h"
#include "../../ports/posix/dmboot_posix.h"

#define STRIPES 4000u
#define MAX_KEY 64u
#define ITERS 8u /* small counts keep the run fast; the reader takes any >= 1 */

static struct dmb_posix_crypto pc;

struct gen_slot {
	const char *pass; /* NULL: disabled */
	uint32_t iterations;
};

struct gen {
	const char *cipher, *mode, *hash;
	uint32_t key_bytes;
	struct gen_slot slots[8];
	/* filled by generate() */
	uint8_t mk[MAX_KEY];
	uint8_t dk[8][MAX_KEY];
	uint8_t *stripes[8];      /* plaintext key material of each active slot */
	uint32_t payload;         /* sectors */
	uint64_t dev_bytes;
	uint8_t *img;
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t material_sectors(uint32_t key_bytes)
{
	return (key_bytes * STRIPES + 511) / 512;
}

/* cryptsetup's layout: slot areas 4 KiB aligned from sector 8. */
static uint32_t stride(uint32_t key_bytes)
{
	return (material_sectors(key_bytes) + 7) / 8 * 8;
}

/* Diffusion, written from formats.md §5.4: hash each digest-sized block with its be32 index. */
static void diffuse(const char *hash, uint8_t *buf, size_t len)
{
	const struct dmb_crypto_ops *ops = pc.crypto.ops;
	struct dmb_digest *d;
	uint8_t out[DMB_MAX_DIGEST_SIZE], idx[4];
	size_t ds, off, j;

	assert_int_equal(ops->digest_create(&pc.crypto, hash, &d, &ds), 0);
	for (off = 0, j = 0; off < len; off += ds, j++) {
		size_t n = len - off < ds ? len - off : ds;

		put_be32(idx, (uint32_t)j);
		assert_int_equal(ops->digest_init(d), 0);
		assert_int_equal(ops->digest_update(d, idx, 4), 0);
		assert_int_equal(ops->digest_update(d, buf + off, n), 0);
		assert_int_equal(ops->digest_final(d, out), 0);
		memcpy(buf + off, out, n);
	}
	ops->digest_destroy(d);
}

/* The AF split of g->mk into out (STRIPES * key_bytes bytes), random stripes from rng. */
static void af_split(const struct gen *g, struct rng *rng, uint8_t *out)
{
	size_t k = g->key_bytes, i, j;
	uint8_t buf[MAX_KEY] = { 0 };

	for (i = 0; i + 1 < STRIPES; i++) {
		rng_fill(rng, out + i * k, k);
		for (j = 0; j < k; j++)
			buf[j] ^= out[i * k + j];
		diffuse(g->hash, buf, k);
	}
	for (j = 0; j < k; j++)
		out[(STRIPES - 1) * k + j] = buf[j] ^ g->mk[j];
}

static void pbkdf2(const char *hash, const void *pass, size_t pass_len, const uint8_t *salt,
		   uint32_t iters, uint8_t *out, size_t out_len)
{
	assert_int_equal(pc.crypto.ops->pbkdf2(&pc.crypto, hash, pass, pass_len, salt, 32, iters, out,
					       out_len),
			 0);
}

/* Encrypt len bytes of key material in place with dk as the reader decrypts it. */
static void encrypt_material(const struct gen *g, const uint8_t *dk, uint8_t *buf, size_t len)
{
	struct dmb_ctx ctx = { 0 };
	struct dmbi_crypt_storage *st;
	struct dmbi_crypt_spec spec;
	const char *why = NULL;
	char name[80];

	snprintf(name, sizeof(name), "%s-%s", g->cipher, g->mode);
	ctx.crypto = &pc.crypto;
	assert_int_equal(dmbi_crypt_spec_parse(name, &spec, &why), 0);
	assert_int_equal(dmbi_crypt_storage_create(&ctx, &spec, dk, g->key_bytes, 512, false, &st), 0);
	assert_int_equal(dmbi_crypt_storage_crypt(st, true, 0, buf, len), 0);
	dmbi_crypt_storage_destroy(st);
}

/* Build the image of g with volume key mk (or a random one when mk is NULL). */
static void generate(struct gen *g, uint64_t seed, const uint8_t *mk)
{
	uint32_t st = stride(g->key_bytes), ms = material_sectors(g->key_bytes);
	struct rng rng;
	uint8_t *h, salt[32];
	unsigned i;

	rng_seed(&rng, seed);
	if (mk)
		memcpy(g->mk, mk, g->key_bytes);
	else
		rng_fill(&rng, g->mk, g->key_bytes);
	g->payload = 8 + 8 * st;
	g->dev_bytes = (uint64_t)(g->payload + 16) * 512;
	g->img = calloc(1, g->dev_bytes);
	assert_non_null(g->img);
	h = g->img;
	memcpy(h, "LUKS\xba\xbe", 6);
	h[7] = 1;
	strcpy((char *)h + 8, g->cipher);
	strcpy((char *)h + 40, g->mode);
	strcpy((char *)h + 72, g->hash);
	put_be32(h + 104, g->payload);
	put_be32(h + 108, g->key_bytes);
	rng_fill(&rng, h + 132, 32);
	put_be32(h + 164, ITERS);
	pbkdf2(g->hash, g->mk, g->key_bytes, h + 132, ITERS, h + 112, 20);
	strcpy((char *)h + 168, "0b1e5a5e-0000-4000-8000-000000000001");
	for (i = 0; i < 8; i++) {
		uint8_t *s = h + 208 + 48 * i;
		const struct gen_slot *gs = &g->slots[i];

		put_be32(s + 40, 8 + i * st);
		put_be32(s + 44, STRIPES);
		if (!gs->pass) {
			put_be32(s, 0x0000DEADu);
			continue;
		}
		put_be32(s, 0x00AC71F3u);
		put_be32(s + 4, gs->iterations ? gs->iterations : ITERS);
		rng_fill(&rng, salt, sizeof(salt));
		memcpy(s + 8, salt, 32);
		pbkdf2(g->hash, gs->pass, strlen(gs->pass), salt, gs->iterations ? gs->iterations : ITERS,
		       g->dk[i], g->key_bytes);
		g->stripes[i] = calloc(1, (size_t)ms * 512);
		assert_non_null(g->stripes[i]);
		af_split(g, &rng, g->stripes[i]);
		memcpy(g->img + (size_t)(8 + i * st) * 512, g->stripes[i], (size_t)ms * 512);
		encrypt_material(g, g->dk[i], g->img + (size_t)(8 + i * st) * 512, (size_t)ms * 512);
	}
}

static void gen_free(struct gen *g)
{
	for (unsigned i = 0; i < 8; i++) {
		free(g->stripes[i]);
		g->stripes[i] = NULL;
	}
	free(g->img);
	g->img = NULL;
}

static void ctx_init(struct dmb_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->crypto = &pc.crypto;
}

struct unlocked {
	int r;
	uint8_t vk[DMB_LUKS_MAX_KEY_BYTES];
	size_t vk_len;
	int slot;
};

/* Load dev and unlock it; vk starts as 0xa5 bytes, vk_len and slot as sentinels. */
static struct unlocked load_unlock(struct dmb_ctx *ctx, struct dmb_bdev *dev, int slot,
				   const char *pass)
{
	struct dmb_luks *l = NULL;
	struct unlocked u;

	memset(u.vk, 0xa5, sizeof(u.vk));
	u.vk_len = 12345;
	u.slot = -7;
	u.r = dmb_luks_load(ctx, dev, &l);
	if (u.r == 0)
		u.r = dmb_luks_unlock(ctx, l, dev, slot, (const uint8_t *)pass, strlen(pass), u.vk,
				      sizeof(u.vk), &u.vk_len, &u.slot);
	dmb_luks_destroy(l);
	return u;
}

static struct unlocked unlock_img(const struct gen *g, int slot, const char *pass)
{
	struct dmb_ctx ctx;
	struct dmb_ram_bdev rb;

	ctx_init(&ctx);
	dmb_ram_bdev_init(&rb, g->img, g->dev_bytes, 9, false);
	return load_unlock(&ctx, &rb.bdev, slot, pass);
}

static void assert_untouched(const struct unlocked *u)
{
	uint8_t a5[DMB_LUKS_MAX_KEY_BYTES];

	memset(a5, 0xa5, sizeof(a5));
	assert_memory_equal(u->vk, a5, sizeof(a5));
	assert_int_equal(u->vk_len, 12345);
	assert_int_equal(u->slot, -7);
}

static void assert_key(const struct unlocked *u, const uint8_t *mk, size_t len, int slot)
{
	if (u->r != 0)
		fail_msg("unlock gave %d", u->r);
	assert_int_equal(u->vk_len, len);
	assert_memory_equal(u->vk, mk, len);
	assert_int_equal(u->slot, slot);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* The table of formats.md §5.6, built here from the generator's values. */
static void check_table(const struct gen *g, const uint8_t *vk)
{
	struct dmb_ctx ctx;
	struct dmb_ram_bdev rb;
	struct dmb_luks *l;
	char key[2 * MAX_KEY + 1], want[512], got[512];
	uint64_t sectors = g->dev_bytes / 512;

	ctx_init(&ctx);
	dmb_ram_bdev_init(&rb, g->img, g->dev_bytes, 9, false);
	assert_int_equal(dmb_luks_load(&ctx, &rb.bdev, &l), 0);
	hex(vk, g->key_bytes, key);
	snprintf(want, sizeof(want), "0 %llu crypt %s-%s %s 0 /dev/sdb %u",
		 (unsigned long long)(sectors - g->payload), g->cipher, g->mode, key, g->payload);
	assert_int_equal(dmb_luks_table(&ctx, l, "/dev/sdb", sectors, key, 0, got, sizeof(got)), 0);
	assert_string_equal(got, want);
	/* Exactly the line's length, no room for the NUL: refused; one more fits. */
	assert_int_equal(dmb_luks_table(&ctx, l, "/dev/sdb", sectors, key, 0, got, strlen(want)),
			 DMB_ERANGE);
	assert_int_equal(dmb_luks_table(&ctx, l, "/dev/sdb", sectors, key, 0, got, strlen(want) + 1),
			 0);
	assert_string_equal(got, want);
	snprintf(want, sizeof(want), "0 %llu crypt %s-%s %s 0 8:16 %u 1 allow_discards",
		 (unsigned long long)(sectors - g->payload), g->cipher, g->mode, key, g->payload);
	assert_int_equal(dmb_luks_table(&ctx, l, "8:16", sectors, key, DMB_LUKS_FLAG_ALLOW_DISCARDS,
					got, sizeof(got)),
			 0);
	assert_string_equal(got, want);
	dmb_luks_destroy(l);
}

/* Cipher, mode, hash, key size: diffusion with whole and partial digest blocks. */
static const struct {
	const char *cipher, *mode, *hash;
	uint32_t key_bytes;
} suites[] = {
	{ "aes", "xts-plain64", "sha256", 64 },      /* 2 whole sha256 blocks */
	{ "aes", "xts-plain64", "sha1", 32 },        /* 20 + 12: a partial block */
	{ "aes", "xts-plain64", "sha512", 32 },      /* one partial sha512 block */
	{ "aes", "cbc-essiv:sha256", "sha256", 16 },
	{ "aes", "cbc-essiv:sha256", "sha1", 32 },
	{ "aes", "cbc-essiv:sha256", "sha512", 16 },
};

static void test_unlock_suites(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(suites); i++) {
		struct gen g = { .cipher = suites[i].cipher, .mode = suites[i].mode,
				 .hash = suites[i].hash, .key_bytes = suites[i].key_bytes,
				 .slots = { [0] = { .pass = "correct horse" } } };
		struct unlocked u;

		generate(&g, 100 + i, NULL);
		u = unlock_img(&g, -1, "correct horse");
		assert_key(&u, g.mk, g.key_bytes, 0);
		check_table(&g, u.vk);
		u = unlock_img(&g, 0, "correct horse");
		assert_key(&u, g.mk, g.key_bytes, 0);
		u = unlock_img(&g, -1, "correct horsf");
		assert_int_equal(u.r, DMB_ENOKEY);
		assert_untouched(&u);
		u = unlock_img(&g, -1, "");
		assert_int_equal(u.r, DMB_ENOKEY);
		gen_free(&g);
	}
}

/* A hash the provider lacks is refused by name, the slot named with it. */
static void test_unsupported_hash(void **state)
{
	struct gen g = { .cipher = "aes", .mode = "xts-plain64", .hash = "sha256", .key_bytes = 32,
			 .slots = { [0] = { .pass = "pw" } } };
	struct dmb_ctx ctx;
	struct dmb_ram_bdev rb;
	struct unlocked u;

	(void)state;
	generate(&g, 7, NULL);
	memset(g.img + 72, 0, 32);
	strcpy((char *)g.img + 72, "no-such-hash"); /* hashSpec */
	ctx_init(&ctx);
	dmb_ram_bdev_init(&rb, g.img, g.dev_bytes, 9, false);
	u = load_unlock(&ctx, &rb.bdev, -1, "pw");
	assert_int_equal(u.r, DMB_ENOTSUP);
	assert_string_equal(dmb_ctx_message(&ctx),
			    "keyslot 0: PBKDF2 hash no-such-hash is not supported by the crypto provider");
	assert_untouched(&u);
	gen_free(&g);
}

/* Slots 1, 3, 6 active (3 and 6 share a passphrase), the rest disabled. */
static void test_unlock_slots(void **state)
{
	struct gen g = { .cipher = "aes", .mode = "xts-plain64", .hash = "sha256", .key_bytes = 32,
			 .slots = { [1] = { .pass = "one" },
				    [3] = { .pass = "shared", .iterations = 11 },
				    [6] = { .pass = "shared", .iterations = 13 } } };
	struct unlocked u;
	struct dmb_ctx ctx;

	(void)state;
	generate(&g, 7, NULL);
	u = unlock_img(&g, -1, "one");
	assert_key(&u, g.mk, 32, 1);
	u = unlock_img(&g, -1, "shared"); /* the lower slot first */
	assert_key(&u, g.mk, 32, 3);
	u = unlock_img(&g, 6, "shared");
	assert_key(&u, g.mk, 32, 6);
	u = unlock_img(&g, 3, "one"); /* a named slot is the only one tried */
	assert_int_equal(u.r, DMB_ENOKEY);
	assert_untouched(&u);
	u = unlock_img(&g, 2, "one"); /* disabled */
	assert_int_equal(u.r, DMB_ENOENT);
	assert_untouched(&u);
	u = unlock_img(&g, 8, "one"); /* no such slot */
	assert_int_equal(u.r, DMB_ENOENT);
	u = unlock_img(&g, 0, "one");
	assert_int_equal(u.r, DMB_ENOENT);
	u = unlock_img(&g, -1, "two");
	assert_int_equal(u.r, DMB_ENOKEY);
	assert_untouched(&u);
	/* Slot 3's key material damaged: "shared" still opens slot 6. */
	g.img[(size_t)(8 + 3 * stride(32)) * 512 + 700] ^= 1;
	u = unlock_img(&g, -1, "shared");
	assert_key(&u, g.mk, 32, 6);
	u = unlock_img(&g, 3, "shared");
	assert_int_equal(u.r, DMB_ENOKEY);
	/* A damaged mkDigest: no slot opens. */
	g.img[112] ^= 0x80;
	u = unlock_img(&g, -1, "one");
	assert_int_equal(u.r, DMB_ENOKEY);
	assert_untouched(&u);
	g.img[112] ^= 0x80;
	/* A volume key buffer too small. */
	{
		struct dmb_ram_bdev rb;
		struct dmb_luks *l;
		uint8_t vk[31];
		size_t vk_len = 99;
		int used = -3;

		ctx_init(&ctx);
		dmb_ram_bdev_init(&rb, g.img, g.dev_bytes, 9, false);
		assert_int_equal(dmb_luks_load(&ctx, &rb.bdev, &l), 0);
		memset(vk, 0xa5, sizeof(vk));
		assert_int_equal(dmb_luks_unlock(&ctx, l, &rb.bdev, -1, (const uint8_t *)"one", 3, vk,
						 sizeof(vk), &vk_len, &used),
				 DMB_ERANGE);
		assert_int_equal(vk_len, 99);
		assert_int_equal(used, -3);
		for (size_t i = 0; i < sizeof(vk); i++)
			assert_int_equal(vk[i], 0xa5);
		dmb_luks_destroy(l);
	}
	gen_free(&g);
}

/*
 * The volume key check: right, one bit off, shorter, longer.  The key ends
 * in 16 zero bytes, so a check that zero-padded a shorter key to the
 * header's key size (or hashed a fixed length) would take its first half.
 */
static void test_check_key(void **state)
{
	struct gen g = { .cipher = "aes", .mode = "xts-plain64", .hash = "sha256", .key_bytes = 32,
			 .slots = { [0] = { .pass = "k" } } };
	uint8_t mk[MAX_KEY] = { 0 }, v[MAX_KEY + 1] = { 0 };
	struct dmb_ram_bdev rb;
	struct dmb_ctx ctx;
	struct dmb_luks *l;
	struct unlocked u;

	(void)state;
	for (unsigned i = 0; i < 16; i++)
		mk[i] = (uint8_t)(0x31 * i + 7);
	generate(&g, 21, mk);
	u = unlock_img(&g, -1, "k");
	assert_key(&u, mk, 32, 0);
	ctx_init(&ctx);
	dmb_ram_bdev_init(&rb, g.img, g.dev_bytes, 9, false);
	assert_int_equal(dmb_luks_load(&ctx, &rb.bdev, &l), 0);
	memcpy(v, mk, 32);
	assert_int_equal(dmb_luks_check_key(&ctx, l, v, 32), 0);
	v[31] ^= 1;
	assert_int_equal(dmb_luks_check_key(&ctx, l, v, 32), DMB_EVERIFY);
	assert_string_equal(dmb_ctx_message(&ctx), "Volume key does not match the volume.");
	v[31] ^= 1;
	assert_int_equal(dmb_luks_check_key(&ctx, l, v, 16), DMB_EVERIFY);
	assert_int_equal(dmb_luks_check_key(&ctx, l, v, 31), DMB_EVERIFY);
	assert_int_equal(dmb_luks_check_key(&ctx, l, v, 33), DMB_EVERIFY);
	assert_int_equal(dmb_luks_check_key(&ctx, l, v, 64), DMB_EVERIFY);
	assert_int_equal(dmb_luks_check_key(&ctx, l, v, 0), DMB_EVERIFY);
	dmb_luks_destroy(l);
	gen_free(&g);
}

/* Read a cryptsetup image (tests/unit/data/README.md) into a zeroed device of dev_bytes. */
static uint8_t *read_image(const char *name, uint64_t dev_bytes)
{
	char path[256];
	uint8_t *mem = calloc(1, dev_bytes);
	FILE *f;
	long n;

	assert_non_null(mem);
	snprintf(path, sizeof(path), "tests/%s", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	assert_true(n > 0 && (uint64_t)n <= dev_bytes);
	assert_int_equal(fread(mem, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return mem;
}

static const struct {
	const char *file, *pass, *spec;
	const char *vk_hex; /* cryptsetup luksDump --dump-volume-key */
	uint32_t payload;
} images[] = {
	{ "unit/data/luks1-xts-sha256.img", "dmboot-test", "aes-xts-plain64",
	  "36ae55c2a855320bccb74ac252a26a43634214a4da01aaf379caaae54fca5f6a", 4096 },
	{ "unit/data/luks1-cbc-essiv-sha512.img", "another passphrase", "aes-cbc-essiv:sha256",
	  "c5d0ec2366ee09e453d7c1b26c0bc925", 2048 },
	/* fuzz_luks1's seed whose passphrase is the fuzzer's */
	{ "fuzz/corpus/luks1/cryptsetup-cbc-essiv-pass-fuzz", "fuzz", "aes-cbc-essiv:sha256",
	  "a46ba07a19749a68a806b2c9c697f1db", 2048 },
};

static void test_cryptsetup_images(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(images); i++) {
		uint64_t bytes = (uint64_t)(images[i].payload + 8) * 512;
		uint8_t *mem = read_image(images[i].file, bytes);
		struct dmb_ram_bdev rb;
		struct dmb_ctx ctx;
		struct dmb_luks *l;
		struct unlocked u;
		char key[2 * MAX_KEY + 1], want[512], got[512];

		ctx_init(&ctx);
		dmb_ram_bdev_init(&rb, mem, bytes, 9, false);
		u = load_unlock(&ctx, &rb.bdev, -1, images[i].pass);
		if (u.r)
			fail_msg("%s: %d %s", images[i].file, u.r, dmb_ctx_message(&ctx));
		assert_int_equal(u.slot, 0);
		hex(u.vk, u.vk_len, key);
		assert_string_equal(key, images[i].vk_hex);
		u = load_unlock(&ctx, &rb.bdev, 0, "wrong");
		assert_int_equal(u.r, DMB_ENOKEY);
		assert_string_equal(dmb_ctx_message(&ctx), "No key available with this passphrase.");
		assert_untouched(&u);
		assert_int_equal(dmb_luks_load(&ctx, &rb.bdev, &l), 0);
		snprintf(want, sizeof(want), "0 8 crypt %s %s 0 /dev/loop0 %u", images[i].spec,
			 images[i].vk_hex, images[i].payload);
		assert_int_equal(dmb_luks_table(&ctx, l, "/dev/loop0", bytes / 512, key, 0, got,
						sizeof(got)),
				 0);
		assert_string_equal(got, want);
		dmb_luks_destroy(l);
		free(mem);
	}
}

/*
 * fuzz_luks1's corpus entry mk-iterations-167m: a cryptsetup header whose
 * mkDigest asks for 0x0a0003e8 PBKDF2 iterations (one volume key check took
 * 167 s in the fuzzer).  It is valid, as for cryptsetup, which caps no
 * iteration count: it loads with the count as written, and a disabled slot
 * is refused before anything is derived.
 */
static void test_huge_iterations(void **state)
{
	uint64_t bytes = 2048 * 512;
	uint8_t *mem = read_image("fuzz/corpus/luks1/mk-iterations-167m", bytes);
	struct dmb_ram_bdev rb;
	struct dmb_ctx ctx;
	struct unlocked u;
	struct dmb_luks *l;

	(void)state;
	ctx_init(&ctx);
	dmb_ram_bdev_init(&rb, mem, bytes, 9, false);
	assert_int_equal(dmb_luks_load(&ctx, &rb.bdev, &l), 0);
	assert_int_equal(dmb_luks_header(l)->digests[0].kdf.iterations, 0x0a0003e8u);
	dmb_luks_destroy(l);
	u = load_unlock(&ctx, &rb.bdev, 1, "fuzz");
	assert_int_equal(u.r, DMB_ENOENT);
	assert_untouched(&u);
	free(mem);
}

/* Watch the secrets of slot i of g in every freed block. */
static void watch_secrets(const struct gen *g, unsigned i)
{
	size_t k = g->key_bytes;
	uint8_t acc[MAX_KEY];

	test_port_watch_clear();
	assert_int_equal(test_port_watch_pattern(g->mk, k), 0);
	assert_int_equal(test_port_watch_pattern(g->dk[i], k), 0);
	assert_int_equal(test_port_watch_pattern(g->stripes[i], k), 0);
	assert_int_equal(test_port_watch_pattern(g->stripes[i] + 1234 * k, k), 0);
	assert_int_equal(test_port_watch_pattern(g->stripes[i] + (STRIPES - 1) * k, k), 0);
	/* The merge's running value before the last stripe: mk XOR the last stripe. */
	for (size_t j = 0; j < k; j++)
		acc[j] = g->mk[j] ^ g->stripes[i][(STRIPES - 1) * k + j];
	assert_int_equal(test_port_watch_pattern(acc, k), 0);
}

/* Fail allocation n = 1, 2, ... of load + unlock until it succeeds. */
static void test_alloc_faults(void **state)
{
	struct gen g = { .cipher = "aes", .mode = "cbc-essiv:sha256", .hash = "sha1", .key_bytes = 32,
			 .slots = { [2] = { .pass = "x" }, [5] = { .pass = "pw" } } };
	long base = test_port_live_allocs(), n;
	struct unlocked u;

	(void)state;
	generate(&g, 99, NULL);
	watch_secrets(&g, 5);
	for (n = 1;; n++) {
		test_port_fail_alloc_at(n);
		u = unlock_img(&g, -1, "pw");
		test_port_fail_alloc_at(0);
		if (test_port_live_allocs() != base)
			fail_msg("allocation %ld failing leaked %ld blocks", n, test_port_live_allocs() - base);
		if (u.r == 0)
			break;
		if (u.r != DMB_ENOMEM)
			fail_msg("allocation %ld failing gave %d, not DMB_ENOMEM", n, u.r);
		assert_untouched(&u);
	}
	assert_key(&u, g.mk, 32, 5);
	assert_true(n > 3); /* the header, the key material of slots 2 and 5, the AF buffers */
	assert_int_equal(test_port_watch_hits(), 0);
	test_port_watch_clear();
	gen_free(&g);
}

/* Fail read n = 1, 2, ... of load + unlock until it succeeds. */
static void test_read_faults(void **state)
{
	struct gen g = { .cipher = "aes", .mode = "xts-plain64", .hash = "sha512", .key_bytes = 64,
			 .slots = { [0] = { .pass = "a" }, [4] = { .pass = "pw" } } };
	long base = test_port_live_allocs();
	uint64_t n;
	struct unlocked u;

	(void)state;
	generate(&g, 5, NULL);
	watch_secrets(&g, 4);
	for (n = 1;; n++) {
		struct dmb_ram_bdev rb;
		struct dmb_fault_bdev fb;
		struct dmb_ctx ctx;

		ctx_init(&ctx);
		dmb_ram_bdev_init(&rb, g.img, g.dev_bytes, 9, false);
		dmb_fault_bdev_init(&fb, &rb.bdev);
		fb.fail_read_at = n;
		u = load_unlock(&ctx, &fb.bdev, -1, "pw");
		assert_int_equal(test_port_live_allocs(), base);
		if (u.r == 0)
			break;
		if (u.r != DMB_EIO)
			fail_msg("read %llu failing gave %d (%s), not DMB_EIO", (unsigned long long)n, u.r,
				 dmb_ctx_message(&ctx));
		assert_untouched(&u);
	}
	assert_key(&u, g.mk, 64, 4);
	assert_true(n >= 4); /* probe, header, slot 0's and slot 4's key material */
	assert_int_equal(test_port_watch_hits(), 0);
	test_port_watch_clear();
	gen_free(&g);
}

/* No freed block holds a secret after a success or a wrong passphrase. */
static void test_wiped(void **state)
{
	struct gen g = { .cipher = "aes", .mode = "xts-plain64", .hash = "sha256", .key_bytes = 32,
			 .slots = { [0] = { .pass = "right" }, [1] = { .pass = "other" } } };
	struct unlocked u;

	(void)state;
	generate(&g, 77, NULL);
	for (unsigned i = 0; i < 2; i++) {
		watch_secrets(&g, i);
		u = unlock_img(&g, (int)i, i ? "other" : "right");
		assert_key(&u, g.mk, 32, (int)i);
		assert_int_equal(test_port_watch_hits(), 0);
		u = unlock_img(&g, -1, "wrong");
		assert_int_equal(u.r, DMB_ENOKEY);
		assert_int_equal(test_port_watch_hits(), 0);
	}
	/* The watch itself works: a block freed unwiped is seen. */
	{
		uint8_t *p = dmb_port_malloc(100);

		assert_non_null(p);
		memset(p, 0, 100);
		memcpy(p + 50, g.mk, 32);
		dmb_port_free(p);
		assert_int_equal(test_port_watch_hits(), 1);
	}
	test_port_watch_clear();
	gen_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlock_suites),
		cmocka_unit_test(test_unlock_slots),
		cmocka_unit_test(test_unsupported_hash),
		cmocka_unit_test(test_check_key),
		cmocka_unit_test(test_cryptsetup_images),
		cmocka_unit_test(test_huge_iterations),
		cmocka_unit_test(test_alloc_faults),
		cmocka_unit_test(test_read_faults),
		cmocka_unit_test(test_wiped),
	};

	dmb_posix_crypto_init(&pc);
	return cmocka_run_group_tests_name("luks_unlock", tests, NULL, NULL);
}
