// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot cryptsetup` open (LUKS1, LUKS2 and plain mode, --test-passphrase),
 * close, isLuks and luksUUID, with cryptsetup 2.6.1's messages and exit
 * codes (formats.md §5; the plain and LUKS crypt tables of §5.5 and §1.7).
 * The volume key never reaches a file: the device's record holds a table
 * whose key is a keyring reference, `:<size>:logon:cryptsetup:<UUID>-d0`
 * for LUKS2 as cryptsetup loads it and `:<size>:logon:dmboot:key-<hex>` for
 * LUKS1 and plain mode (shown as the hex key cryptsetup loads, crypt_keys.c),
 * and the key itself is a user key of that
 * description in the kernel's user keyring (keys_kernel.c), unlinked by
 * close and by an open that fails.  status is cryptsetup_status.c,
 * luksDump cryptsetup_dump.c.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cryptsetup.h"

/* Room for one crypt line: cipher spec, keyring reference, path and options. */
#define TABLE_MAX 8192

int cs_load(struct dmb_ctx *ctx, const struct copts *o, const char *path, struct cli_image *im,
	    struct dmb_luks **out)
{
	const char *hdr = o->header ? o->header : path;
	int r = cli_image_open(im, ctx, hdr, NULL, 0, 0);

	*out = NULL;
	if (r) {
		fprintf(stderr, "Device %s does not exist or access denied.\n", hdr);
		return DMB_ENOENT;
	}
	r = dmb_luks_load(ctx, im->bd, out);
	if (r == DMB_ENOENT) {
		fprintf(stderr, "Device %s is not a valid LUKS device.\n", hdr);
		return DMB_EINVAL;
	}
	if (r)
		fprintf(stderr, "%s\n", ctx->msg);
	return r;
}

/* Whether the header's version is the one --type names (luks: either). */
static bool type_matches(const struct copts *o, unsigned version)
{
	if (!o->type || strcmp(o->type, "luks") == 0)
		return true;
	return (strcmp(o->type, "luks1") == 0 && version == 1) ||
	       (strcmp(o->type, "luks2") == 0 && version == 2);
}

/* The dm UUID cryptsetup gives a device: CRYPT-<TYPE>-<uuid without dashes>-<name>. */
static char *dm_uuid(const char *type, const char *uuid, const char *name)
{
	char hex[DMB_LUKS_UUID_MAX] = "", *out;
	size_t n = 0;

	for (size_t i = 0; uuid && uuid[i] && n + 1 < sizeof(hex); i++)
		if (uuid[i] != '-')
			hex[n++] = uuid[i];
	hex[n] = '\0';
	if ((n ? asprintf(&out, "CRYPT-%s-%s-%s", type, hex, name)
	       : asprintf(&out, "CRYPT-%s-%s", type, name)) < 0)
		return NULL;
	return out;
}

/*
 * Whether a device of the state directory names the key desc: the same
 * volume opened already (cryptsetup refuses a device in use).  Closing
 * either would unlink the key the other reads with.
 */
static bool key_in_use(struct state *st, const char *desc)
{
	char **names = NULL, *ref = NULL;
	size_t n = 0;
	bool used = false;

	if (asprintf(&ref, ":logon:%s ", desc) < 0)
		return true;
	if (state_list(st, &names, &n) == 0)
		for (size_t i = 0; i < n && !used; i++) {
			struct state_dev *d = NULL;

			if (state_load(st, names[i], &d) == 0)
				used = strstr(d->table, ref) != NULL;
			state_dev_free(d);
		}
	state_free_list(names, n);
	free(ref);
	return used;
}

/*
 * Under the state lock: refuse a name in use, put the key in the keyring,
 * create the device from the table text; on failure unlink the key again.
 */
