/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_btt_recovery.c -- each recovery case of doc/format.md §9, built by hand
 * in a namespace image in anonymous memory:
 *   (a) flog committed, map not updated -> fixed at open, new data read;
 *   (b) torn flog, only bytes 0-7 of the new slot written -> old data,
 *       the lane keeps its free block;
 *   (c) both slots with equal seq -> reads work, writes EIO, check 0;
 * plus a committed write overtaken by a later one (map left alone).
 */
#include "unit_helpers.h"

#define NS_SIZE (16ull << 20)	/* the minimum pool's namespace */
#define BSIZE 512u
#define LBA 5u
#define LANE 3

static uint8_t buf[BSIZE];

/* A formatted namespace whose LBA holds seed 1, written `prior` times. */
static struct btt *
setup(struct ut_ns *ns, unsigned prior)
{
	ut_ns_init(ns, NS_SIZE, BSIZE);
	struct btt *btt = ut_ns_open(ns);
	for (unsigned i = 0; i < prior; i++) {
		ut_fill(buf, BSIZE, 100 + i, 40 + i);
		ut_btt_write_on(btt, 40 + i, buf, BSIZE, LANE);
	}
	ut_fill(buf, BSIZE, 1, LBA);
	ut_btt_write_on(btt, LBA, buf, BSIZE, LANE);
	return btt;
}

/* What a crash in the middle of a write of seed 2 to LBA leaves behind. */
struct interrupted {
	uint32_t map_before;		/* LBA's entry before the write */
	struct btt_flog pair_before[2];
	int slot;			/* the slot the write committed to */
	uint32_t new_block;		/* where the new data went */
};

static void
write_then_lose_map(struct btt *btt, struct ut_ns *ns, struct interrupted *w)
{
	uint32_t *map = ut_ns_map(ns);
	struct btt_flog *pair = ut_ns_flog_pair(ns, LANE);
	w->map_before = map[LBA];
	memcpy(w->pair_before, pair, sizeof(w->pair_before));
	ut_fill(buf, BSIZE, 2, LBA);
	ut_btt_write_on(btt, LBA, buf, BSIZE, LANE);
	w->slot = ut_flog_current(pair);
	UT_ASSERT(w->slot >= 0 && w->slot != ut_flog_current(w->pair_before));
	w->new_block = pair[w->slot].new_map & BTT_MAP_BLOCK_MASK;
	btt_close(btt);
	map[LBA] = w->map_before;	/* the map store never happened */
}

/* The lane's next write lands in `block` (it owns it as free block). */
static void
assert_lane_free_block(struct btt *btt, struct ut_ns *ns, uint32_t block)
{
	struct btt_write_op held[BTT_DEFAULT_NFREE], op;
	unsigned n = 0;
	for (;;) {
		UT_ASSERT_EQ(btt_write_begin(btt, 0, false, &op), BTT_STEP_DONE);
		if (op.lane == LANE)
			break;
		held[n++] = op;
	}
	UT_ASSERT(op.dest == ut_ns_block(ns, block));
	btt_write_cancel(btt, &op);
	while (n > 0)
		btt_write_cancel(btt, &held[--n]);
}

