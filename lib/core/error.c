// SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
/*
 * Error codes, the context's last-error record and logging (error.h, and
 * core.h for dmbi_log).  Every failure in lib/, the ports and the CLI goes
 * through dmb_ctx_set_error() or dmb_ctx_wrap_error(), so a message is always
 * one NUL-terminated line of at most DMB_MSG_MAX bytes.
 */
#include "core.h"

static const struct {
	int err;
	const char *text;
} error_text[] = {
	{ DMB_OK, "success" },
	{ DMB_ENOENT, "not found" },
	{ DMB_EIO, "I/O error" },
	{ DMB_ENOMEM, "out of memory" },
	{ DMB_EACCES, "access refused" },
	{ DMB_EBUSY, "device in use" },
	{ DMB_EEXIST, "already exists" },
	{ DMB_EINVAL, "invalid argument" },
	{ DMB_ERANGE, "out of range" },
	{ DMB_EVERIFY, "verification failed" },
	{ DMB_ENOTSUP, "not supported" },
	{ DMB_ECORRUPT, "corrupt metadata" },
	{ DMB_ENOKEY, "required key not available" },
};

const char *dmb_strerror(int err)
{
	for (size_t i = 0; i < DMBI_ARRAY_SIZE(error_text); i++)
		if (error_text[i].err == err)
			return error_text[i].text;
	return "unknown error";
}

const char *dmb_ctx_message(const struct dmb_ctx *ctx)
{
	return ctx->msg;
}

void dmb_ctx_clear(struct dmb_ctx *ctx)
{
	ctx->err = 0;
	ctx->msg[0] = '\0';
}

int dmb_ctx_vset_error(struct dmb_ctx *ctx, int err, const char *fmt, va_list ap)
{
	if (!ctx)
		return err;
	ctx->err = err;
	dmbi_vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	return err;
}

int dmb_ctx_set_error(struct dmb_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dmb_ctx_vset_error(ctx, err, fmt, ap);
	va_end(ap);
	return err;
}

int dmb_ctx_wrap_error(struct dmb_ctx *ctx, int err, const char *fallback, const char *fmt, ...)
{
	char inner[DMB_MSG_MAX];
	struct dmbi_strbuf sb;
	va_list ap;

	if (!ctx)
		return err;
	memcpy(inner, ctx->msg, sizeof(inner));
	inner[sizeof(inner) - 1] = '\0';
	dmbi_strbuf_init(&sb, ctx->msg, sizeof(ctx->msg));
	va_start(ap, fmt);
	dmbi_strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	dmbi_strbuf_puts(&sb, inner[0] ? inner : fallback ? fallback : dmb_strerror(err));
	ctx->err = err;
	return err;
}

void dmbi_log(const struct dmb_ctx *ctx, enum dmb_log_level level, const char *fmt, ...)
{
	char line[DMB_MSG_MAX];
	va_list ap;

	if (level != DMB_LOG_ERR && (!ctx || (int)level > ctx->log_level))
		return;
	va_start(ap, fmt);
	dmbi_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dmb_port_log(level, line);
}
