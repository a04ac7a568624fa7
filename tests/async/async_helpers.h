/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_helpers.h -- what the async tests share: a pool in a scratch
 * directory, the movers under test, and polling helpers.
 */
#ifndef ASYNC_HELPERS_H
#define ASYNC_HELPERS_H

#define PMEMBLK_USE_MINIASYNC 1
#include <libminiasync.h>
#include <libpmemblk.h>

#include "../pattern.h"
#include "../ut.h"

#define POOL_SIZE ((size_t)64 << 20)

enum mover_kind { MOVER_NONE, MOVER_SYNC, MOVER_THREADS };

struct test_pool {
	char *dir;
	char path[4096];
	PMEMblkpool *pbp;
	struct data_mover_sync *dms;
	struct data_mover_threads *dmt;
	struct vdm *vdm;
	size_t bsize;
	long long nblock;
};

static inline const char *
mover_name(enum mover_kind kind)
{
	return kind == MOVER_NONE ? "none" :
		kind == MOVER_SYNC ? "sync" : "threads";
}

static inline void
test_pool_create(struct test_pool *tp, const char *name, size_t bsize,
	enum mover_kind kind)
{
	memset(tp, 0, sizeof(*tp));
	tp->dir = scratch_dir_create(name);
	snprintf(tp->path, sizeof(tp->path), "%s/pool", tp->dir);
	if (kind == MOVER_SYNC) {
		tp->dms = data_mover_sync_new();
		UT_ASSERT(tp->dms != NULL);
		tp->vdm = data_mover_sync_get_vdm(tp->dms);
	} else if (kind == MOVER_THREADS) {
		tp->dmt = data_mover_threads_new(2, 256, FUTURE_NOTIFIER_WAKER);
		UT_ASSERT(tp->dmt != NULL);
		tp->vdm = data_mover_threads_get_vdm(tp->dmt);
	}
	tp->pbp = pmemblk_xcreate(tp->path, bsize, POOL_SIZE, 0600, tp->vdm);
	if (tp->pbp == NULL)
		UT_FAIL("xcreate: %s", pmemblk_errormsg());
	tp->bsize = bsize;
	tp->nblock = (long long)pmemblk_nblock(tp->pbp);
}

static inline void
test_pool_destroy(struct test_pool *tp)
{
	if (tp->pbp != NULL)
		pmemblk_close(tp->pbp);
	if (tp->dms != NULL)
		data_mover_sync_delete(tp->dms);
	if (tp->dmt != NULL)
		data_mover_threads_delete(tp->dmt);
	scratch_dir_remove(tp->dir);
}

/* Reads block with the sync API and checks it holds exactly stamp. */
static inline void
expect_block(PMEMblkpool *pbp, long long blockno, uint64_t stamp)
{
	size_t bsize = pmemblk_bsize(pbp);
	uint64_t *buf = malloc(bsize), *want = malloc(bsize);
	UT_ASSERT(buf != NULL && want != NULL);
	if (pmemblk_read(pbp, buf, blockno) != 0)
		UT_FAIL("read %lld: %s", blockno, pmemblk_errormsg());
	stamp_fill(want, bsize, stamp);
	if (memcmp(buf, want, bsize) != 0)
		UT_FAIL("block %lld does not hold stamp %llx", blockno,
			(unsigned long long)stamp);
	free(buf);
	free(want);
}

#endif
