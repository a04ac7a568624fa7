/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blk_abi_pmdk_header.c -- the drop-in ABI test: a program compiled against
 * PMDK's own <libpmemblk.h> (PMDK_HEADER, the system header, never ours)
 * and linked against PMDK's libpmemblk.so.1, run with another
 * libpmemblk.so.1 first on LD_LIBRARY_PATH. It calls all 16 functions with
 * PMDK's types and macros and checks the results PMDK 1.12.1 gives.
 *
 *   blk_abi_pmdk_header DIR    (DIR: an empty scratch directory)
 *
 * The first line of output names the library actually loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include PMDK_HEADER

#include "loaded_lib.h"
#include "ut.h"

/* Allocator hooks that count calls, for pmemblk_set_funcs. */
static unsigned long nalloc;

static void *count_malloc(size_t size) { nalloc++; return malloc(size); }
static void *count_realloc(void *p, size_t size)
{
	nalloc++;
	return realloc(p, size);
}
static char *count_strdup(const char *s) { nalloc++; return strdup(s); }

/* The header's constants are the x86-64 values of PMDK 1.12.1. */
_Static_assert(PMEMBLK_MAJOR_VERSION == 1, "major");
_Static_assert(PMEMBLK_MINOR_VERSION == 1, "minor");
_Static_assert(PMEMBLK_MIN_POOL == 16785408, "min pool");
_Static_assert(PMEMBLK_MIN_PART == 2097152, "min part");
_Static_assert(PMEMBLK_MIN_BLK == 512, "min blk");

int
main(int argc, char *argv[])
{
	if (argc != 2)
		UT_FAIL("usage: %s DIR", argv[0]);
	const char *lib = loaded_lib_path((void *)pmemblk_create);
	UT_ASSERT(lib != NULL);
	printf("loaded: %s\n", lib);

	char *path, *missing;
	UT_ASSERT(asprintf(&path, "%s/pool", argv[1]) > 0);
	UT_ASSERT(asprintf(&missing, "%s/missing", argv[1]) > 0);

	UT_ASSERT(pmemblk_check_version(PMEMBLK_MAJOR_VERSION,
		PMEMBLK_MINOR_VERSION) == NULL);
	UT_ASSERT(pmemblk_check_version(2, 0) != NULL);

	pmemblk_set_funcs(count_malloc, free, count_realloc, count_strdup);

	PMEMblkpool *pbp = pmemblk_create(path, PMEMBLK_MIN_BLK,
		PMEMBLK_MIN_POOL, 0640);
	UT_ASSERT(pbp != NULL);
	struct stat st;
	UT_ASSERT_EQ(stat(path, &st), 0);
	UT_ASSERT_EQ(st.st_size, PMEMBLK_MIN_POOL);
	UT_ASSERT_EQ(st.st_mode & 0777, 0640);
	UT_ASSERT_EQ(pmemblk_bsize(pbp), PMEMBLK_MIN_BLK);
	long long nblock = (long long)pmemblk_nblock(pbp);
	UT_ASSERT_EQ(nblock, 32202);

	char data[PMEMBLK_MIN_BLK], buf[PMEMBLK_MIN_BLK], zero[PMEMBLK_MIN_BLK];
	memset(zero, 0, sizeof(zero));
	memset(data, 0xA5, sizeof(data));

	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 7), 0);
	UT_ASSERT(memcmp(buf, zero, sizeof(buf)) == 0);
	UT_ASSERT_EQ(pmemblk_write(pbp, data, 0), 0);
	UT_ASSERT_EQ(pmemblk_write(pbp, data, nblock - 1), 0);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, nblock - 1), 0);
	UT_ASSERT(memcmp(buf, data, sizeof(buf)) == 0);
	UT_ASSERT_EQ(pmemblk_set_zero(pbp, nblock - 1), 0);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, nblock - 1), 0);
	UT_ASSERT(memcmp(buf, zero, sizeof(buf)) == 0);
	UT_ASSERT_EQ(pmemblk_set_error(pbp, 1), 0);
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, 1), EIO);
	UT_ASSERT(strlen(pmemblk_errormsg()) > 0);
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, nblock), EINVAL);
	UT_ASSERT_ERR(pmemblk_write(pbp, data, -1), EINVAL);
	UT_ASSERT_ERR(pmemblk_set_zero(pbp, nblock), EINVAL);
	UT_ASSERT_ERR(pmemblk_set_error(pbp, nblock), EINVAL);

	int value = 0;
	UT_ASSERT_ERR(pmemblk_ctl_get(pbp, "no.such.name", &value), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_set(pbp, "no.such.name", &value), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_exec(pbp, "no.such.name", &value), EINVAL);

	errno = 0;
	UT_ASSERT(pmemblk_open(path, 0) == NULL);
	UT_ASSERT_EQ(errno, EAGAIN);
	pmemblk_close(pbp);

	UT_ASSERT_EQ(pmemblk_check(path, PMEMBLK_MIN_BLK), 1);
	errno = 0;
	UT_ASSERT(pmemblk_open(path, 1024) == NULL);
	UT_ASSERT_EQ(errno, EINVAL);
	errno = 0;
	UT_ASSERT(pmemblk_open(missing, 0) == NULL);
	UT_ASSERT_EQ(errno, ENOENT);
	errno = 0;
	UT_ASSERT(pmemblk_create(path, 512, PMEMBLK_MIN_POOL, 0600) == NULL);
	UT_ASSERT_EQ(errno, EEXIST);

	pbp = pmemblk_open(path, 0);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_bsize(pbp), PMEMBLK_MIN_BLK);
	UT_ASSERT_EQ(pmemblk_nblock(pbp), nblock);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 0), 0);
	UT_ASSERT(memcmp(buf, data, sizeof(buf)) == 0);
	UT_ASSERT_ERR(pmemblk_read(pbp, buf, 1), EIO);
	pmemblk_close(pbp);

	/* The library allocates its runtime state through the hooks. */
	UT_ASSERT(nalloc > 0);
	pmemblk_set_funcs(NULL, NULL, NULL, NULL);

	unlink(path);
	free(path);
	free(missing);
	printf("ok: all 16 functions behave as with PMDK (%lu allocations "
		"through set_funcs)\n", nalloc);
	return 0;
}
