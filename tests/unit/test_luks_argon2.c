// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * LUKS2 Argon2 keyslots (formats.md §5.3) through the public API of
 * <dmboot/luks.h>: tests/unit/data/luks2-argon2.img, made by cryptsetup
 * 2.6.1 with an argon2id and an argon2i keyslot (README.md there), unlocks
 * to the volume key `cryptsetup luksDump --dump-volume-key` printed, with
 * the host provider (libargon2) and with the freestanding port's portable
 * Argon2 in its place.  The context's memory cap (dmb_ctx_mem.kdf_max_kib):
 * a slot above it is skipped, with a message naming both figures, before
 * anything is allocated for it.  Every allocation of an unlock through the
 * portable Argon2 fails in turn: an error, nothing left allocated, and no
 * freed block holding the volume key.
 */
#include "helpers.h"

#include "../../ports/freestanding/freestanding.h"
#include "../../ports/posix/dmboot_posix.h"

#define IMG_BYTES 294912u
/* The data segment starts at 1 MiB; the device reaches a little past it. */
#define DEV_BYTES ((1u << 20) + 4096u)

/* luksDump --dump-volume-key (README.md). */
static const char vk_hex[] = "1887dd899444c9d2e64699f9fe80b9c9b6437fa5a4cb2bc9b2b349694d71f1fe";

static struct dmb_posix_crypto pc;
/* The host provider with the portable Argon2 instead of libargon2's. */
static struct dmb_crypto_ops mixed_ops;
static struct dmb_crypto mixed;
static uint8_t *img;
static struct dmb_ram_bdev rb;

static int setup(void **state)
{
	FILE *f = fopen("tests/unit/data/luks2-argon2.img", "rb");
	size_t n;

	(void)state;
	assert_non_null(f);
	img = calloc(1, DEV_BYTES);
	assert_non_null(img);
	n = fread(img, 1, DEV_BYTES, f);
	fclose(f);
	assert_int_equal(n, IMG_BYTES);
	dmb_ram_bdev_init(&rb, img, DEV_BYTES, 9, false);
	dmb_posix_crypto_init(&pc);
	mixed_ops = *pc.crypto.ops;
	mixed_ops.argon2 = dmb_freestanding_argon2_op;
	mixed.ops = &mixed_ops;
	mixed.priv = pc.crypto.priv;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dmb_posix_crypto_fini(&pc);
	free(img);
	return 0;
}

static struct dmb_luks *load(struct dmb_ctx *ctx, const struct dmb_crypto *c)
{
	struct dmb_luks *l = NULL;

	memset(ctx, 0, sizeof(*ctx));
	ctx->crypto = c;
	assert_int_equal(dmb_luks_load(ctx, &rb.bdev, &l), 0);
	return l;
}

static int unlock(struct dmb_ctx *ctx, const struct dmb_luks *l, int slot, const char *pass,
		  int *used)
{
	uint8_t vk[DMB_LUKS_MAX_KEY_BYTES], want[32];
	size_t vk_len = 0;
	int r;

	*used = -1;
	r = dmb_luks_unlock(ctx, l, &rb.bdev, slot, (const uint8_t *)pass, strlen(pass), vk,
			    sizeof(vk), &vk_len, used);
	if (r == 0) {
		assert_int_equal(dmb_hex_decode(vk_hex, want, sizeof(want)), 0);
		assert_int_equal(vk_len, 32);
		assert_memory_equal(vk, want, 32);
	}
	return r;
}

/* The header's Argon2 parameters, as luksDump printed them. */
static void test_header(void **state)
{
	struct dmb_ctx ctx;
	struct dmb_luks *l = load(&ctx, &pc.crypto);
	const struct dmb_luks_hdr *h = dmb_luks_header(l);
	(void)state;
	assert_string_equal(h->uuid, "3d2eb6c9-85b9-4eb8-9de8-6991d1fbd38f");
	assert_int_equal(h->nkeyslots, 2);
	assert_string_equal(h->keyslots[0].kdf.type, "argon2id");
	assert_int_equal(h->keyslots[0].kdf.time, 4);
	assert_int_equal(h->keyslots[0].kdf.memory_kib, 1024);
	assert_int_equal(h->keyslots[0].kdf.cpus, 1);
	assert_int_equal(h->keyslots[0].kdf.salt[0], 0x18);
	assert_string_equal(h->keyslots[1].kdf.type, "argon2i");
	assert_int_equal(h->keyslots[1].kdf.time, 4);
	assert_int_equal(h->keyslots[1].kdf.memory_kib, 2048);
	assert_int_equal(h->keyslots[1].kdf.cpus, 2);
	assert_int_equal(h->keyslots[1].kdf.salt[0], 0x35);
	dmb_luks_destroy(l);
}

