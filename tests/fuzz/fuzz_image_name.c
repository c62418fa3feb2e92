// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for the names the host tools give image spellings
 * (tools/dmboot/cli/image_names.c, compiled in as it is): any
 * NUL-terminated input gives 0 or -EINVAL; a udev link is its directory and
 * the value with only udev's plain bytes and \xNN escapes, never longer
 * than four bytes per input byte, with no "/" after the directory; a VG/LV
 * name is /dev/mapper/ and the input with dashes doubled and one slash made
 * a dash.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/dmboot/cli/image_names.c"

#define MAX_INPUT 4096

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_image_name: %s\n", what);
		abort();
	}
}

static void check_link(const char *in, const char *out)
{
	bool uuid = strncmp(in, "PARTUUID=", 9) == 0;
	const char *dir = uuid ? CLI_BY_PARTUUID : CLI_BY_PARTLABEL;
	const char *v = in + (uuid ? 9 : 10), *q = out + strlen(dir);

	check(strncmp(out, dir, strlen(dir)) == 0, "link outside its directory");
	check(strlen(q) <= 4 * strlen(v), "link longer than escaping allows");
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		unsigned c = *p;
		char esc[5];

		if (uuid && c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		if (udev_plain((unsigned char)c)) {
			check((unsigned char)*q == c, "plain byte changed");
			q++;
			continue;
		}
		snprintf(esc, sizeof(esc), "\\x%02x", c);
		check(strncmp(q, esc, 4) == 0, "byte not escaped as \\xNN");
		q += 4;
	}
	check(*q == '\0', "trailing bytes");
	check(!strchr(out + strlen(dir), '/'), "a slash in the link name");
	check(strcmp(out + strlen(dir), ".") != 0 && strcmp(out + strlen(dir), "..") != 0,
	      "the directory or its parent");
}

static void check_lv(const char *in, const char *out)
{
	const char *q = out + 12;
	bool slash = false;

	check(strncmp(out, "/dev/mapper/", 12) == 0, "not under /dev/mapper");
	for (const char *p = in; *p; p++) {
		if (*p == '/') {
			check(!slash && *q++ == '-', "the slash is not one dash");
			slash = true;
		} else if (*p == '-') {
			check(q[0] == '-' && q[1] == '-', "a dash not doubled");
			q += 2;
		} else {
			check(*q++ == *p, "byte changed");
		}
	}
	check(slash && *q == '\0', "not one slash, or trailing bytes");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[MAX_INPUT + 1], *out;
	int r;

	if (size > MAX_INPUT)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	r = cli_udev_link(in, &out);
	check(r == 0 || r == -EINVAL, "unexpected udev link error");
	check((r == 0) == (out != NULL), "udev link result and *out disagree");
	if (r == 0)
		check_link(in, out);
	free(out);
	r = cli_lv_dm_name(in, &out);
	check(r == 0 || r == -EINVAL, "unexpected VG/LV error");
	check((r == 0) == (out != NULL), "VG/LV result and *out disagree");
	if (r == 0)
		check_lv(in, out);
	free(out);
	return 0;
}
