/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_files.c -- things that are not pool files at all (issue 6 item
 * 3, doc/design.md §5): zero-length and tiny files, a directory, a FIFO, a
 * character device, symlinks to them, garbage of pool size, and a pool
 * set file with a replica (EOPNOTSUPP). Open, check and create with
 * poolsize 0 refuse each; no regular file is changed.
 */
#include <sys/stat.h>

#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

static void
expect_create0_refused(const char *path, int err)
{
	struct ut_snapshot snap = {0, 0};
	bool regular = ut_file_is_regular(path);
	if (regular)
		ut_snapshot_take(path, &snap);
	errno = 0;
	PMEMblkpool *pbp = pmemblk_create(path, 512, 0, 0600);
	if (pbp != NULL || errno != err)
		UT_FAIL("create(%s, 512, 0): %p errno %d (%s), expected %d",
			path, (void *)pbp, errno, pmemblk_errormsg(), err);
	UT_ASSERT(ut_file_exists(path));
	if (regular)
		ut_snapshot_assert_same(path, &snap);
}

static void
test_sizes(void)
{
	static const size_t sizes[] = {0, 1, 100, 4095, 4096, 8192,
		PMEMBLK_MIN_PART - 1};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const char *path = ut_path("size-%zu", sizes[i]);
		ut_file_make(path, sizes[i], 0600);
		UT_EXPECT_REFUSED(path, EINVAL, "smaller than");
		expect_create0_refused(path, EINVAL);
	}
	/* big enough, all zero: no header */
	const char *zero = ut_path("zero-min-part");
	ut_file_make(zero, PMEMBLK_MIN_PART, 0600);
	UT_EXPECT_REFUSED(zero, EINVAL, "invalid major version (0)");
}

static void
test_kinds(void)
{
	const char *dir = ut_path("dir");
	UT_ASSERT_EQ(mkdir(dir, 0700), 0);
	UT_EXPECT_REFUSED(dir, EINVAL, NULL);
	expect_create0_refused(dir, EINVAL);

	const char *fifo = ut_path("fifo");
	UT_ASSERT_EQ(mkfifo(fifo, 0600), 0);
	UT_EXPECT_REFUSED(fifo, EINVAL, NULL);
	expect_create0_refused(fifo, EINVAL);

	UT_EXPECT_REFUSED("/dev/null", EINVAL, NULL);
	UT_EXPECT_REFUSED("/dev/zero", EINVAL, NULL);
	expect_create0_refused("/dev/null", EINVAL);

	const char *link_dir = ut_path("link-to-dir");
	UT_ASSERT_EQ(symlink(dir, link_dir), 0);
	UT_EXPECT_REFUSED(link_dir, EINVAL, NULL);
	const char *link_fifo = ut_path("link-to-fifo");
	UT_ASSERT_EQ(symlink(fifo, link_fifo), 0);
	UT_EXPECT_REFUSED(link_fifo, EINVAL, NULL);
	const char *dangling = ut_path("dangling");
	UT_ASSERT_EQ(symlink(ut_path("nothing-here"), dangling), 0);
	UT_EXPECT_REFUSED(dangling, ENOENT, NULL);
}

static void
fill_file(const char *path, uint8_t (*byte)(size_t i))
{
	enum { CHUNK = 1 << 16 };
	static uint8_t buf[CHUNK];
	ut_file_make(path, MIN, 0600);
	for (size_t off = 0; off < MIN; off += CHUNK) {
		size_t n = MIN - off < CHUNK ? MIN - off : CHUNK;
		for (size_t i = 0; i < n; i++)
			buf[i] = byte(off + i);
		ut_file_write_at(path, off, buf, n);
	}
}

static uint8_t ones(size_t i) { (void) i; return 0xFF; }
static uint8_t noise(size_t i) { return (uint8_t)((i * 2654435761u) >> 13); }

static void
test_garbage(void)
{
	const char *ff = ut_path("all-ff");
	fill_file(ff, ones);
	UT_EXPECT_REFUSED(ff, EINVAL, NULL);
	expect_create0_refused(ff, EEXIST);

	const char *junk = ut_path("noise");
	fill_file(junk, noise);
	UT_EXPECT_REFUSED(junk, EINVAL, NULL);

	/*
	 * A valid pool's header over garbage: no valid flog pair where the
	 * layout puts one, so the BTT was never laid out (doc/design.md §5):
	 * unformatted, as PMDK sees it, and nothing is written.
	 */
	const char *pool = ut_path("pool");
	ut_pool_make(pool, 512, MIN, 0);
	struct pool_hdr hdr;
	ut_hdr_load(pool, &hdr);
	uint32_t desc[2] = {512, 0};
	ut_file_write_at(junk, 0, &hdr, sizeof(hdr));
	ut_file_write_at(junk, UT_DESC_OFF, desc, sizeof(desc));
	UT_EXPECT_UNFORMATTED(junk);
	ut_file_write_at(ff, 0, &hdr, sizeof(hdr));
	ut_file_write_at(ff, UT_DESC_OFF, desc, sizeof(desc));
	UT_EXPECT_UNFORMATTED(ff);
}

static void
test_poolset(void)
{
	const char *set = ut_path("set");
	/* refused before any part is looked at (more: tests/poolset/) */
	static const char text[] = "PMEMPOOLSET\n32M /nonexistent/part0\n"
		"REPLICA\n32M /nonexistent/replica0\n";
	ut_file_make(set, 0, 0600);
	ut_file_write_at(set, 0, text, sizeof(text) - 1);
	UT_EXPECT_REFUSED(set, EOPNOTSUPP, "replication not supported");
	expect_create0_refused(set, EOPNOTSUPP);
}

int
main(void)
{
	test_sizes();
	test_kinds();
	test_garbage();
	test_poolset();
	return 0;
}
