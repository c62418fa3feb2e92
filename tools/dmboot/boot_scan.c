// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The scan of `dmboot boot`: every device of --devices, every partition on
 * it and every logical volume of every VG found on them is dissected as a
 * discoverable disk image; each image found gets its version (from the LV
 * name or the partition label), its signature verdict and, when nothing
 * else stops it, a check of its top hash block, all in memory and without
 * the state directory.  Devices that hold no image are passed over quietly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "boot.h"

/* ---- the devices --------------------------------------------------------- */

static int res_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	const struct boot_scan *s = r->priv;
	bool uuid = strncmp(name, "PARTUUID=", 9) == 0;

	(void)flags;
	for (size_t i = 0; i < s->ndevs; i++) {
		const struct boot_dev *d = &s->devs[i];

		if (!uuid && strcmp(d->path, name) == 0) {
			*out = d->bd;
			return 0;
		}
		for (size_t k = 0; uuid && d->parts && k < d->parts->count; k++)
			if (d->uuids[k][0] && strcasecmp(d->uuids[k], name + 9) == 0) {
				*out = &d->slices[k].bdev;
				return 0;
			}
	}
	return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: no such device", name);
}

/* The devices are the scan's: nothing to close. */
static void res_close(const struct dmb_resolver *r, struct dmb_bdev *bd)
{
	(void)r;
	(void)bd;
}

static void lvm_add(struct boot_scan *s, const char *name, struct dmb_bdev *bd)
{
	int r = dmb_lvm_scan_add(s->lvm, name, bd);

	if (r && r != DMB_ENOENT)
		fprintf(stderr, "warning: %s (device not used)\n", s->ctx.msg);
}

/*
 * Open one device and slice its partitions.  The LVM scan names a PV on a
 * partition by its PARTUUID, so the LV tables are those the kernel can
 * resolve at boot.
 */
static int scan_device(struct boot_scan *s, const char *path)
{
	struct boot_dev *d = &s->devs[s->ndevs];
	int r = dmb_posix_open(&s->ctx, path, 0, &d->bd);

	if (r) {
		cli_error("%s", s->ctx.msg);
		return BOOT_FAILED;
	}
	s->ndevs++;
	if (!(d->path = strdup(path)))
		return BOOT_NOMEM;
	lvm_add(s, path, d->bd);
	s->ctx.log_level = DMB_LOG_ERR;
	r = dmb_part_table_load(&s->ctx, d->bd, 0, &d->parts);
	s->ctx.log_level = DMB_LOG_WARN;
	if (r == DMB_ENOENT)
		return BOOT_OK;
	if (r) {
		fprintf(stderr, "warning: %s: partition table: %s\n", path, s->ctx.msg);
		return BOOT_OK;
	}
	d->slices = calloc(d->parts->count + 1, sizeof(*d->slices));
	d->uuids = calloc(d->parts->count + 1, sizeof(*d->uuids));
	if (!d->slices || !d->uuids)
		return BOOT_NOMEM;
	for (size_t k = 0; k < d->parts->count; k++) {
		const struct dmb_part *p = &d->parts->parts[k];
		char name[DMB_PART_UUID_MAX + 16];

		if (p->extended || dmb_part_slice(&s->ctx, d->bd, d->parts, p, &d->slices[k]))
			continue;
		dmb_part_uuid(d->parts, p, d->uuids[k]);
		snprintf(name, sizeof(name), "PARTUUID=%s", d->uuids[k]);
		lvm_add(s, name, &d->slices[k].bdev);
	}
	return BOOT_OK;
}

/* ---- one image's verdict -------------------------------------------------- */

/* A resolver that gives one device as "image"; partitions come from dmb_part_resolver. */
struct one_res {
	struct dmb_resolver r;
	struct dmb_bdev *bd;
};

static int one_open(const struct dmb_resolver *r, struct dmb_ctx *ctx, const char *name,
		    unsigned flags, struct dmb_bdev **out)
{
	const struct one_res *o = r->priv;

	(void)flags;
	if (strcmp(name, "image") != 0)
		return dmb_ctx_set_error(ctx, DMB_ENOENT, "%s: no such device", name);
	*out = o->bd;
	return 0;
}

static int set_reason(struct boot_image *im, const char *fmt, ...) DMB_PRINTF(2, 3);
static int set_reason(struct boot_image *im, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&im->reason, fmt, ap);
	va_end(ap);
	if (r < 0) {
		im->reason = NULL;
		return BOOT_NOMEM;
	}
	return BOOT_OK;
}

