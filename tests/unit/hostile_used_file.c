/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_used_file.c -- pools on files that held other data (doc/design.md
 * §5, "unformatted or damaged"): create with poolsize 0 on a file whose
 * header is zero but whose BTT area holds old bytes, a pool set part like
 * it, a layout interrupted on such a file, and the cases that must stay
 * refused (header not zero; a pool with data whose two info blocks are
 * damaged, through the flog or through the map alone).
 */
#include <stdlib.h>
#include <string.h>

#include "unit_helpers.h"

#define BSIZE 4096
#define FILE_SIZE (20 * UT_MiB)

/* A file of `size` bytes: `zeros` zero bytes, then 0x5A up to the end. */
static void
make_used_file(const char *path, size_t size, size_t zeros)
{
	ut_file_make(path, size, 0600);
	size_t chunk = 1 << 20;
	uint8_t *buf = malloc(chunk);
	UT_ASSERT(buf != NULL);
	memset(buf, 0x5A, chunk);
	for (size_t off = zeros; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		ut_file_write_at(path, off, buf, n);
	}
	free(buf);
}

/* Writes, reopens and reads back blocks 0 and last, then checks. */
static void
expect_usable(const char *path, size_t nblock)
{
	PMEMblkpool *pbp = pmemblk_open(path, BSIZE);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_nblock(pbp), nblock);
	static uint8_t buf[BSIZE];
	long long blocks[] = {0, (long long)nblock - 1};
	for (int i = 0; i < 2; i++) {
		ut_fill(buf, BSIZE, 7, (uint64_t)blocks[i]);
		UT_ASSERT(pmemblk_write(pbp, buf, blocks[i]) == 0);
	}
	pmemblk_close(pbp);
	pbp = pmemblk_open(path, BSIZE);
	UT_ASSERT(pbp != NULL);
	for (int i = 0; i < 2; i++) {
		UT_ASSERT(pmemblk_read(pbp, buf, blocks[i]) == 0);
		UT_ASSERT(ut_is_filled(buf, BSIZE, 7, (uint64_t)blocks[i]));
	}
	UT_ASSERT(pmemblk_read(pbp, buf, 1) == 0 && ut_is_zero(buf, BSIZE));
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 1);
}

/* Create with poolsize 0 on a used file works as on a zeroed one. */
static void
test_create_on_used_file(size_t size, size_t zeros)
{
	const char *path = ut_path("used-%zu-%zu", size, zeros);
	make_used_file(path, size, zeros);
	PMEMblkpool *pbp = pmemblk_create(path, BSIZE, 0, 0600);
	if (pbp == NULL)
		UT_FAIL("create on %s: %s", path, pmemblk_errormsg());
	size_t nblock = pmemblk_nblock(pbp);
	pmemblk_close(pbp);
	UT_EXPECT_UNFORMATTED(path);
	expect_usable(path, nblock);
	unlink(path);
}

/* A header that is not zero still makes create refuse (as PMDK). */
static void
test_create_header_not_zero(void)
{
	const char *path = ut_path("used-hdr");
	make_used_file(path, FILE_SIZE, 0);
	struct ut_snapshot snap;
	ut_snapshot_take(path, &snap);
	errno = 0;
	UT_ASSERT(pmemblk_create(path, BSIZE, 0, 0600) == NULL);
	UT_ASSERT_EQ(errno, EEXIST);
	ut_snapshot_assert_same(path, &snap);
	unlink(path);
}

/* A pool set whose part file exists and holds old bytes past 8 KiB. */
static void
test_create_set_on_used_part(void)
{
	const char *part = ut_path("used-part0");
	make_used_file(part, FILE_SIZE, 8192);
	const char *set = ut_path("used.set");
	char text[512];
	int n = snprintf(text, sizeof(text), "PMEMPOOLSET\n20M %s\n", part);
	ut_file_make(set, 0, 0600);
	ut_file_write_at(set, 0, text, (size_t)n);
	PMEMblkpool *pbp = pmemblk_create(set, BSIZE, 0, 0600);
	if (pbp == NULL)
		UT_FAIL("create on %s: %s", set, pmemblk_errormsg());
	size_t nblock = pmemblk_nblock(pbp);
	pmemblk_close(pbp);
	UT_EXPECT_UNFORMATTED(set);
	expect_usable(set, nblock);
	unlink(set);
	unlink(part);
}

/* Overwrites both info blocks with the used file's bytes. */
static void
damage_both_infos(const char *path, const struct ut_layout *lay)
{
	static uint8_t junk[BTT_INFO_SIZE];
	memset(junk, 0x5A, sizeof(junk));
	ut_file_write_at(path, lay->arena, junk, sizeof(junk));
	ut_file_write_at(path, lay->backup, junk, sizeof(junk));
}

/*
 * Laid out but never written (a layout interrupted before its info
 * blocks, on a used file): every flog pair initial, map zero.
 */
static void
test_interrupted_layout(void)
{
	const char *path = ut_path("laid-out");
	make_used_file(path, FILE_SIZE, 8192);
	PMEMblkpool *pbp = pmemblk_create(path, BSIZE, 0, 0600);
	UT_ASSERT(pbp != NULL);
	size_t nblock = pmemblk_nblock(pbp);
	UT_ASSERT(pmemblk_set_error(pbp, 3) == 0);	/* lays the BTT out */
	pmemblk_close(pbp);
	struct ut_layout lay;
	ut_layout_load(path, &lay);
	ut_map_store(path, &lay, 3, 0);		/* as before the set_error */
	damage_both_infos(path, &lay);
	UT_EXPECT_UNFORMATTED(path);
	expect_usable(path, nblock);
	unlink(path);
}

/* Data written, then both info blocks damaged: refused, file unchanged. */
static void
test_damaged_with_data(void)
{
	const char *path = ut_path("damaged-flog");
	ut_pool_make(path, BSIZE, FILE_SIZE, 3);
	struct ut_layout lay;
	ut_layout_load(path, &lay);
	damage_both_infos(path, &lay);
	UT_EXPECT_REFUSED(path, EINVAL, "info blocks of arena 0 are damaged");
	unlink(path);

	/* only the map tells: every flog pair initial, one entry zeroed */
	path = ut_path("damaged-map");
	make_used_file(path, FILE_SIZE, 8192);
	PMEMblkpool *pbp = pmemblk_create(path, BSIZE, 0, 0600);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT(pmemblk_set_error(pbp, 0) == 0);	/* lays the BTT out */
	UT_ASSERT(pmemblk_set_zero(pbp, 5) == 0);
	pmemblk_close(pbp);
	ut_layout_load(path, &lay);
	ut_map_store(path, &lay, 0, 0);
	UT_ASSERT(ut_map_load(path, &lay, 5) != 0);
	damage_both_infos(path, &lay);
	UT_EXPECT_REFUSED(path, EINVAL, "info blocks of arena 0 are damaged");
	unlink(path);
}

int
main(void)
{
	test_create_on_used_file(FILE_SIZE, 8192);
	test_create_on_used_file(FILE_SIZE, 824 * 1024);
	test_create_on_used_file(64 * UT_MiB, 8192);
	test_create_header_not_zero();
	test_create_set_on_used_part();
	test_interrupted_layout();
	test_damaged_with_data();
	return 0;
}
