/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_access.c -- permission errors, rows 36-37 of doc/api-notes.md §11, which need
 * an unprivileged user: as root the scenario runs in a forked child that
 * switches to nobody (65534); if that is impossible the test is skipped.
 *   - open / check of a 0444 pool -> EACCES (check opens O_RDWR too);
 *   - create in a directory not writable -> EACCES;
 *   - create a 0444 pool, write while open -> ok; reopen -> EACCES.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL
#define SKIP 77

static void
unprivileged(const char *root_pool)
{
	/* row 36 */
	errno = 0;
	UT_ASSERT(pmemblk_open(root_pool, 512) == NULL);
	UT_ASSERT_EQ(errno, EACCES);
	UT_ASSERT_MSG("Permission denied");
	UT_ASSERT_ERR(pmemblk_check(root_pool, 512), EACCES);
	const char *in_ro = ut_path("ro-dir/pool");
	errno = 0;
	UT_ASSERT(pmemblk_create(in_ro, 512, MIN, 0600) == NULL);
	UT_ASSERT_EQ(errno, EACCES);
	UT_ASSERT(!ut_file_exists(in_ro));

	/* row 37 */
	const char *mine = ut_path("mine");
	PMEMblkpool *pbp = pmemblk_create(mine, 512, MIN, 0444);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(ut_file_mode(mine), 0444);
	uint8_t buf[512];
	ut_fill(buf, sizeof(buf), 37, 0);
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 0), 0);
	pmemblk_close(pbp);
	errno = 0;
	UT_ASSERT(pmemblk_open(mine, 512) == NULL);
	UT_ASSERT_EQ(errno, EACCES);
	UT_ASSERT_ERR(pmemblk_check(mine, 512), EACCES);
	UT_ASSERT_EQ(chmod(mine, 0600), 0);
	UT_ASSERT_EQ(pmemblk_check(mine, 512), 1);
}

int
main(void)
{
	/* nobody must reach the scratch directory and write in it */
	UT_ASSERT_EQ(chmod(ut_dir(), 0777), 0);
	const char *root_pool = ut_path("root-pool");
	ut_pool_make(root_pool, 512, MIN, 1);
	UT_ASSERT_EQ(chmod(root_pool, 0444), 0);
	UT_ASSERT_EQ(mkdir(ut_path("ro-dir"), 0755), 0);

	if (geteuid() != 0) {
		unprivileged(root_pool);
		return 0;
	}
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0) {
			fprintf(stderr, "cannot become nobody: %s; skipped\n",
				strerror(errno));
			_exit(SKIP);
		}
		unprivileged(root_pool);
		_exit(0);
	}
	int status;
	UT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	UT_ASSERT(WIFEXITED(status));
	if (WEXITSTATUS(status) == SKIP)
		return SKIP;
	UT_ASSERT_EQ(WEXITSTATUS(status), 0);
	/* root may still open a 0444 pool (no EACCES for root) */
	PMEMblkpool *pbp = pmemblk_open(root_pool, 512);
	UT_ASSERT(pbp != NULL);
	pmemblk_close(pbp);
	return 0;
}
