/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the verity superblock and table code (verity.c) shares with the
 * tree builders (verity_tree.c).
 */
#ifndef DMBOOT_LIB_FORMATS_VERITY_INTERNAL_H
#define DMBOOT_LIB_FORMATS_VERITY_INTERNAL_H

#include "../verity/verity.h"

/*
 * Check p as dmb_verity_check_params() documents, then set up its tree
 * geometry and a hasher; on success the caller calls dmbi_hasher_fini(h).
 */
int dmbi_verity_setup(struct dmb_ctx *ctx, const struct dmb_verity_params *p,
		      struct dmbi_hashtree *t, struct dmbi_hasher *h);

#endif /* DMBOOT_LIB_FORMATS_VERITY_INTERNAL_H */
