/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_basic.c -- the async API's single-future behaviour: lazy creation,
 * stages, results and errors, every kind of mover, moved futures, and the
 * pool afterwards (plain reopen, pmemblk_check, pmempool check).
 */
#include <stdint.h>
#include <sys/wait.h>

#include "async_helpers.h"
#include "btt_layout.h"
#include "checksum.h"
#include "gate_mover.h"
#include "pool_hdr.h"

#define BSIZE 4096

static int
write_busy(PMEMblkpool *pbp, void *buf, long long blockno)
{
	struct pmemblk_write_async_future f =
		pmemblk_write_async(pbp, buf, blockno);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(f.data.stage, PMEMBLK_WRITE_COMPLETE);
	return FUTURE_OUTPUT(&f)->return_value;
}

static int
read_busy(PMEMblkpool *pbp, void *buf, long long blockno)
{
	struct pmemblk_read_async_future f =
		pmemblk_read_async(pbp, buf, blockno);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(f.data.stage, PMEMBLK_READ_COMPLETE);
	return FUTURE_OUTPUT(&f)->return_value;
}

/* Creation only fills the future in: nothing is checked or done. */
static void
test_lazy_creation(struct test_pool *tp)
{
	char buf[BSIZE];
	struct pmemblk_write_async_future w =
		pmemblk_write_async(tp->pbp, buf, -5);
	UT_ASSERT_EQ(FUTURE_STATE(&w), FUTURE_STATE_IDLE);
	UT_ASSERT_EQ(w.data.stage, PMEMBLK_WRITE_INITIALIZED);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&w)->return_value, -1);
	UT_ASSERT(w.data.pbp == tp->pbp && w.data.buf == buf);
	UT_ASSERT_EQ(w.data.blockno, -5);
	struct pmemblk_read_async_future r =
		pmemblk_read_async(tp->pbp, buf, 7);
	UT_ASSERT_EQ(FUTURE_STATE(&r), FUTURE_STATE_IDLE);
	UT_ASSERT_EQ(r.data.stage, PMEMBLK_READ_INITIALIZED);
}

/* Draft cases 1 and 3, zero blocks, and every error of doc/api-notes.md §9.5. */
static void
test_roundtrip_and_errors(struct test_pool *tp)
{
	uint64_t *buf = malloc(BSIZE), *rd = malloc(BSIZE);
	UT_ASSERT(buf != NULL && rd != NULL);

	stamp_fill(buf, BSIZE, stamp_make(3, 1, 1));
	UT_ASSERT_EQ(write_busy(tp->pbp, buf, 3), 0);
	expect_block(tp->pbp, 3, stamp_make(3, 1, 1));

	stamp_fill(buf, BSIZE, stamp_make(4, 2, 1));
	UT_ASSERT_EQ(pmemblk_write(tp->pbp, buf, 4), 0);
	UT_ASSERT_EQ(read_busy(tp->pbp, rd, 4), 0);
	UT_ASSERT(memcmp(buf, rd, BSIZE) == 0);

	/* never written, and set to zero: zeros through the mover */
	memset(rd, 0xAB, BSIZE);
	UT_ASSERT_EQ(read_busy(tp->pbp, rd, tp->nblock - 1), 0);
	UT_ASSERT(rd[0] == 0 && memcmp(rd, rd + 1, BSIZE - 8) == 0);
	UT_ASSERT_EQ(pmemblk_set_zero(tp->pbp, 4), 0);
	memset(rd, 0xAB, BSIZE);
	UT_ASSERT_EQ(read_busy(tp->pbp, rd, 4), 0);
	UT_ASSERT(rd[0] == 0 && memcmp(rd, rd + 1, BSIZE - 8) == 0);

	errno = 0;
	UT_ASSERT_EQ(write_busy(tp->pbp, buf, -1), -1);
	UT_ASSERT_EQ(errno, EINVAL);
	errno = 0;
	UT_ASSERT_EQ(write_busy(tp->pbp, buf, tp->nblock), -1);
	UT_ASSERT_EQ(errno, EINVAL);
	UT_ASSERT(strstr(pmemblk_errormsg(), "out of range") != NULL);
	errno = 0;
	UT_ASSERT_EQ(read_busy(tp->pbp, rd, -1), -1);
	UT_ASSERT_EQ(errno, EINVAL);
	errno = 0;
	UT_ASSERT_EQ(read_busy(tp->pbp, rd, tp->nblock), -1);
	UT_ASSERT_EQ(errno, EINVAL);

	UT_ASSERT_EQ(pmemblk_set_error(tp->pbp, 5), 0);
	errno = 0;
	UT_ASSERT_EQ(read_busy(tp->pbp, rd, 5), -1);
	UT_ASSERT_EQ(errno, EIO);
	/* an async write clears the error state, like a sync one */
	stamp_fill(buf, BSIZE, stamp_make(5, 3, 1));
	UT_ASSERT_EQ(write_busy(tp->pbp, buf, 5), 0);
	expect_block(tp->pbp, 5, stamp_make(5, 3, 1));
	free(buf);
	free(rd);
}