/* Both slots open with their passphrases, through libargon2 and through the
 * portable Argon2; a wrong one, or the right one on the other slot, does not. */
static void test_unlock(void **state)
{
	const struct dmb_crypto *providers[2] = { &pc.crypto, &mixed };
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(providers); i++) {
		struct dmb_ctx ctx;
		struct dmb_luks *l = load(&ctx, providers[i]);
		int used;

		assert_int_equal(unlock(&ctx, l, -1, "first", &used), 0);
		assert_int_equal(used, 0);
		assert_int_equal(unlock(&ctx, l, -1, "second", &used), 0);
		assert_int_equal(used, 1);
		assert_int_equal(unlock(&ctx, l, 1, "second", &used), 0);
		assert_int_equal(used, 1);
		assert_int_equal(unlock(&ctx, l, 1, "first", &used), DMB_ENOKEY);
		assert_int_equal(unlock(&ctx, l, -1, "third", &used), DMB_ENOKEY);
		dmb_luks_destroy(l);
	}
}

/* kdf_max_kib: a slot above the cap is skipped, named with both figures,
 * before anything is allocated for it. */
static void test_memory_cap(void **state)
{
	struct dmb_ctx ctx;
	struct dmb_luks *l = load(&ctx, &mixed);
	long slot0_allocs;
	int used;
	(void)state;
	ctx.mem.kdf_max_kib = 1500;
	/* Slot 1 (2048 KiB) alone: refused, not one allocation. */
	test_port_fail_alloc_at(0);
	assert_int_equal(unlock(&ctx, l, 1, "second", &used), DMB_ERANGE);
	assert_int_equal(test_port_alloc_count(), 0);
	assert_string_equal(dmb_ctx_message(&ctx),
			    "keyslot 1: Argon2 needs 2048 KiB of memory, above the limit of 1500 KiB");
	/* Every slot: slot 0 is tried (and fails), slot 1 skipped with a warning;
	 * what is allocated is exactly what slot 0 alone takes. */
	test_port_fail_alloc_at(0);
	assert_int_equal(unlock(&ctx, l, 0, "second", &used), DMB_ENOKEY);
	slot0_allocs = test_port_alloc_count();
	assert_true(slot0_allocs > 0);
	test_port_fail_alloc_at(0);
	assert_int_equal(unlock(&ctx, l, -1, "second", &used), DMB_ENOKEY);
	assert_int_equal(test_port_alloc_count(), slot0_allocs);
	assert_int_equal(unlock(&ctx, l, -1, "first", &used), 0);
	/* Both over the cap: DMB_ERANGE, nothing allocated. */
	ctx.mem.kdf_max_kib = 1023;
	test_port_fail_alloc_at(0);
	assert_int_equal(unlock(&ctx, l, -1, "first", &used), DMB_ERANGE);
	assert_int_equal(test_port_alloc_count(), 0);
	/* At the cap exactly: allowed. */
	ctx.mem.kdf_max_kib = 2048;
	assert_int_equal(unlock(&ctx, l, -1, "second", &used), 0);
	assert_int_equal(used, 1);
	test_port_fail_alloc_at(0);
	dmb_luks_destroy(l);
}

/* Each allocation of an unlock through the portable Argon2 fails in turn. */
static void test_alloc_faults(void **state)
{
	struct dmb_ctx ctx;
	struct dmb_luks *l = load(&ctx, &mixed);
	uint8_t want[32];
	long base = test_port_live_allocs(), total;
	int used;
	(void)state;
	assert_int_equal(dmb_hex_decode(vk_hex, want, sizeof(want)), 0);
	test_port_watch_clear();
	assert_int_equal(test_port_watch_pattern(want, sizeof(want)), 0);
	test_port_fail_alloc_at(0);
	assert_int_equal(unlock(&ctx, l, -1, "second", &used), 0);
	total = test_port_alloc_count();
	assert_true(total > 0);
	for (long n = 1; n <= total; n++) {
		test_port_fail_alloc_at(n);
		assert_int_not_equal(unlock(&ctx, l, -1, "second", &used), 0);
		assert_int_equal(test_port_live_allocs(), base);
	}
	test_port_fail_alloc_at(0);
	assert_int_equal(test_port_watch_hits(), 0);
	test_port_watch_clear();
	dmb_luks_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_unlock),
		cmocka_unit_test(test_memory_cap),
		cmocka_unit_test(test_alloc_faults),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
