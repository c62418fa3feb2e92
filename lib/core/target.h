/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * The contract between the device core and a target (lib/targets/).  Each
 * target is one file with one constant struct dmbi_target_type; the core
 * finds it by name in the registry (registry.c).
 */
#ifndef DMBOOT_LIB_TARGET_H
#define DMBOOT_LIB_TARGET_H

#include "core.h"

struct dmb_dev;

/* One instantiated table line. */
struct dmbi_target {
	const struct dmbi_target_type *type;
	struct dmb_dev *dev;        /* owning device */
	struct dmb_ctx *ctx;
	uint64_t begin_sectors;     /* first sector of the target in the device */
	uint64_t len_sectors;
	unsigned line;              /* table line, for messages */
	bool read_only;             /* the device is read-only */
	const char *error;          /* the constructor's reason for failing */
	void *priv;                 /* the target's own state */
	unsigned block_shift;       /* logical block size the target needs; 0 = 512 */
	struct dmb_target_stats stats;
};

enum dmbi_status_type {
	DMBI_STATUS_INFO,
	DMBI_STATUS_TABLE,
};

/*
 * A target type.  The constructor gets the split arguments; on failure it
 * sets ti->error (a static string) and returns a dmb_err code, and the core
 * then calls dtr, which must accept a half-built target.  read and write get
 * target-relative sectors already checked against the target's length.
 */
struct dmbi_target_type {
	const char *name;
	unsigned version[3];
	int (*ctr)(struct dmbi_target *ti, unsigned argc, char **argv);
	void (*dtr)(struct dmbi_target *ti);
	int (*read)(struct dmbi_target *ti, uint64_t sector, size_t count, void *buf);
	/* NULL: the target refuses writes with DMB_EACCES. */
	int (*write)(struct dmbi_target *ti, uint64_t sector, size_t count, const void *buf);
	int (*flush)(struct dmbi_target *ti);
	/* Append the INFO or TABLE text (after "<start> <len> <type> "). */
	void (*status)(struct dmbi_target *ti, enum dmbi_status_type type, unsigned flags,
		       struct dmbi_strbuf *out);
};

/* The built-in target type called name, or NULL. */
const struct dmbi_target_type *dmbi_target_type_find(const char *name);

/*
 * A lower device of the table, opened through the context's resolver once per
 * distinct name and released with the device (Linux's dm_get_device()).
 */
struct dmbi_lower {
	char *name;
	/*
	 * What targets read and write: a wrapper around the resolver's device
	 * (real) that describes a failure once, with the name and sector
	 * (device.c).
	 */
	struct dmb_bdev *bdev;
	struct dmb_bdev *real;
	struct dmb_bdev wrap;
	struct dmb_dev *dev;
	const char *type;      /* the first target type that opened it, for messages */
	unsigned nlogged;      /* failure lines logged, at most DMBI_LOWER_MAX_LOGGED */
};

/* Failure lines one lower device logs, as Linux's corrupted-block limit. */
#define DMBI_LOWER_MAX_LOGGED 100

/*
 * Open the lower device called name for ti and check that the extent
 * [start, start + len) in 512-byte sectors lies inside it.  On failure sets
 * ti->error and returns the code.
 */
int dmbi_target_get_device(struct dmbi_target *ti, const char *name, uint64_t start_sectors,
			   uint64_t len_sectors, const struct dmbi_lower **out);

/* Strict decimal parse of a target argument (kstrtoull-like but stricter). */
static inline int dmbi_arg_u64(const char *s, uint64_t *out)
{
	return dmbi_parse_u64(s, 10, out);
}

extern const struct dmbi_target_type dmbi_linear_target;
extern const struct dmbi_target_type dmbi_striped_target;
extern const struct dmbi_target_type dmbi_zero_target;
extern const struct dmbi_target_type dmbi_error_target;
extern const struct dmbi_target_type dmbi_verity_target;
extern const struct dmbi_target_type dmbi_snapshot_origin_target;
extern const struct dmbi_target_type dmbi_snapshot_target;
extern const struct dmbi_target_type dmbi_crypt_target;

#endif /* DMBOOT_LIB_TARGET_H */
