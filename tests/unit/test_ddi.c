// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Discoverable Disk Images (ddi.h, formats.md §6, §2.4, §1.8): systemd's
 * own strverscmp_improved() vectors; every partition type GUID of the five
 * architectures and the generic types, checked against systemd's sd-gpt.h;
 * GPT images built in memory by the test (choice by architecture and by
 * label version, no-auto, the ESP's flags, read-only and grow-fs, file
 * systems by magic); verity pairing with a real hash tree and superblock
 * from dmb_verity_tree_build() and a -verity-sig partition whose JSON and
 * PKCS#7 signature the test makes with OpenSSL, refused in each documented
 * way (untrusted signer, other root hash, UUID mismatch, a table of named
 * malformations of the JSON with exact codes and messages, missing
 * signature when required, no crypto provider); the root and usr tables
 * instantiated and read back through dm-verity; the dm-mod.create= line
 * parsed back with dm-init's rules; base64 against RFC 4648; and every
 * allocation failing in turn with nothing leaked.
 *
 * Built with DMBOOT_TEST_NO_OPENSSL (`make unit-qemu` on s390x, which has
 * no OpenSSL), the tests that need a signature skip at their first one and
 * base64 is checked against a small encoder of the test's own; every other
 * test runs.
 */
#define _GNU_SOURCE /* mkdtemp */
#include "helpers.h"

#include <unistd.h>

#ifndef DMBOOT_TEST_NO_OPENSSL
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#endif

#include "../../ports/posix/dmboot_posix.h"
#include "base/base.h"
#include "core/core.h"
#include "formats/ddi_internal.h"

static struct dmb_ctx ctx;
static long baseline;

/* ---- signers, made once: a trusted one and one nobody trusts ------------ */

struct signer {
#ifndef DMBOOT_TEST_NO_OPENSSL
	EVP_PKEY *key;
	X509 *cert;
#endif
	char fingerprint[65]; /* SHA-256 of the DER certificate, lowercase hex */
};

static struct signer good, other;
static struct dmb_posix_crypto pc; /* trusts good only */
static char workdir[] = "/tmp/dmboot-test-ddi-XXXXXX";

#ifndef DMBOOT_TEST_NO_OPENSSL
static void signer_make(struct signer *s, const char *cn, long serial)
{
	X509_NAME *name;
	unsigned char md[32];
	unsigned int mdlen = 0;

	s->key = EVP_EC_gen("P-256");
	s->cert = X509_new();
	assert_non_null(s->key);
	assert_non_null(s->cert);
	assert_int_equal(X509_set_version(s->cert, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(s->cert), serial), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(s->cert), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(s->cert), 86400));
	assert_int_equal(X509_set_pubkey(s->cert, s->key), 1);
	name = X509_get_subject_name(s->cert);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
						    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_issuer_name(s->cert, name), 1);
	assert_true(X509_sign(s->cert, s->key, EVP_sha256()) > 0);
	assert_int_equal(X509_digest(s->cert, EVP_sha256(), md, &mdlen), 1);
	assert_int_equal(mdlen, 32);
	dmb_hex_encode(md, 32, s->fingerprint);
}

static void signer_free(struct signer *s)
{
	X509_free(s->cert);
	EVP_PKEY_free(s->key);
}

/*
 * A detached PKCS#7 over text[0..len), as `openssl smime -sign -nocerts
 * -noattr -binary` makes it, or (with_cert) carrying the signer's
 * certificate as systemd-repart's does.  Returns OpenSSL memory.
 */
static size_t sign(const struct signer *s, const char *text, size_t len, bool with_cert,
		   uint8_t **der)
{
	BIO *in = BIO_new_mem_buf(text, (int)len);
	CMS_ContentInfo *cms;
	int n;

	assert_non_null(in);
	cms = CMS_sign(s->cert, s->key, NULL, in,
		       CMS_DETACHED | CMS_BINARY | CMS_NOATTR | (with_cert ? 0 : CMS_NOCERTS));
	assert_non_null(cms);
	*der = NULL;
	n = i2d_CMS_ContentInfo(cms, der);
	assert_true(n > 0);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return (size_t)n;
}
#else
static void signer_make(struct signer *s, const char *cn, long serial)
{
	(void)cn;
	memset(s->fingerprint, '0' + (int)serial, 64);
	s->fingerprint[64] = 0;
}

static void signer_free(struct signer *s)
{
	(void)s;
}

/* No signature without OpenSSL: the test that needs one is skipped. */
static size_t sign(const struct signer *s, const char *text, size_t len, bool with_cert,
		   uint8_t **der)
{
	(void)s;
	(void)text;
	(void)len;
	(void)with_cert;
	*der = NULL;
	skip();
	return 0;
}

#define OPENSSL_free free

/* RFC 4648 base64 with padding, as OpenSSL's EVP_EncodeBlock() writes it. */
static int EVP_EncodeBlock(unsigned char *out, const uint8_t *in, int n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int o = 0;

	for (int i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);

		out[o++] = (unsigned char)abc[v >> 18];
		out[o++] = (unsigned char)abc[v >> 12 & 63];
		out[o++] = (unsigned char)(i + 1 < n ? abc[v >> 6 & 63] : '=');
		out[o++] = (unsigned char)(i + 2 < n ? abc[v & 63] : '=');
	}
	out[o] = 0;
	return o;
}
#endif

static char *base64(const uint8_t *p, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	assert_non_null(out);
	assert_int_equal(EVP_EncodeBlock((unsigned char *)out, p, (int)n), 4 * ((n + 2) / 3));
	return out;
}

static int group_setup(void **state)
{
	char path[600];
	FILE *f;

	(void)state;
	if (!mkdtemp(workdir))
		return -1;
	signer_make(&good, "ddi-test-good", 1);
	signer_make(&other, "ddi-test-other", 2);
	snprintf(path, sizeof(path), "%s/good.crt", workdir);
	dmb_posix_crypto_init(&pc);
	memset(&ctx, 0, sizeof(ctx));
#ifdef DMBOOT_TEST_NO_OPENSSL
	(void)f;
	return 0;
#else
	f = fopen(path, "w");
	if (!f || PEM_write_X509(f, good.cert) != 1 || fclose(f) != 0)
		return -1;
	return dmb_posix_crypto_add_trusted(&pc, &ctx, path) == 0 ? 0 : -1;
#endif
}

static int group_teardown(void **state)
{
	char cmd[700];

	(void)state;
	dmb_posix_crypto_fini(&pc);
	signer_free(&good);
	signer_free(&other);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.log_level = DMB_LOG_WARN;
	ctx.crypto = &pc.crypto;
	test_port_fail_alloc_at(0);
	baseline = test_port_live_allocs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_port_fail_alloc_at(0);
	assert_int_equal(test_port_live_allocs(), baseline);
	return 0;
}

/* ---- partition types, from systemd's sd-gpt.h (an independent source) ---- */

struct ptype {
	const char *guid;
	enum dmb_ddi_designator d;
	enum dmb_ddi_arch arch;
};

static const struct ptype ptypes[] = {
	{ "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", DMB_DDI_ROOT, DMB_ARCH_X86_64 },
	{ "b921b045-1df0-41c3-af44-4c6f280d3fae", DMB_DDI_ROOT, DMB_ARCH_ARM64 },
	{ "69dad710-2ce4-4e3c-b16c-21a1d49abed3", DMB_DDI_ROOT, DMB_ARCH_ARM },
	{ "72ec70a6-cf74-40e6-bd49-4bda08e8f224", DMB_DDI_ROOT, DMB_ARCH_RISCV64 },
	{ "44479540-f297-41b2-9af7-d131d5f0458a", DMB_DDI_ROOT, DMB_ARCH_X86 },
	{ "8484680c-9521-48c6-9c11-b0720656f69e", DMB_DDI_USR, DMB_ARCH_X86_64 },
	{ "b0e01050-ee5f-4390-949a-9101b17104e9", DMB_DDI_USR, DMB_ARCH_ARM64 },
	{ "7d0359a3-02b3-4f0a-865c-654403e70625", DMB_DDI_USR, DMB_ARCH_ARM },
	{ "beaec34b-8442-439b-a40b-984381ed097d", DMB_DDI_USR, DMB_ARCH_RISCV64 },
	{ "75250d76-8cc6-458e-bd66-bd47cc81a812", DMB_DDI_USR, DMB_ARCH_X86 },
	{ "2c7357ed-ebd2-46d9-aec1-23d437ec2bf5", DMB_DDI_ROOT_VERITY, DMB_ARCH_X86_64 },
	{ "df3300ce-d69f-4c92-978c-9bfb0f38d820", DMB_DDI_ROOT_VERITY, DMB_ARCH_ARM64 },
	{ "7386cdf2-203c-47a9-a498-f2ecce45a2d6", DMB_DDI_ROOT_VERITY, DMB_ARCH_ARM },
	{ "b6ed5582-440b-4209-b8da-5ff7c419ea3d", DMB_DDI_ROOT_VERITY, DMB_ARCH_RISCV64 },
	{ "d13c5d3b-b5d1-422a-b29f-9454fdc89d76", DMB_DDI_ROOT_VERITY, DMB_ARCH_X86 },
	{ "77ff5f63-e7b6-4633-acf4-1565b864c0e6", DMB_DDI_USR_VERITY, DMB_ARCH_X86_64 },
	{ "6e11a4e7-fbca-4ded-b9e9-e1a512bb664e", DMB_DDI_USR_VERITY, DMB_ARCH_ARM64 },
	{ "c215d751-7bcd-4649-be90-6627490a4c05", DMB_DDI_USR_VERITY, DMB_ARCH_ARM },
	{ "8f1056be-9b05-47c4-81d6-be53128e5b54", DMB_DDI_USR_VERITY, DMB_ARCH_RISCV64 },
	{ "8f461b0d-14ee-4e81-9aa9-049b6fb97abd", DMB_DDI_USR_VERITY, DMB_ARCH_X86 },
	{ "41092b05-9fc8-4523-994f-2def0408b176", DMB_DDI_ROOT_VERITY_SIG, DMB_ARCH_X86_64 },
	{ "6db69de6-29f4-4758-a7a5-962190f00ce3", DMB_DDI_ROOT_VERITY_SIG, DMB_ARCH_ARM64 },
	{ "42b0455f-eb11-491d-98d3-56145ba9d037", DMB_DDI_ROOT_VERITY_SIG, DMB_ARCH_ARM },
	{ "efe0f087-ea8d-4469-821a-4c2a96a8386a", DMB_DDI_ROOT_VERITY_SIG, DMB_ARCH_RISCV64 },
	{ "5996fc05-109c-48de-808b-23fa0830b676", DMB_DDI_ROOT_VERITY_SIG, DMB_ARCH_X86 },
	{ "e7bb33fb-06cf-4e81-8273-e543b413e2e2", DMB_DDI_USR_VERITY_SIG, DMB_ARCH_X86_64 },
	{ "c23ce4ff-44bd-4b00-b2d4-b41b3419e02a", DMB_DDI_USR_VERITY_SIG, DMB_ARCH_ARM64 },
	{ "d7ff812f-37d1-4902-a810-d76ba57b975a", DMB_DDI_USR_VERITY_SIG, DMB_ARCH_ARM },
	{ "d2f9000a-7a18-453f-b5cd-4d32f77a7b32", DMB_DDI_USR_VERITY_SIG, DMB_ARCH_RISCV64 },
	{ "974a71c0-de41-43c3-be5d-5c5ccd1ad2c0", DMB_DDI_USR_VERITY_SIG, DMB_ARCH_X86 },
	{ "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", DMB_DDI_ESP, DMB_ARCH_UNKNOWN },
	{ "bc13c2ff-59e6-4262-a352-b275fd6f7172", DMB_DDI_XBOOTLDR, DMB_ARCH_UNKNOWN },
	{ "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", DMB_DDI_SWAP, DMB_ARCH_UNKNOWN },
	{ "933ac7e1-2eb4-4f13-b844-0e14e2aef915", DMB_DDI_HOME, DMB_ARCH_UNKNOWN },
	{ "3b8f8425-20e0-4f3b-907f-1a25a76f98e8", DMB_DDI_SRV, DMB_ARCH_UNKNOWN },
	{ "4d21b016-b534-45c2-a9fb-5c16e091fd2d", DMB_DDI_VAR, DMB_ARCH_UNKNOWN },
	{ "7ec6f557-3bc5-4aca-b293-16ef5df639d1", DMB_DDI_TMP, DMB_ARCH_UNKNOWN },
	{ "0fc63daf-8483-4772-8e79-3d69d8477de4", DMB_DDI_LINUX_GENERIC, DMB_ARCH_UNKNOWN },
};

static const char *type_guid(enum dmb_ddi_designator d, enum dmb_ddi_arch arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(ptypes); i++)
		if (ptypes[i].d == d && ptypes[i].arch == arch)
			return ptypes[i].guid;
	fail_msg("no type for designator %d arch %d", (int)d, (int)arch);
	return NULL;
}

/* ---- disks built in memory ---------------------------------------------- */

#define ENTRIES 128u
#define ARRAY_LBAS(ss) ((ENTRIES * 128u + (ss) - 1) / (ss))

struct part {
	unsigned index;   /* entry index: the partition is number index + 1 */
	const char *type; /* GUID string */
	uint8_t uuid[16]; /* canonical order */
	uint64_t first, count, attrs;
	const char *label;
};

struct disk {
	uint8_t *mem;
	size_t bytes;
	unsigned ss;
	uint64_t lbas;
	size_t n;
	struct part p[32];
	struct dmb_ram_bdev rb;
	struct dmb_fault_bdev fb;
};

static void disk_init(struct disk *d, unsigned ss, uint64_t lbas)
{
	memset(d, 0, sizeof(*d));
	d->ss = ss;
	d->lbas = lbas;
	d->bytes = (size_t)(ss * lbas);
	d->mem = calloc(1, d->bytes);
	assert_non_null(d->mem);
}

static void disk_free(struct disk *d)
{
	free(d->mem);
	d->mem = NULL;
}

/* A partition at the next entry index, with a UUID made from its number. */
static struct part *disk_add(struct disk *d, const char *type, uint64_t first, uint64_t count,
			     uint64_t attrs, const char *label)
{
	struct part *p;

	assert_true(d->n < ARRAY_SIZE(d->p));
	p = &d->p[d->n];
	memset(p, 0, sizeof(*p));
	p->index = (unsigned)d->n++;
	p->type = type;
	for (int i = 0; i < 16; i++)
		p->uuid[i] = (uint8_t)(0xa0 + p->index * 16 + i);
	p->first = first;
	p->count = count;
	p->attrs = attrs;
	p->label = label;
	return p;
}

static uint8_t *part_mem(struct disk *d, const struct part *p)
{
	return d->mem + p->first * d->ss;
}

static size_t part_bytes(const struct disk *d, const struct part *p)
{
	return (size_t)(p->count * d->ss);
}

/* Protective MBR, both headers and arrays with the partitions, all CRCs. */
static void disk_write_gpt(struct disk *d)
{
	const unsigned ss = d->ss;
	const uint64_t alba = ARRAY_LBAS(ss);
	uint8_t *mbr = d->mem;

	memset(mbr + 446, 0, 64);
	mbr[446 + 4] = 0xee;
	dmbi_put_le32(mbr + 446 + 8, 1);
	dmbi_put_le32(mbr + 446 + 12, (uint32_t)MIN(d->lbas - 1, 0xffffffffu));
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	for (int backup = 0; backup < 2; backup++) {
		uint64_t my = backup ? d->lbas - 1 : 1, array = backup ? d->lbas - 1 - alba : 2;
		uint8_t *h = d->mem + my * ss, *a = d->mem + array * ss;

		memset(a, 0, ENTRIES * 128u);
		for (size_t i = 0; i < d->n; i++) {
			const struct part *p = &d->p[i];
			uint8_t *e = a + p->index * 128u, g[16];

			assert_int_equal(dmb_guid_parse(p->type, g), 0);
			dmb_guid_to_disk(g, e);
			dmb_guid_to_disk(p->uuid, e + 16);
			dmbi_put_le64(e + 32, p->first);
			dmbi_put_le64(e + 40, p->first + p->count - 1);
			dmbi_put_le64(e + 48, p->attrs);
			for (size_t k = 0; p->label && p->label[k]; k++)
				dmbi_put_le16(e + 56 + 2 * k, (uint8_t)p->label[k]);
		}
		memset(h, 0, ss);
		memcpy(h, "EFI PART", 8);
		dmbi_put_le32(h + 8, 0x00010000);
		dmbi_put_le32(h + 12, 92);
		dmbi_put_le64(h + 24, my);
		dmbi_put_le64(h + 32, backup ? 1 : d->lbas - 1);
		dmbi_put_le64(h + 40, 2 + alba);
		dmbi_put_le64(h + 48, d->lbas - 2 - alba);
		memset(h + 56, 0x5c, 16);
		dmbi_put_le64(h + 72, array);
		dmbi_put_le32(h + 80, ENTRIES);
		dmbi_put_le32(h + 84, 128);
		dmbi_put_le32(h + 88, dmbi_crc32(0, a, ENTRIES * 128u));
		dmbi_put_le32(h + 16, dmbi_crc32(0, h, 92));
	}
}

static struct dmb_bdev *disk_bdev(struct disk *d)
{
	dmb_ram_bdev_init(&d->rb, d->mem, d->bytes, d->ss == 4096 ? 12 : 9, false);
	return &d->rb.bdev;
}

static const struct dmb_ddi_options x86_64 = { .arch = DMB_ARCH_X86_64 };

static int dissect(struct disk *d, const struct dmb_ddi_options *o, struct dmb_ddi **out)
{
	const struct dmb_crypto *c = ctx.crypto;

	dmb_ctx_clear(&ctx);
	ctx.crypto = c;
	disk_write_gpt(d);
	return dmb_ddi_dissect(&ctx, disk_bdev(d), o, out);
}

static struct dmb_ddi *dissect_ok(struct disk *d, const struct dmb_ddi_options *o)
{
	struct dmb_ddi *ddi = NULL;
	int r = dissect(d, o, &ddi);

