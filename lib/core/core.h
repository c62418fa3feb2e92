/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * lib/core/: the engine — tables, devices, block devices, the target
 * registry (target.h), the crypto helpers and the error record (error.c).
 *
 * Inclusion rule: a file in lib/core/ includes <dmboot/...> public headers,
 * lib/base/ and lib/core/ headers, nothing else: the engine knows no target
 * and no on-disk format by anything but the registry's table.
 */
#ifndef DMBOOT_LIB_CORE_H
#define DMBOOT_LIB_CORE_H

#include "../base/base.h"

/* Format a line and pass it to dmb_port_log() if ctx's level allows it. */
void dmbi_log(const struct dmb_ctx *ctx, enum dmb_log_level level, const char *fmt, ...)
	DMB_PRINTF(3, 4);

#endif /* DMBOOT_LIB_CORE_H */
