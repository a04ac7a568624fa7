/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * multiarena.c -- a pool of more than one BTT arena (doc/format.md §4.1, §14;
 * doc/design.md §6): 512 GiB + 64 MiB, 64 KiB blocks, on a sparse file.
 *
 * The file is truncated to size, fallocate.at_create is turned off (ctl),
 * and the pool is created with poolsize 0, so only what is written takes
 * space: the header, the BTT layout (a 32 MiB map for arena 0) and the
 * blocks written. Blocks near both ends of each arena are written, the
 * pool is reopened and checked, the info blocks are where doc/format.md §4.3 says,
 * `pmempool check` finds the pool consistent, and the file never holds more
 * than REAL_SPACE_MAX bytes of real storage.
 *
 * Also the nblock values of doc/api-notes.md §11 row 52 (512 GiB + 8 KiB, + 16 MiB,
 * + 16 MiB - 4 KiB, bsize 512), which only need a create.
 *
 * With --pmdk, PMDK's libpmemblk (blk_probe in a child process) reads and
 * writes the same pool both ways: a pool we made and PMDK wrote into, and
 * a pool PMDK made (PMEMBLK_CONF=fallocate.at_create=0) that we open.
 *
 * The file lives in the unit scratch directory under /tmp, which must be
 * a file system with sparse files; never on tmpfs, where a stray access to
 * the whole pool would take memory, not disk.
 */
#include "pattern.h"
#include "poolset_helpers.h"

#define MiB ((uint64_t)1 << 20)
#define ARENA_MAX ((uint64_t)1 << 39)
#define POOL_SIZE (ARENA_MAX + 64 * MiB)
#define BSIZE 65536u
#define REAL_SPACE_MAX (300 * MiB)
#define INFO_SIZE 4096u
#define NS_OFF 8192u

/* ---- doc/format.md §4.1-4.2, written out again independently ---- */

