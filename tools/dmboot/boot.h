/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * What the files of `dmboot boot` share: the scan that finds OS images on
 * the given devices (whole-disk images, images in partitions, images in
 * the logical volumes of every VG found) with each one's verdict
 * (boot_scan.c), and the verbs (boot.c, boot_open.c).
 */
#ifndef DMBOOT_BOOT_TOOL_H
#define DMBOOT_BOOT_TOOL_H

#include "cli/device.h"

/* Exit status (docs/boot.md). */
enum {
	BOOT_OK = 0,
	BOOT_USAGE = 1,
	BOOT_FAILED = 2,     /* a device could not be read, a step of open failed */
	BOOT_NOMEM = 3,      /* 3 and 5 are ddi's too, whose statuses open passes on */
	BOOT_NONE = 4,       /* no bootable image, or none by the name given */
	BOOT_BUSY = 5,       /* open: the devices exist already; close: in use */
	BOOT_REFUSED = 6,    /* cmdline: the form cannot express where the image is */
};

enum boot_json { BOOT_JSON_OFF, BOOT_JSON_PRETTY, BOOT_JSON_SHORT };
enum boot_format { BOOT_FMT_DM_MOD, BOOT_FMT_ROOTHASH, BOOT_FMT_DDI };

struct boot_opts {
	char **devices;
	size_t ndevices;
	char **certs;
	size_t ncerts;
	const char *match;        /* --match pattern, NULL: the default rule */
	const char *min_version;  /* --min-version */
	const char *name;         /* --name PREFIX (open) */
	enum dmb_ddi_arch arch;
	enum boot_json json;
	enum boot_format format;
};

enum boot_host {
	BOOT_HOST_DISK,   /* the image is a whole device given with --devices */
	BOOT_HOST_PART,   /* the image fills a partition of one */
	BOOT_HOST_LV,     /* the image fills a logical volume */
};

struct boot_dev;

/* One image the scan found, bootable or not. */
struct boot_image {
	char *name;           /* what the version is read from: the LV name, the partition label */
	char *where;          /* VG/LV, DEVICE:pN or DEVICE */
	enum boot_host host;
	const struct dmb_lvm_lv *lv;         /* BOOT_HOST_LV */
	const struct boot_dev *dev;          /* the device given, or the one holding the partition */
	const struct dmb_part *part;         /* BOOT_HOST_PART: the partition */
	struct dmb_bdev *bd;                 /* the image's bytes */
	struct dmb_dev *lvdev;               /* BOOT_HOST_LV: the LV mapped in memory */
	struct dmb_table *lvtable;           /* BOOT_HOST_LV: its table, over PARTUUID= names */
	struct dmb_ddi *ddi;
	bool has_version;
	struct dmb_boot_name ver;
	enum dmb_ddi_arch arch;
	bool usr;                            /* usr-only: the usr partition is what boots */
	char roothash[2 * DMB_MAX_DIGEST_SIZE + 1];  /* "" when unknown */
	const char *signature;               /* verified, unsigned, untrusted, mismatch, malformed */
	char signer[256];                    /* "" when unknown */
	char *reason;                        /* why it cannot boot; NULL: bootable */
};

/* A device of --devices, with its partitions. */
struct boot_dev {
	char *path;
	struct dmb_bdev *bd;
	struct dmb_part_table *parts;        /* NULL: none */
	struct dmb_slice_bdev *slices;       /* one per partition of parts, by index */
	char (*uuids)[DMB_PART_UUID_MAX];    /* the PARTUUID of each, "" when not sliced */
};

struct boot_scan {
	struct dmb_ctx ctx;
	struct dmb_posix_crypto pc;
	struct dmb_resolver res;             /* PARTUUID=, device paths, for the LV tables */
	struct dmb_ctx lvctx;                /* the LV devices': a device keeps its context */
	struct dmb_lvm_scan *lvm;
	struct boot_dev *devs;
	size_t ndevs;
	struct boot_image *imgs;             /* bootable ones first, in the order to try them */
	size_t nimgs;
};

/* Scan the devices and judge every image; prints the error line, returns an exit status. */
int boot_scan_run(struct boot_scan *s, const struct boot_opts *o);
void boot_scan_fini(struct boot_scan *s);
/* The image IMAGE names (its name, VG/LV, or where), or NULL. */
const struct boot_image *boot_find(const struct boot_scan *s, const char *image);

int boot_open(void *opts, int argc, char **argv);
int boot_close(void *opts, int argc, char **argv);

#endif /* DMBOOT_BOOT_TOOL_H */
