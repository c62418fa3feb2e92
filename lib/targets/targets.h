/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * lib/targets/: the device-mapper targets — linear, striped, zero, error,
 * verity (with its FEC decoder, verity_target.h), snapshot-origin and
 * snapshot (read-only), crypt (over lib/crypt/) — each a
 * struct dmbi_target_type the registry in lib/core/ lists.
 *
 * Inclusion rule: a file in lib/targets/ includes <dmboot/...> public
 * headers and lib/base/, lib/core/, lib/verity/, lib/crypt/ and lib/targets/ headers;
 * never a format: a target knows nothing of where its table came from.
 */
#ifndef DMBOOT_LIB_TARGETS_H
#define DMBOOT_LIB_TARGETS_H

#include "../core/target.h"

#endif /* DMBOOT_LIB_TARGETS_H */
