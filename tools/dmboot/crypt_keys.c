// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Crypt keys of device records.  A record is a file, so a hex key in a
 * crypt line (a table given to `dmsetup create`, a LUKS1 or plain-mode
 * `cryptsetup open`) never goes into it: before the record is written the
 * key moves into the kernel user keyring under a fresh description
 * `dmboot:key-<32 hex digits>` and the line names it as
 * `:<size>:logon:dmboot:key-...` (keys_kernel.c keeps it).  Shown to a user,
 * such a line reads as the kernel prints a hex key: zeros as dmsetup masks
 * it, the key itself with --showkeys.  Removing the device unlinks the keys
 * its record names; a `cryptsetup:` key (LUKS2) only when no other record
 * still names it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cryptsetup.h"

#define OWN_PREFIX "dmboot:key-"
#define OWN_DESC_MAX (sizeof(OWN_PREFIX) + 32)

/* A crypt line's key field: [*start, *end) of line. */
static bool key_field(const char *line, size_t len, size_t *start, size_t *end)
{
	size_t i = 0, field = 0, s = 0;

	/* start length crypt cipher key ... */
	for (; i < len && field < 5; field++) {
		s = i;
		while (i < len && line[i] != ' ')
			i++;
		if (field == 2 && (i - s != 5 || memcmp(line + s, "crypt", 5) != 0))
			return false;
		if (field < 4) {
			if (i == len)
				return false;
			i++;
		}
	}
	if (field != 5)
		return false;
	*start = s;
	*end = i;
	return true;
}

static bool is_hex_key(const char *s, size_t n)
{
	if (n == 0 || n % 2 || n / 2 > DMB_MAX_CIPHER_KEY * 8)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

static int unhex(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* `:<size>:logon:<desc>` with desc under 256 bytes: size and description. */
static bool logon_ref(const char *s, size_t n, unsigned long *size, char *desc, size_t dsize)
{
	const char *p = s + 1, *tail;
	char *end;

	if (n < 2 || s[0] != ':')
		return false;
	*size = strtoul(p, &end, 10);
	if (end == p || *end != ':' || (size_t)(end - s) >= n)
		return false;
	tail = end + 1;
	if ((size_t)(s + n - tail) < 7 || memcmp(tail, "logon:", 6) != 0)
		return false;
	tail += 6;
	if ((size_t)(s + n - tail) >= dsize)
		return false;
	memcpy(desc, tail, (size_t)(s + n - tail));
	desc[s + n - tail] = '\0';
	return true;
}

/* The same, of a key this file put in the keyring. */
static bool own_ref(const char *s, size_t n, unsigned long *size, char *desc)
{
	char d[256];

	if (!logon_ref(s, n, size, d, sizeof(d)) || strlen(d) != OWN_DESC_MAX - 1 ||
	    strncmp(d, OWN_PREFIX, sizeof(OWN_PREFIX) - 1) != 0)
		return false;
	memcpy(desc, d, OWN_DESC_MAX);
	return true;
}

static int fresh_desc(char *desc)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t rnd[16];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		cli_error("cannot get random bytes: %s", strerror(errno));
		return DMB_EIO;
	}
	memcpy(desc, OWN_PREFIX, sizeof(OWN_PREFIX) - 1);
	for (size_t i = 0; i < sizeof(rnd); i++) {
		desc[sizeof(OWN_PREFIX) - 1 + 2 * i] = digits[rnd[i] >> 4];
		desc[sizeof(OWN_PREFIX) + 2 * i] = digits[rnd[i] & 15];
	}
	desc[OWN_DESC_MAX - 1] = '\0';
	return 0;
}

int cli_keys_new_desc(char *desc, size_t size)
{
	if (size < OWN_DESC_MAX)
		return DMB_EINVAL;
	return fresh_desc(desc);
}

/* Text with [start, end) replaced by rep; the old text wiped and freed. */
static char *splice(char *text, size_t start, size_t end, const char *rep)
{
	size_t len = strlen(text), n = strlen(rep);
	char *out = malloc(len - (end - start) + n + 1);

	if (out) {
		memcpy(out, text, start);
		memcpy(out + start, rep, n);
		memcpy(out + start + n, text + end, len - end + 1);
	}
	explicit_bzero(text, len);
	free(text);
	return out;
}

static void descs_drop(char **descs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		(void)cs_key_unlink(descs[i]);
		free(descs[i]);
	}
	free(descs);
}

