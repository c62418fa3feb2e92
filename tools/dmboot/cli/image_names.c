// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The names cli/image.c gives image spellings (cli/image_names.h): udev's
 * /dev/disk link names for PARTUUID= and PARTLABEL=, and device-mapper's
 * VG-LV for VG/LV.  Every length is bounded before anything is allocated:
 * a value is at most CLI_PARTNAME_MAX_BYTES, and escaping at most
 * quadruples it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_names.h"

static bool udev_plain(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80 || (c && strchr("#+-.:=@_", c));
}

int cli_udev_link(const char *spelling, char **out)
{
	bool uuid = strncmp(spelling, "PARTUUID=", 9) == 0;
	const char *v, *dir = uuid ? CLI_BY_PARTUUID : CLI_BY_PARTLABEL;
	size_t n;
	char *q;

	*out = NULL;
	if (!uuid && strncmp(spelling, "PARTLABEL=", 10) != 0)
		return -EINVAL;
	v = spelling + (uuid ? 9 : 10);
	for (n = 0; n <= CLI_PARTNAME_MAX_BYTES && v[n]; n++)
		;
	/* "." and ".." would name the directory or its parent, never a link. */
	if (n == 0 || n > CLI_PARTNAME_MAX_BYTES || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return -EINVAL;
	*out = malloc(strlen(dir) + 4 * n + 1);
	if (!*out)
		return -ENOMEM;
	q = *out + sprintf(*out, "%s", dir);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (uuid && *p >= 'A' && *p <= 'Z')
			*q++ = (char)(*p - 'A' + 'a');
		else if (udev_plain(*p))
			*q++ = (char)*p;
		else
			q += sprintf(q, "\\x%02x", *p);
	}
	*q = '\0';
	return 0;
}

int cli_lv_dm_name(const char *path, char **out)
{
	const char *slash = strchr(path, '/');
	char *q;

	*out = NULL;
	if (!slash || slash == path || !slash[1] || strchr(slash + 1, '/') || path[0] == '.')
		return -EINVAL;
	*out = malloc(strlen("/dev/mapper/") + 2 * strlen(path) + 1);
	if (!*out)
		return -ENOMEM;
	q = *out + sprintf(*out, "/dev/mapper/");
	for (const char *p = path; *p; p++) {
		if (*p == '-')
			*q++ = '-';
		*q++ = p == slash ? '-' : *p;
	}
	*q = '\0';
	return 0;
}
