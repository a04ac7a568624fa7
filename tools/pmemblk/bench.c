/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench.c -- the benchmark engine (see bench.h): threads, the sync loop,
 * the latency histogram and the report.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "async_ops.h"
#include "bench.h"
#include "progress.h"
#include "tool.h"

#define TICK_NS 100000000ull	/* the main thread wakes ten times a second */

static unsigned
hist_index(uint64_t ns)
{
	if (ns < HIST_SUB)
		return (unsigned)ns;
	unsigned e = 63u - (unsigned)__builtin_clzll(ns);	/* e >= 4 */
	unsigned sub = (unsigned)(ns >> (e - 4)) & (HIST_SUB - 1);
	unsigned i = HIST_SUB + (e - 4) * HIST_SUB + sub;
	return i < HIST_BUCKETS ? i : HIST_BUCKETS - 1;
}

/* Lowest value of bucket i. */
static double
hist_low(unsigned i)
{
	if (i < HIST_SUB)
		return i;
	unsigned e = (i - HIST_SUB) / HIST_SUB + 4;
	unsigned sub = (i - HIST_SUB) % HIST_SUB;
	return (double)((uint64_t)(HIST_SUB + sub) << (e - 4));
}

void
hist_add(struct hist *h, uint64_t ns)
{
	h->count[hist_index(ns)]++;
	h->total++;
}

void
hist_merge(struct hist *to, const struct hist *from)
{
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		to->count[i] += from->count[i];
	to->total += from->total;
}

double
hist_quantile(const struct hist *h, double q)
{
	if (h->total == 0)
		return 0;
	uint64_t want = (uint64_t)(q * (double)h->total);
	if (want >= h->total)
		want = h->total - 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen > want)	/* the middle of the bucket */
			return i + 1 < HIST_BUCKETS ?
				(hist_low(i) + hist_low(i + 1)) / 2 : hist_low(i);
	}
	return hist_low(HIST_BUCKETS - 1);
}

/* xorshift64*: fast, per thread, good enough to spread blocks. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

bool
bench_pick(struct bench_worker *w, long long *blockno)
{
	uint64_t r = rng_next(&w->rng);
	*blockno = (long long)(r % w->cfg->range);
	switch (w->cfg->op) {
	case BENCH_READ: return false;
	case BENCH_WRITE: return true;
	default: return (r >> 40) % 100 >= w->cfg->read_pct;
	}
}

void
bench_record(struct bench_worker *w, bool is_write, uint64_t ns, int ret)
{
	if (ret != 0) {
		if (w->errors++ == 0)
			snprintf(w->first_error, sizeof(w->first_error), "%s",
				pmemblk_errormsg());
	} else if (is_write) {
		w->writes++;
	} else {
		w->reads++;
	}
	hist_add(&w->hist, ns);
	atomic_fetch_add_explicit(&w->done, 1, memory_order_relaxed);
}

static void
sync_loop(struct bench_worker *w)
{
	unsigned char *buf = malloc(w->bsize);
	if (buf == NULL) {
		w->errors++;
		snprintf(w->first_error, sizeof(w->first_error), "out of memory");
		return;
	}
	memset(buf, 0xA5, w->bsize);
	while (!bench_stopping(w)) {
		long long blockno;
		bool is_write = bench_pick(w, &blockno);
		uint64_t t0 = now_ns();
		int ret = is_write ? pmemblk_write(w->pbp, buf, blockno) :
			pmemblk_read(w->pbp, buf, blockno);
		bench_record(w, is_write, now_ns() - t0, ret);
	}
	free(buf);
}

static void *
worker_main(void *arg)
{
	struct bench_worker *w = arg;
	if (w->cfg->api == BENCH_ASYNC)
		async_bench_loop(w);
	else
		sync_loop(w);
	return NULL;
}

static uint64_t
total_done(struct bench_worker *ws, unsigned n)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += atomic_load_explicit(&ws[i].done, memory_order_relaxed);
	return sum;
}

/* Sleeps until the deadline, drawing the progress line. */
static void
wait_deadline(const struct bench_cfg *cfg, struct bench_worker *ws,
	uint64_t start)
{
	struct progress progress;
	progress_init(&progress, cfg->progress);
	uint64_t end = start + (uint64_t)(cfg->duration * 1e9);
	for (uint64_t now = now_ns(); now < end; now = now_ns()) {
		uint64_t left = end - now < TICK_NS ? end - now : TICK_NS;
		struct timespec ts = { 0, (long)left };
		nanosleep(&ts, NULL);
		double s = (double)(now_ns() - start) / 1e9;
		uint64_t ops = total_done(ws, cfg->threads);
		progress_show(&progress, false,
			"bench %s %s: %.1f/%.1f s, %llu ops, %.0f ops/s",
			bench_api_name(cfg->api), bench_op_name(cfg->op), s,
			cfg->duration, (unsigned long long)ops,
			s > 0 ? (double)ops / s : 0.0);
	}
	progress_clear(&progress);
}

