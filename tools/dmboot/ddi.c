// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * `dmboot ddi`: Discoverable Disk Images (formats.md §6) after systemd-dissect.
 * inspect shows the partitions systemd-dissect would use, with its columns
 * and JSON keys, and the root hash and signature state; open checks the
 * -verity-sig partition's signature against the trusted certificates before
 * anything is mapped, then creates `root` and `usr` (verity over the data
 * partition when the root hash is known) all or nothing, and records what
 * it made so that close removes exactly that; cmdline prints the
 * dm-mod.create= line (formats.md §1.8) that makes Linux build the same
 * devices at boot.  The library (<dmboot/ddi.h>) does the dissection; this
 * file adds the command line, the output and the registry.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/device.h"

/* Exit status; every refusal of a signature has its own (docs/ddi.md). */
enum {
	DDI_OK = 0,
	DDI_USAGE = 1,       /* wrong command line */
	DDI_IMAGE = 2,       /* not a usable image: no partition table, no root, a bad superblock, I/O */
	DDI_NOMEM = 3,
	DDI_NOTFOUND = 4,    /* no such image; close: nothing open from it */
	DDI_BUSY = 5,        /* a device exists already or is in use */
	DDI_UNTRUSTED = 10,  /* the signer is not a trusted certificate */
	DDI_BADSIG = 11,     /* the signature is not over this root hash */
	DDI_UUID = 12,       /* the root hash does not match the partition UUIDs */
	DDI_MALFORMED = 13,  /* the -verity-sig partition or its signature is malformed */
	DDI_UNSIGNED = 14,   /* --require-signature, and there is no signature */
};

/* Where systemd looks for the certificates it trusts for verity signatures. */
static const char *const default_cert_dirs[] = {
	"/etc/verity.d", "/run/verity.d", "/usr/local/lib/verity.d", "/usr/lib/verity.d",
};

#define RECORD_MAGIC "dmboot-ddi 1"
#define RECORD_PREFIX "ddi-"
#define RECORD_MAX_BYTES 65536

enum json_mode { JSON_OFF, JSON_PRETTY, JSON_SHORT };

struct dopts {
	enum json_mode json;
	enum dmb_ddi_arch arch;
	uint8_t hash[2][DMB_MAX_DIGEST_SIZE]; /* --root-hash, --usr-hash */
	size_t hash_size[2];
	char **certs;
	size_t ncerts;
	bool require_sig;
};

/* The mapped devices open makes, and the designators they map. */
static const char *const dev_names[2] = { "root", "usr" };
static const enum dmb_ddi_designator dev_which[2] = { DMB_DDI_ROOT, DMB_DDI_USR };

static void help(FILE *f)
{
	fprintf(f,
		"Usage: dmboot ddi <command> IMAGE [options]\n"
		"\n"
		"  inspect IMAGE [--json[=pretty|short]]  the partitions systemd-dissect uses\n"
		"  open IMAGE [--require-signature]       map root (and usr) as mapped devices\n"
		"  close IMAGE                            remove the devices open made\n"
		"  cmdline IMAGE [--require-signature]    the dm-mod.create= kernel command line\n"
		"\n"
		"Options: --trusted-cert=CERT|DIR (repeatable; default: *.crt in /etc/verity.d,\n"
		"  /run/verity.d, /usr/local/lib/verity.d, /usr/lib/verity.d)\n"
		"  --root-hash=HEX --usr-hash=HEX --architecture=ARCH\n");
}

/* ---- opening and dissecting --------------------------------------------- */

struct image {
	struct dmb_ctx ctx;
	struct dmb_posix_crypto pc;
	struct dmb_bdev *bd;
	struct dmb_ddi *ddi;
	struct dmb_ddi_options opt;
};

static void image_close(struct image *im)
{
	dmb_ddi_destroy(im->ddi);
	dmb_posix_close(im->bd);
	dmb_posix_crypto_fini(&im->pc);
}

static bool is_crt(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".crt") == 0;
}

