// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host provider's root hash signature check (crypto_sig.c, formats.md
 * §2.4) against signatures made at test time by the openssl tool, the way
 * veritysetup users and systemd's tooling make them: RSA-2048 and EC P-256
 * keys, `smime`/`cms -sign` without certificates or attributes, with the
 * certificate, with signed attributes, and naming the signer by subject key
 * id.  Each must verify against its certificate only; other data, tampering,
 * malformed DER and untrusted signers fail with distinct codes; certificate
 * loading takes PEM bundles, DER files and directories; and every OpenSSL
 * allocation failure is handled without a leak or a wrong acceptance.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "../../ports/posix/dmboot_posix.h"

/* What gets signed: a root hash as dm-verity's table carries it. */
static const char root_hash[] =
	"4c1b2f8e9d0a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c";

static char workdir[] = "/tmp/dmboot-test-sig-XXXXXX";

/* ---- OpenSSL allocations, counted and failed on demand ------------------ */

static long ossl_fail_at, ossl_count;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	if (ossl_fail_at && ++ossl_count >= ossl_fail_at)
		return NULL;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	if (p && n == 0) {
		free(p);
		return NULL;
	}
	if (ossl_fail_at && ++ossl_count >= ossl_fail_at)
		return NULL;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/* ---- helpers --------------------------------------------------------------- */

struct blob {
	uint8_t *p;
	size_t n;
};

static const char *wpath(const char *name)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", workdir, name);
	return p;
}

/* Run a shell command in the work directory; 0 on success. */
static int sh(const char *fmt, ...) DMB_PRINTF(1, 2);

static int sh(const char *fmt, ...)
{
	char cmd[2048];
	size_t n;
	va_list ap;

	n = (size_t)snprintf(cmd, sizeof(cmd), "cd '%s' && ( ", workdir);
	va_start(ap, fmt);
	n += (size_t)vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	snprintf(cmd + n, sizeof(cmd) - n, " ) >>openssl.log 2>&1");
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s (see %s/openssl.log)\n", cmd, workdir);
		return -1;
	}
	return 0;
}

static struct blob slurp(const char *name)
{
	struct blob b = { NULL, 0 };
	FILE *f = fopen(wpath(name), "rb");
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	b.n = (size_t)n;
	b.p = malloc(b.n + 1);
	assert_non_null(b.p);
	assert_int_equal(fread(b.p, 1, b.n, f), b.n);
	fclose(f);
	return b;
}

