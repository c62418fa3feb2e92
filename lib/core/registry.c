// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The built-in target types, looked up by name as Linux's
 * dm_get_target_type() does (exact, case-sensitive).  A constant table: the
 * library keeps no mutable global state.
 */
#include "target.h"

static const struct dmb_target_type *const builtin_targets[] = {
	&dmb_linear_target,
	&dmb_striped_target,
	&dmb_zero_target,
	&dmb_error_target,
	&dmb_verity_target,
};

const struct dmb_target_type *dmb_target_type_find(const char *name)
{
	for (size_t i = 0; i < DMB_ARRAY_SIZE(builtin_targets); i++)
		if (dmb_strcmp(builtin_targets[i]->name, name) == 0)
			return builtin_targets[i];
	return NULL;
}
