// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The host crypto provider's signature check (crypto.h pkcs7_verify) and its
 * trusted certificates (dmboot_posix.h), over OpenSSL libcrypto 3's CMS code.
 * It checks dm-verity root hash signatures (docs/formats.md §2.4, §6.4): a
 * DER PKCS#7/CMS SignedData, detached, content type data, over the hex root
 * hash.  The trust model is systemd's (PKCS7_verify with
 * PKCS7_NOINTERN|PKCS7_NOVERIFY): every signer must itself be one of the
 * trusted certificates, matched by issuer and serial number or subject key
 * identifier.  Certificates carried in the signature are never trusted,
 * nothing is chained, and certificate purpose and validity dates are not
 * looked at.  (The kernel would also accept a signer certificate carried in
 * the signature and issued by a trusted key; we do not.)  Every failure
 * leaves one line in ctx and no OpenSSL error queue.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto_internal.h"

/*
 * A Linux "user" key payload, where the kernel takes the signature from, is
 * at most 32767 bytes; a signature carrying a certificate chain is still far
 * below this cap, which only bounds what a hostile input can make us parse.
 */
#define SIG_MAX_BYTES (1u << 20)

/* Certificate files are small; ca-certificates' whole bundle is ~200 KiB. */
#define CERT_FILE_MAX_BYTES (8u << 20)

#define SIG_PREFIX "root hash signature: "

static int vfail(struct dmb_ctx *ctx, int err, const char *prefix, const char *fmt, va_list ap)
	DMB_PRINTF(4, 0);

static int vfail(struct dmb_ctx *ctx, int err, const char *prefix, const char *fmt, va_list ap)
{
	char reason[DMB_MSG_MAX];

	/* libc's vsnprintf: the reasons may use conversions lib/'s does not. */
	vsnprintf(reason, sizeof(reason), fmt, ap);
	return dmb_ctx_set_error(ctx, err, "%s%s", prefix, reason);
}

/* Record a signature failure as "root hash signature: <reason>"; returns err. */
static int sig_fail(struct dmb_ctx *ctx, int err, const char *fmt, ...) DMB_PRINTF(3, 4);

static int sig_fail(struct dmb_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ctx, err, SIG_PREFIX, fmt, ap);
	va_end(ap);
	return err;
}

/* Record a certificate loading failure as "<path>: <reason>"; returns err. */
static int path_fail(struct dmb_ctx *ctx, int err, const char *path, const char *fmt, ...)
	DMB_PRINTF(4, 5);

static int path_fail(struct dmb_ctx *ctx, int err, const char *path, const char *fmt, ...)
{
	char prefix[DMB_MSG_MAX];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s: ", path);
	va_start(ap, fmt);
	vfail(ctx, err, prefix, fmt, ap);
	va_end(ap);
	return err;
}

static int errno_code(int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return DMB_ENOENT;
	if (e == EACCES || e == EPERM)
		return DMB_EACCES;
	if (e == ENOMEM)
		return DMB_ENOMEM;
	return DMB_EIO;
}

/*
 * Whether an OpenSSL call failed for want of memory.  This drains the error
 * queue, which every entry point clears on the way out anyway: a failed
 * allocation deep in a decoder is reported under several nested errors.
 */
static bool ossl_out_of_memory(void)
{
	bool oom = false;
	unsigned long e;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
			oom = true;
	return oom;
}

/* A failed OpenSSL call: DMB_ENOMEM if it ran out of memory, else err. */
static int sig_ossl_fail(struct dmb_ctx *ctx, int err, const char *why)
{
	if (ossl_out_of_memory())
		return sig_fail(ctx, DMB_ENOMEM, "out of memory");
	return sig_fail(ctx, err, "%s", why);
}

#define MSG_CORRUPT "signature is corrupt"
#define MSG_OTHER_DATA "made by a trusted key over other data than this root hash"

static void hex_bytes(const unsigned char *p, int n, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < n && o + 3 <= cap; i++, o += 2)
		snprintf(out + o, cap - o, "%02x", p[i]);
}

