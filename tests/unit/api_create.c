/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_create.c -- pmemblk_create, rows 1-6, 8-17 of doc/api-notes.md §11: errno,
 * message, what is left on disk, nblock, permissions, poolsize 0 on an
 * existing file.
 */
#include <sys/stat.h>

#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

/* create must fail with err; no file may be left at a path it made. */
static void
expect_create_fails(const char *path, size_t bsize, size_t poolsize, int err,
	const char *msg)
{
	bool existed = ut_file_exists(path);
	errno = 0;
	PMEMblkpool *pbp = pmemblk_create(path, bsize, poolsize, 0600);
	if (pbp != NULL || errno != err)
		UT_FAIL("create(%s, %zu, %zu): %p errno %d (%s), expected %d",
			path, bsize, poolsize, (void *)pbp, errno,
			pmemblk_errormsg(), err);
	if (msg != NULL)
		UT_ASSERT_MSG(msg);
	UT_ASSERT_EQ(ut_file_exists(path), existed);
}

static void
expect_nblock(size_t bsize, size_t poolsize, size_t nblock)
{
	const char *path = ut_path("nblock-%zu-%zu", bsize, poolsize);
	PMEMblkpool *pbp = pmemblk_create(path, bsize, poolsize, 0600);
	if (pbp == NULL)
		UT_FAIL("create bsize %zu size %zu: %s", bsize, poolsize,
			pmemblk_errormsg());
	UT_ASSERT_EQ(pmemblk_bsize(pbp), bsize);
	if (pmemblk_nblock(pbp) != nblock)
		UT_FAIL("bsize %zu size %zu: nblock %zu, expected %zu", bsize,
			poolsize, pmemblk_nblock(pbp), nblock);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(ut_file_size(path), poolsize);
	unlink(path);
}

/* Row 1 and doc/format.md §14: a new pool holds only header and descriptor. */
static void
test_new_pool(void)
{
	const char *path = ut_path("row1");
	PMEMblkpool *pbp = pmemblk_create(path, 512, MIN, 0640);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_nblock(pbp), 32202);
	UT_ASSERT_EQ(pmemblk_bsize(pbp), 512);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(ut_file_size(path), MIN);
	UT_ASSERT_EQ(ut_file_mode(path), 0640);

	struct pool_hdr hdr;
	ut_hdr_load(path, &hdr);
	UT_ASSERT(memcmp(hdr.signature, "PMEMBLK\0", 8) == 0);
	UT_ASSERT_EQ(hdr.major, 1);
	UT_ASSERT_EQ(hdr.compat, 1);
	UT_ASSERT_EQ(hdr.incompat, 6);
	UT_ASSERT_EQ(hdr.ro_compat, 0);
	UT_ASSERT(ut_is_zero(&hdr.sds, sizeof(hdr.sds)));
	uint32_t desc[2];
	ut_file_read_at(path, UT_DESC_OFF, desc, sizeof(desc));
	UT_ASSERT_EQ(desc[0], 512);
	UT_ASSERT_EQ(desc[1], 1);	/* is_zeroed: a new file */

	static uint8_t page[1 << 16];
	for (size_t off = UT_NS_OFF; off < MIN; off += sizeof(page)) {
		size_t n = MIN - off < sizeof(page) ? MIN - off : sizeof(page);
		ut_file_read_at(path, off, page, n);
		UT_ASSERT(ut_is_zero(page, n));
	}
}

static void
test_bad_arguments(void)
{
	const char *path = ut_path("args");
	/* rows 5 and 6 */
	expect_create_fails(path, 0, MIN, EINVAL, "Invalid block size 0");
	expect_create_fails(path, (size_t)1 << 32, MIN, EINVAL,
		"Invalid block size 4294967296");
	expect_create_fails(path, UINT32_MAX, MIN, EINVAL,
		"pool initialization failed");
	expect_create_fails(path, 1 << 20, MIN, EINVAL,
		"pool initialization failed");
	expect_create_fails(path, 33000, MIN, EINVAL,
		"pool initialization failed");
	/* row 3 */
	expect_create_fails(path, 512, MIN - 1, EINVAL, "smaller than");
	expect_create_fails(path, 512, 16 << 20, EINVAL, "smaller than");
	/* row 16 */
	expect_create_fails(path, 512, (size_t)1 << 62, EFBIG, NULL);
	expect_create_fails(path, 512, SIZE_MAX, EFBIG, NULL);
	/* row 15 */
	expect_create_fails(ut_path("no/such/dir/pool"), 512, MIN, ENOENT,
		NULL);
	const char *dir = ut_path("a-dir");
	UT_ASSERT_EQ(mkdir(dir, 0700), 0);
	expect_create_fails(dir, 512, MIN, EEXIST, "already exists");
	expect_create_fails(dir, 512, 0, EINVAL, NULL);
	/* row 17 */
	expect_create_fails("/dev/zero", 512, 0, EINVAL, NULL);
	expect_create_fails("/dev/zero", 512, MIN, EEXIST, NULL);
	/* row 4, and an empty path */
	expect_create_fails(ut_path("missing"), 512, 0, ENOENT,
		"No such file or directory");
	expect_create_fails("", 512, 0, ENOENT, NULL);
}

/* Row 2. */
static void
test_existing(void)
{
	const char *pool = ut_path("row2-pool");
	ut_pool_make(pool, 512, MIN, 1);
	struct ut_snapshot snap;
	ut_snapshot_take(pool, &snap);
	expect_create_fails(pool, 512, MIN, EEXIST, "already exists");
	expect_create_fails(pool, 512, 0, EEXIST, "Non-empty file detected");
	ut_snapshot_assert_same(pool, &snap);

	const char *zeroed = ut_path("row2-zeroed");
	ut_file_make(zeroed, MIN, 0644);
	expect_create_fails(zeroed, 512, MIN, EEXIST, "already exists");
	UT_ASSERT_EQ(ut_file_size(zeroed), MIN);
}

