// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Passphrases and key files for `dmboot cryptsetup`, read as cryptsetup
 * 2.6.1 reads them: a key file whole up to the compiled-in maximum (8192
 * kB), from --keyfile-offset and for --keyfile-size bytes, "-" for stdin;
 * without one, a prompt with echo off on a terminal, else standard input
 * up to the first newline.  Also the context every action uses: host
 * crypto (with OpenSSL's legacy provider, as cryptsetup loads it) and the
 * Argon2 memory cap of this machine (formats.md §5.4).
 * Every buffer that held a secret is wiped before it is freed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/provider.h>

#include "cryptsetup.h"

/* cryptsetup's DEFAULT_KEYFILE_SIZE_MAXKB and DEFAULT_PASSPHRASE_SIZE_MAX. */
#define KEYFILE_MAX (8192u * 1024u)
#define PASSPHRASE_MAX 512u

void cs_secret_free(uint8_t *p, size_t len)
{
	if (p)
		dmb_wipe(p, len);
	free(p);
}

/* MemAvailable of /proc/meminfo, else sysinfo's free RAM, in KiB (0: unknown). */
static uint32_t memory_kib(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	unsigned long long kib = 0;
	struct sysinfo si;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	if (!kib && sysinfo(&si) == 0)
		kib = (unsigned long long)si.freeram * si.mem_unit / 1024;
	return kib > UINT32_MAX ? UINT32_MAX : (uint32_t)kib;
}

/*
 * cryptsetup's OpenSSL backend loads the legacy provider next to the
 * default one, so LUKS hashes such as whirlpool unlock; so do we (keeping
 * the default provider: retain_fallbacks), between cs_ctx_init() and
 * cs_ctx_fini().  Without it they are refused by name.
 */
static OSSL_PROVIDER *legacy;

void cs_ctx_init(struct dmb_ctx *ctx, struct dmb_posix_crypto *pc)
{
	if (!legacy)
		legacy = OSSL_PROVIDER_try_load(NULL, "legacy", 1);
	memset(ctx, 0, sizeof(*ctx));
	dmb_posix_crypto_init(pc);
	ctx->crypto = &pc->crypto;
	ctx->mem.kdf_max_kib = memory_kib();
	/* A key slot over the memory cap, a damaged header copy: said on stderr. */
	ctx->log_level = DMB_LOG_WARN;
}

void cs_ctx_fini(struct dmb_posix_crypto *pc)
{
	dmb_posix_crypto_fini(pc);
	if (legacy)
		(void)OSSL_PROVIDER_unload(legacy);
	legacy = NULL;
}

/* Read fd to its end or cap bytes, into a fresh buffer. */
static int read_all(int fd, size_t cap, uint8_t **out, size_t *len)
{
	size_t have = 0, size = 4096;
	uint8_t *buf = malloc(size);

	if (!buf)
		return DMB_ENOMEM;
	for (;;) {
		ssize_t n;

		if (have == size) {
			uint8_t *bigger = size >= cap ? NULL : malloc(size * 2);

			if (!bigger)
				break;
			memcpy(bigger, buf, have);
			cs_secret_free(buf, size);
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + have, (size < cap ? size : cap) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cs_secret_free(buf, size);
			return DMB_EIO;
		}
		if (n == 0 || have + (size_t)n >= cap) {
			have += (size_t)n;
			break;
		}
		have += (size_t)n;
	}
	*out = buf;
	*len = have;
	return 0;
}

/* Skip off bytes of fd (a pipe cannot seek). */
static int skip_bytes(int fd, uint64_t off)
{
	uint8_t junk[4096];

	if (off && lseek(fd, (off_t)off, SEEK_SET) >= 0)
		return 0;
	while (off) {
		ssize_t n = read(fd, junk, off < sizeof(junk) ? (size_t)off : sizeof(junk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return DMB_EIO;
		off -= (uint64_t)n;
	}
	return 0;
}

static int read_key_file(const struct copts *o, uint8_t **out, size_t *len)
{
	bool is_stdin = strcmp(o->key_file, "-") == 0;
	int fd = is_stdin ? 0 : open(o->key_file, O_RDONLY | O_CLOEXEC);
	size_t cap = o->keyfile_size ? (size_t)o->keyfile_size : KEYFILE_MAX;
	int r;

	if (fd < 0) {
		fprintf(stderr, "Failed to open key file.\n");
		return DMB_EINVAL;
	}
	r = skip_bytes(fd, o->keyfile_offset);
	if (!r)
		r = read_all(fd, cap, out, len);
	if (!is_stdin)
		close(fd);
	if (r == DMB_ENOMEM)
		return r;
	if (!r && o->keyfile_size && *len < cap) {
		cs_secret_free(*out, *len);
		r = DMB_EIO;
	}
	if (r) {
		fprintf(stderr, "Cannot read requested amount of data.\n");
		return DMB_EINVAL;
	}
	return 0;
}

/* Standard input up to its first newline (not kept). */
static int read_line(int fd, size_t cap, uint8_t **out, size_t *len)
{
	uint8_t *buf = malloc(cap + 1);
	size_t n = 0;

	if (!buf)
		return DMB_ENOMEM;
	while (n < cap) {
		ssize_t got = read(fd, buf + n, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			cs_secret_free(buf, cap + 1);
			return DMB_EIO;
		}
		if (got == 0 || buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

/* The prompt on a terminal, echo off while the passphrase is typed. */
static int read_tty(const char *img, uint8_t **out, size_t *len)
{
	struct termios old, quiet;
	bool restore;
	int r;

	fprintf(stderr, "Enter passphrase for %s: ", img);
	fflush(stderr);
	restore = tcgetattr(0, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(0, TCSAFLUSH, &quiet);
	}
	r = read_line(0, PASSPHRASE_MAX, out, len);
	if (restore)
		(void)tcsetattr(0, TCSAFLUSH, &old);
	fprintf(stderr, "\n");
	return r;
}

int cs_read_secret(const struct copts *o, const char *img, uint8_t **out, size_t *len)
{
	int r;

	*out = NULL;
	*len = 0;
	if (o->key_file)
		r = read_key_file(o, out, len);
	else if (isatty(0))
		r = read_tty(img, out, len);
	else
		r = read_line(0, KEYFILE_MAX, out, len);
	if (r == DMB_ENOMEM)
		cli_error("out of memory");
	else if (r == DMB_EIO)
		fprintf(stderr, "Error reading passphrase.\n");
	return r == DMB_EIO ? DMB_EINVAL : r;
}
