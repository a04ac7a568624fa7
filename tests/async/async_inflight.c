/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_inflight.c -- many operations in flight from one thread: 64
 * writes plus 64 reads on distinct blocks, 32 writes to one block, more
 * writes than lanes, and a runtime mixing pmemblk and plain vdm futures.
 */
#include "async_helpers.h"
#include "gate_mover.h"

#define BSIZE 4096
#define NWRITES 64
#define NREADS 64
#define SAME_BLOCK 9

/* Waits for n futures of any type with one runtime call. */
static void
wait_all(struct future **futs, size_t n)
{
	struct runtime *rt = runtime_new();
	UT_ASSERT(rt != NULL);
	runtime_wait_multiple(rt, futs, n);
	runtime_delete(rt);
}

static void
test_distinct_blocks(struct test_pool *tp)
{
	static struct pmemblk_write_async_future w[NWRITES];
	static struct pmemblk_read_async_future r[NREADS];
	struct future *futs[NWRITES + NREADS];
	uint64_t *wbuf = malloc((size_t)NWRITES * BSIZE);
	uint64_t *rbuf = malloc((size_t)NREADS * BSIZE);
	UT_ASSERT(wbuf != NULL && rbuf != NULL);

	/* the reads target blocks written beforehand with the sync API */
	for (int i = 0; i < NREADS; i++) {
		long long blk = 1000 + i;
		stamp_fill(rbuf, BSIZE, stamp_make((uint64_t)blk, 1, 1));
		UT_ASSERT_EQ(pmemblk_write(tp->pbp, rbuf, blk), 0);
	}
	memset(rbuf, 0, (size_t)NREADS * BSIZE);
	for (int i = 0; i < NWRITES; i++) {
		uint64_t *b = wbuf + (size_t)i * BSIZE / 8;
		stamp_fill(b, BSIZE, stamp_make((uint64_t)i, 2, 1));
		w[i] = pmemblk_write_async(tp->pbp, b, i);
		futs[i] = FUTURE_AS_RUNNABLE(&w[i]);
	}
	for (int i = 0; i < NREADS; i++) {
		r[i] = pmemblk_read_async(tp->pbp,
			rbuf + (size_t)i * BSIZE / 8, 1000 + i);
		futs[NWRITES + i] = FUTURE_AS_RUNNABLE(&r[i]);
	}
	wait_all(futs, NWRITES + NREADS);

	for (int i = 0; i < NWRITES; i++) {
		UT_ASSERT_EQ(FUTURE_OUTPUT(&w[i])->return_value, 0);
		expect_block(tp->pbp, i, stamp_make((uint64_t)i, 2, 1));
	}
	for (int i = 0; i < NREADS; i++) {
		uint64_t stamp;
		size_t bad;
		UT_ASSERT_EQ(FUTURE_OUTPUT(&r[i])->return_value, 0);
		UT_ASSERT_EQ(stamp_decode(rbuf + (size_t)i * BSIZE / 8, BSIZE,
			1000 + i, &stamp, &bad), STAMP_WHOLE);
		UT_ASSERT_EQ(stamp, stamp_make(1000 + i, 1, 1));
	}
	/* and read back the async writes asynchronously */
	for (int i = 0; i < NWRITES; i++) {
		r[i] = pmemblk_read_async(tp->pbp,
			rbuf + (size_t)i * BSIZE / 8, i);
		futs[i] = FUTURE_AS_RUNNABLE(&r[i]);
	}
	wait_all(futs, NWRITES);
	for (int i = 0; i < NWRITES; i++)
		UT_ASSERT(memcmp(rbuf + (size_t)i * BSIZE / 8,
			wbuf + (size_t)i * BSIZE / 8, BSIZE) == 0);
	free(wbuf);
	free(rbuf);
}

/* Draft case 2: 32 writes to one block; it ends holding exactly one. */
static void
test_same_block(struct test_pool *tp)
{
	enum { N = 32 };
	static struct pmemblk_write_async_future w[N];
	struct future *futs[N];
	uint64_t *bufs = malloc((size_t)N * BSIZE);
	UT_ASSERT(bufs != NULL);
	for (int i = 0; i < N; i++) {
		uint64_t *b = bufs + (size_t)i * BSIZE / 8;
		stamp_fill(b, BSIZE, stamp_make(SAME_BLOCK, (unsigned)i, 7));
		w[i] = pmemblk_write_async(tp->pbp, b, SAME_BLOCK);
		futs[i] = FUTURE_AS_RUNNABLE(&w[i]);
	}
	wait_all(futs, N);
	for (int i = 0; i < N; i++)
		UT_ASSERT_EQ(FUTURE_OUTPUT(&w[i])->return_value, 0);

	uint64_t *rd = malloc(BSIZE), stamp;
	size_t bad;
	UT_ASSERT(rd != NULL);
	UT_ASSERT_EQ(pmemblk_read(tp->pbp, rd, SAME_BLOCK), 0);
	UT_ASSERT_EQ(stamp_decode(rd, BSIZE, SAME_BLOCK, &stamp, &bad),
		STAMP_WHOLE);
	UT_ASSERT(stamp_writer(stamp) < N && stamp_gen(stamp) == 7);
	free(rd);
	free(bufs);
}