/* A future moved in memory between polls finishes at its new place. */
static void
test_moved_future(struct test_pool *tp)
{
	struct gate_mover gm;
	gate_mover_init(&gm);
	char path[4200];
	snprintf(path, sizeof(path), "%s.gate", tp->path);
	PMEMblkpool *pbp = pmemblk_xcreate(path, BSIZE, POOL_SIZE, 0600,
		&gm.vdm);
	UT_ASSERT(pbp != NULL);
	uint64_t *buf = malloc(BSIZE);
	UT_ASSERT(buf != NULL);
	stamp_fill(buf, BSIZE, stamp_make(11, 4, 1));

	struct pmemblk_write_async_future *a = malloc(sizeof(*a));
	struct pmemblk_write_async_future *b = malloc(sizeof(*b));
	UT_ASSERT(a != NULL && b != NULL);
	*a = pmemblk_write_async(pbp, buf, 11);
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(a), NULL),
		FUTURE_STATE_RUNNING);
	UT_ASSERT_EQ(a->data.stage, PMEMBLK_WRITE_IN_PROGRESS);
	memcpy(b, a, sizeof(*b));
	memset(a, 0x5A, sizeof(*a));	/* nothing may point in here */
	free(a);
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(b), NULL),
		FUTURE_STATE_RUNNING);
	__atomic_store_n(&gm.open, 1, __ATOMIC_RELEASE);
	FUTURE_BUSY_POLL(b);
	UT_ASSERT_EQ(FUTURE_OUTPUT(b)->return_value, 0);
	expect_block(pbp, 11, stamp_make(11, 4, 1));
	free(b);
	free(buf);
	pmemblk_close(pbp);
}

/* A mover that fails: -1/ENOMEM, the block keeps its data, lane back. */
static void
test_mover_failure(struct test_pool *tp)
{
	struct gate_mover gm;
	gate_mover_init(&gm);
	gm.open = 1;
	char path[4200];
	snprintf(path, sizeof(path), "%s.fail", tp->path);
	PMEMblkpool *pbp = pmemblk_xcreate(path, BSIZE, POOL_SIZE, 0600,
		&gm.vdm);
	UT_ASSERT(pbp != NULL);
	uint64_t *buf = malloc(BSIZE);
	UT_ASSERT(buf != NULL);
	stamp_fill(buf, BSIZE, stamp_make(2, 5, 1));
	UT_ASSERT_EQ(write_busy(pbp, buf, 2), 0);

	gm.fail_new = true;
	/* more failures than lanes: a leaked lane would hang the last write */
	for (int i = 0; i < 300; i++) {
		stamp_fill(buf, BSIZE, stamp_make(2, 6, (uint32_t)i));
		errno = 0;
		UT_ASSERT_EQ(write_busy(pbp, buf, 2), -1);
		UT_ASSERT_EQ(errno, ENOMEM);
		errno = 0;
		UT_ASSERT_EQ(read_busy(pbp, buf, 2), -1);
		UT_ASSERT_EQ(errno, ENOMEM);
	}
	expect_block(pbp, 2, stamp_make(2, 5, 1));
	gm.fail_new = false;
	stamp_fill(buf, BSIZE, stamp_make(2, 7, 1));
	UT_ASSERT_EQ(write_busy(pbp, buf, 2), 0);
	expect_block(pbp, 2, stamp_make(2, 7, 1));
	free(buf);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 1);
}

/* An unknown ro_compat bit makes the pool read-only: async write EROFS. */
static void
test_read_only(struct test_pool *tp)
{
	pmemblk_close(tp->pbp);
	FILE *f = fopen(tp->path, "r+");
	UT_ASSERT(f != NULL);
	struct pool_hdr hdr;
	UT_ASSERT_EQ(fread(&hdr, sizeof(hdr), 1, f), 1);
	hdr.ro_compat |= 0x80;
	checksum_store(&hdr, sizeof(hdr), POOL_HDR_CSUM_OFF,
		POOL_HDR_CSUM_2K_END);
	rewind(f);
	UT_ASSERT_EQ(fwrite(&hdr, sizeof(hdr), 1, f), 1);
	UT_ASSERT_EQ(fclose(f), 0);

	tp->pbp = pmemblk_xopen(tp->path, BSIZE, tp->vdm);
	UT_ASSERT(tp->pbp != NULL);
	uint64_t *buf = malloc(BSIZE);
	UT_ASSERT(buf != NULL);
	errno = 0;
	UT_ASSERT_EQ(write_busy(tp->pbp, buf, -1), -1);
	UT_ASSERT_EQ(errno, EROFS);
	UT_ASSERT_EQ(read_busy(tp->pbp, buf, 3), 0);
	UT_ASSERT_EQ(stamp_decode(buf, BSIZE, 3, &(uint64_t){0},
		&(size_t){0}), STAMP_WHOLE);
	free(buf);
}

