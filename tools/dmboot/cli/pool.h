/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * Work on every core and a progress bar for it: a fixed set of jobs, one
 * per thread, the first on the calling thread (which draws the bar), and a
 * bar on stderr when it is a terminal.
 */
#ifndef DMBOOT_CLI_POOL_H
#define DMBOOT_CLI_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Progress on a terminal: a bar on stderr, updated a few times a second. */
struct cli_progress {
	bool tty;
	const char *what;
	uint64_t total;
	_Atomic uint64_t done;
	struct timespec last;
};

/* A bar for total units of work, shown only when stderr is a terminal. */
void cli_progress_init(struct cli_progress *pg, const char *what, uint64_t total);
/* Count n more units done; draw says this is the thread that draws the bar. */
void cli_progress_add(struct cli_progress *pg, uint64_t n, bool draw);
/* Redraw (at most every 200 ms unless final; final ends the line). */
void cli_progress_show(struct cli_progress *pg, bool final);

/* At most this many threads. */
#define CLI_POOL_MAX_THREADS 64

/*
 * How many threads to use for items units of work: wanted (0: one per
 * online core), at least one, at most CLI_POOL_MAX_THREADS and items.
 */
unsigned cli_pool_threads(unsigned wanted, uint64_t items);

/*
 * Run fn on each of the n jobs (job i at jobs + i * size), job 0 on the
 * calling thread, and wait for all.  A job whose thread cannot start is
 * handed to refused instead.
 */
void cli_pool_run(void *jobs, size_t size, unsigned n, void (*fn)(void *job),
		  void (*refused)(void *job));

#endif /* DMBOOT_CLI_POOL_H */
