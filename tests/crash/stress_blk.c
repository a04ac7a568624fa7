/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stress_blk.c -- writers, readers, set_zero and set_error hammering a
 * few blocks of a small pool at once, checked against a model.
 *
 * One more thread keeps asynchronous writes and reads in flight (futures
 * over a threads data mover, polled round robin), so future steps
 * interleave with everything else. The threads mover has the run
 * extension (miniasync_vdm_run(7)): those writes are copied, committed
 * and their lanes released by the mover's workers (or in the poll, when
 * the workers are behind), and those reads run whole there, concurrently
 * with the other threads' sync operations.
 *
 * Every block write is self-describing (crash_pattern.h): the version
 * names the writer (thread or future slot) and its sequence number. While the threads run,
 * every read must be a whole version of that block that some writer
 * wrote, or zeros, or EIO -- never a mix (the BTT's read tracking must
 * keep a writer from reusing a block a reader still copies).
 *
 * At the end the last state of every block must be linearizable: each
 * operation carries a [start, end] pair of global tickets, and the final
 * state must be that of an operation no other operation on the block
 * started after (only the last operation of each thread can qualify).
 * The pool then passes pmemblk_check and reads the same after a reopen.
 *
 * STRESS_SECONDS (default 3) sets the duration; STRESS_BLOCKS (default
 * 16) the number of blocks the threads fight over. Built against the
 * library under test (our libpmemblk), and run under TSan in CI.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PMEMBLK_USE_MINIASYNC 1
#include <libpmemblk.h>
#include <libminiasync.h>

#include "crash_pattern.h"

#define POOL_SIZE (((size_t)16 << 20) + 8192)
#define BSIZE 512
#define NWRITERS 2
#define NREADERS 2
#define NSTATERS 1	/* threads doing set_zero / set_error */
#define NSLOTS 4	/* futures the async thread keeps in flight */
#define NTHREADS (NWRITERS + NREADERS + NSTATERS + 1)
/* writers of data: the writer threads, then the future slots */
#define NSOURCES (NWRITERS + NSLOTS)
/* operation sequences that only ever run one at a time (see last[]) */
#define NACTORS (NWRITERS + NREADERS + NSTATERS + NSLOTS)
#define ASYNC_THREAD (NWRITERS + NREADERS + NSTATERS)
#define MAX_BLOCKS 64
#define SEQ_BITS 36	/* version = writer << SEQ_BITS | seq */

enum kind { K_NONE, K_ZERO, K_ERROR, K_DATA };

/* The last operation of one thread on one block. */
struct last_op {
	enum kind kind;
	uint64_t version;
	uint64_t start, end;	/* tickets */
};

static PMEMblkpool *pool;
static unsigned nblocks = 16;
static atomic_uint_fast64_t ticket;
static atomic_bool stop;
static atomic_uint_fast64_t writer_seq[NSOURCES];	/* last seq started */
static atomic_ulong violations;
/* per actor (a thread, or one future slot of the async thread) */
static struct last_op last[NACTORS][MAX_BLOCKS];
static unsigned long nops[NTHREADS];
static unsigned long nasync_writes, nasync_reads;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	if (atomic_fetch_add(&violations, 1) < 20) {
		va_list ap;
		va_start(ap, fmt);
		fprintf(stderr, "VIOLATION: ");
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
		va_end(ap);
	}
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A read while others write: whole, known, or zero, or EIO. */
static void
check_read(const uint8_t *buf, int ret, int err, unsigned lba)
{
	if (ret != 0) {
		if (err != EIO)
			fail("read of block %u failed with errno %d", lba, err);
		return;
	}
	uint64_t version;
	switch (pat_decode(buf, BSIZE, lba, &version)) {
	case PAT_ZERO:
		return;
	case PAT_BAD:
		fail("block %u reads a mix of versions or another block's data (first word %llx)",
			lba, (unsigned long long)*(const uint64_t *)buf);
		return;
	case PAT_DATA:
		break;
	}
	uint64_t w = version >> SEQ_BITS;
	uint64_t seq = version & ((1ULL << SEQ_BITS) - 1);
	if (w >= NSOURCES || seq == 0 ||
			seq > atomic_load(&writer_seq[w]))
		fail("block %u reads version %llx nobody wrote", lba,
			(unsigned long long)version);
}

