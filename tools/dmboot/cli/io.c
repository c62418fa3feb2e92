// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * File input and output for the host CLI (cli/io.h).  Every file the tools
 * write goes through here: the registry, the ddi records, the keys and
 * trusted certificates are replaced atomically (temporary file, fsync,
 * rename); only files the user names (--root-hash-file) are written in
 * place, since they may be devices or pipes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli.h"

/* Grow buf to hold one more byte than size, refusing to pass cap. */
static int grow(char **buf, size_t *alloc, size_t size, size_t cap, const char *path)
{
	char *b;

	if (size + 1 < *alloc)
		return 0;
	b = *alloc > cap + 1 ? NULL : realloc(*buf, *alloc * 2);
	if (!b) {
		if (*alloc > cap + 1)
			cli_error("%s: larger than %zu bytes", path, cap);
		else
			cli_error("out of memory reading %s", path);
		return -EINVAL;
	}
	*buf = b;
	*alloc *= 2;
	return 0;
}

/* Read fd to its end into a new buffer; NULL after printing the error line. */
static char *read_fd(int fd, const char *path, size_t cap, size_t *len)
{
	size_t size = 0, alloc = 4096;
	char *buf = malloc(alloc);

	if (!buf) {
		cli_error("out of memory reading %s", path);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (grow(&buf, &alloc, size, cap, path))
			break;
		n = read(fd, buf + size, alloc - size - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			buf[size] = '\0';
			*len = size;
			return buf;
		}
		size += (size_t)n;
		if (size > cap) {
			cli_error("%s: larger than %zu bytes", path, cap);
			break;
		}
	}
	free(buf);
	return NULL;
}

int cli_read_fd(int fd, const char *path, size_t cap, char **out, size_t *len)
{
	*out = read_fd(fd, path, cap, len);
	return *out ? 0 : -EINVAL;
}

int cli_read_file(const char *path, size_t cap, char **out, size_t *len)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return -errno;
	}
	*out = read_fd(fd, path, cap, len);
	if (fd != 0)
		close(fd);
	return *out ? 0 : -EINVAL;
}

int cli_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cli_write_path(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int r;

	if (fd < 0)
		return -errno;
	r = cli_write_all(fd, data, len);
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

int cli_write_atomic(const char *dir, const char *path, const void *data, size_t len)
{
	char *tmp = NULL;
	int fd, r;

	if (asprintf(&tmp, "%s/.tmp-XXXXXX", dir) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = cli_write_all(fd, data, len);
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
out:
	free(tmp);
	return r;
}
