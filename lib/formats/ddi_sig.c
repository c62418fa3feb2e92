// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The -verity-sig partition (docs/formats.md §6.4): NUL-padded JSON read
 * with bounds and parsed in one pass by the base JSON tokenizer, its
 * root hash checked against one the caller gave, and its PKCS#7 signature
 * checked over the hex root hash before anything is mapped.
 */
#include "ddi_internal.h"

bool dmbi_ddi_zero_uuid_in(const uint8_t *root_hash, size_t size)
{
	bool first = true, last = true;

	for (size_t i = 0; i < 16; i++) {
		first &= root_hash[i] == 0;
		last &= root_hash[size - 16 + i] == 0;
	}
	return first || last;
}

/* ---- the -verity-sig partition's JSON ---------------------------------- */

/* A JSON string token's text; only "\/" is an escape a hex or base64 value may hold. */
static int json_string(struct dmb_ctx *ctx, const char *who, const char *json,
		       const struct dmbi_json_tok *t, char *out, size_t cap, size_t *len)
{
	size_t n = 0;

	if (t->type != DMBI_JSON_STRING)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: a value is not a string", who);
	for (uint32_t i = t->start; i < t->end; i++) {
		char c = json[i];

		if (c == '\\') {
			if (i + 1 >= t->end || json[i + 1] != '/')
				return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						  "%s: unexpected escape in a string value", who);
			c = '/';
			i++;
		}
		if (n + 1 >= cap)
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: string value longer than %zu bytes",
						 who, cap - 1);
		out[n++] = c;
	}
	out[n] = '\0';
	*len = n;
	return 0;
}

/*
 * The -verity-sig partition: JSON padded with NUL bytes; after the first
 * NUL only NULs.  {"rootHash": hex, "signature": base64 DER,
 * "certificateFingerprint": hex (optional), ...}.  A member named twice is
 * refused: which of the two counts would otherwise be up to the reader.
 */
int dmbi_ddi_sig_json_parse(struct dmb_ctx *ctx, const char *who, const char *text, size_t len,
			    struct dmb_ddi_verity *v)
{
	struct dmbi_json j = { .max_depth = DMBI_DDI_SIG_MAX_DEPTH };
	char *buf = NULL;
	size_t json_len = 0, blen;
	int r = 0;
	bool have_root = false, have_fingerprint = false;

	while (json_len < len && text[json_len])
		json_len++;
	for (size_t i = json_len; i < len; i++)
		if (text[i])
			return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: data after the JSON's end at byte %zu",
						 who, i);
	if (json_len == 0)
		return dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: no JSON", who);
	/* Every token but the last takes two bytes at least ("1," "[]" "\"\":"). */
	j.cap = DMBI_MIN(json_len / 2 + 1, (size_t)DMBI_DDI_SIG_MAX_TOKENS);
	j.tok = dmbi_calloc(j.cap, sizeof(*j.tok));
	buf = dmb_port_malloc(json_len + 1);
	if (!j.tok || !buf) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "%s: out of memory", who);
		goto out;
	}
	r = dmbi_json_parse(&j, text, json_len);
	if (r) {
		if (j.error == DMBI_JSON_EDEPTH)
			r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: JSON nested deeper than %u levels at byte %zu",
					      who, DMBI_DDI_SIG_MAX_DEPTH, j.at);
		else if (j.error == DMBI_JSON_ETOKENS)
			r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: JSON of more than %d values", who,
					      DMBI_DDI_SIG_MAX_TOKENS);
		else
			r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: malformed JSON at byte %zu", who, j.at);
		goto out;
	}
	if (j.tok[0].type != DMBI_JSON_OBJECT) {
		r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: the JSON is not an object", who);
		goto out;
	}
	for (uint32_t i = 1; i < j.count && !r; i = j.tok[i + 1].next) {
		const struct dmbi_json_tok *key = &j.tok[i], *val = &j.tok[i + 1];

		if (dmbi_json_eq(text, key, "rootHash")) {
			if (have_root) {
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: two rootHash members", who);
				break;
			}
			r = json_string(ctx, who, text, val, buf, json_len + 1, &blen);
			if (!r && (blen % 2 || blen / 2 < 16 || blen / 2 > DMB_MAX_DIGEST_SIZE ||
				   dmb_hex_decode(buf, v->root_hash, blen / 2) != 0))
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: rootHash is not a hex digest", who);
			if (!r && dmbi_ddi_zero_uuid_in(v->root_hash, blen / 2))
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						      "%s: rootHash gives an all-zero partition UUID", who);
			/*
			 * Only a valid rootHash has a size: DMB_DDI_KEEP_GOING keeps
			 * going with what is here, and pairs partitions by it.
			 */
			if (!r)
				v->root_hash_size = blen / 2;
			have_root = true;
		} else if (dmbi_json_eq(text, key, "signature")) {
			if (v->signature) {
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: two signature members", who);
				break;
			}
			r = json_string(ctx, who, text, val, buf, json_len + 1, &blen);
			if (!r) {
				v->signature = dmb_port_malloc(blen / 4 * 3 + 1);
				if (!v->signature)
					r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "%s: out of memory", who);
			}
			if (!r && (blen == 0 || dmbi_base64_decode(buf, blen, v->signature, blen / 4 * 3 + 1,
								   &v->signature_size) != 0))
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: signature is not base64", who);
		} else if (dmbi_json_eq(text, key, "certificateFingerprint")) {
			if (have_fingerprint) {
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						      "%s: two certificateFingerprint members", who);
				break;
			}
			have_fingerprint = true;
			r = json_string(ctx, who, text, val, buf, json_len + 1, &blen);
			for (size_t c = 0; !r && c < blen; c++)
				if (dmbi_hex_digit(buf[c]) < 0)
					blen = 0;
			if (!r && blen != 64)
				r = dmb_ctx_set_error(ctx, DMB_ECORRUPT,
						      "%s: certificateFingerprint is not a SHA-256 hex digest", who);
			/* Kept in lower case, as systemd-repart writes it and ddi.h promises. */
			for (size_t c = 0; !r && c < 64; c++)
				v->cert_fingerprint[c] = buf[c] >= 'A' && buf[c] <= 'F' ?
								 (char)(buf[c] - 'A' + 'a') : buf[c];
			if (!r)
				v->cert_fingerprint[64] = '\0';
		}
	}
	if (!r && !have_root)
		r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: no rootHash", who);
	if (!r && !v->signature)
		r = dmb_ctx_set_error(ctx, DMB_ECORRUPT, "%s: no signature", who);
