/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_deadlock.c -- a thread's unfinished futures and its own writes
 * (issue 11, doc/design.md §4):
 *  - held reads (a 0.2 mover whose copies wait for a gate) on blocks that
 *    cover every slot of the read-tracking hash never stop the same
 *    thread's sync writes or write futures; writes of the very blocks
 *    being read go on until every lane's free block is one of them;
 *  - then, and when every lane is held by a write future nobody polls,
 *    a sync write gives up with EBUSY and a message instead of hanging,
 *    a write future just stays waiting, and all works again once the
 *    futures finish;
 *  - reads on the run path (the threads mover) hold nothing across polls:
 *    many pending reads, their blocks overwritten by more than nlane
 *    sync writes, never block those writes.
 * Every wait here ends: the test must finish (no timing is asserted).
 */
#include <errno.h>

#include "async_helpers.h"
#include "btt.h"
#include "blk.h"
#include "gate_mover.h"

#define BSIZE 4096
#define NREAD 2048	/* two full turns of the 1024 reader slots */

static uint64_t
stamp_of(long long lba, unsigned round)
{
	return (uint64_t)lba << 8 | round;
}

static void
write_sync(PMEMblkpool *pbp, void *buf, long long lba, unsigned round)
{
	stamp_fill(buf, BSIZE, stamp_of(lba, round));
	if (pmemblk_write(pbp, buf, lba) != 0)
		UT_FAIL("write %lld: %s", lba, pmemblk_errormsg());
}

static void
check_buf(const void *buf, long long lba, unsigned round)
{
	uint64_t want[BSIZE / sizeof(uint64_t)];
	stamp_fill(want, BSIZE, stamp_of(lba, round));
	if (memcmp(buf, want, BSIZE) != 0)
		UT_FAIL("block %lld: not round %u", lba, round);
}

/*
 * Blocks 0..NREAD-1 written in order by one thread: their map entries
 * then point at NREAD consecutive physical blocks (each write takes the
 * block freed by the one before), which hit every slot of the old hashed
 * reader table; held reads of all of them made every lane look busy.
 */
static void
test_held_reads(void)
{
	struct gate_mover gm;
	gate_mover_init(&gm);
	struct test_pool tp;
	memset(&tp, 0, sizeof(tp));
	tp.dir = scratch_dir_create("async_deadlock");
	snprintf(tp.path, sizeof(tp.path), "%s/pool", tp.dir);
	tp.pbp = pmemblk_xcreate(tp.path, BSIZE, POOL_SIZE, 0600, &gm.vdm);
	UT_ASSERT(tp.pbp != NULL);
	PMEMblkpool *pbp = tp.pbp;
	uint32_t nlane = btt_nlane(pbp->btt);
	UT_ASSERT(pmemblk_nblock(pbp) > NREAD + 10);

	static uint8_t wbuf[BSIZE];
	for (long long lba = 0; lba < NREAD; lba++)
		write_sync(pbp, wbuf, lba, 1);

	static struct pmemblk_read_async_future rf[NREAD];
	static uint8_t rbuf[NREAD][BSIZE];
	for (long long lba = 0; lba < NREAD; lba++) {
		rf[lba] = pmemblk_read_async(pbp, rbuf[lba], lba);
		UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&rf[lba]), NULL),
			FUTURE_STATE_RUNNING);
	}
	UT_ASSERT_EQ(__atomic_load_n(&gm.started, __ATOMIC_SEQ_CST), NREAD);

	/* a block nobody reads, then blocks that are being read */
	write_sync(pbp, wbuf, NREAD + 5, 1);
	for (long long lba = 0; lba < nlane - 1; lba++)
		write_sync(pbp, wbuf, lba, 2);

	/* a write future still gets a lane in its first poll */
	static uint8_t fbuf[BSIZE];
	stamp_fill(fbuf, BSIZE, stamp_of(NREAD + 6, 1));
	struct pmemblk_write_async_future wf =
		pmemblk_write_async(pbp, fbuf, NREAD + 6);
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&wf), NULL),
		FUTURE_STATE_RUNNING);
	UT_ASSERT_EQ(wf.data.stage, PMEMBLK_WRITE_IN_PROGRESS);

	/*
	 * The one bound left: nlane - 1 lanes' free blocks are overwritten
	 * blocks under held reads, and the write future holds the last
	 * lane. Now a sync write fails with EBUSY, a write future waits.
	 */
	errno = 0;
	stamp_fill(wbuf, BSIZE, 0);
	UT_ASSERT_EQ(pmemblk_write(pbp, wbuf, NREAD + 7), -1);
	UT_ASSERT_EQ(errno, EBUSY);
	UT_ASSERT(strstr(pmemblk_errormsg(), "abandoned") != NULL);
	struct pmemblk_write_async_future wf2 =
		pmemblk_write_async(pbp, fbuf, NREAD + 8);
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&wf2), NULL),
		FUTURE_STATE_RUNNING);
	UT_ASSERT_EQ(wf2.data.stage, PMEMBLK_WRITE_WAITING_FOR_LANE);

	/* the reads finish: each saw the data of before its first poll */
	__atomic_store_n(&gm.open, 1, __ATOMIC_RELEASE);
	for (long long lba = 0; lba < NREAD; lba++) {
		FUTURE_BUSY_POLL(&rf[lba]);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&rf[lba])->return_value, 0);
		check_buf(rbuf[lba], lba, 1);
	}
	FUTURE_BUSY_POLL(&wf);
	FUTURE_BUSY_POLL(&wf2);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&wf)->return_value, 0);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&wf2)->return_value, 0);
	write_sync(pbp, wbuf, NREAD + 7, 1);
	expect_block(pbp, NREAD + 7, stamp_of(NREAD + 7, 1));
	expect_block(pbp, NREAD + 8, stamp_of(NREAD + 6, 1));
	for (long long lba = 0; lba < NREAD; lba += 97)
		expect_block(pbp, lba, stamp_of(lba,
			lba < nlane - 1 ? 2 : 1));
	UT_ASSERT_EQ(btt_lanes_free(pbp->btt), nlane);
	pmemblk_close(pbp);
	tp.pbp = NULL;
	UT_ASSERT_EQ(pmemblk_check(tp.path, BSIZE), 1);
	test_pool_destroy(&tp);
}

