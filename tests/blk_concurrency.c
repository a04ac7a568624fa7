/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blk_concurrency.c -- writers, readers and a zeroer hammer the same few
 * blocks of one pool for about two seconds.
 *
 * Every write stores a stamped block (pattern.h): all words carry
 * (block, writer, generation). Readers check that every block they read is
 * whole (one stamp, or all zero), that it never comes from a write not yet
 * issued, and that for one block and one writer the generations they see
 * never go backwards. At the end each block must hold the last write of
 * some writer to it (or zero), and pmemblk_check must return 1.
 */
#define _GNU_SOURCE
#include <libpmemblk.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "pattern.h"
#include "ut.h"

#define BSIZE 4096
#define NWRITERS 4
#define NREADERS 4
#define NBLOCKS 4		/* the hot blocks: 0 .. NBLOCKS-1 */
#define DURATION_NS 2000000000LL

/*
 * PMDK 1.12.1 deadlocks now and then when set_zero runs concurrently with
 * reads and writes of the same blocks: one writer spins forever waiting for
 * a read of its free block to end while every other thread blocks on that
 * writer's lane. The build against PMDK's library (blk_concurrency_pmdk)
 * therefore sets BLK_CONCURRENT_ZERO to 0; ours must pass with it.
 */
#ifndef BLK_CONCURRENT_ZERO
#define BLK_CONCURRENT_ZERO 1
#endif

static PMEMblkpool *pbp;
static atomic_bool stop;

/* Generation writer w is writing (or wrote last), published before the write. */
static atomic_uint issued[NWRITERS];
/* Generation of writer w's last completed write to block b. */
static atomic_uint last_gen[NWRITERS][NBLOCKS];

static atomic_ulong nwrites, nzeroes, nreads_whole, nreads_zero;

static long long
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *
writer(void *arg)
{
	unsigned w = (unsigned)(uintptr_t)arg;
	uint64_t *buf = malloc(BSIZE);
	UT_ASSERT(buf != NULL);
	for (uint32_t gen = 1; !atomic_load(&stop); gen++) {
		unsigned b = pattern_mix((uint64_t)w << 32 | gen) % NBLOCKS;
		stamp_fill(buf, BSIZE, stamp_make(b, w, gen));
		atomic_store(&issued[w], gen);
		if (pmemblk_write(pbp, buf, b) != 0)
			UT_FAIL("writer %u: pmemblk_write block %u: %s", w, b,
				pmemblk_errormsg());
		atomic_store(&last_gen[w][b], gen);
		atomic_fetch_add(&nwrites, 1);
	}
	free(buf);
	return NULL;
}