out:
	dmb_port_free(j.tok);
	dmb_port_free(buf);
	return r;
}

/*
 * A rootHash cut short (or padded) still decodes as hex, names the data
 * partition by its first 16 bytes and is the text the signature is checked
 * over: the verdict would be a signature "over other data".  Its size is
 * checked against the digests of the -verity partition's superblock first,
 * so that it is refused as what it is.  A superblock that cannot be read
 * is left to the table (dmb_ddi_table() refuses it there).
 */
static int check_root_hash_size(struct dmb_ctx *ctx, struct dmb_bdev *disk, struct dmb_ddi *ddi,
				struct dmb_ddi_verity *v, const struct dmb_ddi_partition *hash)
{
	struct dmb_verity_params p;
	struct dmb_verity_geometry g;
	struct dmb_slice_bdev hs;
	struct dmb_ctx quiet = *ctx; /* the digest's size needs ctx->crypto; errors stay here */
	size_t n = v->root_hash_size;

	if (!hash || dmbi_ddi_open_slice(&quiet, disk, ddi, hash, &hs) ||
	    dmb_verity_sb_load(&quiet, &hs.bdev, 0, &p) || dmb_verity_geometry(&quiet, &p, &g) ||
	    g.digest_size == n)
		return 0;
	v->root_hash_size = 0;
	return dmb_ctx_set_error(ctx, DMB_ECORRUPT,
				 "%s partition %u: rootHash is %zu bytes, not a %s digest of %zu bytes as the %s partition %u holds",
				 dmbi_ddi_pname(v->sig), v->sig->part->number, n, p.hash_name,
				 g.digest_size, dmbi_ddi_pname(hash), hash->part->number);
}

/* Read, parse and verify the signature partition of verity v. */
int dmbi_ddi_load_signature(struct dmb_ctx *ctx, struct dmb_bdev *disk, struct dmb_ddi *ddi,
			    struct dmb_ddi_verity *v, const struct dmb_ddi_partition *hash,
			    const uint8_t *given, size_t given_size)
{
	const struct dmb_ddi_partition *sig = v->sig;
	struct dmb_slice_bdev sb;
	uint64_t bytes;
	char *text = NULL, hex[2 * DMB_MAX_DIGEST_SIZE + 1];
	int r = dmbi_ddi_open_slice(ctx, disk, ddi, sig, &sb);

	if (r)
		return r;
	bytes = dmb_bdev_bytes(&sb.bdev);
	if (bytes > DMB_DDI_MAX_SIG_PART_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "%s partition %u: %llu bytes, over %u",
				  dmbi_ddi_pname(sig), sig->part->number, (unsigned long long)bytes,
				  DMB_DDI_MAX_SIG_PART_BYTES);
	text = dmb_port_malloc(bytes ? (size_t)bytes : 1);
	if (!text)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory reading %s", dmbi_ddi_pname(sig));
	r = dmb_bdev_read_bytes(&sb.bdev, 0, (size_t)bytes, text);
	if (r) {
		r = dmb_ctx_set_error(ctx, r, "%s partition %u: read failed: %s", dmbi_ddi_pname(sig),
				      sig->part->number, dmb_strerror(r));
		goto out;
	}
	{
		char who[40];

		dmbi_snprintf(who, sizeof(who), "%s partition %u", dmbi_ddi_pname(sig), sig->part->number);
		r = dmbi_ddi_sig_json_parse(ctx, who, text, (size_t)bytes, v);
	}
	if (!r)
		r = check_root_hash_size(ctx, disk, ddi, v, hash);
	if (r)
		goto out;
	if (given_size && (given_size != v->root_hash_size ||
			   dmb_memcmp_ct(given, v->root_hash, given_size) != 0)) {
		r = dmb_ctx_set_error(ctx, DMB_EVERIFY,
			       "%s partition %u: the signed root hash differs from the one given",
			       dmbi_ddi_pname(sig), sig->part->number);
		goto out;
	}
	if (!ctx->crypto || !ctx->crypto->ops || !ctx->crypto->ops->pkcs7_verify) {
		r = dmb_ctx_set_error(ctx, DMB_ENOTSUP, "%s: no signature verifier", dmbi_ddi_pname(sig));
		goto out;
	}
	/* Signed is the root hash as the kernel's table carries it: lowercase hex. */
	dmb_hex_encode(v->root_hash, v->root_hash_size, hex);
	{
		struct dmb_ctx vctx = *ctx;

		vctx.err = 0;
		vctx.msg[0] = '\0';
		r = ctx->crypto->ops->pkcs7_verify(ctx->crypto, &vctx, v->signature,
						   v->signature_size, (const uint8_t *)hex,
						   2 * v->root_hash_size);
		if (r)
			dmb_ctx_set_error(ctx, r, "%s partition %u: %s", dmbi_ddi_pname(sig), sig->part->number,
					  vctx.msg[0] ? vctx.msg : dmb_strerror(r));
	}
out:
	dmb_port_free(text);
	return r;
}
