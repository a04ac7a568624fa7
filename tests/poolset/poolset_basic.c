/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset_basic.c -- pool sets that work (doc/format.md §12, doc/api-notes.md §4.1.1):
 *
 * - nblock of sets of two and three parts, with and without SINGLEHDR,
 *   equals what PMDK 1.12.1 gives (values observed with libpmemblk1);
 * - the part headers: one poolset uuid, own uuids, circular links, replica
 *   links to part 0, SINGLEHDR only in part 0; modes and is_zeroed;
 * - create, write, reopen, check; and the layout itself: the parts
 *   concatenated as doc/format.md §12.2 says (part 0 from offset 0, the others
 *   from 4096, or from 0 with SINGLEHDR) form a valid single-file pool
 *   holding the same blocks;
 * - every part stays locked while the set is open.
 */
#include <sys/file.h>
#include <fcntl.h>

#include "poolset_helpers.h"

#define MiB ((size_t)1 << 20)

struct geometry {
	const char *label;
	bool singlehdr;
	size_t bsize;
	unsigned nparts;
	size_t sizes[3];
	size_t nblock;		/* PMDK 1.12.1, observed */
};

static const struct geometry geometries[] = {
	{"2x16M (doc/api-notes.md §11 row 48)", false, 512, 2, {16 * MiB, 16 * MiB}, 64692},
	{"2x32M (doc/format.md §12.2)", false, 512, 2, {32 * MiB, 32 * MiB}, 129720},
	{"2x32M SINGLEHDR (12.2)", true, 512, 2, {32 * MiB, 32 * MiB}, 129728},
	{"3x16M", false, 512, 3, {16 * MiB, 16 * MiB, 16 * MiB}, 97198},
	{"3x16M SINGLEHDR", true, 512, 3, {16 * MiB, 16 * MiB, 16 * MiB},
		97214},
	{"16M+17M+2M bsize 4096", false, 4096, 3,
		{16 * MiB, 17 * MiB, 2 * MiB}, 8684},
	{"2M+16M", false, 512, 2, {2 * MiB, 16 * MiB}, 36242},
	{"2x(16M+1)", false, 512, 2, {16 * MiB + 1, 16 * MiB + 1}, 64692},
	{"2x16M bsize 4096", false, 4096, 2, {16 * MiB, 16 * MiB}, 7918},
	{"8M+8M+8200K", false, 512, 3, {8 * MiB, 8 * MiB, 8200 * 1024},
		48443},
	{"2x17MB", false, 512, 2, {17000000, 17000000}, 65549},
};

#define NGEO (sizeof(geometries) / sizeof(geometries[0]))

static void
remove_parts(unsigned nparts, char parts[][PS_PATH_MAX])
{
	for (unsigned k = 0; k < nparts; k++)
		unlink(parts[k]);
}

static void
test_nblock(void)
{
	for (size_t i = 0; i < NGEO; i++) {
		const struct geometry *g = &geometries[i];
		const char *set = ps_path("nblock.set");
		char parts[3][PS_PATH_MAX];
		ps_set_write(set, g->singlehdr, g->nparts, g->sizes, "nb", parts);

		PMEMblkpool *pbp = pmemblk_create(set, g->bsize, 0, 0600);
		if (pbp == NULL)
			UT_FAIL("%s: create: %s", g->label, pmemblk_errormsg());
		if (pmemblk_nblock(pbp) != g->nblock)
			UT_FAIL("%s: nblock %zu, PMDK gives %zu", g->label,
				pmemblk_nblock(pbp), g->nblock);
		pmemblk_close(pbp);
		for (unsigned k = 0; k < g->nparts; k++)
			UT_ASSERT_EQ(ut_file_size(parts[k]), g->sizes[k]);

		pbp = pmemblk_open(set, g->bsize);
		UT_ASSERT(pbp != NULL);
		UT_ASSERT_EQ(pmemblk_nblock(pbp), g->nblock);
		pmemblk_close(pbp);
		UT_ASSERT_EQ(pmemblk_check(set, 0), 1);
		printf("%-24s nblock %zu\n", g->label, g->nblock);
		remove_parts(g->nparts, parts);
	}
}

static bool
uuid_eq(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, POOL_UUID_LEN) == 0;
}