/* (a) for every position of the lane's seq cycle */
static void
test_committed_map_lost(unsigned prior)
{
	struct ut_ns ns;
	struct interrupted w;
	struct btt *btt = setup(&ns, prior);
	write_then_lose_map(btt, &ns, &w);

	btt = ut_ns_open(&ns);
	struct btt_flog *pair = ut_ns_flog_pair(&ns, LANE);
	UT_ASSERT_EQ(ut_ns_map(&ns)[LBA], pair[w.slot].new_map);
	UT_ASSERT_EQ(btt_read(btt, LBA, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 2, LBA));
	UT_ASSERT_EQ(btt_check(btt), 1);
	/* the block the LBA held before is the lane's free block now */
	assert_lane_free_block(btt, &ns, w.map_before & BTT_MAP_BLOCK_MASK);
	btt_close(btt);

	/* recovery is idempotent: a second open changes nothing */
	uint32_t entry = ut_ns_map(&ns)[LBA];
	btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(ut_ns_map(&ns)[LBA], entry);
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* (a) when the overwritten entry was in the zero state */
static void
test_committed_over_zero_state(void)
{
	struct ut_ns ns;
	struct interrupted w;
	struct btt *btt = setup(&ns, 0);
	UT_ASSERT_EQ(btt_set_zero(btt, LBA), 0);
	write_then_lose_map(btt, &ns, &w);
	UT_ASSERT_EQ(w.map_before & BTT_MAP_FLAGS_MASK, BTT_MAP_ZERO);

	btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(ut_ns_map(&ns)[LBA], BTT_MAP_NORMAL | w.new_block);
	UT_ASSERT_EQ(btt_read(btt, LBA, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 2, LBA));
	UT_ASSERT_EQ(btt_check(btt), 1);
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* (b) only bytes 0-7 of the new slot reached media */
static void
test_torn_flog(unsigned prior)
{
	struct ut_ns ns;
	struct interrupted w;
	struct btt *btt = setup(&ns, prior);
	write_then_lose_map(btt, &ns, &w);
	struct btt_flog *pair = ut_ns_flog_pair(&ns, LANE);
	/* bytes 8-15 (new_map, seq) keep what they held before */
	pair[w.slot].new_map = w.pair_before[w.slot].new_map;
	pair[w.slot].seq = w.pair_before[w.slot].seq;
	int old_slot = ut_flog_current(w.pair_before);
	UT_ASSERT_EQ(ut_flog_current(pair), old_slot);
	uint32_t free_before = w.pair_before[old_slot].old_map &
		BTT_MAP_BLOCK_MASK;
	UT_ASSERT_EQ(free_before, w.new_block);

	btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(ut_ns_map(&ns)[LBA], w.map_before);
	UT_ASSERT_EQ(btt_read(btt, LBA, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 1, LBA));
	UT_ASSERT_EQ(btt_check(btt), 1);
	assert_lane_free_block(btt, &ns, free_before);

	/* the lane goes on from the surviving slot */
	ut_fill(buf, BSIZE, 3, LBA);
	ut_btt_write_on(btt, LBA, buf, BSIZE, LANE);
	UT_ASSERT_EQ(ut_flog_current(pair), w.slot);
	UT_ASSERT_EQ(pair[w.slot].seq,
		btt_seq_next(w.pair_before[old_slot].seq));
	UT_ASSERT_EQ(btt_read(btt, LBA, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 3, LBA));
	UT_ASSERT_EQ(btt_check(btt), 1);
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* (c) a pair without a current slot puts the arena in error, in memory */
static void
test_equal_seq(void)
{
	struct ut_ns ns;
	struct btt *btt = setup(&ns, 0);
	btt_close(btt);
	struct btt_flog *pair = ut_ns_flog_pair(&ns, LANE);
	UT_ASSERT_EQ(pair[0].seq, 1);
	UT_ASSERT_EQ(pair[1].seq, 2);
	pair[0].seq = 2;
	size_t region = ut_ns_info(&ns)->infooff + BTT_INFO_SIZE;
	uint8_t *before = malloc(region);
	UT_ASSERT(before != NULL);
	memcpy(before, ns.mem, region);

	btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(btt_read(btt, LBA, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 1, LBA));
	UT_ASSERT_EQ(btt_read(btt, LBA + 1, buf), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	UT_ASSERT_ERR(btt_write(btt, LBA + 1, buf), EIO);
	UT_ASSERT_ERR(btt_set_zero(btt, LBA), EIO);
	UT_ASSERT_ERR(btt_set_error(btt, LBA), EIO);
	errno = 0;
	UT_ASSERT_EQ(btt_check(btt), 0);
	UT_ASSERT(strstr(pmemblk_errormsg(), "flog") != NULL);
	btt_close(btt);
	/* nothing written: the error flag stays in memory (doc/format.md §16.9) */
	UT_ASSERT(memcmp(before, ns.mem, region) == 0);
	UT_ASSERT_EQ(ut_ns_info(&ns)->flags, 0);
	free(before);
	ut_ns_fini(&ns);
}

/*
 * A committed write whose LBA was written again through another lane:
 * the map holds neither old_map nor new_map and stays as it is.
 */
static void
test_overtaken_write(void)
{
	struct ut_ns ns;
	struct btt *btt = setup(&ns, 0);
	ut_fill(buf, BSIZE, 4, LBA);
	ut_btt_write_on(btt, LBA, buf, BSIZE, LANE + 1);
	uint32_t entry = ut_ns_map(&ns)[LBA];
	btt_close(btt);

	btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(ut_ns_map(&ns)[LBA], entry);
	UT_ASSERT_EQ(btt_read(btt, LBA, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 4, LBA));
	UT_ASSERT_EQ(btt_check(btt), 1);
	btt_close(btt);
	ut_ns_fini(&ns);
}

int
main(void)
{
	/* 0..3 earlier writes on the lane: every slot and seq combination */
	for (unsigned prior = 0; prior < 4; prior++) {
		test_committed_map_lost(prior);
		test_torn_flog(prior);
	}
	test_committed_over_zero_state();
	test_equal_seq();
	test_overtaken_write();
	return 0;
}
