/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_io.c -- read, write, set_zero and set_error through the public API:
 * rows 7 and 26-30 of doc/api-notes.md §11 (bsize 1, range errors, never-written
 * blocks, the zero and error state sequences, persistence across reopen).
 */
#include <limits.h>

#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL
#define BSIZE 512

static uint8_t buf[BSIZE], data[BSIZE];

/* Row 7: bsize 1 copies exactly one byte. */
static void
test_bsize_one(void)
{
	const char *path = ut_path("bsize1");
	PMEMblkpool *pbp = pmemblk_create(path, 1, MIN, 0600);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_bsize(pbp), 1);
	UT_ASSERT_EQ(pmemblk_nblock(pbp), 32202);
	uint8_t in[2] = {0xAB, 0xCD}, out[2] = {0x11, 0x22};
	UT_ASSERT_EQ(pmemblk_write(pbp, in, 32201), 0);
	UT_ASSERT_EQ(pmemblk_read(pbp, out, 32201), 0);
	UT_ASSERT_EQ(out[0], 0xAB);
	UT_ASSERT_EQ(out[1], 0x22);	/* untouched */
	out[0] = 0x11;
	UT_ASSERT_EQ(pmemblk_read(pbp, out, 0), 0);
	UT_ASSERT_EQ(out[0], 0);
	UT_ASSERT_EQ(out[1], 0x22);
	pmemblk_close(pbp);

	pbp = pmemblk_open(path, 1);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_read(pbp, out, 32201), 0);
	UT_ASSERT_EQ(out[0], 0xAB);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(path, 1), 1);
}

/* Row 26. */
static void
test_range(PMEMblkpool *pbp)
{
	long long n = (long long)pmemblk_nblock(pbp);
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, -1), EINVAL);
	UT_ASSERT_MSG("negative block number");
	UT_ASSERT_ERR(pmemblk_write(pbp, buf, -1), EINVAL);
	UT_ASSERT_ERR(pmemblk_set_zero(pbp, -1), EINVAL);
	UT_ASSERT_ERR(pmemblk_set_error(pbp, -1), EINVAL);
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, n), EINVAL);
	UT_ASSERT_MSG("lba out of range (nlba 32202)");
	UT_ASSERT_ERR(pmemblk_write(pbp, buf, n), EINVAL);
	UT_ASSERT_ERR(pmemblk_set_zero(pbp, n), EINVAL);
	UT_ASSERT_ERR(pmemblk_set_error(pbp, n), EINVAL);
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, LLONG_MIN), EINVAL);
	UT_ASSERT_ERR(pmemblk_write(pbp, buf, LLONG_MAX), EINVAL);
	/* 2^32 + 5 must not wrap onto block 5 */
	UT_ASSERT_ERR(pmemblk_write(pbp, buf, (1LL << 32) + 5), EINVAL);
}

/* Row 27: never-written blocks; set_zero on a fresh pool writes nothing. */
static void
test_fresh(const char *path, PMEMblkpool *pbp)
{
	long long n = (long long)pmemblk_nblock(pbp);
	memset(buf, 0xEE, BSIZE);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 0), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	memset(buf, 0xEE, BSIZE);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, n - 1), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	UT_ASSERT_EQ(pmemblk_set_zero(pbp, 5), 0);
	uint8_t info[4096];
	ut_file_read_at(path, UT_NS_OFF, info, sizeof(info));
	UT_ASSERT(ut_is_zero(info, sizeof(info)));	/* still no layout */
}

/* Row 28. */
static void
test_error_sequence(PMEMblkpool *pbp)
{
	ut_fill(data, BSIZE, 28, 5);
	UT_ASSERT_EQ(pmemblk_write(pbp, data, 5), 0);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 5), 0);
	UT_ASSERT(memcmp(buf, data, BSIZE) == 0);
	UT_ASSERT_EQ(pmemblk_set_error(pbp, 5), 0);
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, 5), EIO);
	UT_ASSERT_MSG("EIO due to map entry error flag");
	UT_ASSERT_EQ(pmemblk_set_error(pbp, 5), 0);
	ut_fill(data, BSIZE, 280, 5);
	UT_ASSERT_EQ(pmemblk_write(pbp, data, 5), 0);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 5), 0);
	UT_ASSERT(memcmp(buf, data, BSIZE) == 0);
}

/* Row 29. */
static void
test_zero_sequence(PMEMblkpool *pbp)
{
	UT_ASSERT_EQ(pmemblk_set_zero(pbp, 5), 0);
	memset(buf, 0xEE, BSIZE);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 5), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	UT_ASSERT_EQ(pmemblk_set_zero(pbp, 5), 0);

	UT_ASSERT_EQ(pmemblk_set_error(pbp, 6), 0);	/* never written */
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, 6), EIO);
	UT_ASSERT_EQ(pmemblk_set_zero(pbp, 6), 0);
	memset(buf, 0xEE, BSIZE);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 6), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));

	/* a zeroed block written again holds the new data */
	ut_fill(data, BSIZE, 29, 5);
	UT_ASSERT_EQ(pmemblk_write(pbp, data, 5), 0);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 5), 0);
	UT_ASSERT(memcmp(buf, data, BSIZE) == 0);
}

/* Row 30 and durability: every state survives close and reopen. */
static void
test_reopen(const char *path)
{
	PMEMblkpool *pbp = pmemblk_open(path, BSIZE);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_set_error(pbp, 7), 0);
	UT_ASSERT_EQ(pmemblk_set_zero(pbp, 6), 0);
	long long last = (long long)pmemblk_nblock(pbp) - 1;
	ut_fill(data, BSIZE, 30, (uint64_t)last);
	UT_ASSERT_EQ(pmemblk_write(pbp, data, last), 0);
	pmemblk_close(pbp);

	pbp = pmemblk_open(path, BSIZE);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, 7), EIO);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 6), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 5), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 29, 5));
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, last), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 30, (uint64_t)last));
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 1);
}

/* Rewrites (each frees a block the next write reuses), then all checked. */
static void
test_many_writes(const char *path)
{
	PMEMblkpool *pbp = pmemblk_open(path, BSIZE);
	UT_ASSERT(pbp != NULL);
	for (unsigned round = 0; round < 3; round++)
		for (long long b = 100; b < 150; b++) {
			ut_fill(data, BSIZE, 1000 + round, (uint64_t)b);
			UT_ASSERT_EQ(pmemblk_write(pbp, data, b), 0);
		}
	for (long long b = 100; b < 150; b++) {
		UT_ASSERT_EQ(pmemblk_read(pbp, buf, b), 0);
		UT_ASSERT(ut_is_filled(buf, BSIZE, 1002, (uint64_t)b));
	}
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 1);
}

int
main(void)
{
	test_bsize_one();
	const char *path = ut_path("pool");
	PMEMblkpool *pbp = pmemblk_create(path, BSIZE, MIN, 0600);
	UT_ASSERT(pbp != NULL);
	test_range(pbp);
	test_fresh(path, pbp);
	test_range(pbp);
	test_error_sequence(pbp);
	test_zero_sequence(pbp);
	test_range(pbp);
	pmemblk_close(pbp);
	test_reopen(path);
	test_many_writes(path);
	return 0;
}
