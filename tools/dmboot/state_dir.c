// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * The state directory itself: where it is, whether it can be trusted, and
 * its lock.  Another user who can write the directory, or any directory
 * above it, could replace a record and steer what this user's commands map,
 * so such a directory is refused, as ssh refuses a configuration others can
 * write: the directory must be the caller's own, not a symlink, and not
 * group- or world-writable; directories above it must belong to the caller
 * or root and be writable by nobody else unless sticky (/tmp).  Files in it
 * are opened without following symlinks and must be the caller's own.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmsetup.h"

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Why sb (of path) may not hold this user's state, or NULL. */
static const char *unsafe_dir(const struct stat *sb, bool own)
{
	uid_t me = geteuid();

	if (S_ISLNK(sb->st_mode))
		return "is a symlink";
	if (!S_ISDIR(sb->st_mode))
		return "is not a directory";
	if (own ? sb->st_uid != me : sb->st_uid != me && sb->st_uid != 0)
		return "is owned by another user";
	if (own && (sb->st_mode & 022))
		return "is writable by group or others";
	if (!own && (sb->st_mode & 022) && !(sb->st_mode & S_ISVTX))
		return "is writable by group or others";
	return NULL;
}

/* The directory, then every directory above it, checked; prints the refusal. */
static int check_dir(const char *dir)
{
	char real[PATH_MAX], *slash;
	struct stat sb;
	const char *why;

	if (lstat(dir, &sb) < 0) {
		cli_error("cannot use state directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	why = unsafe_dir(&sb, true);
	if (!why && !realpath(dir, real))
		why = "cannot be resolved";
	while (!why && (slash = strrchr(real, '/')) != NULL) {
		*(slash == real ? slash + 1 : slash) = '\0';
		if (lstat(real, &sb) < 0 || (why = unsafe_dir(&sb, false)) != NULL) {
			cli_error("refusing state directory %s: %s above it %s; use a directory "
				  "only you can write (DMBOOT_STATE_DIR)",
				  dir, real, why ? why : strerror(errno));
			return -EPERM;
		}
		if (slash == real)
			break;
	}
	if (why) {
		cli_error("refusing state directory %s: it %s; use a directory only you own and "
			  "can write (chmod 700, or set DMBOOT_STATE_DIR)", dir, why);
		return -EPERM;
	}
	return 0;
}

/* Open a file of the state directory: never through a symlink, only the caller's own. */
int state_open_private(const char *path, int flags, unsigned mode)
{
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
	struct stat sb;

	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 022)) {
		close(fd);
		return -EPERM;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static void refuse_file(const char *path, int r)
{
	if (r == -EPERM)
		cli_error("refusing %s: not a regular file of your own that only you can write",
			  path);
	else
		cli_error("%s: %s", path, strerror(-r));
}

int state_read_private(const char *path, size_t cap, char **out, size_t *len)
{
	int fd = state_open_private(path, O_RDONLY, 0);
	int r;

	*out = NULL;
	if (fd == -ENOENT)
		return -ENOENT;
	if (fd < 0) {
		refuse_file(path, fd);
		return fd;
	}
	r = cli_read_fd(fd, path, cap, out, len);
	close(fd);
	return r;
}

int state_new_id(char id[STATE_ID_HEX + 1])
{
	uint8_t raw[STATE_ID_HEX / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -EIO;
	dmb_hex_encode(raw, sizeof(raw), id);
	id[STATE_ID_HEX] = '\0';
	return 0;
}

/* Under the exclusive lock no command is writing: any .tmp-* file is a killed one's. */
static void remove_leftovers(struct state *st)
{
	DIR *dir = opendir(st->dir);
	struct dirent *de;

	while (dir && (de = readdir(dir)))
		if (strncmp(de->d_name, ".tmp-", 5) == 0)
			unlinkat(dirfd(dir), de->d_name, 0);
	if (dir)
		closedir(dir);
}

/*
 * A rename a killed command left half done shows one device under two
 * names; a command holding the lock shared finishes it first, under the
 * lock taken exclusively for that moment.
 */
static int finish_killed_rename(struct state *st)
{
	struct stat sb;
	char *journal;
	int r = 0;

	if (asprintf(&journal, "%s/" STATE_RENAME_JOURNAL, st->dir) < 0)
		return -ENOMEM;
	if (lstat(journal, &sb) == 0) {
		while (flock(st->lock_fd, LOCK_EX) < 0)
			if (errno != EINTR) {
				r = -errno;
				break;
			}
		if (r == 0 && state_rename_recover(st))
			r = -EIO;
		while (flock(st->lock_fd, LOCK_SH) < 0)
			if (errno != EINTR) {
				r = -errno;
				break;
			}
		if (r)
			cli_error("cannot lock state directory %s to finish a rename", st->dir);
	}
	free(journal);
	return r;
}

int state_lock(struct state *st, bool exclusive)
{
	int op = exclusive ? LOCK_EX : LOCK_SH;

	if (flock(st->lock_fd, op | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			cli_error("cannot lock state directory %s: %s", st->dir, strerror(errno));
			return -errno;
		}
		fprintf(stderr, "%s: waiting for another dmboot command to release %s/.lock\n",
			cli_prog, st->dir);
		while (flock(st->lock_fd, op) < 0)
			if (errno != EINTR) {
				cli_error("cannot lock state directory %s: %s", st->dir,
					  strerror(errno));
				return -errno;
			}
	}
	if (exclusive) {
		remove_leftovers(st);
		return state_rename_recover(st) ? -EIO : 0;
	}
	return finish_killed_rename(st);
}

void state_unlock(struct state *st)
{
	if (st->lock_fd >= 0)
		flock(st->lock_fd, LOCK_UN);
}

static char *dir_name(void)
{
	const char *env = getenv("DMBOOT_STATE_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *dir = NULL;
	int r;

	if (env && *env)
		r = asprintf(&dir, "%s", env);
	else if (xdg && *xdg)
		r = asprintf(&dir, "%s/dmboot", xdg);
	else
		r = asprintf(&dir, "/tmp/dmboot-%u", (unsigned)geteuid());
	if (r < 0)
		return NULL;
	/* "dir/" would follow a symlink named dir. */
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	return dir;
}

int state_open(struct state *st, bool exclusive)
{
	char *lock = NULL;
	int r;

	st->lock_fd = -1;
	st->dir = dir_name();
	if (!st->dir) {
		cli_error("out of memory");
		return -ENOMEM;
	}
	r = mkdir_p(st->dir);
	if (r) {
		cli_error("cannot create state directory %s: %s", st->dir, strerror(-r));
		goto fail;
	}
	r = check_dir(st->dir);
	if (r)
		goto fail;
	if (asprintf(&lock, "%s/.lock", st->dir) < 0) {
		cli_error("out of memory");
		r = -ENOMEM;
		goto fail;
	}
	st->lock_fd = state_open_private(lock, O_RDWR | O_CREAT, 0600);
	if (st->lock_fd < 0) {
		refuse_file(lock, st->lock_fd);
		r = st->lock_fd;
		free(lock);
		goto fail;
	}
	free(lock);
	r = state_lock(st, exclusive);
	if (r)
		goto fail;
	return 0;
fail:
	state_close(st);
	return r;
}

void state_close(struct state *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
	free(st->dir);
	st->dir = NULL;
}
