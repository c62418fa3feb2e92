// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Dissection of a Discoverable Disk Image (<dmboot/ddi.h>; docs/formats.md
 * §6): the partitions by type (ddi_types.c), systemd's choice among several
 * candidates and tiers of architectures (newest by ddi_version.c), the
 * generic root, and verity pairing by partition UUID, the root hash taken
 * from the signature partition (ddi_sig.c) or from the caller.  The tables
 * and the kernel command line are ddi_handoff.c's.
 */
#include "ddi_internal.h"

/* ---- dissection ------------------------------------------------------- */

void dmb_ddi_destroy(struct dmb_ddi *ddi)
{
	if (!ddi)
		return;
	for (int v = 0; v < 2; v++) {
		if (ddi->verity[v].signature)
			dmbi_wipe(ddi->verity[v].signature, ddi->verity[v].signature_size);
		dmb_port_free(ddi->verity[v].signature);
	}
	dmb_port_free(ddi->parts);
	dmb_part_table_destroy(ddi->table);
	dmb_port_free(ddi);
}

/*
 * The architecture's rank, as systemd's compare_arch() orders them: 2 the
 * native one, 1 its secondary one, 0 any other (still usable: systemd-dissect
 * takes a foreign root when there is nothing better).
 */
static int arch_rank(const struct dmb_ddi_options *o, enum dmb_ddi_arch a)
{
	if (a == DMB_ARCH_UNKNOWN)
		return 0;
	if (a == o->arch)
		return 2;
	return a == dmb_ddi_arch_secondary(o->arch) ? 1 : 0;
}

static bool versioned(enum dmb_ddi_designator d)
{
	return d == DMB_DDI_ROOT || d == DMB_DDI_USR || d == DMB_DDI_ROOT_VERITY ||
	       d == DMB_DDI_USR_VERITY || d == DMB_DDI_ROOT_VERITY_SIG || d == DMB_DDI_USR_VERITY_SIG;
}

/* Is a better candidate than b for the same designator? */
static bool better(const struct dmb_ddi_options *o, const struct dmb_ddi_partition *a,
		   const struct dmb_ddi_partition *b)
{
	int ra = arch_rank(o, a->arch), rb = arch_rank(o, b->arch);

	if (ra != rb)
		return ra > rb;
	return versioned(a->designator) && dmbi_ddi_version_cmp(a->part->name, b->part->name) > 0;
}

/* Root, usr and their verity partitions come in tiers: 0 native, 1 secondary, 2 other. */
#define ANY_TIER (-1)

static int tier(const struct dmb_ddi_options *o, enum dmb_ddi_arch a)
{
	return 2 - arch_rank(o, a);
}

/*
 * Choose for designator d among the usable partitions of the tier (or of
 * any), those whose UUID is want_uuid when it is given.
 */
static const struct dmb_ddi_partition *choose(const struct dmb_ddi *ddi,
					      const struct dmb_ddi_options *o,
					      enum dmb_ddi_designator d, int in_tier,
					      const uint8_t *want_uuid)
{
	const struct dmb_ddi_partition *best = NULL;

	for (size_t i = 0; i < ddi->count; i++) {
		const struct dmb_ddi_partition *p = &ddi->parts[i];

		if (p->designator != d || p->no_auto)
			continue;
		if (in_tier != ANY_TIER && tier(o, p->arch) != in_tier)
			continue;
		if (want_uuid && memcmp(p->part->uuid, want_uuid, 16) != 0)
			continue;
		if (!best || better(o, p, best))
			best = p;
	}
	return best;
}

/*
 * A root hash names the data and -verity partitions by its first and last
 * 16 bytes; the specification rules out an all-zero UUID there (systemd
 * refuses such a root hash with EINVAL).
 */

static const enum dmb_ddi_designator data_d[2] = { DMB_DDI_ROOT, DMB_DDI_USR };
static const enum dmb_ddi_designator hash_d[2] = { DMB_DDI_ROOT_VERITY, DMB_DDI_USR_VERITY };
static const enum dmb_ddi_designator sig_d[2] = { DMB_DDI_ROOT_VERITY_SIG, DMB_DDI_USR_VERITY_SIG };