/* "issuer /CN=x serial 0x..." or "subject key id ..." for messages. */
static void describe_signer(CMS_SignerInfo *si, char *out, size_t cap)
{
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	char name[96], hex[2 * 20 + 1];

	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1) {
		snprintf(out, cap, "of unknown identity");
	} else if (keyid) {
		hex_bytes(ASN1_STRING_get0_data(keyid), ASN1_STRING_length(keyid), hex,
			  sizeof(hex));
		snprintf(out, cap, "with subject key id %s", hex);
	} else {
		if (!issuer || !X509_NAME_oneline(issuer, name, sizeof(name)))
			snprintf(name, sizeof(name), "?");
		hex[0] = '\0';
		if (serial)
			hex_bytes(ASN1_STRING_get0_data(serial), ASN1_STRING_length(serial), hex,
				  sizeof(hex));
		snprintf(out, cap, "issuer %s serial 0x%s", name, hex);
	}
}

/*
 * Decode and check the outer structure: exactly sig_len bytes of a
 * ContentInfo holding a SignedData whose encapsulated content is absent
 * (detached) and of type data, with at least one signer.  The kernel refuses
 * the same (pkcs7_parse_message, and verify_pkcs7_signature with
 * VERIFYING_UNSPECIFIED_SIGNATURE wants id-data and supplies the data).
 */
static int parse_signed_data(struct dmb_ctx *ctx, const uint8_t *sig, size_t sig_len,
			     CMS_ContentInfo **out)
{
	const unsigned char *p = sig;
	CMS_ContentInfo *cms = NULL;
	const ASN1_OBJECT *type;
	int rc = 0;

	*out = NULL;
	if (!sig || sig_len == 0)
		return sig_fail(ctx, DMB_EINVAL, "empty");
	if (sig_len > SIG_MAX_BYTES)
		return sig_fail(ctx, DMB_EINVAL, "%zu bytes, more than the %u allowed", sig_len,
				SIG_MAX_BYTES);

	cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig_len);
	if (!cms) {
		rc = sig_ossl_fail(ctx, DMB_EINVAL, "not DER PKCS#7/CMS");
	} else if (p != sig + sig_len) {
		rc = sig_fail(ctx, DMB_EINVAL, "%zu bytes of trailing data after the PKCS#7",
			      sig_len - (size_t)(p - sig));
	} else if ((type = CMS_get0_type(cms)) == NULL || OBJ_obj2nid(type) != NID_pkcs7_signed) {
		rc = sig_fail(ctx, DMB_EINVAL, "not a PKCS#7 SignedData");
	} else if ((type = CMS_get0_eContentType(cms)) == NULL ||
		   OBJ_obj2nid(type) != NID_pkcs7_data) {
		rc = sig_fail(ctx, DMB_EINVAL, "signed content type is not data");
	} else if (CMS_is_detached(cms) != 1) {
		rc = sig_fail(ctx, DMB_EINVAL, "not detached: it carries its own content");
	} else if (sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) <= 0) {
		rc = sig_fail(ctx, DMB_EINVAL, "no signer");
	}
	if (rc == 0)
		*out = cms;
	else
		CMS_ContentInfo_free(cms);
	return rc;
}

/* The signer's digest algorithm, which OpenSSL must know. */
static int signer_digest(struct dmb_ctx *ctx, CMS_SignerInfo *si, const EVP_MD **md)
{
	X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *oid = NULL;
	char name[64];

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &alg, NULL);
	if (alg)
		X509_ALGOR_get0(&oid, NULL, NULL, alg);
	*md = oid ? EVP_get_digestbyobj(oid) : NULL;
	if (*md && EVP_MD_get_size(*md) > 0)
		return 0;
	if (!oid || OBJ_obj2txt(name, sizeof(name), oid, 0) <= 0)
		snprintf(name, sizeof(name), "?");
	return sig_fail(ctx, DMB_EINVAL, "unsupported digest algorithm %s", name);
}

/*
 * With signed attributes the signature covers them, and they must say what
 * was signed: a content type of data (as the kernel's
 * pkcs7_sig_note_authenticated_attr insists) and exactly one messageDigest of
 * the signer's digest length.  Checked up front so that a later failure can
 * only mean a bad signature or a digest of other data.
 */
static int check_signed_attrs(struct dmb_ctx *ctx, CMS_SignerInfo *si, const EVP_MD *md)
{
	const ASN1_OBJECT *type;
	const ASN1_OCTET_STRING *digest;

	if (CMS_signed_get_attr_count(si) < 0)
		return 0;
	/* lastpos -3: exactly one such attribute, with exactly one value. */
	type = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3,
					   V_ASN1_OBJECT);
	if (!type || OBJ_obj2nid(type) != NID_pkcs7_data)
		return sig_fail(ctx, DMB_EINVAL, "no content type attribute saying data");
	digest = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
					     V_ASN1_OCTET_STRING);
	if (!digest || ASN1_STRING_length(digest) != EVP_MD_get_size(md))
		return sig_fail(ctx, DMB_EINVAL, "no valid message digest attribute");
	return 0;
}

