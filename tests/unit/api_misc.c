/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_misc.c -- the small calls: pmemblk_check_version (row 38 and
 * doc/design.md §7), pmemblk_errormsg per thread (row 39), pmemblk_set_funcs
 * with counting and failing allocators, and pmemblk_ctl_* refusing every
 * name with EINVAL for now (doc/api-notes.md §10: no SIGSEGV past a leaf).
 */
#include <pthread.h>

#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

static void
expect_version_msg(unsigned major, unsigned minor, const char *msg)
{
	errno = 1234;
	const char *ret = pmemblk_check_version(major, minor);
	UT_ASSERT_EQ(errno, 1234);	/* errno left alone */
	if (msg == NULL) {
		if (ret != NULL)
			UT_FAIL("check_version(%u, %u) = \"%s\"", major, minor,
				ret);
		return;
	}
	UT_ASSERT(ret != NULL);
	if (strstr(ret, msg) == NULL)
		UT_FAIL("check_version(%u, %u) = \"%s\", expected \"%s\"",
			major, minor, ret, msg);
	/* it is the thread's message buffer */
	UT_ASSERT(ret == pmemblk_errormsg());
}

static void
test_check_version(void)
{
	expect_version_msg(1, 0, NULL);
	expect_version_msg(1, 1, NULL);
	expect_version_msg(PMEMBLK_MAJOR_VERSION, PMEMBLK_MINOR_VERSION, NULL);
	expect_version_msg(1, 2, NULL);	/* ours has the async API */
	expect_version_msg(1, 3, "libpmemblk minor version mismatch (need 3");
	expect_version_msg(2, 0,
		"libpmemblk major version mismatch (need 2, found 1)");
	expect_version_msg(0, 0,
		"libpmemblk major version mismatch (need 0, found 1)");
}

/* ---- errormsg ---- */

struct thread_result {
	char first[256];	/* errormsg before any failure */
	char after[256];	/* after its own failure */
};

static void *
thread_main(void *arg)
{
	struct thread_result *r = arg;
	snprintf(r->first, sizeof(r->first), "%s", pmemblk_errormsg());
	if (pmemblk_create(ut_path("t"), 0, MIN, 0600) == NULL)
		snprintf(r->after, sizeof(r->after), "%s", pmemblk_errormsg());
	return NULL;
}

static void
test_errormsg(void)
{
	errno = 0;
	UT_ASSERT(pmemblk_open(ut_path("missing"), 0) == NULL);
	UT_ASSERT_EQ(errno, ENOENT);
	char mine[512];
	snprintf(mine, sizeof(mine), "%s", pmemblk_errormsg());
	UT_ASSERT(strstr(mine, "missing") != NULL);
	UT_ASSERT(strstr(mine, ": No such file or directory") != NULL);

	pthread_t t;
	struct thread_result r;
	memset(&r, 0, sizeof(r));
	UT_ASSERT_EQ(pthread_create(&t, NULL, thread_main, &r), 0);
	UT_ASSERT_EQ(pthread_join(t, NULL), 0);
	UT_ASSERT_EQ(strcmp(r.first, ""), 0);
	UT_ASSERT(strstr(r.after, "Invalid block size 0") != NULL);
	/* the other thread's failure did not touch this thread's message */
	UT_ASSERT_EQ(strcmp(pmemblk_errormsg(), mine), 0);
}

/* ---- set_funcs ---- */

static unsigned long nmalloc, nfree, fail_at;

static void *
counting_malloc(size_t size)
{
	if (fail_at != 0 && nmalloc + 1 == fail_at)
		return NULL;
	nmalloc++;
	return malloc(size);
}

static void
counting_free(void *ptr)
{
	if (ptr != NULL)
		nfree++;
	free(ptr);
}

static void *
counting_realloc(void *ptr, size_t size)
{
	return realloc(ptr, size);
}

static char *
counting_strdup(const char *s)
{
	return strdup(s);
}

static void
use_pool(const char *path)
{
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	uint8_t buf[512];
	ut_fill(buf, sizeof(buf), 4, 4);
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 4), 0);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 4), 0);
	pmemblk_close(pbp);
}

static void
test_set_funcs(void)
{
	const char *path = ut_path("pool");
	ut_pool_make(path, 512, MIN, 0);

	pmemblk_set_funcs(counting_malloc, counting_free, counting_realloc,
		counting_strdup);
	use_pool(path);
	UT_ASSERT(nmalloc > 0);
	UT_ASSERT_EQ(nfree, nmalloc);	/* everything given back */
	UT_ASSERT_EQ(pmemblk_check(path, 512), 1);
	UT_ASSERT_EQ(nfree, nmalloc);
	unsigned long per_open = nmalloc;

	/* every single allocation failing: ENOMEM, nothing leaked or held */
	for (fail_at = 1; fail_at <= per_open; fail_at++) {
		nmalloc = nfree = 0;
		errno = 0;
		PMEMblkpool *pbp = pmemblk_open(path, 512);
		if (pbp != NULL) {
			pmemblk_close(pbp);
		} else {
			UT_ASSERT_EQ(errno, ENOMEM);
		}
		UT_ASSERT_EQ(nfree, nmalloc);
	}
	fail_at = 0;

	/* an allocation failing in the first write's layout: ENOMEM, retry ok */
	const char *fresh = ut_path("fresh");
	ut_pool_make(fresh, 512, MIN, 0);
	PMEMblkpool *pbp = pmemblk_open(fresh, 512);
	UT_ASSERT(pbp != NULL);
	uint8_t buf[512];
	ut_fill(buf, sizeof(buf), 5, 5);
	fail_at = nmalloc + 1;
	int ret = pmemblk_write(pbp, buf, 5);
	fail_at = 0;
	if (ret != 0)
		UT_ASSERT_EQ(errno, ENOMEM);
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 5), 0);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(fresh, 512), 1);
	pbp = pmemblk_open(fresh, 512);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 5), 0);
	UT_ASSERT(ut_is_filled(buf, sizeof(buf), 5, 5));
	pmemblk_close(pbp);

	/* NULL restores the defaults: the counters stay still */
	pmemblk_set_funcs(NULL, NULL, NULL, NULL);
	nmalloc = nfree = 0;
	use_pool(path);
	UT_ASSERT_EQ(nmalloc, 0);
	UT_ASSERT_EQ(nfree, 0);
}

/* ---- ctl ---- */

static void
expect_ctl_refused(PMEMblkpool *pbp, const char *name)
{
	int arg = 1;
	UT_ASSERT_ERR(pmemblk_ctl_get(pbp, name, &arg), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_get(pbp, name, NULL), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_set(pbp, name, &arg), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_set(pbp, name, NULL), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_exec(pbp, name, &arg), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_exec(pbp, name, NULL), EINVAL);
	UT_ASSERT_EQ(arg, 1);
}

static void
test_ctl(void)
{
	/* names that are not entries; the entries: tests/poolset/ctl_entries.c */
	static const char *names[] = {"foo.bar", "prefault",
		"prefault.at_create.x", "sds", "prefault.at_createx",
		"", ".", "a..b"};
	const char *path = ut_path("ctl");
	ut_pool_make(path, 512, MIN, 0);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		expect_ctl_refused(NULL, names[i]);
		expect_ctl_refused(pbp, names[i]);
	}
	expect_ctl_refused(NULL, NULL);
	expect_ctl_refused(pbp, NULL);
	pmemblk_close(pbp);
}

int
main(void)
{
	test_check_version();
	test_errormsg();
	test_set_funcs();
	test_ctl();
	return 0;
}
