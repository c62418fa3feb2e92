// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot ddi inspect`: the partitions systemd-dissect would use, in its
 * table or its JSON (with the same columns and keys), and the root hash and
 * signature state of root and usr, as dmboot adds.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddi.h"

/* systemd's format_bytes(): binary units, one truncated decimal. */
static void format_bytes(uint64_t t, char *buf, size_t n)
{
	static const struct {
		const char *suffix;
		uint64_t factor;
	} units[] = {
		{ "E", 1ull << 60 }, { "P", 1ull << 50 }, { "T", 1ull << 40 },
		{ "G", 1ull << 30 }, { "M", 1ull << 20 }, { "K", 1ull << 10 },
	};
	const size_t last = sizeof(units) / sizeof(units[0]) - 1;

	for (size_t i = 0; i <= last; i++) {
		if (t < units[i].factor)
			continue;
		snprintf(buf, n, "%llu.%llu%s", (unsigned long long)(t / units[i].factor),
			 (unsigned long long)(i != last ? (t / units[i + 1].factor * 10 /
							    units[last].factor) % 10
							 : (t * 10 / units[i].factor) % 10),
			 units[i].suffix);
		return;
	}
	snprintf(buf, n, "%lluB", (unsigned long long)t);
}

/* File systems that cannot be written; systemd shows their partitions read-only. */
static bool fstype_is_ro(const char *fs)
{
	return strcmp(fs, "squashfs") == 0 || strcmp(fs, "erofs") == 0 ||
	       strcmp(fs, "DM_verity_hash") == 0;
}

enum col {
	C_RW, C_DESIGNATOR, C_UUID, C_LABEL, C_FSTYPE, C_ARCH, C_VERITY, C_GROWFS, C_NODE,
	C_PARTNO, C_COUNT
};

static const char *const col_names[C_COUNT] = {
	"rw", "designator", "partition_uuid", "partition_label", "fstype", "architecture",
	"verity", "growfs", "node", "partno",
};

/* One row of the table: strings, NULL for an empty cell. */
struct row {
	char *cell[C_COUNT];
	bool growfs;
	unsigned partno;
	const struct dmb_ddi_verity *verity; /* root and usr: their verity, else NULL */
};

/* The verity of a data partition (root or usr), or NULL. */
static const struct dmb_ddi_verity *verity_of(const struct dmb_ddi *ddi,
					      enum dmb_ddi_designator d)
{
	return d == DMB_DDI_ROOT ? &ddi->verity[0] : d == DMB_DDI_USR ? &ddi->verity[1] : NULL;
}

/* The fstype systemd shows: it names ESP, verity and signature partitions by their type. */
static const char *shown_fstype(const struct dmb_ddi_partition *p)
{
	switch (p->designator) {
	case DMB_DDI_ESP:
		return "vfat";
	case DMB_DDI_ROOT_VERITY:
	case DMB_DDI_USR_VERITY:
		return "DM_verity_hash";
	case DMB_DDI_ROOT_VERITY_SIG:
	case DMB_DDI_USR_VERITY_SIG:
		return "verity_hash_signature";
	default:
		return p->fstype[0] ? p->fstype : NULL;
	}
}

/* Copy s into a cell (NULL is an empty cell); false when out of memory. */
static bool set_cell(struct row *row, enum col c, const char *s)
{
	row->cell[c] = s ? strdup(s) : NULL;
	return !s || row->cell[c];
}

/*
 * Fill a row as systemd-dissect fills it: verity and signature partitions
 * are read-only, as is a data partition whose root hash is known and any
 * partition of a read-only file system; grow-fs counts only when writable.
 */
