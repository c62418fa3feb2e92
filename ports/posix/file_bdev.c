// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Files and block devices as dmb_bdevs for the host (dmboot_posix.h), with
 * pread/pwrite so one descriptor serves any number of targets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dmboot_posix.h"

struct file_dev {
	struct dmb_bdev bdev;
	int fd;
	char *path;
};

/* One line in the opener's context (bdev.ctx): the path, the block and errno's text. */
static int io_fail(struct file_dev *f, const char *what, uint64_t off, int err)
{
	return dmb_ctx_set_error(f->bdev.ctx, DMB_EIO, "%s: %s of block %llu (byte %llu) failed: %s",
				 f->path, what, (unsigned long long)(off >> f->bdev.block_shift),
				 (unsigned long long)off, err ? strerror(err) : "unexpected end of file");
}

static int file_read(struct dmb_bdev *bd, uint64_t block, size_t count, void *buf)
{
	struct file_dev *f = bd->priv;
	size_t len = count << bd->block_shift;
	uint64_t off = block << bd->block_shift;
	char *p = buf;

	while (len) {
		ssize_t n = pread(f->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return io_fail(f, "read", off, n < 0 ? errno : 0);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* preadv() in groups of at most IOV_MAX buffers, resuming after short reads. */
static int file_readv(struct dmb_bdev *bd, uint64_t block, const struct dmb_iovec *vec,
		      size_t n)
{
	struct file_dev *f = bd->priv;
	uint64_t off = block << bd->block_shift;
	struct iovec iov[64];

	while (n) {
		size_t k = n < 64 ? n : 64, left = 0;
		struct iovec *cur = iov;

		for (size_t i = 0; i < k; i++) {
			iov[i].iov_base = vec[i].base;
			iov[i].iov_len = vec[i].len;
			left += vec[i].len;
		}
		while (left) {
			ssize_t got = preadv(f->fd, cur, (int)(k - (size_t)(cur - iov)), (off_t)off);

			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return io_fail(f, "read", off, got < 0 ? errno : 0);
			off += (uint64_t)got;
			left -= (size_t)got;
			while (got > 0 && (size_t)got >= cur->iov_len) {
				got -= (ssize_t)cur->iov_len;
				cur++;
			}
			if (got > 0) {
				cur->iov_base = (char *)cur->iov_base + got;
				cur->iov_len -= (size_t)got;
			}
		}
		vec += k;
		n -= k;
	}
	return 0;
}

static int file_write(struct dmb_bdev *bd, uint64_t block, size_t count, const void *buf)
{
	struct file_dev *f = bd->priv;
	size_t len = count << bd->block_shift;
	uint64_t off = block << bd->block_shift;
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(f->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return io_fail(f, "write", off, n < 0 ? errno : ENOSPC);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int file_flush(struct dmb_bdev *bd)
{
	struct file_dev *f = bd->priv;

	if (fsync(f->fd) < 0)
		return dmb_ctx_set_error(bd->ctx, DMB_EIO, "%s: fsync failed: %s", f->path,
					 strerror(errno));
	return 0;
}

static const struct dmb_bdev_ops file_rw_ops = {
	.read = file_read, .write = file_write, .flush = file_flush, .readv = file_readv
};
static const struct dmb_bdev_ops file_ro_ops = { .read = file_read, .readv = file_readv };

static int fail(struct dmb_ctx *ctx, int code, const char *path, const char *why)
{
	return dmb_ctx_set_error(ctx, code, "%s: %s", path, why);
}

int dmb_posix_open(struct dmb_ctx *ctx, const char *path, unsigned flags, struct dmb_bdev **out)
{
	const bool writable = flags & DMB_OPEN_WRITE;
	struct file_dev *f;
	struct stat st;
	unsigned shift = DMB_SECTOR_SHIFT;
	uint64_t bytes;
	int fd, e;

	*out = NULL;
	fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		return fail(ctx, e == ENOENT || e == ENOTDIR ? DMB_ENOENT
			    : e == EACCES || e == EPERM || e == EROFS ? DMB_EACCES : DMB_EIO,
			    path, strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return fail(ctx, DMB_EIO, path, strerror(e));
	}
	if (S_ISREG(st.st_mode)) {
		bytes = (uint64_t)st.st_size;
	} else if (S_ISBLK(st.st_mode)) {
		int ssz = 0;

		if (ioctl(fd, BLKGETSIZE64, &bytes) < 0 || ioctl(fd, BLKSSZGET, &ssz) < 0) {
			e = errno;
			close(fd);
			return fail(ctx, DMB_EIO, path, strerror(e));
		}
		for (shift = DMB_MIN_BLOCK_SHIFT; shift <= DMB_MAX_BLOCK_SHIFT; shift++)
			if ((1 << shift) == ssz)
				break;
		if (shift > DMB_MAX_BLOCK_SHIFT) {
			close(fd);
			return fail(ctx, DMB_EINVAL, path, "unsupported logical block size");
		}
	} else {
		close(fd);
		return fail(ctx, DMB_EINVAL, path, "not a regular file or block device");
	}

	f = calloc(1, sizeof(*f));
	if (f)
		f->path = strdup(path);
	if (!f || !f->path) {
		if (f)
			free(f);
		close(fd);
		return fail(ctx, DMB_ENOMEM, path, "out of memory");
	}
	f->bdev.ctx = ctx;
	f->fd = fd;
	f->bdev.ops = writable ? &file_rw_ops : &file_ro_ops;
	f->bdev.priv = f;
	f->bdev.block_shift = shift;
	f->bdev.num_blocks = bytes >> shift;
	*out = &f->bdev;
	return 0;
}

void dmb_posix_close(struct dmb_bdev *bd)
{
	struct file_dev *f;

	if (!bd)
		return;
	f = bd->priv;
	close(f->fd);
	free(f->path);
	free(f);
}
