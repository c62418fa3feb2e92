// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The crypt target (formats.md §1.7, Linux dm-crypt): transparent sector
 * encryption over a lower device.  Reads decrypt in the caller's buffer;
 * writes encrypt a copy, so the caller's plaintext is never touched.  The
 * sector en/decryption itself is lib/crypt/'s storage, which the LUKS
 * readers share.  The table prints back as Linux prints it, the key masked
 * unless DMB_FMT_SHOWKEYS (dmsetup table --showkeys) asks for it.
 */
#include "targets.h"
#include "../crypt/crypt.h"

/* Largest key a table may carry (Linux takes whatever the cipher takes;
 * keycount 64 of AES-256-XTS keys is the largest that means anything). */
#define CRYPT_KEY_MAX (DMBI_CRYPT_MAX_KEYCOUNT * DMB_MAX_CIPHER_KEY)
/* Bytes encrypted per lower write. */
#define WRITE_CHUNK (64u * 1024)

#define OPT_ALLOW_DISCARDS (1u << 0)
#define OPT_SAME_CPU (1u << 1)
#define OPT_SUBMIT_FROM_CRYPT_CPUS (1u << 2)
#define OPT_NO_READ_WQ (1u << 3)
#define OPT_NO_WRITE_WQ (1u << 4)
#define OPT_IV_LARGE (1u << 5)

struct crypt {
	const struct dmbi_lower *dev;
	uint64_t start;       /* sectors on dev */
	uint64_t iv_offset;   /* 512-byte sectors */
	char *cipher_string;  /* as given */
	char *key_ref;        /* "<type>:<description>" of a keyring key, or NULL */
	uint8_t *key;         /* a hex key, kept for table --showkeys as the kernel keeps it */
	size_t key_size;
	unsigned sector_size;
	unsigned opts;
	struct dmbi_crypt_storage *st;
};

static int fail(struct dmbi_target *ti, const char *why, int err)
{
	ti->error = why;
	return dmb_ctx_set_error(ti->ctx, err, "crypt: %s", why);
}

/* ":<size>:<logon|user>:<description>" -> the key bytes, through the keyring. */
static int keyring_key(struct dmbi_target *ti, struct crypt *cc, const char *s, uint8_t *key)
{
	const struct dmb_keyring *k = ti->ctx->keyring;
	const char *size_end = dmbi_strchr(s + 1, ':'), *type, *desc;
	char type_buf[8];
	uint8_t *data = NULL;
	uint64_t size;
	size_t len = 0;
	int r;

	if (!size_end || dmbi_parse_u64_len(s + 1, (size_t)(size_end - s - 1), 10, &size) ||
	    size == 0 || size > CRYPT_KEY_MAX)
		return fail(ti, "Error decoding and setting key", DMB_EINVAL);
	type = size_end + 1;
	desc = dmbi_strchr(type, ':');
	if (!desc || desc == type || !desc[1] || (size_t)(desc - type) >= sizeof(type_buf))
		return fail(ti, "Error decoding and setting key", DMB_EINVAL);
	memcpy(type_buf, type, (size_t)(desc - type));
	type_buf[desc - type] = '\0';
	desc++;
	if (dmbi_strcmp(type_buf, "logon") && dmbi_strcmp(type_buf, "user"))
		return fail(ti, "Error decoding and setting key", DMB_EINVAL);
	for (const char *p = s; *p; p++)
		if (dmbi_isspace(*p))
			return fail(ti, "Error decoding and setting key", DMB_EINVAL);
	if (!k || !k->get)
		return fail(ti, "Error decoding and setting key: no keyring", DMB_ENOKEY);
	r = k->get(k, ti->ctx, type_buf, desc, &data, &len);
	if (r) {
		ti->error = "Error decoding and setting key";
		return dmb_ctx_wrap_error(ti->ctx, r, NULL, "crypt: key %s: ", type);
	}
	if (len != size) {
		k->put(k, data, len);
		return fail(ti, "Error decoding and setting key: key size differs from the table's",
			    DMB_EINVAL);
	}
	memcpy(key, data, len);
	k->put(k, data, len);
	cc->key_size = len;
	cc->key_ref = dmbi_strdup(type);
	if (!cc->key_ref)
		return fail(ti, "Cannot allocate encryption context", DMB_ENOMEM);
	return 0;
}

