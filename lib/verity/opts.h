/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The optional arguments of a verity table as text (public:
 * dmb_verity_opts_format() in <dmboot/verity.h>), for the target's status
 * and the formats' table lines alike.
 */
#ifndef DMBOOT_LIB_VERITY_OPTS_H
#define DMBOOT_LIB_VERITY_OPTS_H

#include "../base/base.h"

/* How many words follow the count: 0 when o sets nothing. */
unsigned dmbi_verity_opts_count(const struct dmb_verity_opts *o);

/*
 * Append "<count> <arg>..." (nothing when the count is 0).  o must be valid
 * as dmb_verity_opts_format() checks it; the target's state always is.
 */
void dmbi_verity_opts_put(struct dmbi_strbuf *sb, const struct dmb_verity_opts *o);

#endif /* DMBOOT_LIB_VERITY_OPTS_H */
