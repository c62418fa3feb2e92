// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The built-in target types, looked up by name as Linux's
 * dm_get_target_type() does (exact, case-sensitive).  A constant table: the
 * library keeps no mutable global state.
 *
 * Every target is built in unless the build defines DMBOOT_WITHOUT_<NAME>
 * for it (STRIPED, ZERO, ERROR, VERITY, SNAPSHOT, CRYPT) and leaves its
 * sources out (lib/sources.mk, docs/porting.md §9); linear is always there.
 * A table naming a target left out fails as one naming an unknown target.
 */
#include "target.h"

static const struct dmbi_target_type *const builtin_targets[] = {
	&dmbi_linear_target,
#ifndef DMBOOT_WITHOUT_STRIPED
	&dmbi_striped_target,
#endif
#ifndef DMBOOT_WITHOUT_ZERO
	&dmbi_zero_target,
#endif
#ifndef DMBOOT_WITHOUT_ERROR
	&dmbi_error_target,
#endif
#ifndef DMBOOT_WITHOUT_VERITY
	&dmbi_verity_target,
#endif
#ifndef DMBOOT_WITHOUT_SNAPSHOT
	&dmbi_snapshot_origin_target, &dmbi_snapshot_target,
#endif
#ifndef DMBOOT_WITHOUT_CRYPT
	&dmbi_crypt_target,
#endif
};

const struct dmbi_target_type *dmbi_target_type_find(const char *name)
{
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(builtin_targets); i++)
		if (dmbi_strcmp(builtin_targets[i]->name, name) == 0)
			return builtin_targets[i];
	return NULL;
}