/* A root hash the caller gave for root or usr (v = 0, 1) must be able to name partitions. */
static int check_given(struct dmb_ctx *ctx, const struct dmb_ddi_options *o, int v)
{
	size_t n = o->root_hash_size[v];

	if (n == 0)
		return 0;
	if (n < 16 || n > DMB_MAX_DIGEST_SIZE)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "%s: root hash of %zu bytes",
					 dmb_ddi_designator_name(data_d[v]), n);
	if (dmbi_ddi_zero_uuid_in(o->root_hash[v], n))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "%s: the root hash gives an all-zero partition UUID",
					 dmb_ddi_designator_name(data_d[v]));
	return 0;
}

/*
 * The tier root or usr (v = 0, 1) is taken from, as systemd takes it: the
 * first of the tiers tried with a data partition.  A -verity or -verity-sig
 * partition in a native or secondary tier tried before it, without a data
 * partition there, makes the image inconsistent; in the other tier it is
 * ignored.  *out is ANY_TIER when no tier has a data partition.
 * Given a root hash, systemd passes over the partitions it does not name:
 * so the first tier with the data partition it names wins.  When no tier
 * has one, the tier is chosen as without it, and pairing then refuses the
 * root hash as naming no partition.
 */
static int pick_tier(struct dmb_ctx *ctx, const struct dmb_ddi *ddi,
		     const struct dmb_ddi_options *o, int v, const int *tiers, size_t n, int *out)
{
	const uint8_t *given = o->root_hash_size[v] && check_given(NULL, o, v) == 0 ?
			       o->root_hash[v] : NULL;

	*out = ANY_TIER;
	for (size_t i = 0; given && i < n; i++) {
		if (choose(ddi, o, data_d[v], tiers[i], given)) {
			*out = tiers[i];
			return 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct dmb_ddi_partition *orphan;

		if (choose(ddi, o, data_d[v], tiers[i], NULL)) {
			*out = tiers[i];
			return 0;
		}
		if (tiers[i] == 2)
			continue;
		orphan = choose(ddi, o, hash_d[v], tiers[i], NULL);
		if (!orphan && !(o->flags & DMB_DDI_IGNORE_SIGNATURE))
			orphan = choose(ddi, o, sig_d[v], tiers[i], NULL);
		if (orphan)
			return dmb_ctx_set_error(ctx, DMB_EINVAL, "%s partition %u without a %s partition",
						 dmbi_ddi_pname(orphan), orphan->part->number,
						 dmb_ddi_designator_name(data_d[v]));
	}
	return 0;
}

/*
 * Root or usr (v = 0, 1) from tier t: the signature, the root hash, the
 * pairing by UUID, and the choice of data and hash partitions that follows
 * from it.
 */
static int setup_verity(struct dmb_ctx *ctx, struct dmb_bdev *disk, struct dmb_ddi *ddi,
			const struct dmb_ddi_options *o, int v, int t)
{
	struct dmb_ddi_verity *vy = &ddi->verity[v];
	const struct dmb_ddi_partition *any_hash;
	const uint8_t *want_data = NULL, *want_hash = NULL;
	int r;

	/*
	 * Without a data partition there is nothing to pair, but a root hash
	 * given for it still has to find one.
	 */
	if (t == ANY_TIER) {
		r = check_given(ctx, o, v);
		if (!r && o->root_hash_size[v])
			r = dmb_ctx_set_error(ctx, DMB_EVERIFY,
				       "%s: no %s partition has the UUID the root hash gives",
				       dmb_ddi_designator_name(data_d[v]), dmb_ddi_designator_name(data_d[v]));
		return r;
	}
	vy->sig = (o->flags & DMB_DDI_IGNORE_SIGNATURE) ? NULL : choose(ddi, o, sig_d[v], t, NULL);
	/*
	 * An inconsistent image is refused as that (DMB_EINVAL) before any
	 * root hash picks partitions by UUID, which would make the same image
	 * a verification failure once its signature is read.
	 */
	any_hash = choose(ddi, o, hash_d[v], t, NULL);
	if (vy->sig && !any_hash)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "%s partition %u without a %s partition",
				  dmbi_ddi_pname(vy->sig), vy->sig->part->number, dmb_ddi_designator_name(hash_d[v]));
	if (vy->sig) {
		struct dmb_ctx sctx = *ctx;

		sctx.err = 0;
		sctx.msg[0] = '\0';
		r = dmbi_ddi_load_signature(&sctx, disk, ddi, vy, any_hash, o->root_hash[v],
					    o->root_hash_size[v]);
		if (r == DMB_ENOMEM || (r && !(o->flags & DMB_DDI_KEEP_GOING)))
			return dmb_ctx_set_error(ctx, r, "%s", sctx.msg);
		if (r) {
			vy->sig_err = r;
			memcpy(vy->sig_msg, sctx.msg, sizeof(vy->sig_msg));
			if (!vy->signature || vy->root_hash_size == 0)
				vy->root_hash_size = 0;
			vy->state = vy->root_hash_size ? DMB_DDI_VERITY_UNVERIFIED :
							 DMB_DDI_VERITY_NONE;
		} else {
			vy->state = DMB_DDI_VERITY_SIGNED;
		}
	} else if (o->root_hash_size[v]) {
		r = check_given(ctx, o, v);
		if (r)
			return r;
		memcpy(vy->root_hash, o->root_hash[v], o->root_hash_size[v]);
		vy->root_hash_size = o->root_hash_size[v];
		vy->state = DMB_DDI_VERITY_EXTERNAL;
	}
	if (vy->root_hash_size) {
		want_data = vy->root_hash;
		want_hash = vy->root_hash + vy->root_hash_size - 16;
	}
	vy->data = choose(ddi, o, data_d[v], t, want_data);
	vy->hash = choose(ddi, o, hash_d[v], t, want_hash);
	if (vy->root_hash_size && (!vy->data || !vy->hash)) {
		return dmb_ctx_set_error(ctx, DMB_EVERIFY,
					 "%s: no %s partition has the UUID the root hash gives",
					 dmb_ddi_designator_name(data_d[v]),
				  !vy->data ? dmb_ddi_designator_name(data_d[v]) : dmb_ddi_designator_name(hash_d[v]));
	}
	if (vy->hash && vy->state == DMB_DDI_VERITY_NONE)
		vy->state = DMB_DDI_VERITY_AVAILABLE;
	if ((o->flags & DMB_DDI_REQUIRE_SIGNATURE) && vy->data && vy->state != DMB_DDI_VERITY_SIGNED)
		return dmb_ctx_set_error(ctx, DMB_ENOKEY, "%s partition %u: no verity signature, and one is required",
				  dmb_ddi_designator_name(data_d[v]), vy->data->part->number);
	ddi->chosen[data_d[v]] = vy->data;
	ddi->chosen[hash_d[v]] = vy->hash;
	ddi->chosen[sig_d[v]] = vy->sig;
	return 0;
}