/*
 * A digest BIO that has seen the data, for CMS_SignerInfo_verify_content()
 * (which copies the digest state out of it, so it serves several signers).
 */
static int digest_chain(struct dmb_ctx *ctx, const EVP_MD *md, const uint8_t *data, size_t len,
			BIO **out)
{
	BIO *mdbio = BIO_new(BIO_f_md());
	BIO *sink = BIO_new(BIO_s_null());
	int rc = 0;

	*out = NULL;
	if (!mdbio || !sink || !BIO_set_md(mdbio, md)) {
		rc = sig_fail(ctx, DMB_ENOMEM, "out of memory");
	} else {
		BIO_push(mdbio, sink);
		sink = NULL;
	}
	while (rc == 0 && len > 0) {
		int n = len > INT_MAX / 2 ? INT_MAX / 2 : (int)len;

		if (BIO_write(mdbio, data, n) != n)
			rc = sig_fail(ctx, DMB_ENOMEM, "cannot digest the data");
		data += n;
		len -= (size_t)n;
	}
	if (rc == 0) {
		*out = mdbio;
		mdbio = NULL;
	}
	BIO_free_all(mdbio);
	BIO_free(sink);
	return rc;
}

/*
 * Without signed attributes, an RSA PKCS#1 v1.5 signature can be opened with
 * the public key: if it holds a well-formed DigestInfo for the signer's
 * digest, the key did sign, only not this data.  ECDSA and RSA-PSS
 * signatures cannot be opened, so for them the two cases stay one message.
 * Always returns DMB_EVERIFY: verification has already failed.
 */
static int diagnose_bad_signature(struct dmb_ctx *ctx, CMS_SignerInfo *si, EVP_PKEY *pkey,
				  const EVP_MD *md, const uint8_t *data, size_t len)
{
	ASN1_OCTET_STRING *sigval = CMS_SignerInfo_get0_signature(si);
	X509_ALGOR *sigalg = NULL;
	const ASN1_OBJECT *oid = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char want[EVP_MAX_MD_SIZE];
	unsigned char *got = NULL;
	unsigned int want_len = 0;
	size_t got_len = 0;
	int verdict = 0; /* 0 unknown, 1 corrupt, 2 other data */

	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sigalg);
	if (sigalg)
		X509_ALGOR_get0(&oid, NULL, NULL, sigalg);
	if (sigval && oid && OBJ_obj2nid(oid) != NID_rsassaPss &&
	    EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA &&
	    EVP_Digest(data, len, want, &want_len, md, NULL) &&
	    (pctx = EVP_PKEY_CTX_new(pkey, NULL)) != NULL &&
	    EVP_PKEY_verify_recover_init(pctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_PKEY_CTX_set_signature_md(pctx, md) > 0 &&
	    EVP_PKEY_verify_recover(pctx, NULL, &got_len, sigval->data,
				    (size_t)sigval->length) > 0 &&
	    (got = malloc(got_len ? got_len : 1)) != NULL) {
		if (EVP_PKEY_verify_recover(pctx, got, &got_len, sigval->data,
					    (size_t)sigval->length) > 0 &&
		    got_len == want_len && memcmp(got, want, want_len) != 0)
			verdict = 2;
		else
			verdict = 1;
	}
	free(got);
	EVP_PKEY_CTX_free(pctx);
	if (verdict == 2)
		return sig_fail(ctx, DMB_EVERIFY, MSG_OTHER_DATA);
	if (verdict == 1)
		return sig_fail(ctx, DMB_EVERIFY, MSG_CORRUPT);
	return sig_fail(ctx, DMB_EVERIFY,
			"signature does not verify (corrupt, or made over other data)");
}

