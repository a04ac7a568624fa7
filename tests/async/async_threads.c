/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_threads.c -- async futures polled from many threads: the draft's
 * threaded cases, async readers racing sync writers, and a future started
 * on one thread and finished on another. Run under ThreadSanitizer too.
 */
#include <pthread.h>
#include <time.h>

#include "async_helpers.h"
#include "blk.h"
#include "btt.h"

#define BSIZE 512
#define NTHREADS 16
#define ROUNDS 64
#define SHARED_BLOCK 9

static struct test_pool tp;

static void
run_threads(void *(*fn)(void *))
{
	pthread_t th[NTHREADS];
	for (uintptr_t i = 0; i < NTHREADS; i++)
		UT_ASSERT_EQ(pthread_create(&th[i], NULL, fn, (void *)i), 0);
	for (int i = 0; i < NTHREADS; i++)
		UT_ASSERT_EQ(pthread_join(th[i], NULL), 0);
}

static int
write_busy(void *buf, long long blockno)
{
	struct pmemblk_write_async_future f =
		pmemblk_write_async(tp.pbp, buf, blockno);
	FUTURE_BUSY_POLL(&f);
	return FUTURE_OUTPUT(&f)->return_value;
}

static int
read_busy(void *buf, long long blockno)
{
	struct pmemblk_read_async_future f =
		pmemblk_read_async(tp.pbp, buf, blockno);
	FUTURE_BUSY_POLL(&f);
	return FUTURE_OUTPUT(&f)->return_value;
}

static void
expect_whole(const void *buf, long long blockno)
{
	uint64_t stamp;
	size_t bad;
	enum stamp_result r = stamp_decode(buf, BSIZE, (uint64_t)blockno,
		&stamp, &bad);
	if (r == STAMP_TORN)
		UT_FAIL("block %lld torn at word %zu", blockno, bad);
}

/* Draft case 4: each thread writes its own block, checks, zeroes it. */
static void *
own_block(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	long long blk = 100 + id;
	uint64_t buf[BSIZE / 8], rd[BSIZE / 8];
	for (uint32_t round = 1; round <= ROUNDS; round++) {
		stamp_fill(buf, BSIZE, stamp_make((uint64_t)blk, id, round));
		UT_ASSERT_EQ(write_busy(buf, blk), 0);
		UT_ASSERT_EQ(read_busy(rd, blk), 0);
		UT_ASSERT(memcmp(buf, rd, BSIZE) == 0);
		UT_ASSERT_EQ(pmemblk_set_zero(tp.pbp, blk), 0);
		UT_ASSERT_EQ(read_busy(rd, blk), 0);
		UT_ASSERT(rd[0] == 0 && rd[BSIZE / 8 - 1] == 0);
	}
	return NULL;
}

/* Draft case 5: every thread writes the same block. */
static void *
same_block_writer(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	uint64_t buf[BSIZE / 8];
	for (uint32_t round = 1; round <= ROUNDS; round++) {
		stamp_fill(buf, BSIZE, stamp_make(SHARED_BLOCK, id, round));
		UT_ASSERT_EQ(write_busy(buf, SHARED_BLOCK), 0);
	}
	return NULL;
}

/* Draft case 6: half the threads write the block, half read it. */
static void *
same_block_mixed(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	if (id % 2 == 0)
		return same_block_writer(arg);
	uint64_t rd[BSIZE / 8];
	for (int round = 0; round < 4 * ROUNDS; round++) {
		UT_ASSERT_EQ(read_busy(rd, SHARED_BLOCK), 0);
		expect_whole(rd, SHARED_BLOCK);
	}
	return NULL;
}

/* Async readers (odd threads) against sync writers (even), for a while. */
static int stop_racing;

static void *
race(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	uint64_t buf[BSIZE / 8];
	for (uint32_t n = 1; !__atomic_load_n(&stop_racing, __ATOMIC_RELAXED);
			n++) {
		long long blk = 200 + n % 4;
		if (id % 2 == 0) {
			stamp_fill(buf, BSIZE, stamp_make((uint64_t)blk, id, n));
			UT_ASSERT_EQ(pmemblk_write(tp.pbp, buf, blk), 0);
		} else {
			if (read_busy(buf, blk) != 0)
				UT_FAIL("read %lld: %s", blk, pmemblk_errormsg());
			expect_whole(buf, blk);
		}
	}
	return NULL;
}

static void
test_race(double seconds)
{
	__atomic_store_n(&stop_racing, 0, __ATOMIC_RELAXED);
	pthread_t th[NTHREADS];
	for (uintptr_t i = 0; i < NTHREADS; i++)
		UT_ASSERT_EQ(pthread_create(&th[i], NULL, race, (void *)i), 0);
	struct timespec ts = {(time_t)seconds,
		(long)((seconds - (time_t)seconds) * 1e9)};
	nanosleep(&ts, NULL);
	__atomic_store_n(&stop_racing, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < NTHREADS; i++)
		UT_ASSERT_EQ(pthread_join(th[i], NULL), 0);
}

/* Started on this thread, finished on another: the lane comes back. */
static struct pmemblk_write_async_future handed_over;

static void *
finish_handed_over(void *arg)
{
	(void) arg;
	FUTURE_BUSY_POLL(&handed_over);
	return NULL;
}

static void
test_cross_thread(void)
{
	uint64_t buf[BSIZE / 8];
	stamp_fill(buf, BSIZE, stamp_make(300, 1, 1));
	handed_over = pmemblk_write_async(tp.pbp, buf, 300);
	future_poll(FUTURE_AS_RUNNABLE(&handed_over), NULL);
	pthread_t th;
	UT_ASSERT_EQ(pthread_create(&th, NULL, finish_handed_over, NULL), 0);
	UT_ASSERT_EQ(pthread_join(th, NULL), 0);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&handed_over)->return_value, 0);
	expect_block(tp.pbp, 300, stamp_make(300, 1, 1));
	UT_ASSERT_EQ(btt_lanes_free(tp.pbp->btt), btt_nlane(tp.pbp->btt));
}

int
main(int argc, char *argv[])
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	enum mover_kind kinds[] = {MOVER_SYNC, MOVER_THREADS};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		test_pool_create(&tp, "async_threads", BSIZE, kinds[k]);
		run_threads(own_block);
		run_threads(same_block_writer);
		uint64_t rd[BSIZE / 8];
		UT_ASSERT_EQ(pmemblk_read(tp.pbp, rd, SHARED_BLOCK), 0);
		expect_whole(rd, SHARED_BLOCK);
		UT_ASSERT(rd[0] != 0);
		run_threads(same_block_mixed);
		test_race(seconds / 2);
		test_cross_thread();
		UT_ASSERT_EQ(btt_lanes_free(tp.pbp->btt), btt_nlane(tp.pbp->btt));
		pmemblk_close(tp.pbp);
		tp.pbp = NULL;
		UT_ASSERT_EQ(pmemblk_check(tp.path, BSIZE), 1);
		test_pool_destroy(&tp);
		printf("async_threads: mover %s ok\n", mover_name(kinds[k]));
	}
	return 0;
}