static int create_device(const struct copts *o, const char *path, const char *name,
			 const char *uuid, const char *text, const char *desc, const uint8_t *vk,
			 size_t vk_len)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_table *t = NULL;
	struct state_dev *other;
	struct state st;
	int r;

	if (state_open(&st, true))
		return DMB_EIO;
	r = state_load(&st, name, &other);
	if (r != -ENOENT) {
		state_dev_free(other);
		fprintf(stderr, "Device %s already exists.\n", name);
		state_close(&st);
		return DMB_EEXIST;
	}
	if (key_in_use(&st, desc)) {
		fprintf(stderr, "Cannot use device %s which is in use (already mapped or mounted).\n",
			path);
		state_close(&st);
		return DMB_EBUSY;
	}
	r = dmb_table_parse(&ctx, text, strlen(text), &t);
	if (r)
		cli_error("%s", ctx.msg);
	if (!r)
		r = cs_key_add(desc, vk, vk_len);
	if (!r) {
		r = cli_create(&st, name, uuid, -1, o->readonly, t, NULL);
		if (r)
			(void)cs_key_unlink(desc);
	}
	dmb_table_destroy(t);
	state_close(&st);
	return r;
}

/* --volume-key-file: the key itself, checked against the header's digest. */
static int read_volume_key(struct dmb_ctx *ctx, const struct copts *o, const struct dmb_luks *l,
			   uint8_t *vk, size_t *vk_len)
{
	struct copts kf = *o;
	uint8_t *buf;
	size_t n;
	int r;

	kf.key_file = o->volume_key_file;
	kf.keyfile_offset = 0;
	kf.keyfile_size = 0;
	r = cs_read_secret(&kf, NULL, &buf, &n);
	if (r)
		return r;
	if (n > DMB_LUKS_MAX_KEY_BYTES)
		r = DMB_EVERIFY;
	else
		r = dmb_luks_check_key(ctx, l, buf, n);
	if (!r) {
		memcpy(vk, buf, n);
		*vk_len = n;
	} else if (r == DMB_EVERIFY) {
		fprintf(stderr, "Volume key does not match the volume.\n");
	} else {
		fprintf(stderr, "%s\n", ctx->msg);
	}
	cs_secret_free(buf, n);
	return r;
}

/* The passphrase or key file, tried against the key slots. */
static int unlock(struct dmb_ctx *ctx, const struct copts *o, const char *path,
		  const struct dmb_luks *l, struct dmb_bdev *hdr, uint8_t *vk, size_t *vk_len)
{
	uint8_t *pass;
	size_t plen;
	int slot = -1, r;

	if (o->volume_key_file)
		return read_volume_key(ctx, o, l, vk, vk_len);
	r = cs_read_secret(o, path, &pass, &plen);
	if (r)
		return r;
	r = dmb_luks_unlock(ctx, l, hdr, o->key_slot, pass, plen, vk, DMB_LUKS_MAX_KEY_BYTES, vk_len,
			    &slot);
	cs_secret_free(pass, plen);
	/*
	 * A named unbound keyslot: the passphrase is right, which is all
	 * --test-passphrase asks, but there is no volume key to map with.
	 */
	if (r == DMB_EACCES && o->test_passphrase)
		r = 0;
	else if (r == DMB_EACCES)
		r = DMB_ENOKEY;
	if (r == DMB_ENOKEY)
		fprintf(stderr, "No key available with this passphrase.\n");
	else if (r == DMB_ENOENT)
		fprintf(stderr, "No usable keyslot is available.\n"), r = DMB_EINVAL;
	else if (r)
		fprintf(stderr, "%s\n", ctx->msg);
	else if (o->verbose)
		printf("Key slot %d unlocked.\n", slot);
	return r;
}

