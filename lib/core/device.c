// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Mapped devices: instantiate a table's targets over lower devices, split
 * I/O across targets, and print the device the way dmsetup table/status do
 * (formats.md §1.1, §1.9).  A mapped device exports the same dmb_bdev it
 * consumes, so stacking is composition.
 */
#include "target.h"

struct dmb_dev {
	struct dmb_bdev bdev;
	struct dmb_ctx *ctx;
	unsigned flags;
	size_t ntargets;
	struct dmbi_target *targets;
	size_t nlower;
	size_t lower_cap;
	/* Each lower device is allocated on its own: targets keep pointers to
	 * them while the array grows. */
	struct dmbi_lower **lowers;
};

/* The target holding sector: the last one whose begin is <= sector. */
static size_t find_target(const struct dmb_dev *dev, uint64_t sector)
{
	size_t lo = 0, hi = dev->ntargets;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (dev->targets[mid].begin_sectors <= sector)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int dev_io(struct dmb_dev *dev, uint64_t sector, size_t count, uint8_t *rbuf,
		  const uint8_t *wbuf)
{
	size_t i = find_target(dev, sector);

	while (count) {
		struct dmbi_target *ti = &dev->targets[i++];
		uint64_t rel = sector - ti->begin_sectors;
		size_t n = (size_t)DMBI_MIN((uint64_t)count, ti->len_sectors - rel);
		int r;

		if (rbuf) {
			r = ti->type->read(ti, rel, n, rbuf);
			rbuf += n << DMB_SECTOR_SHIFT;
		} else if (ti->type->write) {
			r = ti->type->write(ti, rel, n, wbuf);
			wbuf += n << DMB_SECTOR_SHIFT;
		} else {
			r = dmb_ctx_set_error(dev->ctx, DMB_EACCES, "%s target at sector %llu refuses writes",
				       ti->type->name, (unsigned long long)ti->begin_sectors);
		}
		if (r)
			return r;
		sector += n;
		count -= n;
	}
	return 0;
}

static int dev_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	unsigned s = bd->block_shift - DMB_SECTOR_SHIFT;

	return dev_io(bd->priv, block << s, count << s, buf, NULL);
}

static int dev_write(struct dmb_bdev *bd, uint64_t block, size_t count, const void *buf)
{
	unsigned s = bd->block_shift - DMB_SECTOR_SHIFT;

	return dev_io(bd->priv, block << s, count << s, NULL, buf);
}

static int dev_flush(struct dmb_bdev *bd)
{
	struct dmb_dev *dev = bd->priv;

	for (size_t i = 0; i < dev->ntargets; i++) {
		struct dmbi_target *ti = &dev->targets[i];

		if (ti->type->flush) {
			int r = ti->type->flush(ti);

			if (r)
				return r;
		}
	}
	return 0;
}

static const struct dmb_bdev_ops dev_rw_ops = {
	.read = dev_read, .write = dev_write, .flush = dev_flush
};
static const struct dmb_bdev_ops dev_ro_ops = { .read = dev_read, .flush = dev_flush };

struct dmb_ctx *dmbi_bdev_ctx(const struct dmb_bdev *bd)
{
	if (bd->ops != &dev_rw_ops && bd->ops != &dev_ro_ops)
		return NULL;
	return ((const struct dmb_dev *)bd->priv)->ctx;
}

/*
 * Lower devices.  Targets reach a lower device through a wrapper that
 * describes a failure once, at the lowest layer that knows the device's
 * name: "linear: disk.img: read error at sector 2048: <what the device's
 * op said, or the code's text>", recorded in the device's context and logged
 * at the error level (unless DMB_CTX_QUIET_IO), at most
 * DMBI_LOWER_MAX_LOGGED lines per lower device.  A lower device that is
 * itself a mapped device (under the library's slices) has described its own
 * failure: it is passed on as it is, copied from that device's context when
 * it has another one, so verity over linear over a failing disk says it
 * once.  ctx->err is zeroed around the op to tell whether it set a message
 * (a stale one from an earlier failure must not be taken for it), and put
 * back when the op succeeds.
 */