static int make_row(const struct dmb_ddi *ddi, const struct dmb_ddi_partition *p,
		    const char *image, struct row *row)
{
	const struct dmb_ddi_verity *v = verity_of(ddi, p->designator);
	const char *fs = shown_fstype(p), *verity = NULL;
	static const uint8_t zero[16];
	bool rw = !p->read_only, ok = true;
	char uuid[37], num[16];

	memset(row, 0, sizeof(*row));
	if (p->designator == DMB_DDI_ROOT_VERITY || p->designator == DMB_DDI_USR_VERITY ||
	    p->designator == DMB_DDI_ROOT_VERITY_SIG || p->designator == DMB_DDI_USR_VERITY_SIG)
		rw = false;
	if (p->designator == DMB_DDI_SWAP)
		rw = true; /* and never grown */
	if (v && v->root_hash_size)
		rw = false;
	if (fs && fstype_is_ro(fs))
		rw = false;
	/* Like systemd 252, every root and usr partition says whether verity is set up. */
	if (v && v->hash && (v->state == DMB_DDI_VERITY_SIGNED ||
			     v->state == DMB_DDI_VERITY_UNVERIFIED))
		verity = "signed";
	else if (v)
		verity = v->hash && v->root_hash_size ? "yes" : "no";
	row->growfs = p->growfs && rw && p->designator != DMB_DDI_SWAP;
	row->partno = p->part->number;
	row->verity = v && v->hash ? v : NULL;
	dmb_guid_format(p->part->uuid, false, uuid);
	snprintf(num, sizeof(num), "%u", p->part->number);
	ok &= set_cell(row, C_RW, rw ? "rw" : "ro");
	ok &= set_cell(row, C_DESIGNATOR, dmb_ddi_designator_name(p->designator));
	ok &= set_cell(row, C_UUID, memcmp(p->part->uuid, zero, 16) ? uuid : NULL);
	ok &= set_cell(row, C_LABEL, p->part->name[0] ? p->part->name : NULL);
	ok &= set_cell(row, C_FSTYPE, fs);
	ok &= set_cell(row, C_ARCH, dmb_ddi_arch_name(p->arch));
	ok &= set_cell(row, C_VERITY, verity);
	ok &= set_cell(row, C_GROWFS, row->growfs ? "yes" : "no");
	ok &= set_cell(row, C_PARTNO, num);
	if (asprintf(&row->cell[C_NODE], "%s:p%u", image, p->part->number) < 0) {
		row->cell[C_NODE] = NULL;
		ok = false;
	}
	return ok ? 0 : DMB_ENOMEM;
}

static void free_rows(struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < C_COUNT; c++)
			free(rows[i].cell[c]);
	free(rows);
}

/* The signature state's word for JSON, or NULL when there is no signature partition. */
static const char *sig_word(const struct dmb_ddi_verity *v)
{
	if (!v || !v->sig)
		return NULL;
	if (v->state == DMB_DDI_VERITY_SIGNED)
		return "verified";
	switch (v->sig_err) {
	case DMB_ENOKEY:
		return "untrusted";
	case DMB_EVERIFY:
		return "mismatch";
	case DMB_ECORRUPT:
	case DMB_EINVAL:
		return "malformed";
	default:
		return "error";
	}
}

/* One mount: the columns, then what dmboot adds, the root hash and its signature. */
static void json_row(struct cli_json *j, const struct row *r)
{
	const struct dmb_ddi_verity *v = r->verity;
	char hex[2 * DMB_MAX_DIGEST_SIZE + 1];

	cli_json_object(j, NULL);
	for (int c = 0; c < C_COUNT; c++) {
		if (c == C_GROWFS)
			cli_json_bool(j, col_names[c], r->growfs);
		else if (c == C_PARTNO)
			cli_json_u64(j, col_names[c], r->partno);
		else
			cli_json_str(j, col_names[c], r->cell[c]);
	}
	if (v && v->root_hash_size)
		dmb_hex_encode(v->root_hash, v->root_hash_size, hex);
	cli_json_str(j, "roothash", v && v->root_hash_size ? hex : NULL);
	cli_json_str(j, "signature", sig_word(v));
	cli_json_str(j, "signature_error", v && v->sig && v->sig_err ? v->sig_msg : NULL);
	cli_json_end(j);
}

static void print_json(const char *name, uint64_t size, const struct row *rows, size_t n,
		       bool pretty)
{
	struct cli_json j;

	cli_json_init(&j, pretty ? &cli_json_systemd_pretty : &cli_json_systemd_short);
	cli_json_object(&j, NULL);
	cli_json_str(&j, "name", name);
	cli_json_u64(&j, "size", size);
	cli_json_array(&j, "mounts");
	for (size_t i = 0; i < n; i++)
		json_row(&j, &rows[i]);
	cli_json_end(&j);
	cli_json_end(&j);
}

