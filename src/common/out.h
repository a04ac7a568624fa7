/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * out.h -- failure reporting: errno plus a per-thread message that
 * pmemblk_errormsg() returns.
 *
 * Owns: the thread-local message buffer. Every public failure goes through
 * err_set() or err_sys(), so errno and the message always agree.
 */
#ifndef PMEMBLK_OUT_H
#define PMEMBLK_OUT_H

#define ERR_MSG_MAX 8192

/* Sets errno to errnum and the message to fmt; returns -1. */
int err_set(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like err_set with the current errno, appending ": strerror(errno)". */
int err_sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sets only the message (errno untouched); for pmemblk_check_version. */
const char *err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The calling thread's last message ("" if none). */
const char *err_last(void);

#endif