/*
 * Map the image's verity device in memory, as open will: its constructor
 * reads the top hash block and checks it against the signed root hash.
 */
static int check_top_block(struct boot_scan *s, struct boot_image *im)
{
	struct one_res one = { { one_open, res_close, &one }, im->bd };
	struct dmb_part_resolver pr;
	struct dmb_ctx ctx = { .crypto = &s->pc.crypto, .log_level = DMB_LOG_ERR,
			       .flags = DMB_CTX_QUIET_IO };
	struct dmb_table *t = NULL;
	struct dmb_dev *dev = NULL;
	bool ro;
	int r;

	dmb_part_resolver_init(&pr, &one.r);
	ctx.resolver = &pr.r;
	r = dmb_ddi_table(&ctx, im->ddi, im->bd, im->usr ? DMB_DDI_USR : DMB_DDI_ROOT,
			  DMB_DDI_NAMES_IMAGE, "image", &t, &ro);
	if (!r)
		r = dmb_dev_create(&ctx, t, DMB_DEV_READONLY, &dev);
	dmb_dev_destroy(dev);
	dmb_table_destroy(t);
	if (r == DMB_ENOMEM)
		return BOOT_NOMEM;
	if (r == DMB_EVERIFY)
		return set_reason(im, "the top hash block does not match the signed root hash");
	return r ? set_reason(im, "cannot map it: %s", ctx.msg) : BOOT_OK;
}

/* The common name of the certificate that signed, from the trusted ones or the signature's own. */
static void find_signer(struct boot_scan *s, struct boot_image *im, const struct dmb_ddi_verity *v)
{
	const unsigned char *p = v->signature;
	PKCS7 *p7 = v->signature ? d2i_PKCS7(NULL, &p, (long)v->signature_size) : NULL;
	STACK_OF(X509) *signers = p7 ? PKCS7_get0_signers(p7, s->pc.trusted, 0) : NULL;

	if (signers && sk_X509_num(signers) > 0 &&
	    X509_NAME_get_text_by_NID(X509_get_subject_name(sk_X509_value(signers, 0)),
				      NID_commonName, im->signer, sizeof(im->signer)) < 0)
		im->signer[0] = '\0';
	sk_X509_free(signers);
	PKCS7_free(p7);
	/* A signature from the disk that does not parse leaves nothing for later checks. */
	ERR_clear_error();
}

static const char *sig_word(const struct dmb_ddi_verity *v)
{
	if (!v->sig)
		return "unsigned";
	if (v->state == DMB_DDI_VERITY_SIGNED)
		return "verified";
	return v->sig_err == DMB_ENOKEY ? "untrusted" : v->sig_err == DMB_EVERIFY ? "mismatch" :
									   "malformed";
}

/* Why the signature stops the image, in the order a user would fix it; NULL: it does not. */
static int sig_reason(struct boot_image *im, const struct dmb_ddi_verity *v)
{
	if (!v->hash)
		return set_reason(im, "no verity partition");
	if (!v->sig)
		return set_reason(im, "unsigned");
	if (v->state == DMB_DDI_VERITY_SIGNED)
		return BOOT_OK;
	if (v->sig_err == DMB_ENOKEY)
		return set_reason(im, "signed by a certificate that is not trusted");
	if (v->sig_err == DMB_EVERIFY)
		return set_reason(im, "the signature does not verify");
	return set_reason(im, "malformed signature: %s", v->sig_msg);
}

static int judge_image(struct boot_scan *s, const struct boot_opts *o, struct boot_image *im)
{
	const struct dmb_ddi_verity *v = &im->ddi->verity[im->usr];
	enum dmb_ddi_arch second = dmb_ddi_arch_secondary(o->arch);
	struct dmb_ctx ctx = { 0 };
	int r;

	if (v->root_hash_size)
		dmb_hex_encode(v->root_hash, v->root_hash_size, im->roothash);
	im->signature = sig_word(v);
	find_signer(s, im, v);
	r = dmb_boot_name_parse(&ctx, o->match, im->name, &im->ver);
	im->has_version = r == 0;
	if (r == DMB_ENOMEM)
		return BOOT_NOMEM;
	if (im->arch != DMB_ARCH_UNKNOWN && im->arch != o->arch && im->arch != second)
		return set_reason(im, "built for %s", dmb_ddi_arch_name(im->arch));
	r = sig_reason(im, v);
	if (r || im->reason)
		return r;
	if (!im->has_version)
		return set_reason(im, "no version in its name: %s", ctx.msg);
	if (o->min_version && dmb_version_cmp(im->ver.version, o->min_version) < 0)
		return set_reason(im, "older than --min-version %s", o->min_version);
	return check_top_block(s, im);
}

