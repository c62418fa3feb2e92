/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * dmboot: a device mapper compatible with Linux's device-mapper, for
 * bootloaders and for hosts without root or kernel dm.
 *
 * This umbrella header is the only public header an embedder includes.  The
 * headers it pulls in refuse to be included on their own.  The platform
 * contract lives in <dmboot/port.h>; the library's objects are:
 *
 *   struct dmb_ctx       configuration plus the last error message
 *   struct dmb_bdev      a block device (what the library reads and exports)
 *   struct dmb_resolver  turns a device name in a table into a dmb_bdev
 *   struct dmb_crypto    digests and signature checks (the crypto provider)
 *   struct dmb_table     a parsed dm table (Linux dmsetup syntax)
 *   struct dmb_dev       a mapped device: a table instantiated over lower
 *                        devices, itself a dmb_bdev
 *   struct dmb_part_table  GPT or MBR partitions of a block device
 *   struct dmb_ddi       a Discoverable Disk Image dissected: its partitions
 *                        by designator, verity paired and signatures checked
 *   struct dmb_lvm_scan  LVM2 PVs found on devices, their VGs and LVs, and
 *                        the tables lvm2 would load for them
 *   struct dmb_boot_name the version and boot counters an image's name
 *                        carries, and the order images are tried in
 *   struct dmb_luks      a LUKS1 or LUKS2 header read and validated: its key
 *                        slots, the volume key they unlock, the crypt table
 */
#ifndef DMBOOT_DMBOOT_H
#define DMBOOT_DMBOOT_H

#define DMBOOT_INSIDE_DMBOOT_H 1

#include <dmboot/port.h>

#include <dmboot/error.h>
#include <dmboot/bdev.h>
#include <dmboot/crypto.h>
#include <dmboot/table.h>
#include <dmboot/device.h>
#include <dmboot/verity.h>
#include <dmboot/part.h>
#include <dmboot/lvm.h>
#include <dmboot/ddi.h>
#include <dmboot/boot.h>
#include <dmboot/luks.h>

#undef DMBOOT_INSIDE_DMBOOT_H

#endif /* DMBOOT_DMBOOT_H */
