/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset_refuse.c -- every pool set the library must refuse, with the
 * errno doc/api-notes.md §4.1-4.2 and §11 rows 49-50 give (the same as PMDK
 * 1.12.1's, observed), and what a refusal leaves behind: no part file
 * created, existing files unchanged.
 */
#include <sys/stat.h>

#include "poolset_helpers.h"

#define MiB ((size_t)1 << 20)

/* create(set, 512, 0), open and check of `set` all fail with err. */
static void
expect_refused(const char *label, const char *set, int err, const char *msg)
{
	errno = 0;
	PMEMblkpool *pbp = pmemblk_create(set, 512, 0, 0600);
	if (pbp != NULL || errno != err)
		UT_FAIL("%s: create: %p errno %d (%s), expected %d", label,
			(void *)pbp, errno, pmemblk_errormsg(), err);
	if (msg != NULL && strstr(pmemblk_errormsg(), msg) == NULL)
		UT_FAIL("%s: message \"%s\" lacks \"%s\"", label,
			pmemblk_errormsg(), msg);
	errno = 0;
	pbp = pmemblk_open(set, 0);
	if (pbp != NULL || errno != err)
		UT_FAIL("%s: open: %p errno %d (%s), expected %d", label,
			(void *)pbp, errno, pmemblk_errormsg(), err);
	errno = 0;
	int r = pmemblk_check(set, 0);
	if (r != -1 || errno != err)
		UT_FAIL("%s: check: %d errno %d (%s), expected -1 errno %d",
			label, r, errno, pmemblk_errormsg(), err);
}

static void
expect_create_refused(const char *label, const char *set, size_t poolsize,
	int err, const char *msg)
{
	errno = 0;
	PMEMblkpool *pbp = pmemblk_create(set, 512, poolsize, 0600);
	if (pbp != NULL || errno != err)
		UT_FAIL("%s: create: %p errno %d (%s), expected %d", label,
			(void *)pbp, errno, pmemblk_errormsg(), err);
	if (msg != NULL && strstr(pmemblk_errormsg(), msg) == NULL)
		UT_FAIL("%s: message \"%s\" lacks \"%s\"", label,
			pmemblk_errormsg(), msg);
}

/* Set files refused for what they say, before any part is touched. */
static void
test_syntax(void)
{
	const char *p0 = ps_path("syn0"), *p1 = ps_path("syn1");
	const struct {
		const char *label;
		const char *text;	/* %1$s, %2$s: two part paths */
		int err;
		const char *msg;
	} cases[] = {
		{"relative path", "PMEMPOOLSET\n16M %1$s\n16M part1\n", EINVAL,
			"absolute"},
		{"bad suffix", "PMEMPOOLSET\n16X %1$s\n16M %2$s\n", EINVAL,
			"size"},
		{"lower-case suffix", "PMEMPOOLSET\n16m %1$s\n16M %2$s\n",
			EINVAL, "size"},
		{"size 0", "PMEMPOOLSET\n0 %1$s\n16M %2$s\n", EINVAL, "size"},
		{"decimal point", "PMEMPOOLSET\n16.5M %1$s\n16M %2$s\n", EINVAL,
			"size"},
		{"AUTO (device DAX)", "PMEMPOOLSET\nAUTO %1$s\n", EINVAL, "AUTO"},
		{"no path", "PMEMPOOLSET\n16M\n", EINVAL, NULL},
		{"extra token", "PMEMPOOLSET\n16M %1$s x\n16M %2$s\n", EINVAL,
			NULL},
		{"garbage line", "PMEMPOOLSET\n16M %1$s\nfoo\n16M %2$s\n",
			EINVAL, NULL},
		{"first line", "PMEMPOOLSETX\n16M %1$s\n16M %2$s\n", EINVAL,
			"first line"},
		{"first line trailing blank",
			"PMEMPOOLSET \n16M %1$s\n16M %2$s\n", EINVAL,
			"first line"},
		{"no parts", "PMEMPOOLSET\n# nothing\n", EINVAL, "no parts"},
		{"unknown option", "PMEMPOOLSET\nOPTION FOO\n16M %1$s\n",
			EINVAL, "option"},
		{"OPTION alone", "PMEMPOOLSET\nOPTION\n16M %1$s\n", EINVAL,
			"OPTION"},
		{"NOHDRS", "PMEMPOOLSET\nOPTION NOHDRS\n16M %1$s\n16M %2$s\n",
			EINVAL, "NOHDRS"},
		{"SINGLEHDR NOHDRS",
			"PMEMPOOLSET\nOPTION SINGLEHDR NOHDRS\n16M %1$s\n", EINVAL,
			"NOHDRS"},
		{"local replica", "PMEMPOOLSET\n16M %1$s\n16M %2$s\nREPLICA\n"
			"32M %1$s.r\n", EOPNOTSUPP, "replication not supported"},
		{"remote replica", "PMEMPOOLSET\n16M %1$s\n16M %2$s\n"
			"REPLICA host pool.set\n", EOPNOTSUPP,
			"replication not supported"},
		{"replica without parts", "PMEMPOOLSET\n16M %1$s\n16M %2$s\n"
			"REPLICA\n", EINVAL, "no parts"},
		{"REPLICA with one word", "PMEMPOOLSET\n32M %1$s\nREPLICA x\n",
			EINVAL, "REPLICA"},
		{"size beyond off_t", "PMEMPOOLSET\n99999999999999999999 %1$s\n",
			EFBIG, NULL},
		{"size beyond off_t with suffix",
			"PMEMPOOLSET\n8192P %1$s\n", EFBIG, NULL},
		{"suffix past 2^64", "PMEMPOOLSET\n16777216P %1$s\n", EINVAL,
			"size"},
		{"part of 1 MiB (doc/api-notes.md §11 row 49)",
			"PMEMPOOLSET\n32M %1$s\n1M %2$s\n", EINVAL,
			"smaller than 2097152"},
		{"part of 2 MiB - 1", "PMEMPOOLSET\n32M %1$s\n2097151 %2$s\n",
			EINVAL, "smaller than 2097152"},
	};
	const char *set = ps_path("syntax.set");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ps_text_write(set, cases[i].text, p0, p1);
		expect_refused(cases[i].label, set, cases[i].err, cases[i].msg);
		UT_ASSERT(!ut_file_exists(p0));
		UT_ASSERT(!ut_file_exists(p1));
	}
	/* create only: open looks for the parts first (ENOENT) */
	ps_text_write(set, "PMEMPOOLSET\n8M %s\n8M %s\n", p0, p1);
	expect_create_refused("pool below PMEMBLK_MIN_POOL", set, 0, EINVAL,
		"smaller than");
	UT_ASSERT(!ut_file_exists(p0));
}

