// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * dmboot: one binary whose subcommands mirror the Linux tools.  Invoked
 * through a symlink named after a tool (dmsetup, ...) it behaves as that
 * subcommand.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char *cli_prog = "dmboot";

/*
 * Errors are one line: control characters from names or files are shown
 * escaped, so they can neither break the line nor reach the terminal.
 */
void cli_error(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: ", cli_prog);
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(stderr, "\\x%02x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('\n', stderr);
}

int cli_seterr(struct dmb_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	ctx->err = err;
	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	va_end(ap);
	return err;
}

int cli_read_file(const char *path, size_t cap, char **out, size_t *len)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	size_t size = 0, alloc = 4096;
	char *buf;

	*out = NULL;
	if (fd < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return -errno;
	}
	buf = malloc(alloc);
	for (;;) {
		ssize_t n;

		if (!buf) {
			cli_error("out of memory reading %s", path);
			break;
		}
		if (size + 1 >= alloc) {
			char *b = alloc > cap + 1 ? NULL : realloc(buf, alloc * 2);

			if (!b) {
				free(buf);
				buf = NULL;
				if (alloc > cap + 1)
					cli_error("%s: larger than %zu bytes", path, cap);
				else
					cli_error("out of memory reading %s", path);
				break;
			}
			buf = b;
			alloc *= 2;
		}
		n = read(fd, buf + size, alloc - size - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("%s: %s", path, strerror(errno));
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0)
			break;
		size += (size_t)n;
		if (size > cap) {
			cli_error("%s: larger than %zu bytes", path, cap);
			free(buf);
			buf = NULL;
			break;
		}
	}
	if (fd != 0)
		close(fd);
	if (!buf)
		return -EINVAL;
	buf[size] = '\0';
	*out = buf;
	*len = size;
	return 0;
}

void cli_json_string(const char *s)
{
	static const char controls[] = "\b\f\n\r\t", letters[] = "bfnrt";

	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *c = strchr(controls, *p);

		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (c)
			printf("\\%c", letters[c - controls]);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: dmboot <command> [arguments]\n"
		   "\n"
		   "Commands (each also works through a symlink of that name):\n"
		   "  dmsetup   create, remove, remove_all, ls, table, status, info, read, write\n"
		   "  veritysetup  format, verify, open, close, dump\n"
		   "  sfdisk    --json, --list: GPT and MBR partition tables\n"
		   "  lvm       pvs, vgs, lvs, vgchange, lvchange: LVM2 volume groups\n"
		   "  ddi       inspect, open, close, cmdline: discoverable disk images\n"
		   "\n"
		   "'dmboot dmsetup help' lists the dmsetup commands.\n");
}

/* The subcommands; a symlink named after one runs it. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} tools[] = {
	{ "dmsetup", cmd_dmsetup },
	{ "veritysetup", cmd_veritysetup },
	{ "sfdisk", cmd_sfdisk },
	{ "lvm", cmd_lvm },
	{ "ddi", cmd_ddi },
	{ "pvs", cmd_lvm },
	{ "vgs", cmd_lvm },
	{ "lvs", cmd_lvm },
	{ "vgchange", cmd_lvm },
	{ "lvchange", cmd_lvm },
};

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(base, tools[i].name) == 0) {
			cli_prog = tools[i].name;
			return tools[i].run(argc, argv);
		}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(argv[1], tools[i].name) == 0) {
			cli_prog = tools[i].name;
			return tools[i].run(argc - 1, argv + 1);
		}
	cli_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return 1;
}
