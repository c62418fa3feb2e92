// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The striped target (formats.md §1.3, Linux dm-stripe): chunk c of the
 * target lives on stripe c % n, as chunk c / n of that stripe.  Stripe counts
 * and chunk sizes need not be powers of two, as in Linux; chunk sizes that
 * are use shifts, the others dmbi_udiv64().
 */
#include "targets.h"

struct stripe {
	const struct dmbi_lower *dev;
	uint64_t start;
	uint64_t errors; /* I/O errors seen: status shows 'D' once non-zero */
};

struct striped {
	uint32_t stripes;
	uint32_t chunk_sectors;
	int chunk_shift; /* log2(chunk_sectors), or -1 when not a power of two */
	struct stripe stripe[];
};

/*
 * Construct a striped mapping:
 *   <num_stripes> <chunk_size> <dev_1> <offset_1> ... <dev_n> <offset_n>
 * num_stripes >= 1 and chunk_size >= 1 sectors; the target length must be a
 * multiple of num_stripes, and each stripe's share a multiple of chunk_size.
 */
static int striped_ctr(struct dmbi_target *ti, unsigned argc, char **argv)
{
	uint32_t stripes, chunk, rem;
	uint64_t width;
	struct striped *sc;

	if (argc < 2) {
		ti->error = "Not enough arguments";
		return DMB_EINVAL;
	}
	if (dmbi_parse_u32(argv[0], 10, &stripes) || stripes == 0) {
		ti->error = "Invalid stripe count";
		return DMB_EINVAL;
	}
	if (dmbi_parse_u32(argv[1], 10, &chunk) || chunk == 0) {
		ti->error = "Invalid chunk_size";
		return DMB_EINVAL;
	}
	width = dmbi_udiv64(ti->len_sectors, stripes, &rem);
	if (rem) {
		ti->error = "Target length not divisible by number of stripes";
		return DMB_EINVAL;
	}
	if (dmbi_umod64(width, chunk)) {
		ti->error = "Target length not divisible by chunk size";
		return DMB_EINVAL;
	}
	if ((uint64_t)argc != 2 + 2 * (uint64_t)stripes) {
		ti->error = "Not enough destinations specified";
		return DMB_EINVAL;
	}
	/* argc bounds stripes, so this size cannot overflow. */
	sc = dmbi_calloc(1, sizeof(*sc) + stripes * sizeof(sc->stripe[0]));
	if (!sc) {
		ti->error = "Memory allocation for striped context failed";
		return DMB_ENOMEM;
	}
	ti->priv = sc;
	sc->stripes = stripes;
	sc->chunk_sectors = chunk;
	sc->chunk_shift = dmbi_is_pow2(chunk) ? (int)dmbi_ilog2(chunk) : -1;
	for (uint32_t i = 0; i < stripes; i++) {
		struct stripe *s = &sc->stripe[i];
		int r;

		if (dmbi_arg_u64(argv[3 + 2 * i], &s->start)) {
			ti->error = "Couldn't parse stripe destination";
			return DMB_EINVAL;
		}
		r = dmbi_target_get_device(ti, argv[2 + 2 * i], s->start, width, &s->dev);
		if (r)
			return r;
	}
	return 0;
}

static void striped_dtr(struct dmbi_target *ti)
{
	dmb_port_free(ti->priv);
}

/* The chunk holding a target-relative sector, and the sector's place in it. */
static uint64_t chunk_of(const struct striped *sc, uint64_t sector, uint32_t *in_chunk)
{
	if (sc->chunk_shift >= 0) {
		*in_chunk = (uint32_t)sector & (sc->chunk_sectors - 1);
		return sector >> sc->chunk_shift;
	}
	return dmbi_udiv64(sector, sc->chunk_sectors, in_chunk);
}

/*
 * Map a target-relative sector to (stripe, sector on that stripe's device)
 * and return how many sectors from there stay inside the same chunk.
 */
static uint64_t map_sector(const struct striped *sc, uint64_t sector, uint32_t *stripe,
			   uint64_t *dev_sector)
{
	uint32_t in_chunk;
	uint64_t chunk = chunk_of(sc, sector, &in_chunk);
	uint64_t row = dmbi_udiv64(chunk, sc->stripes, stripe);

	*dev_sector = sc->stripe[*stripe].start + row * sc->chunk_sectors + in_chunk;
	return sc->chunk_sectors - in_chunk;
}

static int striped_io(struct dmbi_target *ti, uint64_t sector, size_t count, uint8_t *rbuf,
		      const uint8_t *wbuf)
{
	struct striped *sc = ti->priv;

	while (count) {
		uint32_t i;
		uint64_t dev_sector;
		size_t n = (size_t)DMBI_MIN((uint64_t)count, map_sector(sc, sector, &i, &dev_sector));
		struct dmb_bdev *bd = sc->stripe[i].dev->bdev;
		int r;

		if (rbuf) {
			r = dmbi_bdev_read_sectors(ti->ctx, bd, dev_sector, n, rbuf);
			rbuf += n << DMB_SECTOR_SHIFT;
		} else {
			r = dmbi_bdev_write_sectors(ti->ctx, bd, dev_sector, n, wbuf);
			wbuf += n << DMB_SECTOR_SHIFT;
		}
		if (r) {
			sc->stripe[i].errors++;
			return r;
		}
		sector += n;
		count -= n;
	}
	return 0;
}

