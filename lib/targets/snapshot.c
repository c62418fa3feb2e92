// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The snapshot-origin and snapshot targets (Linux dm-snap, with the
 * persistent exception store of dm-snap-persistent), read-only.  A snapshot
 * reads chunk c of its origin from the COW device when the COW's exception
 * store maps c, else from the origin.  The store (docs/lvm.md, "The COW
 * store"): chunk 0 is the header (le32 magic 0x70416e53, valid,
 * version 1, chunk size in sectors); then come metadata areas, each one
 * chunk of {le64 old_chunk, le64 new_chunk} records followed by the
 * chunk_size * 512 / 16 data chunks it describes; the first record whose
 * new_chunk is 0 ends the store.  Writing either target would need copy-out
 * (an origin write first copies the old chunk into every snapshot), which
 * dmboot does not do: both refuse writes by name.
 */
#include "targets.h"

#define SNAP_MAGIC 0x70416e53u
#define SNAP_VERSION 1u
/* Linux's default chunk size (16 KiB) when the table gives 0. */
#define SNAP_DEFAULT_CHUNK 32u
/* Linux's bound on a chunk size: INT_MAX >> SECTOR_SHIFT. */
#define SNAP_MAX_CHUNK_SECTORS (0x7fffffffu >> DMB_SECTOR_SHIFT)
/* Exceptions kept in memory (16 bytes each, 64 MiB at most): DMB_ERANGE beyond. */
#define SNAP_MAX_EXCEPTIONS (1u << 22)
/* A metadata area is read in pieces of this many sectors. */
#define SNAP_READ_SECTORS 64u
#define SECTOR_BYTES (1u << DMB_SECTOR_SHIFT)

struct exception {
	uint64_t old_chunk, new_chunk;
};

struct snapshot {
	const struct dmbi_lower *origin, *cow;
	uint32_t chunk_sectors;
	unsigned chunk_shift;
	uint64_t cow_chunks;       /* whole chunks on the COW device */
	uint64_t origin_chunks;    /* chunks the target covers */
	uint32_t epa;              /* exceptions per metadata area: 2^26 at most */
	uint64_t next_free;        /* Linux's next_free: first chunk not yet used */
	uint64_t current_area;     /* the last (partly filled) metadata area */
	size_t count, cap;
	struct exception *ex;      /* sorted by old_chunk */
};

struct origin {
	const struct dmbi_lower *dev;
};

#define WRITE_REFUSED \
	"%s target at sector %llu refuses writes: writing needs copy-out to the snapshot's COW store, and dmboot maps snapshots read-only"

/*
 * Construct a snapshot origin:
 *   <origin_dev>
 * Reads pass through to origin_dev at the same sector.
 */
static int origin_ctr(struct dmbi_target *ti, unsigned argc, char **argv)
{
	struct origin *o;

	if (argc != 1) {
		ti->error = "origin: incorrect number of arguments";
		return DMB_EINVAL;
	}
	o = dmbi_calloc(1, sizeof(*o));
	if (!o) {
		ti->error = "Cannot allocate private origin structure";
		return DMB_ENOMEM;
	}
	ti->priv = o;
	return dmbi_target_get_device(ti, argv[0], ti->begin_sectors, ti->len_sectors, &o->dev);
}

static void origin_dtr(struct dmbi_target *ti)
{
	dmb_port_free(ti->priv);
}

static int origin_read(struct dmbi_target *ti, uint64_t sector, size_t count, void *buf)
{
	struct origin *o = ti->priv;

	return dmbi_bdev_read_sectors(ti->ctx, o->dev->bdev, ti->begin_sectors + sector, count, buf);
}

static int origin_write(struct dmbi_target *ti, uint64_t sector, size_t count, const void *buf)
{
	(void)sector;
	(void)count;
	(void)buf;
	return dmb_ctx_set_error(ti->ctx, DMB_EACCES, WRITE_REFUSED, ti->type->name,
				 (unsigned long long)ti->begin_sectors);
}

