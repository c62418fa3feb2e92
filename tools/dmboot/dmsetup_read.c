// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dmboot's dmsetup read: a device's bytes to stdout, where the kernel would
 * give a /dev/mapper node.  A long read on a machine with several usable
 * CPUs is spread over reading threads (cli/pool.h), each with its own
 * instance of the device (the library keeps no state shared between
 * instances), reading 1 MiB chunks in turn; the calling thread writes the
 * chunks to stdout in order.  The output is the same byte for byte;
 * targets that compute per byte (crypt, verity) gain the most.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/pool.h"
#include "dmsetup.h"

#define IO_CHUNK (1u << 20)
/* Reads shorter than this stay on one thread: opening more instances of
 * the device would cost more than it saves. */
#define PARALLEL_MIN (16ull * IO_CHUNK)
#define MAX_WORKERS 16
#define WRITER UINT32_MAX /* the index of the writing job */
/* Chunks a worker may have read ahead of the writer. */
#define DEPTH 2

struct worker;

struct reader {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const char *name;
	uint64_t off, len;      /* the range */
	uint64_t nchunks;
	uint64_t written;       /* chunks the writer has written */
	bool stop;              /* the writer is done or failed: workers stop */
	unsigned nworkers;
	struct worker *w;
};

struct worker {
	struct reader *rd;
	struct cli_dev *cd;
	unsigned index;
	char *buf[DEPTH];
	uint64_t filled;        /* chunks of this worker read so far */
	int err;                /* the read of chunk number `filled` failed */
	char msg[sizeof(((struct dmb_ctx *)0)->msg)];
};

static uint64_t chunk_len(const struct reader *rd, uint64_t k)
{
	uint64_t start = k * IO_CHUNK;

	return rd->len - start < IO_CHUNK ? rd->len - start : IO_CHUNK;
}

/* Chunk k is this worker's n-th: k = n * nworkers + index. */
static void worker_main(struct worker *w)
{
	struct reader *rd = w->rd;

	for (uint64_t n = 0;; n++) {
		uint64_t k = n * rd->nworkers + w->index;
		bool stop;
		int r;

		if (k >= rd->nchunks)
			break;
		pthread_mutex_lock(&rd->lock);
		/* Buffer n % DEPTH is free once chunk k - DEPTH * nworkers is written. */
		while (!rd->stop && k >= rd->written + (uint64_t)DEPTH * rd->nworkers)
			pthread_cond_wait(&rd->cond, &rd->lock);
		stop = rd->stop;
		pthread_mutex_unlock(&rd->lock);
		if (stop)
			break;
		dmb_ctx_clear(&w->cd->ctx);
		r = dmb_bdev_read_bytes(dmb_dev_bdev(w->cd->dev), rd->off + k * IO_CHUNK,
					(size_t)chunk_len(rd, k), w->buf[n % DEPTH]);
		pthread_mutex_lock(&rd->lock);
		if (r) {
			w->err = r;
			snprintf(w->msg, sizeof(w->msg), "%s",
				 w->cd->ctx.msg[0] ? w->cd->ctx.msg : dmb_strerror(r));
		} else {
			w->filled = n + 1;
		}
		pthread_cond_broadcast(&rd->cond);
		pthread_mutex_unlock(&rd->lock);
		if (r)
			break;
	}
}

/* Write every chunk in order as its worker fills it. */
static int write_chunks(struct reader *rd)
{
	int r = 0;

	for (uint64_t k = 0; k < rd->nchunks && !r; k++) {
		struct worker *w = &rd->w[k % rd->nworkers];
		uint64_t n = k / rd->nworkers;
		bool ready;

		pthread_mutex_lock(&rd->lock);
		while (w->filled <= n && !w->err)
			pthread_cond_wait(&rd->cond, &rd->lock);
		ready = w->filled > n;
		pthread_mutex_unlock(&rd->lock);
		/* A worker stops at its first failure: err and msg no longer change. */
		if (!ready) {
			cli_error("read %s: %s", rd->name, w->msg);
			r = w->err;
			break;
		}
		r = cli_write_all(1, w->buf[n % DEPTH], (size_t)chunk_len(rd, k));
		if (r)
			cli_error("read %s: writing to stdout: %s", rd->name, strerror(-r));
		pthread_mutex_lock(&rd->lock);
		rd->written = k + 1;
		pthread_cond_broadcast(&rd->cond);
		pthread_mutex_unlock(&rd->lock);
	}
	/* Workers still reading ahead of a failure stop. */
	pthread_mutex_lock(&rd->lock);
	rd->stop = true;
	pthread_cond_broadcast(&rd->cond);
	pthread_mutex_unlock(&rd->lock);
	return r;
}

static unsigned usable_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	n = CPU_COUNT(&set);
	if (n < 1)
		return 1;
	return n > MAX_WORKERS ? MAX_WORKERS : (unsigned)n;
}

/* A job of the pool: job 0, on the calling thread, writes; the others read. */
static void reader_job(void *job)
{
	struct worker *w = job;

	if (w->index == WRITER)
		w->err = write_chunks(w->rd);
	else
		worker_main(w);
}

