/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * progress.h -- a live, self-overwriting status line on stderr, shown only
 * when stderr is a terminal (never when piped or redirected), plus the
 * monotonic clock the tool measures with.
 */
#ifndef PMEMBLK_TOOL_PROGRESS_H
#define PMEMBLK_TOOL_PROGRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void);

struct progress {
	bool enabled;
	uint64_t last_ns;	/* when the line was last drawn */
	int drawn;		/* characters on the line now */
};

/* Enabled only if `wanted` and stderr is a terminal. */
void progress_init(struct progress *p, bool wanted);

/* Redraws the line, at most ten times a second unless `force`. */
void progress_show(struct progress *p, bool force, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "label: done/total (NN%)" */
void progress_count(struct progress *p, const char *label, uint64_t done,
	uint64_t total);

/* Erases the line so that normal output starts on a clean line. */
void progress_clear(struct progress *p);

/*
 * For a long call that reports no progress of its own (pmemblk_check):
 * a thread shows "label... N.N s" until busy_stop().
 */
struct busy {
	struct progress *p;
	const char *label;
	pthread_t thread;
	atomic_bool stop;
	bool running;
};

void busy_start(struct busy *b, struct progress *p, const char *label);
void busy_stop(struct busy *b);

#endif
