/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_resize.c -- row 51 of doc/api-notes.md §11: a pool file resized between
 * opens. Before the first write nblock follows the file size at each
 * open; after it, nblock comes from the BTT metadata, and a file shrunk
 * below that metadata is refused with EINVAL without being written.
 */
#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

static size_t
nblock_at_open(const char *path)
{
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	if (pbp == NULL)
		UT_FAIL("open %s: %s", path, pmemblk_errormsg());
	size_t n = pmemblk_nblock(pbp);
	pmemblk_close(pbp);
	return n;
}

int
main(void)
{
	const char *path = ut_path("pool");
	ut_pool_make(path, 512, MIN, 0);
	UT_ASSERT_EQ(nblock_at_open(path), 32202);

	/* grown to twice its size before the first write */
	ut_file_truncate(path, 2 * MIN);
	UT_ASSERT_EQ(nblock_at_open(path), 64732);
	/* shrunk again, still without layout */
	ut_file_truncate(path, MIN + 4096);
	UT_ASSERT_EQ(nblock_at_open(path), 32210);
	ut_file_truncate(path, 2 * MIN);

	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	uint8_t buf[512];
	ut_fill(buf, sizeof(buf), 51, 64731);
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 64731), 0);
	pmemblk_close(pbp);

	/* grown after the first write: the metadata decides */
	ut_file_truncate(path, 3 * MIN);
	UT_ASSERT_EQ(nblock_at_open(path), 64732);
	UT_ASSERT_EQ(pmemblk_check(path, 512), 1);

	/* shrunk after the first write: refused, nothing written */
	ut_file_truncate(path, 2 * MIN - 4096);
	struct ut_snapshot snap;
	ut_snapshot_take(path, &snap);
	errno = 0;
	UT_ASSERT(pmemblk_open(path, 512) == NULL);
	UT_ASSERT_EQ(errno, EINVAL);
	UT_ASSERT_ERR(pmemblk_check(path, 512), EINVAL);
	ut_snapshot_assert_same(path, &snap);

	/* the data is back once the file is */
	ut_file_truncate(path, 2 * MIN);
	pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 64731), 0);
	UT_ASSERT(ut_is_filled(buf, sizeof(buf), 51, 64731));
	pmemblk_close(pbp);
	return 0;
}