/* The *.crt files of systemd's verity.d directories that exist. */
static int add_default_certs(struct image *im)
{
	int r = 0;

	for (size_t i = 0; i < sizeof(default_cert_dirs) / sizeof(default_cert_dirs[0]); i++) {
		DIR *d = opendir(default_cert_dirs[i]);
		struct dirent *de;

		while (r == 0 && d && (de = readdir(d))) {
			struct stat sb;
			char *p;

			if (!is_crt(de->d_name))
				continue;
			if (asprintf(&p, "%s/%s", default_cert_dirs[i], de->d_name) < 0)
				return DMB_ENOMEM;
			if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
				r = dmb_posix_crypto_add_trusted(&im->pc, &im->ctx, p);
			free(p);
		}
		if (d)
			closedir(d);
	}
	return r;
}

static int exit_status(int r)
{
	switch (r) {
	case 0:
		return DDI_OK;
	case DMB_ENOMEM:
		return DDI_NOMEM;
	case DMB_EEXIST:
	case DMB_EBUSY:
		return DDI_BUSY;
	default:
		return DDI_IMAGE;
	}
}

/* The first signature failure KEEP_GOING recorded, or 0. */
static int sig_error(const struct dmb_ddi *ddi)
{
	return ddi->verity[0].sig_err ? ddi->verity[0].sig_err : ddi->verity[1].sig_err;
}

static int sig_status(int err)
{
	switch (err) {
	case DMB_ENOKEY:
		return DDI_UNTRUSTED;
	case DMB_EVERIFY:
		return DDI_BADSIG;
	case DMB_ECORRUPT:
	case DMB_EINVAL:
		return DDI_MALFORMED;
	default:
		return exit_status(err);
	}
}

/*
 * The exit status for a dissection that failed with r.  The library's codes
 * are shared between stages (DMB_EVERIFY is a bad signature and a root hash
 * the partition UUIDs do not match; DMB_ENOKEY an untrusted signer and a
 * missing one), so a second dissection that records signature failures
 * instead of stopping at them tells which stage refused.  Its result only
 * picks the status: nothing is mapped from it.
 */
static int refusal_status(struct image *im, int r)
{
	struct dmb_ddi_options keep = im->opt;
	struct dmb_ctx ctx = im->ctx;
	struct dmb_ddi *ddi;
	int d, status = exit_status(r);

	if (r == DMB_ENOMEM)
		return DDI_NOMEM;
	keep.flags = (keep.flags & ~DMB_DDI_REQUIRE_SIGNATURE) | DMB_DDI_KEEP_GOING;
	d = dmb_ddi_dissect(&ctx, im->bd, &keep, &ddi);
	if (d == 0 && sig_error(ddi) == r)
		status = sig_status(r);
	else if (d == 0 && sig_error(ddi) == 0 && r == DMB_ENOKEY)
		status = DDI_UNSIGNED;
	else if (d == DMB_EVERIFY && r == DMB_EVERIFY)
		status = DDI_UUID;
	dmb_ddi_destroy(ddi);
	return status;
}

/*
 * Open path, load the trusted certificates and dissect with flags.  Prints
 * the error line and returns the exit status.
 */
static int image_open(struct image *im, const struct dopts *o, const char *path, unsigned flags)
{
	int r;

	memset(im, 0, sizeof(*im));
	dmb_posix_crypto_init(&im->pc);
	im->ctx.crypto = &im->pc.crypto;
	for (size_t i = 0; i < o->ncerts; i++) {
		r = dmb_posix_crypto_add_trusted(&im->pc, &im->ctx, o->certs[i]);
		if (r) {
			cli_error("%s", im->ctx.msg);
			return r == DMB_ENOMEM ? DDI_NOMEM : DDI_USAGE;
		}
	}
	if (o->ncerts == 0) {
		r = add_default_certs(im);
		if (r) {
			cli_error("%s", im->ctx.msg[0] ? im->ctx.msg : dmb_strerror(r));
			return r == DMB_ENOMEM ? DDI_NOMEM : DDI_USAGE;
		}
	}
	r = dmb_posix_open(&im->ctx, path, 0, &im->bd);
	if (r) {
		cli_error("%s", im->ctx.msg);
		return r == DMB_ENOENT ? DDI_NOTFOUND : exit_status(r);
	}
	im->opt.arch = o->arch;
	/* Inspection shows a missing signature; only mapping refuses it. */
	im->opt.flags = flags;
	if (o->require_sig && !(flags & DMB_DDI_KEEP_GOING))
		im->opt.flags |= DMB_DDI_REQUIRE_SIGNATURE;
	for (int v = 0; v < 2; v++) {
		im->opt.root_hash[v] = o->hash_size[v] ? o->hash[v] : NULL;
		im->opt.root_hash_size[v] = o->hash_size[v];
	}
	r = dmb_ddi_dissect(&im->ctx, im->bd, &im->opt, &im->ddi);
	if (r) {
		cli_error("%s: %s", path, im->ctx.msg);
		return (flags & DMB_DDI_KEEP_GOING) ? (r == DMB_EVERIFY ? DDI_UUID : exit_status(r))
						    : refusal_status(im, r);
	}
	return DDI_OK;
}

