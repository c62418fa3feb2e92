// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The optional arguments of a verity table (formats.md §1.6), written in
 * the order and spelling of Linux's verity_status() for STATUSTYPE_TABLE,
 * with the count of words in front.  The verity target's table status and
 * every table line a format or tool builds come from here, so that what a
 * table says and what the target prints back cannot drift apart.
 */
#include "verity.h"

static const char *const corruption_name[] = {
	[DMB_VERITY_CORRUPTION_IGNORE] = "ignore_corruption",
	[DMB_VERITY_CORRUPTION_RESTART] = "restart_on_corruption",
	[DMB_VERITY_CORRUPTION_PANIC] = "panic_on_corruption",
};

static const char *const error_name[] = {
	[DMB_VERITY_ERROR_RESTART] = "restart_on_error",
	[DMB_VERITY_ERROR_PANIC] = "panic_on_error",
};

unsigned dmbi_verity_opts_count(const struct dmb_verity_opts *o)
{
	unsigned n = 0;

	n += o->corruption != DMB_VERITY_CORRUPTION_EIO;
	n += o->error != DMB_VERITY_ERROR_EIO;
	n += o->ignore_zero_blocks + o->check_at_most_once + o->try_verify_in_tasklet;
	n += o->fec_dev ? 8 : 0;
	n += o->sig_key_desc ? 2 : 0;
	return n;
}

void dmbi_verity_opts_put(struct dmbi_strbuf *sb, const struct dmb_verity_opts *o)
{
	unsigned n = dmbi_verity_opts_count(o);

	if (!n)
		return;
	dmbi_strbuf_printf(sb, "%u", n);
	if (o->corruption != DMB_VERITY_CORRUPTION_EIO)
		dmbi_strbuf_printf(sb, " %s", corruption_name[o->corruption]);
	if (o->error != DMB_VERITY_ERROR_EIO)
		dmbi_strbuf_printf(sb, " %s", error_name[o->error]);
	if (o->ignore_zero_blocks)
		dmbi_strbuf_puts(sb, " ignore_zero_blocks");
	if (o->check_at_most_once)
		dmbi_strbuf_puts(sb, " check_at_most_once");
	if (o->try_verify_in_tasklet)
		dmbi_strbuf_puts(sb, " try_verify_in_tasklet");
	if (o->fec_dev) {
		dmbi_strbuf_puts(sb, " use_fec_from_device ");
		dmbi_strbuf_put_arg(sb, o->fec_dev);
		dmbi_strbuf_printf(sb, " fec_blocks %llu fec_start %llu fec_roots %u",
				   (unsigned long long)o->fec_blocks,
				   (unsigned long long)o->fec_start, (unsigned)o->fec_roots);
	}
	if (o->sig_key_desc) {
		dmbi_strbuf_puts(sb, " root_hash_sig_key_desc ");
		dmbi_strbuf_put_arg(sb, o->sig_key_desc);
	}
}

/* A string a table can carry as one argument: not empty, no newline. */
static bool one_arg(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s == '\n')
			return false;
	return true;
}

int dmb_verity_opts_format(struct dmb_ctx *ctx, const struct dmb_verity_opts *o, char *buf,
			   size_t cap)
{
	struct dmbi_strbuf sb;

	if ((unsigned)o->corruption > DMB_VERITY_CORRUPTION_PANIC)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "verity: invalid corruption mode %u",
					 (unsigned)o->corruption);
	if ((unsigned)o->error > DMB_VERITY_ERROR_PANIC)
		return dmb_ctx_set_error(ctx, DMB_EINVAL, "verity: invalid error mode %u",
					 (unsigned)o->error);
	if (o->fec_dev && !one_arg(o->fec_dev))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "verity: the FEC device name is empty or holds a newline");
	if (o->sig_key_desc && !one_arg(o->sig_key_desc))
		return dmb_ctx_set_error(ctx, DMB_EINVAL,
					 "verity: the signature key description is empty or holds a newline");
	dmbi_strbuf_init(&sb, buf, cap);
	dmbi_verity_opts_put(&sb, o);
	/* The length must fit the int returned. */
	if (sb.len > DMB_TABLE_MAX_BYTES)
		return dmb_ctx_set_error(ctx, DMB_ERANGE, "verity: options longer than %u bytes",
					 DMB_TABLE_MAX_BYTES);
	return (int)sb.len;
}
