/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_geometry.c -- arena geometry against every worked example of
 * doc/format.md §14 and the nblock rows 8, 9 and 52 of doc/api-notes.md §11.
 */
#include "unit_helpers.h"

#define POOL(x) ((uint64_t)(x))
#define DATASIZE(poolsize) ((POOL(poolsize) & ~(uint64_t)4095) - 8192)

struct geo_row {
	uint64_t poolsize;
	uint32_t bsize;
	uint32_t internal_lbasize, internal_nlba, external_nlba;
	uint64_t mapoff, flogoff, infooff;
};

/* doc/format.md §14 single-arena tables (dataoff 0x1000, flog 0x4000). */
static const struct geo_row rows[] = {
	{64 * UT_MiB, 4096, 4096, 16359, 16103,
		0x3FE9000, 0x3FF9000, 0x3FFD000},
	{1024 * UT_MiB, 512, 512, 2080823, 2080567,
		0x3F809000, 0x3FFF9000, 0x3FFFD000},
	{UT_MIN_POOL, 512, 512, 32458, 32202, 0xFDB000, 0xFFB000, 0xFFF000},
	{64 * UT_MiB, 512, 512, 129984, 129728,
		0x3F7A000, 0x3FF9000, 0x3FFD000},
	{64 * UT_MiB, 1, 512, 129984, 129728,
		0x3F7A000, 0x3FF9000, 0x3FFD000},
	{64 * UT_MiB, 520, 768, 86880, 86624, 0x3FA4000, 0x3FF9000, 0x3FFD000},
	{64 * UT_MiB, 100000, 100096, 670, 414,
		0x3FF8000, 0x3FF9000, 0x3FFD000},
	{64 * UT_MiB + 5000, 4096, 4096, 16360, 16104,
		0x3FEA000, 0x3FFA000, 0x3FFE000},
	{1024 * UT_MiB, 4096, 4096, 261879, 261623,
		0x3FEF9000, 0x3FFF9000, 0x3FFFD000},
};

static void
test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct geo_row *r = &rows[i];
		uint64_t ds = DATASIZE(r->poolsize);
		struct btt_geometry g;
		UT_ASSERT_EQ(btt_narenas(ds), 1);
		UT_ASSERT(btt_arena_size(ds, 0) == ds);
		UT_ASSERT(btt_geometry(ds, r->bsize, 256, &g));
		UT_ASSERT_EQ(g.internal_lbasize, r->internal_lbasize);
		UT_ASSERT_EQ(g.internal_nlba, r->internal_nlba);
		UT_ASSERT_EQ(g.external_nlba, r->external_nlba);
		UT_ASSERT_EQ(g.nfree, 256);
		UT_ASSERT_EQ(g.dataoff, 0x1000);
		UT_ASSERT_EQ(g.mapoff, r->mapoff);
		UT_ASSERT_EQ(g.flogoff, r->flogoff);
		UT_ASSERT_EQ(g.infooff, r->infooff);
		UT_ASSERT_EQ(g.flog_size, 0x4000);
		UT_ASSERT_EQ(g.map_size, r->flogoff - r->mapoff);
		/* the data area ends at or before the map */
		UT_ASSERT(g.dataoff + (uint64_t)g.internal_nlba *
			g.internal_lbasize <= g.mapoff);
	}
}

/* The first table of doc/format.md §14 also gives map_size and the data area's end. */
static void
test_main_examples(void)
{
	struct btt_geometry g;
	UT_ASSERT(btt_geometry(0x3FFE000, 4096, 256, &g));
	UT_ASSERT_EQ(g.map_size, 0x10000);
	UT_ASSERT_EQ(g.dataoff + (uint64_t)g.internal_nlba * 4096, 0x3FE8000);

	UT_ASSERT(btt_geometry(0x3FFFE000, 512, 256, &g));
	UT_ASSERT_EQ(g.map_size, 0x7F0000);
	UT_ASSERT_EQ(g.dataoff + (uint64_t)g.internal_nlba * 512, 0x3F807E00);

	/* 64 MiB with bsize 200000: fewer than 512 internal blocks */
	UT_ASSERT(!btt_geometry(DATASIZE(64 * UT_MiB), 200000, 256, &g));
}

/* nblock as pmemblk_nblock computes it: the sum over arenas. */
static uint64_t
nblock(uint64_t poolsize, uint32_t bsize, bool *ok)
{
	uint64_t ds = DATASIZE(poolsize), n = 0;
	*ok = true;
	for (uint32_t i = 0; i < btt_narenas(ds); i++) {
		struct btt_geometry g;
		if (!btt_geometry(btt_arena_size(ds, i), bsize, 256, &g)) {
			*ok = false;
			return 0;
		}
		n += g.external_nlba;
	}
	return n;
}