/* Scattered pieces of one stripe gathered per vectored read. */
#define STRIPED_VEC 32

/*
 * A read over many chunks: a stripe's pieces of it lie back to back on the
 * stripe's device (chunks c, c + n, c + 2n, ... are its consecutive chunks),
 * so each stripe is read with vectored reads into the scattered places of
 * buf, instead of one read per chunk.
 */
static int striped_read(struct dmbi_target *ti, uint64_t sector, size_t count, void *buf)
{
	struct striped *sc = ti->priv;
	const uint64_t chunk = sc->chunk_sectors, end = sector + count;
	const uint32_t n = sc->stripes;
	uint32_t in_chunk, first_stripe;
	const uint64_t c_first = chunk_of(sc, sector, &in_chunk);
	const uint64_t c_last = chunk_of(sc, end - 1, &in_chunk);

	if (c_last - c_first < n)
		return striped_io(ti, sector, count, buf, NULL);
	(void)dmbi_udiv64(c_first, n, &first_stripe);
	for (uint32_t s = 0; s < n; s++) {
		struct dmb_bdev *bd = sc->stripe[s].dev->bdev;
		struct dmb_iovec vec[STRIPED_VEC];
		uint64_t at = 0;
		size_t nv = 0;
		int r = 0;

		/* The first chunk of stripe s from c_first on. */
		uint64_t c = c_first + (s >= first_stripe ? s - first_stripe : s + n - first_stripe);

		for (; c <= c_last && !r; c += n) {
			uint64_t lo = DMBI_MIN(c * chunk, end), hi = DMBI_MIN((c + 1) * chunk, end);

			if (lo < sector)
				lo = sector;
			if (nv == 0)
				at = sc->stripe[s].start + dmbi_udiv64(c, n, NULL) * chunk +
				     (lo - c * chunk);
			vec[nv].base = (uint8_t *)buf + ((lo - sector) << DMB_SECTOR_SHIFT);
			vec[nv].len = (size_t)(hi - lo) << DMB_SECTOR_SHIFT;
			if (++nv == STRIPED_VEC) {
				r = dmbi_bdev_readv_sectors(ti->ctx, bd, at, vec, nv);
				nv = 0;
			}
		}
		if (!r && nv)
			r = dmbi_bdev_readv_sectors(ti->ctx, bd, at, vec, nv);
		if (r) {
			sc->stripe[s].errors++;
			return r;
		}
	}
	return 0;
}

static int striped_write(struct dmbi_target *ti, uint64_t sector, size_t count, const void *buf)
{
	return striped_io(ti, sector, count, NULL, buf);
}

static int striped_flush(struct dmbi_target *ti)
{
	struct striped *sc = ti->priv;

	for (uint32_t i = 0; i < sc->stripes; i++) {
		int r = dmb_bdev_flush(sc->stripe[i].dev->bdev);

		if (r)
			return r;
	}
	return 0;
}

static void striped_status(struct dmbi_target *ti, enum dmbi_status_type type, unsigned flags,
			   struct dmbi_strbuf *out)
{
	struct striped *sc = ti->priv;

	(void)flags;
	if (type == DMBI_STATUS_INFO) {
		dmbi_strbuf_printf(out, "%u ", (unsigned)sc->stripes);
		for (uint32_t i = 0; i < sc->stripes; i++) {
			dmbi_strbuf_put_arg(out, sc->stripe[i].dev->name);
			dmbi_strbuf_putc(out, ' ');
		}
		dmbi_strbuf_puts(out, "1 ");
		for (uint32_t i = 0; i < sc->stripes; i++)
			dmbi_strbuf_putc(out, sc->stripe[i].errors ? 'D' : 'A');
		return;
	}
	dmbi_strbuf_printf(out, "%u %u", (unsigned)sc->stripes, (unsigned)sc->chunk_sectors);
	for (uint32_t i = 0; i < sc->stripes; i++) {
		dmbi_strbuf_putc(out, ' ');
		dmbi_strbuf_put_arg(out, sc->stripe[i].dev->name);
		dmbi_strbuf_printf(out, " %llu", (unsigned long long)sc->stripe[i].start);
	}
}

const struct dmbi_target_type dmbi_striped_target = {
	.name = "striped",
	.version = { 1, 6, 0 },
	.ctr = striped_ctr,
	.dtr = striped_dtr,
	.read = striped_read,
	.write = striped_write,
	.flush = striped_flush,
	.status = striped_status,
};
