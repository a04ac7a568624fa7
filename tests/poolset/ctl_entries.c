/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_entries.c -- pmemblk_ctl_get/set/exec (doc/api-notes.md §8.1, §11 rows 40-43)
 * and what each entry does:
 *
 * - every entry: default, get/set round trip (5 reads back 5), the same
 *   through a pool handle as through NULL, exec refused;
 * - strict names: NULL, unknown names, inner nodes, names past a leaf
 *   (PMDK crashes on those, row 42), NULL arguments: -1/EINVAL;
 * - sds.at_create: incompat 0x6 with it, 0x2 without (0x3 with SINGLEHDR);
 * - fallocate.at_create: off leaves a sparse file sparse (create with
 *   poolsize 0); a file create makes is allocated anyway;
 * - prefault.at_create/at_open: every page of the pool is in memory once
 *   the call returns (mincore), and not without them.
 * copy_on_write.at_open has its own test (open_cow_rdonly.c).
 */
#include <fcntl.h>
#include <sys/mman.h>

#include "blk.h"
#include "poolset_helpers.h"

#define MiB ((size_t)1 << 20)

static const struct {
	const char *name;
	int def;	/* doc/api-notes.md §11 row 40 */
} entries[] = {
	{"prefault.at_create", 0},
	{"prefault.at_open", 0},
	{"sds.at_create", 1},
	{"fallocate.at_create", 1},
	{"copy_on_write.at_open", 0},
};

#define NENTRIES (sizeof(entries) / sizeof(entries[0]))

static int
get(PMEMblkpool *pbp, const char *name)
{
	int v = -12345;
	if (pmemblk_ctl_get(pbp, name, &v) != 0)
		UT_FAIL("ctl_get %s: %s", name, pmemblk_errormsg());
	return v;
}

static void
set(PMEMblkpool *pbp, const char *name, int v)
{
	if (pmemblk_ctl_set(pbp, name, &v) != 0)
		UT_FAIL("ctl_set %s: %s", name, pmemblk_errormsg());
}

static void
test_round_trip(void)
{
	const char *path = ps_path("rt");
	ut_pool_make(path, 512, PMEMBLK_MIN_POOL, 0);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	for (size_t i = 0; i < NENTRIES; i++) {
		const char *name = entries[i].name;
		UT_ASSERT_EQ(get(NULL, name), entries[i].def);
		UT_ASSERT_EQ(get(pbp, name), entries[i].def);
		static const int values[] = {5, 0, -1, 1};
		for (size_t j = 0; j < 4; j++) {
			/* set through one handle, read through the other */
			set(j % 2 ? pbp : NULL, name, values[j]);
			UT_ASSERT_EQ(get(NULL, name), values[j]);
			UT_ASSERT_EQ(get(pbp, name), values[j]);
		}
		/* NULL argument: refused, value unchanged */
		UT_ASSERT_ERR(pmemblk_ctl_get(NULL, name, NULL), EINVAL);
		UT_ASSERT_MSG("non-NULL argument");
		UT_ASSERT_ERR(pmemblk_ctl_set(pbp, name, NULL), EINVAL);
		UT_ASSERT_EQ(get(NULL, name), 1);
		/* no entry runs anything */
		int arg = 7;
		UT_ASSERT_ERR(pmemblk_ctl_exec(NULL, name, &arg), EINVAL);
		UT_ASSERT_ERR(pmemblk_ctl_exec(pbp, name, NULL), EINVAL);
		UT_ASSERT_EQ(arg, 7);
		set(NULL, name, entries[i].def);
		printf("%-22s default %d, set/get round trip ok\n", name,
			entries[i].def);
	}
	pmemblk_close(pbp);
}

