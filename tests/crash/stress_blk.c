/*
 * stress_blk.c -- writers, readers, set_zero and set_error hammering a
 * few blocks of a small pool at once, checked against a model.
 *
 * Every block write is self-describing (crash_pattern.h): the version
 * names the writer thread and its sequence number. While the threads run,
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

#include <libpmemblk.h>

#include "crash_pattern.h"

#define POOL_SIZE (((size_t)16 << 20) + 8192)
#define BSIZE 512
#define NWRITERS 2
#define NREADERS 2
#define NSTATERS 1	/* threads doing set_zero / set_error */
#define NTHREADS (NWRITERS + NREADERS + NSTATERS)
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
static atomic_uint_fast64_t writer_seq[NWRITERS];	/* last seq started */
static atomic_ulong violations;
static struct last_op last[NTHREADS][MAX_BLOCKS];
static unsigned long nops[NTHREADS];

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
	if (w >= NWRITERS || seq == 0 ||
			seq > atomic_load(&writer_seq[w]))
		fail("block %u reads version %llx nobody wrote", lba,
			(unsigned long long)version);
}

static void *
writer(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	uint64_t rng = 0x1234567ULL * (id + 1);
	uint8_t buf[BSIZE];
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
	uint8_t buf[BSIZE];
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
	uint8_t buf[BSIZE];
	for (unsigned lba = 0; lba < nblocks; lba++) {
		errno = 0;
		int ret = pmemblk_read(pool, buf, lba);
		if (ret != 0 && errno != EIO)
			fail("%s: read of block %u: errno %d", when, lba,
				errno);
		bool any = false, ok = false;
		for (int t = 0; t < NTHREADS; t++) {
			const struct last_op *o = &last[t][lba];
			if (o->kind == K_NONE)
				continue;
			any = true;
			bool superseded = false;
			for (int u = 0; u < NTHREADS; u++)
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
	pool = pmemblk_create(path, BSIZE, POOL_SIZE, 0600);
	if (pool == NULL) {
		fprintf(stderr, "pmemblk_create: %s\n", pmemblk_errormsg());
		return 1;
	}

	pthread_t th[NTHREADS];
	for (int t = 0; t < NTHREADS; t++) {
		void *(*fn)(void *) = t < NWRITERS ? writer :
			t < NWRITERS + NREADERS ? reader : stater;
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
	for (int t = 0; t < NTHREADS; t++) {
		if (t < NWRITERS)
			w += nops[t];
		else if (t < NWRITERS + NREADERS)
			r += nops[t];
		else
			s += nops[t];
	}
	printf("stress: %.1f s on %u blocks: %lu writes, %lu reads, %lu set_zero/set_error, violations: %lu\n",
		seconds, nblocks, w, r, s, (unsigned long)violations);
	return violations ? 1 : 0;
}