/* After async work the pool is an ordinary, consistent pool. */
static void
test_reopen_and_check(struct test_pool *tp)
{
	pmemblk_close(tp->pbp);
	tp->pbp = NULL;
	UT_ASSERT_EQ(pmemblk_check(tp->path, BSIZE), 1);
	PMEMblkpool *pbp = pmemblk_open(tp->path, 0);
	UT_ASSERT(pbp != NULL);
	expect_block(pbp, 3, stamp_make(3, 1, 1));
	expect_block(pbp, 5, stamp_make(5, 3, 1));
	pmemblk_close(pbp);

	char cmd[4300];
	snprintf(cmd, sizeof(cmd), "pmempool check '%s' >/dev/null 2>&1",
		tp->path);
	int status = system(cmd);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		fprintf(stderr, "pmempool not installed: skipped\n");
	else
		UT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
run(enum mover_kind kind)
{
	struct test_pool tp;
	test_pool_create(&tp, "async_basic", BSIZE, kind);
	test_lazy_creation(&tp);
	test_roundtrip_and_errors(&tp);
	test_reopen_and_check(&tp);
	tp.pbp = pmemblk_xopen(tp.path, 0, tp.vdm);
	UT_ASSERT(tp.pbp != NULL);
	test_read_only(&tp);
	test_moved_future(&tp);
	test_mover_failure(&tp);
	test_pool_destroy(&tp);
	printf("async_basic: mover %s ok\n", mover_name(kind));
}

/* A pool from plain pmemblk_create takes async calls too. */
static void
run_plain_pool(void)
{
	char *dir = scratch_dir_create("async_plain");
	char path[4096];
	snprintf(path, sizeof(path), "%s/pool", dir);
	PMEMblkpool *pbp = pmemblk_create(path, BSIZE, POOL_SIZE, 0600);
	UT_ASSERT(pbp != NULL);
	uint64_t *buf = malloc(BSIZE);
	UT_ASSERT(buf != NULL);
	stamp_fill(buf, BSIZE, stamp_make(1, 9, 9));
	UT_ASSERT_EQ(write_busy(pbp, buf, 1), 0);
	memset(buf, 0, BSIZE);
	UT_ASSERT_EQ(read_busy(pbp, buf, 1), 0);
	expect_block(pbp, 1, stamp_make(1, 9, 9));
	free(buf);
	pmemblk_close(pbp);
	scratch_dir_remove(dir);
}

/* Whether the file holds a valid primary BTT info block (pool offset 8192). */
static bool
layout_on_file(const char *path)
{
	struct btt_info info;
	FILE *f = fopen(path, "r");
	UT_ASSERT(f != NULL);
	UT_ASSERT_EQ(fseek(f, 8192, SEEK_SET), 0);
	UT_ASSERT_EQ(fread(&info, sizeof(info), 1, f), 1);
	fclose(f);
	return memcmp(info.sig, BTT_INFO_SIG, BTT_INFO_SIG_LEN) == 0 &&
		checksum_valid(&info, sizeof(info), BTT_INFO_CSUM_OFF,
			sizeof(info));
}

/*
 * pmemblk_xcreate and pmemblk_xopen lay the BTT out, so that no write
 * future does it inside a poll; plain pmemblk_create keeps PMDK's lazy
 * layout.
 */
static void
run_layout_at_open(void)
{
	char *dir = scratch_dir_create("async_layout");
	char path[4096];
	snprintf(path, sizeof(path), "%s/xcreate", dir);
	PMEMblkpool *pbp = pmemblk_xcreate(path, BSIZE, POOL_SIZE, 0600, NULL);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	UT_ASSERT(layout_on_file(path));

	snprintf(path, sizeof(path), "%s/plain", dir);
	pbp = pmemblk_create(path, BSIZE, POOL_SIZE, 0600);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	UT_ASSERT(!layout_on_file(path));
	pbp = pmemblk_xopen(path, BSIZE, NULL);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	UT_ASSERT(layout_on_file(path));
	UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 1);
	scratch_dir_remove(dir);
}

int
main(void)
{
	run(MOVER_NONE);
	run(MOVER_SYNC);
	run(MOVER_THREADS);
	run_plain_pool();
	run_layout_at_open();
	return 0;
}
