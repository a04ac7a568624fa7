/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * open_cow_rdonly.c -- the two opens that never change a pool file
 * (doc/api-notes.md §4.2, §11 rows 24 and 44; doc/format.md §13):
 *
 * - copy_on_write.at_open: the pool is mapped privately; writes succeed
 *   and are read back until close, then are gone; the lock is still taken.
 *   On a single file, on a pool set, and on a pool without a BTT layout
 *   (whose first write lays it out, privately).
 * - an unknown ro_compat bit (set in a copy of a pool, checksum fixed):
 *   the pool opens read-only; reads work, writes, set_zero and set_error
 *   fail with EROFS. For a pool set the bit must be in every part's
 *   header; in one part only, the parts disagree (EINVAL).
 * In every case the files are byte for byte what they were.
 */
#include "poolset_helpers.h"

#define MiB ((size_t)1 << 20)
#define BSIZE 512

static void
cow(int on)
{
	UT_ASSERT_EQ(pmemblk_ctl_set(NULL, "copy_on_write.at_open", &on), 0);
}

static void
write_seed(PMEMblkpool *pbp, uint64_t seed, long long first, long long n)
{
	char buf[BSIZE];
	for (long long b = first; b < first + n; b++) {
		ut_fill(buf, sizeof(buf), seed, (uint64_t)b);
		UT_ASSERT_EQ(pmemblk_write(pbp, buf, b), 0);
	}
}

/* seed 0: the blocks read as zeros */
static void
expect_seed(PMEMblkpool *pbp, uint64_t seed, long long first, long long n)
{
	char buf[BSIZE];
	for (long long b = first; b < first + n; b++) {
		UT_ASSERT_EQ(pmemblk_read(pbp, buf, b), 0);
		bool ok = seed == 0 ? ut_is_zero(buf, sizeof(buf)) :
			ut_is_filled(buf, sizeof(buf), seed, (uint64_t)b);
		if (!ok)
			UT_FAIL("block %lld: not seed %llu", b,
				(unsigned long long)seed);
	}
}

struct files {
	unsigned n;
	const char *paths[3];
	struct ut_snapshot snap[3];
};

/* The files named, with a snapshot of each taken now. */
static void
files_snap(struct files *f)
{
	for (unsigned k = 0; k < f->n; k++)
		ut_snapshot_take(f->paths[k], &f->snap[k]);
}

static void
files_same(const struct files *f)
{
	for (unsigned k = 0; k < f->n; k++)
		ut_snapshot_assert_same(f->paths[k], &f->snap[k]);
}

/*
 * Row 44 on `pool` (whose files are f): blocks 0..9 hold seed 1 (or
 * zeros with seed 0); a copy-on-write session overwrites them and zeroes
 * and errors more, then everything is as before.
 */
static void
cow_session(const char *pool, const struct files *f, uint64_t seed)
{
	cow(1);
	PMEMblkpool *pbp = pmemblk_open(pool, 0);
	UT_ASSERT(pbp != NULL);
	write_seed(pbp, 2, 0, 10);
	expect_seed(pbp, 2, 0, 10);
	UT_ASSERT_EQ(pmemblk_set_zero(pbp, 3), 0);
	UT_ASSERT_EQ(pmemblk_set_error(pbp, 4), 0);
	UT_ASSERT_ERR(pmemblk_read(pbp, (char[BSIZE]){0}, 4), EIO);
	/* the lock is taken as for any open */
	UT_ASSERT(pmemblk_open(pool, 0) == NULL);
	UT_ASSERT_EQ(errno, EAGAIN);
	UT_ASSERT_ERR(pmemblk_check(pool, 0), EAGAIN);
	pmemblk_close(pbp);
	files_same(f);

	cow(0);
	pbp = pmemblk_open(pool, 0);
	UT_ASSERT(pbp != NULL);
	expect_seed(pbp, seed, 0, 10);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(pool, 0), 1);
}