/* A reader whose thread did not start fails at its first chunk. */
static void reader_refused(void *job)
{
	struct worker *w = job;

	pthread_mutex_lock(&w->rd->lock);
	w->err = DMB_ENOMEM;
	snprintf(w->msg, sizeof(w->msg), "cannot start a thread");
	pthread_mutex_unlock(&w->rd->lock);
}

/*
 * The range on nworkers reading threads and the calling thread writing; cd
 * is the first reader's instance, the others are opened here while the
 * state lock is still held.  Returns 1 when it could not set up (the
 * caller reads on one thread instead).
 */
static int read_parallel(struct dmsetup *d, struct cli_dev *cd, const char *name, uint64_t off,
			 uint64_t len, unsigned nworkers)
{
	struct worker jobs[MAX_WORKERS + 1] = { 0 }, *w = jobs + 1;
	struct reader rd = {
		.name = name, .off = off, .len = len, .nworkers = nworkers, .w = w,
		.nchunks = (len + IO_CHUNK - 1) / IO_CHUNK,
	};
	int r = 1;

	pthread_mutex_init(&rd.lock, NULL);
	pthread_cond_init(&rd.cond, NULL);
	jobs[0].rd = &rd;
	jobs[0].index = WRITER;
	for (unsigned i = 0; i < nworkers; i++) {
		struct dmb_ctx quiet = { 0 };

		w[i].rd = &rd;
		w[i].index = i;
		if (i == 0)
			w[i].cd = cd;
		else if (cli_dev_open(&d->st, &quiet, name, DMB_DEV_READONLY, 0, &w[i].cd))
			goto out;
		for (unsigned b = 0; b < DEPTH; b++) {
			w[i].buf[b] = aligned_alloc(4096, IO_CHUNK);
			if (!w[i].buf[b])
				goto out;
		}
	}
	/* Every instance: a status one of them changed is recorded as after
	 * any unlocked I/O, only if the device is still the one opened. */
	for (unsigned i = 0; i < nworkers; i++)
		cli_dev_unlock(w[i].cd);
	cli_pool_run(jobs, sizeof(jobs[0]), nworkers + 1, reader_job, reader_refused);
	r = jobs[0].err;
out:
	for (unsigned i = 0; i < nworkers; i++) {
		for (unsigned b = 0; b < DEPTH; b++)
			free(w[i].buf[b]);
		if (i)
			cli_dev_close(w[i].cd);
	}
	pthread_cond_destroy(&rd.cond);
	pthread_mutex_destroy(&rd.lock);
	return r;
}

static int read_serial(struct cli_dev *cd, const char *name, uint64_t off, uint64_t left)
{
	/* Page-aligned: the kernel copies into aligned buffers several times faster. */
	char *buf = aligned_alloc(4096, IO_CHUNK);
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (left && r == 0) {
		/* Keep every chunk after the first sector-aligned. */
		size_t n = (size_t)(left < IO_CHUNK ? left : IO_CHUNK);

		if (off % 512 && n > 512 - off % 512)
			n = 512 - off % 512;
		dmb_ctx_clear(&cd->ctx);
		r = dmb_bdev_read_bytes(dmb_dev_bdev(cd->dev), off, n, buf);
		if (r) {
			cli_error("read %s: %s", name,
				  cd->ctx.msg[0] ? cd->ctx.msg : dmb_strerror(r));
			break;
		}
		r = cli_write_all(1, buf, n);
		if (r)
			cli_error("read %s: writing to stdout: %s", name, strerror(-r));
		off += n;
		left -= n;
	}
	free(buf);
	return r;
}

int dmsetup_read(void *opts, int argc, char **argv)
{
	struct dmsetup *d = opts;
	const char *name = argv[1];
	struct cli_dev *cd;
	uint64_t size, off = d->o.offset, left;
	unsigned cpus = usable_cpus();
	int r = cli_dev_open_for(&d->st, "read", name, DMB_DEV_READONLY, &cd);

	(void)argc;
	if (r)
		return r;
	size = dmb_bdev_bytes(dmb_dev_bdev(cd->dev));
	if (off > size || (d->o.have_length && d->o.length > size - off)) {
		cli_error("read %s: range past the end of the device (%llu bytes)", name,
			  (unsigned long long)size);
		cli_dev_close(cd);
		return -ERANGE;
	}
	left = d->o.have_length ? d->o.length : size - off;
	/* Sector-aligned chunks only: an unaligned start stays on one thread. */
	r = 1;
	if (cpus > 1 && left >= PARALLEL_MIN && off % 512 == 0)
		r = read_parallel(d, cd, name, off, left,
				  cli_pool_threads(cpus, (left + IO_CHUNK - 1) / IO_CHUNK));
	if (r == 1) {
		if (!cd->unlocked)
			cli_dev_unlock(cd);
		r = read_serial(cd, name, off, left);
	}
	cli_dev_close(cd);
	return r;
}