/*
 * With neither a root nor a usr partition, systemd takes the one generic
 * Linux data partition that is not no-auto (on MBR the one bootable 0x83
 * partition) as root: of no architecture, without verity.  Two of them
 * are ambiguous.  The partition becomes a root partition here.
 */
static int generic_root(struct dmb_ctx *ctx, struct dmb_ddi *ddi, const struct dmb_ddi_options *o)
{
	struct dmb_ddi_partition *found = NULL;

	if (ddi->chosen[DMB_DDI_ROOT] || ddi->chosen[DMB_DDI_USR])
		return 0;
	for (size_t i = 0; i < ddi->count; i++) {
		struct dmb_ddi_partition *p = &ddi->parts[i];

		if (p->designator != DMB_DDI_LINUX_GENERIC || p->no_auto)
			continue;
		if (found)
			return dmb_ctx_set_error(ctx, DMB_EINVAL,
					  "no root partition, and more than one generic Linux partition (%u and %u) to use as root",
					  found->part->number, p->part->number);
		found = p;
	}
	if (!found)
		return 0;
	if (o->flags & DMB_DDI_REQUIRE_SIGNATURE)
		return dmb_ctx_set_error(ctx, DMB_ENOKEY,
				  "root partition %u: no verity signature, and one is required",
				  found->part->number);
	found->designator = DMB_DDI_ROOT;
	ddi->chosen[DMB_DDI_ROOT] = found;
	ddi->verity[0].data = found;
	return 0;
}

int dmb_ddi_dissect(struct dmb_ctx *ctx, struct dmb_bdev *disk, const struct dmb_ddi_options *o,
		    struct dmb_ddi **out)
{
	struct dmb_ddi *ddi;
	int r;