static uint64_t
roundup(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

static uint64_t
arena_nblock(uint64_t arena_size, uint32_t bsize)
{
	uint64_t lbasize = roundup(bsize < 512 ? 512 : bsize, 256);
	uint64_t flog_size = roundup(256 * 64, 4096);
	uint64_t datasize = arena_size - 2 * 4096 - flog_size;
	return (datasize - 4096) / (lbasize + 4) - 256;
}

/* nblock of a pool; arena_blocks[i] gets arena i's share (max 2 arenas) */
static uint64_t
pool_nblock(uint64_t poolsize, uint32_t bsize, uint64_t arena_blocks[2])
{
	uint64_t remaining = (poolsize & ~(uint64_t)4095) - NS_OFF, total = 0;
	for (unsigned i = 0; remaining >= 16 * MiB; i++) {
		uint64_t size = remaining < ARENA_MAX ? remaining : ARENA_MAX;
		uint64_t n = arena_nblock(size, bsize);
		if (arena_blocks != NULL && i < 2)
			arena_blocks[i] = n;
		total += n;
		remaining -= size;
	}
	return total;
}

/* ---- the pool ---- */

static void
fallocate_at_create(int on)
{
	UT_ASSERT_EQ(pmemblk_ctl_set(NULL, "fallocate.at_create", &on), 0);
}

static void
sparse_file(const char *path, uint64_t size)
{
	ut_file_make(path, (size_t)size, 0600);
	UT_ASSERT(ps_file_allocated(path) == 0);
}

static void
assert_real_space(const char *path, const char *when)
{
	unsigned long long used = ps_file_allocated(path);
	printf("  real space %s: %llu KiB\n", when, used >> 10);
	if (used > REAL_SPACE_MAX)
		UT_FAIL("%s: %llu bytes allocated %s, more than %llu", path,
			used, when, (unsigned long long)REAL_SPACE_MAX);
}

/* Blocks near both ends of both arenas: 8 of them. */
static void
edge_blocks(long long blocks[8], uint64_t e0, uint64_t nblock)
{
	long long a0 = (long long)e0, n = (long long)nblock;
	long long b[8] = {0, 1, a0 - 2, a0 - 1, a0, a0 + 1, n - 2, n - 1};
	memcpy(blocks, b, sizeof(b));
}

static void
write_blocks(PMEMblkpool *pbp, uint64_t seed, const long long *b, int n)
{
	uint8_t *buf = malloc(BSIZE);
	UT_ASSERT(buf != NULL);
	for (int i = 0; i < n; i++) {
		pattern_fill(buf, BSIZE, seed, b[i]);
		if (pmemblk_write(pbp, buf, b[i]) != 0)
			UT_FAIL("write block %lld: %s", b[i], pmemblk_errormsg());
	}
	free(buf);
}

static void
verify_blocks(PMEMblkpool *pbp, uint64_t seed, const long long *b, int n)
{
	uint8_t *buf = malloc(BSIZE), *want = malloc(BSIZE);
	UT_ASSERT(buf != NULL && want != NULL);
	for (int i = 0; i < n; i++) {
		if (pmemblk_read(pbp, buf, b[i]) != 0)
			UT_FAIL("read block %lld: %s", b[i], pmemblk_errormsg());
		if (seed == 0)
			memset(want, 0, BSIZE);
		else
			pattern_fill(want, BSIZE, seed, b[i]);
		if (memcmp(buf, want, BSIZE) != 0)
			UT_FAIL("block %lld does not hold seed %llu", b[i],
				(unsigned long long)seed);
	}
	free(buf);
	free(want);
}

static PMEMblkpool *
open_pool(const char *path, uint64_t nblock)
{
	PMEMblkpool *pbp = pmemblk_open(path, BSIZE);
	if (pbp == NULL)
		UT_FAIL("open %s: %s", path, pmemblk_errormsg());
	UT_ASSERT_EQ(pmemblk_nblock(pbp), nblock);
	return pbp;
}

/* Arena i's info blocks are where doc/format.md §4.1-4.3 puts them. */
static void
check_info_blocks(const char *path, const uint64_t arena_blocks[2])
{
	struct pool_hdr hdr;
	ut_hdr_load(path, &hdr);
	uint64_t ns_size = POOL_SIZE - NS_OFF;
	uint64_t start[2] = {NS_OFF, NS_OFF + ARENA_MAX};
	uint64_t size[2] = {ARENA_MAX, ns_size - ARENA_MAX};
	struct btt_info first;
	for (unsigned i = 0; i < 2; i++) {
		struct btt_info info, backup;
		ut_info_load(path, start[i], &info);
		ut_info_load(path, start[i] + size[i] - INFO_SIZE, &backup);
		UT_ASSERT(strcmp(info.sig, BTT_INFO_SIG) == 0);
		UT_ASSERT(ut_info_csum_ok(&info));
		UT_ASSERT(memcmp(&info, &backup, sizeof(info)) == 0);
		UT_ASSERT(memcmp(info.parent_uuid, hdr.poolset_uuid, 16) == 0);
		UT_ASSERT_EQ(info.external_lbasize, BSIZE);
		UT_ASSERT_EQ(info.internal_lbasize, BSIZE);
		UT_ASSERT_EQ(info.external_nlba, arena_blocks[i]);
		UT_ASSERT_EQ(info.nfree, 256);
		UT_ASSERT_EQ(info.nextoff, i == 0 ? ARENA_MAX : 0);
		UT_ASSERT_EQ(info.infooff, size[i] - INFO_SIZE);
		if (i == 0)
			first = info;
		else
			UT_ASSERT(memcmp(info.uuid, first.uuid, 16) == 0);
	}
	printf("  info blocks: arena 0 at 0x%llx (nextoff 2^39), arena 1 at "
		"0x%llx, backups at the arena ends\n",
		(unsigned long long)start[0], (unsigned long long)start[1]);
}

/* `pmempool check` (PMDK's tool) must find the pool consistent. */
static void
pmempool_check(const char *path)
{
	const char *argv[] = {"/usr/bin/env", "pmempool", "check", path, NULL};
	char *out, *err;
	int status = ps_run(argv, NULL, 0, &out, &err);
	if (status == 127) {
		printf("  pmempool not installed: not checked\n");
	} else if (status != 0) {
		UT_FAIL("pmempool check %s: exit %d\n%s%s", path, status, out,
			err);
	} else {
		printf("  pmempool check: consistent\n");
	}
	free(out);
	free(err);
}

/*
 * "blk_probe CMD PATH [NUM [BLOCK...]]" with PMDK's library, NUM being the
 * seed (write, verify) or the block size (create), none if 0 (check).
 * Returns its output.
 */
static char *
pmdk_probe(const char *cmd, const char *path, uint64_t num,
	const long long *b, int n)
{
	char args[12][32];
	const char *argv[16] = {ps_need_env("BLK_PROBE"), cmd, path};
	int argc = 3;
	UT_ASSERT(n <= 10);
	if (num != 0) {
		snprintf(args[0], sizeof(args[0]), "%llu",
			(unsigned long long)num);
		argv[argc++] = args[0];
	}
	for (int i = 0; i < n; i++) {
		snprintf(args[i + 1], sizeof(args[i + 1]), "%lld", b[i]);
		argv[argc++] = args[i + 1];
	}
	argv[argc] = NULL;
	struct ps_env env[2] = {
		ps_lib_env(PS_PMDK),
		{"PMEMBLK_CONF", "fallocate.at_create=0"},
	};
	char *out, *err;
	int status = ps_run(argv, env, 2, &out, &err);
	if (status != 0)
		UT_FAIL("PMDK: blk_probe %s %s: exit %d\n%s%s", cmd, path,
			status, out, err);
	free(err);
	printf("  PMDK: blk_probe %s: %s", cmd, *out ? out : "ok\n");
	return out;
}

static void
expect_pmdk_nblock(char *out, uint64_t nblock)
{
	char want[64];
	snprintf(want, sizeof(want), "nblock %llu\n",
		(unsigned long long)nblock);
	if (strcmp(out, want) != 0)
		UT_FAIL("PMDK says \"%s\", expected \"%s\"", out, want);
	free(out);
}

/* Ours creates and writes; ours and (with --pmdk) PMDK read and write. */
static void
test_ours_first(bool pmdk)
{
	const char *path = ut_path("multiarena");
	uint64_t arena_blocks[2];
	uint64_t nblock = pool_nblock(POOL_SIZE, BSIZE, arena_blocks);
	printf("== ours creates 512 GiB + 64 MiB, bsize %u: %llu + %llu = "
		"%llu blocks\n", BSIZE, (unsigned long long)arena_blocks[0],
		(unsigned long long)arena_blocks[1],
		(unsigned long long)nblock);
	sparse_file(path, POOL_SIZE);
	fallocate_at_create(0);
	PMEMblkpool *pbp = pmemblk_create(path, BSIZE, 0, 0600);
	if (pbp == NULL)
		UT_FAIL("create %s: %s", path, pmemblk_errormsg());
	fallocate_at_create(1);
	UT_ASSERT_EQ(pmemblk_nblock(pbp), nblock);
	assert_real_space(path, "after create");

	long long edges[8];
	edge_blocks(edges, arena_blocks[0], nblock);
	write_blocks(pbp, 1, edges, 8);
	verify_blocks(pbp, 1, edges, 8);
	pmemblk_close(pbp);

	pbp = open_pool(path, nblock);
	verify_blocks(pbp, 1, edges, 8);
	long long untouched[4] = {2, edges[2] - 1, edges[5] + 1, edges[6] - 1};
	verify_blocks(pbp, 0, untouched, 4);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 1);
	printf("  written near both ends of both arenas, reopened, checked\n");
	check_info_blocks(path, arena_blocks);
	pmempool_check(path);
	assert_real_space(path, "after the writes");

	if (pmdk) {
		expect_pmdk_nblock(pmdk_probe("verify", path, 1, edges, 8),
			nblock);
		/* PMDK overwrites half of them and writes the untouched */
		long long theirs[8] = {edges[0], edges[3], edges[4], edges[7],
			untouched[0], untouched[1], untouched[2], untouched[3]};
		expect_pmdk_nblock(pmdk_probe("write", path, 2, theirs, 8),
			nblock);
		pbp = open_pool(path, nblock);
		verify_blocks(pbp, 2, theirs, 8);
		long long kept[4] = {edges[1], edges[2], edges[5], edges[6]};
		verify_blocks(pbp, 1, kept, 4);
		write_blocks(pbp, 3, kept, 4);
		pmemblk_close(pbp);
		UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 1);
		expect_pmdk_nblock(pmdk_probe("verify", path, 3, kept, 4),
			nblock);
		free(pmdk_probe("check", path, 0, NULL, 0));
		pmempool_check(path);
		assert_real_space(path, "after PMDK's writes");
	}
	unlink(path);
}