/* ---- inspect ------------------------------------------------------------ */

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

/* Start an object member or array element at depth, in systemd's pretty or short layout. */
static void json_next(bool pretty, int depth, bool first, const char *key)
{
	if (!first)
		putchar(',');
	if (pretty) {
		putchar('\n');
		for (int i = 0; i < depth; i++)
			putchar('\t');
	}
	if (key) {
		cli_json_string(key);
		fputs(pretty ? " : " : ":", stdout);
	}
}

static void json_close(bool pretty, int depth, char c)
{
	if (pretty) {
		putchar('\n');
		for (int i = 0; i < depth; i++)
			putchar('\t');
	}
	putchar(c);
}

static void print_json(const char *name, uint64_t size, const struct row *rows, size_t n,
		       bool pretty)
{
	putchar('{');
	json_next(pretty, 1, true, "name");
	cli_json_string(name);
	json_next(pretty, 1, false, "size");
	printf("%llu", (unsigned long long)size);
	json_next(pretty, 1, false, "mounts");
	if (n == 0) {
		fputs("[]", stdout);
	} else {
		putchar('[');
		for (size_t i = 0; i < n; i++) {
			const struct row *r = &rows[i];
			const struct dmb_ddi_verity *v = r->verity;
			char hex[2 * DMB_MAX_DIGEST_SIZE + 1];

			json_next(pretty, 2, i == 0, NULL);
			putchar('{');
			for (int c = 0; c < C_COUNT; c++) {
				json_next(pretty, 3, c == 0, col_names[c]);
				if (c == C_GROWFS)
					fputs(r->growfs ? "true" : "false", stdout);
				else if (c == C_PARTNO)
					printf("%u", r->partno);
				else
					cli_json_string(r->cell[c]);
			}
			/* What dmboot adds: the root hash and what became of its signature. */
			if (v && v->root_hash_size)
				dmb_hex_encode(v->root_hash, v->root_hash_size, hex);
			json_next(pretty, 3, false, "roothash");
			cli_json_string(v && v->root_hash_size ? hex : NULL);
			json_next(pretty, 3, false, "signature");
			cli_json_string(sig_word(v));
			json_next(pretty, 3, false, "signature_error");
			cli_json_string(v && v->sig && v->sig_err ? v->sig_msg : NULL);
			json_close(pretty, 2, '}');
		}
		json_close(pretty, 1, ']');
	}
	json_close(pretty, 0, '}');
	putchar('\n');
}

/*
 * Labels come from the disk and signer names from the signature: on a
 * terminal their control characters are shown escaped (as in error lines),
 * so they can neither break a line nor reach the terminal.
 */
