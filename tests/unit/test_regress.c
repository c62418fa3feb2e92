// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Regressions found by the fuzzers, each with the input that found it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dmboot/dmboot.h>

#include "test_port.h"

static uint8_t ram[64 * 512];

static int open_ram(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	struct dmb_ram_bdev *rb = malloc(sizeof(*rb));

	(void)r;
	(void)ctx;
	(void)name;
	dmb_ram_bdev_init(rb, ram, sizeof(ram), 9, flags & DMB_OPEN_WRITE);
	*out = &rb->bdev;
	return 0;
}

static void close_ram(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	free(bd->priv);
}

/*
 * fuzz_table: a striped target over more distinct devices than the lower
 * array's first allocation held; stripes kept pointers into the old array.
 */
static void test_many_lower_devices(void **state)
{
	static const char table[] = "0 96 striped 6 8 a 0 b 16 c 0 d 8 e 0 f 24\n";
	struct dmb_resolver res = { open_ram, close_ram, NULL };
	struct dmb_ctx ctx = { .resolver = &res };
	struct dmb_table *t;
	struct dmb_dev *dev;
	uint8_t buf[96 * 512];

	(void)state;
	for (size_t i = 0; i < sizeof(ram); i++)
		ram[i] = (uint8_t)(i / 512);
	assert_int_equal(dmb_table_parse(&ctx, table, sizeof(table) - 1, &t), 0);
	assert_int_equal(dmb_dev_create(&ctx, t, 0, &dev), 0);
	assert_int_equal(dmb_dev_lower_count(dev), 6);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, sizeof(buf), buf), 0);
	/* Chunk 5 is on stripe f at 24: sector 24 of the RAM disk. */
	assert_int_equal(buf[5 * 8 * 512], 24);
	assert_string_equal(dmb_dev_lower_name(dev, 5), "f");
	dmb_dev_destroy(dev);
	dmb_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_lower_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
