/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_conf_env.c -- PMEMBLK_CONF and PMEMBLK_CONF_FILE (doc/api-notes.md §7, §8.2,
 * §11 rows 45-47): read once when the library is loaded, so each case runs
 * this program again as a child with the environment set; the child prints
 * the five ctl values.
 *
 * Good strings and files apply (empty queries skipped, runs of '=' one
 * separator, first character of a boolean decides, '#' comments and all
 * whitespace of a file dropped, the file winning over the string); unknown
 * names and bad values are skipped silently. Where PMDK aborts the process
 * (a malformed query, a missing file: rows 46), ours reports the problem
 * once on stderr, ignores that source and runs on.
 */
#include <sys/stat.h>

#include "poolset_helpers.h"

static const char *const names[] = {"prefault.at_create",
	"prefault.at_open", "sds.at_create", "fallocate.at_create",
	"copy_on_write.at_open"};
#define NNAMES 5

#define DEFAULTS "0 0 1 1 0"

/* Child: the values, in the order of names[]. */
static int
child_print(void)
{
	for (int i = 0; i < NNAMES; i++) {
		int v;
		if (pmemblk_ctl_get(NULL, names[i], &v) != 0)
			return 1;
		printf(i ? " %d" : "%d", v);
	}
	printf("\n");
	return 0;
}

/* Child: create a pool with poolsize 0 on an existing (sparse) file. */
static int
child_create(const char *path)
{
	PMEMblkpool *pbp = pmemblk_create(path, 4096, 0, 0600);
	if (pbp == NULL) {
		fprintf(stderr, "create %s: %s\n", path, pmemblk_errormsg());
		return 1;
	}
	pmemblk_close(pbp);
	return 0;
}

static unsigned
count_lines(const char *s)
{
	unsigned n = 0;
	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/*
 * Runs the child with PMEMBLK_CONF = conf and PMEMBLK_CONF_FILE = file
 * (NULL: unset). It must exit 0 and print `want`; its stderr must be
 * empty, or with `complaint` exactly one line containing it.
 */
static void
expect(const char *label, const char *conf, const char *file,
	const char *want, const char *complaint)
{
	const char *argv[] = {ps_self(), "--child", NULL};
	struct ps_env env[] = {
		{"PMEMBLK_CONF", conf},
		{"PMEMBLK_CONF_FILE", file},
	};
	char *out, *err;
	int status = ps_run(argv, env, 2, &out, &err);
	if (status != 0)
		UT_FAIL("%s: child exit %d, stderr: %s", label, status, err);
	char line[64];
	snprintf(line, sizeof(line), "%s\n", want);
	if (strcmp(out, line) != 0)
		UT_FAIL("%s: values \"%.*s\", expected \"%s\"", label,
			(int)strcspn(out, "\n"), out, want);
	if (complaint == NULL && *err != '\0')
		UT_FAIL("%s: unexpected stderr: %s", label, err);
	if (complaint != NULL && (count_lines(err) != 1 ||
			strstr(err, complaint) == NULL))
		UT_FAIL("%s: stderr should be one line about %s, is: \"%s\"",
			label, complaint, err);
	printf("%-40s %s%s%s", label, want, complaint ? ", reported: " : "\n",
		complaint ? err : "");
	free(out);
	free(err);
}

static void
test_string(void)
{
	expect("nothing set", NULL, NULL, DEFAULTS, NULL);
	expect("every entry", "prefault.at_create=1;prefault.at_open=1;"
		"sds.at_create=0;fallocate.at_create=0;copy_on_write.at_open=1",
		NULL, "1 1 0 0 1", NULL);
	expect("empty queries (row 45)", ";;prefault.at_open=1;;", NULL,
		"0 1 1 1 0", NULL);
	expect("'==' is one separator", "prefault.at_open==1", NULL,
		"0 1 1 1 0", NULL);
	expect("unknown name skipped", "foo.bar=1;prefault.at_open=1", NULL,
		"0 1 1 1 0", NULL);
	expect("name past a leaf skipped",
		"prefault.at_open.x=1;sds.at_create=0", NULL, "0 0 0 1 0", NULL);
	expect("bad boolean skipped", "prefault.at_open=x;sds.at_create=n",
		NULL, "0 0 0 1 0", NULL);
	expect("blanks are not trimmed", "prefault.at_open = 1", NULL,
		DEFAULTS, NULL);
	expect("first character decides", "prefault.at_open=yes;"
		"sds.at_create=0x1;fallocate.at_create=No;prefault.at_create=Y",
		NULL, "1 1 0 0 0", NULL);
	expect("empty string", "", NULL, DEFAULTS, NULL);

	/* row 46: PMDK aborts; ours reports once and applies nothing */
	static const char *const malformed[] = {"a", "a=", "=1", "a=1=2",
		"prefault.at_open", "prefault.at_open=1;sds.at_create",
		"sds.at_create=0;=;prefault.at_open=1"};
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		char label[64];
		snprintf(label, sizeof(label), "malformed \"%s\"", malformed[i]);
		expect(label, malformed[i], NULL, DEFAULTS, "PMEMBLK_CONF");
	}
}

