// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for image names (lib/formats/boot_name.c).  Input: a
 * name, or a pattern, a NUL byte and a name.  Any input gives one of the
 * documented errors with a message and a cleared result, or a version that
 * systemd-sysupdate would accept, found inside the name, with counters in
 * range; and the boot order stays a consistent order over the result and a
 * few fixed names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#define MAX_INPUT 1024

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_boot_name: %s\n", what);
		abort();
	}
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void check_version(const char *v)
{
	check(v[0] != '\0', "empty version");
	check(strlen(v) < DMB_BOOT_NAME_MAX, "version too long");
	check(strcmp(v, ".") != 0 && strcmp(v, "..") != 0, "version . or ..");
	for (const char *c = v; *c; c++)
		check((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
			      (*c >= 'A' && *c <= 'Z') || strchr(".,_-+", *c),
		      "version character outside sysupdate's set");
}

static void check_order(const struct dmb_boot_name *bn)
{
	static const char *const names[] = { "os_1.2", "os_1.2+3-1", "os_1.2+0", "os_2+1" };
	struct dmb_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	check(dmb_boot_name_cmp(bn, bn) == 0, "cmp(x, x) != 0");
	check(dmb_version_cmp(bn->version, bn->version) == 0, "version_cmp(x, x) != 0");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct dmb_boot_name o;

		check(dmb_boot_name_parse(&ctx, NULL, names[i], &o) == 0, "fixed name refused");
		check(sign(dmb_boot_name_cmp(bn, &o)) == -sign(dmb_boot_name_cmp(&o, bn)),
		      "cmp not antisymmetric");
		check(sign(dmb_version_cmp(bn->version, o.version)) ==
			      -sign(dmb_version_cmp(o.version, bn->version)),
		      "version_cmp not antisymmetric");
		if (bn->tries_left == 0 && o.tries_left != 0)
			check(dmb_boot_name_cmp(bn, &o) > 0, "no tries left not last");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[MAX_INPUT + 2];
	const char *pattern = NULL, *name = buf;
	struct dmb_boot_name bn;
	struct dmb_ctx ctx;
	const char *nul;
	int r;

	if (size > MAX_INPUT)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	nul = memchr(buf, '\0', size);
	if (nul) {
		pattern = buf;
		name = nul + 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	memset(&bn, 0x5a, sizeof(bn));
	r = dmb_boot_name_parse(&ctx, pattern, name, &bn);
	if (r) {
		check(r == DMB_EINVAL || r == DMB_ENOTSUP || r == DMB_ERANGE || r == DMB_ENOENT,
		      "unexpected error");
		check(ctx.err == r && ctx.msg[0] != '\0', "failure without a message");
		check(bn.version[0] == '\0' && bn.tries_left == -1 && bn.tries_done == 0,
		      "result not cleared");
		return 0;
	}
	check(ctx.msg[0] == '\0', "message on success");
	check(strlen(name) < DMB_BOOT_NAME_MAX, "over-long name accepted");
	check_version(bn.version);
	check(strstr(name, bn.version) != NULL, "version not inside the name");
	check(bn.tries_left >= -1 && bn.tries_done >= 0, "counter out of range");
	if (bn.tries_left < 0)
		check(bn.tries_done == 0, "tries done without tries left");
	else
		check(strchr(name, '+') || pattern, "counter without a '+'");
	check_order(&bn);
	return 0;
}