	*out = NULL;
	ddi = dmbi_calloc(1, sizeof(*ddi));
	if (!ddi)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory dissecting an image");
	r = dmb_part_table_load(ctx, disk, 0, &ddi->table);
	if (r)
		goto fail;
	ddi->parts = dmbi_calloc(ddi->table->count ? ddi->table->count : 1, sizeof(*ddi->parts));
	if (!ddi->parts) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory dissecting an image");
		goto fail;
	}
	for (size_t i = 0; i < ddi->table->count; i++) {
		const struct dmb_part *p = &ddi->table->parts[i];
		struct dmb_ddi_partition *dp = &ddi->parts[ddi->count];
		struct dmb_slice_bdev sb;

		if (p->no_device)
			continue;
		if (ddi->table->label == DMB_PART_MBR) {
			if (dmbi_ddi_mbr_classify(p, &dp->designator) != 0)
				continue;
			dp->arch = DMB_ARCH_UNKNOWN;
		} else {
			if (dmb_ddi_classify(p->type_guid, &dp->designator, &dp->arch) != 0)
				continue;
			dp->no_auto = (p->attrs & DMB_GPT_FLAG_NO_AUTO) != 0;
			dp->read_only = (p->attrs & DMB_GPT_FLAG_READ_ONLY) != 0;
			dp->growfs = (p->attrs & DMB_GPT_FLAG_GROWFS) != 0;
		}
		dp->part = p;
		/* The spec's flags mean nothing on an ESP; bit 1 there makes it ignored. */
		if (dp->designator == DMB_DDI_ESP) {
			dp->no_auto = (p->attrs & DMB_GPT_FLAG_NO_BLOCK_IO) != 0;
			dp->read_only = dp->growfs = false;
		}
		if (dmb_part_slice(NULL, disk, ddi->table, p, &sb) == 0)
			dmbi_ddi_probe_fstype(&sb.bdev, dp->designator, dp->fstype, sizeof(dp->fstype));
		ddi->count++;
	}
	/*
	 * Tiers as systemd promotes them: root from the best tier that has one;
	 * usr from root's tier (from the other tier, then the secondary one),
	 * or without a root from the best tier that has one.
	 */
	{
		static const int all[] = { 0, 1, 2 }, other_then_secondary[] = { 2, 1 };
		int troot, tusr;

		r = pick_tier(ctx, ddi, o, 0, all, 3, &troot);
		if (!r && troot == ANY_TIER)
			r = pick_tier(ctx, ddi, o, 1, all, 3, &tusr);
		else if (!r && troot == 2)
			r = pick_tier(ctx, ddi, o, 1, other_then_secondary, 2, &tusr);
		else if (!r)
			r = pick_tier(ctx, ddi, o, 1, &troot, 1, &tusr);
		if (!r)
			r = setup_verity(ctx, disk, ddi, o, 0, troot);
		if (!r)
			r = setup_verity(ctx, disk, ddi, o, 1, tusr);
		if (r)
			goto fail;
	}
	if (ddi->chosen[DMB_DDI_ROOT] && ddi->chosen[DMB_DDI_USR] &&
	    ddi->chosen[DMB_DDI_ROOT]->arch != ddi->chosen[DMB_DDI_USR]->arch) {
		r = dmb_ctx_set_error(ctx, DMB_EINVAL, "root and usr partitions of different architectures");
		goto fail;
	}
	/*
	 * As systemd: one verity partition per image, and a verity root
	 * cannot come with a separate usr (a verity-less root with a verity
	 * usr is fine).
	 */
	if (ddi->chosen[DMB_DDI_ROOT_VERITY] && ddi->chosen[DMB_DDI_USR_VERITY]) {
		r = dmb_ctx_set_error(ctx, DMB_EINVAL, "both root and usr have verity partitions");
		goto fail;
	}
	if (ddi->chosen[DMB_DDI_ROOT_VERITY] && ddi->chosen[DMB_DDI_USR]) {
		r = dmb_ctx_set_error(ctx, DMB_EINVAL, "a verity root with a separate usr partition");
		goto fail;
	}
	r = generic_root(ctx, ddi, o);
	if (r)
		goto fail;
	/* A generic Linux partition is root or nothing. */
	for (int d = 0; d < DMB_DDI_DESIGNATOR_COUNT; d++)
		if (!ddi->chosen[d] && d != DMB_DDI_ROOT && d != DMB_DDI_USR &&
		    d != DMB_DDI_ROOT_VERITY && d != DMB_DDI_USR_VERITY &&
		    d != DMB_DDI_ROOT_VERITY_SIG && d != DMB_DDI_USR_VERITY_SIG &&
		    d != DMB_DDI_LINUX_GENERIC)
			ddi->chosen[d] = choose(ddi, o, (enum dmb_ddi_designator)d, ANY_TIER, NULL);
	*out = ddi;
	return 0;
fail:
	dmb_ddi_destroy(ddi);
	return r;
}