static int parse_key(struct dmbi_target *ti, struct crypt *cc, const char *s, uint8_t *key)
{
	size_t n = dmbi_strlen(s);

	if (s[0] == ':')
		return keyring_key(ti, cc, s, key);
	if (dmbi_strcmp(s, "-") == 0) {
		cc->key_size = 0;
		return 0;
	}
	if (n % 2 || n / 2 > CRYPT_KEY_MAX || dmb_hex_decode(s, key, n / 2))
		return fail(ti, "Error decoding and setting key", DMB_EINVAL);
	cc->key_size = n / 2;
	return 0;
}

static int parse_opts(struct dmbi_target *ti, struct crypt *cc, unsigned argc, char **argv)
{
	uint64_t n;

	if (argc == 0)
		return 0;
	if (dmbi_arg_u64(argv[0], &n) || n > 8 || n != argc - 1)
		return fail(ti, "Invalid number of feature args", DMB_EINVAL);
	for (unsigned i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (dmbi_strcmp(o, "allow_discards") == 0)
			cc->opts |= OPT_ALLOW_DISCARDS;
		else if (dmbi_strcmp(o, "same_cpu_crypt") == 0)
			cc->opts |= OPT_SAME_CPU;
		else if (dmbi_strcmp(o, "submit_from_crypt_cpus") == 0)
			cc->opts |= OPT_SUBMIT_FROM_CRYPT_CPUS;
		else if (dmbi_strcmp(o, "no_read_workqueue") == 0)
			cc->opts |= OPT_NO_READ_WQ;
		else if (dmbi_strcmp(o, "no_write_workqueue") == 0)
			cc->opts |= OPT_NO_WRITE_WQ;
		else if (dmbi_strcmp(o, "iv_large_sectors") == 0)
			cc->opts |= OPT_IV_LARGE;
		else if (dmbi_str_prefix(o, "integrity:"))
			return fail(ti, "integrity (AEAD) is not supported", DMB_ENOTSUP);
		else if (dmbi_str_prefix(o, "sector_size:")) {
			uint64_t ss;

			if (dmbi_arg_u64(o + 12, &ss) || ss < 512 || ss > 4096 || (ss & (ss - 1)))
				return fail(ti, "Invalid feature value for sector_size", DMB_EINVAL);
			cc->sector_size = (unsigned)ss;
		} else {
			return fail(ti, "Invalid feature arguments", DMB_EINVAL);
		}
	}
	return 0;
}

/*
 * Construct an encrypted mapping:
 *   <cipher> <key> <iv_offset> <dev> <offset> [<#opt_params> <opt_params>...]
 * cipher: aes-xts-plain64, aes-cbc-essiv:sha256, capi:xts(aes)-plain64, ...
 * key: hex, "-" (none), or :<size>:<logon|user>:<description> (keyring).
 * iv_offset: 512-byte sectors added to the IV sector; a multiple of
 * sector_size / 512.  opt_params: allow_discards same_cpu_crypt
 * submit_from_crypt_cpus no_read_workqueue no_write_workqueue
 * sector_size:<512..4096> iv_large_sectors (integrity: is refused).
 */
