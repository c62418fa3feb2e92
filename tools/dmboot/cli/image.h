/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * An image or device a command reads, under any device spelling (the
 * table in docs/sfdisk.md, "Device spellings"): a file or block
 * device; a mapped device as NAME, /dev/mapper/NAME, 253:MINOR or VG/LV; a
 * partition as IMAGE:pN (nested up to four levels), PARTUUID=U or
 * PARTLABEL=L.  The last two are looked up as Linux does, through udev's
 * /dev/disk/by-partuuid/ and /dev/disk/by-partlabel/ links when they exist,
 * else on the devices given with --devices by the library's partition
 * resolver (the one dmsetup create --devices uses).  A file of the name
 * always wins.
 */
#ifndef DMBOOT_CLI_IMAGE_H
#define DMBOOT_CLI_IMAGE_H

#include "../cli.h"
#include "image_names.h"

/* The longest --devices list, in devices. */
#define CLI_IMAGE_MAX_DEVICES 64

/* An open image: bd reads it until cli_image_close(). */
struct cli_image {
	struct dmb_bdev *bd;
	char *name;            /* the image as tables name it (cli_image_name) */
	bool resolved;         /* bd came from res (a mapped device or partition) */
	bool have_state;
	struct state st;
	struct cli_resolver res;
};

/* Whether path is a PARTUUID= or PARTLABEL= spelling. */
bool cli_image_is_partname(const char *path);

/*
 * The name tables give the image path: path itself for a file or block
 * device, /dev/mapper/NAME for a mapped device however it was spelt (NAME,
 * /dev/mapper/NAME, VG/LV, 253:MINOR), udev's link for PARTUUID= or
 * PARTLABEL= when it exists, else path as given (a partition: IMAGE:pN, or
 * a PARTUUID= found on the --devices).  st may be NULL, and then a bare
 * NAME, VG/LV or 253:MINOR is left as it is.  0 or -ENOMEM.
 */
int cli_image_name(struct state *st, const char *path, char **out);

/*
 * Open path for reading (flags: DMB_OPEN_WRITE to write as well), with
 * devices (may be NULL) searched for PARTUUID= and PARTLABEL=.  A file or
 * block device opens directly; anything else through the resolver tables
 * use, the state directory's lock dropped once it is open.  Returns 0, or
 * a dmb_err with ctx's message saying why, or with an empty message when
 * the state directory printed its own error line.  A missing device, and a
 * partition name that matches none or several partitions, are DMB_ENOENT.
 * Close the image either way.
 */
int cli_image_open(struct cli_image *im, struct dmb_ctx *ctx, const char *path,
		   char *const *devices, size_t ndevices, unsigned flags);
void cli_image_close(struct cli_image *im);

/*
 * For a command that records the image (ddi open and close): a PARTUUID=
 * or PARTLABEL= with no udev link, found on the devices as the one
 * partition of that name, becomes DEVICE:pN, a name tables keep; anything
 * else is path as it is.  0 and *out, -ENOENT after printing the error line
 * (no such partition, or several), -ENOMEM.
 */
int cli_image_locate(const char *path, char *const *devices, size_t ndevices, char **out);

/*
 * The comma-separated --devices list of command cmd, names kept as given
 * (relative ones against the current directory, as tables take them).
 * Prints the error line for an empty list, a control character or more
 * than CLI_IMAGE_MAX_DEVICES devices.  0, -EINVAL or -ENOMEM.
 */
int cli_image_devices(const char *cmd, const char *list, char ***out, size_t *n);

#endif /* DMBOOT_CLI_IMAGE_H */
