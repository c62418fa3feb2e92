// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot cryptsetup` status and close of a device opened by open: status
 * prints cryptsetup 2.6.1's fields from the device's record (its crypt
 * table, formats.md §1.7, and its dm UUID, CRYPT-<TYPE>-...); close
 * removes the device and unlinks the volume key its table names from the
 * kernel user keyring (keys_kernel.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cryptsetup.h"

/* The fields of one crypt line, pointing into a copy of it. */
struct crypt_line {
	char *copy;
	const char *len, *cipher, *key, *iv_offset, *dev, *offset;
	char *const *opts;
	size_t nopts;
	char *words[32];
};

static bool split_line(const char *table, struct crypt_line *c)
{
	size_t n = 0;
	char *save = NULL, *w;

	memset(c, 0, sizeof(*c));
	c->copy = strdup(table);
	if (!c->copy)
		return false;
	c->copy[strcspn(c->copy, "\n")] = '\0';
	for (w = strtok_r(c->copy, " ", &save); w && n < 32; w = strtok_r(NULL, " ", &save))
		c->words[n++] = w;
	if (n < 8 || strcmp(c->words[2], "crypt") != 0)
		return false;
	c->len = c->words[1];
	c->cipher = c->words[3];
	c->key = c->words[4];
	c->iv_offset = c->words[5];
	c->dev = c->words[6];
	c->offset = c->words[7];
	c->opts = c->words + 9;
	c->nopts = n > 9 ? n - 9 : 0;
	return true;
}

/* `:<size>:<type>:<description>`: size and description. */
static const char *key_desc(const char *key, unsigned long *size)
{
	const char *p;

	if (key[0] != ':')
		return NULL;
	*size = strtoul(key + 1, NULL, 10);
	p = strchr(key + 1, ':');
	p = p ? strchr(p + 1, ':') : NULL;
	return p ? p + 1 : NULL;
}

static void print_status(const struct state_dev *d, const struct crypt_line *c)
{
	const char *type = "n/a";
	unsigned long key_size = strlen(c->key) / 2;
	unsigned sector = 512;
	bool discards = false;

	if (strncmp(d->uuid, "CRYPT-LUKS2-", 12) == 0)
		type = "LUKS2";
	else if (strncmp(d->uuid, "CRYPT-LUKS1-", 12) == 0)
		type = "LUKS1";
	else if (strncmp(d->uuid, "CRYPT-PLAIN-", 12) == 0)
		type = "PLAIN";
	(void)key_desc(c->key, &key_size);
	for (size_t i = 0; i < c->nopts; i++) {
		if (strncmp(c->opts[i], "sector_size:", 12) == 0)
			sector = (unsigned)strtoul(c->opts[i] + 12, NULL, 10);
		discards |= strcmp(c->opts[i], "allow_discards") == 0;
	}
	printf("/dev/mapper/%s is active.\n", d->name);
	printf("  type:    %s\n", type);
	printf("  cipher:  %s\n", c->cipher);
	printf("  keysize: %lu bits\n", key_size * 8);
	/* A key dmboot keeps for a hex table (crypt_keys.c) is dm-crypt's to the kernel. */
	printf("  key location: %s\n",
	       c->key[0] == ':' && !strstr(c->key, ":logon:dmboot:key-") ? "keyring" : "dm-crypt");
	printf("  device:  %s\n", c->dev);
	printf("  sector size:  %u\n", sector);
	printf("  offset:  %s sectors\n", c->offset);
	printf("  size:    %s sectors\n", c->len);
	if (strcmp(type, "PLAIN") == 0 && strcmp(c->iv_offset, "0") != 0)
		printf("  skipped: %s sectors\n", c->iv_offset);
	printf("  mode:    %s\n", d->read_only ? "readonly" : "read/write");
	if (discards)
		printf("  flags:   discards\n");
}

int cs_status(void *opts, int argc, char **argv)
{
	const char *name = argv[1];
	struct crypt_line c;
	struct state_dev *d = NULL;
	struct state st;
	int r;

	(void)opts;
	(void)argc;
	if (strncmp(name, "/dev/mapper/", 12) == 0)
		name += 12;
	if (state_open(&st, false))
		return DMB_EIO;
	r = state_load(&st, name, &d);
	state_close(&st);
	if (r == -ENOENT) {
		printf("/dev/mapper/%s is inactive.\n", name);
		return DMB_ENOENT;
	}
	if (r)
		return DMB_EIO;
	if (!split_line(d->table, &c)) {
		printf("/dev/mapper/%s is active.\n", name);
		r = 0;
	} else {
		print_status(d, &c);
	}
	free(c.copy);
	state_dev_free(d);
	return r;
}

int cs_close(void *opts, int argc, char **argv)
{
	const char *name = argv[1], *desc = NULL;
	struct crypt_line c = { 0 };
	struct state_dev *d = NULL;
	unsigned long size = 0;
	struct state st;
	int r;

	(void)opts;
	(void)argc;
	if (strncmp(name, "/dev/mapper/", 12) == 0)
		name += 12;
	if (state_open(&st, true))
		return DMB_EIO;
	r = state_load(&st, name, &d);
	if (r == -ENOENT) {
		fprintf(stderr, "Device %s is not active.\n", name);
		state_close(&st);
		return DMB_ENOENT;
	}
	if (!r && split_line(d->table, &c))
		desc = key_desc(c.key, &size);
	r = cli_remove(&st, "close", name);
	if (!r && desc)
		(void)cs_key_unlink(desc);
	state_close(&st);
	free(c.copy);
	state_dev_free(d);
	return r ? DMB_EBUSY : 0;
}