/* The table of the data segment, its key named by desc. */
static int luks_table(struct dmb_ctx *ctx, const struct copts *o, const char *path,
		      const struct dmb_luks *l, struct cli_image *hdr_im, size_t vk_len,
		      const char *desc, char *text)
{
	struct cli_image data_im = { 0 };
	struct dmb_bdev *data = hdr_im->bd;
	char key_text[300];
	int r = 0;

	if (o->header) {
		r = cli_image_open(&data_im, ctx, path, NULL, 0, 0);
		if (r) {
			fprintf(stderr, "Device %s does not exist or access denied.\n", path);
			cli_image_close(&data_im);
			return DMB_ENOENT;
		}
		data = data_im.bd;
	}
	snprintf(key_text, sizeof(key_text), ":%zu:logon:%s", vk_len, desc);
	r = dmb_luks_table(ctx, l, o->header ? data_im.name : hdr_im->name, dmb_bdev_sectors(data),
			   key_text, o->allow_discards ? DMB_LUKS_FLAG_ALLOW_DISCARDS : 0, text,
			   TABLE_MAX);
	if (r)
		fprintf(stderr, "%s\n", ctx->msg);
	if (o->header)
		cli_image_close(&data_im);
	return r;
}

/* With --header, cryptsetup wants the data device too, before anything else. */
static int data_device_exists(const struct copts *o, const char *path)
{
	struct dmb_ctx ctx = { 0 };
	struct cli_image im = { 0 };
	int r = o->header ? cli_image_open(&im, &ctx, path, NULL, 0, 0) : 0;

	cli_image_close(&im);
	if (r) {
		fprintf(stderr, "Device %s does not exist or access denied.\n", path);
		return DMB_ENOENT;
	}
	return 0;
}

static int open_luks(const struct copts *o, const char *path, const char *name)
{
	struct dmb_ctx ctx;
	struct dmb_posix_crypto pc;
	struct cli_image im = { 0 };
	struct dmb_luks *l = NULL;
	const struct dmb_luks_hdr *h = NULL;
	uint8_t vk[DMB_LUKS_MAX_KEY_BYTES];
	size_t vk_len = 0;
	char desc[192], *text = NULL, *uuid = NULL;
	int r;

	cs_ctx_init(&ctx, &pc);
	r = data_device_exists(o, path);
	if (!r)
		r = cs_load(&ctx, o, path, &im, &l);
	if (!r) {
		h = dmb_luks_header(l);
		if (!type_matches(o, h->version)) {
			fprintf(stderr, "Device %s is not a valid LUKS device.\n",
				o->header ? o->header : path);
			r = DMB_EINVAL;
		}
	}
	if (!r)
		r = unlock(&ctx, o, path, l, im.bd, vk, &vk_len);
	if (!r && !o->test_passphrase) {
		if (h->version == 2)
			snprintf(desc, sizeof(desc), "cryptsetup:%s-d0", h->uuid);
		else
			r = cli_keys_new_desc(desc, sizeof(desc));
		text = malloc(TABLE_MAX);
		uuid = dm_uuid(h->version == 2 ? "LUKS2" : "LUKS1", h->uuid, name);
		if (!r)
			r = text && uuid ? luks_table(&ctx, o, path, l, &im, vk_len, desc, text)
					 : DMB_ENOMEM;
	}
	cli_image_close(&im);
	if (!r && !o->test_passphrase)
		r = create_device(o, path, name, uuid, text, desc, vk, vk_len);
	dmb_wipe(vk, sizeof(vk));
	dmb_luks_destroy(l);
	cs_ctx_fini(&pc);
	free(text);
	free(uuid);
	return r;
}

/*
 * Plain mode's key from a passphrase: the hash of the passphrase, and for
 * a key longer than one digest, further digests of the passphrase behind
 * 1, 2, ... bytes 'A', concatenated and cut to the key size; hash "plain"
 * takes the passphrase itself, zero padded or cut.
 */
