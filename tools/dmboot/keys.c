// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Keys and trust for mapped devices on the host.  The kernel reads a
 * dm-verity root hash signature from its keyring when the table is loaded
 * and checks it against the certificates it trusts.  dmboot instantiates a
 * device afresh in every command, so a device record carries both: the
 * signatures its table named when it was created and the certificates its
 * command trusted.  Later commands check the record's signature against the
 * record's certificates only, so nothing outside the record (a key file, a
 * directory a killed command left) can change what a device trusts.  The
 * keyring files of the state directory (key-<hex of description>) are read
 * only when a device is created from a table naming a key; a user key not
 * found there is looked up in the kernel's user keyring, each time, and not
 * recorded.  Crypt volume keys (type logon) live in the kernel's user
 * keyring and are never copied into a record (crypt_keys.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cryptsetup.h"

/* A signature or certificate larger than this is not one. */
#define KEY_MAX_BYTES (64 * 1024)

static char *key_path(struct state *st, const char *desc)
{
	size_t n = strlen(desc);
	char *hex = malloc(2 * n + 1), *p = NULL;

	if (!hex)
		return NULL;
	dmb_hex_encode((const uint8_t *)desc, n, hex);
	if (asprintf(&p, "%s/key-%s", st->dir, hex) < 0)
		p = NULL;
	free(hex);
	return p;
}

static bool cert_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 &&
	       (strcmp(name + n - 4, ".crt") == 0 || strcmp(name + n - 4, ".pem") == 0 ||
		strcmp(name + n - 4, ".der") == 0);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One certificate file, labelled with the path as the user gave it. */
static int read_cert(const char *path, struct state_blob **certs, size_t *n, size_t *total)
{
	char *data;
	size_t len;
	int r = cli_read_file(path, KEY_MAX_BYTES, &data, &len);

	if (r)
		return r;
	*total += len;
	if (*total > STATE_BLOBS_MAX_BYTES) {
		cli_error("--trusted-cert: more than %u bytes of certificates",
			  STATE_BLOBS_MAX_BYTES);
		r = -E2BIG;
	} else {
		r = state_blob_push(certs, n, path, data, len);
	}
	free(data);
	return r;
}

/* A directory, like systemd's verity.d: its *.crt, *.pem and *.der files, in name order. */
static int read_cert_dir(const char *dir, struct state_blob **certs, size_t *n, size_t *total)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t count = 0;
	int r = 0;

	if (!d) {
		cli_error("%s: %s", dir, strerror(errno));
		return -errno;
	}
	while (r == 0 && (de = readdir(d)))
		if (cert_name(de->d_name))
			r = cli_list_push(&names, &count, de->d_name);
	closedir(d);
	if (count)
		qsort(names, count, sizeof(*names), by_name);
	for (size_t i = 0; r == 0 && i < count; i++) {
		struct stat sb;
		char *p;

		if (asprintf(&p, "%s/%s", dir, names[i]) < 0) {
			r = -ENOMEM;
			break;
		}
		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
			r = read_cert(p, certs, n, total);
		free(p);
	}
	cli_list_free(names, count);
	return r;
}