/*
 * Dissect bd as an image; a device without a partition table, or without
 * a root or usr partition, is no image (1).  Else the image is added.
 */
static int try_image(struct boot_scan *s, const struct boot_opts *o, struct boot_image *im)
{
	struct dmb_ddi_options opt = { .arch = o->arch, .flags = DMB_DDI_KEEP_GOING };
	struct dmb_ctx ctx = { .crypto = &s->pc.crypto, .log_level = DMB_LOG_ERR };
	const struct dmb_ddi_partition *p;
	int r = dmb_ddi_dissect(&ctx, im->bd, &opt, &im->ddi);

	if (r == DMB_ENOENT)
		return 1;
	if (r == DMB_ENOMEM)
		return BOOT_NOMEM;
	if (r) {
		/* A partition table with a damaged image on it: listed, never booted. */
		im->signature = "unsigned";
		return set_reason(im, "not a usable image: %s", ctx.msg);
	}
	p = im->ddi->chosen[DMB_DDI_ROOT];
	if (!p) {
		p = im->ddi->chosen[DMB_DDI_USR];
		im->usr = true;
	}
	if (!p)
		return 1;
	im->arch = p->arch;
	return judge_image(s, o, im);
}

static void image_free(struct boot_image *im)
{
	dmb_ddi_destroy(im->ddi);
	dmb_dev_destroy(im->lvdev);
	dmb_table_destroy(im->lvtable);
	free(im->reason);
	free(im->name);
	free(im->where);
}

/* Add an image candidate; *im is taken whether it is an image or not. */
static int add_candidate(struct boot_scan *s, const struct boot_opts *o, struct boot_image *im)
{
	struct boot_image *grown;
	int r;

	if (!im->where) {
		image_free(im);
		return BOOT_NOMEM;
	}
	r = try_image(s, o, im);
	if (r == BOOT_OK) {
		grown = realloc(s->imgs, (s->nimgs + 1) * sizeof(*s->imgs));
		if (grown) {
			s->imgs = grown;
			s->imgs[s->nimgs++] = *im;
			return BOOT_OK;
		}
		r = BOOT_NOMEM;
	}
	image_free(im);
	return r == 1 ? BOOT_OK : r;
}

/* Every visible LV whose segments dmboot maps, as an image candidate. */
static int scan_lvs(struct boot_scan *s, const struct boot_opts *o)
{
	for (size_t i = 0; i < dmb_lvm_scan_vg_count(s->lvm); i++) {
		const struct dmb_lvm_vg *vg = dmb_lvm_scan_vg(s->lvm, i);

		for (size_t k = 0; k < vg->lv_count; k++) {
			const struct dmb_lvm_lv *lv = &vg->lvs[k];
			struct boot_image im = { .host = BOOT_HOST_LV, .lv = lv };
			struct dmb_ctx *ctx = &s->lvctx;
			int r;

			const char *layer = dmb_lvm_lv_layer(lv);

			if (!(lv->status & DMB_LVM_VISIBLE))
				continue;
			/*
			 * A snapshot's origin reads as its -real layer, which the scan
			 * maps by itself; a snapshot, thin, raid...: not a volume an
			 * image is kept on.
			 */
			if ((layer && strcmp(layer, "real") != 0) ||
			    dmb_lvm_lv_table(ctx, lv, layer ? DMB_LVM_LAYER : 0, &im.lvtable))
				continue;
			if (dmb_dev_create(ctx, im.lvtable, DMB_DEV_READONLY, &im.lvdev)) {
				fprintf(stderr, "warning: %s/%s: %s\n", vg->name, lv->name, ctx->msg);
				dmb_table_destroy(im.lvtable);
				continue;
			}
			im.bd = dmb_dev_bdev(im.lvdev);
			im.name = strdup(lv->name);
			if (asprintf(&im.where, "%s/%s", vg->name, lv->name) < 0)
				im.where = NULL;
			r = im.name ? add_candidate(s, o, &im) : (free(im.where), BOOT_NOMEM);
			if (r)
				return r;
		}
	}
	return BOOT_OK;
}