static int lower_failed(struct dmbi_lower *l, const char *what, uint64_t block, int r)
{
	struct dmb_ctx *ctx = l->dev->ctx;
	struct dmb_ctx *below = dmbi_bdev_ctx(dmbi_bdev_base(l->real));
	const bool described = ctx->err != 0;

	if (below) {
		if (below != ctx)
			dmb_ctx_set_error(ctx, r, "%s", below->msg);
		else if (!described)
			dmb_ctx_set_error(ctx, r, "%s", dmb_strerror(r));
		return r;
	}
	/* The op's own line when it gave one, else the code's text (never a stale message). */
	if (!described)
		dmb_ctx_set_error(ctx, r, "%s", dmb_strerror(r));
	dmb_ctx_wrap_error(ctx, r, NULL, "%s: %s: %s error at sector %llu: ", l->type, l->name, what,
			   (unsigned long long)(block << (l->real->block_shift - DMB_SECTOR_SHIFT)));
	if (!(ctx->flags & DMB_CTX_QUIET_IO) && l->nlogged < DMBI_LOWER_MAX_LOGGED) {
		dmbi_log(ctx, DMB_LOG_ERR, "%s", ctx->msg);
		if (++l->nlogged == DMBI_LOWER_MAX_LOGGED)
			dmbi_log(ctx, DMB_LOG_ERR, "%s: %s: reached maximum errors", l->type, l->name);
	}
	return r;
}

/* After an op on l->real: put the saved error back when it succeeded, describe it when not. */
static int lower_done(struct dmbi_lower *l, const char *what, uint64_t block, int saved, int r)
{
	if (!r) {
		l->dev->ctx->err = saved;
		return 0;
	}
	return lower_failed(l, what, block, r);
}

/* Zero the context's error for the op (lower_done() tells whether the op set one). */
static int lower_begin(struct dmbi_lower *l)
{
	const int saved = l->dev->ctx->err;

	l->dev->ctx->err = 0;
	return saved;
}

static int lower_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	struct dmbi_lower *l = bd->priv;
	const int saved = lower_begin(l);

	return lower_done(l, "read", block, saved, l->real->ops->read(l->real, block, count, buf));
}

static int lower_readv(struct dmb_bdev *bd, uint64_t block, const struct dmb_iovec *vec, size_t n)
{
	struct dmbi_lower *l = bd->priv;
	const int saved = lower_begin(l);

	return lower_done(l, "read", block, saved, l->real->ops->readv(l->real, block, vec, n));
}

static int lower_write(struct dmb_bdev *bd, uint64_t block, size_t count, const void *buf)
{
	struct dmbi_lower *l = bd->priv;
	const int saved = lower_begin(l);

	return lower_done(l, "write", block, saved, l->real->ops->write(l->real, block, count, buf));
}

static int lower_flush(struct dmb_bdev *bd)
{
	struct dmbi_lower *l = bd->priv;

	return dmb_bdev_flush(l->real);
}

/* By whether the device writes and whether it has readv. */
static const struct dmb_bdev_ops lower_ops[2][2] = {
	{ { .read = lower_read, .flush = lower_flush },
	  { .read = lower_read, .flush = lower_flush, .readv = lower_readv } },
	{ { .read = lower_read, .write = lower_write, .flush = lower_flush },
	  { .read = lower_read, .write = lower_write, .flush = lower_flush, .readv = lower_readv } },
};

static void lower_wrap(struct dmbi_lower *l, struct dmb_dev *dev, const char *type)
{
	l->dev = dev;
	l->type = type;
	l->wrap.ops = &lower_ops[l->real->ops->write != NULL][l->real->ops->readv != NULL];
	l->wrap.priv = l;
	l->wrap.block_shift = l->real->block_shift;
	l->wrap.num_blocks = l->real->num_blocks;
	l->wrap.ctx = dev->ctx;
	l->bdev = &l->wrap;
}

int dmbi_target_get_device(struct dmbi_target *ti, const char *name, uint64_t start,
			   uint64_t len, const struct dmbi_lower **out)
{
	struct dmb_dev *dev = ti->dev;
	struct dmb_ctx *ctx = ti->ctx;
	struct dmbi_lower *l = NULL;
	uint64_t end, size;
	int r;

	for (size_t i = 0; i < dev->nlower; i++)
		if (dmbi_strcmp(dev->lowers[i]->name, name) == 0)
			l = dev->lowers[i];
	if (!l) {
		if (!ctx->resolver)
			return dmb_ctx_set_error(ctx, DMB_ENOENT,
					  "line %u: %s: Device lookup failed: %s: no resolver configured",
					  ti->line, ti->type->name, name);
		if (dev->nlower == dev->lower_cap) {
			size_t cap = dev->lower_cap ? dev->lower_cap * 2 : 4;
			struct dmbi_lower **n = dmbi_calloc(cap, sizeof(*n));

			if (!n)
				return dmb_ctx_set_error(ctx, DMB_ENOMEM, "line %u: out of memory", ti->line);
			if (dev->nlower)
				memcpy(n, dev->lowers, dev->nlower * sizeof(*n));
			dmb_port_free(dev->lowers);
			dev->lowers = n;
			dev->lower_cap = cap;
		}
		l = dmbi_calloc(1, sizeof(*l));
		if (l)
			l->name = dmbi_strdup(name);
		if (!l || !l->name) {
			dmb_port_free(l);
			return dmb_ctx_set_error(ctx, DMB_ENOMEM, "line %u: out of memory", ti->line);
		}
		dmb_ctx_clear(ctx);
		r = ctx->resolver->open(ctx->resolver, ctx, name,
					ti->read_only ? 0 : DMB_OPEN_WRITE, &l->real);
		if (r) {
			dmb_port_free(l->name);
			dmb_port_free(l);
			return dmb_ctx_wrap_error(ctx, r, name, "line %u: %s: Device lookup failed: ",
						  ti->line, ti->type->name);
		}
		lower_wrap(l, dev, ti->type->name);
		dev->lowers[dev->nlower++] = l;
	}

	size = dmb_bdev_sectors(l->bdev);
	if (!dmbi_add_u64(start, len, &end) || end > size)
		return dmb_ctx_set_error(ctx, DMB_ERANGE,
				  "line %u: %s: %s too small for target: start=%llu, len=%llu, dev_size=%llu",
				  ti->line, ti->type->name, name, (unsigned long long)start,
				  (unsigned long long)len, (unsigned long long)size);
	*out = l;
	return 0;
}