static void origin_status(struct dmbi_target *ti, enum dmbi_status_type type, unsigned flags,
			  struct dmbi_strbuf *out)
{
	struct origin *o = ti->priv;

	(void)flags;
	if (type == DMBI_STATUS_TABLE)
		dmbi_strbuf_put_arg(out, o->dev->name);
}

const struct dmbi_target_type dmbi_snapshot_origin_target = {
	.name = "snapshot-origin",
	.version = { 1, 9, 0 },
	.ctr = origin_ctr,
	.dtr = origin_dtr,
	.read = origin_read,
	.write = origin_write,
	.status = origin_status,
};

/* --- The persistent exception store ---------------------------------------- */

static int store_error(struct dmbi_target *ti, int code, const char *what, uint64_t a, uint64_t b)
{
	return dmb_ctx_set_error(ti->ctx, code, "line %u: snapshot: COW device %s: %s (%llu, %llu)",
				 ti->line, ((struct snapshot *)ti->priv)->cow->name, what,
				 (unsigned long long)a, (unsigned long long)b);
}

static bool ex_before(const void *a, const void *b)
{
	return ((const struct exception *)a)->old_chunk < ((const struct exception *)b)->old_chunk;
}

/* The chunk of metadata area a: the header, then areas every epa + 1 chunks. */
static uint64_t area_chunk(const struct snapshot *s, uint64_t a)
{
	return 1 + a * (s->epa + 1);
}

static int add_exception(struct dmbi_target *ti, uint64_t old_chunk, uint64_t new_chunk)
{
	struct snapshot *s = ti->priv;

	if (new_chunk >= s->cow_chunks)
		return store_error(ti, DMB_ECORRUPT,
				   "exception maps a chunk beyond the end of the device (new chunk, chunks)",
				   new_chunk, s->cow_chunks);
	if (dmbi_umod64(new_chunk - 1, s->epa + 1) == 0)
		return store_error(ti, DMB_ECORRUPT,
				   "exception maps onto a metadata area (old chunk, new chunk)", old_chunk,
				   new_chunk);
	if (old_chunk >= s->origin_chunks)
		return store_error(ti, DMB_ECORRUPT,
				   "exception for a chunk beyond the origin (old chunk, chunks)", old_chunk,
				   s->origin_chunks);
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct exception *n;

		if (s->count >= SNAP_MAX_EXCEPTIONS)
			return store_error(ti, DMB_ERANGE, "more exceptions than dmboot keeps (count, cap)",
					   s->count + 1, SNAP_MAX_EXCEPTIONS);
		n = dmbi_calloc(cap, sizeof(*n));
		if (!n)
			return dmb_ctx_set_error(ti->ctx, DMB_ENOMEM,
						 "line %u: snapshot: out of memory for %zu exceptions",
						 ti->line, cap);
		if (s->count)
			memcpy(n, s->ex, s->count * sizeof(*n));
		dmb_port_free(s->ex);
		s->ex = n;
		s->cap = cap;
	}
	s->ex[s->count].old_chunk = old_chunk;
	s->ex[s->count++].new_chunk = new_chunk;
	if (s->next_free <= new_chunk)
		s->next_free = new_chunk + 1;
	return 0;
}

/* Read metadata area a; *full when no record in it ends the store. */
static int read_area(struct dmbi_target *ti, uint64_t a, uint8_t *buf, bool *full)
{
	struct snapshot *s = ti->priv;
	uint64_t at = area_chunk(s, a) << s->chunk_shift;

	*full = true;
	for (uint64_t done = 0; done < s->chunk_sectors; done += SNAP_READ_SECTORS) {
		size_t n = (size_t)DMBI_MIN((uint64_t)SNAP_READ_SECTORS, s->chunk_sectors - done);
		int r = dmbi_bdev_read_sectors(ti->ctx, s->cow->bdev, at + done, n, buf);

		if (r)
			return dmb_ctx_wrap_error(ti->ctx, r, NULL, "line %u: snapshot: COW device %s: metadata area %llu: ",
						  ti->line, s->cow->name, (unsigned long long)a);
		for (size_t i = 0; i < n * SECTOR_BYTES / 16; i++) {
			uint64_t new_chunk = dmbi_get_le64(buf + 16 * i + 8);

			if (new_chunk == 0) {
				*full = false;
				return 0;
			}
			r = add_exception(ti, dmbi_get_le64(buf + 16 * i), new_chunk);
			if (r)
				return r;
		}
	}
	return 0;
}

