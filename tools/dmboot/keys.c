// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Keys and trust for mapped devices on the host.  The kernel keeps dm-verity
 * root hash signatures in its keyring and trusts certificates built into it;
 * dmboot keeps signatures in the state directory (key-<hex of description>)
 * and, per device, the certificates `veritysetup open --trusted-cert` was
 * given (trust-<name>/), so that every later instantiation of the device
 * checks the signature against the same certificates.
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

#include "cli.h"

/* A signature larger than this is not a PKCS#7 root hash signature. */
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

static char *trust_path(struct state *st, const char *name)
{
	char *p;

	return asprintf(&p, "%s/trust-%s", st->dir, name) < 0 ? NULL : p;
}

int cli_key_store(struct state *st, const char *desc, const uint8_t *data, size_t len)
{
	char *path = key_path(st, desc);
	int r;

	if (!path)
		return -ENOMEM;
	r = cli_write_atomic(st->dir, path, data, len);
	if (r)
		cli_error("cannot store key %s: %s", desc, strerror(-r));
	free(path);
	return r;
}

void cli_key_remove(struct state *st, const char *desc)
{
	char *path = key_path(st, desc);

	if (path)
		unlink(path);
	free(path);
}

static bool cert_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 &&
	       (strcmp(name + n - 4, ".crt") == 0 || strcmp(name + n - 4, ".pem") == 0 ||
		strcmp(name + n - 4, ".der") == 0);
}

/* Copy one certificate file into the device's trust directory. */
static int copy_cert(struct state *st, const char *dir, const char *src, size_t *count)
{
	char *data, *path;
	size_t len;
	int r = cli_read_file(src, KEY_MAX_BYTES, &data, &len);

	if (r)
		return r;
	if (asprintf(&path, "%s/%zu.crt", dir, (*count)++) < 0) {
		free(data);
		return -ENOMEM;
	}
	r = cli_write_atomic(st->dir, path, data, len);
	if (r)
		cli_error("cannot store certificate %s: %s", src, strerror(-r));
	free(path);
	free(data);
	return r;
}

int cli_trust_store(struct state *st, const char *name, char *const *certs, size_t n)
{
	char *dir;
	size_t count = 0;
	int r = 0;

	if (n == 0)
		return 0;
	dir = trust_path(st, name);
	if (!dir)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		cli_error("cannot create %s: %s", dir, strerror(errno));
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct stat sb;
		DIR *d;
		struct dirent *de;

		if (stat(certs[i], &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			r = copy_cert(st, dir, certs[i], &count);
			continue;
		}
		/* A directory, like systemd's verity.d: its *.crt, *.pem and *.der files. */
		d = opendir(certs[i]);
		while (r == 0 && d && (de = readdir(d))) {
			char *p;

			if (!cert_name(de->d_name))
				continue;
			if (asprintf(&p, "%s/%s", certs[i], de->d_name) < 0) {
				r = -ENOMEM;
				break;
			}
			if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
				r = copy_cert(st, dir, p, &count);
			free(p);
		}
		if (d)
			closedir(d);
	}
	if (r == 0 && count == 0) {
		cli_error("no certificate found in the --trusted-cert arguments");
		r = -EINVAL;
	}
	if (r)
		cli_trust_remove(st, name);
	free(dir);
	return r;
}

void cli_trust_remove(struct state *st, const char *name)
{
	char *dir = trust_path(st, name);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *p;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) >= 0) {
			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
	if (dir)
		rmdir(dir);
	free(dir);
}

static int keyring_get(const struct dmb_keyring *k, struct dmb_ctx *ctx, const char *desc,
		       uint8_t **data, size_t *len)
{
	struct cli_crypto *cc = k->priv;
	char *path = key_path(cc->st, desc), *buf = NULL;
	struct stat sb;
	int r;

	if (!path)
		return DMB_ENOMEM;
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		free(path);
		return cli_seterr(ctx, DMB_ENOKEY, "no key \"%s\" in the keyring", desc);
	}
	r = cli_read_file(path, KEY_MAX_BYTES, &buf, len);
	free(path);
	if (r)
		return cli_seterr(ctx, DMB_ENOKEY, "key \"%s\" cannot be read", desc);
	*data = (uint8_t *)buf;
	return 0;
}

static void keyring_put(const struct dmb_keyring *k, uint8_t *data, size_t len)
{
	(void)k;
	(void)len;
	free(data);
}

int cli_crypto_init(struct cli_crypto *cc, struct state *st, const char *name,
		    struct dmb_ctx *ctx)
{
	char *dir;
	struct stat sb;
	int r = 0;

	dmb_posix_crypto_init(&cc->crypto);
	cc->st = st;
	cc->keyring.get = keyring_get;
	cc->keyring.put = keyring_put;
	cc->keyring.priv = cc;
	ctx->crypto = &cc->crypto.crypto;
	ctx->keyring = &cc->keyring;
	if (!name)
		return 0;
	dir = trust_path(st, name);
	if (!dir)
		return DMB_ENOMEM;
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		r = dmb_posix_crypto_add_trusted(&cc->crypto, ctx, dir);
	free(dir);
	return r;
}

void cli_crypto_fini(struct cli_crypto *cc)
{
	dmb_posix_crypto_fini(&cc->crypto);
}