	if (r)
		fail_msg("dissect: %d %s", r, ctx.msg);
	assert_non_null(ddi);
	return ddi;
}

static void expect_err(int got, int want, const char *msg, const char *what)
{
	if (got != want || (msg && strcmp(ctx.msg, msg) != 0))
		fail_msg("%s: got %d \"%s\"\n  want %d \"%s\"", what, got, ctx.msg, want,
			 msg ? msg : "(any)");
}

/* Dissecting fails with exactly this code and message, and leaves no result. */
static void dissect_fails(struct disk *d, const struct dmb_ddi_options *o, int code,
			  const char *msg, const char *what)
{
	struct dmb_ddi *ddi = (struct dmb_ddi *)&ddi;

	expect_err(dissect(d, o, &ddi), code, msg, what);
	assert_null(ddi);
}

static const struct dmb_ddi_partition *chosen(const struct dmb_ddi *ddi,
					      enum dmb_ddi_designator d)
{
	return ddi->chosen[d];
}

static unsigned number_of(const struct dmb_ddi_partition *p)
{
	return p ? p->part->number : 0;
}

/*
 * Expand a message template: each "%s" takes the next of s1, s2; "%zu"
 * takes num.  (The templates live in tables, so printf cannot check them.)
 */
static void fill(char *out, size_t cap, const char *tmpl, const char *s1, const char *s2,
		 size_t num)
{
	const char *next[2] = { s1, s2 };
	size_t n = 0, k = 0;

	for (; *tmpl; tmpl++) {
		char num_text[24];
		const char *put = NULL;

		if (tmpl[0] == '%' && tmpl[1] == 's') {
			assert_true(k < 2);
			put = next[k++];
			tmpl++;
		} else if (tmpl[0] == '%' && tmpl[1] == 'z' && tmpl[2] == 'u') {
			snprintf(num_text, sizeof(num_text), "%zu", num);
			put = num_text;
			tmpl += 2;
		}
		if (put) {
			assert_true(n + strlen(put) < cap);
			memcpy(out + n, put, strlen(put));
			n += strlen(put);
		} else {
			assert_true(n + 1 < cap);
			out[n++] = *tmpl;
		}
	}
	out[n] = '\0';
}

/* ---- verity sets: data, hash and signature partitions -------------------- */

#define DATA_LBAS 128u  /* 64 KiB: 16 data blocks of 4096 bytes */
#define HASH_LBAS 32u   /* 16 KiB: superblock block and one hash block, with room */
#define SIG_LBAS 32u    /* 16 KiB */
#define VSET_LBAS (DATA_LBAS + HASH_LBAS + SIG_LBAS)

struct vset {
	struct part *data, *hash, *sig;
	uint8_t root[DMB_MAX_DIGEST_SIZE];
	size_t root_size;
	char root_hex[2 * DMB_MAX_DIGEST_SIZE + 1];
	struct dmb_verity_params vp;
};

/*
 * Data (a squashfs magic, then bytes from seed) and a hash tree with a
 * veritysetup superblock on the -verity partition, and the two partitions'
 * UUIDs from the root hash: the first and last 16 bytes (formats.md §6.3).
 * The -verity-sig partition is added when sig_label is not NULL and left
 * empty (see vset_sign()).
 */
static void vset_make(struct disk *d, struct vset *v, enum dmb_ddi_designator which,
		      enum dmb_ddi_arch arch, uint64_t first, const char *label,
		      const char *sig_label, const char *alg, uint64_t seed)
{
	const bool usr = which == DMB_DDI_USR;
	struct dmb_ram_bdev data, hash;
	struct dmb_ctx vctx = { .crypto = &pc.crypto };
	struct dmb_verity_geometry g;
	struct rng rng;
	size_t n;

	memset(v, 0, sizeof(*v));
	v->data = disk_add(d, type_guid(which, arch), first, DATA_LBAS, 1ull << 60, label);
	v->hash = disk_add(d, type_guid(usr ? DMB_DDI_USR_VERITY : DMB_DDI_ROOT_VERITY, arch),
			   first + DATA_LBAS, HASH_LBAS, 1ull << 60, label);
	if (sig_label)
		v->sig = disk_add(d, type_guid(usr ? DMB_DDI_USR_VERITY_SIG :
						     DMB_DDI_ROOT_VERITY_SIG, arch),
				  first + DATA_LBAS + HASH_LBAS, SIG_LBAS, 1ull << 60, sig_label);
	rng_seed(&rng, seed);
	rng_fill(&rng, part_mem(d, v->data), part_bytes(d, v->data));
	memcpy(part_mem(d, v->data), "hsqs", 4);
	v->vp.hash_type = 1;
	strcpy(v->vp.hash_name, alg);
	v->vp.data_block_size = 4096;
	v->vp.hash_block_size = 4096;
	v->vp.data_blocks = part_bytes(d, v->data) / 4096;
	v->vp.salt_size = 32;
	rng_fill(&rng, v->vp.salt, 32);
	rng_fill(&rng, v->vp.uuid, 16);
	dmb_ram_bdev_init(&data, part_mem(d, v->data), part_bytes(d, v->data), 9, false);
	dmb_ram_bdev_init(&hash, part_mem(d, v->hash), part_bytes(d, v->hash), 9, true);
	if (dmb_verity_tree_build(&vctx, &v->vp, &data.bdev, &hash.bdev, v->root, NULL, NULL) ||
	    dmb_verity_geometry(&vctx, &v->vp, &g))
		fail_msg("verity format: %s", vctx.msg);
	n = g.digest_size;
	v->root_size = n;
	dmb_hex_encode(v->root, n, v->root_hex);
	memcpy(v->data->uuid, v->root, 16);
	memcpy(v->hash->uuid, v->root + n - 16, 16);
}

/* Put text[0..len) at the start of the -verity-sig partition, NUL padded. */
static void sig_put(struct disk *d, const struct vset *v, const char *text, size_t len)
{
	assert_true(len <= part_bytes(d, v->sig));
	memset(part_mem(d, v->sig), 0, part_bytes(d, v->sig));
	memcpy(part_mem(d, v->sig), text, len);
}

/* The JSON systemd-repart writes, with the members in its order. */
static size_t sig_json(char *out, size_t cap, const char *root_hex, const char *fingerprint,
		       const uint8_t *sig, size_t sig_len)
{
	char *b64 = base64(sig, sig_len);
	int n;

	if (fingerprint)
		n = snprintf(out, cap,
			     "{\"rootHash\":\"%s\",\"certificateFingerprint\":\"%s\",\"signature\":\"%s\"}",
			     root_hex, fingerprint, b64);
	else
		n = snprintf(out, cap, "{\"rootHash\":\"%s\",\"signature\":\"%s\"}", root_hex, b64);
	free(b64);
	assert_true(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

/*
 * Sign signed_hex (the set's own root hash when NULL) with s and write the
 * JSON claiming claim_hex (the set's own when NULL) into its -verity-sig
 * partition.
 */
static void vset_sign_as(struct disk *d, const struct vset *v, const struct signer *s,
			 const char *signed_hex, const char *claim_hex, bool with_cert)
{
	char json[4096];
	uint8_t *der;
	size_t n, len;

	signed_hex = signed_hex ? signed_hex : v->root_hex;
	n = sign(s, signed_hex, strlen(signed_hex), with_cert, &der);
	len = sig_json(json, sizeof(json), claim_hex ? claim_hex : v->root_hex, s->fingerprint,
		       der, n);
	OPENSSL_free(der);
	sig_put(d, v, json, len);
}

static void vset_sign(struct disk *d, const struct vset *v)
{
	vset_sign_as(d, v, &good, NULL, NULL, false);
}

/*
 * The standard signed image: 512-byte sectors, an ESP (p1), root (p2),
 * root-verity (p3), root-verity-sig (p4), all x86-64.
 */
static void signed_disk(struct disk *d, struct vset *v)
{
	disk_init(d, 512, 2048);
	disk_add(d, type_guid(DMB_DDI_ESP, DMB_ARCH_UNKNOWN), 40, 20, 0, "esp");
	vset_make(d, v, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64, "root-x86-64", "root-x86-64-verity-sig",
		  "sha256", 1);
	vset_sign(d, v);
}

/* ---- types, names, architectures -------------------------------------------- */

static void test_classify(void **state)
{
	static const char *const unknown[] = {
		"773f91ef-66d4-49b5-bd83-d683bf40ad16", /* per-user home (systemd-homed's) */
		"6523f8ae-3eb1-4e2a-a05a-18b695ae656f", /* root of Alpha: not an architecture here */
		"60d5a7fe-8e7d-435c-b714-3dd8162144e1", /* root of RISC-V 32 */
		"ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", /* Microsoft basic data */
		"00000000-0000-0000-0000-000000000000",
	};
	size_t counts[DMB_DDI_DESIGNATOR_COUNT] = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ptypes); i++) {
		uint8_t g[16];
		enum dmb_ddi_designator d = DMB_DDI_DESIGNATOR_COUNT;
		enum dmb_ddi_arch a = DMB_ARCH_COUNT;
		char upper[37];

		assert_int_equal(dmb_guid_parse(ptypes[i].guid, g), 0);
		if (dmb_ddi_classify(g, &d, &a) != 0 || d != ptypes[i].d || a != ptypes[i].arch)
			fail_msg("%s: designator %d arch %d, want %d %d", ptypes[i].guid, (int)d,
				 (int)a, (int)ptypes[i].d, (int)ptypes[i].arch);
		counts[d]++;
		/* Upper case is the same GUID. */
		dmb_guid_format(g, true, upper);
		assert_int_equal(dmb_guid_parse(upper, g), 0);
		assert_int_equal(dmb_ddi_classify(g, &d, &a), 0);
		/* One bit off is no type at all. */
		g[15] ^= 1;
		assert_int_equal(dmb_ddi_classify(g, &d, &a), DMB_ENOENT);
	}
	/* Five architectures of each of the six kinds, one of each generic type. */
	for (int d = 0; d < DMB_DDI_DESIGNATOR_COUNT; d++) {
		bool per_arch = d == DMB_DDI_ROOT || d == DMB_DDI_USR || d == DMB_DDI_ROOT_VERITY ||
				d == DMB_DDI_USR_VERITY || d == DMB_DDI_ROOT_VERITY_SIG ||
				d == DMB_DDI_USR_VERITY_SIG;

		assert_int_equal(counts[d], per_arch ? 5 : 1);
	}
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		uint8_t g[16];
		enum dmb_ddi_designator d;
		enum dmb_ddi_arch a;

		assert_int_equal(dmb_guid_parse(unknown[i], g), 0);
		assert_int_equal(dmb_ddi_classify(g, &d, &a), DMB_ENOENT);
	}
}

static void test_names(void **state)
{
	static const char *const dnames[DMB_DDI_DESIGNATOR_COUNT] = {
		"root", "usr", "home", "srv", "esp", "xbootldr", "swap", "root-verity",
		"usr-verity", "root-verity-sig", "usr-verity-sig", "tmp", "var", "linux-generic",
	};
	static const struct {
		const char *name;
		enum dmb_ddi_arch arch;
	} parse[] = {
		{ "x86-64", DMB_ARCH_X86_64 }, { "x86_64", DMB_ARCH_X86_64 },
		{ "amd64", DMB_ARCH_X86_64 }, { "arm64", DMB_ARCH_ARM64 },
		{ "aarch64", DMB_ARCH_ARM64 }, { "arm", DMB_ARCH_ARM }, { "armv7l", DMB_ARCH_ARM },
		{ "riscv64", DMB_ARCH_RISCV64 }, { "x86", DMB_ARCH_X86 }, { "i386", DMB_ARCH_X86 },
		{ "i486", DMB_ARCH_X86 }, { "i586", DMB_ARCH_X86 }, { "i686", DMB_ARCH_X86 },
		{ "", DMB_ARCH_UNKNOWN }, { "X86-64", DMB_ARCH_UNKNOWN },
		{ "x86-64 ", DMB_ARCH_UNKNOWN }, { "riscv32", DMB_ARCH_UNKNOWN },
		{ "alpha", DMB_ARCH_UNKNOWN }, { "arm64be", DMB_ARCH_UNKNOWN },
	};

	(void)state;
	for (int d = 0; d < DMB_DDI_DESIGNATOR_COUNT; d++)
		assert_string_equal(dmb_ddi_designator_name((enum dmb_ddi_designator)d), dnames[d]);
	assert_null(dmb_ddi_designator_name(DMB_DDI_DESIGNATOR_COUNT));
	assert_null(dmb_ddi_arch_name(DMB_ARCH_UNKNOWN));
	assert_null(dmb_ddi_arch_name(DMB_ARCH_COUNT));
	assert_string_equal(dmb_ddi_arch_name(DMB_ARCH_X86_64), "x86-64");
	assert_string_equal(dmb_ddi_arch_name(DMB_ARCH_ARM64), "arm64");
	assert_string_equal(dmb_ddi_arch_name(DMB_ARCH_ARM), "arm");
	assert_string_equal(dmb_ddi_arch_name(DMB_ARCH_RISCV64), "riscv64");
	assert_string_equal(dmb_ddi_arch_name(DMB_ARCH_X86), "x86");
	for (size_t i = 0; i < ARRAY_SIZE(parse); i++)
		if (dmb_ddi_arch_parse(parse[i].name) != parse[i].arch)
			fail_msg("arch_parse(\"%s\")", parse[i].name);
	/* Every name parses back to its architecture. */
	for (int a = DMB_ARCH_X86_64; a < DMB_ARCH_COUNT; a++)
		assert_int_equal(dmb_ddi_arch_parse(dmb_ddi_arch_name((enum dmb_ddi_arch)a)), a);
	assert_int_equal(dmb_ddi_arch_secondary(DMB_ARCH_X86_64), DMB_ARCH_X86);
	assert_int_equal(dmb_ddi_arch_secondary(DMB_ARCH_ARM64), DMB_ARCH_ARM);
	assert_int_equal(dmb_ddi_arch_secondary(DMB_ARCH_ARM), DMB_ARCH_UNKNOWN);
	assert_int_equal(dmb_ddi_arch_secondary(DMB_ARCH_RISCV64), DMB_ARCH_UNKNOWN);
	assert_int_equal(dmb_ddi_arch_secondary(DMB_ARCH_X86), DMB_ARCH_UNKNOWN);
	assert_int_equal(dmb_ddi_arch_secondary(DMB_ARCH_UNKNOWN), DMB_ARCH_UNKNOWN);
}

/* ---- choosing among partitions ----------------------------------------------- */

static void test_choose_arch(void **state)
{
	static const struct {
		enum dmb_ddi_arch native;
		enum dmb_ddi_arch present[4];
		size_t n;
		enum dmb_ddi_arch want;
	} cases[] = {
		{ DMB_ARCH_X86_64, { DMB_ARCH_X86, DMB_ARCH_X86_64, DMB_ARCH_ARM64, DMB_ARCH_RISCV64 }, 4,
		  DMB_ARCH_X86_64 },
		{ DMB_ARCH_X86_64, { DMB_ARCH_ARM64, DMB_ARCH_X86 }, 2, DMB_ARCH_X86 },
		/* Foreign ones are used when nothing is better; among them the label decides. */
		{ DMB_ARCH_X86_64, { DMB_ARCH_ARM64, DMB_ARCH_RISCV64, DMB_ARCH_ARM }, 3,
		  DMB_ARCH_ARM64 },
		{ DMB_ARCH_X86_64, { DMB_ARCH_ARM, DMB_ARCH_ARM64 }, 2, DMB_ARCH_ARM },
		{ DMB_ARCH_ARM64, { DMB_ARCH_X86_64, DMB_ARCH_ARM, DMB_ARCH_ARM64 }, 3, DMB_ARCH_ARM64 },
		{ DMB_ARCH_ARM64, { DMB_ARCH_X86_64, DMB_ARCH_ARM }, 2, DMB_ARCH_ARM },
		{ DMB_ARCH_ARM, { DMB_ARCH_ARM64, DMB_ARCH_ARM }, 2, DMB_ARCH_ARM },
		{ DMB_ARCH_ARM, { DMB_ARCH_ARM64 }, 1, DMB_ARCH_ARM64 },
		{ DMB_ARCH_RISCV64, { DMB_ARCH_X86_64, DMB_ARCH_RISCV64 }, 2, DMB_ARCH_RISCV64 },
		{ DMB_ARCH_X86, { DMB_ARCH_X86_64, DMB_ARCH_X86 }, 2, DMB_ARCH_X86 },
		{ DMB_ARCH_X86, { DMB_ARCH_X86_64 }, 1, DMB_ARCH_X86_64 },
		/* No native architecture given: every one is foreign. */
		{ DMB_ARCH_UNKNOWN, { DMB_ARCH_X86_64 }, 1, DMB_ARCH_X86_64 },
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		/*
		 * Later partitions carry lower versions: the architecture's rank
		 * decides, and the label only among equals (all foreign ones).
		 */
		static const char *const labels[] = { "os-9", "os-8", "os-7", "os-6" };
		struct dmb_ddi_options o = { .arch = cases[c].native };
		struct disk d;
		struct dmb_ddi *ddi;
		const struct dmb_ddi_partition *root, *usr;

		disk_init(&d, 512, 2048);
		for (size_t i = 0; i < cases[c].n; i++) {
			disk_add(&d, type_guid(DMB_DDI_ROOT, cases[c].present[i]), 64 + 32 * i, 16, 0,
				 labels[i]);
			disk_add(&d, type_guid(DMB_DDI_USR, cases[c].present[i]), 512 + 32 * i, 16, 0,
				 labels[i]);
		}
		ddi = dissect_ok(&d, &o);
		assert_int_equal(ddi->count, 2 * cases[c].n);
		for (size_t i = 0; i < ddi->count; i++) {
			assert_int_equal(ddi->parts[i].arch, cases[c].present[i / 2]);
			assert_int_equal(ddi->parts[i].designator, i % 2 ? DMB_DDI_USR : DMB_DDI_ROOT);
		}
		root = chosen(ddi, DMB_DDI_ROOT);
		usr = chosen(ddi, DMB_DDI_USR);
		if (!root || root->arch != cases[c].want)
			fail_msg("case %zu: root of arch %d", c, root ? (int)root->arch : -1);
		assert_non_null(usr);
		assert_int_equal(usr->arch, cases[c].want);
		/* Nothing to verify: no verity. */
		assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_NONE);
		assert_int_equal(ddi->verity[1].state, DMB_DDI_VERITY_NONE);
		dmb_ddi_destroy(ddi);
		disk_free(&d);
	}
}

