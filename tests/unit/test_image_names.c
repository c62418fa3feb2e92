// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The names the host tools give image spellings (tools/dmboot/cli/
 * image_names.c, compiled in here as it is: it needs only libc): udev's
 * /dev/disk link names for PARTUUID= and PARTLABEL=, with every malformed
 * spelling and the error it must give, and device-mapper's VG-LV.
 */
#include <errno.h>

#include "helpers.h"

#include "../../tools/dmboot/cli/image_names.c"

struct name_case {
	const char *what;
	const char *in;
	int r;
	const char *out;
};

static void check_cases(const struct name_case *c, size_t n, int (*fn)(const char *, char **))
{
	for (size_t i = 0; i < n; i++) {
		char *out = (char *)1;
		int r = fn(c[i].in, &out);

		if (r != c[i].r)
			fail_msg("%s: \"%s\" gave %d, not %d", c[i].what, c[i].in, r, c[i].r);
		if (r == 0 && strcmp(out, c[i].out) != 0)
			fail_msg("%s: \"%s\" gave \"%s\", not \"%s\"", c[i].what, c[i].in, out,
				 c[i].out);
		if (r != 0 && out != NULL)
			fail_msg("%s: a failure left *out set", c[i].what);
		free(out);
	}
}

static void test_udev_links(void **state)
{
	static const struct name_case cases[] = {
		{ "uuid in lower case", "PARTUUID=6e1a3c52-0b7d-4f2a-9c1e-2d3b4a5c6d71", 0,
		  "/dev/disk/by-partuuid/6e1a3c52-0b7d-4f2a-9c1e-2d3b4a5c6d71" },
		{ "uuid in upper case is lowered", "PARTUUID=6E1A3C52-0B7D-4F2A-9C1E-2D3B4A5C6D71", 0,
		  "/dev/disk/by-partuuid/6e1a3c52-0b7d-4f2a-9c1e-2d3b4a5c6d71" },
		{ "mbr partuuid", "PARTUUID=5EEDF00D-05", 0, "/dev/disk/by-partuuid/5eedf00d-05" },
		{ "plain label", "PARTLABEL=root-x86-64", 0, "/dev/disk/by-partlabel/root-x86-64" },
		{ "label keeps its case", "PARTLABEL=ESP", 0, "/dev/disk/by-partlabel/ESP" },
		{ "label with a space", "PARTLABEL=EFI system", 0,
		  "/dev/disk/by-partlabel/EFI\\x20system" },
		{ "label with a slash", "PARTLABEL=a/b", 0, "/dev/disk/by-partlabel/a\\x2fb" },
		{ "label with a backslash", "PARTLABEL=a\\b", 0, "/dev/disk/by-partlabel/a\\x5cb" },
		{ "label with udev's plain punctuation", "PARTLABEL=#+-.:=@_", 0,
		  "/dev/disk/by-partlabel/#+-.:=@_" },
		{ "label with a control byte", "PARTLABEL=a\tb", 0, "/dev/disk/by-partlabel/a\\x09b" },
		{ "label in UTF-8", "PARTLABEL=racine \xc3\xa9", 0,
		  "/dev/disk/by-partlabel/racine\\x20\xc3\xa9" },
		{ "label dot dot", "PARTLABEL=..", -EINVAL, NULL },
		{ "label dot", "PARTLABEL=.", -EINVAL, NULL },
		{ "label of three dots", "PARTLABEL=...", 0, "/dev/disk/by-partlabel/..." },
		{ "empty uuid", "PARTUUID=", -EINVAL, NULL },
		{ "empty label", "PARTLABEL=", -EINVAL, NULL },
		{ "no prefix", "6e1a3c52-0b7d-4f2a-9c1e-2d3b4a5c6d71", -EINVAL, NULL },
		{ "prefix in lower case", "partuuid=6e1a3c52", -EINVAL, NULL },
		{ "prefix without its =", "PARTUUID", -EINVAL, NULL },
		{ "other prefix", "UUID=6e1a3c52", -EINVAL, NULL },
	};

	(void)state;
	check_cases(cases, ARRAY_SIZE(cases), cli_udev_link);
}

/* A value of exactly the bound links; one byte more is refused before any allocation. */
static void test_udev_link_bound(void **state)
{
	char in[16 + CLI_PARTNAME_MAX_BYTES + 2], *out;

	(void)state;
	strcpy(in, "PARTLABEL=");
	memset(in + 10, '/', CLI_PARTNAME_MAX_BYTES);
	in[10 + CLI_PARTNAME_MAX_BYTES] = '\0';
	assert_int_equal(cli_udev_link(in, &out), 0);
	assert_int_equal(strlen(out), strlen(CLI_BY_PARTLABEL) + 4 * CLI_PARTNAME_MAX_BYTES);
	free(out);
	strcat(in, "/");
	assert_int_equal(cli_udev_link(in, &out), -EINVAL);
	assert_null(out);
}

static void test_lv_names(void **state)
{
	static const struct name_case cases[] = {
		{ "vg/lv", "vg0/root", 0, "/dev/mapper/vg0-root" },
		{ "dashes doubled", "vg-0/os-1.2", 0, "/dev/mapper/vg--0-os--1.2" },
		{ "underscores and dots", "internal/os_1.2.0", 0, "/dev/mapper/internal-os_1.2.0" },
		{ "no slash", "vg0", -EINVAL, NULL },
		{ "no vg", "/root", -EINVAL, NULL },
		{ "no lv", "vg0/", -EINVAL, NULL },
		{ "two slashes", "vg0/a/b", -EINVAL, NULL },
		{ "a relative path", "./x", -EINVAL, NULL },
		{ "a parent path", "../x", -EINVAL, NULL },
		{ "empty", "", -EINVAL, NULL },
	};

	(void)state;
	check_cases(cases, ARRAY_SIZE(cases), cli_lv_dm_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udev_links),
		cmocka_unit_test(test_udev_link_bound),
		cmocka_unit_test(test_lv_names),
	};

	return cmocka_run_group_tests_name("image_names", tests, NULL, NULL);
}