void dmb_dev_destroy(struct dmb_dev *dev)
{
	if (!dev)
		return;
	for (size_t i = 0; i < dev->ntargets; i++) {
		struct dmbi_target *ti = &dev->targets[i];

		if (ti->type && ti->type->dtr)
			ti->type->dtr(ti);
	}
	for (size_t i = 0; i < dev->nlower; i++) {
		dev->ctx->resolver->close(dev->ctx->resolver, dev->lowers[i]->real);
		dmb_port_free(dev->lowers[i]->name);
		dmb_port_free(dev->lowers[i]);
	}
	dmb_port_free(dev->lowers);
	dmb_port_free(dev->targets);
	dmb_port_free(dev);
}

/* Split the parameters and run the constructor of one target. */
static int construct(struct dmbi_target *ti, const struct dmb_table_target *tt)
{
	struct dmb_ctx *ctx = ti->ctx;
	char *params = dmbi_strdup(tt->params);
	/* Arguments are separated, so there are at most about half as many as bytes. */
	unsigned max = (unsigned)DMBI_MIN(dmbi_strlen(tt->params) / 2 + 1, (size_t)DMB_TARGET_MAX_ARGS);
	char **argv = dmbi_calloc(max, sizeof(*argv));
	unsigned argc = 0;
	int r;

	if (!params || !argv) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "line %u: out of memory", ti->line);
		goto out;
	}
	r = dmb_split_args(params, max, &argc, argv);
	if (r) {
		dmb_ctx_set_error(ctx, r, "line %u: %s: more than %u arguments", ti->line, tt->type,
				  DMB_TARGET_MAX_ARGS);
		goto out;
	}
	dmb_ctx_clear(ctx);
	r = ti->type->ctr(ti, argc, argv);
	if (r && ti->error)
		dmb_ctx_set_error(ctx, r, "line %u: %s: %s", ti->line, tt->type, ti->error);
	else if (r && !ctx->msg[0])
		dmb_ctx_set_error(ctx, r, "line %u: %s: %s", ti->line, tt->type, dmb_strerror(r));
out:
	/* Arguments may hold keys (crypt). */
	if (params) {
		dmbi_wipe(params, dmbi_strlen(tt->params));
		dmb_port_free(params);
	}
	dmb_port_free(argv);
	return r;
}

int dmb_dev_create(struct dmb_ctx *ctx, const struct dmb_table *table, unsigned flags,
		   struct dmb_dev **out)
{
	struct dmb_dev *dev;
	int r;