/*
 * Root, usr and their verity partitions come in tiers, as systemd promotes
 * them: native, secondary, other.  Root comes from the best tier with one,
 * and so do its verity partitions; usr from root's tier (a foreign root's
 * from the other tier, then the secondary one).  A verity partition of a
 * better tier without its data partition is refused, of the other tier
 * ignored.
 */
static void test_tiers(void **state)
{
	static const struct {
		const char *name;
		enum dmb_ddi_designator d[2];
		enum dmb_ddi_arch a[2];
		const char *err;                      /* NULL: dissects */
		enum dmb_ddi_designator chosen_d;     /* ... and these are chosen */
		unsigned root, usr, root_verity;      /* partition numbers, 0 none */
	} cases[] = {
		{ "native root, foreign root-verity", { DMB_DDI_ROOT, DMB_DDI_ROOT_VERITY },
		  { DMB_ARCH_X86_64, DMB_ARCH_ARM64 }, NULL, DMB_DDI_ROOT, 1, 0, 0 },
		{ "foreign root, native root-verity", { DMB_DDI_ROOT, DMB_DDI_ROOT_VERITY },
		  { DMB_ARCH_ARM64, DMB_ARCH_X86_64 },
		  "root-verity partition 2 without a root partition", 0, 0, 0, 0 },
		{ "foreign root, secondary root-verity", { DMB_DDI_ROOT, DMB_DDI_ROOT_VERITY },
		  { DMB_ARCH_ARM64, DMB_ARCH_X86 },
		  "root-verity partition 2 without a root partition", 0, 0, 0, 0 },
		{ "secondary root, native root-verity-sig", { DMB_DDI_ROOT, DMB_DDI_ROOT_VERITY_SIG },
		  { DMB_ARCH_X86, DMB_ARCH_X86_64 },
		  "root-verity-sig partition 2 without a root partition", 0, 0, 0, 0 },
		{ "foreign root and root-verity", { DMB_DDI_ROOT, DMB_DDI_ROOT_VERITY },
		  { DMB_ARCH_ARM64, DMB_ARCH_RISCV64 }, NULL, DMB_DDI_ROOT, 1, 0, 2 },
		{ "foreign root-verity alone: ignored", { DMB_DDI_HOME, DMB_DDI_ROOT_VERITY },
		  { DMB_ARCH_UNKNOWN, DMB_ARCH_ARM64 }, NULL, DMB_DDI_HOME, 0, 0, 0 },
		{ "native root, secondary usr: dropped", { DMB_DDI_ROOT, DMB_DDI_USR },
		  { DMB_ARCH_X86_64, DMB_ARCH_X86 }, NULL, DMB_DDI_ROOT, 1, 0, 0 },
		{ "foreign root, native usr: dropped", { DMB_DDI_ROOT, DMB_DDI_USR },
		  { DMB_ARCH_ARM64, DMB_ARCH_X86_64 }, NULL, DMB_DDI_ROOT, 1, 0, 0 },
		{ "secondary root and usr", { DMB_DDI_ROOT, DMB_DDI_USR },
		  { DMB_ARCH_X86, DMB_ARCH_X86 }, NULL, DMB_DDI_USR, 1, 2, 0 },
		{ "no root, secondary usr", { DMB_DDI_HOME, DMB_DDI_USR },
		  { DMB_ARCH_UNKNOWN, DMB_ARCH_X86 }, NULL, DMB_DDI_USR, 0, 2, 0 },
		{ "no root, native usr-verity alone", { DMB_DDI_HOME, DMB_DDI_USR_VERITY },
		  { DMB_ARCH_UNKNOWN, DMB_ARCH_X86_64 },
		  "usr-verity partition 2 without a usr partition", 0, 0, 0, 0 },
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct disk d;
		struct dmb_ddi *ddi;

		disk_init(&d, 512, 2048);
		for (int i = 0; i < 2; i++)
			disk_add(&d, type_guid(cases[c].d[i], cases[c].a[i]), 64 + 32 * i, 16, 0, "p");
		if (cases[c].err) {
			dissect_fails(&d, &x86_64, DMB_EINVAL, cases[c].err, cases[c].name);
			disk_free(&d);
			continue;
		}
		ddi = dissect_ok(&d, &x86_64);
		if (number_of(chosen(ddi, DMB_DDI_ROOT)) != cases[c].root ||
		    number_of(chosen(ddi, DMB_DDI_USR)) != cases[c].usr ||
		    number_of(chosen(ddi, DMB_DDI_ROOT_VERITY)) != cases[c].root_verity)
			fail_msg("%s: root %u, usr %u, root-verity %u", cases[c].name,
				 number_of(chosen(ddi, DMB_DDI_ROOT)),
				 number_of(chosen(ddi, DMB_DDI_USR)),
				 number_of(chosen(ddi, DMB_DDI_ROOT_VERITY)));
		assert_non_null(chosen(ddi, cases[c].chosen_d));
		dmb_ddi_destroy(ddi);
		disk_free(&d);
	}
}

/* Which of the partitions (by label) is chosen as d. */
static void choose_labels(enum dmb_ddi_designator d, const char *const *labels, size_t n,
			  unsigned want_number)
{
	struct disk dk;
	struct dmb_ddi *ddi;
	bool per_arch = d == DMB_DDI_ROOT || d == DMB_DDI_USR;
	const char *type = type_guid(d, per_arch ? DMB_ARCH_X86_64 : DMB_ARCH_UNKNOWN);

	disk_init(&dk, 512, 2048);
	for (size_t i = 0; i < n; i++)
		disk_add(&dk, type, 64 + 32 * i, 16, 0, labels[i]);
	ddi = dissect_ok(&dk, &x86_64);
	if (number_of(chosen(ddi, d)) != want_number)
		fail_msg("%s among %s, %s, ...: chose %u, want %u", dmb_ddi_designator_name(d),
			 labels[0], n > 1 ? labels[1] : "", number_of(chosen(ddi, d)), want_number);
	dmb_ddi_destroy(ddi);
	disk_free(&dk);
}

static void test_choose_version(void **state)
{
	static const char *const abc[] = { "root-1.2", "root-1.10", "root-1.9~rc1" };
	static const char *const tie[] = { "root-2", "root-2", "root-1" };
	static const char *const dash[] = { "root-2", "root_2", "root.2" };
	static const char *const rc[] = { "os_2~rc1", "os_2" };
	static const char *const empty[] = { "~1", "" };
	static const char *const sep[] = { "_", "" };
	static const char *const nonver[] = { "home-1", "home-2", "home-3" };

	(void)state;
	choose_labels(DMB_DDI_ROOT, abc, 3, 2);
	choose_labels(DMB_DDI_USR, abc, 3, 2);
	/* Equal versions: the first. */
	choose_labels(DMB_DDI_ROOT, tie, 3, 1);
	/* '-' before a segment is older than '.', and '_' only separates (newest). */
	choose_labels(DMB_DDI_ROOT, dash, 3, 2);
	choose_labels(DMB_DDI_ROOT, rc, 2, 2);
	/* "" is newer than "~1" (systemd's order), and as new as "_" (so the first). */
	choose_labels(DMB_DDI_ROOT, empty, 2, 2);
	choose_labels(DMB_DDI_ROOT, sep, 2, 1);
	/* Not versioned: the first, whatever the labels say. */
	choose_labels(DMB_DDI_HOME, nonver, 3, 1);
	choose_labels(DMB_DDI_ESP, nonver, 3, 1);
	choose_labels(DMB_DDI_SWAP, nonver, 3, 1);
}

/* Native before secondary whatever the version; no-auto partitions never chosen. */
static void test_choose_no_auto(void **state)
{
	struct disk d;
	struct dmb_ddi *ddi;

	(void)state;
	disk_init(&d, 512, 2048);
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86), 64, 16, 0, "os-9");          /* p1 */
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 96, 16, 1ull << 63, "os-8"); /* p2 */
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 128, 16, 0, "os-1");      /* p3 */
	disk_add(&d, type_guid(DMB_DDI_HOME, DMB_ARCH_UNKNOWN), 160, 16, 1ull << 63, "h"); /* p4 */
	disk_add(&d, type_guid(DMB_DDI_SWAP, DMB_ARCH_UNKNOWN), 192, 16, 1ull << 63, "s"); /* p5 */
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(ddi->count, 5);
	assert_int_equal(number_of(chosen(ddi, DMB_DDI_ROOT)), 3);
	assert_true(ddi->parts[1].no_auto);
	assert_false(ddi->parts[2].no_auto);
	assert_null(chosen(ddi, DMB_DDI_HOME));
	assert_null(chosen(ddi, DMB_DDI_SWAP));
	dmb_ddi_destroy(ddi);
	/* With the native one no-auto too, the secondary one is used. */
	d.p[2].attrs = 1ull << 63;
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(number_of(chosen(ddi, DMB_DDI_ROOT)), 1);
	assert_int_equal(chosen(ddi, DMB_DDI_ROOT)->arch, DMB_ARCH_X86);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

static void test_flags(void **state)
{
	static const enum dmb_ddi_designator generic[] = {
		DMB_DDI_XBOOTLDR, DMB_DDI_SWAP, DMB_DDI_HOME, DMB_DDI_SRV, DMB_DDI_VAR, DMB_DDI_TMP,
		DMB_DDI_LINUX_GENERIC,
	};
	const uint64_t ro = 1ull << 60, grow = 1ull << 59, noauto = 1ull << 63;
	struct disk d;
	struct dmb_ddi *ddi;

	(void)state;
	disk_init(&d, 512, 4096);
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 64, 16, ro | grow, "r");  /* p1 */
	disk_add(&d, type_guid(DMB_DDI_USR, DMB_ARCH_X86_64), 96, 16, ro, "u");          /* p2 */
	/* p3: an ESP with the DPS bits (meaningless there) and the UEFI "required" bit. */
	disk_add(&d, type_guid(DMB_DDI_ESP, DMB_ARCH_UNKNOWN), 128, 16, noauto | ro | grow | 1, "e");
	/* p4: an ESP with no-block-io-protocol: systemd skips it. */
	disk_add(&d, type_guid(DMB_DDI_ESP, DMB_ARCH_UNKNOWN), 160, 16, 2, "e2");
	disk_add(&d, "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", 192, 16, 0, "msdata"); /* p5: unknown */
	for (size_t i = 0; i < ARRAY_SIZE(generic); i++)                          /* p6.. */
		disk_add(&d, type_guid(generic[i], DMB_ARCH_UNKNOWN), 256 + 32 * i, 16,
			 i % 2 ? grow : 0, dmb_ddi_designator_name(generic[i]));
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(ddi->count, 4 + ARRAY_SIZE(generic));
	assert_ptr_equal(ddi->table->parts, ddi->parts[0].part);
	assert_true(ddi->parts[0].read_only && ddi->parts[0].growfs && !ddi->parts[0].no_auto);
	assert_true(ddi->parts[1].read_only && !ddi->parts[1].growfs);
	assert_false(ddi->parts[2].no_auto || ddi->parts[2].read_only || ddi->parts[2].growfs);
	assert_true(ddi->parts[3].no_auto);
	assert_int_equal(number_of(chosen(ddi, DMB_DDI_ESP)), 3);
	for (size_t i = 0; i < ARRAY_SIZE(generic); i++) {
		const struct dmb_ddi_partition *p = &ddi->parts[4 + i];

		assert_int_equal(p->designator, generic[i]);
		assert_int_equal(p->part->number, 6 + i);
		assert_int_equal(p->arch, DMB_ARCH_UNKNOWN);
		assert_int_equal(p->growfs, i % 2 == 1);
		assert_string_equal(p->part->name, dmb_ddi_designator_name(generic[i]));
		/* Generic Linux data is root or nothing; here there is a root. */
		assert_ptr_equal(chosen(ddi, generic[i]),
				 generic[i] == DMB_DDI_LINUX_GENERIC ? NULL : p);
	}
	/* The unknown partition is in the table, not among the known ones. */
	assert_int_equal(ddi->table->count, 5 + ARRAY_SIZE(generic));
	for (size_t i = 0; i < ddi->count; i++)
		assert_int_not_equal(ddi->parts[i].part->number, 5);
	dmb_ddi_destroy(ddi);
	/* ESP bit 1 on the only ESP: none chosen. */
	d.p[2].attrs = 2;
	ddi = dissect_ok(&d, &x86_64);
	assert_null(chosen(ddi, DMB_DDI_ESP));
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/*
 * An ext superblock from its magic (at 1080) to its feature words: compat
 * (1116), incompat (1120), ro_compat (1124); 48 bytes.
 */
#define EXT_SB(compat, incompat, ro_compat) \
	"\x53\xef" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" \
	compat incompat ro_compat

/* Partitions named by the magic at the start (or 64 KiB in, for btrfs). */
static void test_fstypes(void **state)
{
	static const struct {
		const char *fstype;
		size_t at;
		const char *magic;
		size_t len;
		uint64_t lbas;
		enum dmb_ddi_designator d;
	} fs[] = {
		{ "squashfs", 0, "hsqs", 4, 16, DMB_DDI_ROOT },
		{ "erofs", 1024, "\xe2\xe1\xf5\xe0", 4, 16, DMB_DDI_ROOT },
		{ "ext2", 1080, "\x53\xef", 2, 16, DMB_DDI_HOME },
		/* ext2 with filetype and meta_bg; sparse_super, large_file, btree_dir */
		{ "ext2", 1080, EXT_SB("\0\0\0\0", "\x12\0\0\0", "\x07\0\0\0"), 48, 16, DMB_DDI_HOME },
		{ "ext3", 1080, EXT_SB("\x04\0\0\0", "\x16\0\0\0", "\x07\0\0\0"), 48, 16, DMB_DDI_HOME },
		/* extents (incompat 0x40) without a journal */
		{ "ext4", 1080, EXT_SB("\0\0\0\0", "\x40\0\0\0", "\0\0\0\0"), 48, 16, DMB_DDI_HOME },
		/* huge_file (ro_compat 0x8) with a journal */
		{ "ext4", 1080, EXT_SB("\x04\0\0\0", "\0\0\0\0", "\x08\0\0\0"), 48, 16, DMB_DDI_HOME },
		{ "jbd", 1080, EXT_SB("\0\0\0\0", "\x08\0\0\0", "\0\0\0\0"), 48, 16, DMB_DDI_HOME },
		/* needs_recovery without a journal: neither ext2 nor ext3 nor ext4 */
		{ "", 1080, EXT_SB("\0\0\0\0", "\x04\0\0\0", "\0\0\0\0"), 48, 16, DMB_DDI_HOME },
		{ "xfs", 0, "XFSB", 4, 16, DMB_DDI_SRV },
		{ "DM_verity_hash", 0, "verity\0\0", 8, 16, DMB_DDI_ROOT_VERITY },
		{ "swap", 4086, "SWAPSPACE2", 10, 16, DMB_DDI_SWAP },
		{ "swap", 4086, "SWAP-SPACE", 10, 16, DMB_DDI_SWAP },
		{ "vfat", 54, "FAT16   ", 8, 16, DMB_DDI_ESP },
		{ "vfat", 82, "FAT32   ", 8, 16, DMB_DDI_ESP },
		{ "btrfs", 65536 + 64, "_BHRfS_M", 8, 256, DMB_DDI_VAR },
		{ "verity_hash_signature", 0, "{", 1, 16, DMB_DDI_ROOT_VERITY_SIG },
		/* A '{' means a signature only on a -verity-sig partition. */
		{ "", 0, "{", 1, 16, DMB_DDI_TMP },
		{ "", 0, "", 0, 16, DMB_DDI_LINUX_GENERIC },
		/* FAT's name without the boot signature is not FAT. */
		{ "", 54, "FAT16   ", 8, 16, DMB_DDI_XBOOTLDR },
		/* Too short to probe: 7 sectors. */
		{ "", 0, "hsqs", 4, 7, DMB_DDI_HOME },
		/* btrfs's magic where a too-short partition ends. */
		{ "", 0, "", 0, 128, DMB_DDI_SRV },
	};
	struct disk d;
	struct dmb_ddi *ddi;
	uint64_t at = 64;

	(void)state;
	disk_init(&d, 512, 4096);
	for (size_t i = 0; i < ARRAY_SIZE(fs); i++) {
		bool per_arch = fs[i].d == DMB_DDI_ROOT || fs[i].d == DMB_DDI_USR ||
				fs[i].d == DMB_DDI_ROOT_VERITY || fs[i].d == DMB_DDI_ROOT_VERITY_SIG;
		struct part *p = disk_add(&d, type_guid(fs[i].d, per_arch ? DMB_ARCH_X86_64 :
								   DMB_ARCH_UNKNOWN),
					  at, fs[i].lbas, 0, "fs");

		memcpy(part_mem(&d, p) + fs[i].at, fs[i].magic, fs[i].len);
		if (!strcmp(fs[i].fstype, "vfat")) {
			part_mem(&d, p)[510] = 0x55;
			part_mem(&d, p)[511] = 0xaa;
		}
		at += fs[i].lbas + 8;
	}
	/* The last one: btrfs's magic at 64 KiB lies past its end, in the next free space. */
	memcpy(part_mem(&d, &d.p[d.n - 1]) + 65536 + 64, "_BHRfS_M", 8);
	/* A -verity partition with a data partition, and a sig with a -verity. */
	ddi = NULL;
	assert_int_equal(dissect(&d, &(struct dmb_ddi_options){ .arch = DMB_ARCH_X86_64,
								.flags = DMB_DDI_IGNORE_SIGNATURE },
				 &ddi), 0);
	assert_int_equal(ddi->count, ARRAY_SIZE(fs));
	for (size_t i = 0; i < ARRAY_SIZE(fs); i++)
		if (strcmp(ddi->parts[i].fstype, fs[i].fstype) != 0)
			fail_msg("partition %zu: \"%s\", want \"%s\"", i + 1, ddi->parts[i].fstype,
				 fs[i].fstype);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

static void test_not_dissected(void **state)
{
	struct disk d;
	struct dmb_ddi *ddi = NULL;

	(void)state;
	/* No table at all. */
	disk_init(&d, 512, 2048);
	dmb_ctx_clear(&ctx);
	expect_err(dmb_ddi_dissect(&ctx, disk_bdev(&d), &x86_64, &ddi), DMB_ENOENT, NULL,
		   "blank");
	assert_null(ddi);
	assert_true(ctx.msg[0] != '\0');
	disk_free(&d);
	/* Root and usr of different architectures: a foreign root takes its usr from the other
	 * tier, then the secondary one. */
	disk_init(&d, 512, 2048);
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_ARM64), 64, 16, 0, "r");
	disk_add(&d, type_guid(DMB_DDI_USR, DMB_ARCH_X86), 96, 16, 0, "u");
	dissect_fails(&d, &x86_64, DMB_EINVAL, "root and usr partitions of different architectures",
		      "root arm64, usr x86");
	d.p[1].type = type_guid(DMB_DDI_USR, DMB_ARCH_RISCV64);
	dissect_fails(&d, &x86_64, DMB_EINVAL, "root and usr partitions of different architectures",
		      "root arm64, usr riscv64");
	/* An empty GPT: nothing chosen, not an error. */
	d.n = 0;
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(ddi->count, 0);
	for (int k = 0; k < DMB_DDI_DESIGNATOR_COUNT; k++)
		assert_null(ddi->chosen[k]);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
	dmb_ddi_destroy(NULL);
}

