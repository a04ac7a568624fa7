/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_ops.h -- the tool's use of the asynchronous API (pmemblk_xopen,
 * pmemblk_write_async, pmemblk_read_async) and of libminiasync's movers
 * and runtime (async_ops.c). The project always builds both, so the tool
 * always has them.
 */
#ifndef PMEMBLK_TOOL_ASYNC_OPS_H
#define PMEMBLK_TOOL_ASYNC_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <libpmemblk.h>

#include "bench.h"

enum mover_kind { MOVER_SYNC, MOVER_THREADS };

struct mover;

/*
 * A data mover for async pools: the synchronous one, or a threads mover
 * with `nthreads` workers and room for `queue` queued operations. NULL
 * (message printed) on failure.
 */
struct mover *mover_new(enum mover_kind kind, unsigned nthreads,
	unsigned queue);
void mover_delete(struct mover *m);
const char *mover_name(enum mover_kind kind);

/* pmemblk_xopen / pmemblk_xcreate with the mover's vdm. */
PMEMblkpool *async_pool_open(const char *path, size_t bsize, struct mover *m);
PMEMblkpool *async_pool_create(const char *path, size_t bsize, size_t size,
	mode_t mode, struct mover *m);

/*
 * Reads or writes n blocks at once: one future each, all waited for by a
 * miniasync runtime. bufs holds n blocks of the pool's bsize. Returns 0,
 * or -1 with errno and pmemblk_errormsg() from the first failed future.
 */
int async_io(PMEMblkpool *pbp, bool write, unsigned char *bufs,
	const long long *blocks, size_t n);

/* The async benchmark loop of one thread (see bench.h). */
int async_bench_loop(struct bench_worker *w);

#endif
