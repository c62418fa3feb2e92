// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dm-crypt cipher specifications (formats.md §1.7): the legacy form
 * cipher[:keycount]-chainmode-ivmode[:ivopts] and the crypto API form
 * capi:chainmode(cipher)-ivmode[:ivopts], split as Linux splits them, with
 * the kernel's messages for malformed ones.  AEAD and the IV modes of other
 * disk encryption formats (lmk, tcw, elephant, eboiv, random) are refused
 * by name.
 */
#include "crypt.h"

/* Copy [s, s + n) into a name field; false when it does not fit. */
static bool put_name(char *dst, const char *s, size_t n)
{
	if (n >= DMBI_CRYPT_NAME_MAX)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

static const char *find_last(const char *s, const char *end, char c)
{
	const char *hit = NULL;

	for (; s < end; s++)
		if (*s == c)
			hit = s;
	return hit;
}

static const char *find_first(const char *s, const char *end, char c)
{
	for (; s < end; s++)
		if (*s == c)
			return s;
	return NULL;
}

static int iv_mode(const char *mode, struct dmbi_crypt_spec *sp, const char **why)
{
	static const struct {
		const char *name;
		enum dmbi_crypt_iv iv;
	} modes[] = {
		{ "plain", DMBI_IV_PLAIN },   { "plain64", DMBI_IV_PLAIN64 },
		{ "plain64be", DMBI_IV_PLAIN64BE }, { "essiv", DMBI_IV_ESSIV },
		{ "benbi", DMBI_IV_BENBI },   { "null", DMBI_IV_NULL },
	};
	static const char *const refused[] = { "lmk", "tcw", "random", "elephant", "eboiv" };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (dmbi_strcmp(mode, modes[i].name) == 0) {
			sp->iv = modes[i].iv;
			return 0;
		}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (dmbi_strcmp(mode, refused[i]) == 0) {
			*why = "IV mode not supported (lmk, tcw, random, elephant, eboiv)";
			return DMB_ENOTSUP;
		}
	*why = "Invalid IV mode";
	return DMB_EINVAL;
}

/* capi:chain(cipher)-ivmode[:ivopts] */
static int parse_capi(const char *s, struct dmbi_crypt_spec *sp, char *ivmode, const char **why)
{
	const char *end = s + dmbi_strlen(s), *colon, *dash, *open, *close;

	colon = find_last(s, end, ':');
	if (colon) {
		if (!put_name(sp->ivopts, colon + 1, (size_t)(end - colon - 1)))
			goto bad;
		end = colon;
	}
	dash = find_last(s, end, '-');
	if (dash) {
		if (!put_name(ivmode, dash + 1, (size_t)(end - dash - 1)))
			goto bad;
		end = dash;
	}
	open = find_first(s, end, '(');
	close = end > s ? end - 1 : NULL;
	if (dmbi_str_prefix(s, "authenc") || dmbi_str_prefix(s, "gcm") ||
	    dmbi_str_prefix(s, "rfc4") || dmbi_str_prefix(s, "ccm")) {
		*why = "AEAD ciphers (integrity) are not supported";
		return DMB_ENOTSUP;
	}
	/* Only chain(cipher), one level: what the legacy form can also say. */
	if (!open || !close || *close != ')' || open == s ||
	    find_first(open + 1, close, '(') || find_first(open + 1, close, ')')) {
		*why = "Cipher API specification not supported (only chainmode(cipher))";
		return DMB_ENOTSUP;
	}
	if (!put_name(sp->chain, s, (size_t)(open - s)) ||
	    !put_name(sp->cipher, open + 1, (size_t)(close - open - 1)) || !sp->cipher[0])
		goto bad;
	return 0;
bad:
	*why = "Bad cipher specification";
	return DMB_EINVAL;
}

/* cipher[:keycount]-chainmode-ivmode[:ivopts] */
static int parse_legacy(const char *s, struct dmbi_crypt_spec *sp, char *ivmode, const char **why)
{
	const char *end = s + dmbi_strlen(s), *d1, *d2, *kc, *colon;
	const char *chain;
	size_t chain_len;

	if (dmbi_strchr(s, '(')) {
		*why = "Bad cipher specification";
		return DMB_EINVAL;
	}
	d1 = find_first(s, end, '-');
	kc = find_first(s, d1 ? d1 : end, ':');
	if (!put_name(sp->cipher, s, (size_t)((kc ? kc : d1 ? d1 : end) - s)))
		goto bad;
	if (kc) {
		uint64_t n;

		if (dmbi_parse_u64_len(kc + 1, (size_t)((d1 ? d1 : end) - kc - 1), 10, &n) ||
		    n == 0 || (n & (n - 1)) ||
		    n > DMBI_CRYPT_MAX_KEYCOUNT)
			goto bad_count;
		sp->keycount = (unsigned)n;
	}
	if (!d1) {
		chain = NULL;
		chain_len = 0;
	} else {
		chain = d1 + 1;
		d2 = find_first(chain, end, '-');
		chain_len = (size_t)((d2 ? d2 : end) - chain);
		if (d2) {
			const char *m = d2 + 1;

			colon = find_first(m, end, ':');
			if (!put_name(ivmode, m, (size_t)((colon ? colon : end) - m)))
				goto bad;
			if (colon && !put_name(sp->ivopts, colon + 1, (size_t)(end - colon - 1)))
				goto bad;
		}
	}
	/* A bare cipher, or "cipher-plain", is cbc-plain (the oldest default). */
	if (!chain || (chain_len == 5 && memcmp(chain, "plain", 5) == 0 && !ivmode[0])) {
		memcpy(sp->chain, "cbc", 4);
		memcpy(ivmode, "plain", 6);
	} else if (!put_name(sp->chain, chain, chain_len)) {
		goto bad;
	}
	if (!sp->cipher[0] || !sp->chain[0])
		goto bad;
	if (dmbi_strcmp(sp->chain, "ecb") && !ivmode[0]) {
		*why = "IV mechanism required";
		return DMB_EINVAL;
	}
	return 0;
bad_count:
	*why = "Bad cipher key count specification";
	return DMB_EINVAL;
bad:
	*why = "Bad cipher specification";
	return DMB_EINVAL;
}

int dmbi_crypt_spec_parse(const char *spec, struct dmbi_crypt_spec *out, const char **why)
{
	char ivmode[DMBI_CRYPT_NAME_MAX] = "";
	int r;

	memset(out, 0, sizeof(*out));
	out->keycount = 1;
	*why = NULL;
	if (dmbi_str_prefix(spec, "capi:")) {
		out->capi = true;
		r = parse_capi(spec + 5, out, ivmode, why);
	} else {
		r = parse_legacy(spec, out, ivmode, why);
	}
	if (r)
		return r;
	/* ecb has no IV: an IV mode given with it is ignored, as Linux does. */
	if (dmbi_strcmp(out->chain, "ecb") == 0) {
		out->iv = DMBI_IV_NONE;
		out->ivopts[0] = '\0';
		return 0;
	}
	if (!ivmode[0]) {
		*why = "IV mechanism required";
		return DMB_EINVAL;
	}
	r = iv_mode(ivmode, out, why);
	if (r)
		return r;
	if (out->iv == DMBI_IV_ESSIV && !out->ivopts[0]) {
		*why = "Digest algorithm missing for ESSIV mode";
		return DMB_EINVAL;
	}
	if (out->iv != DMBI_IV_ESSIV)
		out->ivopts[0] = '\0';
	return 0;
}
