// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for partition names (lib/formats/part_resolver.c): any
 * NUL-terminated input parses to DMB_EINVAL or to a name whose parts lie
 * inside it, and an "<image>:pN" name formats back to exactly itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmboot/dmboot.h>

#define MAX_INPUT 4096

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_part_name: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[MAX_INPUT + 1], again[MAX_INPUT + 16];
	struct dmb_part_name pn;
	size_t len;
	int r;

	if (size > MAX_INPUT)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	len = strlen(name);
	r = dmb_part_name_parse(name, &pn);
	check(r == 0 || r == DMB_EINVAL, "unexpected error");
	if (r)
		return 0;
	if (pn.kind == DMB_PART_NAME_NUMBER) {
		char base[MAX_INPUT + 1];

		check(pn.base_len > 0 && pn.base_len + 3 <= len && name[pn.base_len] == ':',
		      "image part outside the name");
		check(pn.number <= 10000009u, "number over the limit");
		memcpy(base, name, pn.base_len);
		base[pn.base_len] = '\0';
		check(dmb_part_name_format(again, sizeof(again), base, pn.number) == len &&
		      strcmp(again, name) == 0, "does not format back to itself");
	} else {
		check(pn.kind == DMB_PART_NAME_UUID || pn.kind == DMB_PART_NAME_LABEL, "kind");
		check(pn.value > name && pn.value < name + len && pn.value[-1] == '=', "value outside");
	}
	return 0;
}
