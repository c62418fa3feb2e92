// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The thread pool and progress bar of the host CLI (cli/pool.h).  Jobs
 * share nothing but the progress counter, which is atomic; each job brings
 * its own context and file descriptors, so the library needs no locking.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool.h"

void cli_progress_init(struct cli_progress *pg, const char *what, uint64_t total)
{
	pg->tty = isatty(2);
	pg->what = what;
	pg->total = total;
	atomic_init(&pg->done, 0);
	pg->last.tv_sec = 0;
	pg->last.tv_nsec = 0;
}

void cli_progress_add(struct cli_progress *pg, uint64_t n, bool draw)
{
	atomic_fetch_add(&pg->done, n);
	if (draw)
		cli_progress_show(pg, false);
}

void cli_progress_show(struct cli_progress *pg, bool final)
{
	struct timespec now;
	uint64_t done = atomic_load(&pg->done);
	unsigned pct, bars;

	if (!pg->tty || !pg->total)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && (now.tv_sec - pg->last.tv_sec) * 1000000000L + now.tv_nsec -
			      pg->last.tv_nsec < 200000000L)
		return;
	pg->last = now;
	pct = (unsigned)(done * 100 / pg->total);
	bars = pct * 40 / 100;
	fprintf(stderr, "\r%s [%.*s%*s] %3u%%", pg->what, (int)bars,
		"########################################", (int)(40 - bars), "", pct);
	if (final)
		fputc('\n', stderr);
}

unsigned cli_pool_threads(unsigned wanted, uint64_t items)
{
	long n = wanted ? (long)wanted : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > CLI_POOL_MAX_THREADS)
		n = CLI_POOL_MAX_THREADS;
	if ((uint64_t)n > items)
		n = items ? (long)items : 1;
	return (unsigned)n;
}

struct start {
	void (*fn)(void *job);
	void *job;
};

static void *thread_main(void *arg)
{
	struct start *s = arg;

	s->fn(s->job);
	return NULL;
}

void cli_pool_run(void *jobs, size_t size, unsigned n, void (*fn)(void *job),
		  void (*refused)(void *job))
{
	pthread_t tids[CLI_POOL_MAX_THREADS];
	struct start starts[CLI_POOL_MAX_THREADS];
	bool started[CLI_POOL_MAX_THREADS] = { false };
	char *base = jobs;

	for (unsigned i = 1; i < n && i < CLI_POOL_MAX_THREADS; i++) {
		starts[i].fn = fn;
		starts[i].job = base + i * size;
		started[i] = pthread_create(&tids[i], NULL, thread_main, &starts[i]) == 0;
		if (!started[i])
			refused(starts[i].job);
	}
	if (n)
		fn(base);
	for (unsigned i = 1; i < n && i < CLI_POOL_MAX_THREADS; i++)
		if (started[i])
			pthread_join(tids[i], NULL);
}
