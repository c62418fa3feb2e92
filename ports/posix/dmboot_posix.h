/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* The host port: files and block devices as dmb_bdevs. */
#ifndef DMBOOT_POSIX_H
#define DMBOOT_POSIX_H

#include <dmboot/dmboot.h>

/*
 * Open a regular file (512-byte blocks; a trailing partial sector is not
 * part of the device, as with a loop device) or a block device (its logical
 * block size and size).  DMB_OPEN_WRITE opens it read-write.
 * Errors: DMB_ENOENT (no such file), DMB_EACCES (permission), DMB_EINVAL (not
 * a file or block device, unsupported block size), DMB_EIO, DMB_ENOMEM; the
 * message names the path.
 */
int dmb_posix_open(struct dmb_ctx *ctx, const char *path, unsigned flags, struct dmb_bdev **out);

/* Close a device from dmb_posix_open(); accepts NULL. */
void dmb_posix_close(struct dmb_bdev *bd);

#endif /* DMBOOT_POSIX_H */