/* Rows 8 and 9. */
static void
test_nblock(void)
{
	expect_nblock(513, MIN, 21439);
	expect_nblock(1000, MIN, 16036);
	expect_nblock(4096, MIN, 3829);
	expect_nblock(32500, MIN, 259);
	expect_nblock(512, MIN + 1, 32202);
	expect_nblock(512, MIN + 4096, 32210);
	expect_nblock(512, 64 * UT_MiB, 129728);
	expect_nblock(4096, 64 * UT_MiB + 5000, 16104);
	expect_nblock(512, 1024 * UT_MiB, 2080567);
}

/* Rows 10-13: poolsize 0 on an existing file. */
static void
test_poolsize_zero(void)
{
	/* row 10 */
	const char *empty = ut_path("row10-empty");
	ut_file_make(empty, 0, 0644);
	expect_create_fails(empty, 512, 0, EINVAL, "smaller than");
	const char *small = ut_path("row10-small");
	ut_file_make(small, MIN - 4096, 0644);
	expect_create_fails(small, 512, 0, EINVAL, "smaller than");

	/* row 11: the file keeps its mode; is_zeroed is 0 */
	const char *zeroed = ut_path("row11");
	ut_file_make(zeroed, MIN, 0644);
	PMEMblkpool *pbp = pmemblk_create(zeroed, 512, 0, 0600);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_nblock(pbp), 32202);
	uint8_t buf[512];
	ut_fill(buf, sizeof(buf), 3, 7);
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 7), 0);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(ut_file_mode(zeroed), 0644);
	UT_ASSERT_EQ(ut_file_size(zeroed), MIN);
	uint32_t desc[2];
	ut_file_read_at(zeroed, UT_DESC_OFF, desc, sizeof(desc));
	UT_ASSERT_EQ(desc[0], 512);
	UT_ASSERT_EQ(desc[1], 0);
	UT_ASSERT_EQ(pmemblk_check(zeroed, 512), 1);

	/* row 12: only the first 4 KiB must be zero */
	const char *dirty = ut_path("row12-byte100");
	ut_file_make(dirty, MIN, 0644);
	ut_file_write_at(dirty, 100, "x", 1);
	expect_create_fails(dirty, 512, 0, EEXIST, "Non-empty file detected");
	const char *later = ut_path("row12-byte8192");
	ut_file_make(later, MIN, 0644);
	ut_file_write_at(later, 8192, "x", 1);
	pbp = pmemblk_create(later, 512, 0, 0600);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);

	/*
	 * Row 13: bsize too large for the file. The file is kept; its header
	 * is still zero because the library writes it last (doc/design.md §5),
	 * so a retry with a good bsize succeeds where PMDK says EEXIST.
	 */
	const char *retry = ut_path("row13");
	ut_file_make(retry, MIN, 0644);
	expect_create_fails(retry, 1 << 20, 0, EINVAL,
		"pool initialization failed");
	UT_ASSERT_EQ(ut_file_size(retry), MIN);
	struct pool_hdr hdr;
	ut_hdr_load(retry, &hdr);
	UT_ASSERT(ut_is_zero(&hdr, sizeof(hdr)));
	errno = 0;
	UT_ASSERT(pmemblk_open(retry, 0) == NULL);
	UT_ASSERT_EQ(errno, EINVAL);
	pbp = pmemblk_create(retry, 512, 0, 0600);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_bsize(pbp), 512);
	pmemblk_close(pbp);
	pbp = pmemblk_open(retry, 512);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
}

/* Row 14: mode is applied exactly, umask ignored. */
static void
test_mode(void)
{
	mode_t old = umask(077);
	const char *path = ut_path("row14");
	PMEMblkpool *pbp = pmemblk_create(path, 512, MIN, 0666);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(ut_file_mode(path), 0666);

	path = ut_path("row14-0");
	pbp = pmemblk_create(path, 512, MIN, 0);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(ut_file_mode(path), 0);
	umask(old);
}

/*
 * A pool set whose part sizes add up past 2^64 bytes: refused with EINVAL
 * before any part file is made (the sum used to wrap around).
 */
static void
test_set_size_overflow(void)
{
	const char *set = ut_path("overflow.set");
	char text[1024];
	int n = snprintf(text, sizeof(text), "PMEMPOOLSET\n");
	for (int k = 0; k < 5; k++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			"4611686018427387904 %s\n", ut_path("overflow.part%d", k));
	ut_file_make(set, 0, 0600);
	ut_file_write_at(set, 0, text, (size_t)n);
	errno = 0;
	UT_ASSERT(pmemblk_create(set, 512, 0, 0600) == NULL);
	UT_ASSERT_EQ(errno, EINVAL);
	UT_ASSERT_MSG("overflow");
	for (int k = 0; k < 5; k++)
		UT_ASSERT(!ut_file_exists(ut_path("overflow.part%d", k)));
	errno = 0;
	UT_ASSERT(pmemblk_open(set, 512) == NULL);
	UT_ASSERT_EQ(errno, EINVAL);
	UT_ASSERT_MSG("overflow");
	unlink(set);
}

int
main(void)
{
	test_new_pool();
	test_bad_arguments();
	test_existing();
	test_nblock();
	test_poolsize_zero();
	test_mode();
	test_set_size_overflow();
	return 0;
}