static void spit(const char *name, const void *p, size_t n)
{
	FILE *f = fopen(wpath(name), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* A provider trusting the named files (NULL-terminated list). */
static void trust(struct dmb_posix_crypto *pc, const char *first, ...)
{
	struct dmb_ctx ctx = { 0 };
	va_list ap;

	dmb_posix_crypto_init(pc);
	va_start(ap, first);
	for (const char *f = first; f; f = va_arg(ap, const char *)) {
		int rc = dmb_posix_crypto_add_trusted(pc, &ctx, wpath(f));

		if (rc)
			fprintf(stderr, "add_trusted(%s): %s\n", f, ctx.msg);
		assert_int_equal(rc, 0);
	}
	va_end(ap);
}

static int check(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx, const struct blob *sig,
		 const char *data, size_t len)
{
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->crypto = &pc->crypto;
	rc = pc->crypto.ops->pkcs7_verify(&pc->crypto, ctx, sig->p, sig->n, (const uint8_t *)data,
					  len);
	/* Whatever happened, nothing is left on OpenSSL's error queue. */
	assert_int_equal(ERR_peek_error(), 0);
	if (rc == 0) {
		assert_int_equal(ctx->err, 0);
	} else {
		assert_int_equal(ctx->err, rc);
		assert_non_null(strstr(ctx->msg, "root hash signature: "));
		assert_null(strchr(ctx->msg, '\n'));
	}
	return rc;
}

static void expect(int got, int want, const struct dmb_ctx *ctx, const char *words,
		   const char *what)
{
	if (got != want || (words && !strstr(ctx->msg, words)))
		fprintf(stderr, "%s: got %d \"%s\", want %d with \"%s\"\n", what, got, ctx->msg,
			want, words ? words : "");
	assert_int_equal(got, want);
	if (words)
		assert_non_null(strstr(ctx->msg, words));
}

/* ---- the signatures under test ------------------------------------------ */

struct variant {
	const char *name; /* file <name>.der */
	const char *cert; /* the signer's certificate */
	const char *how;  /* openssl command line, %1$s = key, %2$s = cert */
	bool tells_other_data; /* "other data" is told apart from corruption */
};

#define NOCERTS_NOATTR_SMIME "smime -sign -nocerts -noattr -binary -outform der"
#define NOCERTS_NOATTR_CMS "cms -sign -nocerts -noattr -binary -outform DER"
#define WITH_CERT_CMS "cms -sign -noattr -binary -outform DER"
#define WITH_ATTRS_CMS "cms -sign -nocerts -binary -outform DER"
#define BY_KEYID_CMS "cms -sign -keyid -nocerts -noattr -binary -outform DER"

static const struct variant variants[] = {
	{ "rsa-smime", "rsa.crt", NOCERTS_NOATTR_SMIME, true },
	{ "rsa-cms", "rsa.crt", NOCERTS_NOATTR_CMS, true },
	{ "rsa-cert", "rsa.crt", WITH_CERT_CMS, true },
	{ "rsa-attrs", "rsa.crt", WITH_ATTRS_CMS, true },
	{ "rsa-keyid", "rsa.crt", BY_KEYID_CMS, true },
	/* ECDSA without attributes cannot tell other data from corruption. */
	{ "ec-smime", "ec.crt", NOCERTS_NOATTR_SMIME, false },
	{ "ec-cms", "ec.crt", NOCERTS_NOATTR_CMS, false },
	{ "ec-cert", "ec.crt", WITH_CERT_CMS, false },
	{ "ec-attrs", "ec.crt", WITH_ATTRS_CMS, true },
	{ "ec-keyid", "ec.crt", BY_KEYID_CMS, false },
};

#define N_VARIANTS (sizeof(variants) / sizeof(variants[0]))

static struct blob sigs[N_VARIANTS];

#define SELF_SIGNED "openssl req -x509 -new -nodes -subj /CN=test -days 1 "

static const char *const keys_and_certs[] = {
	SELF_SIGNED "-newkey rsa:2048 -keyout rsa.key -out rsa.crt",
	SELF_SIGNED "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout ec.key -out ec.crt",
	SELF_SIGNED "-newkey rsa:2048 -keyout other.key -out other.crt",
};

static const char *const other_files[] = {
	/* Malformed or unfit containers. */
	"openssl cms -sign -nodetach -nocerts -noattr -binary -outform DER -in roothash.txt"
	" -inkey rsa.key -signer rsa.crt -out attached.der",
	"openssl crl2pkcs7 -nocrl -certfile rsa.crt -outform DER -out nosigner.der",
	"openssl cms -data_create -binary -outform DER -in roothash.txt -out data.der",
	/* Trust stores. */
	"openssl x509 -in rsa.crt -outform DER -out rsa.der",
	"cat rsa.crt ec.crt >bundle.pem && cat rsa.key rsa.crt >keyandcert.pem",
	"mkdir two two/sub.crt && cp rsa.crt two/a.crt && cp ec.crt two/b.pem"
	" && cp rsa.key two/README",
	"mkdir derdir && cp rsa.der derdir/rsa.der",
	"mkdir empty broken && cp rsa.crt broken/a.crt && echo junk >broken/b.crt",
	"echo 'no certificate here' >text.txt && : >zero.crt",
};

static int make_all(void **state)
{
	(void)state;
	if (!mkdtemp(workdir))
		return -1;
	spit("roothash.txt", root_hash, strlen(root_hash));
	for (size_t i = 0; i < sizeof(keys_and_certs) / sizeof(keys_and_certs[0]); i++)
		if (sh("%s", keys_and_certs[i]))
			return -1;
	for (size_t i = 0; i < N_VARIANTS; i++) {
		const struct variant *v = &variants[i];
		char key[16], file[32];

		snprintf(key, sizeof(key), "%.*s.key", (int)(strchr(v->cert, '.') - v->cert),
			 v->cert);
		snprintf(file, sizeof(file), "%s.der", v->name);
		if (sh("openssl %s -in roothash.txt -inkey %s -signer %s -out %s", v->how, key,
		       v->cert, file))
			return -1;
		sigs[i] = slurp(file);
	}
	for (size_t i = 0; i < sizeof(other_files) / sizeof(other_files[0]); i++)
		if (sh("%s", other_files[i]))
			return -1;
	return 0;
}

static int remove_all(void **state)
{
	char cmd[600];

	(void)state;
	for (size_t i = 0; i < N_VARIANTS; i++)
		free(sigs[i].p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Flip a byte in the middle of the first signer's signature value. */
static struct blob flip_signature_value(const struct blob *sig)
{
	struct blob b = { malloc(sig->n), sig->n };
	const unsigned char *p = sig->p;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig->n);
	CMS_SignerInfo *si;
	ASN1_OCTET_STRING *value;
	uint8_t *at;

	assert_non_null(b.p);
	assert_non_null(cms);
	si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	value = CMS_SignerInfo_get0_signature(si);
	assert_true(value->length >= 64);
	memcpy(b.p, sig->p, sig->n);
	at = memmem(b.p, b.n, value->data, (size_t)value->length);
	assert_non_null(at);
	at[value->length / 2] ^= 0x01;
	CMS_ContentInfo_free(cms);
	return b;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_accepts_each_signature_form(void **state)
{
	struct dmb_posix_crypto pc, both;
	struct dmb_ctx ctx;

	(void)state;
	for (size_t i = 0; i < N_VARIANTS; i++) {
		const struct variant *v = &variants[i];

		trust(&pc, v->cert, NULL);
		expect(check(&pc, &ctx, &sigs[i], root_hash, strlen(root_hash)), 0, &ctx, NULL,
		       v->name);
		dmb_posix_crypto_fini(&pc);
		/* Among other trusted certificates, and after them. */
		trust(&both, "other.crt", v->cert, NULL);
		expect(check(&both, &ctx, &sigs[i], root_hash, strlen(root_hash)), 0, &ctx, NULL,
		       v->name);
		dmb_posix_crypto_fini(&both);
	}
}

static void test_untrusted_signer(void **state)
{
	struct dmb_posix_crypto pc, none;
	struct dmb_ctx ctx;

	(void)state;
	/* The "-cert" variants carry their certificate: it must not count. */
	trust(&pc, "other.crt", NULL);
	dmb_posix_crypto_init(&none);
	for (size_t i = 0; i < N_VARIANTS; i++) {
		expect(check(&pc, &ctx, &sigs[i], root_hash, strlen(root_hash)), DMB_ENOKEY, &ctx,
		       "is not a trusted certificate", variants[i].name);
		expect(check(&none, &ctx, &sigs[i], root_hash, strlen(root_hash)), DMB_ENOKEY,
		       &ctx, "no trusted certificates", variants[i].name);
	}
	/* The signer's name appears: the RSA and EC certificates are both CN=test. */
	expect(check(&pc, &ctx, &sigs[0], root_hash, strlen(root_hash)), DMB_ENOKEY, &ctx,
	       "issuer /CN=test serial 0x", "name in message");
	expect(check(&pc, &ctx, &sigs[4], root_hash, strlen(root_hash)), DMB_ENOKEY, &ctx,
	       "subject key id ", "key id in message");
	dmb_posix_crypto_fini(&pc);
	dmb_posix_crypto_fini(&none);
	/* Each key's signatures against the other key's certificate only. */
	trust(&pc, "ec.crt", NULL);
	expect(check(&pc, &ctx, &sigs[1], root_hash, strlen(root_hash)), DMB_ENOKEY, &ctx, NULL,
	       "rsa against ec");
	dmb_posix_crypto_fini(&pc);
}

static void test_other_data(void **state)
{
	char data[sizeof(root_hash)];
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx;

	(void)state;
	for (size_t i = 0; i < N_VARIANTS; i++) {
		const struct variant *v = &variants[i];
		const char *words = v->tells_other_data ? "trusted key over other data"
						       : "does not verify";

		trust(&pc, v->cert, NULL);
		/* One character different, first, middle or last. */
		for (size_t at = 0; at < 64; at += 21) {
			memcpy(data, root_hash, sizeof(data));
			data[at] = data[at] == '0' ? '1' : '0';
			expect(check(&pc, &ctx, &sigs[i], data, 64), DMB_EVERIFY, &ctx, words,
			       v->name);
		}
		/* Upper case is other data: the hex string is signed, as printed. */
		memcpy(data, root_hash, sizeof(data));
		data[0] = 'C';
		expect(check(&pc, &ctx, &sigs[i], data, 64), DMB_EVERIFY, &ctx, words, v->name);
		/* With a newline, without the last digit, nothing at all. */
		memcpy(data, root_hash, 64);
		data[64] = '\n';
		expect(check(&pc, &ctx, &sigs[i], data, 65), DMB_EVERIFY, &ctx, words, v->name);
		expect(check(&pc, &ctx, &sigs[i], root_hash, 63), DMB_EVERIFY, &ctx, words,
		       v->name);
		expect(check(&pc, &ctx, &sigs[i], "", 0), DMB_EVERIFY, &ctx, words, v->name);
		dmb_posix_crypto_fini(&pc);
	}
}

static void test_corrupt_signature_value(void **state)
{
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx;

	(void)state;
	for (size_t i = 0; i < N_VARIANTS; i++) {
		const struct variant *v = &variants[i];
		struct blob bad = flip_signature_value(&sigs[i]);

		trust(&pc, v->cert, NULL);
		expect(check(&pc, &ctx, &bad, root_hash, strlen(root_hash)), DMB_EVERIFY, &ctx,
		       "corrupt", v->name);
		assert_null(strstr(ctx.msg, "trusted key over other data"));
		dmb_posix_crypto_fini(&pc);
		free(bad.p);
	}
}

static void test_malformed(void **state)
{
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx;
	struct blob b;
	uint8_t junk[512];
	uint32_t x = 0x12345678;

	(void)state;
	trust(&pc, "rsa.crt", "ec.crt", NULL);
	/* Every truncation of every form. */
	for (size_t i = 0; i < N_VARIANTS; i++) {
		for (size_t n = 0; n < sigs[i].n; n++) {
			b = (struct blob){ sigs[i].p, n };
			expect(check(&pc, &ctx, &b, root_hash, 64), DMB_EINVAL, &ctx,
			       n ? "not DER" : "empty", variants[i].name);
		}
	}
	b = (struct blob){ NULL, 0 };
	expect(check(&pc, &ctx, &b, root_hash, 64), DMB_EINVAL, &ctx, "empty", "NULL");
	/* Random bytes, and random bytes behind a SEQUENCE header. */
	for (int round = 0; round < 64; round++) {
		size_t n = 1 + (size_t)round * 7;

		for (size_t k = 0; k < n; k++) {
			x = x * 1103515245u + 12345u;
			junk[k] = (uint8_t)(x >> 16);
		}
		if (round & 1) {
			junk[0] = 0x30;
			junk[1] = (uint8_t)(n - 2 < 0x80 ? n - 2 : 0x7f);
		}
		b = (struct blob){ junk, n };
		expect(check(&pc, &ctx, &b, root_hash, 64), DMB_EINVAL, &ctx, NULL, "random");
	}
	/* Trailing bytes after a good signature. */
	b.n = sigs[1].n + 1;
	b.p = malloc(b.n);
	assert_non_null(b.p);
	memcpy(b.p, sigs[1].p, sigs[1].n);
	b.p[sigs[1].n] = 0;
	expect(check(&pc, &ctx, &b, root_hash, 64), DMB_EINVAL, &ctx, "trailing", "trailing");
	free(b.p);

	b = slurp("attached.der");
	expect(check(&pc, &ctx, &b, root_hash, 64), DMB_EINVAL, &ctx, "not detached", "attached");
	free(b.p);
	b = slurp("nosigner.der");
	expect(check(&pc, &ctx, &b, root_hash, 64), DMB_EINVAL, &ctx, "no signer", "nosigner");
	free(b.p);
	b = slurp("data.der");
	expect(check(&pc, &ctx, &b, root_hash, 64), DMB_EINVAL, &ctx, "not a PKCS#7 SignedData",
	       "data");
	free(b.p);
	b = slurp("rsa.der"); /* a certificate, not a signature */
	expect(check(&pc, &ctx, &b, root_hash, 64), DMB_EINVAL, &ctx, NULL, "certificate");
	free(b.p);
	dmb_posix_crypto_fini(&pc);
}

/*
 * Any one byte of a signature changed: whatever the verdict, it is one of
 * the documented codes with a message, and OpenSSL is left clean.  (Some
 * bytes are not covered by the signature, such as the outer list of digest
 * algorithms, so a few changes still verify, as they do for the kernel.)
 */
static void test_every_byte_changed(void **state)
{
	static const size_t which[] = { 1, 3, 8 }; /* rsa-cms, rsa-attrs, ec-attrs */
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx;

	(void)state;
	trust(&pc, "rsa.crt", "ec.crt", NULL);
	for (size_t w = 0; w < sizeof(which) / sizeof(which[0]); w++) {
		const struct blob *sig = &sigs[which[w]];
		struct blob b = { malloc(sig->n), sig->n };

		assert_non_null(b.p);
		for (size_t at = 0; at < sig->n; at++) {
			int rc;

			memcpy(b.p, sig->p, sig->n);
			b.p[at] ^= 0x5a;
			rc = check(&pc, &ctx, &b, root_hash, 64);
			assert_true(rc == 0 || rc == DMB_EINVAL || rc == DMB_ENOKEY ||
				    rc == DMB_EVERIFY);
		}
		free(b.p);
	}
	dmb_posix_crypto_fini(&pc);
}

static int add(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx, const char *name)
{
	memset(ctx, 0, sizeof(*ctx));
	return dmb_posix_crypto_add_trusted(pc, ctx, name[0] == '/' ? name : wpath(name));
}

static int n_trusted(const struct dmb_posix_crypto *pc)
{
	return pc->trusted ? sk_X509_num((STACK_OF(X509) *)pc->trusted) : 0;
}

static void test_add_trusted(void **state)
{
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx;

	(void)state;
	/* A directory: its *.crt and *.pem; not README, not a directory named *.crt. */
	dmb_posix_crypto_init(&pc);
	assert_int_equal(add(&pc, &ctx, "two"), 0);
	assert_int_equal(n_trusted(&pc), 2);
	expect(check(&pc, &ctx, &sigs[1], root_hash, 64), 0, &ctx, NULL, "dir rsa");
	expect(check(&pc, &ctx, &sigs[6], root_hash, 64), 0, &ctx, NULL, "dir ec");
	/* Adding accumulates. */
	assert_int_equal(add(&pc, &ctx, "other.crt"), 0);
	assert_int_equal(n_trusted(&pc), 3);
	dmb_posix_crypto_fini(&pc);
	assert_null(pc.trusted);
	dmb_posix_crypto_fini(&pc); /* twice is fine */

	/* A PEM bundle. */
	dmb_posix_crypto_init(&pc);
	assert_int_equal(add(&pc, &ctx, "bundle.pem"), 0);
	assert_int_equal(n_trusted(&pc), 2);
	expect(check(&pc, &ctx, &sigs[3], root_hash, 64), 0, &ctx, NULL, "bundle rsa");
	expect(check(&pc, &ctx, &sigs[8], root_hash, 64), 0, &ctx, NULL, "bundle ec");
	dmb_posix_crypto_fini(&pc);

	/* A key and a certificate in one PEM file: the key is skipped. */
	dmb_posix_crypto_init(&pc);
	assert_int_equal(add(&pc, &ctx, "keyandcert.pem"), 0);
	assert_int_equal(n_trusted(&pc), 1);
	dmb_posix_crypto_fini(&pc);

	/* A DER file, alone and in a directory. */
	dmb_posix_crypto_init(&pc);
	assert_int_equal(add(&pc, &ctx, "rsa.der"), 0);
	assert_int_equal(add(&pc, &ctx, "derdir"), 0);
	assert_int_equal(n_trusted(&pc), 2);
	expect(check(&pc, &ctx, &sigs[0], root_hash, 64), 0, &ctx, NULL, "der rsa");
	expect(check(&pc, &ctx, &sigs[5], root_hash, 64), DMB_ENOKEY, &ctx, NULL, "der ec");
	dmb_posix_crypto_fini(&pc);

	/* Failures name the path and leave the trusted set as it was. */
	dmb_posix_crypto_init(&pc);
	assert_int_equal(add(&pc, &ctx, "rsa.crt"), 0);
	expect(add(&pc, &ctx, "missing.crt"), DMB_ENOENT, &ctx, "missing.crt", "missing");
	expect(add(&pc, &ctx, "/nonexistent/dir/x.pem"), DMB_ENOENT, &ctx, "/nonexistent",
	       "missing dir");
	expect(add(&pc, &ctx, "text.txt"), DMB_EINVAL, &ctx, "no certificate", "text");
	expect(add(&pc, &ctx, "rsa.key"), DMB_EINVAL, &ctx, "no certificate", "key only");
	expect(add(&pc, &ctx, "zero.crt"), DMB_EINVAL, &ctx, "no certificate", "empty file");
	expect(add(&pc, &ctx, "empty"), DMB_EINVAL, &ctx, "no *.crt", "empty dir");
	expect(add(&pc, &ctx, "broken"), DMB_EINVAL, &ctx, "b.crt", "broken dir");
	expect(add(&pc, &ctx, "/dev/null"), DMB_EINVAL, &ctx, "/dev/null", "device");
	assert_int_equal(n_trusted(&pc), 1);
	if (geteuid() != 0) {
		assert_int_equal(sh("cp rsa.crt locked.crt && chmod 000 locked.crt"), 0);
		expect(add(&pc, &ctx, "locked.crt"), DMB_EACCES, &ctx, "locked.crt", "locked");
	}
	dmb_posix_crypto_fini(&pc);
}

/*
 * Every OpenSSL allocation in a check, failed in turn: a good signature is
 * accepted or refused with an error code, a signature over other data is
 * never accepted, and valgrind/ASan see no leak.
 */
static void test_allocation_failures(void **state)
{
	static const size_t which[] = { 1, 3, 6, 8 };
	struct dmb_posix_crypto pc, grown;
	struct dmb_ctx ctx;
	char other[sizeof(root_hash)];
	int rc;

	(void)state;
	memcpy(other, root_hash, sizeof(other));
	other[10] ^= 1;
	trust(&pc, "rsa.crt", "ec.crt", NULL);
	for (size_t w = 0; w < sizeof(which) / sizeof(which[0]); w++) {
		const struct blob *sig = &sigs[which[w]];

		for (long n = 1;; n++) {
			ossl_count = 0;
			ossl_fail_at = n;
			rc = check(&pc, &ctx, sig, root_hash, 64);
			assert_true(rc == 0 || rc == DMB_ENOMEM || rc == DMB_EINVAL ||
				    rc == DMB_ENOKEY || rc == DMB_EVERIFY);
			ossl_count = 0;
			assert_int_not_equal(check(&pc, &ctx, sig, other, 64), 0);
			if (ossl_count < n)
				break; /* no allocation was failed: all covered */
		}
		ossl_fail_at = 0;
		expect(check(&pc, &ctx, sig, root_hash, 64), 0, &ctx, NULL, "after");
	}
	dmb_posix_crypto_fini(&pc);

	/* Loading: success, or an error that leaves the set unchanged. */
	trust(&grown, "other.crt", NULL);
	for (long n = 1;; n++) {
		ossl_count = 0;
		ossl_fail_at = n;
		rc = add(&grown, &ctx, "two");
		ossl_fail_at = 0;
		if (rc == 0) {
			assert_int_equal(n_trusted(&grown), 3);
			break;
		}
		assert_int_equal(n_trusted(&grown), 1);
	}
	dmb_posix_crypto_fini(&grown);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_each_signature_form),
		cmocka_unit_test(test_untrusted_signer),
		cmocka_unit_test(test_other_data),
		cmocka_unit_test(test_corrupt_signature_value),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_every_byte_changed),
		cmocka_unit_test(test_add_trusted),
		cmocka_unit_test(test_allocation_failures),
	};

	/* Before OpenSSL allocates anything. */
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
		return 1;
	return cmocka_run_group_tests(tests, make_all, remove_all);
}
