/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log_env.c -- PMEMBLK_LOG_LEVEL and PMEMBLK_LOG_FILE (doc/api-notes.md §7), read
 * when the library is loaded, so each case runs this program again as a
 * child that creates, reopens and closes a pool and fails one open.
 *
 * Unset (or 0, negative, junk): nothing is printed, no file is made.
 * Level 1 logs the failures, level 2 also the pool operations, 4 details.
 * The log goes to stderr or to the file; a trailing '-' in the file name
 * appends the pid. A file that cannot be opened is reported once on
 * stderr and logging stays off; the program is never stopped (PMDK's
 * debug build aborts).
 */
#include <sys/stat.h>

#include "poolset_helpers.h"

/* Child: a pool's life, and one failing open; prints its pid. */
static int
child(const char *dir)
{
	char pool[512], missing[512];
	snprintf(pool, sizeof(pool), "%s/pool.%d", dir, (int)getpid());
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	PMEMblkpool *pbp = pmemblk_create(pool, 512, PMEMBLK_MIN_POOL, 0600);
	if (pbp == NULL)
		return 1;
	pmemblk_close(pbp);
	pbp = pmemblk_open(pool, 0);
	if (pbp == NULL)
		return 1;
	pmemblk_close(pbp);
	if (pmemblk_open(missing, 0) != NULL)
		return 1;
	unlink(pool);
	printf("%d\n", (int)getpid());
	return 0;
}

struct run {
	char *out, *err;
	int pid;
};

static void
run_child(const char *level, const char *file, struct run *r)
{
	const char *argv[] = {ps_self(), "--child", ps_path("pools"), NULL};
	struct ps_env env[] = {
		{"PMEMBLK_LOG_LEVEL", level},
		{"PMEMBLK_LOG_FILE", file},
	};
	int status = ps_run(argv, env, 2, &r->out, &r->err);
	if (status != 0)
		UT_FAIL("child (level %s, file %s): exit %d, stderr: %s",
			level ? level : "unset", file ? file : "unset", status,
			r->err);
	r->pid = atoi(r->out);
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static char *
read_file(const char *path)
{
	size_t size = ut_file_size(path);
	char *buf = malloc(size + 1);
	UT_ASSERT(buf != NULL);
	ut_file_read_at(path, 0, buf, size);
	buf[size] = '\0';
	return buf;
}

static void
assert_has(const char *text, const char *needle, const char *what)
{
	if (strstr(text, needle) == NULL)
		UT_FAIL("%s lacks \"%s\":\n%s", what, needle, text);
}

static void
assert_lacks(const char *text, const char *needle, const char *what)
{
	if (strstr(text, needle) != NULL)
		UT_FAIL("%s has \"%s\":\n%s", what, needle, text);
}

static void
test_silent(void)
{
	const char *log = ps_path("silent.log");
	static const char *const levels[] = {NULL, "0", "-3", "abc", ""};
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		struct run r;
		run_child(levels[i], i % 2 ? log : NULL, &r);
		UT_ASSERT_EQ(*r.err, '\0');
		UT_ASSERT(!ut_file_exists(log));
		run_free(&r);
	}
	printf("unset, 0, negative, junk: nothing printed, no file made\n");
}

static void
test_levels(void)
{
	const char *log = ps_path("pmemblk.log");
	struct run r;

	run_child("1", log, &r);
	UT_ASSERT_EQ(*r.err, '\0');
	char *text = read_file(log);
	assert_has(text, "<libpmemblk>: <1>", "level 1 log");
	assert_has(text, "missing", "level 1 log");	/* the failed open */
	assert_lacks(text, "<2>", "level 1 log");
	free(text);
	run_free(&r);

	run_child("2", log, &r);
	UT_ASSERT_EQ(*r.err, '\0');
	text = read_file(log);	/* the file was truncated, not appended */
	assert_has(text, "<libpmemblk>: <2> [blk.c:", "level 2 log");
	assert_has(text, "created", "level 2 log");
	assert_has(text, "opened", "level 2 log");
	assert_has(text, "closing", "level 2 log");
	assert_has(text, "<1>", "level 2 log");
	assert_lacks(text, "<3>", "level 2 log");
	printf("level 2 log:\n%s", text);
	free(text);
	run_free(&r);

	run_child("4", log, &r);
	text = read_file(log);
	assert_has(text, "<3>", "level 4 log");
	assert_has(text, "<4> [pool.c:", "level 4 log");
	assert_has(text, "<4> [ctl.c:", "level 4 log");
	free(text);
	run_free(&r);
	unlink(log);

	/* no file: stderr */
	run_child("2", NULL, &r);
	assert_has(r.err, "<libpmemblk>: <2>", "stderr");
	run_free(&r);
	run_child("2", "", &r);
	assert_has(r.err, "<libpmemblk>: <2>", "stderr");
	run_free(&r);
}

static void
test_pid_suffix(void)
{
	const char *base = ps_path("bypid-");
	struct run r;
	run_child("2", base, &r);
	UT_ASSERT_EQ(*r.err, '\0');
	const char *log = ps_path("bypid-%d", r.pid);
	UT_ASSERT(ut_file_exists(log));
	UT_ASSERT(!ut_file_exists(base));
	char *text = read_file(log);
	assert_has(text, "created", "per-pid log");
	free(text);
	printf("PMEMBLK_LOG_FILE=...bypid-: log in ...bypid-%d\n", r.pid);
	run_free(&r);
}

static void
test_unopenable(void)
{
	const char *log = ps_path("nodir/pmemblk.log");
	struct run r;
	run_child("2", log, &r);
	/* reported once, then silent: the child's operations log nothing */
	UT_ASSERT_EQ(strchr(r.err, '\n') - r.err + 1, (long)strlen(r.err));
	assert_has(r.err, "cannot open log file", "stderr");
	assert_lacks(r.err, "<libpmemblk>", "stderr");
	printf("unopenable log file: %s", r.err);
	run_free(&r);
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child(argv[2]);
	UT_ASSERT_EQ(mkdir(ps_path("pools"), 0700), 0);
	test_silent();
	test_levels();
	test_pid_suffix();
	test_unopenable();
	rmdir(ps_path("pools"));
	return 0;
}