/*
 * Every lane held by a write future that nobody polls (its copy waits
 * for the gate): a sync write gives up with EBUSY, and works once they
 * finish.
 */
static void
test_abandoned_writes(void)
{
	struct gate_mover gm;
	gate_mover_init(&gm);
	struct test_pool tp;
	memset(&tp, 0, sizeof(tp));
	tp.dir = scratch_dir_create("async_deadlock_w");
	snprintf(tp.path, sizeof(tp.path), "%s/pool", tp.dir);
	tp.pbp = pmemblk_xcreate(tp.path, BSIZE, POOL_SIZE, 0600, &gm.vdm);
	UT_ASSERT(tp.pbp != NULL);
	PMEMblkpool *pbp = tp.pbp;
	uint32_t nlane = btt_nlane(pbp->btt);

	static uint8_t buf[BSIZE];
	write_sync(pbp, buf, 0, 1);	/* lays the BTT out */
	static struct pmemblk_write_async_future wf[256];
	static uint8_t wbuf[256][BSIZE];
	UT_ASSERT(nlane <= 256);
	for (uint32_t i = 0; i < nlane; i++) {
		stamp_fill(wbuf[i], BSIZE, stamp_of(i + 1, 3));
		wf[i] = pmemblk_write_async(pbp, wbuf[i], i + 1);
		UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&wf[i]), NULL),
			FUTURE_STATE_RUNNING);
	}
	UT_ASSERT_EQ(btt_lanes_free(pbp->btt), 0);

	errno = 0;
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 0), -1);
	UT_ASSERT_EQ(errno, EBUSY);
	UT_ASSERT(strstr(pmemblk_errormsg(), "lane") != NULL);
	/* the failed write changed nothing */
	expect_block(pbp, 0, stamp_of(0, 1));

	__atomic_store_n(&gm.open, 1, __ATOMIC_RELEASE);
	for (uint32_t i = 0; i < nlane; i++) {
		FUTURE_BUSY_POLL(&wf[i]);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&wf[i])->return_value, 0);
	}
	write_sync(pbp, buf, 0, 2);
	expect_block(pbp, 0, stamp_of(0, 2));
	for (uint32_t i = 0; i < nlane; i += 17)
		expect_block(pbp, i + 1, stamp_of(i + 1, 3));
	test_pool_destroy(&tp);
}

/*
 * The threads mover runs each read whole (lookup, copy, end) on a worker,
 * so a pending read future holds no block between polls: more than nlane
 * sync writes over the blocks of pending reads all go through, and every
 * read returns one of the block's two versions.
 */
static void
test_run_reads(void)
{
	struct test_pool tp;
	test_pool_create(&tp, "async_deadlock_r", BSIZE, MOVER_THREADS);
	PMEMblkpool *pbp = tp.pbp;
	enum { N = 600 };
	static uint8_t wbuf[BSIZE];
	for (long long lba = 0; lba < N; lba++)
		write_sync(pbp, wbuf, lba, 1);

	static struct pmemblk_read_async_future rf[N];
	static uint8_t rbuf[N][BSIZE];
	for (long long lba = 0; lba < N; lba++) {
		rf[lba] = pmemblk_read_async(pbp, rbuf[lba], lba);
		future_poll(FUTURE_AS_RUNNABLE(&rf[lba]), NULL);
	}
	for (long long lba = 0; lba < N; lba++)
		write_sync(pbp, wbuf, lba, 2);
	for (long long lba = 0; lba < N; lba++) {
		FUTURE_BUSY_POLL(&rf[lba]);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&rf[lba])->return_value, 0);
		uint64_t want1[BSIZE / 8], want2[BSIZE / 8];
		stamp_fill(want1, BSIZE, stamp_of(lba, 1));
		stamp_fill(want2, BSIZE, stamp_of(lba, 2));
		if (memcmp(rbuf[lba], want1, BSIZE) != 0 &&
				memcmp(rbuf[lba], want2, BSIZE) != 0)
			UT_FAIL("read of block %lld is torn", lba);
	}
	test_pool_destroy(&tp);
}

int
main(void)
{
	test_held_reads();
	test_abandoned_writes();
	test_run_reads();
	return 0;
}
