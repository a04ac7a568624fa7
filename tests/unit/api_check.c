/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_check.c -- pmemblk_check, rows 31-35 of doc/api-notes.md §11: consistent
 * pools, bsize mismatch, a duplicated map entry, an out-of-range map
 * entry (doc/design.md §5: inconsistent, 0), files that are no pool; and that
 * check never writes to the file, not even the recovery it performs.
 */
#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

static char pool[256];

static void
expect_check(const char *path, size_t bsize, int result, int err)
{
	struct ut_snapshot snap = {0, 0};
	bool regular = ut_file_is_regular(path);
	if (regular)
		ut_snapshot_take(path, &snap);
	errno = 0;
	int ret = pmemblk_check(path, bsize);
	if (ret != result || (result == -1 && errno != err))
		UT_FAIL("check(%s, %zu) = %d errno %d (%s), expected %d errno %d",
			path, bsize, ret, errno, pmemblk_errormsg(), result,
			err);
	if (regular)
		ut_snapshot_assert_same(path, &snap);
}

/* Rows 31 and 32. */
static void
test_consistent(void)
{
	expect_check(pool, 512, 1, 0);
	expect_check(pool, 0, 1, 0);
	expect_check(pool, 1024, -1, EINVAL);
	UT_ASSERT_MSG("wrong bsize (1024), pool created with bsize 512");

	const char *fresh = ut_path("fresh");
	ut_pool_make(fresh, 512, MIN, 0);
	expect_check(fresh, 512, 1, 0);
}

/* Row 33: duplicate a map entry; check twice; the pool still opens. */
static void
test_duplicate(void)
{
	const char *path = ut_path("dup");
	ut_file_copy(pool, path);
	struct ut_layout lay;
	ut_layout_load(path, &lay);
	ut_map_store(path, &lay, 1, ut_map_load(path, &lay, 0));
	expect_check(path, 512, 0, 0);
	expect_check(path, 512, 0, 0);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	uint8_t buf[512];
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 1), 0);
	UT_ASSERT(ut_is_filled(buf, sizeof(buf), 1, 0));
	pmemblk_close(pbp);
}

/*
 * Row 34: PMDK returns -1/EINVAL for an entry out of bounds; doc/design.md §5
 * makes it an inconsistency: 0.
 */
static void
test_out_of_bounds(void)
{
	const char *path = ut_path("oob");
	ut_file_copy(pool, path);
	struct ut_layout lay;
	ut_layout_load(path, &lay);
	ut_map_store(path, &lay, 0, 0xFFFFFFFFu);
	expect_check(path, 512, 0, 0);
	UT_ASSERT_MSG("out of bounds");
}

/* Recovery during check stays in the private mapping (doc/format.md §13). */
static void
test_recovery_not_written(void)
{
	const char *path = ut_path("recover");
	ut_file_copy(pool, path);
	struct ut_layout lay;
	ut_layout_load(path, &lay);
	uint32_t before = ut_map_load(path, &lay, 2);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	uint8_t buf[512];
	ut_fill(buf, sizeof(buf), 2, 2);
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 2), 0);
	pmemblk_close(pbp);
	/* lose the map store of that write: open would redo it */
	ut_map_store(path, &lay, 2, before);
	expect_check(path, 512, 1, 0);
	UT_ASSERT_EQ(ut_map_load(path, &lay, 2), before);

	pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 2), 0);
	UT_ASSERT(ut_is_filled(buf, sizeof(buf), 2, 2));
	pmemblk_close(pbp);
	UT_ASSERT(ut_map_load(path, &lay, 2) != before);
}

static void sig_pmemlog(struct pool_hdr *h) { memcpy(h->signature, "PMEMLOG", 8); }

/* Row 35. */
static void
test_not_a_pool(void)
{
	expect_check(ut_path("missing"), 512, -1, ENOENT);
	const char *zeroed = ut_path("zeroed");
	ut_file_make(zeroed, MIN, 0600);
	expect_check(zeroed, 512, -1, EINVAL);
	const char *empty = ut_path("empty");
	ut_file_make(empty, 0, 0600);
	expect_check(empty, 512, -1, EINVAL);	/* PMDK: SIGBUS */

	const char *log = ut_path("pmemlog");
	ut_file_copy(pool, log);
	struct pool_hdr hdr;
	ut_hdr_load(log, &hdr);
	sig_pmemlog(&hdr);
	ut_hdr_store(log, &hdr, true);
	expect_check(log, 512, -1, EINVAL);
	UT_ASSERT_MSG("wrong pool type");
}

int
main(void)
{
	strcpy(pool, ut_path("pool"));
	ut_pool_make(pool, 512, MIN, 8);
	test_consistent();
	test_duplicate();
	test_out_of_bounds();
	test_recovery_not_written();
	test_not_a_pool();
	return 0;
}