static void
test_bad_names(void)
{
	static char longname[10000];
	memset(longname, 'a', sizeof(longname) - 1);
	const char *names[] = {"", "foo.bar", "prefault", "prefault.",
		".at_create", "prefault.at_create.x", "prefault.at_create.",
		"prefault.at_create ", " prefault.at_create",
		"PREFAULT.AT_CREATE", "prefault..at_create", "sds",
		"sds.at_open", "prefault.at_createx", "copy_on_write",
		"fallocate.at_create=1", longname};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int arg = 3;
		UT_ASSERT_ERR(pmemblk_ctl_get(NULL, names[i], &arg), EINVAL);
		UT_ASSERT_MSG("invalid query entry point");
		UT_ASSERT_ERR(pmemblk_ctl_set(NULL, names[i], &arg), EINVAL);
		UT_ASSERT_ERR(pmemblk_ctl_exec(NULL, names[i], &arg), EINVAL);
		UT_ASSERT_ERR(pmemblk_ctl_get(NULL, names[i], NULL), EINVAL);
		UT_ASSERT_EQ(arg, 3);
	}
	int arg = 1;
	UT_ASSERT_ERR(pmemblk_ctl_get(NULL, NULL, &arg), EINVAL);
	UT_ASSERT_MSG("invalid query");
	UT_ASSERT_ERR(pmemblk_ctl_set(NULL, NULL, &arg), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_exec(NULL, NULL, NULL), EINVAL);
	for (size_t i = 0; i < NENTRIES; i++)
		UT_ASSERT_EQ(get(NULL, entries[i].name), entries[i].def);
}

static uint32_t
created_incompat(const char *path, bool is_set, const char *part0)
{
	PMEMblkpool *pbp = pmemblk_create(path, 512, is_set ? 0 :
		PMEMBLK_MIN_POOL, 0600);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	struct pool_hdr h;
	ut_hdr_load(part0, &h);
	UT_ASSERT_EQ(h.compat, POOL_FEAT_CHECK_BAD_BLOCKS);
	return h.incompat;
}

static void
test_sds(void)
{
	const char *path = ps_path("sds");
	UT_ASSERT_EQ(created_incompat(path, false, path), 0x6);
	unlink(path);
	set(NULL, "sds.at_create", 0);
	UT_ASSERT_EQ(created_incompat(path, false, path), 0x2);
	unlink(path);

	const char *setf = ps_path("sds.set");
	char parts[2][PS_PATH_MAX];
	size_t sizes[2] = {16 * MiB, 16 * MiB};
	ps_set_write(setf, true, 2, sizes, "sdsp", parts);
	UT_ASSERT_EQ(created_incompat(setf, true, parts[0]), 0x3);
	set(NULL, "sds.at_create", 1);
	printf("sds.at_create: incompat 0x6 on, 0x2 off (0x3 with SINGLEHDR)\n");
}

static void
test_fallocate(void)
{
	const char *path = ps_path("falloc");
	/* off: create with poolsize 0 leaves the sparse file sparse */
	set(NULL, "fallocate.at_create", 0);
	ut_file_make(path, 64 * MiB, 0600);
	PMEMblkpool *pbp = pmemblk_create(path, 4096, 0, 0600);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	unsigned long long sparse = ps_file_allocated(path);
	UT_ASSERT(sparse < MiB);
	/* and the pool works */
	pbp = pmemblk_open(path, 4096);
	UT_ASSERT(pbp != NULL);
	char buf[4096];
	ut_fill(buf, sizeof(buf), 1, 9);
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 9), 0);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(path, 4096), 1);
	unlink(path);

	/* a file create makes is allocated whatever the setting */
	pbp = pmemblk_create(path, 4096, 64 * MiB, 0600);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	UT_ASSERT(ps_file_allocated(path) >= 64 * MiB);
	unlink(path);

	/* on (the default): the existing file is allocated */
	set(NULL, "fallocate.at_create", 1);
	ut_file_make(path, 64 * MiB, 0600);
	pbp = pmemblk_create(path, 4096, 0, 0600);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	UT_ASSERT(ps_file_allocated(path) >= 64 * MiB);
	unlink(path);
	printf("fallocate.at_create: off %llu KiB allocated, on all 64 MiB\n",
		sparse >> 10);
}

