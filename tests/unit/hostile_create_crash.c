/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_create_crash.c -- a crash during pmemblk_create (doc/design.md §5):
 * it leaves no file, or a file that open refuses with EINVAL, never a
 * pool that opens with a wrong geometry. The library writes the
 * descriptor first and the header last, so the images a crash can leave
 * are: file allocated but empty; descriptor only; descriptor plus any
 * prefix of the header. Each is built by hand from a real pool's bytes.
 * Then real process crashes: children killed with SIGKILL at varying
 * moments of a create.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

static struct pool_hdr real_hdr;
static uint32_t real_desc[2];

/* An image of a create interrupted after `hdr_bytes` of the header. */
static const char *
image(const char *name, bool desc, size_t hdr_bytes)
{
	const char *path = ut_path("%s", name);
	ut_file_make(path, MIN, 0);
	if (desc)
		ut_file_write_at(path, UT_DESC_OFF, real_desc,
			sizeof(real_desc));
	if (hdr_bytes)
		ut_file_write_at(path, 0, &real_hdr, hdr_bytes);
	return path;
}

static void
test_images(void)
{
	UT_EXPECT_REFUSED(image("empty", false, 0), EINVAL,
		"invalid major version (0)");
	const char *desc_only = image("desc-only", true, 0);
	UT_EXPECT_REFUSED(desc_only, EINVAL, "invalid major version (0)");

	/* a torn header write: any prefix short of the checksum */
	static const size_t prefixes[] = {8, 12, 64, 0x90, 2048, 4088, 4095};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		const char *path = image("torn", true, prefixes[i]);
		UT_EXPECT_REFUSED(path, EINVAL, NULL);
		unlink(path);
	}

	/* descriptor lost but header complete (not an order we write) */
	UT_EXPECT_REFUSED(image("hdr-only", false, sizeof(real_hdr)), EINVAL,
		"block size 0");

	/* the complete create: opens with the right geometry */
	const char *done = image("done", true, sizeof(real_hdr));
	PMEMblkpool *pbp = pmemblk_open(done, 0);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_bsize(pbp), 4096);
	UT_ASSERT_EQ(pmemblk_nblock(pbp), 3829);
	pmemblk_close(pbp);

	/* an interrupted create may be redone on the file: header still 0 */
	pbp = pmemblk_create(desc_only, 512, 0, 0600);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT_EQ(pmemblk_nblock(pbp), 32202);
	pmemblk_close(pbp);
	UT_ASSERT_EQ(pmemblk_check(desc_only, 512), 1);
}

/* SIGKILL a child in the middle of pmemblk_create, n times. */
static void
test_killed(void)
{
	int opened = 0, refused = 0, absent = 0;
	for (int i = 0; i < 24; i++) {
		const char *path = ut_path("killed-%d", i);
		pid_t pid = fork();
		UT_ASSERT(pid >= 0);
		if (pid == 0) {
			PMEMblkpool *pbp = pmemblk_create(path, 4096, MIN,
				0600);
			_exit(pbp == NULL);
		}
		struct timespec ts = {0, (long)(i % 12) * 1000000};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		UT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
		if (WIFEXITED(status))
			UT_ASSERT_EQ(WEXITSTATUS(status), 0);

		if (!ut_file_exists(path)) {
			absent++;
			continue;
		}
		errno = 0;
		PMEMblkpool *pbp = pmemblk_open(path, 0);
		if (pbp == NULL) {
			UT_ASSERT_EQ(errno, EINVAL);
			refused++;
			continue;
		}
		UT_ASSERT_EQ(pmemblk_bsize(pbp), 4096);
		UT_ASSERT_EQ(pmemblk_nblock(pbp), 3829);
		pmemblk_close(pbp);
		UT_ASSERT_EQ(pmemblk_check(path, 4096), 1);
		opened++;
	}
	printf("killed creates: %d opened, %d refused, %d left no file\n",
		opened, refused, absent);
}

int
main(void)
{
	const char *ref = ut_path("reference");
	ut_pool_make(ref, 4096, MIN, 0);
	ut_hdr_load(ref, &real_hdr);
	ut_file_read_at(ref, UT_DESC_OFF, real_desc, sizeof(real_desc));
	test_images();
	test_killed();
	return 0;
}