static int plain_key(const char *hash, const uint8_t *pass, size_t plen, uint8_t *key,
		     size_t key_len)
{
	const EVP_MD *md;
	uint8_t d[EVP_MAX_MD_SIZE];
	size_t done = 0;

	memset(key, 0, key_len);
	if (strcmp(hash, "plain") == 0) {
		memcpy(key, pass, plen < key_len ? plen : key_len);
		return 0;
	}
	md = EVP_get_digestbyname(hash);
	if (!md) {
		fprintf(stderr, "Cannot hash passphrase: hash %s not supported.\n", hash);
		return DMB_ENOTSUP;
	}
	for (unsigned round = 0; done < key_len; round++) {
		EVP_MD_CTX *mc = EVP_MD_CTX_new();
		unsigned dlen = 0;
		bool ok = mc && EVP_DigestInit_ex(mc, md, NULL) == 1;

		for (unsigned i = 0; ok && i < round; i++)
			ok = EVP_DigestUpdate(mc, "A", 1) == 1;
		ok = ok && EVP_DigestUpdate(mc, pass, plen) == 1 && EVP_DigestFinal_ex(mc, d, &dlen) == 1;
		EVP_MD_CTX_free(mc);
		if (!ok || !dlen)
			return DMB_ENOMEM;
		memcpy(key + done, d, key_len - done < dlen ? key_len - done : dlen);
		done += key_len - done < dlen ? key_len - done : dlen;
	}
	dmb_wipe(d, sizeof(d));
	return 0;
}

/* Plain mode's secret: a key file used as the key, or a hashed passphrase. */
static int plain_secret(const struct copts *o, const char *path, uint8_t *key, size_t key_len)
{
	struct copts kf = *o;
	const char *hash = o->hash ? o->hash : "ripemd160";
	bool direct = o->key_file && strcmp(o->key_file, "-") != 0;
	uint8_t *pass;
	size_t plen;
	int r;

	if (direct) {
		if (o->hash)
			printf("WARNING: The --hash parameter is being ignored in plain mode with keyfile specified.\n");
		if (!kf.keyfile_size)
			kf.keyfile_size = key_len;
	}
	r = cs_read_secret(&kf, path, &pass, &plen);
	if (r)
		return r;
	if (direct) {
		memset(key, 0, key_len);
		memcpy(key, pass, plen < key_len ? plen : key_len);
	} else {
		r = plain_key(hash, pass, plen, key, key_len);
	}
	cs_secret_free(pass, plen);
	return r;
}

/* The table cryptsetup loads for plain mode, options in its order. */
static int plain_table(const struct copts *o, const char *path, const char *cipher,
		       const char *key_text, char *text)
{
	struct dmb_ctx ctx = { 0 };
	struct cli_image im = { 0 };
	uint64_t sectors, size = o->size;
	uint32_t ss = o->sector_size ? o->sector_size : 512;
	char opts[128] = "";
	unsigned nopts = 0;
	int r = cli_image_open(&im, &ctx, path, NULL, 0, 0);

	if (r) {
		fprintf(stderr, "Device %s does not exist or access denied.\n", path);
		cli_image_close(&im);
		return DMB_ENOENT;
	}
	sectors = dmb_bdev_sectors(im.bd);
	if (!size && o->offset >= sectors) {
		fprintf(stderr, "Requested offset is beyond real size of device %s.\n", path);
		r = DMB_EINVAL;
	} else if (!size) {
		size = sectors - o->offset;
	}
	if (!r && (size % (ss / 512) || o->offset % (ss / 512))) {
		fprintf(stderr, "Device size is not aligned to requested sector size.\n");
		r = DMB_EINVAL;
	}
	if (o->allow_discards)
		nopts++, strcat(opts, " allow_discards");
	if (ss != 512)
		nopts++, snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), " sector_size:%u", ss);
	if (o->iv_large_sectors && ss != 512)
		nopts++, strcat(opts, " iv_large_sectors");
	if (!r)
		snprintf(text, TABLE_MAX, "0 %llu crypt %s %s %llu %s %llu", (unsigned long long)size,
			 cipher, key_text, (unsigned long long)o->skip, im.name,
			 (unsigned long long)o->offset);
	if (!r && nopts)
		snprintf(text + strlen(text), TABLE_MAX - strlen(text), " %u%s", nopts, opts);
	cli_image_close(&im);
	return r;
}

