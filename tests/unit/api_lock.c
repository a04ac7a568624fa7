/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_lock.c -- exclusive access (doc/api-notes.md §5.3, row 25 of §11): while a
 * pool is open, a second open, a create with poolsize 0 and a check fail
 * with EAGAIN, in this process and in a forked child; the lock goes with
 * close, also after a failed open.
 */
#include <sys/wait.h>

#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

static void
expect_locked(const char *path)
{
	errno = 0;
	UT_ASSERT(pmemblk_open(path, 0) == NULL);
	UT_ASSERT_EQ(errno, EAGAIN);
	UT_ASSERT_MSG("Resource temporarily unavailable");
	errno = 0;
	UT_ASSERT(pmemblk_create(path, 512, 0, 0600) == NULL);
	UT_ASSERT_EQ(errno, EAGAIN);
	UT_ASSERT_ERR(pmemblk_check(path, 512), EAGAIN);
	UT_ASSERT_ERR(pmemblk_check(path, 0), EAGAIN);
}

/* Runs expect_locked in a forked child; fails if the child does. */
static void
expect_locked_in_child(const char *path)
{
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		expect_locked(path);
		_exit(0);
	}
	int status;
	UT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	UT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
expect_unlocked(const char *path)
{
	UT_ASSERT_EQ(pmemblk_check(path, 512), 1);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
}

/*
 * File scope, so that a forked child exiting without close still reaches
 * the parent's handle: valgrind would call it a leak otherwise.
 */
static PMEMblkpool *pbp;

int
main(void)
{
	const char *path = ut_path("pool");
	ut_pool_make(path, 512, MIN, 2);
	struct ut_snapshot snap;
	ut_snapshot_take(path, &snap);

	/* held by open */
	pbp = pmemblk_open(path, 512);
	UT_ASSERT(pbp != NULL);
	expect_locked(path);
	expect_locked_in_child(path);
	/* the handle still works after the refused attempts */
	uint8_t buf[512];
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 1), 0);
	UT_ASSERT(ut_is_filled(buf, sizeof(buf), 1, 1));
	pmemblk_close(pbp);
	ut_snapshot_assert_same(path, &snap);
	expect_unlocked(path);

	/* held by create, also with poolsize 0 */
	const char *fresh = ut_path("fresh");
	pbp = pmemblk_create(fresh, 512, MIN, 0600);
	UT_ASSERT(pbp != NULL);
	expect_locked(fresh);
	expect_locked_in_child(fresh);
	pmemblk_close(pbp);
	expect_unlocked(fresh);

	const char *zeroed = ut_path("zeroed");
	ut_file_make(zeroed, MIN, 0600);
	pbp = pmemblk_create(zeroed, 512, 0, 0600);
	UT_ASSERT(pbp != NULL);
	expect_locked(zeroed);
	pmemblk_close(pbp);
	expect_unlocked(zeroed);

	/* failed opens and checks leave no lock behind */
	errno = 0;
	UT_ASSERT(pmemblk_open(path, 1024) == NULL);
	UT_ASSERT_EQ(errno, EINVAL);
	UT_ASSERT_ERR(pmemblk_check(path, 1024), EINVAL);
	expect_unlocked(path);

	/* a child's pool is released when the child exits without close */
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		pbp = pmemblk_open(path, 512);
		_exit(pbp == NULL);
	}
	int status;
	UT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	UT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_unlocked(path);
	return 0;
}