/* Share of the pool's pages that are in memory (the page cache). */
static double
resident(PMEMblkpool *pbp)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = pbp->pf.poolsize;
	size_t npages = (len + page - 1) / page;
	unsigned char *vec = malloc(npages);
	UT_ASSERT(vec != NULL);
	UT_ASSERT_EQ(mincore(pbp->pf.addr, len, vec), 0);
	size_t in = 0;
	for (size_t i = 0; i < npages; i++)
		in += vec[i] & 1;
	free(vec);
	return (double)in / (double)npages;
}

/* Writes the file back and drops it from the page cache. */
static void
evict(const char *path)
{
	int fd = open(path, O_RDWR);
	UT_ASSERT(fd >= 0);
	UT_ASSERT_EQ(fdatasync(fd), 0);
	UT_ASSERT_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	close(fd);
}

static void
test_prefault(void)
{
	/*
	 * On a disk file system: a new file's pages enter the page cache
	 * only when touched (on tmpfs fallocate itself puts them there).
	 */
	const char *path = ut_path("prefault");
	PMEMblkpool *pbp = pmemblk_create(path, 4096, 64 * MiB, 0600);
	UT_ASSERT(pbp != NULL);
	double cold_create = resident(pbp);
	pmemblk_close(pbp);
	unlink(path);
	set(NULL, "prefault.at_create", 1);
	pbp = pmemblk_create(path, 4096, 64 * MiB, 0600);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT(resident(pbp) == 1.0);
	pmemblk_close(pbp);
	set(NULL, "prefault.at_create", 0);

	evict(path);
	pbp = pmemblk_open(path, 4096);
	UT_ASSERT(pbp != NULL);
	double cold_open = resident(pbp);
	pmemblk_close(pbp);
	evict(path);
	set(NULL, "prefault.at_open", 1);
	pbp = pmemblk_open(path, 4096);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT(resident(pbp) == 1.0);
	pmemblk_close(pbp);
	set(NULL, "prefault.at_open", 0);
	unlink(path);

	printf("prefault: pages in memory after create %.0f%% (off) / 100%% "
		"(on), after open %.0f%% / 100%%\n", cold_create * 100,
		cold_open * 100);
	if (cold_create > 0.5 || cold_open > 0.5)
		printf("  (this file system caches pages without access: "
			"the 'off' figures prove nothing here)\n");
}

/*
 * The entries of one pool (what `pmemblk check --repair` uses): they need
 * a handle, are read-only, and btt.repair_info is the one runnable entry.
 * Their effect on a damaged pool is tested by tests/tools/check_pmempool.sh.
 */
static void
test_pool_entries(void)
{
	const char *path = ps_path("pool_entries");
	ut_pool_make(path, 512, PMEMBLK_MIN_POOL, 0);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	const char *ro[] = {"btt.recovered_at_open", "btt.info_repairs_pending"};
	for (size_t i = 0; i < 2; i++) {
		int v = -1;
		UT_ASSERT_EQ(pmemblk_ctl_get(pbp, ro[i], &v), 0);
		UT_ASSERT_EQ(v, 0);	/* a clean pool: nothing found */
		UT_ASSERT_ERR(pmemblk_ctl_get(NULL, ro[i], &v), EINVAL);
		UT_ASSERT_MSG("needs a pool handle");
		UT_ASSERT_ERR(pmemblk_ctl_set(pbp, ro[i], &v), EINVAL);
		UT_ASSERT_MSG("read-only");
		UT_ASSERT_ERR(pmemblk_ctl_exec(pbp, ro[i], NULL), EINVAL);
	}
	int v = 0;
	UT_ASSERT_EQ(pmemblk_ctl_exec(pbp, "btt.repair_info", NULL), 0);
	UT_ASSERT_ERR(pmemblk_ctl_exec(NULL, "btt.repair_info", NULL), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_get(pbp, "btt.repair_info", &v), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_set(pbp, "btt.repair_info", &v), EINVAL);
	pmemblk_close(pbp);
	printf("pool entries: need a handle, read-only, repair_info runs\n");
}

int
main(void)
{
	test_round_trip();
	test_bad_names();
	test_sds();
	test_fallocate();
	test_prefault();
	test_pool_entries();
	return 0;
}