/* Verify one signer against one trusted certificate that its identifier names. */
static int verify_with_cert(struct dmb_ctx *ctx, CMS_SignerInfo *si, X509 *cert,
			    const EVP_MD *md, BIO *chain, const uint8_t *data, size_t len)
{
	EVP_PKEY *pkey = NULL;

	CMS_SignerInfo_set1_signer_cert(si, cert);
	CMS_SignerInfo_get0_algs(si, &pkey, NULL, NULL, NULL);
	if (!pkey)
		return sig_ossl_fail(ctx, DMB_EVERIFY, "the trusted certificate's key is unusable");

	if (CMS_signed_get_attr_count(si) >= 0) {
		/* First the signature over the attributes, then their digest of the data. */
		if (CMS_SignerInfo_verify(si) != 1)
			return sig_ossl_fail(ctx, DMB_EVERIFY, MSG_CORRUPT);
		if (CMS_SignerInfo_verify_content(si, chain) != 1)
			return sig_ossl_fail(ctx, DMB_EVERIFY, MSG_OTHER_DATA);
		return 0;
	}
	/* No attributes: the signature is over the data's digest itself. */
	if (CMS_SignerInfo_verify_content(si, chain) == 1)
		return 0;
	if (ossl_out_of_memory())
		return sig_fail(ctx, DMB_ENOMEM, "out of memory");
	return diagnose_bad_signature(ctx, si, pkey, md, data, len);
}

/*
 * One SignerInfo must be made by a trusted certificate.  Should two trusted
 * certificates carry the signer's identifier (a reissued certificate with
 * the same issuer and serial), each is tried.
 */
static int check_signer(struct dmb_ctx *ctx, STACK_OF(X509) *trusted, CMS_SignerInfo *si,
			const uint8_t *data, size_t len)
{
	const EVP_MD *md = NULL;
	struct dmb_ctx saved;
	BIO *chain = NULL;
	bool named = false;
	char who[160];
	int rc;

	rc = signer_digest(ctx, si, &md);
	if (rc == 0)
		rc = check_signed_attrs(ctx, si, md);
	if (rc == 0)
		rc = digest_chain(ctx, md, data, len, &chain);
	if (ctx)
		saved = *ctx;
	for (int i = 0; chain && i < sk_X509_num(trusted); i++) {
		X509 *cert = sk_X509_value(trusted, i);

		if (CMS_SignerInfo_cert_cmp(si, cert) != 0)
			continue;
		named = true;
		rc = verify_with_cert(ctx, si, cert, md, chain, data, len);
		if (rc != DMB_EVERIFY)
			break;
	}
	/* A later certificate verified: forget the earlier one's failure. */
	if (rc == 0 && ctx)
		*ctx = saved;
	if (rc == 0 && !named) {
		describe_signer(si, who, sizeof(who));
		rc = sig_fail(ctx, DMB_ENOKEY, "signer %s is not a trusted certificate", who);
	}
	BIO_free_all(chain);
	return rc;
}

/*
 * Every signer must be trusted and verify, as with systemd's PKCS7_verify();
 * the kernel is content with one trusted signer among others that merely
 * verify, but dm-verity signatures have one signer in practice.
 */
int dmb_posix_pkcs7_verify(const struct dmb_crypto *c, struct dmb_ctx *ctx, const uint8_t *sig,
			   size_t sig_len, const uint8_t *data, size_t len)
{
	const struct dmb_posix_crypto *pc = c ? c->priv : NULL;
	STACK_OF(X509) *trusted = pc ? pc->trusted : NULL;
	STACK_OF(CMS_SignerInfo) *signers;
	CMS_ContentInfo *cms = NULL;
	int rc;

	ERR_clear_error();
	rc = parse_signed_data(ctx, sig, sig_len, &cms);
	if (rc == 0 && sk_X509_num(trusted) <= 0)
		rc = sig_fail(ctx, DMB_ENOKEY, "no trusted certificates are configured");
	if (rc == 0) {
		signers = CMS_get0_SignerInfos(cms);
		for (int i = 0; rc == 0 && i < sk_CMS_SignerInfo_num(signers); i++)
			rc = check_signer(ctx, trusted, sk_CMS_SignerInfo_value(signers, i), data,
					  len);
	}
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}

/* Take a certificate for the trusted set if its key is one OpenSSL can use. */
static int take_cert(struct dmb_ctx *ctx, const char *shown, STACK_OF(X509) *found, X509 *x)
{
	int rc = 0;

	if (!X509_get0_pubkey(x))
		rc = ossl_out_of_memory() ? path_fail(ctx, DMB_ENOMEM, shown, "out of memory")
			: path_fail(ctx, DMB_EINVAL, shown, "certificate with an unusable key");
	else if (!sk_X509_push(found, x))
		rc = path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
	if (rc)
		X509_free(x);
	return rc;
}