static int crypt_ctr(struct dmbi_target *ti, unsigned argc, char **argv)
{
	uint8_t key[CRYPT_KEY_MAX];
	struct dmbi_crypt_spec spec;
	const char *why;
	struct crypt *cc;
	int r;

	if (argc < 5)
		return fail(ti, "Not enough arguments", DMB_EINVAL);
	cc = dmbi_calloc(1, sizeof(*cc));
	if (!cc)
		return fail(ti, "Cannot allocate encryption context", DMB_ENOMEM);
	ti->priv = cc;
	cc->sector_size = 512;
	cc->cipher_string = dmbi_strdup(argv[0]);
	if (!cc->cipher_string)
		return fail(ti, "Cannot allocate encryption context", DMB_ENOMEM);
	r = parse_opts(ti, cc, argc - 5, argv + 5);
	if (r)
		return r;
	r = dmbi_crypt_spec_parse(argv[0], &spec, &why);
	if (r)
		return fail(ti, why, r);
	r = parse_key(ti, cc, argv[1], key);
	if (r)
		goto out;
	/* The kernel overwrites the key text once parsed. */
	for (char *p = argv[1]; *p && argv[1][0] != ':'; p++)
		*p = '0';
	if (cc->key_size == 0) {
		r = fail(ti, "an empty key needs cipher_null, which is not supported", DMB_ENOTSUP);
		goto out;
	}
	if (!cc->key_ref) {
		cc->key = dmb_port_malloc(cc->key_size);
		if (!cc->key) {
			r = fail(ti, "Cannot allocate encryption context", DMB_ENOMEM);
			goto out;
		}
		memcpy(cc->key, key, cc->key_size);
	}
	if (ti->len_sectors & ((cc->sector_size >> 9) - 1)) {
		r = fail(ti, "Device size is not multiple of sector_size feature", DMB_EINVAL);
		goto out;
	}
	if (ti->begin_sectors & ((cc->sector_size >> 9) - 1)) {
		r = fail(ti, "Target start is not a multiple of sector_size feature", DMB_EINVAL);
		goto out;
	}
	if (dmbi_arg_u64(argv[2], &cc->iv_offset) ||
	    (cc->iv_offset & ((cc->sector_size >> 9) - 1))) {
		r = fail(ti, "Invalid iv_offset sector", DMB_EINVAL);
		goto out;
	}
	if (dmbi_arg_u64(argv[4], &cc->start)) {
		r = fail(ti, "Invalid device sector", DMB_EINVAL);
		goto out;
	}
	r = dmbi_crypt_storage_create(ti->ctx, &spec, key, cc->key_size, cc->sector_size,
				      cc->opts & OPT_IV_LARGE, &cc->st);
	if (r) {
		ti->error = "Error allocating crypto tfm";
		goto out;
	}
	r = dmbi_target_get_device(ti, argv[3], cc->start, ti->len_sectors, &cc->dev);
	if (r)
		goto out;
	if ((1u << cc->dev->bdev->block_shift) > cc->sector_size) {
		r = fail(ti, "sector_size is smaller than the device's logical block size", DMB_EINVAL);
		goto out;
	}
	while ((1u << ti->block_shift) < cc->sector_size)
		ti->block_shift = ti->block_shift ? ti->block_shift + 1 : 9;
out:
	dmbi_wipe(key, sizeof(key));
	return r;
}

static void crypt_dtr(struct dmbi_target *ti)
{
	struct crypt *cc = ti->priv;

	if (!cc)
		return;
	dmbi_crypt_storage_destroy(cc->st);
	dmb_port_free(cc->cipher_string);
	dmb_port_free(cc->key_ref);
	if (cc->key)
		dmbi_wipe(cc->key, cc->key_size);
	dmb_port_free(cc->key);
	dmbi_wipe(cc, sizeof(*cc));
	dmb_port_free(cc);
}

static int crypt_read(struct dmbi_target *ti, uint64_t sector, size_t count, void *buf)
{
	struct crypt *cc = ti->priv;
	int r;

	if ((sector | count) & ((cc->sector_size >> 9) - 1))
		return dmb_ctx_set_error(ti->ctx, DMB_EINVAL, "crypt: I/O not aligned to its sector size");
	r = dmbi_bdev_read_sectors(ti->ctx, cc->dev->bdev, cc->start + sector, count, buf);
	if (r)
		return r;
	r = dmbi_crypt_storage_crypt(cc->st, false, sector + cc->iv_offset, buf,
				     count << DMB_SECTOR_SHIFT);
	if (r) {
		/* Ciphertext is not data: hand back none of it. */
		dmbi_wipe(buf, count << DMB_SECTOR_SHIFT);
		return dmb_ctx_set_error(ti->ctx, r, "crypt: decryption failed at sector %llu",
					 (unsigned long long)sector);
	}
	return 0;
}