static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static void put_text(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (is_control(*p))
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

/* Columns put_text() fills: one per UTF-8 character, four per escaped byte. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		w += is_control(*p) ? 4 : (*p & 0xc0) != 0x80;
	return w;
}

/* The table as systemd's format-table prints it: padded columns, numbers right-aligned. */
static void print_table(const struct row *rows, size_t n)
{
	static const char *const heads[C_COUNT] = {
		"RW", "DESIGNATOR", "PARTITION UUID", "PARTITION LABEL", "FSTYPE", "ARCHITECTURE",
		"VERITY", "GROWFS", "NODE", "PARTNO",
	};
	size_t width[C_COUNT];

	for (int c = 0; c < C_COUNT; c++) {
		width[c] = strlen(heads[c]);
		for (size_t i = 0; i < n; i++) {
			size_t w = rows[i].cell[c] ? text_width(rows[i].cell[c]) : 1;

			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t i = 0; i <= n; i++) {
		for (int c = 0; c < C_COUNT; c++) {
			const char *cell = i ? rows[i - 1].cell[c] : heads[c];
			const char *s = cell ? cell : "-";
			size_t pad = width[c] - text_width(s);

			if (c == C_PARTNO) {
				printf("%*s", (int)pad, "");
				put_text(s);
			} else {
				put_text(s);
				printf("%*s ", (int)pad, "");
			}
		}
		putchar('\n');
	}
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
			       label[v], dev_names[v]);
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

static int cmd_inspect(const struct dopts *o, const char *path)
{
	struct image im;
	struct row *rows = NULL;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char size[32];
	size_t n = 0;
	int status = image_open(&im, o, path, DMB_DDI_KEEP_GOING);

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
		if (make_row(im.ddi, im.ddi->chosen[d], path, &rows[n++])) {
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
		print_table(rows, n);
	}
out:
	free_rows(rows, n);
	image_close(&im);
	return status;
}

/* ---- the record of what open made --------------------------------------- */

/* The image's absolute path, the key of its record. */
static char *image_key(const char *path)
{
	char *real = realpath(path, NULL), cwd[PATH_MAX], *p;

	if (real)
		return real;
	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&p, "%s/%s", cwd, path) < 0)
		return NULL;
	return p;
}

struct record {
	char *file;       /* its path in the state directory */
	char *image;
	char *names[2];   /* mapped devices open made, NULL for none */
	char *uuids[2];
};

static void record_free(struct record *rec)
{
	free(rec->file);
	free(rec->image);
	for (int i = 0; i < 2; i++) {
		free(rec->names[i]);
		free(rec->uuids[i]);
	}
	memset(rec, 0, sizeof(*rec));
}

static int record_parse(char *text, struct record *rec)
{
	char *save = NULL;
	int ndev = 0;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (line == text) {
			if (strcmp(line, RECORD_MAGIC) != 0)
				return -EINVAL;
			continue;
		}
		if (!sp)
			return -EINVAL;
		*sp++ = '\0';
		if (strcmp(line, "image") == 0 && !rec->image) {
			rec->image = strdup(sp);
		} else if (strcmp(line, "device") == 0 && ndev < 2) {
			char *uuid = strchr(sp, ' ');

			if (!uuid)
				return -EINVAL;
			*uuid++ = '\0';
			rec->names[ndev] = strdup(sp);
			rec->uuids[ndev] = strdup(uuid);
			if (!rec->names[ndev] || !rec->uuids[ndev])
				return -ENOMEM;
			ndev++;
		}
	}
	return rec->image && ndev ? 0 : -EINVAL;
}

/* The record of image in the state directory: 0, -ENOENT or another error. */
static int record_find(struct state *st, const char *image, struct record *rec)
{
	DIR *d = opendir(st->dir);
	struct dirent *de;
	int r = -ENOENT;

	memset(rec, 0, sizeof(*rec));
	if (!d) {
		cli_error("cannot read state directory %s: %s", st->dir, strerror(errno));
		return -errno;
	}
	while (r == -ENOENT && (de = readdir(d))) {
		char *text = NULL;
		size_t len;

		if (strncmp(de->d_name, RECORD_PREFIX, strlen(RECORD_PREFIX)) != 0)
			continue;
		if (asprintf(&rec->file, "%s/%s", st->dir, de->d_name) < 0) {
			rec->file = NULL;
			r = -ENOMEM;
			break;
		}
		if (cli_read_file(rec->file, RECORD_MAX_BYTES, &text, &len) == 0 &&
		    record_parse(text, rec) == 0 && strcmp(rec->image, image) == 0)
			r = 0;
		else
			record_free(rec);
		free(text);
	}
	closedir(d);
	return r;
}