/* Every CERTIFICATE block of a PEM file; other blocks (keys) are skipped. */
static int load_pem(struct dmb_ctx *ctx, const char *shown, const uint8_t *buf, size_t len,
		    STACK_OF(X509) *found)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	int rc = 0, count = 0;
	unsigned long e;
	X509 *x;

	if (!bio)
		return path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
	ERR_clear_error();
	while (rc == 0 && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		rc = take_cert(ctx, shown, found, x);
		count++;
	}
	if (rc == 0) {
		/* The loop ends at "no start line" past the last block, or on an error. */
		e = ERR_peek_last_error();
		if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
			rc = count ? 0 : path_fail(ctx, DMB_EINVAL, shown, "no certificate in it");
		else if (ossl_out_of_memory())
			rc = path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
		else
			rc = path_fail(ctx, DMB_EINVAL, shown, "PEM certificate %d is malformed",
				       count + 1);
	}
	BIO_free(bio);
	return rc;
}

static int load_der(struct dmb_ctx *ctx, const char *shown, const uint8_t *buf, size_t len,
		    STACK_OF(X509) *found)
{
	const unsigned char *p = buf;
	X509 *x = d2i_X509(NULL, &p, (long)len);

	if (!x)
		return ossl_out_of_memory() ? path_fail(ctx, DMB_ENOMEM, shown, "out of memory")
			: path_fail(ctx, DMB_EINVAL, shown,
				    "no certificate in it (neither PEM nor DER)");
	if (p != buf + len) {
		X509_free(x);
		return path_fail(ctx, DMB_EINVAL, shown, "trailing data after the DER certificate");
	}
	return take_cert(ctx, shown, found, x);
}

static int read_file(struct dmb_ctx *ctx, const char *path, const char *shown, uint8_t **out,
		     size_t *len)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t have = 0;
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return path_fail(ctx, errno_code(errno), shown, "%s", strerror(errno));
	if (fstat(fd, &st) < 0)
		rc = path_fail(ctx, errno_code(errno), shown, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode))
		rc = path_fail(ctx, DMB_EINVAL, shown, "not a file or directory");
	else if (st.st_size > (off_t)CERT_FILE_MAX_BYTES)
		rc = path_fail(ctx, DMB_EINVAL, shown, "larger than %u bytes", CERT_FILE_MAX_BYTES);
	else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		rc = path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
	while (rc == 0 && have < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + have, (size_t)st.st_size - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = path_fail(ctx, errno_code(errno), shown, "%s", strerror(errno));
		else if (n == 0)
			break; /* shrank under us: parse what is there */
		else
			have += (size_t)n;
	}
	close(fd);
	if (rc == 0) {
		*out = buf;
		*len = have;
	} else {
		free(buf);
	}
	return rc;
}

/* The bytes of a PEM file (any number of certificates) or a DER file (one). */
static int load_buf(struct dmb_ctx *ctx, const char *path, const uint8_t *buf, size_t len,
		    STACK_OF(X509) *found)
{
	static const char pem_mark[] = "-----BEGIN ";

	if (len == 0)
		return path_fail(ctx, DMB_EINVAL, path, "empty, no certificate in it");
	if (memmem(buf, len, pem_mark, sizeof(pem_mark) - 1))
		return load_pem(ctx, path, buf, len, found);
	return load_der(ctx, path, buf, len, found);
}

/* A PEM file (any number of certificates) or a DER file (one). */
static int load_file(struct dmb_ctx *ctx, const char *path, const char *shown,
		     STACK_OF(X509) *found)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	rc = read_file(ctx, path, shown, &buf, &len);
	if (rc == 0)
		rc = load_buf(ctx, shown, buf, len, found);
	free(buf);
	return rc;
}

static bool cert_file_name(const char *name)
{
	static const char *const exts[] = { ".crt", ".pem", ".der" };
	size_t n = strlen(name);

	if (name[0] == '.')
		return false; /* hidden files, and editors' temporaries */
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (n > 4 && strcmp(name + n - 4, exts[i]) == 0)
			return true;
	return false;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The directory's *.crt, *.pem and *.der files (systemd reads *.crt from its
 * verity.d directories), in name order; entries with those names that are
 * not regular files are skipped.  Any file that holds no certificate fails
 * the whole directory, so a broken trust store is noticed.
 */