	*out = NULL;
	if (!table || table->count == 0)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "table has no targets");
	dev = dmbi_calloc(1, sizeof(*dev));
	if (!dev)
		return dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for a device");
	dev->ctx = ctx;
	dev->flags = flags;
	dev->targets = dmbi_calloc(table->count, sizeof(*dev->targets));
	if (!dev->targets) {
		r = dmb_ctx_set_error(ctx, DMB_ENOMEM, "out of memory for %zu targets", table->count);
		goto fail;
	}
	for (size_t i = 0; i < table->count; i++) {
		const struct dmb_table_target *tt = &table->targets[i];
		struct dmbi_target *ti = &dev->targets[i];
		const struct dmbi_target_type *type = dmbi_target_type_find(tt->type);

		if (!type) {
			r = dmb_ctx_set_error(ctx, DMB_ENOENT, "line %u: %s: unknown target type", tt->line,
					      tt->type);
			goto fail;
		}
		ti->dev = dev;
		ti->ctx = ctx;
		ti->begin_sectors = tt->start_sectors;
		ti->len_sectors = tt->len_sectors;
		ti->line = tt->line;
		ti->read_only = flags & DMB_DEV_READONLY;
		ti->type = type;
		dev->ntargets = i + 1;
		r = construct(ti, tt);
		if (r)
			goto fail;
	}
	/*
	 * The device's logical block size is the largest any target needs, and
	 * every target must start and end on it (Linux's
	 * validate_hardware_logical_block_alignment()).
	 */
	unsigned shift = DMB_SECTOR_SHIFT;

	for (size_t i = 0; i < dev->ntargets; i++)
		if (dev->targets[i].block_shift > shift)
			shift = dev->targets[i].block_shift;
	for (size_t i = 0; i < dev->ntargets; i++) {
		const struct dmbi_target *ti = &dev->targets[i];
		uint64_t mask = ((uint64_t)1 << (shift - DMB_SECTOR_SHIFT)) - 1;

		if ((ti->begin_sectors | ti->len_sectors) & mask) {
			r = dmb_ctx_set_error(ctx, DMB_EINVAL,
				       "line %u: %s: target is not aligned to the device's logical block size (%u bytes)",
				       ti->line, ti->type->name, 1u << shift);
			goto fail;
		}
	}
	dev->bdev.ops = flags & DMB_DEV_READONLY ? &dev_ro_ops : &dev_rw_ops;
	dev->bdev.priv = dev;
	dev->bdev.ctx = ctx;
	dev->bdev.block_shift = shift;
	dev->bdev.num_blocks = dmb_table_sectors(table) >> (shift - DMB_SECTOR_SHIFT);
	*out = dev;
	return 0;
fail:
	dmb_dev_destroy(dev);
	return r;
}

struct dmb_bdev *dmb_dev_bdev(struct dmb_dev *dev)
{
	return &dev->bdev;
}

uint64_t dmb_dev_sectors(const struct dmb_dev *dev)
{
	return dmb_bdev_sectors(&dev->bdev);
}

const struct dmb_target_stats *dmb_dev_target_stats(const struct dmb_dev *dev, size_t i)
{
	return i < dev->ntargets ? &dev->targets[i].stats : NULL;
}

size_t dmb_dev_target_count(const struct dmb_dev *dev)
{
	return dev->ntargets;
}

unsigned dmb_dev_flags(const struct dmb_dev *dev)
{
	return dev->flags;
}

size_t dmb_dev_lower_count(const struct dmb_dev *dev)
{
	return dev->nlower;
}

const char *dmb_dev_lower_name(const struct dmb_dev *dev, size_t i)
{
	return i < dev->nlower ? dev->lowers[i]->name : NULL;
}

static void format_target(struct dmbi_target *ti, enum dmb_fmt what, unsigned flags,
			  struct dmbi_strbuf *sb)
{
	dmbi_strbuf_printf(sb, "%llu %llu %s ", (unsigned long long)ti->begin_sectors,
			   (unsigned long long)ti->len_sectors, ti->type->name);
	if (ti->type->status)
		ti->type->status(ti, what == DMB_FMT_STATUS ? DMBI_STATUS_INFO : DMBI_STATUS_TABLE,
				 flags, sb);
}

int dmb_dev_format(struct dmb_dev *dev, enum dmb_fmt what, unsigned flags, char *buf, size_t cap)
{
	struct dmbi_strbuf sb;

	if (what != DMB_FMT_TABLE && what != DMB_FMT_STATUS)
		return DMB_EINVAL;
	dmbi_strbuf_init(&sb, buf, cap);
	for (size_t i = 0; i < dev->ntargets; i++) {
		struct dmbi_target *ti = &dev->targets[i];

		if (!(flags & DMB_FMT_CONCISE)) {
			format_target(ti, what, flags, &sb);
			dmbi_strbuf_putc(&sb, '\n');
			continue;
		}
		/* Concise: format the line on its own, then append it escaped. */
		struct dmbi_strbuf line;
		char *tmp;

		dmbi_strbuf_init(&line, NULL, 0);
		format_target(ti, what, flags, &line);
		tmp = dmb_port_malloc(line.len + 1);
		if (!tmp)
			return DMB_ENOMEM;
		dmbi_strbuf_init(&line, tmp, line.len + 1);
		format_target(ti, what, flags, &line);
		if (i)
			dmbi_strbuf_putc(&sb, ',');
		size_t room = sb.len < sb.cap ? sb.cap - sb.len : 0;

		sb.len += dmb_concise_escape(room ? sb.buf + sb.len : NULL, room, tmp);
		dmbi_wipe(tmp, line.len);
		dmb_port_free(tmp);
	}
	if (sb.len > (size_t)INT32_MAX)
		return DMB_ERANGE;
	return (int)sb.len;
}
