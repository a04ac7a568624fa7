/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * progress.c -- the terminal status line (see progress.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define REDRAW_NS 100000000ull	/* 10 redraws a second at most */
#define LINE_MAX_CHARS 160

uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
progress_init(struct progress *p, bool wanted)
{
	p->enabled = wanted && isatty(STDERR_FILENO);
	p->last_ns = 0;
	p->drawn = 0;
}

void
progress_show(struct progress *p, bool force, const char *fmt, ...)
{
	if (!p->enabled)
		return;
	uint64_t now = now_ns();
	if (!force && p->last_ns != 0 && now - p->last_ns < REDRAW_NS)
		return;
	p->last_ns = now;

	char line[LINE_MAX_CHARS];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	/* pad with spaces over what a longer previous line left behind */
	int pad = p->drawn > n ? p->drawn - n : 0;
	fprintf(stderr, "\r%s%*s", line, pad, "");
	if (pad > 0)
		fprintf(stderr, "\r%s", line);
	fflush(stderr);
	p->drawn = n;
}

void
progress_count(struct progress *p, const char *label, uint64_t done,
	uint64_t total)
{
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
	progress_show(p, false, "%s: %llu/%llu (%u%%)", label,
		(unsigned long long)done, (unsigned long long)total, pct);
}

void
progress_clear(struct progress *p)
{
	if (!p->enabled || p->drawn == 0)
		return;
	fprintf(stderr, "\r%*s\r", p->drawn, "");
	fflush(stderr);
	p->drawn = 0;
}

static void *
busy_main(void *arg)
{
	struct busy *b = arg;
	uint64_t start = now_ns();
	struct timespec tick = { 0, (long)REDRAW_NS };
	while (!atomic_load(&b->stop)) {
		double s = (double)(now_ns() - start) / 1e9;
		if (s >= 0.3)	/* quick calls never flash a line */
			progress_show(b->p, true, "%s... %.1f s", b->label, s);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

void
busy_start(struct busy *b, struct progress *p, const char *label)
{
	b->p = p;
	b->label = label;
	atomic_init(&b->stop, false);
	b->running = p->enabled &&
		pthread_create(&b->thread, NULL, busy_main, b) == 0;
}

void
busy_stop(struct busy *b)
{
	if (!b->running)
		return;
	atomic_store(&b->stop, true);
	pthread_join(b->thread, NULL);
	b->running = false;
	progress_clear(b->p);
}