/* ---- verity pairing and signatures --------------------------------------------- */

#define SIGP "root-verity-sig partition 4: "

/* The signed verity of root (v = 0) or usr (1) checks out and names the set's partitions. */
static void check_signed(const struct disk *d, const struct dmb_ddi *ddi, int v,
			 const struct vset *set,
			 const char *fingerprint)
{
	const struct dmb_ddi_verity *vy = &ddi->verity[v];
	uint8_t first;

	assert_int_equal(vy->state, DMB_DDI_VERITY_SIGNED);
	assert_int_equal(vy->root_hash_size, set->root_size);
	assert_memory_equal(vy->root_hash, set->root, set->root_size);
	assert_int_equal(number_of(vy->data), set->data->index + 1);
	assert_int_equal(number_of(vy->hash), set->hash->index + 1);
	assert_int_equal(number_of(vy->sig), set->sig->index + 1);
	assert_ptr_equal(vy->data, chosen(ddi, v ? DMB_DDI_USR : DMB_DDI_ROOT));
	assert_ptr_equal(vy->hash, chosen(ddi, v ? DMB_DDI_USR_VERITY : DMB_DDI_ROOT_VERITY));
	assert_ptr_equal(vy->sig, chosen(ddi, v ? DMB_DDI_USR_VERITY_SIG : DMB_DDI_ROOT_VERITY_SIG));
	assert_non_null(vy->signature);
	assert_true(vy->signature_size > 64 && vy->signature[0] == 0x30);
	assert_string_equal(vy->cert_fingerprint, fingerprint);
	assert_int_equal(vy->sig_err, 0);
	assert_string_equal(vy->sig_msg, "");
	assert_string_equal(vy->data->fstype, "squashfs");
	assert_string_equal(vy->hash->fstype, "DM_verity_hash");
	/* Named by its first byte: a '{' (not leading white space, though that is valid). */
	first = d->mem[vy->sig->part->start_lba * d->ss];
	assert_string_equal(vy->sig->fstype, first == '{' ? "verity_hash_signature" : "");
	assert_true(vy->data->read_only && vy->hash->read_only && vy->sig->read_only);
}

static void test_signed(void **state)
{
	struct dmb_ddi_options require = { .arch = DMB_ARCH_X86_64,
					   .flags = DMB_DDI_REQUIRE_SIGNATURE };
	struct disk d;
	struct vset v;
	struct dmb_ddi *ddi;
	char upper[2 * DMB_MAX_DIGEST_SIZE + 1], json[4096];
	uint8_t *der;
	size_t n, len;

	(void)state;
	signed_disk(&d, &v);
	ddi = dissect_ok(&d, &x86_64);
	check_signed(&d, ddi, 0, &v, good.fingerprint);
	assert_int_equal(ddi->verity[1].state, DMB_DDI_VERITY_NONE);
	assert_null(ddi->verity[1].data);
	assert_int_equal(number_of(chosen(ddi, DMB_DDI_ESP)), 1);
	assert_int_equal(ddi->count, 4);
	dmb_ddi_destroy(ddi);
	/* Required, and given: the same. */
	ddi = dissect_ok(&d, &require);
	check_signed(&d, ddi, 0, &v, good.fingerprint);
	dmb_ddi_destroy(ddi);
	require.root_hash[0] = v.root;
	require.root_hash_size[0] = v.root_size;
	ddi = dissect_ok(&d, &require);
	check_signed(&d, ddi, 0, &v, good.fingerprint);
	dmb_ddi_destroy(ddi);
	/* A signature that carries its certificate, as systemd-repart's does. */
	vset_sign_as(&d, &v, &good, NULL, NULL, true);
	ddi = dissect_ok(&d, &x86_64);
	check_signed(&d, ddi, 0, &v, good.fingerprint);
	dmb_ddi_destroy(ddi);
	/* No certificateFingerprint: optional.  rootHash in upper case: the lowercase is signed. */
	for (size_t i = 0; i < 2 * v.root_size + 1; i++)
		upper[i] = (char)(v.root_hex[i] >= 'a' ? v.root_hex[i] - 'a' + 'A' : v.root_hex[i]);
	n = sign(&good, v.root_hex, strlen(v.root_hex), false, &der);
	len = sig_json(json, sizeof(json), upper, NULL, der, n);
	OPENSSL_free(der);
	sig_put(&d, &v, json, len);
	ddi = dissect_ok(&d, &x86_64);
	check_signed(&d, ddi, 0, &v, "");
	dmb_ddi_destroy(ddi);
	/* Signed over the upper-case text instead: that is not what the kernel is given. */
	vset_sign_as(&d, &v, &good, upper, upper, false);
	dissect_fails(&d, &x86_64, DMB_EVERIFY, NULL, "signed upper case");
	assert_memory_equal(ctx.msg, SIGP "root hash signature: ", strlen(SIGP) + 21);
	disk_free(&d);
}

/* The same refusal without DMB_DDI_KEEP_GOING, and recorded with it. */
static void refused(struct disk *d, int code, const char *msg, const char *prefix,
		    enum dmb_ddi_verity_state kept_state, const char *what)
{
	struct dmb_ddi_options keep = { .arch = DMB_ARCH_X86_64, .flags = DMB_DDI_KEEP_GOING };
	struct dmb_ddi *ddi = NULL;
	char first[DMB_MSG_MAX];

	expect_err(dissect(d, &x86_64, &ddi), code, msg, what);
	assert_null(ddi);
	if (prefix && strncmp(ctx.msg, prefix, strlen(prefix)) != 0)
		fail_msg("%s: \"%s\" does not start with \"%s\"", what, ctx.msg, prefix);
	memcpy(first, ctx.msg, sizeof(first));
	ddi = dissect_ok(d, &keep);
	if (ddi->verity[0].state != kept_state || ddi->verity[0].sig_err != code ||
	    strcmp(ddi->verity[0].sig_msg, first) != 0)
		fail_msg("%s, keep going: state %d err %d \"%s\"", what, (int)ddi->verity[0].state,
			 ddi->verity[0].sig_err, ddi->verity[0].sig_msg);
	if (kept_state == DMB_DDI_VERITY_UNVERIFIED) {
		assert_true(ddi->verity[0].root_hash_size >= 16);
		assert_true(ddi->verity[0].root_hash_size <= DMB_MAX_DIGEST_SIZE);
	} else {
		assert_int_equal(ddi->verity[0].root_hash_size, 0);
	}
	/* Inspection still shows the partitions. */
	assert_non_null(ddi->verity[0].data);
	assert_non_null(ddi->verity[0].hash);
	assert_non_null(ddi->verity[0].sig);
	dmb_ddi_destroy(ddi);
	/* Required signatures: refused either way. */
	keep.flags |= DMB_DDI_REQUIRE_SIGNATURE;
	expect_err(dissect(d, &keep, &ddi), DMB_ENOKEY,
		   "root partition 2: no verity signature, and one is required", what);
	assert_null(ddi);
}

static void test_signature_refused(void **state)
{
	struct dmb_crypto_ops no_pkcs7 = *pc.crypto.ops;
	struct dmb_crypto digests_only = { .ops = &no_pkcs7 };
	struct disk d;
	struct vset v;
	char other_hex[2 * DMB_MAX_DIGEST_SIZE + 1];

	(void)state;
	signed_disk(&d, &v);
	memcpy(other_hex, v.root_hex, sizeof(other_hex));
	other_hex[40] = other_hex[40] == '0' ? '1' : '0';

	/* Untrusted signer, without and with its certificate in the signature. */
	vset_sign_as(&d, &v, &other, NULL, NULL, false);
	refused(&d, DMB_ENOKEY, NULL, SIGP "root hash signature: signer ",
		DMB_DDI_VERITY_UNVERIFIED, "untrusted");
	vset_sign_as(&d, &v, &other, NULL, NULL, true);
	refused(&d, DMB_ENOKEY, NULL, SIGP "root hash signature: signer ",
		DMB_DDI_VERITY_UNVERIFIED, "untrusted with certificate");

	/* A trusted signature over another root hash. */
	vset_sign_as(&d, &v, &good, other_hex, NULL, false);
	refused(&d, DMB_EVERIFY, NULL, SIGP "root hash signature: ", DMB_DDI_VERITY_UNVERIFIED,
		"over another root hash");

	/* No crypto provider, or one that cannot check signatures: fail closed. */
	vset_sign(&d, &v);
	ctx.crypto = NULL;
	refused(&d, DMB_ENOTSUP, "root-verity-sig: no signature verifier", NULL,
		DMB_DDI_VERITY_UNVERIFIED, "no provider");
	no_pkcs7.pkcs7_verify = NULL;
	ctx.crypto = &digests_only;
	refused(&d, DMB_ENOTSUP, "root-verity-sig: no signature verifier", NULL,
		DMB_DDI_VERITY_UNVERIFIED, "no pkcs7_verify");
	ctx.crypto = &pc.crypto;

	/* A corrupt signature (not DER). */
	{
		char json[256];
		int n = snprintf(json, sizeof(json), "{\"rootHash\":\"%s\",\"signature\":\"MAA=\"}",
				 v.root_hex);

		sig_put(&d, &v, json, (size_t)n);
	}
	refused(&d, DMB_EINVAL, NULL, SIGP "root hash signature: ", DMB_DDI_VERITY_UNVERIFIED,
		"not a PKCS#7");
	disk_free(&d);
}

/*
 * A good signature over a root hash whose UUIDs name no partition: the
 * signature verifies, the pairing does not (the signed data and hash are
 * other partitions than these).
 */
static void test_uuid_mismatch(void **state)
{
	struct dmb_ddi_options keep = { .arch = DMB_ARCH_X86_64, .flags = DMB_DDI_KEEP_GOING };
	struct disk d;
	struct vset v;
	struct dmb_ddi *ddi = NULL;
	char other_hex[2 * DMB_MAX_DIGEST_SIZE + 1];

	(void)state;
	signed_disk(&d, &v);
	memcpy(other_hex, v.root_hex, sizeof(other_hex));
	other_hex[5] = other_hex[5] == '0' ? '1' : '0'; /* in the data partition's UUID */
	vset_sign_as(&d, &v, &good, other_hex, other_hex, false);
	dissect_fails(&d, &x86_64, DMB_EVERIFY,
		      "root: no root partition has the UUID the root hash gives", "data UUID");
	/* Keeping going does not keep going past a mismatch: nothing would be consistent. */
	expect_err(dissect(&d, &keep, &ddi), DMB_EVERIFY,
		   "root: no root partition has the UUID the root hash gives", "keep going");
	memcpy(other_hex, v.root_hex, sizeof(other_hex));
	other_hex[60] = other_hex[60] == '0' ? '1' : '0'; /* in the -verity partition's UUID */
	vset_sign_as(&d, &v, &good, other_hex, other_hex, false);
	dissect_fails(&d, &x86_64, DMB_EVERIFY,
		      "root: no root-verity partition has the UUID the root hash gives",
		      "hash UUID");
	/* The partitions' UUIDs changed instead. */
	vset_sign(&d, &v);
	v.hash->uuid[15] ^= 1;
	dissect_fails(&d, &x86_64, DMB_EVERIFY,
		      "root: no root-verity partition has the UUID the root hash gives",
		      "hash partition UUID");
	v.hash->uuid[15] ^= 1;
	ddi = dissect_ok(&d, &x86_64);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/* A root hash given by the caller: with the signed one, and alone. */
static void test_given_root_hash(void **state)
{
	struct dmb_ddi_options o = { .arch = DMB_ARCH_X86_64 };
	struct disk d;
	struct vset a, b;
	struct dmb_ddi *ddi;
	uint8_t wrong[DMB_MAX_DIGEST_SIZE], zero[32] = { 0 };

	(void)state;
	signed_disk(&d, &a);
	memcpy(wrong, a.root, a.root_size);
	wrong[31] ^= 1;
	o.root_hash[0] = wrong;
	o.root_hash_size[0] = a.root_size;
	dissect_fails(&d, &o, DMB_EVERIFY,
		      SIGP "the signed root hash differs from the one given", "differs");
	o.root_hash_size[0] = 20;
	dissect_fails(&d, &o, DMB_EVERIFY,
		      SIGP "the signed root hash differs from the one given", "shorter");
	o.flags = DMB_DDI_KEEP_GOING;
	o.root_hash_size[0] = a.root_size;
	ddi = dissect_ok(&d, &o);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_UNVERIFIED);
	assert_int_equal(ddi->verity[0].sig_err, DMB_EVERIFY);
	dmb_ddi_destroy(ddi);
	disk_free(&d);

	/*
	 * No -verity-sig partitions: two sets, and the given root hash picks the
	 * one with the older label.
	 */
	disk_init(&d, 512, 2048);
	vset_make(&d, &a, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64, "os_1", NULL, "sha256", 11);
	vset_make(&d, &b, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64 + VSET_LBAS, "os_2", NULL, "sha256", 12);
	o.flags = 0;
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_AVAILABLE);
	assert_int_equal(number_of(ddi->verity[0].data), 3);
	assert_int_equal(number_of(ddi->verity[0].hash), 4);
	dmb_ddi_destroy(ddi);
	o.root_hash[0] = a.root;
	ddi = dissect_ok(&d, &o);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_EXTERNAL);
	assert_int_equal(number_of(ddi->verity[0].data), 1);
	assert_int_equal(number_of(ddi->verity[0].hash), 2);
	assert_memory_equal(ddi->verity[0].root_hash, a.root, 32);
	assert_null(ddi->verity[0].sig);
	assert_null(ddi->verity[0].signature);
	dmb_ddi_destroy(ddi);
	o.flags = DMB_DDI_REQUIRE_SIGNATURE;
	dissect_fails(&d, &o, DMB_ENOKEY,
		      "root partition 1: no verity signature, and one is required", "external");
	o.flags = 0;
	memcpy(wrong, a.root, 32);
	wrong[31] ^= 1;
	o.root_hash[0] = wrong;
	dissect_fails(&d, &o, DMB_EVERIFY,
		      "root: no root-verity partition has the UUID the root hash gives", "no match");
	wrong[0] ^= 1;
	dissect_fails(&d, &o, DMB_EVERIFY,
		      "root: no root partition has the UUID the root hash gives", "no match");
	o.root_hash_size[0] = 15;
	dissect_fails(&d, &o, DMB_EINVAL, "root: root hash of 15 bytes", "15 bytes");
	o.root_hash_size[0] = 65;
	dissect_fails(&d, &o, DMB_EINVAL, "root: root hash of 65 bytes", "65 bytes");
	o.root_hash[0] = zero;
	o.root_hash_size[0] = 32;
	zero[31] = 1;
	dissect_fails(&d, &o, DMB_EINVAL, "root: the root hash gives an all-zero partition UUID",
		      "first half zero");
	zero[0] = 1;
	zero[31] = 0;
	dissect_fails(&d, &o, DMB_EINVAL, "root: the root hash gives an all-zero partition UUID",
		      "last half zero");
	/* For usr, where there is none. */
	o.root_hash[0] = NULL;
	o.root_hash_size[0] = 0;
	o.root_hash[1] = a.root;
	o.root_hash_size[1] = 32;
	dissect_fails(&d, &o, DMB_EVERIFY, "usr: no usr partition has the UUID the root hash gives",
		      "usr");
	disk_free(&d);

	/*
	 * A native set and a secondary one: without a root hash the native one;
	 * given the secondary one's, that one, as systemd passes over the rest.
	 */
	disk_init(&d, 512, 2048);
	vset_make(&d, &a, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64, "os", NULL, "sha256", 13);
	vset_make(&d, &b, DMB_DDI_ROOT, DMB_ARCH_X86, 64 + VSET_LBAS, "os", NULL, "sha256", 14);
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(number_of(ddi->verity[0].data), 1);
	dmb_ddi_destroy(ddi);
	o.root_hash[1] = NULL;
	o.root_hash_size[1] = 0;
	o.root_hash[0] = b.root;
	o.root_hash_size[0] = 32;
	ddi = dissect_ok(&d, &o);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_EXTERNAL);
	assert_int_equal(number_of(ddi->verity[0].data), 3);
	assert_int_equal(number_of(ddi->verity[0].hash), 4);
	assert_int_equal(ddi->verity[0].data->arch, DMB_ARCH_X86);
	dmb_ddi_destroy(ddi);
	/* A hash naming the secondary data but not its verity partition: refused as that. */
	memcpy(wrong, b.root, 32);
	wrong[31] ^= 1;
	o.root_hash[0] = wrong;
	dissect_fails(&d, &o, DMB_EVERIFY,
		      "root: no root-verity partition has the UUID the root hash gives", "half match");
	disk_free(&d);
}