/* The headers of a fresh 3-part set, and what create does to the files. */
static void
test_headers(void)
{
	const char *set = ps_path("hdr.set");
	char parts[3][PS_PATH_MAX];
	size_t sizes[3] = {16 * MiB, 16 * MiB, 16 * MiB};
	ps_set_write(set, false, 3, sizes, "hdr", parts);
	PMEMblkpool *pbp = pmemblk_create(set, 512, 0, 0640);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);

	struct pool_hdr h[3];
	for (unsigned k = 0; k < 3; k++) {
		ut_hdr_load(parts[k], &h[k]);
		UT_ASSERT(memcmp(h[k].signature, "PMEMBLK\0", 8) == 0);
		UT_ASSERT_EQ(h[k].major, 1);
		UT_ASSERT_EQ(h[k].compat, POOL_FEAT_CHECK_BAD_BLOCKS);
		UT_ASSERT_EQ(h[k].incompat, POOL_FEAT_CKSUM_2K | POOL_FEAT_SDS);
		UT_ASSERT_EQ(h[k].ro_compat, 0);
		UT_ASSERT(uuid_eq(h[k].poolset_uuid, h[0].poolset_uuid));
		UT_ASSERT_EQ(h[k].crtime, h[0].crtime);
		UT_ASSERT(!pool_hdr_sds_dirty(&h[k]));
		bool ro;
		UT_ASSERT_EQ(pool_hdr_check(&h[k], "PMEMBLK\0", parts[k], &ro), 0);
		UT_ASSERT_EQ(ut_file_mode(parts[k]), 0640);
	}
	for (unsigned k = 0; k < 3; k++) {
		UT_ASSERT(!uuid_eq(h[k].uuid, h[(k + 1) % 3].uuid));
		UT_ASSERT(uuid_eq(h[k].next_part_uuid, h[(k + 1) % 3].uuid));
		UT_ASSERT(uuid_eq(h[k].prev_part_uuid, h[(k + 2) % 3].uuid));
		UT_ASSERT(uuid_eq(h[k].prev_repl_uuid, h[0].uuid));
		UT_ASSERT(uuid_eq(h[k].next_repl_uuid, h[0].uuid));
	}
	/* the descriptor is in part 0; every part was new: is_zeroed */
	uint32_t desc[2];
	ut_file_read_at(parts[0], UT_DESC_OFF, desc, sizeof(desc));
	UT_ASSERT_EQ(desc[0], 512);
	UT_ASSERT_EQ(desc[1], 1);
	remove_parts(3, parts);

	/* SINGLEHDR: one header, incompat 0x7, its links point to itself */
	ps_set_write(set, true, 3, sizes, "hdr", parts);
	pbp = pmemblk_create(set, 512, 0, 0600);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	ut_hdr_load(parts[0], &h[0]);
	UT_ASSERT_EQ(h[0].incompat, POOL_FEAT_SINGLEHDR | POOL_FEAT_CKSUM_2K |
		POOL_FEAT_SDS);
	UT_ASSERT(uuid_eq(h[0].next_part_uuid, h[0].uuid));
	UT_ASSERT(uuid_eq(h[0].prev_part_uuid, h[0].uuid));
	for (unsigned k = 1; k < 3; k++) {
		uint8_t head[POOL_HDR_SIZE];
		ut_file_read_at(parts[k], 0, head, sizeof(head));
		UT_ASSERT(ut_is_zero(head, sizeof(head)));
	}
	remove_parts(3, parts);

	/*
	 * Existing zeroed parts are used as they are (mode kept), missing
	 * ones created with the mode; not all new: is_zeroed 0.
	 */
	ps_set_write(set, false, 3, sizes, "hdr", parts);
	ut_file_make(parts[1], sizes[1], 0644);
	pbp = pmemblk_create(set, 512, 0, 0600);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(ut_file_mode(parts[0]), 0600);
	UT_ASSERT_EQ(ut_file_mode(parts[1]), 0644);
	UT_ASSERT_EQ(ut_file_mode(parts[2]), 0600);
	ut_file_read_at(parts[0], UT_DESC_OFF, desc, sizeof(desc));
	UT_ASSERT_EQ(desc[1], 0);
	UT_ASSERT_EQ(pmemblk_check(set, 512), 1);
	remove_parts(3, parts);
}

/* Blocks 0, nblock-1 and every 61st: a few hundred, across all parts. */
static bool
probed(long long b, long long nblock)
{
	return b == 0 || b == nblock - 1 || b % 61 == 7;
}

static void
write_blocks(const char *set, uint64_t seed)
{
	PMEMblkpool *pbp = pmemblk_open(set, 0);
	UT_ASSERT(pbp != NULL);
	size_t bsize = pmemblk_bsize(pbp);
	long long nblock = (long long)pmemblk_nblock(pbp);
	uint8_t *buf = malloc(bsize);
	UT_ASSERT(buf != NULL);
	for (long long b = 0; b < nblock; b++) {
		if (!probed(b, nblock))
			continue;
		ut_fill(buf, bsize, seed, (uint64_t)b);
		UT_ASSERT_EQ(pmemblk_write(pbp, buf, b), 0);
	}
	free(buf);
	pmemblk_close(pbp);
}

