/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_ops.c -- the async side of the tool, over <libpmemblk/async.h> and
 * libminiasync (see async_ops.h).
 */
#define PMEMBLK_USE_MINIASYNC 1
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <libminiasync.h>
#include <libpmemblk.h>

#include "async_ops.h"
#include "progress.h"
#include "report.h"
#include "tool.h"

struct mover {
	enum mover_kind kind;
	struct data_mover_sync *dms;
	struct data_mover_threads *dmt;
	struct vdm *vdm;
};

const char *
mover_name(enum mover_kind kind)
{
	return kind == MOVER_THREADS ? "threads" : "sync";
}

/* The threads mover wants a power-of-two queue. */
static size_t
pow2_at_least(size_t n)
{
	size_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

struct mover *
mover_new(enum mover_kind kind, unsigned nthreads, unsigned queue)
{
	struct mover *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		fail(EXIT_FAIL, "out of memory");
		return NULL;
	}
	m->kind = kind;
	if (kind == MOVER_THREADS) {
		m->dmt = data_mover_threads_new(nthreads, pow2_at_least(queue),
			FUTURE_NOTIFIER_WAKER);
		m->vdm = m->dmt ? data_mover_threads_get_vdm(m->dmt) : NULL;
	} else {
		m->dms = data_mover_sync_new();
		m->vdm = m->dms ? data_mover_sync_get_vdm(m->dms) : NULL;
	}
	if (m->vdm == NULL) {
		fail(EXIT_FAIL, "cannot start the %s data mover", mover_name(kind));
		free(m);
		return NULL;
	}
	return m;
}

void
mover_delete(struct mover *m)
{
	if (m == NULL)
		return;
	if (m->dmt != NULL)
		data_mover_threads_delete(m->dmt);
	if (m->dms != NULL)
		data_mover_sync_delete(m->dms);
	free(m);
}

PMEMblkpool *
async_pool_open(const char *path, size_t bsize, struct mover *m)
{
	return pmemblk_xopen(path, bsize, m->vdm);
}

PMEMblkpool *
async_pool_create(const char *path, size_t bsize, size_t size, mode_t mode,
	struct mover *m)
{
	return pmemblk_xcreate(path, bsize, size, mode, m->vdm);
}

/* Either kind of future; both start with their struct future. */
union block_future {
	struct pmemblk_write_async_future w;
	struct pmemblk_read_async_future r;
};

static void
future_start(union block_future *f, bool write, PMEMblkpool *pbp, void *buf,
	long long blockno)
{
	if (write)
		f->w = pmemblk_write_async(pbp, buf, blockno);
	else
		f->r = pmemblk_read_async(pbp, buf, blockno);
}

static struct future *
future_of(union block_future *f, bool write)
{
	return write ? FUTURE_AS_RUNNABLE(&f->w) : FUTURE_AS_RUNNABLE(&f->r);
}

static int
future_result(union block_future *f, bool write)
{
	return write ? FUTURE_OUTPUT(&f->w)->return_value :
		FUTURE_OUTPUT(&f->r)->return_value;
}

int
async_io(PMEMblkpool *pbp, bool write, unsigned char *bufs,
	const long long *blocks, size_t n)
{
	size_t bsize = pmemblk_bsize(pbp);
	union block_future *futs = calloc(n, sizeof(*futs));
	struct future **run = calloc(n, sizeof(*run));
	struct runtime *rt = runtime_new();
	int ret = -1;
	if (futs == NULL || run == NULL || rt == NULL) {
		errno = ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		future_start(&futs[i], write, pbp, bufs + i * bsize, blocks[i]);
		run[i] = future_of(&futs[i], write);
	}
	runtime_wait_multiple(rt, run, n);

	ret = 0;
	int first_errno = 0;
	for (size_t i = 0; i < n; i++) {
		if (future_result(&futs[i], write) != 0 && ret == 0) {
			ret = -1;
			first_errno = errno;
		}
	}
	errno = first_errno;
out:
	if (rt != NULL)
		runtime_delete(rt);
	free(run);
	free(futs);
	return ret;
}

/* One queue slot of the async benchmark. */
struct slot {
	union block_future f;
	bool busy;
	bool write;
	uint64_t start;
	unsigned char *buf;
};

/* Polls slot s once; true if it finished. */
static bool
slot_poll(struct bench_worker *w, struct slot *s)
{
	if (future_poll(future_of(&s->f, s->write), NULL) !=
			FUTURE_STATE_COMPLETE)
		return false;
	bench_record(w, s->write, now_ns() - s->start,
		future_result(&s->f, s->write));
	s->busy = false;
	return true;
}

/*
 * Keeps cfg->qd futures in flight until told to stop, then lets the
 * started ones finish (a started future must never be abandoned).
 */
int
async_bench_loop(struct bench_worker *w)
{
	unsigned qd = w->cfg->qd;
	struct slot *slots = calloc(qd, sizeof(*slots));
	unsigned char *bufs = malloc((size_t)qd * w->bsize);
	if (slots == NULL || bufs == NULL) {
		free(slots);
		free(bufs);
		w->errors++;
		snprintf(w->first_error, sizeof(w->first_error), "out of memory");
		return -1;
	}
	memset(bufs, 0x5A, (size_t)qd * w->bsize);
	for (unsigned i = 0; i < qd; i++)
		slots[i].buf = bufs + (size_t)i * w->bsize;

	for (unsigned busy = 1; busy > 0; ) {
		bool stopping = bench_stopping(w);
		bool progressed = false;
		busy = 0;
		for (unsigned i = 0; i < qd; i++) {
			struct slot *s = &slots[i];
			if (s->busy && slot_poll(w, s))
				progressed = true;
			/*
			 * A new future's first poll waits for the next pass:
			 * by then the pass has started the other slots' work,
			 * so the mover has a queue to take from instead of
			 * one operation at a time.
			 */
			if (!s->busy && !stopping) {
				long long blockno;
				s->write = bench_pick(w, &blockno);
				s->start = now_ns();
				future_start(&s->f, s->write, w->pbp, s->buf,
					blockno);
				s->busy = true;
			}
			busy += s->busy;
		}
		if (!stopping)
			busy = 1;	/* keep going until told to stop */
		if (!progressed)
			sched_yield();	/* let the mover's threads work */
	}
	free(bufs);
	free(slots);
	return 0;
}