static void test_require_signature(void **state)
{
	struct dmb_ddi_options o = { .arch = DMB_ARCH_X86_64, .flags = DMB_DDI_REQUIRE_SIGNATURE };
	struct disk d;
	struct vset v;
	struct dmb_ddi *ddi;

	(void)state;
	/* Verity without a signature partition. */
	disk_init(&d, 512, 2048);
	vset_make(&d, &v, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64, "os", NULL, "sha256", 3);
	dissect_fails(&d, &o, DMB_ENOKEY, "root partition 1: no verity signature, and one is required",
		      "no sig partition");
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_AVAILABLE);
	assert_int_equal(ddi->verity[0].root_hash_size, 0);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
	/* No verity at all. */
	disk_init(&d, 512, 2048);
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 64, 16, 0, "r");
	dissect_fails(&d, &o, DMB_ENOKEY, "root partition 1: no verity signature, and one is required",
		      "no verity");
	disk_free(&d);
	/* A signature ignored is a signature missing. */
	signed_disk(&d, &v);
	o.flags |= DMB_DDI_IGNORE_SIGNATURE;
	dissect_fails(&d, &o, DMB_ENOKEY, "root partition 2: no verity signature, and one is required",
		      "ignored");
	o.flags = DMB_DDI_IGNORE_SIGNATURE;
	ddi = dissect_ok(&d, &o);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_AVAILABLE);
	assert_null(ddi->verity[0].sig);
	assert_null(chosen(ddi, DMB_DDI_ROOT_VERITY_SIG));
	dmb_ddi_destroy(ddi);
	/* The signature is read even when not required, and must then be good. */
	vset_sign_as(&d, &v, &other, NULL, NULL, false);
	dissect_fails(&d, &x86_64, DMB_ENOKEY, NULL, "bad signature, not required");
	disk_free(&d);
}

/* -verity and -verity-sig partitions without what they belong to. */
static void test_inconsistent(void **state)
{
	static const struct {
		const char *name;
		bool data, hash, sig;
		const char *msg;
	} cases[] = {
		{ "verity alone", false, true, false, "%s-verity partition 1 without a %s partition" },
		{ "verity and sig", false, true, true, "%s-verity partition 1 without a %s partition" },
		{ "sig alone", false, false, true, "%s-verity-sig partition 1 without a %s partition" },
		{ "data and sig", true, false, true,
		  "%s-verity-sig partition 2 without a %s-verity partition" },
	};

	(void)state;
	for (int usr = 0; usr < 2; usr++) {
		for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
			const char *what = usr ? "usr" : "root";
			enum dmb_ddi_designator base = usr ? DMB_DDI_USR : DMB_DDI_ROOT;
			struct disk d;
			struct vset v;
			char msg[128];

			disk_init(&d, 512, 2048);
			vset_make(&d, &v, base, DMB_ARCH_X86_64, 64, "os", "os", "sha256", 5);
			vset_sign(&d, &v);
			/* Keep the wanted ones, renumbered from 1. */
			d.n = 0;
			if (cases[c].data)
				d.p[d.n++] = *v.data;
			if (cases[c].hash)
				d.p[d.n++] = *v.hash;
			if (cases[c].sig)
				d.p[d.n++] = *v.sig;
			for (size_t i = 0; i < d.n; i++)
				d.p[i].index = (unsigned)i;
			fill(msg, sizeof(msg), cases[c].msg, what, what, 0);
			dissect_fails(&d, &x86_64, DMB_EINVAL, msg, cases[c].name);
			/* A data partition of a foreign architecture is no data partition. */
			if (cases[c].data) {
				d.p[0].type = type_guid(base, DMB_ARCH_ARM64);
				dissect_fails(&d, &x86_64, DMB_EINVAL, NULL, cases[c].name);
			}
			disk_free(&d);
		}
	}
}

/* A/B: the newest -verity-sig partition by label picks its data and hash partitions. */
static void test_ab(void **state)
{
	struct dmb_ddi_options keep = { .arch = DMB_ARCH_X86_64, .flags = DMB_DDI_KEEP_GOING };
	struct disk d;
	struct vset a, b;
	struct dmb_ddi *ddi;

	(void)state;
	disk_init(&d, 512, 2048);
	/* B first in the table, with the data labels the other way round. */
	vset_make(&d, &b, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64, "os_9", "os_2", "sha256", 21);
	vset_make(&d, &a, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64 + VSET_LBAS, "os_10", "os_1", "sha256",
		  22);
	vset_sign(&d, &a);
	vset_sign(&d, &b);
	ddi = dissect_ok(&d, &x86_64);
	check_signed(&d, ddi, 0, &b, good.fingerprint);
	dmb_ddi_destroy(ddi);
	/* The newest signature is bad: no falling back to the older set. */
	vset_sign_as(&d, &b, &other, NULL, NULL, false);
	dissect_fails(&d, &x86_64, DMB_ENOKEY, NULL, "newest untrusted");
	assert_int_equal(strncmp(ctx.msg, "root-verity-sig partition 3: ", 29), 0);
	ddi = dissect_ok(&d, &keep);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_UNVERIFIED);
	assert_int_equal(number_of(ddi->verity[0].data), 1);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/* Root without verity and a signed usr; and both signed. */
static void test_usr(void **state)
{
	struct dmb_ddi_options require = { .arch = DMB_ARCH_X86_64,
					   .flags = DMB_DDI_REQUIRE_SIGNATURE };
	struct disk d;
	struct vset r, u;
	struct dmb_ddi *ddi;

	(void)state;
	disk_init(&d, 512, 2048);
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 40, 16, 0, "root");
	vset_make(&d, &u, DMB_DDI_USR, DMB_ARCH_X86_64, 64, "usr", "usr-sig", "sha256", 31);
	vset_sign(&d, &u);
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_NONE);
	check_signed(&d, ddi, 1, &u, good.fingerprint);
	dmb_ddi_destroy(ddi);
	dissect_fails(&d, &require, DMB_ENOKEY,
		      "root partition 1: no verity signature, and one is required", "root unsigned");
	disk_free(&d);

	/* systemd's rules: one verity partition per image; a verity root, no separate usr. */
	disk_init(&d, 512, 2048);
	vset_make(&d, &r, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64, "root", "root-sig", "sha256", 32);
	vset_make(&d, &u, DMB_DDI_USR, DMB_ARCH_X86_64, 64 + VSET_LBAS, "usr", "usr-sig", "sha512",
		  33);
	vset_sign(&d, &r);
	vset_sign(&d, &u);
	dissect_fails(&d, &require, DMB_EINVAL, "both root and usr have verity partitions",
		      "two verity sets");
	disk_free(&d);
	disk_init(&d, 512, 2048);
	vset_make(&d, &r, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64, "root", "root-sig", "sha256", 34);
	vset_sign(&d, &r);
	disk_add(&d, type_guid(DMB_DDI_USR, DMB_ARCH_X86_64), 64 + VSET_LBAS, 16, 0, "usr");
	dissect_fails(&d, &x86_64, DMB_EINVAL, "a verity root with a separate usr partition",
		      "verity root and usr");
	disk_free(&d);
	/* A sha512 usr set, signed, behind a plain root. */
	disk_init(&d, 512, 2048);
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 40, 16, 0, "root");
	vset_make(&d, &u, DMB_DDI_USR, DMB_ARCH_X86_64, 64, "usr", "usr-sig", "sha512", 35);
	vset_sign(&d, &u);
	ddi = dissect_ok(&d, &x86_64);
	check_signed(&d, ddi, 1, &u, good.fingerprint);
	assert_int_equal(ddi->verity[1].root_hash_size, 64);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/* ---- the -verity-sig partition's JSON, malformed in named ways ---------------- */

/*
 * Templates: @R the root hash (hex), @U the same in upper case, @S the
 * signature (base64), @s the same with every '/' written "\/", @F the
 * certificate fingerprint, @f the same in upper case, @0 a NUL byte, @D an
 * array nested 32 deep (33 levels with the object; ^ lands on the 33rd
 * '['), @d one nested 31 deep, @T 4100 numbers, @t 4087 numbers (4096
 * tokens in all with the three members).  ^ marks the byte the message
 * names; it is not part of the text.
 */
struct malformed {
	const char *name;
	const char *tmpl;
	int code;        /* 0: accepted */
	const char *msg; /* after SIGP; "%zu" is the byte at ^ */
	bool fill;       /* pad with spaces to the partition's end instead of NULs */
};

#define GOOD "{\"rootHash\":\"@R\",\"certificateFingerprint\":\"@F\",\"signature\":\"@S\"}"
#define TAIL ",\"certificateFingerprint\":\"@F\",\"signature\":\"@S\"}"
#define NOTHEX "rootHash is not a hex digest"
#define NOT64 "signature is not base64"
#define NOTFP "certificateFingerprint is not a SHA-256 hex digest"
#define BADJSON "malformed JSON at byte %zu"