/* A healthy 2 x 16 MiB set with a written block, for the cases below. */
static const char *
make_set(const char *name, bool singlehdr, char parts[][PS_PATH_MAX])
{
	const char *set = ps_path("%s.set", name);
	size_t sizes[2] = {16 * MiB, 16 * MiB};
	ps_set_write(set, singlehdr, 2, sizes, name, parts);
	PMEMblkpool *pbp = pmemblk_create(set, 512, 0, 0600);
	UT_ASSERT(pbp != NULL);
	char buf[512];
	ut_fill(buf, sizeof(buf), 1, 60000);	/* lands in part 1 */
	UT_ASSERT_EQ(pmemblk_write(pbp, buf, 60000), 0);
	pmemblk_close(pbp);
	return set;
}

static void
expect_open_refused(const char *label, const char *path, int err,
	const char *msg)
{
	errno = 0;
	PMEMblkpool *pbp = pmemblk_open(path, 0);
	if (pbp != NULL || errno != err)
		UT_FAIL("%s: open: %p errno %d (%s), expected %d", label,
			(void *)pbp, errno, pmemblk_errormsg(), err);
	if (msg != NULL && strstr(pmemblk_errormsg(), msg) == NULL)
		UT_FAIL("%s: message \"%s\" lacks \"%s\"", label,
			pmemblk_errormsg(), msg);
	errno = 0;
	int r = pmemblk_check(path, 0);
	if (r != -1 || errno != err)
		UT_FAIL("%s: check: %d errno %d, expected -1 errno %d", label,
			r, errno, err);
}

