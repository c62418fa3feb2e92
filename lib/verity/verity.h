/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * lib/verity/: what the verity target and the image builders share — the
 * hash-tree geometry and salted block hashing (hashtree.h), the
 * Reed-Solomon codec (rs.h), the FEC interleaving layout (fec_layout.h),
 * the FEC encoder (public: dmb_verity_fec_encode() in <dmboot/verity.h>)
 * and the table's optional arguments as text (opts.h).
 *
 * Inclusion rule: a file in lib/verity/ includes <dmboot/...> public
 * headers, lib/base/, lib/core/ and lib/verity/ headers; never a target or
 * a format.
 */
#ifndef DMBOOT_LIB_VERITY_H
#define DMBOOT_LIB_VERITY_H

#include "fec_layout.h"
#include "hashtree.h"
#include "opts.h"
#include "rs.h"

#endif /* DMBOOT_LIB_VERITY_H */