/* Every probed block holds seed's data, every other block zeros. */
static void
verify_blocks(const char *pool, uint64_t seed, size_t nblock_expected)
{
	PMEMblkpool *pbp = pmemblk_open(pool, 0);
	if (pbp == NULL)
		UT_FAIL("open %s: %s", pool, pmemblk_errormsg());
	size_t bsize = pmemblk_bsize(pbp);
	long long nblock = (long long)pmemblk_nblock(pbp);
	UT_ASSERT_EQ(nblock, nblock_expected);
	uint8_t *buf = malloc(bsize);
	UT_ASSERT(buf != NULL);
	for (long long b = 0; b < nblock; b++) {
		UT_ASSERT_EQ(pmemblk_read(pbp, buf, b), 0);
		if (probed(b, nblock) ?
				!ut_is_filled(buf, bsize, seed, (uint64_t)b) :
				!ut_is_zero(buf, bsize))
			UT_FAIL("%s: block %lld wrong", pool, b);
	}
	free(buf);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(pool, 0), 1);
}

/*
 * Builds the single-file pool doc/format.md §12.2 says the set is: part 0
 * from offset 0, then each other part from 4096 (0 with SINGLEHDR), each
 * up to its size rounded down to 4096. With its header made a single
 * file's (links to itself, no SINGLEHDR) it must open as the same pool.
 */
static void
concatenate(const struct geometry *g, char parts[][PS_PATH_MAX],
	const char *image)
{
	ut_file_make(image, 0, 0600);
	uint64_t at = 0;
	for (unsigned k = 0; k < g->nparts; k++) {
		size_t from = k > 0 && !g->singlehdr ? POOL_HDR_SIZE : 0;
		size_t len = (g->sizes[k] & ~(size_t)4095) - from;
		uint8_t *buf = malloc(len);
		UT_ASSERT(buf != NULL);
		ut_file_read_at(parts[k], from, buf, len);
		ut_file_write_at(image, at, buf, len);
		free(buf);
		at += len;
	}
	struct pool_hdr h;
	ut_hdr_load(image, &h);
	h.incompat &= ~POOL_FEAT_SINGLEHDR;
	memcpy(h.prev_part_uuid, h.uuid, POOL_UUID_LEN);
	memcpy(h.next_part_uuid, h.uuid, POOL_UUID_LEN);
	memcpy(h.prev_repl_uuid, h.uuid, POOL_UUID_LEN);
	memcpy(h.next_repl_uuid, h.uuid, POOL_UUID_LEN);
	ut_hdr_store(image, &h, true);
}

static void
test_write_reopen(void)
{
	/* two parts, three parts, SINGLEHDR */
	static const size_t which[] = {0, 3, 2, 4};
	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		const struct geometry *g = &geometries[which[i]];
		const char *set = ps_path("rw.set");
		char parts[3][PS_PATH_MAX];
		ps_set_write(set, g->singlehdr, g->nparts, g->sizes, "rw", parts);
		PMEMblkpool *pbp = pmemblk_create(set, g->bsize, 0, 0600);
		UT_ASSERT(pbp != NULL);
		pmemblk_close(pbp);

		write_blocks(set, 1);
		verify_blocks(set, 1, g->nblock);
		write_blocks(set, 2);	/* overwrite: every block moves */
		verify_blocks(set, 2, g->nblock);

		const char *image = ps_path("rw.image");
		concatenate(g, parts, image);
		verify_blocks(image, 2, g->nblock);
		printf("%-24s written, reopened, checked; as one file: same\n",
			g->label);
		unlink(image);
		remove_parts(g->nparts, parts);
	}
}

static void
test_locks(void)
{
	const char *set = ps_path("lock.set");
	char parts[3][PS_PATH_MAX];
	size_t sizes[3] = {16 * MiB, 16 * MiB, 16 * MiB};
	ps_set_write(set, false, 3, sizes, "lock", parts);
	PMEMblkpool *pbp = pmemblk_create(set, 512, 0, 0600);
	UT_ASSERT(pbp != NULL);

	UT_ASSERT(pmemblk_open(set, 0) == NULL);
	UT_ASSERT_EQ(errno, EAGAIN);
	UT_ASSERT_ERR(pmemblk_check(set, 0), EAGAIN);
	for (unsigned k = 0; k < 3; k++) {
		int fd = open(parts[k], O_RDWR);
		UT_ASSERT(fd >= 0);
		UT_ASSERT_ERR(flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK);
		close(fd);
		UT_ASSERT(pmemblk_open(parts[k], 0) == NULL);
		UT_ASSERT_EQ(errno, EAGAIN);
	}
	pmemblk_close(pbp);

	/* closed: the locks are gone */
	for (unsigned k = 0; k < 3; k++) {
		int fd = open(parts[k], O_RDWR);
		UT_ASSERT(fd >= 0);
		UT_ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
		close(fd);
	}
	pbp = pmemblk_open(set, 0);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	remove_parts(3, parts);
}

int
main(void)
{
	test_nblock();
	test_headers();
	test_write_reopen();
	test_locks();
	return 0;
}
