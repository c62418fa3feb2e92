/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/* Partition type names as sfdisk prints them (parttypes.c). */
#ifndef DMBOOT_PARTTYPES_H
#define DMBOOT_PARTTYPES_H

/* The name of a GPT type GUID (either case), or NULL when sfdisk knows none. */
const char *cli_gpt_type_name(const char *guid);

/* The name of an MBR system id, or NULL when sfdisk knows none. */
const char *cli_mbr_type_name(unsigned id);

#endif /* DMBOOT_PARTTYPES_H */
