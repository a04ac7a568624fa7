/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_btt_encoding.c -- the bytes the BTT engine puts on media: the lazy
 * layout (doc/format.md §4.3-4.4), map entries (§5) and flog slots (§6), on
 * the 64 MiB / bsize 4096 geometry of the doc/format.md §14 examples, in
 * anonymous memory.
 */
#include "unit_helpers.h"

#define NS_SIZE 0x3FFE000ull	/* 64 MiB pool minus header and descriptor */
#define BSIZE 4096u
#define EXT_NLBA 16103u
#define INT_NLBA 16359u

/* Bytes 0x30..0x77 of the example's info block (doc/format.md §11). */
static const uint8_t info_fields[0x48] = {
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
	0x00, 0x10, 0x00, 0x00, 0xE7, 0x3E, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0xE7, 0x3F, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x90, 0xFE, 0x03, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x90, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xD0, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00,
};

static uint8_t buf[BSIZE];

static void
assert_flog_slot(const struct btt_flog *s, uint32_t lba, uint32_t old_map,
	uint32_t new_map, uint32_t seq)
{
	if (s->lba != lba || s->old_map != old_map || s->new_map != new_map ||
			s->seq != seq)
		UT_FAIL("flog slot {%u, 0x%08x, 0x%08x, %u}, expected "
			"{%u, 0x%08x, 0x%08x, %u}", s->lba, s->old_map,
			s->new_map, s->seq, lba, old_map, new_map, seq);
}

/* Pair `lane` untouched since the layout: doc/format.md §4.4 and §14. */
static void
assert_initial_pair(struct ut_ns *ns, uint32_t lane)
{
	const struct btt_flog *pair = ut_ns_flog_pair(ns, lane);
	uint32_t free_entry = (EXT_NLBA + lane) | BTT_MAP_ZERO;
	assert_flog_slot(&pair[0], lane, free_entry, free_entry, 1);
	UT_ASSERT(ut_is_zero((const uint8_t *)pair + 16, 48));
}