/* Whole devices and their partitions, as image candidates. */
static int scan_parts(struct boot_scan *s, const struct boot_opts *o)
{
	for (size_t i = 0; i < s->ndevs; i++) {
		struct boot_dev *d = &s->devs[i];
		struct boot_image im = { .host = BOOT_HOST_DISK, .dev = d, .bd = d->bd };
		int r;

		/* A whole-disk image is named by its file, as sysupdate names them (os_1.2.raw). */
		im.where = strdup(d->path);
		im.name = strdup(strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path);
		r = im.name ? add_candidate(s, o, &im) : (free(im.where), BOOT_NOMEM);
		for (size_t k = 0; !r && d->parts && k < d->parts->count; k++) {
			struct boot_image pi = { .host = BOOT_HOST_PART, .dev = d,
						 .part = &d->parts->parts[k],
						 .bd = &d->slices[k].bdev };

			if (!d->uuids[k][0])
				continue;
			pi.name = strdup(pi.part->name);
			if (asprintf(&pi.where, "%s:p%u", d->path, pi.part->number) < 0)
				pi.where = NULL;
			r = pi.name ? add_candidate(s, o, &pi) : (free(pi.where), BOOT_NOMEM);
		}
		if (r)
			return r;
	}
	return BOOT_OK;
}

/* Bootable ones first, in the order to try them; the others after, newest first. */
static int order(const void *pa, const void *pb)
{
	const struct boot_image *a = pa, *b = pb;
	int c;

	if (!a->reason != !b->reason)
		return a->reason ? 1 : -1;
	if (a->has_version != b->has_version)
		return a->has_version ? -1 : 1;
	c = a->has_version ? dmb_boot_name_cmp(&a->ver, &b->ver) : 0;
	return c ? c : strcmp(a->where, b->where);
}

int boot_scan_run(struct boot_scan *s, const struct boot_opts *o)
{
	int r;

	memset(s, 0, sizeof(*s));
	dmb_posix_crypto_init(&s->pc);
	s->ctx.crypto = &s->pc.crypto;
	s->ctx.log_level = DMB_LOG_WARN;
	s->res = (struct dmb_resolver){ res_open, res_close, s };
	s->lvctx.resolver = &s->res;
	s->lvctx.log_level = DMB_LOG_ERR;
	s->lvctx.flags = DMB_CTX_QUIET_IO; /* read failures are reported with the image */
	if (o->ndevices == 0) {
		cli_error("no devices to scan: give them with --devices IMAGE[,IMAGE...]");
		return BOOT_USAGE;
	}
	for (size_t i = 0; i < o->ncerts; i++) {
		r = dmb_posix_crypto_add_trusted(&s->pc, &s->ctx, o->certs[i]);
		if (r) {
			cli_error("%s", s->ctx.msg);
			return r == DMB_ENOMEM ? BOOT_NOMEM : BOOT_USAGE;
		}
	}
	s->devs = calloc(o->ndevices, sizeof(*s->devs));
	if (!s->devs || dmb_lvm_scan_create(&s->ctx, &s->lvm))
		return BOOT_NOMEM;
	for (size_t i = 0; i < o->ndevices; i++) {
		r = scan_device(s, o->devices[i]);
		if (r)
			return r;
	}
	r = dmb_lvm_scan_finish(s->lvm);
	if (r == DMB_ENOMEM)
		return BOOT_NOMEM;
	if (r)
		fprintf(stderr, "warning: %s\n", s->ctx.msg);
	r = scan_parts(s, o);
	if (!r)
		r = scan_lvs(s, o);
	if (r == BOOT_NOMEM)
		cli_error("out of memory");
	if (!r && s->nimgs)
		qsort(s->imgs, s->nimgs, sizeof(*s->imgs), order);
	return r;
}

void boot_scan_fini(struct boot_scan *s)
{
	for (size_t i = 0; i < s->nimgs; i++)
		image_free(&s->imgs[i]);
	free(s->imgs);
	dmb_lvm_scan_destroy(s->lvm);
	for (size_t i = 0; i < s->ndevs; i++) {
		free(s->devs[i].slices);
		free(s->devs[i].uuids);
		dmb_part_table_destroy(s->devs[i].parts);
		dmb_posix_close(s->devs[i].bd);
		free(s->devs[i].path);
	}
	free(s->devs);
	dmb_posix_crypto_fini(&s->pc);
}

const struct boot_image *boot_find(const struct boot_scan *s, const char *image)
{
	for (size_t i = 0; i < s->nimgs; i++) {
		const struct boot_image *im = &s->imgs[i];

		if (strcmp(im->where, image) == 0 || strcmp(im->name, image) == 0)
			return im;
	}
	return NULL;
}
