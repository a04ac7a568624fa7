/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_open.c -- pmemblk_open, rows 18-24 of doc/api-notes.md §11: missing files,
 * wrong kinds of file, too small, bsize mismatch, header checks (each
 * patched with a correct checksum where the row says so), and the
 * read-only open of an unknown ro_compat bit (EROFS).
 */
#include <sys/stat.h>

#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

static char pool[256];

/* open must fail with err and leave the file as it was. */
static void
expect_open_fails(const char *path, size_t bsize, int err, const char *msg)
{
	struct ut_snapshot snap = {0, 0};
	bool regular = ut_file_is_regular(path);
	if (regular)
		ut_snapshot_take(path, &snap);
	errno = 0;
	PMEMblkpool *pbp = pmemblk_open(path, bsize);
	if (pbp != NULL || errno != err)
		UT_FAIL("open(%s, %zu): %p errno %d (%s), expected %d", path,
			bsize, (void *)pbp, errno, pmemblk_errormsg(), err);
	if (msg != NULL)
		UT_ASSERT_MSG(msg);
	if (regular)
		ut_snapshot_assert_same(path, &snap);
}

static void
test_file_kinds(void)
{
	/* row 18 */
	expect_open_fails(ut_path("missing"), 0, ENOENT,
		"No such file or directory");
	expect_open_fails("", 0, ENOENT, NULL);
	const char *dir = ut_path("dir");
	UT_ASSERT_EQ(mkdir(dir, 0700), 0);
	expect_open_fails(dir, 0, EINVAL, NULL);
	/* row 17 */
	expect_open_fails("/dev/zero", 0, EINVAL, NULL);
	/* row 19 */
	const char *zeroed = ut_path("zeroed");
	ut_file_make(zeroed, MIN, 0600);
	expect_open_fails(zeroed, 0, EINVAL, "invalid major version (0)");
	const char *page = ut_path("page");
	ut_file_make(page, 4096, 0600);
	expect_open_fails(page, 0, EINVAL, "smaller than 2097152");
	/* row 20: PMDK dies with SIGBUS on a 0-byte file; we refuse it */
	const char *empty = ut_path("empty");
	ut_file_make(empty, 0, 0600);
	expect_open_fails(empty, 0, EINVAL, NULL);
	const char *tiny = ut_path("tiny");
	ut_file_make(tiny, 100, 0600);
	expect_open_fails(tiny, 0, EINVAL, "size 100 smaller than 2097152");
}

/* Row 21. */
static void
test_bsize(void)
{
	expect_open_fails(pool, 1024, EINVAL,
		"wrong bsize (1024), pool created with bsize 512");
	PMEMblkpool *pbp = pmemblk_open(pool, 0);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_bsize(pbp), 512);
	UT_ASSERT_EQ(pmemblk_nblock(pbp), 32202);
	uint8_t buf[512];
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 3), 0);
	UT_ASSERT(ut_is_filled(buf, sizeof(buf), 1, 3));
	pmemblk_close(pbp);
	pbp = pmemblk_open(pool, 512);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
}

/* A copy of the pool with its header changed by `edit`. */
static const char *
patched(const char *name, void (*edit)(struct pool_hdr *), bool fix_csum)
{
	const char *path = ut_path("%s", name);
	ut_file_copy(pool, path);
	struct pool_hdr hdr;
	ut_hdr_load(path, &hdr);
	edit(&hdr);
	ut_hdr_store(path, &hdr, fix_csum);
	return path;
}

static void sig_pmemlog(struct pool_hdr *h) { memcpy(h->signature, "PMEMLOG", 8); }
static void sig_byte(struct pool_hdr *h) { h->signature[0] = 'X'; }
static void byte_100(struct pool_hdr *h) { ((uint8_t *)h)[100] ^= 0x10; }
static void major_2(struct pool_hdr *h) { h->major = 2; }
static void incompat_100(struct pool_hdr *h) { h->incompat |= 0x100; }
static void ro_compat_bit(struct pool_hdr *h) { h->ro_compat |= 0x8; }
static void arch_machine(struct pool_hdr *h) { h->arch.machine = 183; }
static void csum_only(struct pool_hdr *h) { h->checksum ^= 1; }

/* Rows 22 and 23. */
static void
test_header(void)
{
	expect_open_fails(patched("pmemlog", sig_pmemlog, true), 0, EINVAL,
		"wrong pool type: \"PMEMLOG\"");
	expect_open_fails(patched("xmemblk", sig_byte, false), 0, EINVAL,
		"wrong pool type: \"XMEMBLK\"");
	expect_open_fails(patched("byte100", byte_100, false), 0, EINVAL,
		"invalid checksum of pool header");
	expect_open_fails(patched("csum", csum_only, false), 0, EINVAL,
		"invalid checksum of pool header");
	expect_open_fails(patched("major2", major_2, true), 0, EINVAL,
		"pool version 2 (library expects 1)");
	expect_open_fails(patched("incompat", incompat_100, true), 0, EINVAL,
		"unknown incompat features: 0x100");
	expect_open_fails(patched("arch", arch_machine, true), 0, EINVAL,
		"architecture");
}

