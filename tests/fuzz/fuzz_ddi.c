// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * libFuzzer target for Discoverable Disk Images (lib/formats/ddi.c,
 * formats.md §6): the input is a small disk image on a RAM device, with
 * GPT's header and array CRCs repaired after mutation (at 512 to 4096-byte
 * sectors) so the fuzzer gets past them to the partition types, flags,
 * labels, UUIDs, the -verity superblock and the -verity-sig JSON.  Each
 * image is dissected without and with DMB_DDI_KEEP_GOING, then the root and
 * usr tables are made (by image name and by PARTUUID) and loaded over the
 * image's partitions, and the dm-mod.create= line is made and parsed back
 * under dm-init's rules.  What ddi.h promises is checked: documented codes
 * with a message; chosen partitions of the right designator and not
 * no-auto; root and usr from the best tier of architectures that has one,
 * their verity partitions from the same; a root hash whose halves are the
 * data and -verity partitions' UUIDs; SIGNED only after the provider accepted a
 * signature over the hex root hash; a signature for every root and usr
 * when one is required; keeping going never changing a success.
 *
 * Input: two bytes of options, then (with byte 1 bit 1 or 2) a 32-byte
 * root hash given by the caller, then the image.
 *   byte 0 bits 0-1  crypto: 0 OpenSSL trusting the certificate below;
 *                    1 a stub whose "signature" must be the hex root hash
 *                    itself (so a mutated root hash still verifies and the
 *                    fuzzer reaches pairing and tables); 2 none; 3 a
 *                    provider without pkcs7_verify (both fail closed)
 *          bit 2     repair the GPT CRCs
 *          bits 3-5  native architecture (enum dmb_ddi_arch, modulo its count)
 *          bit 6     DMB_DDI_REQUIRE_SIGNATURE; bit 7 DMB_DDI_IGNORE_SIGNATURE
 *   byte 1 bit 0     4096-byte device blocks (else 512)
 *          bit 1/2   give the root hash for root / usr; bit 3: only its first 20 bytes
 *
 * Seeds in corpus/ddi/ (each under 64 KiB) were made with sfdisk (GPT, 128
 * entries; a loop device with --sector-size 4096 for the 4096-byte one),
 * mksquashfs (a one-file root), `veritysetup format --data-block-size=512
 * --hash-block-size=512` (4096 and --hash=sha512 for two), and the
 * -verity-sig JSON as systemd-repart writes it, the signature made with
 * `openssl smime -sign -nocerts -noattr -binary -outform der` over the hex
 * root hash by the EC P-256 key of the certificate below (a throwaway,
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256`): a
 * signed root with ESP, home and swap; root and usr (sha512) signed; A/B
 * root sets with versions in their labels (one with '~') and roots of the
 * secondary and a foreign architecture; 4096-byte sectors; root and usr
 * without verity; partitions with erofs, ext4, vfat, xfs and verity
 * magics; a root signed by an untrusted key; the stub's form; and (by sfdisk)
 * an MBR disk with a bootable Linux partition, an 0xEA one and a logical one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include <dmboot/dmboot.h>

#include "../../ports/posix/dmboot_posix.h"
#include "base/base.h"
#include "core/core.h"
#include "gpt_repair.h"

#define MAX_IMAGE (256u << 10)

static uint8_t image[MAX_IMAGE];

static const uint8_t trusted_cert_der[399] = {
	0x30, 0x82, 0x01, 0x8b, 0x30, 0x82, 0x01, 0x31, 0xa0, 0x03, 0x02, 0x01,
	0x02, 0x02, 0x14, 0x1e, 0xda, 0x1a, 0xab, 0x1b, 0x26, 0xa0, 0x94, 0x7d,
	0x06, 0xe2, 0xa7, 0x59, 0x45, 0xca, 0xc5, 0x97, 0xf3, 0xde, 0xa6, 0x30,
	0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x30,
	0x1a, 0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0f,
	0x64, 0x6d, 0x62, 0x6f, 0x6f, 0x74, 0x2d, 0x66, 0x75, 0x7a, 0x7a, 0x2d,
	0x64, 0x64, 0x69, 0x30, 0x20, 0x17, 0x0d, 0x32, 0x36, 0x31, 0x31, 0x33,
	0x30, 0x30, 0x36, 0x31, 0x30, 0x33, 0x34, 0x5a, 0x18, 0x0f, 0x32, 0x31,
	0x32, 0x36, 0x31, 0x31, 0x30, 0x36, 0x30, 0x36, 0x31, 0x30, 0x33, 0x34,
	0x5a, 0x30, 0x1a, 0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03,
	0x0c, 0x0f, 0x64, 0x6d, 0x62, 0x6f, 0x6f, 0x74, 0x2d, 0x66, 0x75, 0x7a,
	0x7a, 0x2d, 0x64, 0x64, 0x69, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a,
	0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
	0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x26, 0x69, 0x90, 0x62,
	0xf7, 0xae, 0xd2, 0xb3, 0x72, 0xc3, 0x7f, 0xd2, 0x07, 0x4b, 0x48, 0xd1,
	0xb9, 0x79, 0x9a, 0x1a, 0x15, 0xe9, 0x63, 0x76, 0x1b, 0xc3, 0xaa, 0x19,
	0x5a, 0xc8, 0x18, 0xbb, 0xe0, 0xdd, 0xc9, 0x2f, 0xe2, 0x5f, 0x8c, 0x6e,
	0xaf, 0x60, 0x03, 0xb0, 0x02, 0x16, 0x81, 0x64, 0x8f, 0xe1, 0x76, 0xe5,
	0x59, 0xfd, 0x41, 0xfa, 0xb4, 0x8e, 0x1b, 0xce, 0xef, 0xc7, 0xe5, 0x29,
	0xa3, 0x53, 0x30, 0x51, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04,
	0x16, 0x04, 0x14, 0x91, 0x3c, 0x85, 0x2c, 0x2b, 0x6e, 0x6e, 0x75, 0xea,
	0x41, 0x63, 0x5f, 0x0e, 0xaa, 0x6f, 0xc2, 0x8b, 0xf3, 0xcc, 0x67, 0x30,
	0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80, 0x14,
	0x91, 0x3c, 0x85, 0x2c, 0x2b, 0x6e, 0x6e, 0x75, 0xea, 0x41, 0x63, 0x5f,
	0x0e, 0xaa, 0x6f, 0xc2, 0x8b, 0xf3, 0xcc, 0x67, 0x30, 0x0f, 0x06, 0x03,
	0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01,
	0xff, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
	0x02, 0x03, 0x48, 0x00, 0x30, 0x45, 0x02, 0x21, 0x00, 0xba, 0xd6, 0x11,
	0xec, 0x62, 0x83, 0xf8, 0x3f, 0x6b, 0xf2, 0x17, 0xef, 0xd3, 0xe7, 0x9e,
	0xf9, 0x8c, 0x1b, 0x18, 0xda, 0x13, 0x52, 0xdc, 0x7a, 0x5a, 0xf3, 0x54,
	0x21, 0x47, 0x7c, 0x03, 0xd0, 0x02, 0x20, 0x5a, 0x23, 0xc8, 0xbd, 0x95,
	0xa9, 0x4b, 0x45, 0xfb, 0x35, 0xa3, 0x12, 0x81, 0x4b, 0xf1, 0x6c, 0x93,
	0xc9, 0x8f, 0x75, 0x3b, 0x57, 0x02, 0x8b, 0x37, 0x68, 0x79, 0x95, 0x5a,
	0x1d, 0x9f, 0x65,
};

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ddi: %s\n", what);
		abort();
	}
}

/* ---- crypto providers ------------------------------------------------------ */

static struct dmb_posix_crypto provider;
static struct dmb_crypto_ops stub_ops, no_pkcs7_ops;
static struct dmb_crypto stub, no_pkcs7;

static int stub_verify(const struct dmb_crypto *c, struct dmb_ctx *ctx, const uint8_t *sig,
		       size_t sig_len, const uint8_t *data, size_t len)
{
	(void)c;
	if (sig_len == len && memcmp(sig, data, len) == 0)
		return 0;
	return dmb_ctx_set_error(ctx, DMB_EVERIFY, "stub: the signature is not the hex root hash");
}

static void init_providers(void)
{
	const unsigned char *p = trusted_cert_der;
	STACK_OF(X509) *stack = sk_X509_new_null();
	X509 *x = d2i_X509(NULL, &p, (long)sizeof(trusted_cert_der));

	check(stack && x && sk_X509_push(stack, x), "trusted certificate");
	dmb_posix_crypto_init(&provider);
	provider.trusted = stack;
	stub_ops = *provider.crypto.ops;
	stub_ops.pkcs7_verify = stub_verify;
	stub = provider.crypto;
	stub.ops = &stub_ops;
	no_pkcs7_ops = *provider.crypto.ops;
	no_pkcs7_ops.pkcs7_verify = NULL;
	no_pkcs7 = provider.crypto;
	no_pkcs7.ops = &no_pkcs7_ops;
}

/* ---- checks on a dissection ---------------------------------------------------- */

/* 0 native, 1 secondary, 2 any other architecture (ddi.h's tiers). */
static int tier_of(enum dmb_ddi_arch native, enum dmb_ddi_arch a)
{
	if (a != DMB_ARCH_UNKNOWN && a == native)
		return 0;
	return a != DMB_ARCH_UNKNOWN && a == dmb_ddi_arch_secondary(native) ? 1 : 2;
}

/* Root (v = 0) or usr comes from the best tier that has one, its verity from the same. */
static void check_tiers(const struct dmb_ddi *ddi, const struct dmb_ddi_options *o, int v)
{
	static const enum dmb_ddi_designator data_d[2] = { DMB_DDI_ROOT, DMB_DDI_USR };
	static const enum dmb_ddi_designator hash_d[2] = { DMB_DDI_ROOT_VERITY, DMB_DDI_USR_VERITY };
	const struct dmb_ddi_partition *data = ddi->chosen[data_d[v]], *hash = ddi->chosen[hash_d[v]];
	int t;

	if (!data || data->arch == DMB_ARCH_UNKNOWN)
		return;
	t = tier_of(o->arch, data->arch);
	check(!hash || tier_of(o->arch, hash->arch) == t, "verity from another tier");
	if (v == 1 && ddi->chosen[DMB_DDI_ROOT])
		return; /* usr follows root's tier */
	/* Given a root hash, only the partitions it names count (its first 16 bytes). */
	for (size_t i = 0; i < ddi->count; i++) {
		const struct dmb_ddi_partition *p = &ddi->parts[i];
		bool named = o->root_hash_size[v] < 16 ||
			     memcmp(p->part->uuid, o->root_hash[v], 16) == 0;

		check(p->designator != data_d[v] || p->no_auto || !named ||
		      tier_of(o->arch, p->arch) >= t, "a better tier passed over");
	}
}

static void check_failure(int r, const struct dmb_ddi *ddi, const struct dmb_ctx *ctx)
{
	check(ddi == NULL, "result set on failure");
	check(r == DMB_ENOENT || r == DMB_ECORRUPT || r == DMB_EVERIFY || r == DMB_ENOKEY ||
	      r == DMB_EINVAL || r == DMB_ENOTSUP || r == DMB_ERANGE || r == DMB_EIO ||
	      r == DMB_ENOMEM, "undocumented code");
	check(ctx->msg[0] != '\0', "failure without a message");
}

static void check_dissection(const struct dmb_ddi *ddi, const struct dmb_ddi_options *o,
			     const struct dmb_crypto *crypto)
{
	static const enum dmb_ddi_designator data_d[2] = { DMB_DDI_ROOT, DMB_DDI_USR };

	for (int d = 0; d < DMB_DDI_DESIGNATOR_COUNT; d++) {
		const struct dmb_ddi_partition *p = ddi->chosen[d];

		if (!p)
			continue;
		check(p->designator == (enum dmb_ddi_designator)d, "chosen for another designator");
		check(!p->no_auto, "a no-auto partition chosen");
		check(p >= ddi->parts && p < ddi->parts + ddi->count, "chosen outside parts");
		check(d != DMB_DDI_LINUX_GENERIC, "generic Linux data chosen as itself");
	}
	check_tiers(ddi, o, 0);
	check_tiers(ddi, o, 1);
	/* A root of no architecture is the generic one, taken only when there is no usr. */
	if (ddi->chosen[DMB_DDI_ROOT] && ddi->chosen[DMB_DDI_ROOT]->arch == DMB_ARCH_UNKNOWN)
		check(!ddi->chosen[DMB_DDI_USR] && ddi->verity[0].state == DMB_DDI_VERITY_NONE,
		      "generic root beside usr or with verity");
	for (int v = 0; v < 2; v++) {
		const struct dmb_ddi_verity *vy = &ddi->verity[v];
		size_t n = vy->root_hash_size;

		check(vy->data == ddi->chosen[data_d[v]], "verity data is not the chosen one");
		check(n == 0 || (n >= 16 && n <= DMB_MAX_DIGEST_SIZE), "root hash size");
		check(!vy->hash || vy->data, "a -verity partition without data");
		check(!vy->sig || vy->hash, "a -verity-sig partition without -verity");
		if (!(o->flags & DMB_DDI_KEEP_GOING))
			check(vy->state != DMB_DDI_VERITY_UNVERIFIED && vy->sig_err == 0,
			      "unverified without keeping going");
		if (n) {
			check(vy->data && vy->hash, "a root hash without its partitions");
			check(memcmp(vy->data->part->uuid, vy->root_hash, 16) == 0 &&
			      memcmp(vy->hash->part->uuid, vy->root_hash + n - 16, 16) == 0,
			      "partitions not paired by the root hash");
		}
		switch (vy->state) {
		case DMB_DDI_VERITY_NONE:
			check(n == 0 && !vy->hash, "state NONE");
			break;
		case DMB_DDI_VERITY_AVAILABLE:
			check(n == 0 && vy->hash, "state AVAILABLE");
			break;
		case DMB_DDI_VERITY_EXTERNAL:
			check(n == o->root_hash_size[v] && !vy->sig &&
			      memcmp(vy->root_hash, o->root_hash[v], n) == 0, "state EXTERNAL");
			break;
		case DMB_DDI_VERITY_SIGNED:
			check(n && vy->sig && vy->signature && crypto && crypto->ops->pkcs7_verify,
			      "state SIGNED");
			check(vy->sig_err == 0, "SIGNED with an error");
			if (crypto == &stub) {
				char hex[2 * DMB_MAX_DIGEST_SIZE + 1];

				dmb_hex_encode(vy->root_hash, n, hex);
				check(vy->signature_size == 2 * n &&
				      memcmp(vy->signature, hex, 2 * n) == 0,
				      "SIGNED over something else than the hex root hash");
			}
			if (o->root_hash_size[v])
				check(o->root_hash_size[v] == n &&
				      memcmp(o->root_hash[v], vy->root_hash, n) == 0,
				      "SIGNED with another root hash than the given one");
			break;
		case DMB_DDI_VERITY_UNVERIFIED:
			check(n && vy->sig && vy->sig_err != 0 && vy->sig_msg[0], "state UNVERIFIED");
			break;
		default:
			check(false, "unknown state");
		}
		if (o->flags & DMB_DDI_REQUIRE_SIGNATURE)
			check(!vy->data || vy->state == DMB_DDI_VERITY_SIGNED, "unsigned but required");
	}
}

/* ---- tables, devices, the command line ---------------------------------------- */

struct parts_resolver {
	struct dmb_resolver r;
	struct dmb_bdev *disk;
	const struct dmb_part_table *table;
	struct dmb_slice_bdev slices[4];
	size_t n;
};

static int res_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	struct parts_resolver *pr = r->priv;
	const struct dmb_part *p;
	uint32_t number;
	int rc;

	(void)flags;
	if (strncmp(name, "disk:p", 6) != 0 || dmbi_parse_u32(name + 6, 10, &number) != 0 ||
	    !(p = dmb_part_find(pr->table, number)) || pr->n == 4)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: no such partition", name);
	rc = dmb_part_slice(ctx, pr->disk, pr->table, p, &pr->slices[pr->n]);
	if (rc)
		return rc;
	*out = &pr->slices[pr->n++].bdev;
	return 0;
}

static void res_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	(void)bd;
}

static void exercise_table(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *bd,
			   enum dmb_ddi_designator which)
{
	const struct dmb_ddi_verity *vy = &ddi->verity[which == DMB_DDI_USR];
	const struct dmb_ddi_partition *data = ddi->chosen[which];
	struct parts_resolver pr = { .r = { res_open, res_close, NULL }, .disk = bd,
				     .table = ddi->table };
	struct dmb_table *t = NULL;
	struct dmb_dev *dev = NULL;
	uint8_t block[4096];
	bool ro = false;
	int r;

	pr.r.priv = &pr;
	r = dmb_ddi_table(ctx, ddi, bd, which, DMB_DDI_NAMES_PARTUUID, NULL, &t, &ro);
	if (!data) {
		check(r == DMB_ENOENT && !t, "a table without a partition");
		return;
	}
	if (r) {
		check(!t && ctx->msg[0], "table failure");
		return;
	}
	check(t->count == 1, "one target");
	check(t->targets[0].len_sectors <=
	      data->part->lba_count * (ddi->table->sector_size / 512), "table past its partition");
	if (vy->root_hash_size && vy->hash)
		check(strcmp(t->targets[0].type, "verity") == 0 && ro, "not verity");
	else
		check(strcmp(t->targets[0].type, "linear") == 0 &&
		      ro == (data->read_only || strcmp(data->fstype, "squashfs") == 0 ||
			     strcmp(data->fstype, "erofs") == 0),
		      "not linear, or not read-only as its flag and file system say");
	dmb_table_destroy(t);
	r = dmb_ddi_table(ctx, ddi, bd, which, DMB_DDI_NAMES_IMAGE, "disk", &t, &ro);
	check(r == 0, "the same table by image name failed");
	ctx->resolver = &pr.r;
	if (dmb_dev_create(ctx, t, DMB_DEV_READONLY, &dev) == 0) {
		struct dmb_bdev *d = dmb_dev_bdev(dev);
		size_t bs = (size_t)1 << d->block_shift;

		if (bs <= sizeof(block)) {
			(void)dmb_bdev_read_bytes(d, 0, bs, block);
			(void)dmb_bdev_read_bytes(d, dmb_bdev_bytes(d) - bs, bs, block);
		}
		dmb_dev_destroy(dev);
	}
	ctx->resolver = NULL;
	dmb_table_destroy(t);
}

/* The devices a handoff makes for which: verity needs its data and hash devices under a lower one. */
static unsigned handoff_devs(const struct dmb_ddi *ddi, int v, bool lower)
{
	const struct dmb_ddi_verity *vy = &ddi->verity[v];

	if (!ddi->chosen[v ? DMB_DDI_USR : DMB_DDI_ROOT])
		return 0;
	return lower && vy->hash && vy->root_hash_size ? 3u : 1u;
}

static void exercise_cmdline(struct dmb_ctx *ctx, const struct dmb_ddi *ddi, struct dmb_bdev *bd,
			     const struct dmb_ddi_lower *lower)
{
	static char line[8192];
	struct dmb_concise *c = NULL;
	const char *a, *b;
	int r = dmb_ddi_cmdline_lower(ctx, ddi, bd, lower, line, sizeof(line));

	if (r < 0) {
		check(ctx->msg[0] != '\0', "cmdline failure without a message");
		return;
	}
	check((size_t)r < sizeof(line) && strlen(line) == (size_t)r, "cmdline length");
	a = strstr(line, "dm-mod.create=\"");
	check(a == line, "cmdline start");
	a += 15;
	b = strchr(a, '"');
	check(b != NULL && (size_t)(b - a) < 4096, "dm-mod.create= value");
	check(dmb_concise_parse(ctx, a, (size_t)(b - a), DMB_CONCISE_KERNEL, &c) == 0 ||
	      ctx->err == DMB_ENOMEM, "dm-mod.create= does not parse back");
	if (c)
		check(c->count == (lower != NULL) + handoff_devs(ddi, 0, lower) +
					  handoff_devs(ddi, 1, lower),
		      "device count");
	dmb_concise_destroy(c);
}

static void exercise(const struct dmb_ddi *ddi, struct dmb_bdev *bd,
		     const struct dmb_crypto *crypto)
{
	struct dmb_ctx ctx = { .crypto = crypto };

	exercise_table(&ctx, ddi, bd, DMB_DDI_ROOT);
	exercise_table(&ctx, ddi, bd, DMB_DDI_USR);
	exercise_cmdline(&ctx, ddi, bd, NULL);
	/* Inside a lower device, as an image kept in an LV is handed over. */
	{
		struct dmb_table *t = NULL;
		const char *argv[2] = { "PARTUUID=11111111-2222-3333-4444-555555555555", "2048" };
		struct dmb_ddi_lower lower = { "vg-lv", NULL, NULL, argv[0] };

		if (dmb_table_create(&ctx, &t) == 0 &&
		    dmb_table_add_argv(&ctx, t, 0, dmb_bdev_bytes(bd) / 512 ? dmb_bdev_bytes(bd) / 512 : 1,
				       "linear", 2, argv) == 0) {
			lower.table = t;
			exercise_cmdline(&ctx, ddi, bd, &lower);
		}
		dmb_table_destroy(t);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct dmb_crypto *cryptos[4] = { NULL, &stub, NULL, &no_pkcs7 };
	struct dmb_ddi_options o = { 0 }, keep;
	struct dmb_ctx ctx = { 0 }, kctx = { 0 };
	struct dmb_ddi *a = NULL, *b = NULL;
	struct dmb_ram_bdev rb;
	size_t hdr = 2, bytes, bs;
	unsigned shift;
	int ra, rb_;

	if (!provider.trusted)
		init_providers();
	cryptos[0] = &provider.crypto;
	if (size < 2)
		return 0;
	if (data[1] & 6) {
		size_t n = data[1] & 8 ? 20 : 32;

		if (size < 34)
			return 0;
		for (int v = 0; v < 2; v++)
			if (data[1] & (2 << v)) {
				o.root_hash[v] = data + 2;
				o.root_hash_size[v] = n;
			}
		hdr = 34;
	}
	shift = data[1] & 1 ? 12 : 9;
	bs = (size_t)1 << shift;
	bytes = DMBI_MIN(size - hdr, (size_t)MAX_IMAGE);
	memcpy(image, data + hdr, bytes);
	/* Whole blocks, zeros after the input. */
	{
		size_t padded = (bytes + bs - 1) / bs * bs;

		if (padded > MAX_IMAGE)
			padded = MAX_IMAGE;
		memset(image + bytes, 0, padded - bytes);
		bytes = padded;
	}
	if (data[0] & 4)
		for (unsigned ss = 512; ss <= 4096; ss *= 2) {
			gpt_repair_header(image, bytes, ss, 1);
			if (bytes / ss >= 2)
				gpt_repair_header(image, bytes, ss, bytes / ss - 1);
		}
	dmb_ram_bdev_init(&rb, image, bytes, shift, false);
	o.arch = (enum dmb_ddi_arch)((data[0] >> 3 & 7) % DMB_ARCH_COUNT);
	o.flags = (data[0] & 0x40 ? DMB_DDI_REQUIRE_SIGNATURE : 0) |
		  (data[0] & 0x80 ? DMB_DDI_IGNORE_SIGNATURE : 0);
	ctx.crypto = kctx.crypto = cryptos[data[0] & 3];
	keep = o;
	keep.flags |= DMB_DDI_KEEP_GOING;

	ra = dmb_ddi_dissect(&ctx, &rb.bdev, &o, &a);
	if (ra)
		check_failure(ra, a, &ctx);
	else
		check_dissection(a, &o, ctx.crypto);
	rb_ = dmb_ddi_dissect(&kctx, &rb.bdev, &keep, &b);
	if (rb_)
		check_failure(rb_, b, &kctx);
	else
		check_dissection(b, &keep, kctx.crypto);
	/* Keeping going only keeps going: a success stays the same success. */
	if (ra == 0) {
		check(rb_ == 0, "keeping going failed where stopping did not");
		for (int d = 0; d < DMB_DDI_DESIGNATOR_COUNT; d++)
			check((a->chosen[d] ? a->chosen[d] - a->parts : -1) ==
			      (b->chosen[d] ? b->chosen[d] - b->parts : -1), "another choice");
		for (int v = 0; v < 2; v++)
			check(a->verity[v].state == b->verity[v].state &&
			      a->verity[v].root_hash_size == b->verity[v].root_hash_size &&
			      b->verity[v].sig_err == 0, "another verity");
		exercise(a, &rb.bdev, ctx.crypto);
	} else if (rb_ == 0) {
		exercise(b, &rb.bdev, kctx.crypto);
	}
	dmb_ddi_destroy(a);
	dmb_ddi_destroy(b);
	return 0;
}
