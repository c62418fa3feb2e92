/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Internals of the LVM2 reader shared by its files: what a PV's label and
 * metadata areas yield (pv.c), and the metadata tree turned into the model
 * of <dmboot/lvm.h> (vg.c).  scan.c ties them together.
 */
#ifndef DMBOOT_LIB_LVM2_H
#define DMBOOT_LIB_LVM2_H

#include "../formats.h"
#include "config.h"

/* Label and metadata area constants (formats.md §4.1-§4.3). */
#define LVM_LABEL_SCAN_SECTORS 4
#define LVM_SECTOR 512u
#define LVM_MDA_HEADER_SIZE 512u
#define LVM_INITIAL_CRC 0xf597a6cfu
#define LVM_RAW_LOCN_IGNORED 1u
#define LVM_PV_EXT_USED 1u
/* Largest metadata text copy read (DMB_ERANGE beyond): lvm2 itself keeps
 * copies far smaller, a copy being at most half of a metadata area. */
#define LVM_MAX_TEXT_BYTES (16u << 20)

/* One committed metadata copy read from a metadata area. */
struct lvm_copy {
	struct lvm_pvdev *dev;
	unsigned mda;                 /* index of the area on dev */
	char vgid[DMB_LVM_UUID_MAX];  /* the VG's id, printed form */
	const char *vgname;
	uint64_t seqno;
	struct dmbi_cfg_node *root;    /* the parsed text */
	struct dmbi_cfg_node *vgsec;   /* the VG section inside root */
	struct lvm_copy *next;
};

/* A scanned PV device: the public part and what the scan keeps besides. */
struct lvm_pvdev {
	struct dmb_lvm_pvdev pub;
	char *name;                   /* owned copy of the name */
	char id[DMB_LVM_ID_CHARS + 1];/* id without dashes, for matching */
	unsigned copies;              /* metadata copies read from this device */
};

/*
 * Read the label of bd.  On success dev is filled (name not set) and every
 * committed metadata copy found is parsed and appended to *copies.
 * Errors as dmb_lvm_scan_add().
 */
int dmbi_lvm_pv_read(struct dmb_ctx *ctx, const char *name, struct dmb_bdev *bd,
		     struct lvm_pvdev *dev, struct lvm_copy **copies);

/* Free a list of copies. */
void dmbi_lvm_copies_free(struct lvm_copy *c);

/* The printed form of a 32-character id: 6-4-4-4-4-4-6 with dashes. */
void dmbi_lvm_id_format(const char *id32, char out[DMB_LVM_UUID_MAX]);
/*
 * Check a printed or bare id and reduce it to its 32 characters.
 * Returns false unless it is 32 characters of [0-9a-zA-Z!#] with the
 * dashes, if any, in the printed places.
 */
bool dmbi_lvm_id_parse(const char *text, char out[DMB_LVM_ID_CHARS + 1]);

/* A VG model and everything it owns. */
struct lvm_vg {
	struct dmb_lvm_vg pub;
	struct dmbi_cfg_node *root;    /* the tree the names point into */
	struct dmb_lvm_pv *pvs;
	struct dmb_lvm_lv *lvs;
	struct dmb_lvm_seg *segs;     /* all segments, LV after LV */
	struct dmb_lvm_area *areas;   /* all areas, segment after segment */
};

/*
 * Build the model of one metadata copy.  devs are the scanned PV devices
 * (matched by id).  On success takes ownership of copy->root.
 * Errors: DMB_ECORRUPT (the message names the VG and key), DMB_ENOTSUP,
 * DMB_ERANGE, DMB_ENOMEM.
 */
int dmbi_lvm_vg_build(struct dmb_ctx *ctx, struct lvm_copy *copy, struct lvm_pvdev *const *devs,
		      size_t ndevs, struct lvm_vg **out);
void dmbi_lvm_vg_free(struct lvm_vg *vg);

#endif /* DMBOOT_LIB_LVM2_H */