static void *
zeroer(void *arg)
{
	(void)arg;
	const struct timespec pause = { 0, 200000 };	/* 0.2 ms */
	for (uint64_t i = 0; !atomic_load(&stop); i++) {
		unsigned b = pattern_mix(i) % NBLOCKS;
		if (pmemblk_set_zero(pbp, b) != 0)
			UT_FAIL("pmemblk_set_zero block %u: %s", b,
				pmemblk_errormsg());
		atomic_fetch_add(&nzeroes, 1);
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void *
reader(void *arg)
{
	unsigned r = (unsigned)(uintptr_t)arg;
	uint32_t seen[NBLOCKS][NWRITERS] = {{0}};
	uint64_t *buf = malloc(BSIZE);
	UT_ASSERT(buf != NULL);
	for (uint64_t i = 0; !atomic_load(&stop); i++) {
		unsigned b = pattern_mix((uint64_t)(r + 100) << 32 | i) % NBLOCKS;
		if (pmemblk_read(pbp, buf, b) != 0)
			UT_FAIL("reader %u: pmemblk_read block %u: %s", r, b,
				pmemblk_errormsg());
		uint64_t s;
		size_t bad;
		switch (stamp_decode(buf, BSIZE, b, &s, &bad)) {
		case STAMP_ZERO:
			atomic_fetch_add(&nreads_zero, 1);
			continue;
		case STAMP_TORN:
			UT_FAIL("reader %u: block %u is torn: word 0 has stamp"
				" 0x%016llx, word %zu disagrees", r, b,
				(unsigned long long)s, bad);
		case STAMP_WHOLE:
			break;
		}
		unsigned w = stamp_writer(s);
		uint32_t gen = stamp_gen(s);
		if (w >= NWRITERS)
			UT_FAIL("reader %u: block %u has unknown writer %u",
				r, b, w);
		if (gen > atomic_load(&issued[w]))
			UT_FAIL("reader %u: block %u holds writer %u gen %u, "
				"which it has not issued yet (issued %u)", r, b,
				w, gen, atomic_load(&issued[w]));
		if (gen < seen[b][w])
			UT_FAIL("reader %u: block %u went back in time: writer"
				" %u gen %u after gen %u", r, b, w, gen,
				seen[b][w]);
		seen[b][w] = gen;
		atomic_fetch_add(&nreads_whole, 1);
	}
	free(buf);
	return NULL;
}

int
main(void)
{
	char *dir = scratch_dir_create("blk_concurrency");
	char *path;
	UT_ASSERT(asprintf(&path, "%s/pool", dir) > 0);

	pbp = pmemblk_create(path, BSIZE, PMEMBLK_MIN_POOL, 0600);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT(pmemblk_nblock(pbp) >= NBLOCKS);

	pthread_t wt[NWRITERS], rt[NREADERS], zt;
	for (unsigned i = 0; i < NWRITERS; i++)
		UT_ASSERT_EQ(pthread_create(&wt[i], NULL, writer,
			(void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < NREADERS; i++)
		UT_ASSERT_EQ(pthread_create(&rt[i], NULL, reader,
			(void *)(uintptr_t)i), 0);
	if (BLK_CONCURRENT_ZERO)
		UT_ASSERT_EQ(pthread_create(&zt, NULL, zeroer, NULL), 0);

	long long end = now_ns() + DURATION_NS;
	const struct timespec tick = { 0, 10000000 };	/* 10 ms */
	while (now_ns() < end)
		nanosleep(&tick, NULL);
	atomic_store(&stop, true);

	for (unsigned i = 0; i < NWRITERS; i++)
		UT_ASSERT_EQ(pthread_join(wt[i], NULL), 0);
	for (unsigned i = 0; i < NREADERS; i++)
		UT_ASSERT_EQ(pthread_join(rt[i], NULL), 0);
	if (BLK_CONCURRENT_ZERO)
		UT_ASSERT_EQ(pthread_join(zt, NULL), 0);

	printf("%lu writes, %lu set_zero, %lu whole reads, %lu zero reads\n",
		atomic_load(&nwrites), atomic_load(&nzeroes),
		atomic_load(&nreads_whole), atomic_load(&nreads_zero));
	/* The threads really overlapped: all kinds of operations happened. */
	UT_ASSERT(atomic_load(&nwrites) > 0);
	UT_ASSERT(!BLK_CONCURRENT_ZERO || atomic_load(&nzeroes) > 0);
	UT_ASSERT(atomic_load(&nreads_whole) > 0);

	/* The last map update wins: each block holds some writer's last
	 * write to it, or zero. */
	uint64_t buf[BSIZE / 8];
	for (unsigned b = 0; b < NBLOCKS; b++) {
		UT_ASSERT_EQ(pmemblk_read(pbp, buf, b), 0);
		uint64_t s;
		size_t bad;
		enum stamp_result res = stamp_decode(buf, BSIZE, b, &s, &bad);
		UT_ASSERT(res != STAMP_TORN);
		if (res == STAMP_WHOLE) {
			unsigned w = stamp_writer(s);
			UT_ASSERT(w < NWRITERS);
			UT_ASSERT_EQ(stamp_gen(s), atomic_load(&last_gen[w][b]));
		}
	}
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 1);

	free(path);
	scratch_dir_remove(dir);
	return 0;
}
