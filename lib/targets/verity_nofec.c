// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The verity target without forward error correction, for builds that
 * leave verity_fec.c and lib/verity/rs.c out (lib/sources.mk,
 * DMBOOT_TARGET_VERITY_NOFEC_SRCS), as Linux built without
 * CONFIG_DM_VERITY_FEC: a table naming a FEC device is refused with the
 * message that kernel gives for an option it does not know; the other FEC
 * options alone are ignored, as they are with FEC built in.
 */
#include "verity_target.h"

int dmbi_verity_fec_ctr(struct verity *v)
{
	if (!(v->fec_params.given & 1) || !v->fec_params.dev_name)
		return 0;
	v->ti->error = "Unrecognized verity feature request";
	return DMB_EINVAL;
}

void dmbi_verity_fec_dtr(struct verity *v)
{
	(void)v;
}

int dmbi_verity_fec_decode(struct verity *v, bool is_data, uint64_t block, const uint8_t *want_digest,
			   uint8_t *buf)
{
	(void)v, (void)is_data, (void)block, (void)want_digest, (void)buf;
	return DMB_EIO;
}

void dmbi_verity_fec_opts(const struct verity *v, struct dmb_verity_opts *o)
{
	(void)v, (void)o;
}
