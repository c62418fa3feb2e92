// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The smallest build a bootloader makes (docs/porting.md §9): lib/ with only
 * the linear and verity targets (DMBOOT_WITHOUT_STRIPED, _ZERO, _ERROR,
 * _SNAPSHOT, _CRYPT) and verity without FEC (verity_nofec.c), linked from
 * the source lists of lib/sources.mk alone, not from the full library.  A
 * target left out is an unknown target type; a FEC device is an unknown
 * verity option, as in Linux without CONFIG_DM_VERITY_FEC; linear and
 * verity map and verify as in the full build.
 */
#include "helpers.h"

#include "../../ports/posix/dmboot_posix.h"

#define BLOCK 4096u
#define DATA_BLOCKS 8u

static struct tres res;
static struct dmb_posix_crypto pc;
static struct dmb_ctx ctx;
static char root_hex[65];
static long baseline;

/* The digest of salt || block, the way a version-1 verity tree hashes. */
static void salted(const uint8_t *salt, size_t salt_len, const uint8_t *block, uint8_t *out)
{
	static uint8_t buf[32 + BLOCK];
	size_t size;

	memcpy(buf, salt, salt_len);
	memcpy(buf + salt_len, block, BLOCK);
	assert_int_equal(dmb_digest_oneshot(&pc.crypto, "sha256", buf, salt_len + BLOCK, out, &size), 0);
	assert_int_equal(size, 32);
}

/* data: 8 random blocks; hash: one leaf block of their digests. */
static int setup(void **state)
{
	static const uint8_t salt[4] = { 1, 2, 3, 4 };
	struct rng rng;
	struct tdev *data, *hash;
	uint8_t root[32];

	(void)state;
	rng_seed(&rng, 0xc0f16);
	tres_init(&res);
	data = tres_add(&res, "data", DATA_BLOCKS * BLOCK, 12, &rng);
	hash = tres_add(&res, "hash", BLOCK, 12, &rng);
	dmb_posix_crypto_init(&pc);
	memset(&ctx, 0, sizeof(ctx));
	ctx.resolver = &res.r;
	ctx.crypto = &pc.crypto;
	memset(hash->mem, 0, BLOCK);
	for (unsigned i = 0; i < DATA_BLOCKS; i++)
		salted(salt, sizeof(salt), data->mem + i * BLOCK, hash->mem + 32 * i);
	salted(salt, sizeof(salt), hash->mem, root);
	dmb_hex_encode(root, sizeof(root), root_hex);
	baseline = test_port_live_allocs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(test_port_live_allocs(), baseline);
	dmb_posix_crypto_fini(&pc);
	tres_free(&res);
	return 0;
}

static void verity_line(char *out, size_t cap, const char *root, const char *extra)
{
	snprintf(out, cap, "0 %u verity 1 data hash 4096 4096 %u 0 sha256 %s 01020304%s", DATA_BLOCKS * 8,
		 DATA_BLOCKS, root, extra);
}

static void left_out_targets_are_unknown(void **state)
{
	static const char *const lines[] = {
		"0 8 striped 2 8 data 0 hash 0",
		"0 8 zero",
		"0 8 error",
		"0 8 snapshot-origin data",
		"0 8 crypt aes-xts-plain64 - 0 data 0",
	};
	struct dmb_dev *dev;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char want[128];
		const char *type = lines[i] + 4; /* after "0 8 " */

		snprintf(want, sizeof(want), "line 1: %.*s: unknown target type",
			 (int)strcspn(type, " "), type);
		assert_int_equal(create_from_text(&ctx, lines[i], 0, &dev), DMB_ENOENT);
		assert_string_equal(ctx.msg, want);
	}
}

static void linear_and_verity_map(void **state)
{
	char line[512];
	uint8_t buf[BLOCK];
	struct dmb_dev *dev;
	struct tdev *data = tres_find(&res, "data");

	(void)state;
	assert_int_equal(create_from_text(&ctx, "0 64 linear data 0", 0, &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), BLOCK, BLOCK, buf), 0);
	assert_memory_equal(buf, data->mem + BLOCK, BLOCK);
	dmb_dev_destroy(dev);

	verity_line(line, sizeof(line), root_hex, "");
	if (create_from_text(&ctx, line, DMB_DEV_READONLY, &dev))
		fail_msg("%s", ctx.msg);
	for (unsigned i = 0; i < DATA_BLOCKS; i++) {
		assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), (uint64_t)i * BLOCK, BLOCK, buf), 0);
		assert_memory_equal(buf, data->mem + i * BLOCK, BLOCK);
	}
	/* Without FEC a tampered block fails and nothing of it is returned. */
	data->mem[5 * BLOCK + 7] ^= 1;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 5 * BLOCK, BLOCK, buf), DMB_EIO);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	data->mem[5 * BLOCK + 7] ^= 1;
	dmb_dev_destroy(dev);
}

static void fec_device_is_an_unknown_option(void **state)
{
	char line[512];
	struct dmb_dev *dev;

	(void)state;
	verity_line(line, sizeof(line), root_hex, " 2 use_fec_from_device hash");
	assert_int_equal(create_from_text(&ctx, line, DMB_DEV_READONLY, &dev), DMB_EINVAL);
	assert_non_null(strstr(ctx.msg, "Unrecognized verity feature request"));
	/* The other FEC options alone are ignored, as with FEC built in. */
	verity_line(line, sizeof(line), root_hex, " 2 fec_roots 2");
	if (create_from_text(&ctx, line, DMB_DEV_READONLY, &dev))
		fail_msg("%s", ctx.msg);
	dmb_dev_destroy(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(left_out_targets_are_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(linear_and_verity_map, setup, teardown),
		cmocka_unit_test_setup_teardown(fec_device_is_an_unknown_option, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