static void
test_file(void)
{
	const char *file = ps_path("conf");
	ps_text_write(file,
		"# a configuration file (row 47)\n"
		"prefault.   # a query may span lines\n"
		"  at_open = 1 ;\n"
		"\n"
		"sds.at_create\t=\t0;;  # the file wins over PMEMBLK_CONF\n");
	expect("file: comments, blanks, split lines", NULL, file, "0 1 0 1 0",
		NULL);
	expect("file wins over the string",
		"prefault.at_open=0;sds.at_create=1;fallocate.at_create=0",
		file, "0 1 0 0 0", NULL);

	expect("file missing (row 46)", NULL, ps_path("nofile"), DEFAULTS,
		"PMEMBLK_CONF_FILE");
	expect("file missing, string applies", "prefault.at_open=1",
		ps_path("nofile"), "0 1 1 1 0", "PMEMBLK_CONF_FILE");
	expect("file name empty", "prefault.at_open=1", "", "0 1 1 1 0",
		NULL);
	expect("file is a directory", NULL, ps_path("."), DEFAULTS,
		"PMEMBLK_CONF_FILE");

	ps_text_write(file, "sds.at_create=0;\nprefault.at_open\n");
	expect("file malformed", "fallocate.at_create=0", file, "0 0 1 0 0",
		"PMEMBLK_CONF_FILE");

	/* more than 1 MiB: refused as PMDK does (it aborts) */
	FILE *f = fopen(file, "w");
	UT_ASSERT(f != NULL);
	for (int i = 0; i < 70000; i++)
		fputs("prefault.at_open=1;\n", f);
	fclose(f);
	expect("file larger than 1 MiB", NULL, file, DEFAULTS,
		"PMEMBLK_CONF_FILE");
}

/* The settings act: fallocate.at_create=0 from the environment. */
static void
test_effect(void)
{
	const char *pool = ps_path("sparse");
	ut_file_make(pool, 64 << 20, 0600);
	const char *argv[] = {ps_self(), "--create", pool, NULL};
	struct ps_env env[] = {{"PMEMBLK_CONF", "fallocate.at_create=0"}};
	char *err;
	UT_ASSERT_EQ(ps_run(argv, env, 1, NULL, &err), 0);
	UT_ASSERT_EQ(*err, '\0');
	free(err);
	unsigned long long used = ps_file_allocated(pool);
	UT_ASSERT(used < (1 << 20));
	UT_ASSERT_EQ(pmemblk_check(pool, 4096), 1);
	printf("PMEMBLK_CONF=fallocate.at_create=0: create left %llu KiB "
		"allocated of 64 MiB\n", used >> 10);
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "--child") == 0)
		return child_print();
	if (argc == 3 && strcmp(argv[1], "--create") == 0)
		return child_create(argv[2]);
	test_string();
	test_file();
	test_effect();
	return 0;
}
