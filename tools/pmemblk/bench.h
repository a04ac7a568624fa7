/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench.h -- the benchmark engine behind `pmemblk bench` and `pmemblk
 * demo`: N threads issue random block reads and/or writes for a fixed
 * time, synchronously or with a queue of async futures each, and record
 * every operation's latency in a histogram.
 */
#ifndef PMEMBLK_TOOL_BENCH_H
#define PMEMBLK_TOOL_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libpmemblk.h>

#include "report.h"

enum bench_api { BENCH_SYNC, BENCH_ASYNC };
enum bench_op { BENCH_READ, BENCH_WRITE, BENCH_MIX };

struct bench_cfg {
	enum bench_api api;
	enum bench_op op;
	unsigned read_pct;	/* BENCH_MIX: share of reads, 0..100 */
	unsigned threads;
	unsigned qd;		/* async: futures in flight per thread */
	double duration;	/* seconds */
	uint64_t range;		/* blocks 0..range-1 are used */
	bool progress;		/* live line on a terminal */
};

/*
 * Latency histogram: exact below 16 ns, then 16 buckets per power of two
 * (values within about 6 %).
 */
#define HIST_SUB 16
#define HIST_BUCKETS (HIST_SUB + 60 * HIST_SUB)

struct hist {
	uint64_t count[HIST_BUCKETS];
	uint64_t total;
};

void hist_add(struct hist *h, uint64_t ns);
void hist_merge(struct hist *to, const struct hist *from);
/* Latency at quantile q (0..1), in nanoseconds; 0 for no samples. */
double hist_quantile(const struct hist *h, double q);

#define BENCH_ERR_MAX 256

struct bench_result {
	uint64_t reads, writes, errors;
	double seconds;
	size_t bsize;
	struct hist hist;
	char first_error[BENCH_ERR_MAX];
};

/* One thread's state; the async loop (bench_async.c) uses it too. */
struct bench_worker {
	PMEMblkpool *pbp;
	const struct bench_cfg *cfg;
	size_t bsize;
	uint64_t rng;
	atomic_bool *stop;
	atomic_uint_fast64_t done;	/* operations finished, for progress */
	uint64_t reads, writes, errors;
	struct hist hist;
	char first_error[BENCH_ERR_MAX];
};

/* Picks the next operation: its block, and whether it writes. */
bool bench_pick(struct bench_worker *w, long long *blockno);

/* Accounts one finished operation (ret: its return value). */
void bench_record(struct bench_worker *w, bool is_write, uint64_t ns,
	int ret);

static inline bool
bench_stopping(struct bench_worker *w)
{
	return atomic_load_explicit(w->stop, memory_order_relaxed);
}

/*
 * Runs the benchmark on an open pool. -1 (with a message printed) if it
 * could not start; errors of single operations are counted instead.
 */
int bench_run(PMEMblkpool *pbp, const struct bench_cfg *cfg,
	struct bench_result *res);

const char *bench_op_name(enum bench_op op);
const char *bench_api_name(enum bench_api api);

/* The results: ops/s, MiB/s, p50/p99 latency, counts. */
void bench_report(struct emit *e, const struct bench_cfg *cfg,
	const struct bench_result *res);

#endif