/* The runtime drives pmemblk futures and plain vdm futures together. */
static void
test_mixed_runtime(struct test_pool *tp)
{
	enum { N = 16 };
	static struct pmemblk_write_async_future w[N];
	static struct vdm_operation_future copies[N];
	struct future *futs[2 * N];
	char *src = malloc((size_t)N * 256), *dst = calloc(N, 256);
	uint64_t *bufs = malloc((size_t)N * BSIZE);
	UT_ASSERT(src != NULL && dst != NULL && bufs != NULL);
	for (int i = 0; i < N; i++) {
		memset(src + i * 256, 'a' + i, 256);
		copies[i] = vdm_memcpy(tp->vdm, dst + i * 256, src + i * 256,
			256, 0);
		uint64_t *b = bufs + (size_t)i * BSIZE / 8;
		stamp_fill(b, BSIZE, stamp_make(2000 + i, 3, 1));
		w[i] = pmemblk_write_async(tp->pbp, b, 2000 + i);
		futs[2 * i] = FUTURE_AS_RUNNABLE(&copies[i]);
		futs[2 * i + 1] = FUTURE_AS_RUNNABLE(&w[i]);
	}
	wait_all(futs, 2 * N);
	UT_ASSERT(memcmp(src, dst, (size_t)N * 256) == 0);
	for (int i = 0; i < N; i++) {
		UT_ASSERT_EQ(copies[i].output.result, VDM_SUCCESS);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&w[i])->return_value, 0);
		expect_block(tp->pbp, 2000 + i, stamp_make(2000 + i, 3, 1));
	}
	free(src);
	free(dst);
	free(bufs);
}

/*
 * More writes than lanes: with every copy held back, the first 256
 * futures own lanes and the rest wait in stage 1 without blocking; once
 * the copies may finish, every future completes.
 */
static void
test_more_than_lanes(void)
{
	enum { N = 300 };
	struct gate_mover gm;
	gate_mover_init(&gm);
	struct test_pool tp;
	memset(&tp, 0, sizeof(tp));
	tp.dir = scratch_dir_create("async_lanes");
	snprintf(tp.path, sizeof(tp.path), "%s/pool", tp.dir);
	tp.pbp = pmemblk_xcreate(tp.path, 512, POOL_SIZE, 0600, &gm.vdm);
	UT_ASSERT(tp.pbp != NULL);

	static struct pmemblk_write_async_future w[N];
	uint64_t *bufs = malloc((size_t)N * 512);
	UT_ASSERT(bufs != NULL);
	for (int i = 0; i < N; i++) {
		stamp_fill(bufs + i * 64, 512, stamp_make((uint64_t)i, 4, 1));
		w[i] = pmemblk_write_async(tp.pbp, bufs + i * 64, i);
		UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&w[i]), NULL),
			FUTURE_STATE_RUNNING);
	}
	int waiting = 0;
	for (int i = 0; i < N; i++)
		waiting += w[i].data.stage == PMEMBLK_WRITE_WAITING_FOR_LANE;
	UT_ASSERT_EQ(waiting, N - 256);
	UT_ASSERT_EQ(__atomic_load_n(&gm.started, __ATOMIC_SEQ_CST), 256);

	__atomic_store_n(&gm.open, 1, __ATOMIC_RELEASE);
	for (int done = 0; done < N;) {
		done = 0;
		for (int i = 0; i < N; i++)
			done += future_poll(FUTURE_AS_RUNNABLE(&w[i]), NULL) ==
				FUTURE_STATE_COMPLETE;
	}
	for (int i = 0; i < N; i++) {
		UT_ASSERT_EQ(FUTURE_OUTPUT(&w[i])->return_value, 0);
		expect_block(tp.pbp, i, stamp_make((uint64_t)i, 4, 1));
	}
	free(bufs);
	test_pool_destroy(&tp);
}

int
main(void)
{
	enum mover_kind kinds[] = {MOVER_SYNC, MOVER_THREADS};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct test_pool tp;
		test_pool_create(&tp, "async_inflight", BSIZE, kinds[k]);
		test_distinct_blocks(&tp);
		test_same_block(&tp);
		test_mixed_runtime(&tp);
		pmemblk_close(tp.pbp);
		tp.pbp = NULL;
		UT_ASSERT_EQ(pmemblk_check(tp.path, BSIZE), 1);
		test_pool_destroy(&tp);
		printf("async_inflight: mover %s ok\n", mover_name(kinds[k]));
	}
	test_more_than_lanes();
	return 0;
}