static const struct malformed malformations[] = {
	{ "the good one", GOOD, 0, NULL, false },
	{ "white space around", " \n\t" GOOD "\r\n \t\n", 0, NULL, false },
	{ "no NUL at all: white space to the end", GOOD "\n", 0, NULL, true },
	{ "members in another order", "{\"signature\":\"@S\",\"rootHash\":\"@R\"}", 0, NULL, false },
	{ "other members ignored",
	  "{\"x\":{\"y\":[1,-2.5e-3,0,1E+2,true,false,null,\"\\u00e9\\n\\\"\",[],{}]},\"rootHash\":\"@R\""
	  TAIL, 0, NULL, false },
	{ "upper case hex", "{\"rootHash\":\"@U\",\"certificateFingerprint\":\"@f\",\"signature\":\"@S\"}",
	  0, NULL, false },
	{ "escaped slashes in the signature", "{\"rootHash\":\"@R\",\"signature\":\"@s\"}", 0, NULL,
	  false },
	{ "nested as deep as allowed", "{\"x\":@d,\"rootHash\":\"@R\"" TAIL, 0, NULL, false },
	{ "as many tokens as allowed", "{\"x\":[@t],\"rootHash\":\"@R\"" TAIL, 0, NULL, false },

	{ "empty partition", "", DMB_ECORRUPT, "no JSON", false },
	{ "not JSON", "^hello", DMB_ECORRUPT, BADJSON, false },
	{ "white space only", " \n ^", DMB_ECORRUPT, BADJSON, false },
	{ "an array", "[\"@R\",\"@S\"]", DMB_ECORRUPT, "the JSON is not an object", false },
	{ "a string", "\"@R\"", DMB_ECORRUPT, "the JSON is not an object", false },
	{ "a number", "42", DMB_ECORRUPT, "the JSON is not an object", false },
	{ "trailing garbage before the NULs", GOOD " ^x", DMB_ECORRUPT, BADJSON, false },
	{ "a second object", GOOD "^{}", DMB_ECORRUPT, BADJSON, false },
	{ "non-NUL bytes after the first NUL", GOOD "@0@0^x", DMB_ECORRUPT,
	  "data after the JSON's end at byte %zu", false },
	{ "a NUL inside the JSON", "{\"rootHash\":\"@R@0^\"" TAIL, DMB_ECORRUPT,
	  "data after the JSON's end at byte %zu", false },
	{ "truncated", "{\"rootHash\":\"@R\"^", DMB_ECORRUPT, BADJSON, false },
	{ "unterminated string", "{\"rootHash\":^\"@R", DMB_ECORRUPT, BADJSON, false },
	{ "trailing comma", "{\"rootHash\":\"@R\",\"signature\":\"@S\",^}", DMB_ECORRUPT, BADJSON,
	  false },
	{ "missing comma", "{\"rootHash\":\"@R\" ^\"signature\":\"@S\"}", DMB_ECORRUPT, BADJSON,
	  false },
	{ "member without a value", "{\"rootHash\":\"@R\",\"signature\":^}", DMB_ECORRUPT, BADJSON,
	  false },
	{ "member without a colon", "{^\"rootHash\" \"@R\",\"signature\":\"@S\"}", DMB_ECORRUPT,
	  BADJSON, false },
	{ "unquoted name", "{^rootHash:\"@R\",\"signature\":\"@S\"}", DMB_ECORRUPT, BADJSON, false },
	{ "single quotes", "{^'rootHash':'@R'}", DMB_ECORRUPT, BADJSON, false },
	{ "control character in a string", "{\"rootHash\":^\"@R\n\"" TAIL, DMB_ECORRUPT, BADJSON,
	  false },
	{ "unknown escape", "{\"x\":^\"\\q\",\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT, BADJSON, false },
	{ "short \\u escape", "{\"x\":^\"\\u12G4\",\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT, BADJSON,
	  false },
	{ "a word that is no literal", "{\"x\":^tru,\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT, BADJSON,
	  false },
	{ "a leading zero", "{\"x\":0^1,\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT, BADJSON, false },
	{ "a fraction without digits", "{\"x\":^1.,\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT, BADJSON,
	  false },
	{ "an exponent without digits", "{\"x\":^1e+,\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT,
	  BADJSON, false },
	{ "a lone minus", "{\"x\":^-,\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT, BADJSON, false },
	{ "a plus sign", "{\"x\":^+1,\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT, BADJSON, false },
	{ "unbalanced brackets", "{\"x\":[1^},\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT, BADJSON,
	  false },
	{ "nested too deep", "{\"x\":@D,\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT,
	  "JSON nested deeper than 32 levels at byte %zu", false },
	{ "more than 4096 tokens", "{\"x\":[@T],\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT,
	  "JSON of more than 4096 values", false },

	{ "no rootHash", "{\"certificateFingerprint\":\"@F\",\"signature\":\"@S\"}", DMB_ECORRUPT,
	  "no rootHash", false },
	{ "rootHash in another case", "{\"roothash\":\"@R\"" TAIL, DMB_ECORRUPT, "no rootHash",
	  false },
	{ "rootHash not a string", "{\"rootHash\":1" TAIL, DMB_ECORRUPT, "a value is not a string",
	  false },
	{ "rootHash an object", "{\"rootHash\":{\"x\":\"@R\"}" TAIL, DMB_ECORRUPT,
	  "a value is not a string", false },
	{ "rootHash of odd length", "{\"rootHash\":\"@R0\"" TAIL, DMB_ECORRUPT, NOTHEX, false },
	{ "rootHash of 15 bytes", "{\"rootHash\":\"0102030405060708090a0b0c0d0e0f\"" TAIL,
	  DMB_ECORRUPT, NOTHEX, false },
	{ "rootHash of 65 bytes", "{\"rootHash\":\"@R@R01\"" TAIL, DMB_ECORRUPT, NOTHEX, false },
	{ "rootHash empty", "{\"rootHash\":\"\"" TAIL, DMB_ECORRUPT, NOTHEX, false },
	{ "rootHash not hex", "{\"rootHash\":\"@Rzz\"" TAIL, DMB_ECORRUPT, NOTHEX, false },
	{ "rootHash with a 0x", "{\"rootHash\":\"0x@R\"" TAIL, DMB_ECORRUPT, NOTHEX, false },
	{ "rootHash with an escape", "{\"rootHash\":\"\\u0030@R0\"" TAIL, DMB_ECORRUPT,
	  "unexpected escape in a string value", false },
	{ "rootHash: first half zero",
	  "{\"rootHash\":\"00000000000000000000000000000000ffffffffffffffffffffffffffffffff\"" TAIL,
	  DMB_ECORRUPT, "rootHash gives an all-zero partition UUID", false },
	{ "rootHash: last half zero",
	  "{\"rootHash\":\"ffffffffffffffffffffffffffffffff00000000000000000000000000000000\"" TAIL,
	  DMB_ECORRUPT, "rootHash gives an all-zero partition UUID", false },
	{ "two rootHash members", "{\"rootHash\":\"@R\",\"rootHash\":\"@R\"" TAIL, DMB_ECORRUPT,
	  "two rootHash members", false },

	{ "no signature", "{\"rootHash\":\"@R\",\"certificateFingerprint\":\"@F\"}", DMB_ECORRUPT,
	  "no signature", false },
	{ "signature null", "{\"rootHash\":\"@R\",\"signature\":null}", DMB_ECORRUPT,
	  "a value is not a string", false },
	{ "signature empty", "{\"rootHash\":\"@R\",\"signature\":\"\"}", DMB_ECORRUPT, NOT64, false },
	{ "base64: a character outside the alphabet", "{\"rootHash\":\"@R\",\"signature\":\"QU*D\"}",
	  DMB_ECORRUPT, NOT64, false },
	{ "base64: the URL alphabet", "{\"rootHash\":\"@R\",\"signature\":\"QU-_\"}", DMB_ECORRUPT,
	  NOT64, false },
	{ "base64: white space", "{\"rootHash\":\"@R\",\"signature\":\"QUJD QUJD\"}", DMB_ECORRUPT,
	  NOT64, false },
	{ "base64: a line break", "{\"rootHash\":\"@R\",\"signature\":\"QUJD\\nQUJD\"}", DMB_ECORRUPT,
	  "unexpected escape in a string value", false },
	{ "base64: missing padding", "{\"rootHash\":\"@R\",\"signature\":\"QUI\"}", DMB_ECORRUPT,
	  NOT64, false },
	{ "base64: padding in the middle", "{\"rootHash\":\"@R\",\"signature\":\"QQ==QUJD\"}",
	  DMB_ECORRUPT, NOT64, false },
	{ "base64: too much padding", "{\"rootHash\":\"@R\",\"signature\":\"Q===\"}", DMB_ECORRUPT,
	  NOT64, false },
	{ "base64: padding only", "{\"rootHash\":\"@R\",\"signature\":\"====\"}", DMB_ECORRUPT,
	  NOT64, false },
	{ "base64: stray bits before ==", "{\"rootHash\":\"@R\",\"signature\":\"QR==\"}",
	  DMB_ECORRUPT, NOT64, false },
	{ "base64: stray bits before =", "{\"rootHash\":\"@R\",\"signature\":\"QUJ=\"}", DMB_ECORRUPT,
	  NOT64, false },
	{ "two signature members", "{\"rootHash\":\"@R\",\"signature\":\"@S\",\"signature\":\"@S\"}",
	  DMB_ECORRUPT, "two signature members", false },

	{ "certificateFingerprint of 63 digits",
	  "{\"rootHash\":\"@R\",\"certificateFingerprint\":\"0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcde\",\"signature\":\"@S\"}", DMB_ECORRUPT, NOTFP, false },
	{ "certificateFingerprint of 65 digits",
	  "{\"rootHash\":\"@R\",\"certificateFingerprint\":\"@F0\",\"signature\":\"@S\"}",
	  DMB_ECORRUPT, NOTFP, false },
	{ "certificateFingerprint not hex",
	  "{\"rootHash\":\"@R\",\"certificateFingerprint\":\"0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdeg\",\"signature\":\"@S\"}", DMB_ECORRUPT, NOTFP, false },
	{ "certificateFingerprint with colons",
	  "{\"rootHash\":\"@R\",\"certificateFingerprint\":\"01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:"
	  "cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef\",\"signature\":\"@S\"}",
	  DMB_ECORRUPT, NOTFP, false },
	{ "certificateFingerprint a number",
	  "{\"rootHash\":\"@R\",\"certificateFingerprint\":5,\"signature\":\"@S\"}", DMB_ECORRUPT,
	  "a value is not a string", false },
	{ "two certificateFingerprint members",
	  "{\"rootHash\":\"@R\",\"certificateFingerprint\":\"@F\"" TAIL, DMB_ECORRUPT,
	  "two certificateFingerprint members", false },
};

static void put_str(char *out, size_t cap, size_t *n, const char *s, size_t len)
{
	assert_true(*n + len <= cap);
	memcpy(out + *n, s, len);
	*n += len;
}

static size_t expand(const char *t, const struct vset *v, const char *sig_b64, char *out,
		     size_t cap, size_t *mark)
{
	size_t n = 0;

	*mark = SIZE_MAX;
	for (; *t; t++) {
		char tmp[2 * DMB_MAX_DIGEST_SIZE + 1];

		if (*t == '^') {
			*mark = n;
			continue;
		}
		if (*t != '@') {
			put_str(out, cap, &n, t, 1);
			continue;
		}
		switch (*++t) {
		case 'R':
			put_str(out, cap, &n, v->root_hex, strlen(v->root_hex));
			break;
		case 'U':
		case 'f': {
			const char *src = *t == 'U' ? v->root_hex : good.fingerprint;

			for (size_t i = 0; i <= strlen(src); i++)
				tmp[i] = (char)(src[i] >= 'a' && src[i] <= 'f' ? src[i] - 32 : src[i]);
			put_str(out, cap, &n, tmp, strlen(tmp));
			break;
		}
		case 'S':
			put_str(out, cap, &n, sig_b64, strlen(sig_b64));
			break;
		case 's':
			for (const char *c = sig_b64; *c; c++)
				put_str(out, cap, &n, *c == '/' ? "\\/" : c, *c == '/' ? 2 : 1);
			break;
		case 'F':
			put_str(out, cap, &n, good.fingerprint, 64);
			break;
		case '0':
			put_str(out, cap, &n, "", 1);
			break;
		case 'D':
		case 'd':
			for (int i = 0; i < 31; i++)
				put_str(out, cap, &n, "[", 1);
			if (*t == 'D') {
				*mark = n;
				put_str(out, cap, &n, "[]", 2);
			}
			for (int i = 0; i < 31; i++)
				put_str(out, cap, &n, "]", 1);
			break;
		case 'T':
		case 't':
			for (int i = 0, k = *t == 'T' ? 4100 : 4087; i < k; i++)
				put_str(out, cap, &n, i ? ",0" : "0", i ? 2 : 1);
			break;
		default:
			fail_msg("bad template escape @%c", *t);
		}
	}
	return n;
}

static void test_malformed_json(void **state)
{
	static char text[SIG_LBAS * 512];
	struct dmb_ddi_options keep = { .arch = DMB_ARCH_X86_64, .flags = DMB_DDI_KEEP_GOING };
	struct disk d;
	struct vset v;
	uint8_t *der;
	char *b64;
	size_t n;
	bool have_slash;

	(void)state;
	signed_disk(&d, &v);
	/* A signature whose base64 has a '/', for the escaped-slash row. */
	do {
		n = sign(&good, v.root_hex, strlen(v.root_hex), false, &der);
		b64 = base64(der, n);
		OPENSSL_free(der);
		have_slash = strchr(b64, '/') != NULL;
		if (!have_slash)
			free(b64);
	} while (!have_slash);
	for (size_t i = 0; i < ARRAY_SIZE(malformations); i++) {
		const struct malformed *m = &malformations[i];
		char want[DMB_MSG_MAX];
		struct dmb_ddi *ddi = NULL;
		size_t mark, len = expand(m->tmpl, &v, b64, text, sizeof(text), &mark);
		int r;

		if (m->fill) {
			memset(text + len, ' ', sizeof(text) - len);
			len = sizeof(text);
		}
		sig_put(&d, &v, text, len);
		if (m->msg) {
			size_t k = (size_t)snprintf(want, sizeof(want), SIGP);

			fill(want + k, sizeof(want) - k, m->msg, NULL, NULL, mark);
		}
		r = dissect(&d, &x86_64, &ddi);
		if (r != m->code || (m->msg && strcmp(ctx.msg, want) != 0))
			fail_msg("%s: got %d \"%s\"\n  want %d \"%s\"", m->name, r, ctx.msg, m->code,
				 m->msg ? want : "");
		if (r == 0) {
			bool fp = strstr(m->tmpl, "@F") || strstr(m->tmpl, "@f");

			check_signed(&d, ddi, 0, &v, fp ? good.fingerprint : "");
			dmb_ddi_destroy(ddi);
			continue;
		}
		assert_null(ddi);
		/* Recorded, not fatal, when keeping going; never SIGNED. */
		ddi = dissect_ok(&d, &keep);
		if (ddi->verity[0].sig_err != m->code || strcmp(ddi->verity[0].sig_msg, want) != 0 ||
		    ddi->verity[0].state == DMB_DDI_VERITY_SIGNED)
			fail_msg("%s, keep going: state %d err %d \"%s\"", m->name,
				 (int)ddi->verity[0].state, ddi->verity[0].sig_err,
				 ddi->verity[0].sig_msg);
		assert_true(ddi->verity[0].root_hash_size == 0 ||
			    (ddi->verity[0].root_hash_size == 32 &&
			     ddi->verity[0].state == DMB_DDI_VERITY_UNVERIFIED));
		dmb_ddi_destroy(ddi);
	}
	free(b64);
	disk_free(&d);
}

/* systemd reads at most 4 MiB of a -verity-sig partition; so does dmboot. */
static void test_sig_partition_size(void **state)
{
	struct dmb_ddi_options keep = { .arch = DMB_ARCH_X86_64, .flags = DMB_DDI_KEEP_GOING };
	struct disk d;
	struct vset v;
	struct dmb_ddi *ddi;
	char json[4096];
	size_t len;

	(void)state;
	disk_init(&d, 512, 64 + VSET_LBAS + 8192 + 2048);
	vset_make(&d, &v, DMB_DDI_ROOT, DMB_ARCH_X86_64, 64, "os", "os", "sha256", 41);
	vset_sign(&d, &v);
	memcpy(json, part_mem(&d, v.sig), sizeof(json));
	len = strlen(json);
	/* Exactly 4 MiB: read whole. */
	v.sig->count = 8192;
	memset(part_mem(&d, v.sig), 0, part_bytes(&d, v.sig));
	memcpy(part_mem(&d, v.sig), json, len);
	ddi = dissect_ok(&d, &x86_64);
	check_signed(&d, ddi, 0, &v, good.fingerprint);
	dmb_ddi_destroy(ddi);
	/* One sector more. */
	v.sig->count = 8193;
	dissect_fails(&d, &x86_64, DMB_ERANGE, "root-verity-sig partition 3: 4194816 bytes, over 4194304",
		      "4 MiB + 512");
	ddi = dissect_ok(&d, &keep);
	assert_int_equal(ddi->verity[0].sig_err, DMB_ERANGE);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_AVAILABLE);
	dmb_ddi_destroy(ddi);
	/* The NUL check covers the whole 4 MiB: a byte in the last one. */
	v.sig->count = 8192;
	part_mem(&d, v.sig)[4194303] = ' ';
	dissect_fails(&d, &x86_64, DMB_ECORRUPT,
		      "root-verity-sig partition 3: data after the JSON's end at byte 4194303",
		      "last byte");
	disk_free(&d);
}

/* The parser on its own: what it fills, and what it leaves. */
static void test_sig_json_parse(void **state)
{
	struct disk d;
	struct vset v;
	struct dmb_ddi_verity out;
	char text[4096];
	size_t len;

	(void)state;
	signed_disk(&d, &v);
	memcpy(text, part_mem(&d, v.sig), sizeof(text));
	len = strlen(text);
	memset(&out, 0, sizeof(out));
	dmb_ctx_clear(&ctx);
	assert_int_equal(dmbi_ddi_sig_json_parse(&ctx, "sig", text, len, &out), 0);
	assert_int_equal(out.root_hash_size, 32);
	assert_memory_equal(out.root_hash, v.root, 32);
	assert_string_equal(out.cert_fingerprint, good.fingerprint);
	assert_non_null(out.signature);
	assert_int_equal(out.state, DMB_DDI_VERITY_NONE);
	dmb_port_free(out.signature);

	/*
	 * A rootHash that does not parse leaves no size behind, wherever it
	 * stands and whatever its length (before the fix the size came from
	 * the string: 1 for "00", 100 for 200 digits, or uninitialised).
	 */
	{
		static const char *const bad[] = {
			"{\"signature\":\"QUJD\",\"rootHash\":\"00\"}",
			"{\"signature\":\"QUJD\",\"rootHash\":7}",
			"{\"signature\":\"QUJD\",\"rootHash\":\"zz\"}",
		};

		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			memset(&out, 0x5a, sizeof(out));
			out.root_hash_size = 0;
			out.signature = NULL;
			out.signature_size = 0;
			assert_int_equal(dmbi_ddi_sig_json_parse(&ctx, "sig", bad[i], strlen(bad[i]), &out),
					 DMB_ECORRUPT);
			assert_int_equal(out.root_hash_size, 0);
			dmb_port_free(out.signature);
		}
		memset(text, 0, sizeof(text));
		strcpy(text, "{\"signature\":\"QUJD\",\"rootHash\":\"");
		for (int i = 0; i < 200; i++)
			strcat(text, "a");
		strcat(text, "\"}");
		memset(&out, 0, sizeof(out));
		assert_int_equal(dmbi_ddi_sig_json_parse(&ctx, "sig", text, sizeof(text), &out),
				 DMB_ECORRUPT);
		assert_string_equal(ctx.msg, "sig: rootHash is not a hex digest");
		assert_int_equal(out.root_hash_size, 0);
		dmb_port_free(out.signature);
	}
	/* Upper-case fingerprints are kept in lower case. */
	snprintf(text, sizeof(text),
		 "{\"rootHash\":\"%s\",\"signature\":\"QUJD\",\"certificateFingerprint\":"
		 "\"ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789\"}",
		 v.root_hex);
	memset(&out, 0, sizeof(out));
	assert_int_equal(dmbi_ddi_sig_json_parse(&ctx, "sig", text, strlen(text), &out), 0);
	assert_string_equal(out.cert_fingerprint,
			    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	assert_int_equal(out.signature_size, 3);
	assert_memory_equal(out.signature, "ABC", 3);
	dmb_port_free(out.signature);
	disk_free(&d);
}

/* Keeping going with the signature the fix above concerns: no size, so no pairing by it. */
static void test_keep_going_bad_root_hash(void **state)
{
	struct dmb_ddi_options keep = { .arch = DMB_ARCH_X86_64, .flags = DMB_DDI_KEEP_GOING };
	static const char *const texts[] = {
		"{\"signature\":\"QUJD\",\"rootHash\":\"00\"}",
		"{\"signature\":\"QUJD\",\"rootHash\":7}",
	};
	struct disk d;
	struct vset v;
	struct dmb_ddi *ddi;

	(void)state;
	signed_disk(&d, &v);
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		sig_put(&d, &v, texts[i], strlen(texts[i]));
		ddi = dissect_ok(&d, &keep);
		assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_AVAILABLE);
		assert_int_equal(ddi->verity[0].root_hash_size, 0);
		assert_int_equal(ddi->verity[0].sig_err, DMB_ECORRUPT);
		assert_int_equal(number_of(ddi->verity[0].data), 2);
		dmb_ddi_destroy(ddi);
	}
	disk_free(&d);
}

/* ---- tables and the kernel command line ----------------------------------------- */

static void uuid_str(const struct part *p, char out[37])
{
	dmb_guid_format(p->uuid, false, out);
}

static void salt_hex(const struct vset *v, char *out)
{
	dmb_hex_encode(v->vp.salt, v->vp.salt_size, out);
}

static struct dmb_table *table_ok(struct disk *d, const struct dmb_ddi *ddi,
				  enum dmb_ddi_designator which, enum dmb_ddi_names names,
				  const char *image, bool *ro)
{
	struct dmb_table *t = NULL;
	int r;

	dmb_ctx_clear(&ctx);
	r = dmb_ddi_table(&ctx, ddi, disk_bdev(d), which, names, image, &t, ro);
	if (r)
		fail_msg("table: %d %s", r, ctx.msg);
	assert_non_null(t);
	assert_int_equal(t->count, 1);
	return t;
}

static void check_target(const struct dmb_table *t, uint64_t len, const char *type,
			 const char *params)
{
	assert_int_equal(t->targets[0].start_sectors, 0);
	assert_int_equal(t->targets[0].len_sectors, len);
	assert_string_equal(t->targets[0].type, type);
	if (strcmp(t->targets[0].params, params) != 0)
		fail_msg("params \"%s\"\n  want \"%s\"", t->targets[0].params, params);
}

/*
 * The table of a signed root, by image names and by PARTUUID, then loaded
 * over the image's partitions and read back through dm-verity: every byte
 * of the data partition, and a changed byte caught in its block only.
 */
static void test_table_verity(void **state)
{
	struct disk d;
	struct vset v;
	struct dmb_ddi *ddi;
	struct dmb_table *t;
	struct dmb_slice_bdev data, hash;
	struct tres res;
	struct dmb_dev *dev;
	char want[1024], salt[513], du[37], hu[37];
	uint8_t *buf;
	bool ro = false;

	(void)state;
	signed_disk(&d, &v);
	salt_hex(&v, salt);
	uuid_str(v.data, du);
	uuid_str(v.hash, hu);
	ddi = dissect_ok(&d, &x86_64);
	t = table_ok(&d, ddi, DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "disk", &ro);
	snprintf(want, sizeof(want), "1 disk:p2 disk:p3 4096 4096 16 1 sha256 %s %s", v.root_hex,
		 salt);
	check_target(t, DATA_LBAS, "verity", want);
	assert_true(ro);
	dmb_table_destroy(t);
	t = table_ok(&d, ddi, DMB_DDI_ROOT, DMB_DDI_NAMES_PARTUUID, NULL, &ro);
	snprintf(want, sizeof(want), "1 PARTUUID=%s PARTUUID=%s 4096 4096 16 1 sha256 %s %s", du,
		 hu, v.root_hex, salt);
	check_target(t, DATA_LBAS, "verity", want);
	dmb_table_destroy(t);
	/* An image name with a space is escaped as a table argument. */
	t = table_ok(&d, ddi, DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "my disk", &ro);
	snprintf(want, sizeof(want), "1 my\\ disk:p2 my\\ disk:p3 4096 4096 16 1 sha256 %s %s",
		 v.root_hex, salt);
	check_target(t, DATA_LBAS, "verity", want);
	dmb_table_destroy(t);

	/* Loaded over the partitions. */
	t = table_ok(&d, ddi, DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "disk", &ro);
	tres_init(&res);
	dmb_slice_bdev_init(&data, disk_bdev(&d), v.data->first, v.data->count);
	dmb_slice_bdev_init(&hash, &d.rb.bdev, v.hash->first, v.hash->count);
	res.dev[0] = (struct tdev){ .name = "disk:p2", .bdev = &data.bdev };
	res.dev[1] = (struct tdev){ .name = "disk:p3", .bdev = &hash.bdev };
	res.n = 2;
	ctx.resolver = &res.r;
	buf = malloc(part_bytes(&d, v.data));
	assert_non_null(buf);
	if (dmb_dev_create(&ctx, t, DMB_DEV_READONLY, &dev))
		fail_msg("create: %s", ctx.msg);
	assert_int_equal(dmb_dev_sectors(dev), DATA_LBAS);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 0, part_bytes(&d, v.data), buf), 0);
	assert_memory_equal(buf, part_mem(&d, v.data), part_bytes(&d, v.data));
	dmb_dev_destroy(dev);
	part_mem(&d, v.data)[5 * 4096 + 100] ^= 1;
	assert_int_equal(dmb_dev_create(&ctx, t, DMB_DEV_READONLY, &dev), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 5 * 4096, 4096, buf), DMB_EIO);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 4 * 4096, 4096, buf), 0);
	assert_int_equal(dmb_bdev_read_bytes(dmb_dev_bdev(dev), 6 * 4096, 4096, buf), 0);
	dmb_dev_destroy(dev);
	part_mem(&d, v.data)[5 * 4096 + 100] ^= 1;
	ctx.resolver = NULL;
	tres_free(&res);
	free(buf);
	dmb_table_destroy(t);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/* 4096-byte sectors: lengths in the table are still 512-byte sectors. */