/* Write a record atomically (write, fsync, rename), as the registry writes devices. */
static int record_save(struct state *st, const struct record *rec)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int fd = -1, r = -ENOMEM;

	if (asprintf(&tmp, "%s/.tmp-XXXXXX", st->dir) < 0) {
		tmp = NULL;
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		r = -errno;
		goto out;
	}
	fd = -1;
	fprintf(f, RECORD_MAGIC "\nimage %s\n", rec->image);
	for (int i = 0; i < 2; i++)
		if (rec->names[i])
			fprintf(f, "device %s %s\n", rec->names[i], rec->uuids[i]);
	r = fflush(f) != 0 || fsync(fileno(f)) < 0 ? -errno : 0;
	if (fclose(f) != 0 && !r)
		r = -errno;
	f = NULL;
	if (!r && rename(tmp, rec->file) < 0)
		r = -errno;
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (r && tmp)
		unlink(tmp);
	if (r)
		cli_error("cannot write %s: %s", rec->file, strerror(-r));
	free(tmp);
	return r;
}

/* Whether the device recorded as name with uuid is still the one open made. */
static bool record_dev_present(struct state *st, const char *name, const char *uuid)
{
	struct state_dev *d;
	bool same;

	if (state_load(st, name, &d) != 0)
		return false;
	same = strcmp(d->uuid, uuid) == 0;
	state_dev_free(d);
	return same;
}

/* ---- open, close and cmdline ------------------------------------------- */

/*
 * The devices' dm uuids name the data partition by its PARTUUID (the MBR
 * form too), so close removes a device only while it is still the one open
 * made.
 */
static int make_uuid(const struct dmb_ddi *ddi, const struct dmb_ddi_partition *data,
		     const char *name, char **out)
{
	char uuid[DMB_PART_UUID_MAX], hex[DMB_PART_UUID_MAX];
	size_t n = 0;

	dmb_part_uuid(ddi->table, data->part, uuid);
	for (const char *p = uuid; *p; p++)
		if (*p != '-')
			hex[n++] = *p;
	hex[n] = '\0';
	return asprintf(out, "DMBOOT-DDI-%s-%s", hex, name) < 0 ? -ENOMEM : 0;
}

/* Create the devices and the record under the state lock: all or nothing. */
static int create_all(struct state *st, const char *image, struct dmb_table *const tables[2],
		      const bool ro[2], struct record *rec)
{
	struct record old;
	int made = 0, r;

	r = record_find(st, rec->image, &old);
	if (r == 0) {
		bool busy = false;

		for (int i = 0; i < 2; i++)
			busy |= old.names[i] && record_dev_present(st, old.names[i], old.uuids[i]);
		if (busy) {
			cli_error("%s is already open (ddi close %s)", image, image);
			record_free(&old);
			return -EEXIST;
		}
		/* Its devices were removed some other way: the record is stale. */
		unlink(old.file);
		record_free(&old);
	} else if (r != -ENOENT) {
		return r;
	}
	for (int i = 0; i < 2; i++) {
		if (!tables[i])
			continue;
		r = cli_create(st, rec->names[i], rec->uuids[i], -1, ro[i], tables[i], NULL);
		if (r)
			goto undo;
		made |= 1 << i;
		if (!rec->file && asprintf(&rec->file, "%s/" RECORD_PREFIX "%s", st->dir,
					   rec->names[i]) < 0) {
			rec->file = NULL;
			r = -ENOMEM;
			goto undo;
		}
	}
	r = record_save(st, rec);
	if (r == 0)
		return 0;
undo:
	for (int i = 0; i < 2; i++)
		if (made & (1 << i))
			state_remove(st, rec->names[i]);
	return r;
}

