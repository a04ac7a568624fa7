/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_btt_check.c -- btt_check (doc/format.md §15.1, doc/design.md §5) and the
 * per-use checking of map entries:
 *   a duplicated map entry                -> 0 (twice / unreferenced);
 *   a map entry outside the data area     -> 0, and that block's read,
 *                                            write, set_zero, set_error
 *                                            fail with EIO, others work;
 *   a free block also mapped              -> 0;
 *   zero and error states are references  -> 1.
 */
#include "unit_helpers.h"

#define NS_SIZE (16ull << 20)
#define BSIZE 512u
#define INT_NLBA 32458u

static uint8_t buf[BSIZE];

static struct btt *
setup(struct ut_ns *ns)
{
	ut_ns_init(ns, NS_SIZE, BSIZE);
	struct btt *btt = ut_ns_open(ns);
	UT_ASSERT_EQ(btt_check(btt), 1);	/* no layout: consistent */
	for (uint32_t b = 0; b < 8; b++) {
		ut_fill(buf, BSIZE, 1, b);
		UT_ASSERT_EQ(btt_write(btt, b, buf), 0);
	}
	UT_ASSERT_EQ(btt_check(btt), 1);
	return btt;
}

static void
assert_inconsistent(struct btt *btt, const char *why1, const char *why2)
{
	UT_ASSERT_EQ(btt_check(btt), 0);
	const char *msg = pmemblk_errormsg();
	if (strstr(msg, why1) == NULL && strstr(msg, why2) == NULL)
		UT_FAIL("check message \"%s\" says neither \"%s\" nor \"%s\"",
			msg, why1, why2);
}

static void
test_states_are_references(void)
{
	struct ut_ns ns;
	struct btt *btt = setup(&ns);
	UT_ASSERT_EQ(btt_set_zero(btt, 1), 0);
	UT_ASSERT_EQ(btt_set_error(btt, 2), 0);
	UT_ASSERT_EQ(btt_set_zero(btt, 100), 0);
	UT_ASSERT_EQ(btt_set_error(btt, 101), 0);
	UT_ASSERT_EQ(btt_check(btt), 1);
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* Row 33 of doc/api-notes.md §11: a map entry copied over another. */
static void
test_duplicate_entry(void)
{
	struct ut_ns ns;
	struct btt *btt = setup(&ns);
	uint32_t *map = ut_ns_map(&ns);
	map[3] = map[0];
	assert_inconsistent(btt, "twice", "unreferenced");
	/* checking changes nothing and answers the same again */
	UT_ASSERT_EQ(map[3], map[0]);
	assert_inconsistent(btt, "twice", "unreferenced");
	btt_close(btt);

	/* the pool still opens (open does not scan the map) */
	btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(btt_read(btt, 3, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 1, 0));
	assert_inconsistent(btt, "twice", "unreferenced");
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* An initial (00) entry counts as its own block: a clash is caught too. */
static void
test_duplicate_with_identity(void)
{
	struct ut_ns ns;
	struct btt *btt = setup(&ns);
	ut_ns_map(&ns)[3] = BTT_MAP_NORMAL | 500;	/* LBA 500 is initial */
	assert_inconsistent(btt, "twice", "unreferenced");
	btt_close(btt);
	ut_ns_fini(&ns);
}

static void
test_free_block_mapped(void)
{
	struct ut_ns ns;
	struct btt *btt = setup(&ns);
	/* lane 200's free block is still its initial one */
	uint32_t free_block = ut_ns_flog_pair(&ns, 200)[0].old_map &
		BTT_MAP_BLOCK_MASK;
	ut_ns_map(&ns)[3] = BTT_MAP_NORMAL | free_block;
	btt_close(btt);
	btt = ut_ns_open(&ns);
	assert_inconsistent(btt, "in use", "twice");
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* doc/design.md §5: an entry outside the data area costs only that block. */
static void
test_out_of_range(uint32_t entry)
{
	struct ut_ns ns;
	struct btt *btt = setup(&ns);
	btt_close(btt);
	uint32_t *map = ut_ns_map(&ns);
	map[4] = entry;

	btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(btt_check(btt), 0);
	UT_ASSERT_MSG("out of bounds");

	UT_ASSERT_ERR(btt_read(btt, 4, buf), EIO);
	if ((entry & BTT_MAP_FLAGS_MASK) != BTT_MAP_ERROR)
		UT_ASSERT_MSG("block 4");	/* names the block at fault */
	ut_fill(buf, BSIZE, 9, 4);
	UT_ASSERT_ERR(btt_write(btt, 4, buf), EIO);
	UT_ASSERT_ERR(btt_set_zero(btt, 4), EIO);
	UT_ASSERT_ERR(btt_set_error(btt, 4), EIO);
	UT_ASSERT_EQ(map[4], entry);
	UT_ASSERT_EQ(btt_lanes_free(btt), btt_nlane(btt));

	/* every other block still works, and check still says 0 */
	for (uint32_t b = 0; b < 8; b++) {
		if (b == 4)
			continue;
		UT_ASSERT_EQ(btt_read(btt, b, buf), 0);
		UT_ASSERT(ut_is_filled(buf, BSIZE, 1, b));
	}
	ut_fill(buf, BSIZE, 9, 5);
	UT_ASSERT_EQ(btt_write(btt, 5, buf), 0);
	UT_ASSERT_EQ(btt_read(btt, 5, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 9, 5));
	UT_ASSERT_EQ(btt_check(btt), 0);
	btt_close(btt);
	ut_ns_fini(&ns);
}

int
main(void)
{
	test_states_are_references();
	test_duplicate_entry();
	test_duplicate_with_identity();
	test_free_block_mapped();
	test_out_of_range(BTT_MAP_NORMAL | INT_NLBA);	/* first one past */
	test_out_of_range(0xFFFFFFFFu);
	test_out_of_range(BTT_MAP_ERROR | 0x3FFFFFFFu);
	/*
	 * A zero-state entry names a block too; doc/design.md §5 wants its read
	 * to fail like its write (finding F1, fixed in f17dbc9).
	 */
	test_out_of_range(BTT_MAP_ZERO | INT_NLBA);
	return 0;
}