static void test_table_4096(void **state)
{
	struct disk d;
	struct vset v;
	struct dmb_ddi *ddi;
	struct dmb_table *t;
	char want[1024], salt[513];
	bool ro;

	(void)state;
	disk_init(&d, 4096, 512);
	vset_make(&d, &v, DMB_DDI_ROOT, DMB_ARCH_X86_64, 16, "os", "os", "sha256", 51);
	vset_sign(&d, &v);
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(ddi->table->sector_size, 4096);
	check_signed(&d, ddi, 0, &v, good.fingerprint);
	t = table_ok(&d, ddi, DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "d", &ro);
	salt_hex(&v, salt);
	snprintf(want, sizeof(want), "1 d:p1 d:p2 4096 4096 128 1 sha256 %s %s", v.root_hex, salt);
	check_target(t, DATA_LBAS * 8, "verity", want);
	dmb_table_destroy(t);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

static void test_table_linear(void **state)
{
	struct dmb_ddi_options ignore = { .arch = DMB_ARCH_X86_64,
					  .flags = DMB_DDI_IGNORE_SIGNATURE };
	struct disk d;
	struct vset v;
	struct dmb_ddi *ddi;
	struct dmb_table *t = (struct dmb_table *)&t;
	bool ro = true;

	(void)state;
	disk_init(&d, 512, 2048);
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 64, 24, 0, "r");
	disk_add(&d, type_guid(DMB_DDI_USR, DMB_ARCH_X86_64), 96, 40, 1ull << 60, "u");
	ddi = dissect_ok(&d, &x86_64);
	t = table_ok(&d, ddi, DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "img", &ro);
	check_target(t, 24, "linear", "img:p1 0");
	assert_false(ro);
	dmb_table_destroy(t);
	t = table_ok(&d, ddi, DMB_DDI_USR, DMB_DDI_NAMES_PARTUUID, NULL, &ro);
	check_target(t, 40, "linear", "PARTUUID=b0b1b2b3-b4b5-b6b7-b8b9-babbbcbdbebf 0");
	assert_true(ro);
	dmb_table_destroy(t);
	/* What cannot be mapped. */
	dmb_ctx_clear(&ctx);
	expect_err(dmb_ddi_table(&ctx, ddi, disk_bdev(&d), DMB_DDI_ESP, DMB_DDI_NAMES_IMAGE, "img",
				 &t, &ro), DMB_EINVAL, "only root and usr are mapped", "esp");
	assert_null(t);
	expect_err(dmb_ddi_table(&ctx, ddi, disk_bdev(&d), DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, NULL,
				 &t, &ro), DMB_EINVAL, "no usable image name", "no image");
	dmb_ddi_destroy(ddi);
	d.n = 1;
	ddi = dissect_ok(&d, &x86_64);
	expect_err(dmb_ddi_table(&ctx, ddi, disk_bdev(&d), DMB_DDI_USR, DMB_DDI_NAMES_IMAGE, "img",
				 &t, &ro), DMB_ENOENT, "no usr partition", "no usr");
	dmb_ddi_destroy(ddi);
	disk_free(&d);

	/* A -verity partition without a root hash: linear, read-only as flagged. */
	signed_disk(&d, &v);
	ddi = dissect_ok(&d, &ignore);
	t = table_ok(&d, ddi, DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "img", &ro);
	check_target(t, DATA_LBAS, "linear", "img:p2 0");
	assert_true(ro);
	dmb_table_destroy(t);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/* The verity superblock must be there and fit the partitions. */
static void test_table_corrupt(void **state)
{
	struct disk d;
	struct vset v;
	struct dmb_ddi *ddi;
	struct dmb_table *t;
	uint8_t sb[512];
	bool ro;

	(void)state;
	signed_disk(&d, &v);
	memcpy(sb, part_mem(&d, v.hash), sizeof(sb));
	ddi = dissect_ok(&d, &x86_64);
	/* Gone. */
	memset(part_mem(&d, v.hash), 0, 512);
	expect_err(dmb_ddi_table(&ctx, ddi, disk_bdev(&d), DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "img",
				 &t, &ro), DMB_ECORRUPT, "root-verity partition 3: no verity superblock",
		   "no superblock");
	assert_null(t);
	/* Digests of another size than the root hash. */
	memcpy(part_mem(&d, v.hash), sb, sizeof(sb));
	memcpy(part_mem(&d, v.hash) + 32, "sha512", 6);
	expect_err(dmb_ddi_table(&ctx, ddi, disk_bdev(&d), DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "img",
				 &t, &ro), DMB_ECORRUPT,
		   "root-verity partition 3: sha512 digests are 64 bytes, the root hash 32",
		   "digest size");
	/* More data blocks than the data partition holds. */
	memcpy(part_mem(&d, v.hash), sb, sizeof(sb));
	dmbi_put_le64(part_mem(&d, v.hash) + 72, 17);
	expect_err(dmb_ddi_table(&ctx, ddi, disk_bdev(&d), DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "img",
				 &t, &ro), DMB_ECORRUPT,
		   "root-verity partition 3: 17 data blocks do not fit the root partition",
		   "data blocks");
	/* Fewer is fine: the table maps what the tree covers. */
	dmbi_put_le64(part_mem(&d, v.hash) + 72, 15);
	t = table_ok(&d, ddi, DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "img", &ro);
	assert_int_equal(t->targets[0].len_sectors, 15 * 8);
	dmb_table_destroy(t);
	memcpy(part_mem(&d, v.hash), sb, sizeof(sb));
	dmb_ddi_destroy(ddi);
	/* A -verity partition too small for its tree. */
	v.hash->count = 8;
	ddi = dissect_ok(&d, &x86_64);
	expect_err(dmb_ddi_table(&ctx, ddi, disk_bdev(&d), DMB_DDI_ROOT, DMB_DDI_NAMES_IMAGE, "img",
				 &t, &ro), DMB_ECORRUPT,
		   "root-verity partition 3: the hash tree runs past the partition", "tree");
	/* And the command line says the same. */
	{
		char line[64];

		expect_err(dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), line, sizeof(line)),
			   DMB_ECORRUPT, "root-verity partition 3: the hash tree runs past the partition",
			   "cmdline");
	}
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/* The quoted dm-mod.create= value of a command line. */
static char *create_value(const char *line)
{
	const char *a = strstr(line, "dm-mod.create=\""), *b;
	char *v;

	assert_non_null(a);
	a += 15;
	b = strchr(a, '"');
	assert_non_null(b);
	v = strndup(a, (size_t)(b - a));
	assert_non_null(v);
	return v;
}

/* Parsed back under dm-init's rules, each device's table is dmb_ddi_table()'s. */
static void check_parsed_back(struct disk *d, const struct dmb_ddi *ddi, const char *line,
			      size_t ndev)
{
	static const enum dmb_ddi_designator which[2] = { DMB_DDI_ROOT, DMB_DDI_USR };
	static const char *const names[2] = { "root", "usr" };
	char *value = create_value(line);
	struct dmb_concise *c = NULL;

	dmb_ctx_clear(&ctx);
	if (dmb_concise_parse(&ctx, value, strlen(value), DMB_CONCISE_KERNEL, &c))
		fail_msg("parse back: %s", ctx.msg);
	assert_int_equal(c->count, ndev);
	for (size_t i = 0; i < ndev; i++) {
		bool ro;
		struct dmb_table *t = table_ok(d, ddi, which[i], DMB_DDI_NAMES_PARTUUID, NULL, &ro);

		assert_string_equal(c->devs[i].name, names[i]);
		assert_string_equal(c->devs[i].uuid, "");
		assert_int_equal(c->devs[i].minor, -1);
		assert_int_equal(c->devs[i].read_only, ro);
		assert_int_equal(c->devs[i].table->count, 1);
		assert_int_equal(c->devs[i].table->targets[0].len_sectors, t->targets[0].len_sectors);
		assert_string_equal(c->devs[i].table->targets[0].type, t->targets[0].type);
		assert_string_equal(c->devs[i].table->targets[0].params, t->targets[0].params);
		dmb_table_destroy(t);
	}
	dmb_concise_destroy(c);
	free(value);
}

static void test_cmdline(void **state)
{
	struct disk d;
	struct vset r, u;
	struct dmb_ddi *ddi;
	char line[4096], want[4096], rsalt[513], usalt[513], rd[37], rh[37], ud[37], uh[37];
	int n;

	(void)state;
	/* Signed root. */
	signed_disk(&d, &r);
	salt_hex(&r, rsalt);
	uuid_str(r.data, rd);
	uuid_str(r.hash, rh);
	ddi = dissect_ok(&d, &x86_64);
	dmb_ctx_clear(&ctx);
	n = dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), line, sizeof(line));
	snprintf(want, sizeof(want),
		 "dm-mod.create=\"root,,,ro,0 %u verity 1 PARTUUID=%s PARTUUID=%s 4096 4096 16 1 "
		 "sha256 %s %s\" root=/dev/dm-0 dm-mod.waitfor=PARTUUID=%s,PARTUUID=%s",
		 DATA_LBAS, rd, rh, r.root_hex, rsalt, rd, rh);
	assert_string_equal(line, want);
	assert_int_equal(n, strlen(want));
	check_parsed_back(&d, ddi, line, 1);
	/* Like snprintf: the length whatever the room, truncated with a NUL. */
	assert_int_equal(dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), NULL, 0), n);
	assert_int_equal(dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), line, 10), n);
	assert_string_equal(line, "dm-mod.cr");
	dmb_ddi_destroy(ddi);
	disk_free(&d);

	/* A plain read-only root and a signed usr. */
	disk_init(&d, 512, 2048);
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 40, 16, DMB_GPT_FLAG_READ_ONLY,
		 "root");
	vset_make(&d, &u, DMB_DDI_USR, DMB_ARCH_X86_64, 64, "usr", "usr", "sha512", 62);
	vset_sign(&d, &u);
	salt_hex(&u, usalt);
	uuid_str(u.data, ud);
	uuid_str(u.hash, uh);
	ddi = dissect_ok(&d, &x86_64);
	dmb_guid_format(ddi->chosen[DMB_DDI_ROOT]->part->uuid, false, rd);
	dmb_ctx_clear(&ctx);
	n = dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), line, sizeof(line));
	snprintf(want, sizeof(want),
		 "dm-mod.create=\"root,,,ro,0 16 linear PARTUUID=%s 0;usr,,,ro,0 %u verity 1 "
		 "PARTUUID=%s PARTUUID=%s 4096 4096 16 1 sha512 %s %s\" root=/dev/dm-0 "
		 "mount.usr=/dev/dm-1 dm-mod.waitfor=PARTUUID=%s,PARTUUID=%s,PARTUUID=%s",
		 rd, DATA_LBAS, ud, uh, u.root_hex, usalt, rd, ud, uh);
	assert_string_equal(line, want);
	assert_int_equal(n, strlen(want));
	check_parsed_back(&d, ddi, line, 2);
	dmb_ddi_destroy(ddi);
	disk_free(&d);

	/* Linear root, no usr; then no root at all. */
	disk_init(&d, 512, 2048);
	disk_add(&d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 64, 24, 0, "r");
	ddi = dissect_ok(&d, &x86_64);
	dmb_ctx_clear(&ctx);
	n = dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), line, sizeof(line));
	assert_string_equal(line, "dm-mod.create=\"root,,,rw,0 24 linear "
				  "PARTUUID=a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf 0\" root=/dev/dm-0 "
				  "dm-mod.waitfor=PARTUUID=a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
	assert_int_equal(n, strlen(line));
	check_parsed_back(&d, ddi, line, 1);
	dmb_ddi_destroy(ddi);
	/* usr alone: mount.usr= names it, there is no root= to give. */
	d.p[0].type = type_guid(DMB_DDI_USR, DMB_ARCH_X86_64);
	ddi = dissect_ok(&d, &x86_64);
	dmb_ctx_clear(&ctx);
	n = dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), line, sizeof(line));
	assert_string_equal(line, "dm-mod.create=\"usr,,,rw,0 24 linear "
				  "PARTUUID=a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf 0\" mount.usr=/dev/dm-0 "
				  "dm-mod.waitfor=PARTUUID=a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
	assert_int_equal(n, strlen(line));
	dmb_ddi_destroy(ddi);
	/* Neither. */
	d.p[0].type = type_guid(DMB_DDI_ESP, DMB_ARCH_UNKNOWN);
	ddi = dissect_ok(&d, &x86_64);
	expect_err(dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), line, sizeof(line)), DMB_ENOENT,
		   "no root or usr partition", "neither root nor usr");
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/* The lower device of test_cmdline_lower(): 2048 sectors at 4096 of a PV partition. */
#define LOWER_PV "PARTUUID=11111111-2222-3333-4444-555555555555"

static struct dmb_table *lower_table(unsigned segments)
{
	struct dmb_table *t;
	char off[24];

	if (dmb_table_create(&ctx, &t))
		fail_msg("table: %s", ctx.msg);
	for (unsigned i = 0; i < segments; i++) {
		const char *argv[2] = { LOWER_PV, off };

		snprintf(off, sizeof(off), "%u", 4096 + 8 * i);
		if (dmb_table_add_argv(&ctx, t, 2048ull * i / segments, 2048ull / segments, "linear", 2,
				       argv))
			fail_msg("add: %s", ctx.msg);
	}
	return t;
}

static void test_cmdline_lower(void **state)
{
	struct disk d;
	struct vset r;
	struct dmb_ddi *ddi;
	struct dmb_ddi_lower lower = { "internal-os_1.2.0", "LVM-0123", NULL, LOWER_PV };
	char line[4096], want[4096], rsalt[513];
	int n;

	(void)state;
	signed_disk(&d, &r);
	salt_hex(&r, rsalt);
	ddi = dissect_ok(&d, &x86_64);
	lower.table = lower_table(2);
	dmb_ctx_clear(&ctx);
	n = dmb_ddi_cmdline_lower(&ctx, ddi, disk_bdev(&d), &lower, line, sizeof(line));
	snprintf(want, sizeof(want),
		 "dm-mod.create=\"internal-os_1.2.0,LVM-0123,,ro,0 1024 linear " LOWER_PV " 4096,"
		 "1024 1024 linear " LOWER_PV " 4104;"
		 "root-data,,,ro,0 %u linear /dev/dm-0 %llu;root-hash,,,ro,0 %llu linear /dev/dm-0 %llu;"
		 "root,,,ro,0 %u verity 1 /dev/dm-1 /dev/dm-2 4096 4096 16 1 sha256 %s %s\" "
		 "root=/dev/dm-3 dm-mod.waitfor=" LOWER_PV,
		 DATA_LBAS, (unsigned long long)r.data->first, (unsigned long long)r.hash->count,
		 (unsigned long long)r.hash->first, DATA_LBAS, r.root_hex, rsalt);
	assert_string_equal(line, want);
	assert_int_equal(n, strlen(want));
	/* What the line needs of the lower device. */
	lower.waitfor = "";
	expect_err(dmb_ddi_cmdline_lower(&ctx, ddi, disk_bdev(&d), &lower, line, sizeof(line)),
		   DMB_EINVAL, "the lower device needs a name, a table and devices to wait for",
		   "empty waitfor");
	lower.waitfor = LOWER_PV " x";
	expect_err(dmb_ddi_cmdline_lower(&ctx, ddi, disk_bdev(&d), &lower, line, sizeof(line)),
		   DMB_EINVAL, "devices to wait for: blank, quote or unprintable character in \""
		   LOWER_PV " x\"", "blank in waitfor");
	lower.waitfor = LOWER_PV;
	dmb_table_destroy(lower.table);
	/* A lower device of many segments: over dm-init's 4096 bytes. */
	lower.table = lower_table(64);
	expect_err(dmb_ddi_cmdline_lower(&ctx, ddi, disk_bdev(&d), &lower, line, sizeof(line)),
		   DMB_ERANGE, NULL, "too long");
	assert_non_null(strstr(ctx.msg, "longer than 4095"));
	dmb_table_destroy(lower.table);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/* One MBR slot (0-3), with the boot signature. */
static void mbr_slot(struct disk *d, int slot, uint8_t boot, uint8_t type, uint32_t first,
		     uint32_t count)
{
	uint8_t *e = d->mem + 446 + 16 * slot;

	e[0] = boot;
	e[4] = type;
	dmbi_put_le32(e + 8, first);
	dmbi_put_le32(e + 12, count);
	d->mem[510] = 0x55;
	d->mem[511] = 0xaa;
}

static int mbr_dissect(struct disk *d, unsigned flags, struct dmb_ddi **out)
{
	struct dmb_ddi_options o = { .arch = DMB_ARCH_X86_64, .flags = flags };

	dmb_ctx_clear(&ctx);
	return dmb_ddi_dissect(&ctx, disk_bdev(d), &o, out);
}

/* On MBR, as systemd: a bootable 0x83 partition is root, 0xEA is XBOOTLDR. */
static void test_mbr(void **state)
{
	struct disk d;
	struct dmb_ddi *ddi = NULL;
	const struct dmb_ddi_partition *root;
	char line[512];
	int n;

	(void)state;
	disk_init(&d, 512, 2048);
	dmbi_put_le32(d.mem + 440, 0x1234abcd);  /* disk signature */
	mbr_slot(&d, 0, 0x00, 0x83, 64, 100);   /* p1: Linux, not bootable: not used */
	mbr_slot(&d, 1, 0x80, 0x83, 200, 100);  /* p2: root */
	mbr_slot(&d, 2, 0x00, 0xea, 400, 100);  /* p3: XBOOTLDR */
	mbr_slot(&d, 3, 0x00, 0xef, 600, 100);  /* p4: an ESP, which systemd ignores on MBR */
	memcpy(d.mem + 200 * 512 + 1024, "\xe2\xe1\xf5\xe0", 4);
	if (mbr_dissect(&d, 0, &ddi))
		fail_msg("dissect: %s", ctx.msg);
	assert_int_equal(ddi->count, 2);
	root = chosen(ddi, DMB_DDI_ROOT);
	assert_non_null(root);
	assert_int_equal(root->part->number, 2);
	assert_int_equal(root->designator, DMB_DDI_ROOT);
	assert_int_equal(root->arch, DMB_ARCH_UNKNOWN);
	assert_false(root->read_only || root->growfs || root->no_auto);
	assert_string_equal(root->fstype, "erofs");
	assert_ptr_equal(ddi->verity[0].data, root);
	assert_int_equal(ddi->verity[0].state, DMB_DDI_VERITY_NONE);
	assert_int_equal(number_of(chosen(ddi, DMB_DDI_XBOOTLDR)), 3);
	for (int k = 0; k < DMB_DDI_DESIGNATOR_COUNT; k++)
		if (k != DMB_DDI_ROOT && k != DMB_DDI_XBOOTLDR)
			assert_null(ddi->chosen[k]);
	/*
	 * Linux's PARTUUID for MBR: the disk signature and the number.  An
	 * erofs root cannot be written: it maps read-only (as systemd mounts it).
	 */
	n = dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), line, sizeof(line));
	assert_string_equal(line, "dm-mod.create=\"root,,,ro,0 100 linear PARTUUID=1234abcd-02 0\" "
				  "root=/dev/dm-0 dm-mod.waitfor=PARTUUID=1234abcd-02");
	assert_int_equal(n, strlen(line));
	check_parsed_back(&d, ddi, line, 1);
	dmb_ddi_destroy(ddi);
	/* A signature cannot be required of it. */
	ddi = (struct dmb_ddi *)&ddi;
	expect_err(mbr_dissect(&d, DMB_DDI_REQUIRE_SIGNATURE, &ddi), DMB_ENOKEY,
		   "root partition 2: no verity signature, and one is required", "MBR, signature");
	assert_null(ddi);
	/* Two bootable Linux partitions: no telling which is root. */
	mbr_slot(&d, 0, 0x80, 0x83, 64, 100);
	ddi = (struct dmb_ddi *)&ddi;
	expect_err(mbr_dissect(&d, 0, &ddi), DMB_EINVAL,
		   "no root partition, and more than one generic Linux partition (1 and 2) to use as root",
		   "MBR, two bootable");
	assert_null(ddi);
	/* None bootable: nothing is root, and that is not an error. */
	mbr_slot(&d, 0, 0x00, 0x83, 64, 100);
	mbr_slot(&d, 1, 0x00, 0x83, 200, 100);
	if (mbr_dissect(&d, 0, &ddi))
		fail_msg("dissect: %s", ctx.msg);
	assert_int_equal(ddi->count, 1);
	assert_null(chosen(ddi, DMB_DDI_ROOT));
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/*
 * GPT: with neither root nor usr, the one generic Linux partition that is
 * not no-auto is root, with its read-only and grow-fs flags.
 */