/* Row 24: an unknown ro_compat bit opens the pool read-only. */
static void
test_read_only(void)
{
	const char *path = patched("rocompat", ro_compat_bit, true);
	struct ut_snapshot snap;
	ut_snapshot_take(path, &snap);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	uint8_t buf[512];
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 2), 0);
	UT_ASSERT(ut_is_filled(buf, sizeof(buf), 1, 2));
	UT_ASSERT_ERR(pmemblk_write(pbp, buf, 2), EROFS);
	UT_ASSERT_MSG("EROFS");
	UT_ASSERT_ERR(pmemblk_set_zero(pbp, 2), EROFS);
	UT_ASSERT_ERR(pmemblk_set_error(pbp, 2), EROFS);
	/* read-only comes before the range checks */
	UT_ASSERT_ERR(pmemblk_write(pbp, buf, -1), EROFS);
	UT_ASSERT_ERR(pmemblk_set_zero(pbp, 1LL << 40), EROFS);
	/* reads still check the range */
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, -1), EINVAL);
	pmemblk_close(pbp);
	ut_snapshot_assert_same(path, &snap);
	UT_ASSERT_EQ(pmemblk_check(path, 512), 1);
}

/* The SDS is reset to zero at open (doc/design.md §5). */
static void sds_dirty(struct pool_hdr *h) { h->sds.dirty = 1; h->sds.usc = 5; }

static void
test_sds_reset(void)
{
	const char *path = patched("sds", sds_dirty, true);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	struct pool_hdr hdr;
	ut_hdr_load(path, &hdr);
	UT_ASSERT(ut_is_zero(&hdr.sds, sizeof(hdr.sds)));
}

/*
 * A read-only pool whose last write lost its map store: recovery completes
 * it in memory (the block reads the new data) and the file stays as it
 * was (doc/design.md §5, doc/format.md §9 and §13).
 */
static void
test_read_only_recovery(void)
{
	const char *path = patched("ro-recover", ro_compat_bit, true);
	struct ut_layout lay;
	ut_layout_load(path, &lay);
	struct btt_flog pair[2];
	uint32_t lane;
	for (lane = 0; lane < 256; lane++) {
		ut_flog_load(path, &lay, lane, pair);
		if (pair[1].seq != 0)
			break;
	}
	UT_ASSERT(lane < 256);
	const struct btt_flog *cur = &pair[ut_flog_current(pair)];
	UT_ASSERT(cur->old_map != cur->new_map);
	UT_ASSERT_EQ(ut_map_load(path, &lay, cur->lba), cur->new_map);
	ut_map_store(path, &lay, cur->lba, cur->old_map);	/* store lost */

	struct ut_snapshot snap;
	ut_snapshot_take(path, &snap);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	uint8_t buf[512];
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, cur->lba), 0);
	UT_ASSERT(ut_is_filled(buf, sizeof(buf), 1, cur->lba));
	pmemblk_close(pbp);
	ut_snapshot_assert_same(path, &snap);
	unlink(path);
}

/*
 * Without CKSUM_2K the header checksum covers the SDS: open must leave
 * such a header alone, so that it still opens afterwards (ours and any
 * other library). Checked for both flag settings.
 */
static void
test_sds_checksum_range(bool cksum_2k)
{
	const char *path = ut_path("sds-range-%d", cksum_2k);
	ut_file_copy(pool, path);
	struct pool_hdr hdr;
	ut_hdr_load(path, &hdr);
	if (!cksum_2k)
		hdr.incompat &= ~POOL_FEAT_CKSUM_2K;
	hdr.sds.usc = 5;
	hdr.sds.dirty = 1;
	ut_hdr_store(path, &hdr, true);
	for (int round = 0; round < 2; round++) {
		PMEMblkpool *pbp = pmemblk_open(path, 512);
		if (pbp == NULL)
			UT_FAIL("open %d of %s: %s", round, path,
				pmemblk_errormsg());
		pmemblk_close(pbp);
	}
	UT_ASSERT_EQ(pmemblk_check(path, 512), 1);
	struct pool_hdr after;
	ut_hdr_load(path, &after);
	if (cksum_2k) {
		UT_ASSERT(ut_is_zero(&after.sds, sizeof(after.sds)));
	} else {
		UT_ASSERT(memcmp(&after, &hdr, sizeof(hdr)) == 0);
	}
	unlink(path);
}

int
main(void)
{
	strcpy(pool, ut_path("pool"));
	ut_pool_make(pool, 512, MIN, 4);
	test_file_kinds();
	test_bsize();
	test_header();
	test_read_only();
	test_sds_reset();
	test_read_only_recovery();
	test_sds_checksum_range(true);
	test_sds_checksum_range(false);
	return 0;
}