/* Check the on-disk chunk size as Linux's dm_exception_store_set_chunk_size() does. */
static const char *chunk_size_error(uint64_t chunk, unsigned block_shift)
{
	if (chunk == 0 || !dmbi_is_pow2(chunk))
		return "Chunk size is not a power of 2";
	if (chunk > SNAP_MAX_CHUNK_SECTORS)
		return "Chunk size is too high";
	if ((chunk << DMB_SECTOR_SHIFT) < (1ull << block_shift))
		return "Chunk size is not a multiple of device blocksize";
	return NULL;
}

/* Read the header and every metadata area of the COW device. */
static int read_store(struct dmbi_target *ti)
{
	struct snapshot *s = ti->priv;
	uint8_t *buf = dmb_port_malloc(SNAP_READ_SECTORS * SECTOR_BYTES);
	uint32_t magic, valid, version, chunk;
	uint64_t areas;
	const char *bad;
	bool full = true;
	int r;

	if (!buf)
		return dmb_ctx_set_error(ti->ctx, DMB_ENOMEM, "line %u: snapshot: out of memory",
					 ti->line);
	r = dmbi_bdev_read_sectors(ti->ctx, s->cow->bdev, 0, 1, buf);
	if (r) {
		r = dmb_ctx_wrap_error(ti->ctx, r, NULL, "line %u: snapshot: COW device %s: header: ",
				       ti->line, s->cow->name);
		goto out;
	}
	magic = dmbi_get_le32(buf);
	valid = dmbi_get_le32(buf + 4);
	version = dmbi_get_le32(buf + 8);
	chunk = dmbi_get_le32(buf + 12);
	if (magic != 0) {
		if (magic != SNAP_MAGIC) {
			r = store_error(ti, DMB_ECORRUPT, "Invalid or corrupt snapshot: bad magic (magic, expected)",
					magic, SNAP_MAGIC);
			goto out;
		}
		if (version != SNAP_VERSION) {
			r = store_error(ti, DMB_ENOTSUP, "unable to handle snapshot disk version (version, supported)",
					version, SNAP_VERSION);
			goto out;
		}
		bad = chunk_size_error(chunk, s->cow->bdev->block_shift > s->origin->bdev->block_shift
						     ? s->cow->bdev->block_shift
						     : s->origin->bdev->block_shift);
		if (bad) {
			r = dmb_ctx_set_error(ti->ctx, DMB_ECORRUPT,
					      "line %u: snapshot: COW device %s: invalid on-disk chunk size %u: %s",
					      ti->line, s->cow->name, (unsigned)chunk, bad);
			goto out;
		}
		if (!valid) {
			r = dmb_ctx_set_error(ti->ctx, DMB_EIO,
					      "line %u: snapshot: COW device %s: the snapshot is invalid (it overflowed or failed; Linux fails every read of it)",
					      ti->line, s->cow->name);
			goto out;
		}
		/* As Linux: the chunk size on disk overrides the table's. */
		s->chunk_sectors = chunk;
	}
	s->chunk_shift = dmbi_ilog2(s->chunk_sectors);
	s->epa = s->chunk_sectors << (DMB_SECTOR_SHIFT - 4); /* 16 bytes each */
	s->cow_chunks = dmb_bdev_sectors(s->cow->bdev) >> s->chunk_shift;
	s->origin_chunks = (ti->len_sectors + s->chunk_sectors - 1) >> s->chunk_shift;
	s->next_free = 2; /* past the header and the first area */
	s->current_area = 0;
	/* A new store (magic 0) has no exceptions: Linux would write its header now. */
	if (magic == 0) {
		if (s->cow_chunks < 2)
			r = store_error(ti, DMB_ERANGE, "too small for a header and one metadata area (chunks, needed)",
					s->cow_chunks, 2);
		goto out;
	}
	areas = s->cow_chunks < 2 ? 0 : dmbi_udiv64(s->cow_chunks - 2, s->epa + 1, NULL) + 1;
	for (uint64_t a = 0; full; a++) {
		if (a >= areas) {
			r = store_error(ti, DMB_ECORRUPT,
					"truncated: metadata area lies beyond the end of the device (area, chunks)",
					a, s->cow_chunks);
			goto out;
		}
		r = read_area(ti, a, buf, &full);
		if (r)
			goto out;
		s->current_area = a;
	}
	/* As Linux's skip_metadata(): next_free never names a metadata area. */
	if (dmbi_umod64(s->next_free, s->epa + 1) == 1)
		s->next_free++;
	dmbi_heapsort(s->ex, s->count, sizeof(*s->ex), ex_before);
	for (size_t i = 1; i < s->count; i++)
		if (s->ex[i].old_chunk == s->ex[i - 1].old_chunk) {
			r = store_error(ti, DMB_ECORRUPT,
					"two exceptions for one chunk (old chunk, larger new chunk)",
					s->ex[i].old_chunk,
					s->ex[i].new_chunk > s->ex[i - 1].new_chunk ? s->ex[i].new_chunk
									  : s->ex[i - 1].new_chunk);
			goto out;
		}
out:
	dmb_port_free(buf);
	return r;
}