static void
test_cow_file(void)
{
	const char *path = ps_path("cow");
	ut_pool_make(path, BSIZE, PMEMBLK_MIN_POOL, 0);
	struct files f = {.n = 1, .paths = {path}};
	files_snap(&f);
	/* no layout yet: the session's first write lays it out privately */
	cow_session(path, &f, 0);
	struct btt_info info;
	ut_info_load(path, UT_NS_OFF, &info);
	UT_ASSERT(ut_is_zero(&info, sizeof(info)));

	PMEMblkpool *pbp = pmemblk_open(path, 0);
	UT_ASSERT(pbp != NULL);
	write_seed(pbp, 1, 0, 10);
	pmemblk_close(pbp);
	files_snap(&f);
	cow_session(path, &f, 1);
	printf("copy_on_write.at_open: single file unchanged (with and "
		"without a BTT layout)\n");
}

static void
test_cow_set(void)
{
	const char *set = ps_path("cow.set");
	char parts[3][PS_PATH_MAX];
	size_t sizes[3] = {16 * MiB, 16 * MiB, 16 * MiB};
	ps_set_write(set, false, 3, sizes, "cowp", parts);
	PMEMblkpool *pbp = pmemblk_create(set, BSIZE, 0, 0600);
	UT_ASSERT(pbp != NULL);
	write_seed(pbp, 1, 0, 10);
	pmemblk_close(pbp);
	struct files f = {.n = 3, .paths = {parts[0], parts[1], parts[2]}};
	files_snap(&f);
	cow_session(set, &f, 1);
	printf("copy_on_write.at_open: pool set unchanged\n");
}

static void
set_ro_compat(const char *path, uint32_t bit)
{
	struct pool_hdr h;
	ut_hdr_load(path, &h);
	h.ro_compat |= bit;
	ut_hdr_store(path, &h, true);
}

/* Row 24: opens, reads; every change fails with EROFS. */
static void
expect_read_only(const char *pool, const struct files *f)
{
	PMEMblkpool *pbp = pmemblk_open(pool, 0);
	if (pbp == NULL)
		UT_FAIL("open %s: %s", pool, pmemblk_errormsg());
	expect_seed(pbp, 1, 0, 10);
	char buf[BSIZE] = {0};
	UT_ASSERT_ERR(pmemblk_write(pbp, buf, 0), EROFS);
	UT_ASSERT_ERR(pmemblk_set_zero(pbp, 1), EROFS);
	UT_ASSERT_ERR(pmemblk_set_error(pbp, 2), EROFS);
	UT_ASSERT_ERR(pmemblk_write(pbp, buf, -1), EROFS);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(pool, 0), 1);
	files_same(f);
}

static void
test_read_only(void)
{
	/* a copy of a written pool, with an unknown ro_compat bit */
	const char *orig = ps_path("ro.orig"), *copy = ps_path("ro");
	ut_pool_make(orig, BSIZE, PMEMBLK_MIN_POOL, 0);
	PMEMblkpool *pbp = pmemblk_open(orig, 0);
	UT_ASSERT(pbp != NULL);
	write_seed(pbp, 1, 0, 10);
	pmemblk_close(pbp);
	ut_file_copy(orig, copy);
	set_ro_compat(copy, 0x8);
	struct files f = {.n = 1, .paths = {copy}};
	files_snap(&f);
	expect_read_only(copy, &f);
	printf("ro_compat 0x8: single file read-only, unchanged\n");

	/* a pool set: every part carries the bit */
	const char *set = ps_path("ro.set");
	char parts[2][PS_PATH_MAX];
	size_t sizes[2] = {16 * MiB, 16 * MiB};
	ps_set_write(set, false, 2, sizes, "rop", parts);
	pbp = pmemblk_create(set, BSIZE, 0, 0600);
	UT_ASSERT(pbp != NULL);
	write_seed(pbp, 1, 0, 10);
	pmemblk_close(pbp);
	set_ro_compat(parts[1], 0x10);
	UT_ASSERT(pmemblk_open(set, 0) == NULL);
	UT_ASSERT_EQ(errno, EINVAL);
	UT_ASSERT_MSG("features");
	set_ro_compat(parts[0], 0x10);
	struct files fs = {.n = 2, .paths = {parts[0], parts[1]}};
	files_snap(&fs);
	expect_read_only(set, &fs);
	printf("ro_compat 0x10: pool set read-only, unchanged; in one part "
		"only: EINVAL\n");
}

int
main(void)
{
	test_cow_file();
	test_cow_set();
	test_read_only();
	return 0;
}