static void
collect(struct bench_worker *ws, unsigned n, struct bench_result *res)
{
	for (unsigned i = 0; i < n; i++) {
		struct bench_worker *w = &ws[i];
		res->reads += w->reads;
		res->writes += w->writes;
		if (w->errors && res->errors == 0)
			memcpy(res->first_error, w->first_error,
				sizeof(res->first_error));
		res->errors += w->errors;
		hist_merge(&res->hist, &w->hist);
	}
}

int
bench_run(PMEMblkpool *pbp, const struct bench_cfg *cfg,
	struct bench_result *res)
{
	memset(res, 0, sizeof(*res));
	res->bsize = pmemblk_bsize(pbp);
	struct bench_worker *ws = calloc(cfg->threads, sizeof(*ws));
	if (ws == NULL)
		return fail(-1, "out of memory");

	atomic_bool stop;
	atomic_init(&stop, false);
	uint64_t start = now_ns();
	for (unsigned i = 0; i < cfg->threads; i++) {
		struct bench_worker *w = &ws[i];
		w->pbp = pbp;
		w->cfg = cfg;
		w->bsize = res->bsize;
		w->rng = (0x9E3779B97F4A7C15ull * (i + 1)) ^ start;
		w->stop = &stop;
		atomic_init(&w->done, 0);
	}
	pthread_t *tids = calloc(cfg->threads, sizeof(*tids));
	int ret = tids == NULL ? ENOMEM : 0;
	unsigned started = 0;
	while (ret == 0 && started < cfg->threads) {
		ret = pthread_create(&tids[started], NULL, worker_main,
			&ws[started]);
		if (ret == 0)
			started++;
	}
	if (ret == 0)
		wait_deadline(cfg, ws, start);

	atomic_store(&stop, true);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	res->seconds = (double)(now_ns() - start) / 1e9;
	collect(ws, started, res);
	free(tids);
	free(ws);
	if (ret != 0)
		return fail(-1, "cannot start the benchmark threads: %s",
			strerror(ret));
	return 0;
}

const char *
bench_op_name(enum bench_op op)
{
	switch (op) {
	case BENCH_READ: return "read";
	case BENCH_WRITE: return "write";
	default: return "mix";
	}
}

const char *
bench_api_name(enum bench_api api)
{
	return api == BENCH_ASYNC ? "async" : "sync";
}

void
bench_report(struct emit *e, const struct bench_cfg *cfg,
	const struct bench_result *res)
{
	uint64_t ops = res->reads + res->writes;
	double secs = res->seconds > 0 ? res->seconds : 1;
	double ops_s = (double)ops / secs;
	double mib_s = ops_s * (double)res->bsize / (1024.0 * 1024.0);

	emit_str(e, "api", "api", bench_api_name(cfg->api));
	emit_str(e, "op", "operation", bench_op_name(cfg->op));
	if (cfg->op == BENCH_MIX)
		emit_u64(e, "read_pct", "reads (%)", cfg->read_pct);
	emit_u64(e, "bsize", "block size", res->bsize);
	emit_u64(e, "threads", "threads", cfg->threads);
	if (cfg->api == BENCH_ASYNC)
		emit_u64(e, "queue_depth", "queue depth", cfg->qd);
	emit_u64(e, "range", "blocks used", cfg->range);
	emit_double(e, "seconds", "duration", res->seconds, "s");
	emit_u64(e, "ops", "operations", ops);
	emit_u64(e, "reads", "reads", res->reads);
	emit_u64(e, "writes", "writes", res->writes);
	emit_u64(e, "errors", "errors", res->errors);
	emit_double(e, "ops_per_sec", "ops/s", ops_s, "");
	emit_double(e, "mib_per_sec", "throughput", mib_s, "MiB/s");
	emit_ns(e, "p50_ns", "latency p50", hist_quantile(&res->hist, 0.50));
	emit_ns(e, "p99_ns", "latency p99", hist_quantile(&res->hist, 0.99));
	if (res->errors)
		emit_str(e, "first_error", "first error", res->first_error);
}
