/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The pure string work of naming an image (cli/image.h): udev's link for a
 * PARTUUID= or PARTLABEL= spelling, and device-mapper's name for VG/LV.
 * libc only, so that the unit tests and a fuzzer take the file as it is.
 */
#ifndef DMBOOT_CLI_IMAGE_NAMES_H
#define DMBOOT_CLI_IMAGE_NAMES_H

/* Where udev links partitions by PARTUUID and by GPT name. */
#define CLI_BY_PARTUUID "/dev/disk/by-partuuid/"
#define CLI_BY_PARTLABEL "/dev/disk/by-partlabel/"

/* A PARTUUID or PARTLABEL value longer than this names nothing udev links. */
#define CLI_PARTNAME_MAX_BYTES 255

/*
 * udev's link for spelling, "PARTUUID=U" or "PARTLABEL=L", as a new string
 * in *out: by-partuuid/ takes U in lower case (blkid's spelling; Linux
 * compares PARTUUIDs without case), by-partlabel/ takes L with every byte
 * outside udev's plain set (letters, digits, "#+-.:=@_" and the bytes of
 * UTF-8 sequences) written \xNN, as udev escapes link names.
 * 0; -EINVAL for another spelling, an empty value, "." or "..", or one
 * longer than CLI_PARTNAME_MAX_BYTES; -ENOMEM.
 */
int cli_udev_link(const char *spelling, char **out);

/*
 * "/dev/mapper/VG-LV" for "VG/LV", a dash inside either name doubled as
 * lvm2 does, as a new string in *out.  0; -EINVAL for anything but one
 * slash between two non-empty names, or a name starting with "." (a
 * relative path); -ENOMEM.
 */
int cli_lv_dm_name(const char *path, char **out);

#endif /* DMBOOT_CLI_IMAGE_NAMES_H */