/* PMDK creates and lays the pool out; ours opens, reads and writes. */
static void
test_pmdk_first(void)
{
	const char *path = ut_path("multiarena-pmdk");
	uint64_t arena_blocks[2];
	uint64_t nblock = pool_nblock(POOL_SIZE, BSIZE, arena_blocks);
	printf("== PMDK creates 512 GiB + 64 MiB, bsize %u\n", BSIZE);
	sparse_file(path, POOL_SIZE);
	expect_pmdk_nblock(pmdk_probe("create", path, BSIZE, NULL, 0), nblock);
	assert_real_space(path, "after PMDK's create");

	long long edges[8];
	edge_blocks(edges, arena_blocks[0], nblock);
	expect_pmdk_nblock(pmdk_probe("write", path, 1, edges, 8), nblock);
	check_info_blocks(path, arena_blocks);

	PMEMblkpool *pbp = open_pool(path, nblock);
	verify_blocks(pbp, 1, edges, 8);
	long long ours[4] = {edges[0], edges[3], edges[4], edges[7]};
	write_blocks(pbp, 2, ours, 4);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(path, BSIZE), 1);
	expect_pmdk_nblock(pmdk_probe("verify", path, 2, ours, 4), nblock);
	long long theirs[4] = {edges[1], edges[2], edges[5], edges[6]};
	expect_pmdk_nblock(pmdk_probe("verify", path, 1, theirs, 4), nblock);
	pmempool_check(path);
	assert_real_space(path, "at the end");
	unlink(path);
}