/*
 * Construct a snapshot:
 *   <origin_dev> <cow_dev> <P|N|PO> <chunk_size>
 * Only the persistent store P (any case): N (transient) and PO (persistent
 * with overflow reporting) are refused.  chunk_size in sectors, a power of
 * two (0: Linux's default of 32); the store's header overrides it.  The
 * origin covers the target's sectors; the COW device's metadata is read
 * once, here.
 */
static int snapshot_ctr(struct dmbi_target *ti, unsigned argc, char **argv)
{
	struct snapshot *s;
	uint32_t chunk;
	const char *bad;
	int r;

	if (argc < 4) {
		ti->error = "requires 4 or more arguments";
		return DMB_EINVAL;
	}
	if (argc > 4) {
		ti->error = "feature arguments (discard_zeroes_cow, discard_passdown_origin) are not supported";
		return DMB_ENOTSUP;
	}
	if (dmbi_strcasecmp(argv[2], "N") == 0) {
		ti->error = "transient exception store N is not supported: dmboot maps persistent (P) snapshots only";
		return DMB_ENOTSUP;
	}
	if (dmbi_strcasecmp(argv[2], "PO") == 0) {
		ti->error = "exception store PO (overflow reporting) is not supported: dmboot maps persistent (P) snapshots only";
		return DMB_ENOTSUP;
	}
	if (dmbi_strcasecmp(argv[2], "P") != 0) {
		ti->error = "Exception store type not recognised";
		return DMB_EINVAL;
	}
	if (dmbi_parse_u32(argv[3], 10, &chunk)) {
		ti->error = "Invalid chunk size";
		return DMB_EINVAL;
	}
	if (chunk == 0)
		chunk = SNAP_DEFAULT_CHUNK;
	bad = chunk_size_error(chunk, DMB_SECTOR_SHIFT);
	if (bad) {
		ti->error = bad;
		return DMB_EINVAL;
	}
	s = dmbi_calloc(1, sizeof(*s));
	if (!s) {
		ti->error = "Cannot allocate private snapshot structure";
		return DMB_ENOMEM;
	}
	ti->priv = s;
	s->chunk_sectors = chunk;
	r = dmbi_target_get_device(ti, argv[0], ti->begin_sectors, ti->len_sectors, &s->origin);
	if (!r)
		r = dmbi_target_get_device(ti, argv[1], 0, 0, &s->cow);
	if (r)
		return r;
	if ((chunk << DMB_SECTOR_SHIFT) < (1u << s->cow->bdev->block_shift) ||
	    (chunk << DMB_SECTOR_SHIFT) < (1u << s->origin->bdev->block_shift)) {
		ti->error = "Chunk size is not a multiple of device blocksize";
		return DMB_EINVAL;
	}
	return read_store(ti);
}