static int cmd_open(const struct dopts *o, const char *path)
{
	struct image im;
	struct dmb_table *tables[2] = { NULL, NULL };
	struct record rec = { 0 };
	struct state st;
	bool ro[2] = { true, true };
	int status = image_open(&im, o, path, 0), r;

	if (status)
		goto out;
	for (int i = 0; i < 2; i++) {
		const struct dmb_ddi_partition *data = im.ddi->chosen[dev_which[i]];

		if (!data)
			continue;
		r = dmb_ddi_table(&im.ctx, im.ddi, im.bd, dev_which[i], DMB_DDI_NAMES_IMAGE, path,
				  &tables[i], &ro[i]);
		if (!r && (!(rec.names[i] = strdup(dev_names[i])) ||
			   make_uuid(im.ddi, data, dev_names[i], &rec.uuids[i])))
			r = cli_seterr(&im.ctx, DMB_ENOMEM, "out of memory");
		if (r) {
			cli_error("%s: %s", path, im.ctx.msg);
			status = exit_status(r);
			goto out;
		}
	}
	if (!tables[0] && !tables[1]) {
		cli_error("%s: no root or usr partition to map", path);
		status = DDI_IMAGE;
		goto out;
	}
	rec.image = image_key(path);
	if (!rec.image) {
		cli_error("%s: cannot name the image", path);
		status = DDI_NOMEM;
		goto out;
	}
	/* The record is one line per field. */
	if (strchr(rec.image, '\n')) {
		cli_error("%s: an image path with a newline cannot be recorded", path);
		status = DDI_USAGE;
		goto out;
	}
	if (state_open(&st, true)) {
		status = DDI_IMAGE;
		goto out;
	}
	r = create_all(&st, path, tables, ro, &rec);
	state_close(&st);
	status = r == -EEXIST || r == -EBUSY ? DDI_BUSY : r == -ENOMEM ? DDI_NOMEM :
		 r ? DDI_IMAGE : DDI_OK;
out:
	record_free(&rec);
	for (int i = 0; i < 2; i++)
		dmb_table_destroy(tables[i]);
	image_close(&im);
	return status;
}

static int cmd_close(const char *path)
{
	struct record rec;
	struct state st;
	char *key = image_key(path);
	int status = DDI_OK, r;

	if (!key) {
		cli_error("%s: cannot name the image", path);
		return DDI_NOMEM;
	}
	if (state_open(&st, true)) {
		free(key);
		return DDI_IMAGE;
	}
	r = record_find(&st, key, &rec);
	if (r) {
		if (r == -ENOENT)
			cli_error("%s: not open", path);
		status = r == -ENOENT ? DDI_NOTFOUND : DDI_IMAGE;
		goto out;
	}
	/* Refuse before removing anything when another device uses one of them. */
	for (int i = 0; i < 2 && status == DDI_OK; i++) {
		char **users;
		size_t n;

		if (!rec.names[i] || !record_dev_present(&st, rec.names[i], rec.uuids[i]))
			continue;
		r = state_users(&st, rec.names[i], &users, &n);
		if (r == 0 && n) {
			cli_error("close %s: device %s is in use by %s", path, rec.names[i],
				  users[0]);
			status = DDI_BUSY;
		} else if (r) {
			status = DDI_IMAGE;
		}
		state_free_list(users, n);
	}
	for (int i = 1; i >= 0 && status == DDI_OK; i--) {
		if (rec.names[i] && record_dev_present(&st, rec.names[i], rec.uuids[i]) &&
		    cli_remove(&st, "close", rec.names[i]) != 0)
			status = DDI_BUSY;
	}
	if (status == DDI_OK && unlink(rec.file) < 0) {
		cli_error("cannot remove %s: %s", rec.file, strerror(errno));
		status = DDI_IMAGE;
	}
	record_free(&rec);
out:
	state_close(&st);
	free(key);
	return status;
}

static int cmd_cmdline(const struct dopts *o, const char *path)
{
	struct image im;
	char *line = NULL;
	int status = image_open(&im, o, path, 0), n;

	if (status)
		goto out;
	n = dmb_ddi_cmdline(&im.ctx, im.ddi, im.bd, NULL, 0);
	if (n >= 0) {
		line = malloc((size_t)n + 1);
		n = line ? dmb_ddi_cmdline(&im.ctx, im.ddi, im.bd, line, (size_t)n + 1)
			 : cli_seterr(&im.ctx, DMB_ENOMEM, "out of memory");
	}
	if (n < 0) {
		cli_error("%s: %s", path, im.ctx.msg);
		status = exit_status(n);
		goto out;
	}
	printf("%s\n", line);
out:
	free(line);
	image_close(&im);
	return status;
}