/* doc/api-notes.md §11 row 52: nblock of sparse pools around 512 GiB, bsize 512. */
static void
test_row52(void)
{
	static const struct {
		uint64_t size;
		uint64_t nblock;	/* PMDK 1.12.1, observed */
	} rows[] = {
		{ARENA_MAX + 8192, 1065417932},
		{ARENA_MAX + 8192 + 16 * MiB, 1065450134},
		{ARENA_MAX + 8192 + 16 * MiB - 4096, 1065417932},
	};
	const char *path = ut_path("row52");
	fallocate_at_create(0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sparse_file(path, rows[i].size);
		PMEMblkpool *pbp = pmemblk_create(path, 512, 0, 0600);
		if (pbp == NULL)
			UT_FAIL("create %s: %s", path, pmemblk_errormsg());
		UT_ASSERT_EQ(pmemblk_nblock(pbp), rows[i].nblock);
		UT_ASSERT_EQ(pool_nblock(rows[i].size, 512, NULL),
			rows[i].nblock);
		pmemblk_close(pbp);
		printf("row 52: %llu bytes, bsize 512: nblock %llu\n",
			(unsigned long long)rows[i].size,
			(unsigned long long)rows[i].nblock);
		unlink(path);
	}
	fallocate_at_create(1);
}

int
main(int argc, char *argv[])
{
	bool pmdk = argc > 1 && strcmp(argv[1], "--pmdk") == 0;
	if (pmdk)
		ps_need_env("BLK_PROBE");
	test_row52();
	test_ours_first(pmdk);
	if (pmdk)
		test_pmdk_first();
	return 0;
}
