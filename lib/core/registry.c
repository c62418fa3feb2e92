// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The built-in target types, looked up by name as Linux's
 * dm_get_target_type() does (exact, case-sensitive).  A constant table: the
 * library keeps no mutable global state.
 */
#include "target.h"

static const struct dmbi_target_type *const builtin_targets[] = {
	&dmbi_linear_target,
	&dmbi_striped_target,
	&dmbi_zero_target,
	&dmbi_error_target,
	&dmbi_verity_target,
	&dmbi_snapshot_origin_target, &dmbi_snapshot_target,
	&dmbi_crypt_target,
};

const struct dmbi_target_type *dmbi_target_type_find(const char *name)
{
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(builtin_targets); i++)
		if (dmbi_strcmp(builtin_targets[i]->name, name) == 0)
			return builtin_targets[i];
	return NULL;
}