/* Move one hex key of text at [s, e) into the keyring; text rewritten. */
static int stash_one(char **text, size_t s, size_t e, char ***descs, size_t *n)
{
	uint8_t key[DMB_MAX_CIPHER_KEY * 8];
	char desc[OWN_DESC_MAX], ref[OWN_DESC_MAX + 32], **grown;
	size_t klen = (e - s) / 2;
	int r;

	for (size_t i = 0; i < klen; i++)
		key[i] = (uint8_t)(unhex((*text)[s + 2 * i]) << 4 | unhex((*text)[s + 2 * i + 1]));
	grown = realloc(*descs, (*n + 1) * sizeof(**descs));
	r = grown ? fresh_desc(desc) : DMB_ENOMEM;
	if (grown)
		*descs = grown;
	if (!r)
		r = cs_key_add(desc, key, klen);
	dmb_wipe(key, sizeof(key));
	if (r)
		return r;
	(*descs)[*n] = strdup(desc);
	if (!(*descs)[*n]) {
		(void)cs_key_unlink(desc);
		return DMB_ENOMEM;
	}
	(*n)++;
	snprintf(ref, sizeof(ref), ":%zu:logon:%s", klen, desc);
	*text = splice(*text, s, e, ref);
	return *text ? 0 : DMB_ENOMEM;
}

int cli_keys_stash(char **text, char ***descs, size_t *n)
{
	size_t pos = 0;
	int r = 0;

	*descs = NULL;
	*n = 0;
	while (!r && (*text)[pos]) {
		size_t len = strcspn(*text + pos, "\n"), s, e;

		if (key_field(*text + pos, len, &s, &e) && is_hex_key(*text + pos + s, e - s)) {
			r = stash_one(text, pos + s, pos + e, descs, n);
			if (r)
				break;
			len = strcspn(*text + pos, "\n");
		}
		pos += len + ((*text)[pos + len] == '\n');
	}
	if (r == DMB_ENOMEM)
		cli_error("out of memory");
	if (r) {
		descs_drop(*descs, *n);
		*descs = NULL;
		*n = 0;
	}
	return r;
}

void cli_keys_drop(char **descs, size_t n, bool unlink)
{
	if (unlink) {
		descs_drop(descs, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		free(descs[i]);
	free(descs);
}

/* The hex text of a dmboot-held key, or NULL (then the reference stays). */
static char *key_hex(const char *desc, unsigned long size, bool show)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t *key = NULL;
	size_t len = 0;
	char *hex = NULL;

	if (cs_key_read(desc, &key, &len) == 0 && len == size && len)
		hex = malloc(2 * len + 1);
	for (size_t i = 0; hex && i < len; i++) {
		hex[2 * i] = show ? digits[key[i] >> 4] : '0';
		hex[2 * i + 1] = show ? digits[key[i] & 15] : '0';
	}
	if (hex)
		hex[2 * len] = '\0';
	if (key) {
		explicit_bzero(key, len);
		free(key);
	}
	return hex;
}

char *cli_keys_render(char *text, bool showkeys)
{
	size_t pos = 0;

	while (text && text[pos]) {
		size_t len = strcspn(text + pos, "\n"), s, e;
		unsigned long size;
		char desc[OWN_DESC_MAX], *hex;

		if (key_field(text + pos, len, &s, &e) && own_ref(text + pos + s, e - s, &size, desc) &&
		    (hex = key_hex(desc, size, showkeys)) != NULL) {
			text = splice(text, pos + s, pos + e, hex);
			explicit_bzero(hex, strlen(hex));
			free(hex);
			if (!text)
				break;
			len = strcspn(text + pos, "\n");
		}
		pos += len + (text[pos + len] == '\n');
	}
	return text;
}

/* Whether a record still names the logon key desc (or records cannot be read). */
static bool named_elsewhere(struct state *st, const char *desc)
{
	char **names, *needle;
	size_t n;
	bool found = false;

	if (asprintf(&needle, ":logon:%s ", desc) < 0)
		return true;
	if (state_list(st, &names, &n)) {
		free(needle);
		return true;
	}
	for (size_t i = 0; i < n && !found; i++) {
		struct state_dev *d = NULL;

		if (state_load(st, names[i], &d) == 0)
			found = strstr(d->table, needle) != NULL;
		state_dev_free(d);
	}
	state_free_list(names, n);
	free(needle);
	return found;
}

void cli_keys_release(struct state *st, const char *table)
{
	size_t pos = 0;

	while (table && table[pos]) {
		size_t len = strcspn(table + pos, "\n"), s, e;
		unsigned long size;
		char desc[256];

		if (key_field(table + pos, len, &s, &e) &&
		    logon_ref(table + pos + s, e - s, &size, desc, sizeof(desc))) {
			if (own_ref(table + pos + s, e - s, &size, desc))
				(void)cs_key_unlink(desc);
			else if (strncmp(desc, "cryptsetup:", 11) == 0 && !named_elsewhere(st, desc))
				(void)cs_key_unlink(desc);
		}
		pos += len + (table[pos + len] == '\n');
	}
}