/* Sets whose parts do not match what the set file and headers say. */
static void
test_parts(void)
{
	char parts[2][PS_PATH_MAX], other[2][PS_PATH_MAX];
	const char *set = make_set("good", false, parts);
	struct ut_snapshot snap[2];
	for (unsigned k = 0; k < 2; k++)
		ut_snapshot_take(parts[k], &snap[k]);
	const char *bad = ps_path("bad.set");

	/* doc/api-notes.md §11 row 50: a part on its own */
	expect_open_refused("part 0 alone", parts[0], EINVAL, "wrong part UUID");
	expect_open_refused("part 1 alone", parts[1], EINVAL, "wrong part UUID");
	ps_text_write(bad, "PMEMPOOLSET\n16M %s\n", parts[0]);
	expect_open_refused("set of part 0 only", bad, EINVAL,
		"wrong part UUID");

	/* parts in the wrong order */
	ps_text_write(bad, "PMEMPOOLSET\n16M %s\n16M %s\n", parts[1], parts[0]);
	expect_open_refused("parts swapped", bad, EINVAL, "UUID");

	/* a missing part */
	const char *missing = ps_path("missing");
	ps_text_write(bad, "PMEMPOOLSET\n16M %s\n16M %s\n", parts[0], missing);
	expect_open_refused("missing part", bad, ENOENT, NULL);
	ps_text_write(bad, "PMEMPOOLSET\n16M %s\n16M %s\n16M %s\n", parts[0],
		parts[1], missing);
	expect_open_refused("missing third part", bad, ENOENT, NULL);

	/* a part of another set of the same shape */
	make_set("other", false, other);
	ps_text_write(bad, "PMEMPOOLSET\n16M %s\n16M %s\n", parts[0], other[1]);
	expect_open_refused("foreign part", bad, EINVAL, "UUID");

	/* sizes: the set file and the part files must agree exactly */
	ps_text_write(bad, "PMEMPOOLSET\n16M %s\n15M %s\n", parts[0], parts[1]);
	expect_open_refused("set says smaller", bad, EINVAL, "size");
	ps_text_write(bad, "PMEMPOOLSET\n17M %s\n16M %s\n", parts[0], parts[1]);
	expect_open_refused("set says larger", bad, EINVAL, "size");
	ut_file_truncate(parts[1], 17 * MiB);
	expect_open_refused("part grown", set, EINVAL, "size");
	ut_file_truncate(parts[1], 16 * MiB);

	/* SINGLEHDR must agree between the set file and the pool */
	ps_text_write(bad, "PMEMPOOLSET\nOPTION SINGLEHDR\n16M %s\n16M %s\n",
		parts[0], parts[1]);
	expect_open_refused("SINGLEHDR option, pool without", bad, EINVAL,
		NULL);
	char sh[2][PS_PATH_MAX];
	make_set("sh", true, sh);
	ps_text_write(bad, "PMEMPOOLSET\n16M %s\n16M %s\n", sh[0], sh[1]);
	expect_open_refused("SINGLEHDR pool, set without", bad, EINVAL, NULL);
	expect_open_refused("SINGLEHDR part 0 alone", sh[0], EINVAL,
		"do not match");

	/* a damaged header in part 1 */
	struct pool_hdr h;
	ut_hdr_load(parts[1], &h);
	h.crtime ^= 1;
	ut_hdr_store(parts[1], &h, false);
	expect_open_refused("part 1 header checksum", set, EINVAL, "checksum");
	h.crtime ^= 1;
	ut_hdr_store(parts[1], &h, false);
	/* a valid header whose features differ from part 0's */
	h.compat = 0;
	ut_hdr_store(parts[1], &h, true);
	expect_open_refused("part 1 features", set, EINVAL, "features");
	h.compat = POOL_FEAT_CHECK_BAD_BLOCKS;
	ut_hdr_store(parts[1], &h, true);

	/* directory parts: PMDK grows SINGLEHDR sets in them; we do not */
	const char *dir = ps_path("dirpart");
	UT_ASSERT_EQ(mkdir(dir, 0700), 0);
	ps_text_write(bad, "PMEMPOOLSET\n16M %s\n16M %s\n", parts[0], dir);
	expect_open_refused("directory part", bad, EINVAL, "directory");
	ps_text_write(bad, "PMEMPOOLSET\nOPTION SINGLEHDR\n32M %s\n", dir);
	expect_refused("SINGLEHDR directory part", bad, EOPNOTSUPP,
		"directory");
	rmdir(dir);

	/* nothing above changed the good set */
	for (unsigned k = 0; k < 2; k++)
		ut_snapshot_assert_same(parts[k], &snap[k]);
	UT_ASSERT_EQ(pmemblk_check(set, 512), 1);
}