static void snapshot_dtr(struct dmbi_target *ti)
{
	struct snapshot *s = ti->priv;

	if (s)
		dmb_port_free(s->ex);
	dmb_port_free(s);
}

/* The first exception whose old_chunk is chunk or above, or NULL. */
static const struct exception *lower_bound(const struct snapshot *s, uint64_t chunk)
{
	size_t lo = 0, hi = s->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ex[mid].old_chunk < chunk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->count ? &s->ex[lo] : NULL;
}

/*
 * A chunk with an exception comes from the COW device (add_exception()
 * checked new_chunk against its size), one chunk at a time; a run of chunks
 * without one comes from the origin in one read, at the same device sector,
 * as Linux remaps it.
 */
static int snapshot_read(struct dmbi_target *ti, uint64_t sector, size_t count, void *buf)
{
	struct snapshot *s = ti->priv;
	uint8_t *p = buf;

	while (count) {
		uint64_t chunk = sector >> s->chunk_shift, in = sector & (s->chunk_sectors - 1);
		const struct exception *e = lower_bound(s, chunk);
		size_t n;
		int r;

		if (e && e->old_chunk == chunk) {
			n = (size_t)DMBI_MIN((uint64_t)count, s->chunk_sectors - in);
			r = dmbi_bdev_read_sectors(ti->ctx, s->cow->bdev,
						   (e->new_chunk << s->chunk_shift) + in, n, p);
		} else {
			/* Up to the next exception's chunk (old_chunk < origin_chunks: no overflow). */
			n = e ? (size_t)DMBI_MIN((uint64_t)count, (e->old_chunk << s->chunk_shift) - sector)
			      : count;
			r = dmbi_bdev_read_sectors(ti->ctx, s->origin->bdev, ti->begin_sectors + sector,
						   n, p);
		}
		if (r)
			return r;
		p += n << DMB_SECTOR_SHIFT;
		sector += n;
		count -= n;
	}
	return 0;
}

static int snapshot_write(struct dmbi_target *ti, uint64_t sector, size_t count, const void *buf)
{
	(void)sector;
	(void)count;
	(void)buf;
	return dmb_ctx_set_error(ti->ctx, DMB_EACCES, WRITE_REFUSED, ti->type->name,
				 (unsigned long long)ti->begin_sectors);
}

/*
 * As Linux prints it: INFO "<sectors_allocated>/<total_sectors>
 * <metadata_sectors>" (allocated: next_free chunks; total: the COW device;
 * metadata: the header and the areas up to the current one), TABLE
 * "<origin> <cow> P <chunk_size>".
 */
static void snapshot_status(struct dmbi_target *ti, enum dmbi_status_type type, unsigned flags,
			    struct dmbi_strbuf *out)
{
	struct snapshot *s = ti->priv;

	(void)flags;
	if (type == DMBI_STATUS_INFO) {
		dmbi_strbuf_printf(out, "%llu/%llu %llu",
				   (unsigned long long)(s->next_free << s->chunk_shift),
				   (unsigned long long)dmb_bdev_sectors(s->cow->bdev),
				   (unsigned long long)((s->current_area + 2) << s->chunk_shift));
		return;
	}
	dmbi_strbuf_put_arg(out, s->origin->name);
	dmbi_strbuf_putc(out, ' ');
	dmbi_strbuf_put_arg(out, s->cow->name);
	dmbi_strbuf_printf(out, " P %u", (unsigned)s->chunk_sectors);
}

const struct dmbi_target_type dmbi_snapshot_target = {
	.name = "snapshot",
	.version = { 1, 16, 0 },
	.ctr = snapshot_ctr,
	.dtr = snapshot_dtr,
	.read = snapshot_read,
	.write = snapshot_write,
	.status = snapshot_status,
};