static void *
writer(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	uint64_t rng = 0x1234567ULL * (id + 1);
	_Alignas(uint64_t) uint8_t buf[BSIZE];
	while (!atomic_load(&stop)) {
		unsigned lba = (unsigned)(rnd(&rng) % nblocks);
		uint64_t seq = atomic_fetch_add(&writer_seq[id], 1) + 1;
		uint64_t version = (uint64_t)id << SEQ_BITS | seq;
		pat_fill(buf, BSIZE, lba, version);
		struct last_op op = {K_DATA, version, 0, 0};
		op.start = atomic_fetch_add(&ticket, 1);
		if (pmemblk_write(pool, buf, lba) != 0)
			fail("write of block %u failed: %s", lba,
				pmemblk_errormsg());
		op.end = atomic_fetch_add(&ticket, 1);
		last[id][lba] = op;
		nops[id]++;
	}
	return NULL;
}

static void *
reader(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	uint64_t rng = 0xABCDEFULL * (id + 1);
	_Alignas(uint64_t) uint8_t buf[BSIZE];
	while (!atomic_load(&stop)) {
		unsigned lba = (unsigned)(rnd(&rng) % nblocks);
		errno = 0;
		int ret = pmemblk_read(pool, buf, lba);
		check_read(buf, ret, errno, lba);
		nops[id]++;
	}
	return NULL;
}

static void *
stater(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	uint64_t rng = 0x777ULL * (id + 1);
	while (!atomic_load(&stop)) {
		unsigned lba = (unsigned)(rnd(&rng) % nblocks);
		bool zero = rnd(&rng) % 2;
		struct last_op op = {zero ? K_ZERO : K_ERROR, 0, 0, 0};
		op.start = atomic_fetch_add(&ticket, 1);
		int ret = zero ? pmemblk_set_zero(pool, lba) :
			pmemblk_set_error(pool, lba);
		if (ret != 0)
			fail("set_zero/set_error of block %u failed: %s",
				lba, pmemblk_errormsg());
		op.end = atomic_fetch_add(&ticket, 1);
		last[id][lba] = op;
		nops[id]++;
		/* fewer of these than writes, so data survives to be read */
		usleep(50);
	}
	return NULL;
}

/*
 * Keeps NSLOTS futures going: writes (slot k writes as source NWRITERS+k)
 * and reads, polled round robin; at the end lets every one finish.
 */
static void *
async_thread(void *arg)
{
	(void) arg;
	struct slot {
		bool busy, is_write;
		unsigned lba;
		struct last_op op;
		struct pmemblk_write_async_future wf;
		struct pmemblk_read_async_future rf;
		_Alignas(uint64_t) uint8_t buf[BSIZE];
	} slots[NSLOTS];
	memset(slots, 0, sizeof(slots));
	uint64_t rng = 0xFACE;
	unsigned busy = 0;
	while (!atomic_load(&stop) || busy > 0) {
		for (unsigned k = 0; k < NSLOTS; k++) {
			struct slot *sl = &slots[k];
			if (!sl->busy && !atomic_load(&stop)) {
				sl->lba = (unsigned)(rnd(&rng) % nblocks);
				sl->is_write = rnd(&rng) % 4 != 0;
				sl->busy = true;
				busy++;
				if (sl->is_write) {
					unsigned src = NWRITERS + k;
					uint64_t seq = atomic_fetch_add(
						&writer_seq[src], 1) + 1;
					uint64_t version = (uint64_t)src <<
						SEQ_BITS | seq;
					pat_fill(sl->buf, BSIZE, sl->lba,
						version);
					sl->op = (struct last_op){K_DATA,
						version, 0, 0};
					sl->op.start = atomic_fetch_add(&ticket,
						1);
					sl->wf = pmemblk_write_async(pool,
						sl->buf, sl->lba);
				} else {
					sl->rf = pmemblk_read_async(pool,
						sl->buf, sl->lba);
				}
			}
			if (!sl->busy)
				continue;
			int ret;
			if (sl->is_write) {
				if (future_poll(FUTURE_AS_RUNNABLE(&sl->wf),
						NULL) != FUTURE_STATE_COMPLETE)
					continue;
				ret = FUTURE_OUTPUT(&sl->wf)->return_value;
				if (ret != 0)
					fail("async write of block %u failed: %s",
						sl->lba, pmemblk_errormsg());
				sl->op.end = atomic_fetch_add(&ticket, 1);
				last[ASYNC_THREAD + k][sl->lba] = sl->op;
				nasync_writes++;
			} else {
				if (future_poll(FUTURE_AS_RUNNABLE(&sl->rf),
						NULL) != FUTURE_STATE_COMPLETE)
					continue;
				ret = FUTURE_OUTPUT(&sl->rf)->return_value;
				check_read(sl->buf, ret, errno, sl->lba);
				nasync_reads++;
			}
			sl->busy = false;
			busy--;
		}
	}
	return NULL;
}