/* Refusals of create: what existed stays, what create made goes. */
static void
test_create(void)
{
	const char *set = ps_path("cr.set");
	char parts[3][PS_PATH_MAX];
	size_t sizes[3] = {16 * MiB, 16 * MiB, 16 * MiB};
	ps_set_write(set, false, 3, sizes, "cr", parts);

	/* doc/api-notes.md §11 row 49: poolsize != 0 on an existing set file */
	expect_create_refused("poolsize != 0", set, 64 * MiB, EEXIST,
		"already exists");

	/* an existing part that is not empty (header byte 100) */
	ut_file_make(parts[1], 16 * MiB, 0644);
	uint8_t one = 1;
	ut_file_write_at(parts[1], 100, &one, 1);
	struct ut_snapshot snap;
	ut_snapshot_take(parts[1], &snap);
	expect_create_refused("non-empty part", set, 0, EEXIST, "Non-empty");
	UT_ASSERT(!ut_file_exists(parts[0]));
	UT_ASSERT(!ut_file_exists(parts[2]));
	ut_snapshot_assert_same(parts[1], &snap);

	/* an existing part of another size than the set says */
	ut_file_make(parts[1], 17 * MiB, 0644);
	expect_create_refused("part size", set, 0, EINVAL, "size");
	UT_ASSERT(!ut_file_exists(parts[0]));
	UT_ASSERT_EQ(ut_file_size(parts[1]), 17 * MiB);
	unlink(parts[1]);

	/* a part in a directory that does not exist */
	const char *nodir = ps_path("nodir/part");
	ps_text_write(set, "PMEMPOOLSET\n16M %s\n16M %s\n", parts[0], nodir);
	expect_create_refused("missing directory", set, 0, ENOENT, NULL);
	UT_ASSERT(!ut_file_exists(parts[0]));

	/* the same file twice: its second lock fails */
	ps_text_write(set, "PMEMPOOLSET\n16M %s\n16M %s\n", parts[0], parts[0]);
	expect_create_refused("part listed twice", set, 0, EAGAIN, "flock");
	UT_ASSERT(!ut_file_exists(parts[0]));

	/* a block size the set cannot hold: nothing is left */
	ps_set_write(set, false, 3, sizes, "cr", parts);
	errno = 0;
	UT_ASSERT(pmemblk_create(set, 1 << 20, 0, 0600) == NULL);
	UT_ASSERT_EQ(errno, EINVAL);
	for (unsigned k = 0; k < 3; k++)
		UT_ASSERT(!ut_file_exists(parts[k]));

	/* a part locked by someone else (an open pool holding it) */
	char held[2][PS_PATH_MAX];
	const char *hset = make_set("held", false, held);
	PMEMblkpool *pbp = pmemblk_open(hset, 0);
	UT_ASSERT(pbp != NULL);
	ps_text_write(set, "PMEMPOOLSET\n16M %s\n16M %s\n", parts[0], held[1]);
	expect_create_refused("locked part", set, 0, EAGAIN, NULL);
	UT_ASSERT(!ut_file_exists(parts[0]));
	pmemblk_close(pbp);

	/* an existing pool set cannot be created over */
	expect_create_refused("existing pool", hset, 0, EEXIST, "Non-empty");
	UT_ASSERT_EQ(pmemblk_check(hset, 512), 1);
}

int
main(void)
{
	test_syntax();
	test_parts();
	test_create();
	return 0;
}
