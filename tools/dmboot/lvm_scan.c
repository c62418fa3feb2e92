// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The scan of `dmboot lvm`: every device of --devices, under any device
 * spelling (a file, a block device, a mapped device such as an opened LUKS
 * volume: docs/sfdisk.md), and every partition on it (as IMAGE:pN) is
 * offered to the library's LVM2 scanner (formats.md
 * §5); a device that is no PV is skipped quietly, one that is damaged with
 * lvm2's warning, and the PVs a VG misses are named as lvm2 names them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvm.h"

void lvm_scan_fini(struct scan *s)
{
	dmb_lvm_scan_destroy(s->lvm);
	for (size_t i = 0; i < s->ndevs; i++) {
		struct scanned_dev *d = &s->devs[i];

		for (size_t k = 0; k < d->nslices; k++)
			free(d->slice_names[k]);
		free(d->slice_names);
		free(d->slices);
		dmb_part_table_destroy(d->parts);
		cli_image_close(&d->im);
		free(d->path);
	}
	free(s->devs);
}

/* Add one device to the LVM scan; a device that is no PV is fine. */
static void scan_one(struct scan *s, const char *name, struct dmb_bdev *bd)
{
	int r = dmb_lvm_scan_add(s->lvm, name, bd);

	if (r == DMB_ENOENT || r == 0)
		return;
	fprintf(stderr, "  WARNING: %s (device not used).\n", s->ctx.msg);
}

/* Open a device and its partitions and add them all to the scan. */
static int scan_device(struct scan *s, const char *path)
{
	struct scanned_dev *d = &s->devs[s->ndevs];
	int r = cli_image_open(&d->im, &s->ctx, path, NULL, 0, 0);

	if (r) {
		if (s->ctx.msg[0])
			fprintf(stderr, "  Cannot use %s: %s\n", path, s->ctx.msg);
		cli_image_close(&d->im);
		return r;
	}
	d->bdev = d->im.bd;
	d->path = strdup(path);
	if (!d->path)
		return -ENOMEM;
	s->ndevs++;
	scan_one(s, path, d->bdev);
	/* The library's warnings cannot name the device: say it here instead. */
	s->ctx.log_level = DMB_LOG_ERR;
	r = dmb_part_table_load(&s->ctx, d->bdev, 0, &d->parts);
	s->ctx.log_level = DMB_LOG_WARN;
	if (r == DMB_ENOENT)
		return 0;
	if (r) {
		fprintf(stderr, "  WARNING: %s: partition table: %s\n", path, s->ctx.msg);
		return 0;
	}
	if (d->parts->used_backup)
		fprintf(stderr, "  WARNING: %s: the primary GPT is damaged; using the backup.\n", path);
	else if (d->parts->backup_bad)
		fprintf(stderr, "  WARNING: %s: the backup GPT is damaged or missing.\n", path);
	d->slices = calloc(d->parts->count ? d->parts->count : 1, sizeof(*d->slices));
	d->slice_names = calloc(d->parts->count ? d->parts->count : 1, sizeof(*d->slice_names));
	if (!d->slices || !d->slice_names)
		return -ENOMEM;
	for (size_t i = 0; i < d->parts->count; i++) {
		const struct dmb_part *p = &d->parts->parts[i];
		char *name;

		/* An extended partition only holds the logical ones. */
		if (p->extended ||
		    dmb_part_slice(&s->ctx, d->bdev, d->parts, p, &d->slices[d->nslices]))
			continue;
		if (asprintf(&name, "%s:p%u", path, p->number) < 0)
			return -ENOMEM;
		d->slice_names[d->nslices] = name;
		scan_one(s, name, &d->slices[d->nslices].bdev);
		d->nslices++;
	}
	return 0;
}

int lvm_scan_all(struct scan *s, const struct lvm_opts *o)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->ctx.log_level = DMB_LOG_WARN;
	if (o->ndevices == 0) {
		cli_error("no devices to scan: give them with --devices IMAGE[,IMAGE...]");
		return LVM_INVALID_CMD_LINE;
	}
	s->devs = calloc(o->ndevices, sizeof(*s->devs));
	if (!s->devs || dmb_lvm_scan_create(&s->ctx, &s->lvm)) {
		cli_error("out of memory");
		return LVM_FAILED;
	}
	for (size_t i = 0; i < o->ndevices; i++) {
		r = scan_device(s, o->devices[i]);
		if (r == -ENOMEM) {
			cli_error("out of memory");
			return LVM_FAILED;
		}
	}
	r = dmb_lvm_scan_finish(s->lvm);
	if (r == DMB_ENOMEM) {
		cli_error("out of memory");
		return LVM_FAILED;
	}
	if (r)
		fprintf(stderr, "  %s\n", s->ctx.msg);
	/* lvm2 names the PVs a VG misses. */
	for (size_t i = 0; i < dmb_lvm_scan_vg_count(s->lvm); i++) {
		const struct dmb_lvm_vg *vg = dmb_lvm_scan_vg(s->lvm, i);

		for (size_t k = 0; k < vg->pv_count; k++)
			if (!vg->pvs[k].dev)
				fprintf(stderr, "  WARNING: Couldn't find device with uuid %s.\n",
					vg->pvs[k].uuid);
		for (size_t k = 0; k < vg->pv_count; k++)
			if (!vg->pvs[k].dev)
				fprintf(stderr, "  WARNING: VG %s is missing PV %s (last written to %s).\n",
					vg->name, vg->pvs[k].uuid,
					vg->pvs[k].device_hint ? vg->pvs[k].device_hint : "[unknown]");
	}
	return LVM_OK;
}