/* Whether reading (ret, buf) is what operation op leaves behind. */
static bool
matches(const struct last_op *op, int ret, const uint8_t *buf, unsigned lba)
{
	uint64_t version;
	switch (op->kind) {
	case K_NONE:
	case K_ZERO:
		return ret == 0 && pat_decode(buf, BSIZE, lba, &version) ==
			PAT_ZERO;
	case K_ERROR:
		return ret == -1;
	case K_DATA:
		return ret == 0 && pat_decode(buf, BSIZE, lba, &version) ==
			PAT_DATA && version == op->version;
	}
	return false;
}

/* The final state of each block must be one a linearization allows. */
static void
check_final(const char *when)
{
	_Alignas(uint64_t) uint8_t buf[BSIZE];
	for (unsigned lba = 0; lba < nblocks; lba++) {
		errno = 0;
		int ret = pmemblk_read(pool, buf, lba);
		if (ret != 0 && errno != EIO)
			fail("%s: read of block %u: errno %d", when, lba,
				errno);
		bool any = false, ok = false;
		for (int t = 0; t < NACTORS; t++) {
			const struct last_op *o = &last[t][lba];
			if (o->kind == K_NONE)
				continue;
			any = true;
			bool superseded = false;
			for (int u = 0; u < NACTORS; u++)
				if (last[u][lba].kind != K_NONE &&
						last[u][lba].start > o->end)
					superseded = true;
			if (!superseded && matches(o, ret, buf, lba))
				ok = true;
		}
		if (!any) {
			static const struct last_op none = {K_NONE, 0, 0, 0};
			ok = matches(&none, ret, buf, lba);
		}
		if (!ok)
			fail("%s: block %u holds no state a last operation left",
				when, lba);
	}
}

int
main(void)
{
	const char *v = getenv("STRESS_SECONDS");
	double seconds = v && *v ? atof(v) : 3.0;
	v = getenv("STRESS_BLOCKS");
	if (v && *v)
		nblocks = (unsigned)atoi(v);
	if (nblocks == 0 || nblocks > MAX_BLOCKS) {
		fprintf(stderr, "STRESS_BLOCKS must be 1..%d\n", MAX_BLOCKS);
		return 1;
	}

	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
		getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[256];
	snprintf(path, sizeof(path), "%s/stress_blk_%d.pool", dir,
		(int)getpid());
	unlink(path);
	struct data_mover_threads *dmt = data_mover_threads_default();
	if (dmt == NULL) {
		fprintf(stderr, "data_mover_threads_default failed\n");
		return 1;
	}
	pool = pmemblk_xcreate(path, BSIZE, POOL_SIZE, 0600,
		data_mover_threads_get_vdm(dmt));
	if (pool == NULL) {
		fprintf(stderr, "pmemblk_create: %s\n", pmemblk_errormsg());
		return 1;
	}

	pthread_t th[NTHREADS];
	for (int t = 0; t < NTHREADS; t++) {
		void *(*fn)(void *) = t < NWRITERS ? writer :
			t < NWRITERS + NREADERS ? reader :
			t < ASYNC_THREAD ? stater : async_thread;
		if (pthread_create(&th[t], NULL, fn, (void *)(uintptr_t)t)) {
			perror("pthread_create");
			return 1;
		}
	}
	struct timespec ts = {(time_t)seconds,
		(long)((seconds - (double)(time_t)seconds) * 1e9)};
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);

	check_final("after the run");
	pmemblk_close(pool);
	data_mover_threads_delete(dmt);
	int c = pmemblk_check(path, BSIZE);
	if (c != 1)
		fail("pmemblk_check returned %d: %s", c, pmemblk_errormsg());
	pool = pmemblk_open(path, BSIZE);
	if (pool == NULL) {
		fprintf(stderr, "pmemblk_open: %s\n", pmemblk_errormsg());
		return 1;
	}
	check_final("after reopen");
	pmemblk_close(pool);
	unlink(path);

	unsigned long w = 0, r = 0, s = 0;
	for (int t = 0; t < ASYNC_THREAD; t++) {
		if (t < NWRITERS)
			w += nops[t];
		else if (t < NWRITERS + NREADERS)
			r += nops[t];
		else
			s += nops[t];
	}
	printf("stress: %.1f s on %u blocks: %lu writes, %lu reads, %lu set_zero/set_error, %lu async writes, %lu async reads, violations: %lu\n",
		seconds, nblocks, w, r, s, nasync_writes, nasync_reads,
		(unsigned long)violations);
	return violations ? 1 : 0;
}