static int load_dir(struct dmb_ctx *ctx, const char *path, const char *shown,
		    STACK_OF(X509) *found)
{
	DIR *dir = opendir(path);
	char **names = NULL, *full = NULL, *full_shown = NULL;
	size_t count = 0, cap = 0, loaded = 0;
	struct dirent *de;
	struct stat st;
	int rc = 0;

	if (!dir)
		return path_fail(ctx, errno_code(errno), shown, "%s", strerror(errno));
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno)
				rc = path_fail(ctx, errno_code(errno), shown, "%s", strerror(errno));
			break;
		}
		if (!cert_file_name(de->d_name))
			continue;
		if (count == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			char **n = realloc(names, ncap * sizeof(*names));

			if (!n) {
				rc = path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
				break;
			}
			names = n;
			cap = ncap;
		}
		names[count] = strdup(de->d_name);
		if (!names[count]) {
			rc = path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
			break;
		}
		count++;
	}
	if (rc == 0 && count > 1)
		qsort(names, count, sizeof(*names), cmp_names);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		free(full);
		free(full_shown);
		full = full_shown = NULL;
		if (asprintf(&full, "%s/%s", path, names[i]) < 0)
			full = NULL;
		else if (asprintf(&full_shown, "%s/%s", shown, names[i]) < 0)
			full_shown = NULL;
		if (!full || !full_shown) {
			rc = path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
		} else if (stat(full, &st) < 0) {
			rc = path_fail(ctx, errno_code(errno), full_shown, "%s", strerror(errno));
		} else if (S_ISREG(st.st_mode)) {
			rc = load_file(ctx, full, full_shown, found);
			loaded++;
		}
	}
	if (rc == 0 && loaded == 0)
		rc = path_fail(ctx, DMB_EINVAL, shown, "no *.crt, *.pem or *.der file in it");
	free(full);
	free(full_shown);
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return rc;
}

/*
 * Move the certificates found into the trusted set; rc is the loading's
 * result.  Certificates are collected apart and only then moved, so a
 * failure leaves the set as it was.  Messages name the source by shown.
 */
static int adopt(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx, const char *shown,
		 STACK_OF(X509) *found, int rc)
{
	STACK_OF(X509) *trusted = pc->trusted;

	if (rc == 0 && !trusted) {
		trusted = sk_X509_new_null();
		if (!trusted)
			rc = path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
		else
			pc->trusted = trusted;
	}
	/* Reserve first: the pushes below then cannot fail halfway. */
	if (rc == 0 && !sk_X509_reserve(trusted, sk_X509_num(found)))
		rc = path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
	while (rc == 0 && sk_X509_num(found) > 0)
		sk_X509_push(trusted, sk_X509_shift(found));
	sk_X509_pop_free(found, X509_free);
	ERR_clear_error();
	return rc;
}

int dmb_posix_crypto_add_trusted(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx,
				 const char *path)
{
	return dmb_posix_crypto_add_trusted_as(pc, ctx, path, NULL);
}

/*
 * Messages name the files by shown, the name the user gave (the caller may
 * read a copy at path).
 */
int dmb_posix_crypto_add_trusted_as(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx,
				    const char *path, const char *shown)
{
	STACK_OF(X509) *found = sk_X509_new_null();
	struct stat st;
	int rc = 0;

	if (!shown)
		shown = path;
	ERR_clear_error();
	if (!found)
		return path_fail(ctx, DMB_ENOMEM, shown, "out of memory");
	if (stat(path, &st) < 0)
		rc = path_fail(ctx, errno_code(errno), shown, "%s", strerror(errno));
	else if (S_ISDIR(st.st_mode))
		rc = load_dir(ctx, path, shown, found);
	else
		rc = load_file(ctx, path, shown, found);
	return adopt(pc, ctx, shown, found, rc);
}

int dmb_posix_crypto_add_trusted_mem(struct dmb_posix_crypto *pc, struct dmb_ctx *ctx,
				     const char *label, const uint8_t *data, size_t len)
{
	STACK_OF(X509) *found = sk_X509_new_null();
	int rc;

	ERR_clear_error();
	if (!found)
		return path_fail(ctx, DMB_ENOMEM, label, "out of memory");
	rc = load_buf(ctx, label, data, len, found);
	return adopt(pc, ctx, label, found, rc);
}

void dmb_posix_crypto_fini(struct dmb_posix_crypto *pc)
{
	sk_X509_pop_free(pc->trusted, X509_free);
	pc->trusted = NULL;
}