/*
 * The table as systemd's format-table prints it: padded columns, numbers
 * right-aligned, an empty cell as "-".  Labels come from the disk and signer
 * names from the signature: their control characters are shown escaped (as
 * in error lines), so they can neither break a line nor reach the terminal.
 */
static const struct cli_column table_cols[C_COUNT] = {
	{ "RW", 0, 0, false }, { "DESIGNATOR", 0, 0, false }, { "PARTITION UUID", 0, 0, false },
	{ "PARTITION LABEL", 0, 0, false }, { "FSTYPE", 0, 0, false },
	{ "ARCHITECTURE", 0, 0, false }, { "VERITY", 0, 0, false }, { "GROWFS", 0, 0, false },
	{ "NODE", 0, 0, false }, { "PARTNO", 0, 0, true },
};

static const struct cli_table_style table_style = {
	.prefix = "", .sep = " ", .pad = true, .width = CLI_WIDTH_ESCAPED, .null_text = "-",
};

static int print_table(const struct row *rows, size_t n)
{
	const char **cells = calloc(n * C_COUNT + 1, sizeof(*cells));
	int r;

	if (!cells)
		return DMB_ENOMEM;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < C_COUNT; c++)
			cells[i * C_COUNT + (size_t)c] = rows[i].cell[c];
	r = cli_table_print(&table_style, table_cols, C_COUNT, cells, n);
	free(cells);
	return r ? DMB_ENOMEM : 0;
}

static void put_text(const char *s)
{
	cli_put_text(s, CLI_WIDTH_ESCAPED);
}

static void print_verity_lines(const struct dmb_ddi *ddi)
{
	static const char *const label[2] = { " Root Hash", "  Usr Hash" };

	for (int v = 0; v < 2; v++) {
		const struct dmb_ddi_verity *vy = &ddi->verity[v];
		char hex[2 * DMB_MAX_DIGEST_SIZE + 1];

		if (!vy->data || !vy->hash)
			continue;
		if (vy->root_hash_size) {
			dmb_hex_encode(vy->root_hash, vy->root_hash_size, hex);
			printf("%s: %s\n", label[v], hex);
		} else {
			printf("%s: unknown (no usable signature partition; see --%s-hash)\n",
			       label[v], ddi_dev_names[v]);
		}
		if (vy->state == DMB_DDI_VERITY_SIGNED)
			printf(" Signature: verified (%s partition %u)\n",
			       dmb_ddi_designator_name(vy->sig->designator), vy->sig->part->number);
		else if (vy->sig) {
			printf(" Signature: NOT VERIFIED: ");
			put_text(vy->sig_msg);
			putchar('\n');
		}
		else if (vy->state == DMB_DDI_VERITY_EXTERNAL)
			printf(" Signature: none (root hash given on the command line)\n");
		else
			printf(" Signature: none\n");
	}
}

int ddi_inspect(void *opts, int argc, char **argv)
{
	const struct dopts *o = opts;
	const char *path = argv[1];
	struct image im;
	struct row *rows = NULL;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char size[32];
	size_t n = 0;
	int status = ddi_image_open(&im, o, path, DMB_DDI_KEEP_GOING);

	(void)argc;
	if (status)
		goto out;
	rows = calloc(DMB_DDI_DESIGNATOR_COUNT, sizeof(*rows));
	if (!rows) {
		status = DDI_NOMEM;
		goto out;
	}
	/* systemd lists its partitions in the order of its designators, which dmboot shares. */
	for (int d = 0; d < DMB_DDI_DESIGNATOR_COUNT; d++) {
		if (!im.ddi->chosen[d])
			continue;
		if (make_row(im.ddi, im.ddi->chosen[d], im.name, &rows[n++])) {
			cli_error("out of memory");
			status = DDI_NOMEM;
			goto out;
		}
	}
	if (o->json != JSON_OFF) {
		print_json(base, dmb_bdev_bytes(im.bd), rows, n, o->json == JSON_PRETTY);
	} else {
		format_bytes(dmb_bdev_bytes(im.bd), size, sizeof(size));
		printf("      Name: ");
		put_text(base);
		putchar('\n');
		printf("      Size: %s\n", size);
		print_verity_lines(im.ddi);
		printf("\n");
		if (print_table(rows, n)) {
			cli_error("out of memory");
			status = DDI_NOMEM;
		}
	}
out:
	free_rows(rows, n);
	ddi_image_close(&im);
	return status;
}