static int open_plain(const struct copts *o, const char *path, const char *name)
{
	const char *cipher = o->cipher ? o->cipher : "aes-cbc-essiv:sha256";
	size_t key_len = (o->key_size_bits ? o->key_size_bits : 256) / 8;
	uint8_t key[DMB_LUKS_MAX_KEY_BYTES];
	char desc[128] = "", key_text[160], *text = malloc(TABLE_MAX);
	char *uuid = dm_uuid("PLAIN", NULL, name);
	int r = text && uuid ? 0 : DMB_ENOMEM;

	if (o->test_passphrase) {
		fprintf(stderr, "Option --test-passphrase is allowed only for open of LUKS, TCRYPT, BITLK and FVAULT2 devices.\n");
		r = DMB_EINVAL;
	}
	if (!r)
		r = cli_keys_new_desc(desc, sizeof(desc));
	snprintf(key_text, sizeof(key_text), ":%zu:logon:%s", key_len, desc);
	if (!r)
		r = plain_table(o, path, cipher, key_text, text);
	if (!r) {
		struct dmb_ctx ctx;
		struct dmb_posix_crypto pc;

		cs_ctx_init(&ctx, &pc); /* the hashes cryptsetup's OpenSSL backend has */
		r = plain_secret(o, path, key, key_len);
		cs_ctx_fini(&pc);
	}
	if (!r)
		r = create_device(o, path, name, uuid, text, desc, key, key_len);
	dmb_wipe(key, sizeof(key));
	free(text);
	free(uuid);
	return r;
}

int cs_open(void *opts, int argc, char **argv)
{
	struct copts *o = opts;
	const char *name = argc > 2 ? argv[2] : NULL;

	if (!name && !o->test_passphrase) {
		fprintf(stderr, "Command requires device and mapped name as arguments.\n");
		return DMB_EINVAL;
	}
	if (name && !cli_valid_name(name)) {
		fprintf(stderr, "Invalid device name %s.\n", name);
		return DMB_EINVAL;
	}
	if (o->type && strcmp(o->type, "plain") == 0)
		return open_plain(o, argv[1], name);
	if (o->type && !type_matches(o, 1) && !type_matches(o, 2)) {
		fprintf(stderr, "Unknown device type %s.\n", o->type);
		return DMB_EINVAL;
	}
	return open_luks(o, argv[1], name);
}

/* isLuks: the magic and version of the header (--header when given), silently. */
static int probe(const struct copts *o, const char *path)
{
	const char *hdr = o->header ? o->header : path;
	struct dmb_ctx ctx = { 0 };
	struct cli_image im = { 0 };
	int r = cli_image_open(&im, &ctx, hdr, NULL, 0, 0);

	if (r) {
		fprintf(stderr, "Device %s does not exist or access denied.\n", hdr);
		cli_image_close(&im);
		return DMB_ENOENT;
	}
	r = dmb_luks_probe(&ctx, im.bd);
	cli_image_close(&im);
	if (r < 0)
		return r;
	return r > 0 && type_matches(o, (unsigned)r) ? 0 : DMB_EINVAL;
}

int cs_is_luks(void *opts, int argc, char **argv)
{
	(void)argc;
	return probe(opts, argv[1]);
}

int cs_luks_uuid(void *opts, int argc, char **argv)
{
	struct dmb_ctx ctx;
	struct dmb_posix_crypto pc;
	struct cli_image im = { 0 };
	struct dmb_luks *l = NULL;
	int r;

	(void)argc;
	/* Like cryptsetup, nothing is said of a device that is no LUKS device. */
	r = probe(opts, argv[1]);
	if (r)
		return r;
	cs_ctx_init(&ctx, &pc);
	r = cs_load(&ctx, opts, argv[1], &im, &l);
	if (!r)
		printf("%s\n", dmb_luks_header(l)->uuid);
	dmb_luks_destroy(l);
	cli_image_close(&im);
	cs_ctx_fini(&pc);
	return r;
}
