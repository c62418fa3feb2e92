// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The verity target's status (verity_target.h): 'V' or 'C' for the info
 * form, and for the table form the line that recreates the device, with the
 * optional arguments it runs with, in the order and case Linux prints them.
 */
#include "verity_target.h"

static void put_hex(struct dmbi_strbuf *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dmbi_strbuf_printf(out, "%02x", p[i]);
}

/* The optional arguments the target runs with, as the public structure. */
static void current_opts(const struct verity *v, struct dmb_verity_opts *o)
{
	static const enum dmb_verity_corruption corruption[] = {
		[VERITY_MODE_EIO] = DMB_VERITY_CORRUPTION_EIO,
		[VERITY_MODE_LOGGING] = DMB_VERITY_CORRUPTION_IGNORE,
		[VERITY_MODE_RESTART] = DMB_VERITY_CORRUPTION_RESTART,
		[VERITY_MODE_PANIC] = DMB_VERITY_CORRUPTION_PANIC,
	};
	/* The parser sets no logging error mode. */
	static const enum dmb_verity_error error[] = {
		[VERITY_MODE_EIO] = DMB_VERITY_ERROR_EIO,
		[VERITY_MODE_LOGGING] = DMB_VERITY_ERROR_EIO,
		[VERITY_MODE_RESTART] = DMB_VERITY_ERROR_RESTART,
		[VERITY_MODE_PANIC] = DMB_VERITY_ERROR_PANIC,
	};

	memset(o, 0, sizeof(*o));
	o->corruption = corruption[v->mode];
	o->error = error[v->error_mode];
	o->ignore_zero_blocks = v->zero_blocks;
	o->check_at_most_once = v->validated != NULL;
	o->try_verify_in_tasklet = v->tasklet;
	if (v->fec)
		dmbi_verity_fec_opts(v, o);
	o->sig_key_desc = v->sig_key_desc;
}

void dmbi_verity_status(struct dmbi_target *ti, enum dmbi_status_type type, unsigned flags,
			struct dmbi_strbuf *out)
{
	struct verity *v = ti->priv;
	const struct dmbi_hashtree *t = &v->tree;
	struct dmb_verity_opts o;

	if (type == DMBI_STATUS_INFO) {
		dmbi_strbuf_putc(out, v->corrupted ? 'C' : 'V');
		return;
	}
	dmbi_strbuf_printf(out, "%u ", t->version);
	dmbi_strbuf_put_arg(out, v->data_dev->name);
	dmbi_strbuf_putc(out, ' ');
	dmbi_strbuf_put_arg(out, v->hash_dev->name);
	dmbi_strbuf_printf(out, " %u %u %llu %llu %s ", 1u << t->data_block_bits,
			   1u << t->hash_block_bits, (unsigned long long)t->data_blocks,
			   (unsigned long long)t->hash_start, v->alg);
	/*
	 * Printed in lower case, as the kernel prints it.  The signature covers
	 * the text the table gave, so the form that recreates the device
	 * (DMB_FMT_SHOWKEYS, what the host's registry records) keeps that text.
	 */
	if ((flags & DMB_FMT_SHOWKEYS) && v->sig_key_desc)
		dmbi_strbuf_put_arg(out, v->root_text);
	else
		put_hex(out, v->root_digest, t->digest_size);
	dmbi_strbuf_putc(out, ' ');
	if (v->salt_size)
		put_hex(out, v->salt, v->salt_size);
	else
		dmbi_strbuf_putc(out, '-');
	current_opts(v, &o);
	if (dmbi_verity_opts_count(&o)) {
		dmbi_strbuf_putc(out, ' ');
		dmbi_verity_opts_put(out, &o);
	}
}