int cli_certs_read(char *const *args, size_t n, struct state_blob **certs, size_t *ncerts)
{
	size_t total = 0;
	int r = 0;

	*certs = NULL;
	*ncerts = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct stat sb;

		if (stat(args[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			r = read_cert_dir(args[i], certs, ncerts, &total);
		else
			r = read_cert(args[i], certs, ncerts, &total);
	}
	if (r == 0 && n && *ncerts == 0) {
		cli_error("no certificate found in the --trusted-cert arguments");
		r = -EINVAL;
	}
	if (r == -ENOMEM)
		cli_error("out of memory");
	if (r) {
		state_blob_free(*certs, *ncerts);
		*certs = NULL;
		*ncerts = 0;
	}
	return r;
}

/* Hand out a copy of a key, remembering it for the record create writes. */
static int give(struct cli_crypto *cc, struct dmb_ctx *ctx, const char *desc, const void *src,
		size_t len, uint8_t **data, size_t *out_len)
{
	uint8_t *copy = malloc(len ? len : 1);
	bool seen = false;

	if (!copy)
		return cli_seterr(ctx, DMB_ENOMEM, "out of memory");
	for (size_t i = 0; i < cc->nused; i++)
		seen |= strcmp(cc->used[i].label, desc) == 0;
	if (!seen && state_blob_push(&cc->used, &cc->nused, desc, src, len)) {
		free(copy);
		return cli_seterr(ctx, DMB_ENOMEM, "out of memory");
	}
	memcpy(copy, src, len);
	*data = copy;
	*out_len = len;
	return 0;
}

/*
 * A crypt volume key, from the kernel user keyring (keys_kernel.c): never
 * remembered for the record, which names it only.
 */
static int kernel_get(struct dmb_ctx *ctx, const char *desc, uint8_t **data, size_t *len)
{
	int r = cs_key_read(desc, data, len);

	if (r == DMB_ENOMEM)
		return cli_seterr(ctx, r, "out of memory");
	if (r)
		return cli_seterr(ctx, DMB_ENOKEY, "no key \"%s\" in the user keyring", desc);
	return 0;
}

static int keyring_get(const struct dmb_keyring *k, struct dmb_ctx *ctx, const char *type,
		       const char *desc, uint8_t **data, size_t *len)
{
	struct cli_crypto *cc = k->priv;
	char *path, *buf = NULL;
	size_t n;
	int r;

	if (strcmp(type, "logon") == 0)
		return kernel_get(ctx, desc, data, len);
	if (strcmp(type, "user") != 0)
		return cli_seterr(ctx, DMB_ENOTSUP, "no %s keys in the keyring", type);
	for (size_t i = 0; i < cc->nkeys; i++)
		if (strcmp(cc->keys[i].label, desc) == 0)
			return give(cc, ctx, desc, cc->keys[i].data, cc->keys[i].len, data, len);
	if (cc->keys_only && cs_key_read(desc, data, len) == 0)
		return 0;
	if (cc->keys_only)
		return cli_seterr(ctx, DMB_ENOKEY, "no key \"%s\" in the device's record", desc);
	path = key_path(cc->st, desc);
	if (!path)
		return cli_seterr(ctx, DMB_ENOMEM, "out of memory");
	r = state_read_private(path, KEY_MAX_BYTES, &buf, &n);
	free(path);
	/* Not a keyring file: a user key of the kernel's user keyring (a crypt
	 * key as `:<size>:user:<desc>`), read each time, never recorded. */
	if ((r == -ENOENT || r == -ENAMETOOLONG) && cs_key_read(desc, data, len) == 0)
		return 0;
	if (r == -ENOENT || r == -ENAMETOOLONG)
		return cli_seterr(ctx, DMB_ENOKEY, "no key \"%s\" in the keyring", desc);
	if (r)
		return cli_seterr(ctx, DMB_ENOKEY, "key \"%s\" cannot be read", desc);
	r = give(cc, ctx, desc, buf, n, data, len);
	explicit_bzero(buf, n);
	free(buf);
	return r;
}

static void keyring_put(const struct dmb_keyring *k, uint8_t *data, size_t len)
{
	(void)k;
	if (data)
		explicit_bzero(data, len);
	free(data);
}

int cli_crypto_init(struct cli_crypto *cc, struct state *st, struct dmb_ctx *ctx)
{
	memset(cc, 0, sizeof(*cc));
	dmb_posix_crypto_init(&cc->crypto);
	cc->st = st;
	cc->keyring.get = keyring_get;
	cc->keyring.put = keyring_put;
	cc->keyring.priv = cc;
	ctx->crypto = &cc->crypto.crypto;
	ctx->keyring = &cc->keyring;
	return 0;
}

int cli_crypto_trust(struct cli_crypto *cc, struct dmb_ctx *ctx, const struct state_blob *certs,
		     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = dmb_posix_crypto_add_trusted_mem(&cc->crypto, ctx, certs[i].label,
							 certs[i].data, certs[i].len);
		if (r)
			return r;
	}
	return 0;
}

void cli_crypto_fini(struct cli_crypto *cc)
{
	dmb_posix_crypto_fini(&cc->crypto);
	state_blob_free(cc->used, cc->nused);
	cc->used = NULL;
	cc->nused = 0;
}