static void
test_unformatted(void)
{
	struct ut_ns ns;
	ut_ns_init(&ns, NS_SIZE, BSIZE);
	struct btt *btt = ut_ns_open(&ns);
	UT_ASSERT(!btt_is_formatted(btt));
	UT_ASSERT_EQ(btt_nlba(btt), EXT_NLBA);
	UT_ASSERT_EQ(btt_nlane(btt), 256);

	memset(buf, 0xFF, sizeof(buf));
	UT_ASSERT_EQ(btt_read(btt, EXT_NLBA - 1, buf), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	/* set_zero on a pool without layout writes nothing (doc/format.md §4.4) */
	UT_ASSERT_EQ(btt_set_zero(btt, 7), 0);
	UT_ASSERT(!btt_is_formatted(btt));
	UT_ASSERT_ERR(btt_read(btt, EXT_NLBA, buf), EINVAL);
	UT_ASSERT_ERR(btt_write(btt, EXT_NLBA, buf), EINVAL);
	UT_ASSERT_ERR(btt_set_zero(btt, EXT_NLBA), EINVAL);
	UT_ASSERT_ERR(btt_set_error(btt, EXT_NLBA), EINVAL);
	UT_ASSERT(!btt_is_formatted(btt));
	UT_ASSERT(ut_is_zero(ns.mem, NS_SIZE));
	btt_close(btt);
	ut_ns_fini(&ns);
}

static void
test_layout_and_first_write(void)
{
	struct ut_ns ns;
	ut_ns_init(&ns, NS_SIZE, BSIZE);
	struct btt *btt = ut_ns_open(&ns);

	ut_fill(buf, BSIZE, 7, 0);
	uint32_t lane = ut_btt_write_on(btt, 0, buf, BSIZE, -1);
	UT_ASSERT(btt_is_formatted(btt));

	/* info block: the example's fields, own uuids, valid checksum */
	struct btt_info *info = ut_ns_info(&ns);
	UT_ASSERT(memcmp(info->sig, "BTT_ARENA_INFO\0\0", 16) == 0);
	UT_ASSERT(memcmp(info->parent_uuid, ns.params.parent_uuid, 16) == 0);
	UT_ASSERT(memcmp((uint8_t *)info + 0x30, info_fields,
		sizeof(info_fields)) == 0);
	UT_ASSERT(ut_is_zero(info->unused, sizeof(info->unused)));
	UT_ASSERT_EQ(info->uuid[7] >> 4, 4);		/* version 4 */
	UT_ASSERT_EQ(info->uuid[8] & 0xC0, 0x80);	/* variant */
	UT_ASSERT(ut_info_csum_ok(info));
	/* the backup is byte-identical */
	UT_ASSERT(memcmp(ut_ns_backup_info(&ns), info, BTT_INFO_SIZE) == 0);

	/* map: only entry 0, pointing at the lane's initial free block */
	uint32_t *map = ut_ns_map(&ns);
	UT_ASSERT_EQ(map[0], BTT_MAP_NORMAL | (EXT_NLBA + lane));
	UT_ASSERT(ut_is_zero(&map[1], (EXT_NLBA - 1) * 4));
	if (lane == 0)
		UT_ASSERT_EQ(map[0], 0xC0003EE7);
	UT_ASSERT(ut_is_filled(ut_ns_block(&ns, EXT_NLBA + lane), BSIZE, 7, 0));

	/* flog: every other pair initial; the lane's slot 1 holds the write */
	for (uint32_t l = 0; l < 256; l++)
		if (l != lane)
			assert_initial_pair(&ns, l);
	const struct btt_flog *pair = ut_ns_flog_pair(&ns, lane);
	uint32_t free_entry = (EXT_NLBA + lane) | BTT_MAP_ZERO;
	assert_flog_slot(&pair[0], lane, free_entry, free_entry, 1);
	assert_flog_slot(&pair[1], 0, 0xC0000000,
		BTT_MAP_NORMAL | (EXT_NLBA + lane), 2);

	/* doc/format.md §14: pair 4 byte for byte (when lane 4 is untouched) */
	static const uint8_t pair4[16] = {0x04, 0, 0, 0, 0xEB, 0x3E, 0, 0x80,
		0xEB, 0x3E, 0, 0x80, 0x01, 0, 0, 0};
	if (lane != 4) {
		const uint8_t *p4 = (const uint8_t *)ut_ns_flog_pair(&ns, 4);
		UT_ASSERT(memcmp(p4, pair4, 16) == 0);
		UT_ASSERT(ut_is_zero(p4 + 16, 48));
	}

	/* the data area before the write's block was never touched */
	UT_ASSERT(ut_is_zero(ut_ns_block(&ns, 0), (uint64_t)EXT_NLBA * BSIZE));
	UT_ASSERT_EQ(btt_read(btt, 0, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 7, 0));
	UT_ASSERT_EQ(btt_lanes_free(btt), 256);
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* doc/format.md §6: lane 0's writes to LBA 0, then 16102, then a third. */
static void
test_lane_sequence(void)
{
	struct ut_ns ns;
	ut_ns_init(&ns, NS_SIZE, BSIZE);
	struct btt *btt = ut_ns_open(&ns);
	const struct btt_flog *pair;

	ut_fill(buf, BSIZE, 1, 0);
	ut_btt_write_on(btt, 0, buf, BSIZE, 0);
	pair = ut_ns_flog_pair(&ns, 0);
	assert_flog_slot(&pair[0], 0, 0x80003EE7, 0x80003EE7, 1);
	assert_flog_slot(&pair[1], 0, 0xC0000000, 0xC0003EE7, 2);

	ut_fill(buf, BSIZE, 1, 16102);
	ut_btt_write_on(btt, 16102, buf, BSIZE, 0);
	assert_flog_slot(&pair[0], 16102, 0xC0003EE6, 0xC0000000, 3);
	assert_flog_slot(&pair[1], 0, 0xC0000000, 0xC0003EE7, 2);
	UT_ASSERT_EQ(ut_ns_map(&ns)[16102], 0xC0000000);

	/* third write on the lane: slot 1 again, seq wraps to 1 */
	ut_fill(buf, BSIZE, 1, 5);
	ut_btt_write_on(btt, 5, buf, BSIZE, 0);
	assert_flog_slot(&pair[1], 5, 0xC0000005, 0xC0003EE6, 1);
	/* then 2 in slot 0: the successor rule, not "larger wins" */
	ut_btt_write_on(btt, 6, buf, BSIZE, 0);
	assert_flog_slot(&pair[0], 6, 0xC0000006, 0xC0000005, 2);
	UT_ASSERT_EQ(ut_flog_current(pair), 0);

	/* each 8-byte half is what the commit protocol stores */
	uint64_t half[2];
	memcpy(half, &pair[0], 16);
	UT_ASSERT(half[0] == ((uint64_t)0xC0000006 << 32 | 6));
	UT_ASSERT(half[1] == ((uint64_t)2 << 32 | 0xC0000005));
	btt_close(btt);
	ut_ns_fini(&ns);
}

/*
 * The operation mix of doc/format.md §5's example, checked against a model
 * of the protocol that follows whichever lane each write took.
 */
static void
test_map_states(void)
{
	struct ut_ns ns;
	ut_ns_init(&ns, NS_SIZE, BSIZE);
	struct btt *btt = ut_ns_open(&ns);
	static uint32_t model[EXT_NLBA];
	uint32_t free_block[256];
	for (uint32_t l = 0; l < 256; l++)
		free_block[l] = EXT_NLBA + l;

	static const uint32_t writes[] = {0, 1, 2, 3, EXT_NLBA - 1, 1};
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		uint32_t lba = writes[i];
		ut_fill(buf, BSIZE, 10 + i, lba);
		uint32_t lane = ut_btt_write_on(btt, lba, buf, BSIZE, -1);
		uint32_t old = model[lba] ? model[lba] : lba | BTT_MAP_NORMAL;
		model[lba] = free_block[lane] | BTT_MAP_NORMAL;
		free_block[lane] = old & BTT_MAP_BLOCK_MASK;
	}
	UT_ASSERT_EQ(btt_set_zero(btt, 2), 0);
	model[2] = (model[2] & BTT_MAP_BLOCK_MASK) | BTT_MAP_ZERO;
	UT_ASSERT_EQ(btt_set_error(btt, 3), 0);
	model[3] = (model[3] & BTT_MAP_BLOCK_MASK) | BTT_MAP_ERROR;
	UT_ASSERT_EQ(btt_set_zero(btt, 10), 0);
	model[10] = 0x8000000A;		/* doc/format.md §5: j | 0x80000000 */
	UT_ASSERT_EQ(btt_set_error(btt, 11), 0);
	model[11] = 0x4000000B;
	/* idempotent: set_zero of a zero block, set_error of an error block */
	UT_ASSERT_EQ(btt_set_zero(btt, 10), 0);
	UT_ASSERT_EQ(btt_set_error(btt, 11), 0);

	uint32_t *map = ut_ns_map(&ns);
	for (uint32_t j = 0; j < EXT_NLBA; j++)
		if (map[j] != model[j])
			UT_FAIL("map[%u] = 0x%08x, expected 0x%08x", j, map[j],
				model[j]);
	/* the lanes' free blocks are in their current flog slots */
	for (uint32_t l = 0; l < 256; l++) {
		const struct btt_flog *pair = ut_ns_flog_pair(&ns, l);
		int cur = ut_flog_current(pair);
		UT_ASSERT(cur >= 0);
		UT_ASSERT_EQ(pair[cur].old_map & BTT_MAP_BLOCK_MASK,
			free_block[l]);
	}

	/* reads: data, zeros, EIO */
	UT_ASSERT_EQ(btt_read(btt, 1, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 15, 1));
	UT_ASSERT_EQ(btt_read(btt, EXT_NLBA - 1, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 14, EXT_NLBA - 1));
	UT_ASSERT_EQ(btt_read(btt, 2, buf), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	UT_ASSERT_EQ(btt_read(btt, 10, buf), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	UT_ASSERT_ERR(btt_read(btt, 3, buf), EIO);
	UT_ASSERT_ERR(btt_read(btt, 11, buf), EIO);

	/* a write clears the error state; set_zero clears it too */
	ut_fill(buf, BSIZE, 99, 3);
	uint32_t lane = ut_btt_write_on(btt, 3, buf, BSIZE, -1);
	UT_ASSERT_EQ(map[3], BTT_MAP_NORMAL | free_block[lane]);
	const struct btt_flog *pair = ut_ns_flog_pair(&ns, lane);
	int cur = ut_flog_current(pair);
	UT_ASSERT_EQ(pair[cur].old_map, model[3]);	/* flags kept in old_map */
	UT_ASSERT_EQ(btt_read(btt, 3, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 99, 3));
	UT_ASSERT_EQ(btt_set_zero(btt, 11), 0);
	UT_ASSERT_EQ(map[11], 0x8000000B);
	UT_ASSERT_EQ(btt_read(btt, 11, buf), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	UT_ASSERT_EQ(btt_check(btt), 1);
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* set_error is a "first write": it lays the BTT out (doc/format.md §4.4). */
static void
test_set_error_formats(void)
{
	struct ut_ns ns;
	ut_ns_init(&ns, NS_SIZE, BSIZE);
	struct btt *btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(btt_set_error(btt, 6), 0);
	UT_ASSERT(btt_is_formatted(btt));
	UT_ASSERT(ut_info_csum_ok(ut_ns_info(&ns)));
	UT_ASSERT_EQ(ut_ns_map(&ns)[6], 0x40000006);
	for (uint32_t l = 0; l < 256; l++)
		assert_initial_pair(&ns, l);
	UT_ASSERT_ERR(btt_read(btt, 6, buf), EIO);
	UT_ASSERT_EQ(btt_check(btt), 1);
	btt_close(btt);
	ut_ns_fini(&ns);
}

int
main(void)
{
	test_unformatted();
	test_layout_and_first_write();
	test_lane_sequence();
	test_map_states();
	test_set_error_formats();
	return 0;
}