static int crypt_write(struct dmbi_target *ti, uint64_t sector, size_t count, const void *buf)
{
	struct crypt *cc = ti->priv;
	size_t chunk = WRITE_CHUNK >> DMB_SECTOR_SHIFT;
	const uint8_t *src = buf;
	size_t tmp_len;
	uint8_t *tmp;
	int r = 0;

	if ((sector | count) & ((cc->sector_size >> 9) - 1))
		return dmb_ctx_set_error(ti->ctx, DMB_EINVAL, "crypt: I/O not aligned to its sector size");
	tmp_len = count < chunk ? count << DMB_SECTOR_SHIFT : WRITE_CHUNK;
	tmp = dmb_port_malloc(tmp_len);
	if (!tmp)
		return dmb_ctx_set_error(ti->ctx, DMB_ENOMEM, "crypt: cannot allocate a write buffer");
	while (count && !r) {
		size_t n = count < chunk ? count : chunk;

		memcpy(tmp, src, n << DMB_SECTOR_SHIFT);
		r = dmbi_crypt_storage_crypt(cc->st, true, sector + cc->iv_offset, tmp,
					     n << DMB_SECTOR_SHIFT);
		if (r)
			r = dmb_ctx_set_error(ti->ctx, r, "crypt: encryption failed at sector %llu",
					      (unsigned long long)sector);
		else
			r = dmbi_bdev_write_sectors(ti->ctx, cc->dev->bdev, cc->start + sector, n, tmp);
		src += n << DMB_SECTOR_SHIFT;
		sector += n;
		count -= n;
	}
	/* Plaintext went through it. */
	dmbi_wipe(tmp, tmp_len);
	dmb_port_free(tmp);
	return r;
}

static int crypt_flush(struct dmbi_target *ti)
{
	struct crypt *cc = ti->priv;

	return dmb_bdev_flush(cc->dev->bdev);
}

static void crypt_status(struct dmbi_target *ti, enum dmbi_status_type type, unsigned flags,
			 struct dmbi_strbuf *out)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ OPT_ALLOW_DISCARDS, "allow_discards" },
		{ OPT_SAME_CPU, "same_cpu_crypt" },
		{ OPT_SUBMIT_FROM_CRYPT_CPUS, "submit_from_crypt_cpus" },
		{ OPT_NO_READ_WQ, "no_read_workqueue" },
		{ OPT_NO_WRITE_WQ, "no_write_workqueue" },
	};
	struct crypt *cc = ti->priv;
	unsigned n = 0;

	if (type != DMBI_STATUS_TABLE)
		return;
	dmbi_strbuf_put_arg(out, cc->cipher_string);
	dmbi_strbuf_putc(out, ' ');
	if (cc->key_ref) {
		dmbi_strbuf_printf(out, ":%zu:%s", cc->key_size, cc->key_ref);
	} else if (flags & DMB_FMT_SHOWKEYS) {
		static const char digits[] = "0123456789abcdef";

		for (size_t i = 0; i < cc->key_size; i++) {
			dmbi_strbuf_putc(out, digits[cc->key[i] >> 4]);
			dmbi_strbuf_putc(out, digits[cc->key[i] & 15]);
		}
	} else {
		/* As dmsetup masks it: '0' characters of the same length. */
		for (size_t i = 0; i < 2 * cc->key_size; i++)
			dmbi_strbuf_putc(out, '0');
	}
	dmbi_strbuf_printf(out, " %llu ", (unsigned long long)cc->iv_offset);
	dmbi_strbuf_put_arg(out, cc->dev->name);
	dmbi_strbuf_printf(out, " %llu", (unsigned long long)cc->start);
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(names); i++)
		n += !!(cc->opts & names[i].bit);
	n += cc->sector_size != 512;
	n += !!(cc->opts & OPT_IV_LARGE);
	if (!n)
		return;
	dmbi_strbuf_printf(out, " %u", n);
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(names); i++)
		if (cc->opts & names[i].bit)
			dmbi_strbuf_printf(out, " %s", names[i].name);
	if (cc->sector_size != 512)
		dmbi_strbuf_printf(out, " sector_size:%u", cc->sector_size);
	if (cc->opts & OPT_IV_LARGE)
		dmbi_strbuf_puts(out, " iv_large_sectors");
}

const struct dmbi_target_type dmbi_crypt_target = {
	.name = "crypt",
	.version = { 1, 24, 0 },
	.ctr = crypt_ctr,
	.dtr = crypt_dtr,
	.read = crypt_read,
	.write = crypt_write,
	.flush = crypt_flush,
	.status = crypt_status,
};
