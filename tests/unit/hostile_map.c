/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_map.c -- map entries pointing outside the data area (doc/design.md
 * §5): the pool opens (the map is not scanned), that block's read, write,
 * set_zero and set_error fail with EIO naming the block, every other
 * block works, pmemblk_check says 0, and the bad entry is left alone.
 */
#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL
#define BSIZE 512
#define INT_NLBA 32458u

static char tmpl[256];
static struct ut_layout lay;

static void
expect_block_eio(const char *name, uint32_t lba, uint32_t entry)
{
	const char *path = ut_path("%s", name);
	ut_file_copy(tmpl, path);
	ut_map_store(path, &lay, lba, entry);
	struct ut_snapshot snap;
	ut_snapshot_take(path, &snap);

	PMEMblkpool *pbp = pmemblk_open(path, BSIZE);
	if (pbp == NULL)
		UT_FAIL("%s: open: %s", name, pmemblk_errormsg());
	uint8_t buf[BSIZE];
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, lba), EIO);
	if ((entry & BTT_MAP_FLAGS_MASK) != BTT_MAP_ERROR) {
		char what[32];
		snprintf(what, sizeof(what), "block %u", lba);
		UT_ASSERT_MSG(what);
	}
	UT_ASSERT_ERR(pmemblk_set_zero(pbp, lba), EIO);
	UT_ASSERT_ERR(pmemblk_set_error(pbp, lba), EIO);
	pmemblk_close(pbp);
	/* nothing so far wrote to the file */
	ut_snapshot_assert_same(path, &snap);
	UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 0);
	UT_ASSERT_MSG("out of bounds");

	pbp = pmemblk_open(path, BSIZE);
	UT_ASSERT(pbp != NULL);
	ut_fill(buf, BSIZE, 2, lba);
	UT_ASSERT_ERR(pmemblk_write(pbp, buf, lba), EIO);
	/* the rest of the pool is untouched and usable */
	for (uint32_t b = 0; b < 8; b++) {
		if (b == lba)
			continue;
		UT_ASSERT_EQ(pmemblk_read(pbp, buf, b), 0);
		UT_ASSERT(ut_is_filled(buf, BSIZE, 1, b));
	}
	ut_fill(buf, BSIZE, 3, 9);
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 9), 0);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 9), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 3, 9));
	UT_ASSERT_EQ(pmemblk_set_zero(pbp, 10), 0);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(ut_map_load(path, &lay, lba), entry);
	unlink(path);
}

int
main(void)
{
	snprintf(tmpl, sizeof(tmpl), "%s", ut_path("tmpl"));
	ut_pool_make(tmpl, BSIZE, MIN, 8);
	ut_layout_load(tmpl, &lay);

	expect_block_eio("first-past", 3, BTT_MAP_NORMAL | INT_NLBA);
	expect_block_eio("max", 3, 0xFFFFFFFFu);
	expect_block_eio("into-map", 0, BTT_MAP_NORMAL |
		(uint32_t)((lay.info.mapoff - lay.info.dataoff) / BSIZE));
	expect_block_eio("never-written", 7, BTT_MAP_NORMAL | 0x20000000u);
	expect_block_eio("error-flag", 5, BTT_MAP_ERROR | 0x3FFFFFFFu);
	/* a zero-state entry names a block too (finding F1, fixed) */
	expect_block_eio("zero-flag", 6, BTT_MAP_ZERO | INT_NLBA);
	return 0;
}
