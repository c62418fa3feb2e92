/* SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause */
/*
 * File input and output of the dmboot host CLI: reading a whole file,
 * writing a whole buffer, and replacing a file atomically, so that a crash
 * leaves either the old or the new content and never a torn file.
 */
#ifndef DMBOOT_CLI_IO_H
#define DMBOOT_CLI_IO_H

#include <stddef.h>

/*
 * Read all of a file ("-" = stdin) into a NUL-terminated buffer of at most
 * cap bytes.  0, or a negative errno after printing the error line.
 */
int cli_read_file(const char *path, size_t cap, char **out, size_t *len);
/* The same from an open descriptor, path naming it in messages. */
int cli_read_fd(int fd, const char *path, size_t cap, char **out, size_t *len);

/* Write all n bytes to fd, retrying short writes.  0 or a negative errno. */
int cli_write_all(int fd, const void *data, size_t n);

/*
 * Create or truncate path (mode 0666 less the umask, like fopen) and write
 * data to it.  For files the user names, which may be devices or pipes.
 * 0 or a negative errno.
 */
int cli_write_path(const char *path, const void *data, size_t len);

/*
 * Replace path with data atomically: a temporary file (mode 0600) in dir,
 * which must be on path's file system, written, synced and renamed over
 * path.  0 or a negative errno; on failure path is unchanged.
 */
int cli_write_atomic(const char *dir, const char *path, const void *data, size_t len);

#endif /* DMBOOT_CLI_IO_H */
