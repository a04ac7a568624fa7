/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * out.c -- per-thread error messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "out.h"

static __thread char last_msg[ERR_MSG_MAX];

static void
format_msg(const char *fmt, va_list ap)
{
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
}

/* Level 1 of the debug log is every failure message. */
static void
log_failure(void)
{
	if (blk_log_level >= 1)
		blk_log_write(1, NULL, 0, NULL, "%s", last_msg);
}

int
err_set(int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_msg(fmt, ap);
	va_end(ap);
	log_failure();
	errno = errnum;
	return -1;
}

int
err_sys(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;
	va_start(ap, fmt);
	format_msg(fmt, ap);
	va_end(ap);
	size_t len = strlen(last_msg);
	snprintf(last_msg + len, sizeof(last_msg) - len, ": %s",
		strerror(errnum));
	log_failure();
	errno = errnum;
	return -1;
}

const char *
err_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	format_msg(fmt, ap);
	va_end(ap);
	return last_msg;
}

const char *
err_last(void)
{
	return last_msg;
}
