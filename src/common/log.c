/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.c -- the debug log.
 *
 * PMDK writes this log only in its debug build and aborts when the log
 * file cannot be opened. Ours is always available and never aborts: an
 * unopenable file is reported once on stderr and logging stays off.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 4096

/* Written only by blk_log_init, before any other thread can call us. */
int blk_log_level;
static int log_fd = -1;

void
blk_log_init(void)
{
	const char *level = secure_getenv("PMEMBLK_LOG_LEVEL");
	if (level == NULL)
		return;
	long v = strtol(level, NULL, 10);	/* like atoi: junk is 0 */
	if (v <= 0)
		return;

	int fd = STDERR_FILENO;
	const char *file = secure_getenv("PMEMBLK_LOG_FILE");
	if (file != NULL && *file != '\0') {
		char path[PATH_MAX];
		size_t len = strlen(file);
		/* a trailing '-' asks for one file per process */
		int n = file[len - 1] == '-' ?
			snprintf(path, sizeof(path), "%s%d", file,
				(int)getpid()) :
			snprintf(path, sizeof(path), "%s", file);
		fd = n >= 0 && (size_t)n < sizeof(path) ?
			open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
				O_CLOEXEC, 0666) : -1;
		if (fd < 0) {
			int err = n < 0 || (size_t)n >= sizeof(path) ?
				ENAMETOOLONG : errno;
			fprintf(stderr,
				"libpmemblk: cannot open log file \"%s\": %s; logging disabled\n",
				file, strerror(err));
			return;
		}
	}
	log_fd = fd;
	blk_log_level = v > INT_MAX ? INT_MAX : (int)v;
}

void
blk_log_fini(void)
{
	if (log_fd > STDERR_FILENO)
		close(log_fd);
	log_fd = -1;
	blk_log_level = 0;
}

void
blk_log_write(int level, const char *file, int line, const char *func,
	const char *fmt, ...)
{
	int saved_errno = errno;	/* logging never changes errno */
	char buf[LOG_LINE_MAX];
	size_t len;
	if (file != NULL) {
		const char *base = strrchr(file, '/');
		len = (size_t)snprintf(buf, sizeof(buf),
			"<libpmemblk>: <%d> [%s:%d %s] ", level,
			base != NULL ? base + 1 : file, line, func);
	} else {
		len = (size_t)snprintf(buf, sizeof(buf), "<libpmemblk>: <%d> ",
			level);
	}
	if (len < sizeof(buf)) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
		va_end(ap);
		if (n > 0)
			len += (size_t)n;
	}
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;	/* truncated: keep the newline */
	buf[len++] = '\n';
	/* one write per line: lines of concurrent threads do not mix */
	ssize_t ret = write(log_fd, buf, len);
	(void) ret;	/* nowhere to report a failing log */
	errno = saved_errno;
}