static void test_generic_root(void **state)
{
	const char *generic = "0fc63daf-8483-4772-8e79-3d69d8477de4";
	const uint64_t ro = 1ull << 60, grow = 1ull << 59, noauto = 1ull << 63;
	struct disk d;
	struct dmb_ddi *ddi;
	const struct dmb_ddi_partition *root;
	char line[512];

	(void)state;
	disk_init(&d, 512, 2048);
	disk_add(&d, generic, 64, 16, noauto, "skipped");       /* p1 */
	disk_add(&d, type_guid(DMB_DDI_HOME, DMB_ARCH_UNKNOWN), 96, 16, 0, "home"); /* p2 */
	disk_add(&d, generic, 128, 24, ro | grow, "data");      /* p3 */
	ddi = dissect_ok(&d, &x86_64);
	root = chosen(ddi, DMB_DDI_ROOT);
	assert_int_equal(number_of(root), 3);
	assert_int_equal(root->designator, DMB_DDI_ROOT);
	assert_int_equal(root->arch, DMB_ARCH_UNKNOWN);
	assert_true(root->read_only && root->growfs);
	assert_null(chosen(ddi, DMB_DDI_LINUX_GENERIC));
	assert_int_equal(number_of(chosen(ddi, DMB_DDI_HOME)), 2);
	dmb_ctx_clear(&ctx);
	assert_true(dmb_ddi_cmdline(&ctx, ddi, disk_bdev(&d), line, sizeof(line)) > 0);
	assert_string_equal(line, "dm-mod.create=\"root,,,ro,0 24 linear "
				  "PARTUUID=c0c1c2c3-c4c5-c6c7-c8c9-cacbcccdcecf 0\" root=/dev/dm-0 "
				  "dm-mod.waitfor=PARTUUID=c0c1c2c3-c4c5-c6c7-c8c9-cacbcccdcecf");
	check_parsed_back(&d, ddi, line, 1);
	dmb_ddi_destroy(ddi);
	/* Two that are not no-auto: ambiguous. */
	d.p[0].attrs = 0;
	dissect_fails(&d, &x86_64, DMB_EINVAL,
		      "no root partition, and more than one generic Linux partition (1 and 3) to use as root",
		      "two generic");
	/* With a usr partition there is no fallback, and so no ambiguity. */
	d.p[1].type = type_guid(DMB_DDI_USR, DMB_ARCH_X86_64);
	ddi = dissect_ok(&d, &x86_64);
	assert_null(chosen(ddi, DMB_DDI_ROOT));
	assert_int_equal(number_of(chosen(ddi, DMB_DDI_USR)), 2);
	assert_null(chosen(ddi, DMB_DDI_LINUX_GENERIC));
	dmb_ddi_destroy(ddi);
	/* Nor with a root of the secondary architecture, which is root. */
	d.p[1].type = type_guid(DMB_DDI_ROOT, DMB_ARCH_X86);
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(number_of(chosen(ddi, DMB_DDI_ROOT)), 2);
	dmb_ddi_destroy(ddi);
	/* And with a root of a foreign architecture, which is root too. */
	d.p[1].type = type_guid(DMB_DDI_ROOT, DMB_ARCH_ARM64);
	ddi = dissect_ok(&d, &x86_64);
	assert_int_equal(number_of(chosen(ddi, DMB_DDI_ROOT)), 2);
	assert_int_equal(chosen(ddi, DMB_DDI_ROOT)->arch, DMB_ARCH_ARM64);
	dmb_ddi_destroy(ddi);
	disk_free(&d);
}

/* dm-init's limits, through dmb_concise_format(): size, characters, target types. */
static void test_concise_limits(void **state)
{
	static char params[5000];
	struct dmb_table *t;
	struct dmb_concise_dev dev = { .name = "root", .uuid = "", .minor = -1, .read_only = true };
	char out[8192];
	const size_t head = strlen("root,,,ro,0 8 linear ");
	int n;

	(void)state;
	/* A line of 4095 bytes is the longest dm-init takes; 4096 is refused. */
	for (size_t len = 4094; len <= 4097; len++) {
		size_t plen = len - head;

		memset(params, 'a', plen - 2);
		memcpy(params + plen - 2, " 0", 3);
		assert_int_equal(dmb_table_create(&ctx, &t), 0);
		assert_int_equal(dmb_table_add(&ctx, t, 0, 8, "linear", params, 0), 0);
		dev.table = t;
		dmb_ctx_clear(&ctx);
		n = dmb_concise_format(&ctx, &dev, 1, DMB_CONCISE_KERNEL, out, sizeof(out));
		if (len < 4096) {
			assert_int_equal(n, len);
			assert_int_equal(strlen(out), len);
		} else {
			char msg[128];

			snprintf(msg, sizeof(msg), "concise table is %zu bytes, longer than 4095", len);
			expect_err(n, DMB_ERANGE, msg, "length");
		}
		/* dmsetup's form has no such limit. */
		assert_int_equal(dmb_concise_format(&ctx, &dev, 1, 0, NULL, 0), len);
		dmb_table_destroy(t);
	}
	/* Characters dm-mod.create= cannot carry, in a name, a uuid or the table. */
	assert_int_equal(dmb_table_create(&ctx, &t), 0);
	assert_int_equal(dmb_table_add(&ctx, t, 0, 8, "linear", "PARTUUID=x 0", 0), 0);
	dev.table = t;
	{
		static const char *const bad_names[] = { "ro,ot", "ro;ot", "ro\"ot", "ro\not" };

		for (size_t i = 0; i < ARRAY_SIZE(bad_names); i++) {
			dev.name = (char *)bad_names[i];
			dmb_ctx_clear(&ctx);
			expect_err(dmb_concise_format(&ctx, &dev, 1, DMB_CONCISE_KERNEL, out, sizeof(out)),
				   DMB_EINVAL,
				   "a name, uuid or table holds ',', ';', '\"' or a control character, "
				   "which dm-mod.create= cannot carry", bad_names[i]);
		}
		dev.name = "root";
		dev.uuid = "a,b";
		expect_err(dmb_concise_format(&ctx, &dev, 1, DMB_CONCISE_KERNEL, out, sizeof(out)),
			   DMB_EINVAL, NULL, "uuid");
		dev.uuid = "";
		/* dmsetup's form escapes them instead. */
		dev.name = "ro,ot";
		dmb_ctx_clear(&ctx);
		assert_int_equal(dmb_concise_format(&ctx, &dev, 1, 0, out, sizeof(out)),
				 strlen("ro\\,ot,,,ro,0 8 linear PARTUUID=x 0"));
		assert_string_equal(out, "ro\\,ot,,,ro,0 8 linear PARTUUID=x 0");
		dev.name = "root";
	}
	dmb_table_destroy(t);
	assert_int_equal(dmb_table_create(&ctx, &t), 0);
	assert_int_equal(dmb_table_add(&ctx, t, 0, 8, "linear", "a;b 0", 0), 0);
	dev.table = t;
	expect_err(dmb_concise_format(&ctx, &dev, 1, DMB_CONCISE_KERNEL, out, sizeof(out)),
		   DMB_EINVAL, NULL, "';' in the table");
	dmb_table_destroy(t);
	/* A target dm-init refuses. */
	assert_int_equal(dmb_table_create(&ctx, &t), 0);
	assert_int_equal(dmb_table_add(&ctx, t, 0, 8, "zero", "", 0), 0);
	dev.table = t;
	dmb_ctx_clear(&ctx);
	expect_err(dmb_concise_format(&ctx, &dev, 1, DMB_CONCISE_KERNEL, out, sizeof(out)),
		   DMB_EINVAL,
		   "device 1 (root): table line 1: target type \"zero\" is not allowed in dm-mod.create=",
		   "zero");
	dmb_table_destroy(t);
}

/* ---- base64 (RFC 4648) --------------------------------------------------------- */

static void test_base64(void **state)
{
	static const struct {
		const char *in, *out;
	} rfc[] = {
		{ "", "" }, { "Zg==", "f" }, { "Zm8=", "fo" }, { "Zm9v", "foo" },
		{ "Zm9vYg==", "foob" }, { "Zm9vYmE=", "fooba" }, { "Zm9vYmFy", "foobar" },
	};
	static const char *const bad[] = {
		"Z", "Zg", "Zg=", "Zm9vY", "Zg==Zg==", "Z===", "====", "=Zg=", "Zg=a", "Zh==", "Zm9=",
		"Zm-v", "Zm_v", "Zm9v ", " Zm9", "Zm\n9", "Zm9v\n", "Zm.v", "Zg===", "Zm9vYg=",
		"\xc3\xa9Zg=", "Zm9v====",
	};
	struct rng rng;
	uint8_t out[256], raw[200];
	char enc[300];
	size_t n;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rfc); i++) {
		n = 99;
		assert_int_equal(dmbi_base64_decode(rfc[i].in, strlen(rfc[i].in), out, sizeof(out), &n), 0);
		assert_int_equal(n, strlen(rfc[i].out));
		assert_memory_equal(out, rfc[i].out, n);
		/* Exactly the room it needs, and one byte less. */
		assert_int_equal(dmbi_base64_decode(rfc[i].in, strlen(rfc[i].in), out, n, &n), 0);
		if (n)
			assert_int_equal(dmbi_base64_decode(rfc[i].in, strlen(rfc[i].in), out, n - 1, &n),
					 DMB_ERANGE);
	}
	/* The whole alphabet: 64 symbols, 48 bytes. */
	assert_int_equal(dmbi_base64_decode("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "abcdefghijklmnopqrstuvwxyz0123456789+/", 64, out,
					    sizeof(out), &n), 0);
	assert_int_equal(n, 48);
	assert_memory_equal(out, "\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f\x41\x14\x93\x51"
				 "\x55\x97\x61\x96\x9b\x71\xd7\x9f\x82\x18\xa3\x92\x59\xa7\xa2\x9a"
				 "\xab\xb2\xdb\xaf\xc3\x1c\xb3\xd3\x5d\xb7\xe3\x9e\xbb\xf3\xdf\xbf", 48);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (dmbi_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n) != DMB_EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
	/* A NUL inside is no base64 either. */
	assert_int_equal(dmbi_base64_decode("Zm\0v", 4, out, sizeof(out), &n), DMB_EINVAL);
	/* Whatever OpenSSL encodes decodes back, at every length. */
	rng_seed(&rng, 77);
	for (size_t len = 0; len <= sizeof(raw); len++) {
		rng_fill(&rng, raw, len);
		assert_int_equal(EVP_EncodeBlock((unsigned char *)enc, raw, (int)len),
				 4 * ((len + 2) / 3));
		assert_int_equal(dmbi_base64_decode(enc, strlen(enc), out, len, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(out, raw, len);
		/* Any one symbol changed to '=' or '*' is refused, or decodes to other bytes. */
		if (len) {
			size_t at = rng_below(&rng, strlen(enc));
			char saved = enc[at];
			int r;

			enc[at] = '*';
			assert_int_equal(dmbi_base64_decode(enc, strlen(enc), out, sizeof(out), &n),
					 DMB_EINVAL);
			enc[at] = '=';
			r = dmbi_base64_decode(enc, strlen(enc), out, sizeof(out), &n);
			assert_true(saved == '=' || r == DMB_EINVAL || n != len ||
				    memcmp(out, raw, len) != 0);
			enc[at] = saved;
		}
	}
}

/* ---- faults --------------------------------------------------------------------- */

/* Dissect, both tables and the command line; every result is checked by the caller. */
static int full_run(struct dmb_bdev *bd, const struct dmb_ddi_options *o)
{
	struct dmb_ddi *ddi = NULL;
	struct dmb_table *t;
	char line[4096];
	bool ro;
	int r;

	dmb_ctx_clear(&ctx);
	ctx.crypto = &pc.crypto;
	r = dmb_ddi_dissect(&ctx, bd, o, &ddi);
	if (r) {
		assert_null(ddi);
		return r;
	}
	for (int which = DMB_DDI_ROOT; !r && which <= DMB_DDI_USR; which++) {
		r = dmb_ddi_table(&ctx, ddi, bd, (enum dmb_ddi_designator)which, DMB_DDI_NAMES_IMAGE,
				  "disk", &t, &ro);
		if (!r)
			dmb_table_destroy(t);
		if (!r) {
			r = dmb_ddi_table(&ctx, ddi, bd, (enum dmb_ddi_designator)which,
					  DMB_DDI_NAMES_PARTUUID, NULL, &t, &ro);
			if (!r)
				dmb_table_destroy(t);
		}
	}
	if (!r) {
		r = dmb_ddi_cmdline(&ctx, ddi, bd, line, sizeof(line));
		if (r > 0) {
			assert_non_null(strstr(line, "\" root=/dev/dm-0 mount.usr=/dev/dm-1 "
						     "dm-mod.waitfor="));
			r = 0;
		}
	}
	dmb_ddi_destroy(ddi);
	return r;
}

static void root_and_signed_usr(struct disk *d)
{
	struct vset u;

	disk_init(d, 512, 2048);
	disk_add(d, type_guid(DMB_DDI_ESP, DMB_ARCH_UNKNOWN), 40, 16, 0, "esp");
	vset_make(d, &u, DMB_DDI_USR, DMB_ARCH_X86_64, 64, "usr", "usr", "sha256", 72);
	disk_add(d, type_guid(DMB_DDI_ROOT, DMB_ARCH_X86_64), 64 + VSET_LBAS, 16, 0, "root");
	vset_sign(d, &u);
	disk_write_gpt(d);
}

/* Every allocation failing in turn: DMB_ENOMEM or success, nothing leaked. */
static void test_alloc_failures(void **state)
{
	/* (The plain root would fail DMB_DDI_REQUIRE_SIGNATURE, which test_usr covers.) */
	static const unsigned flags[] = { 0, DMB_DDI_KEEP_GOING };
	struct disk d;
	long n = 0;

	(void)state;
	root_and_signed_usr(&d);
	for (size_t f = 0; f < ARRAY_SIZE(flags); f++) {
		struct dmb_ddi_options o = { .arch = DMB_ARCH_X86_64, .flags = flags[f] };

		for (n = 1;; n++) {
			long count;
			int r;

			test_port_fail_alloc_at(n);
			r = full_run(disk_bdev(&d), &o);
			count = test_port_alloc_count();
			test_port_fail_alloc_at(0);
			if (r != 0 && r != DMB_ENOMEM)
				fail_msg("allocation %ld failed: %d %s", n, r, ctx.msg);
			if (r == DMB_ENOMEM)
				assert_true(ctx.msg[0] != '\0');
			assert_int_equal(test_port_live_allocs(), baseline);
			if (count < n) {
				assert_int_equal(r, 0);
				break;
			}
		}
		assert_true(n > 10);
	}
	disk_free(&d);
}

/* Every read failing from the n-th on: DMB_EIO with a message, or success. */
static void test_read_failures(void **state)
{
	struct disk d;
	bool succeeded = false;

	(void)state;
	root_and_signed_usr(&d);
	for (uint64_t n = 1; !succeeded; n++) {
		int r;

		dmb_fault_bdev_init(&d.fb, disk_bdev(&d));
		d.fb.fail_read_at = n;
		r = full_run(&d.fb.bdev, &x86_64);
		if (r != 0 && r != DMB_EIO)
			fail_msg("read %llu failed: %d %s", (unsigned long long)n, r, ctx.msg);
		if (r)
			assert_true(ctx.msg[0] != '\0');
		succeeded = r == 0 && d.fb.reads < n;
		assert_int_equal(test_port_live_allocs(), baseline);
		assert_true(n < 10000);
	}
	disk_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_classify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_choose_arch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_choose_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_choose_no_auto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fstypes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_dissected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signature_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uuid_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_given_root_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_require_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inconsistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sig_partition_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sig_json_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_going_bad_root_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_verity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_4096, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_linear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_lower, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mbr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generic_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concise_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_failures, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
