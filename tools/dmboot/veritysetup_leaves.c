// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The leaf level of a verity hash tree on every core (formats.md §2): each
 * thread has its own context, crypto and file descriptors over a disjoint
 * range of leaf blocks, so the library runs unchanged on each; only the
 * progress counter is shared.  The small upper levels are left to the
 * caller, on one thread.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "cli/pool.h"
#include "veritysetup.h"

/* One thread's share of the leaf level. */
struct leaf_job {
	const struct vopts *o;
	const char *data_path, *hash_path;
	uint64_t first, count;   /* leaf hash blocks */
	bool verify;
	struct cli_progress *pg;
	bool show;               /* this job runs on the main thread: draw the bar */
	uint64_t reported;       /* data blocks this job has added to pg->done */
	int r;
	struct dmb_verity_failure fail;
	char msg[DMB_MSG_MAX];
};

static void job_progress(void *cookie, uint64_t done, uint64_t total)
{
	struct leaf_job *j = cookie;

	(void)total;
	cli_progress_add(j->pg, done - j->reported, j->show);
	j->reported = done;
}

static void leaf_job(void *arg)
{
	struct leaf_job *j = arg;
	struct dmb_posix_crypto pc;
	struct dmb_ctx ctx = { 0 };
	struct cli_image data = { 0 }, hash = { 0 };
	char *const *devs = j->o->devices;
	size_t ndevs = j->o->ndevices;

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	/* Each thread opens its own: a mapped device is instantiated once per thread. */
	j->r = cli_image_open(&data, &ctx, j->data_path, devs, ndevs, 0);
	if (!j->r)
		j->r = cli_image_open(&hash, &ctx, j->hash_path, devs, ndevs,
				      j->verify ? 0 : DMB_OPEN_WRITE);
	if (!j->r)
		j->r = dmb_verity_tree_leaves(&ctx, &j->o->p, data.bd, hash.bd, j->first, j->count,
					      j->verify ? DMB_VERITY_TREE_VERIFY : DMB_VERITY_TREE_BUILD,
					      &j->fail, job_progress, j);
	if (j->r)
		memcpy(j->msg, ctx.msg, sizeof(j->msg));
	cli_image_close(&data);
	cli_image_close(&hash);
	dmb_posix_crypto_fini(&pc);
}

static void job_refused(void *arg)
{
	struct leaf_job *j = arg;

	j->r = DMB_ENOMEM;
	snprintf(j->msg, sizeof(j->msg), "cannot start a thread");
}

/* A hard error beats a verification failure; among failures, the lowest position. */
static int worst(const struct leaf_job *jobs, unsigned n, struct dmb_verity_failure *fail,
		 char *msg)
{
	int r = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!jobs[i].r)
			continue;
		if (!r || (r == DMB_EVERIFY && jobs[i].r != DMB_EVERIFY) ||
		    (r == DMB_EVERIFY && jobs[i].r == DMB_EVERIFY &&
		     jobs[i].fail.position < fail->position)) {
			r = jobs[i].r;
			*fail = jobs[i].fail;
			memcpy(msg, jobs[i].msg, DMB_MSG_MAX);
		}
	}
	return r;
}

int verity_leaves(const struct vopts *o, const char *data_path, const char *hash_path,
		  bool verify, struct dmb_verity_failure *fail, char *msg)
{
	struct dmb_ctx ctx = { 0 };
	struct dmb_posix_crypto pc;
	struct dmb_verity_geometry g;
	struct cli_progress pg;
	struct leaf_job *jobs;
	unsigned n;
	int r;

	dmb_posix_crypto_init(&pc);
	ctx.crypto = &pc.crypto;
	r = dmb_verity_geometry(&ctx, &o->p, &g);
	dmb_posix_crypto_fini(&pc);
	if (r) {
		snprintf(msg, DMB_MSG_MAX, "%s", ctx.msg);
		return r;
	}
	n = cli_pool_threads(o->threads, g.leaf_blocks);
	jobs = calloc(n, sizeof(*jobs));
	if (!jobs) {
		snprintf(msg, DMB_MSG_MAX, "out of memory");
		return DMB_ENOMEM;
	}
	cli_progress_init(&pg, verify ? "Verifying" : "Formatting", o->p.data_blocks);
	for (unsigned i = 0; i < n; i++) {
		uint64_t per = g.leaf_blocks / n, extra = g.leaf_blocks % n;

		jobs[i].o = o;
		jobs[i].data_path = data_path;
		jobs[i].hash_path = hash_path;
		jobs[i].first = i * per + (i < extra ? i : extra);
		jobs[i].count = per + (i < extra);
		jobs[i].verify = verify;
		jobs[i].pg = &pg;
	}
	jobs[0].show = true;
	cli_pool_run(jobs, sizeof(*jobs), n, leaf_job, job_refused);
	cli_progress_show(&pg, true);
	r = worst(jobs, n, fail, msg);
	free(jobs);
	return r;
}