/* ---- the command line --------------------------------------------------- */

/* The machine's architecture, as systemd names it; UNKNOWN when it has no DPS types. */
static enum dmb_ddi_arch native_arch(void)
{
	struct utsname u;

	return uname(&u) == 0 ? dmb_ddi_arch_parse(u.machine) : DMB_ARCH_UNKNOWN;
}

static bool parse_hash(const char *s, uint8_t *out, size_t *size)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 < 16 || n / 2 > DMB_MAX_DIGEST_SIZE || dmb_hex_decode(s, out, n / 2))
		return false;
	*size = n / 2;
	return true;
}

int cmd_ddi(int argc, char **argv)
{
	enum { O_JSON = 256, O_ARCH, O_ROOTHASH, O_USRHASH, O_CERT, O_REQSIG, O_HELP };
	static const struct option longopts[] = {
		{ "json", optional_argument, NULL, O_JSON },
		{ "architecture", required_argument, NULL, O_ARCH },
		{ "root-hash", required_argument, NULL, O_ROOTHASH },
		{ "usr-hash", required_argument, NULL, O_USRHASH },
		{ "trusted-cert", required_argument, NULL, O_CERT },
		{ "require-signature", no_argument, NULL, O_REQSIG },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct dopts o = { .json = JSON_OFF };
	const char *cmd;
	int c, status = DDI_USAGE;

	o.arch = native_arch();
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_JSON:
			if (!optarg || strcmp(optarg, "pretty") == 0) {
				o.json = JSON_PRETTY;
			} else if (strcmp(optarg, "short") == 0) {
				o.json = JSON_SHORT;
			} else if (strcmp(optarg, "off") == 0) {
				o.json = JSON_OFF;
			} else {
				cli_error("invalid --json mode '%s' (pretty, short or off)",
					  optarg);
				goto out;
			}
			break;
		case O_ARCH:
			o.arch = dmb_ddi_arch_parse(optarg);
			if (o.arch == DMB_ARCH_UNKNOWN) {
				cli_error("unknown architecture '%s'", optarg);
				goto out;
			}
			break;
		case O_ROOTHASH:
		case O_USRHASH: {
			int v = c == O_USRHASH;

			if (!parse_hash(optarg, o.hash[v], &o.hash_size[v])) {
				cli_error("invalid root hash '%s'", optarg);
				goto out;
			}
			break;
		}
		case O_CERT: {
			char **l = realloc(o.certs, (o.ncerts + 1) * sizeof(*l));

			if (!l) {
				status = DDI_NOMEM;
				goto out;
			}
			o.certs = l;
			o.certs[o.ncerts++] = optarg;
			break;
		}
		case O_REQSIG:
			o.require_sig = true;
			break;
		case 'h':
		case O_HELP:
			help(stdout);
			status = DDI_OK;
			goto out;
		default:
			cli_error("unknown option '%s'", argv[optind - 1]);
			help(stderr);
			goto out;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		help(stderr);
		goto out;
	}
	cmd = argv[0];
	if (strcmp(cmd, "help") == 0) {
		help(stdout);
		status = DDI_OK;
		goto out;
	}
	if (argc != 2) {
		cli_error("%s: expected exactly one image", cmd);
		goto out;
	}
	if (o.json != JSON_OFF && strcmp(cmd, "inspect") != 0) {
		cli_error("%s: --json is for inspect", cmd);
		goto out;
	}
	if (strcmp(cmd, "inspect") == 0) {
		status = cmd_inspect(&o, argv[1]);
	} else if (strcmp(cmd, "open") == 0) {
		status = cmd_open(&o, argv[1]);
	} else if (strcmp(cmd, "close") == 0) {
		status = cmd_close(argv[1]);
	} else if (strcmp(cmd, "cmdline") == 0) {
		status = cmd_cmdline(&o, argv[1]);
	} else {
		cli_error("unknown command '%s'", cmd);
		help(stderr);
	}
	if (fflush(stdout) != 0 && status == DDI_OK) {
		cli_error("writing output: %s", strerror(errno));
		status = DDI_IMAGE;
	}
out:
	free(o.certs);
	return status;
}