static void
expect_nblock(uint64_t poolsize, uint32_t bsize, uint64_t expected)
{
	bool ok;
	uint64_t n = nblock(poolsize, bsize, &ok);
	if (!ok || n != expected)
		UT_FAIL("poolsize %llu bsize %u: nblock %llu (ok %d), expected %llu",
			(unsigned long long)poolsize, bsize,
			(unsigned long long)n, ok, (unsigned long long)expected);
}

static void
expect_too_large(uint64_t poolsize, uint32_t bsize)
{
	bool ok;
	nblock(poolsize, bsize, &ok);
	if (ok)
		UT_FAIL("poolsize %llu bsize %u: geometry accepted",
			(unsigned long long)poolsize, bsize);
}

static void
test_api_rows(void)
{
	/* row 8 */
	expect_nblock(UT_MIN_POOL, 513, 21439);
	expect_nblock(UT_MIN_POOL, 1000, 16036);
	expect_nblock(UT_MIN_POOL, 4096, 3829);
	expect_nblock(UT_MIN_POOL, 32500, 259);
	/* row 6 and doc/api-notes.md §4.4: too large at MIN */
	expect_too_large(UT_MIN_POOL, 33000);
	expect_too_large(UT_MIN_POOL, 1u << 20);
	expect_too_large(UT_MIN_POOL, UINT32_MAX);
	/* row 9 */
	expect_nblock(UT_MIN_POOL + 1, 512, 32202);
	expect_nblock(UT_MIN_POOL + 4096, 512, 32210);
	expect_nblock(64 * UT_MiB, 512, 129728);
	expect_nblock(1024 * UT_MiB, 512, 2080567);
	/* row 7: bsize 1 is the same as 512 */
	expect_nblock(UT_MIN_POOL, 1, 32202);
	/* row 51: a MIN pool grown to twice its size before the first write */
	expect_nblock(2 * UT_MIN_POOL, 512, 64732);

	/* row 52: sparse files around one full 512 GiB arena */
	uint64_t big = BTT_MAX_ARENA + 8192;
	expect_nblock(big, 512, 1065417932);
	expect_nblock(big + 16 * UT_MiB, 512, 1065450134);
	expect_nblock(big + 16 * UT_MiB - 4096, 512, 1065417932);
	UT_ASSERT_EQ(btt_narenas(DATASIZE(big + 16 * UT_MiB)), 2);
	UT_ASSERT_EQ(btt_narenas(DATASIZE(big + 16 * UT_MiB - 4096)), 1);
}

static void
test_arena_count(void)
{
	UT_ASSERT_EQ(btt_narenas(16 * UT_MiB - 4096), 0);
	UT_ASSERT_EQ(btt_narenas(16 * UT_MiB), 1);
	UT_ASSERT_EQ(btt_narenas(BTT_MAX_ARENA), 1);
	UT_ASSERT_EQ(btt_narenas(3 * BTT_MAX_ARENA + 16 * UT_MiB), 4);
	UT_ASSERT(btt_arena_size(3 * BTT_MAX_ARENA + 16 * UT_MiB, 2) ==
		BTT_MAX_ARENA);
	UT_ASSERT(btt_arena_size(3 * BTT_MAX_ARENA + 16 * UT_MiB, 3) ==
		16 * UT_MiB);
}

/* The two-arena pool of doc/format.md §14 (one part of 2^39 + 8192 + 64 MiB). */
static void
test_two_arenas(void)
{
	uint64_t ds = DATASIZE(549822930944ULL);
	UT_ASSERT_EQ(btt_narenas(ds), 2);
	UT_ASSERT(btt_arena_size(ds, 0) == BTT_MAX_ARENA);
	UT_ASSERT(btt_arena_size(ds, 1) == 64 * UT_MiB);

	struct btt_geometry g0, g1;
	UT_ASSERT(btt_geometry(btt_arena_size(ds, 0), 4096, 256, &g0));
	UT_ASSERT_EQ(g0.internal_nlba, 134086776);
	UT_ASSERT_EQ(g0.external_nlba, 134086520);
	UT_ASSERT(g0.mapoff == 0x7FE007B000ULL);
	UT_ASSERT(g0.flogoff == 0x7FFFFFB000ULL);
	UT_ASSERT(g0.infooff == 0x7FFFFFF000ULL);

	UT_ASSERT(btt_geometry(btt_arena_size(ds, 1), 4096, 256, &g1));
	UT_ASSERT_EQ(g1.internal_nlba, 16361);
	UT_ASSERT_EQ(g1.external_nlba, 16105);
	UT_ASSERT_EQ(g1.mapoff, 0x3FEB000);
	UT_ASSERT_EQ(g1.flogoff, 0x3FFB000);
	UT_ASSERT_EQ(g1.infooff, 0x3FFF000);

	expect_nblock(549822930944ULL, 4096, 134102625);
}

int
main(void)
{
	test_rows();
	test_main_examples();
	test_api_rows();
	test_arena_count();
	test_two_arenas();
	return 0;
}
