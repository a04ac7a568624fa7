/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_metadata_store.c -- the CPU-dependent metadata store
 * (doc/cpu_strategies.md) through ctl:
 *
 * - persist.metadata_store: default auto; get/set round trip of auto, nt
 *   and cached; other values, NULL arguments: -1/EINVAL, value unchanged;
 * - persist.metadata_store_in_force follows the setting (nt, cached) and
 *   for auto is what the CPU table says for this CPU's vendor and family
 *   as /proc/cpuinfo tells them (Intel: cached; AMD family >= 0x17: nt);
 * - read-only entries (in_force, reason, cpu.model) refuse set (EINVAL);
 *   cpu.model is /proc/cpuinfo's model name;
 * - a pool opened on pmem (PMEM_IS_PMEM_FORCE=1) gets the backend of the
 *   setting in force at its open and keeps it; msync pools are unchanged;
 * - PMEMBLK_CONF: persist.metadata_store=nt|cached|auto apply; a bad
 *   value or a query of a read-only entry is ignored.
 */
#include "blk.h"
#include "persist.h"
#include "poolset_helpers.h"

static int
get_int(const char *name)
{
	int v = -12345;
	if (pmemblk_ctl_get(NULL, name, &v) != 0)
		UT_FAIL("ctl_get %s: %s", name, pmemblk_errormsg());
	return v;
}

static const char *
get_string(const char *name)
{
	const char *s = NULL;
	if (pmemblk_ctl_get(NULL, name, &s) != 0)
		UT_FAIL("ctl_get %s: %s", name, pmemblk_errormsg());
	UT_ASSERT(s != NULL && *s != '\0');
	return s;
}

static void
set_int(const char *name, int v)
{
	if (pmemblk_ctl_set(NULL, name, &v) != 0)
		UT_FAIL("ctl_set %s: %s", name, pmemblk_errormsg());
}

/* A field of /proc/cpuinfo's first processor, or "" */
static void
cpuinfo_field(const char *key, char *out, size_t len)
{
	*out = '\0';
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f == NULL)
		return;
	char line[512];
	size_t klen = strlen(key);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) != 0 ||
				(line[klen] != '\t' && line[klen] != ' ' &&
				line[klen] != ':'))
			continue;
		const char *v = strchr(line, ':');
		if (v == NULL)
			break;
		v++;
		while (*v == ' ')
			v++;
		snprintf(out, len, "%.*s", (int)strcspn(v, "\n"), v);
		break;
	}
	fclose(f);
}

/* What auto must pick here, or -1 for a CPU the table does not name. */
static int
expected_auto(void)
{
#if defined(__x86_64__)
	char vendor[64], family[16];
	cpuinfo_field("vendor_id", vendor, sizeof(vendor));
	cpuinfo_field("cpu family", family, sizeof(family));
	if (strcmp(vendor, "GenuineIntel") == 0)
		return PMEMBLK_METADATA_STORE_CACHED;
	if (strcmp(vendor, "AuthenticAMD") == 0)
		return atoi(family) >= 0x17 ? PMEMBLK_METADATA_STORE_NT :
			PMEMBLK_METADATA_STORE_CACHED;
	return PMEMBLK_METADATA_STORE_CACHED;
#else
	return PMEMBLK_METADATA_STORE_CACHED;	/* no nt word store */
#endif
}

static void
test_entries(void)
{
	const char *st = "persist.metadata_store";
	const char *in_force = "persist.metadata_store_in_force";
	UT_ASSERT_EQ(get_int(st), PMEMBLK_METADATA_STORE_AUTO);
	int auto_choice = get_int(in_force);
	UT_ASSERT_EQ(auto_choice, expected_auto());
	printf("auto: %s (%s) on %s\n", auto_choice ==
		PMEMBLK_METADATA_STORE_NT ? "nt" : "cached",
		get_string("persist.metadata_store_reason"),
		get_string("cpu.model"));

	set_int(st, PMEMBLK_METADATA_STORE_NT);
	UT_ASSERT_EQ(get_int(st), PMEMBLK_METADATA_STORE_NT);
#if defined(__x86_64__)
	UT_ASSERT_EQ(get_int(in_force), PMEMBLK_METADATA_STORE_NT);
#endif
	UT_ASSERT(strstr(get_string("persist.metadata_store_reason"),
		"persist.metadata_store") != NULL);
	set_int(st, PMEMBLK_METADATA_STORE_CACHED);
	UT_ASSERT_EQ(get_int(st), PMEMBLK_METADATA_STORE_CACHED);
	UT_ASSERT_EQ(get_int(in_force), PMEMBLK_METADATA_STORE_CACHED);

	/* invalid values: refused, the setting stays */
	static const int bad[] = {3, -1, 100};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int v = bad[i];
		UT_ASSERT_ERR(pmemblk_ctl_set(NULL, st, &v), EINVAL);
		UT_ASSERT_MSG("invalid value");
		UT_ASSERT_EQ(get_int(st), PMEMBLK_METADATA_STORE_CACHED);
	}
	UT_ASSERT_ERR(pmemblk_ctl_set(NULL, st, NULL), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_get(NULL, st, NULL), EINVAL);
	/* names around it are not entries */
	int v = 0;
	UT_ASSERT_ERR(pmemblk_ctl_get(NULL, "persist", &v), EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_get(NULL, "persist.metadata_store.x", &v),
		EINVAL);
	UT_ASSERT_ERR(pmemblk_ctl_exec(NULL, st, &v), EINVAL);

	/* read-only entries */
	static const char *const ro[] = {"persist.metadata_store_in_force",
		"persist.metadata_store_reason", "cpu.model"};
	for (size_t i = 0; i < 3; i++) {
		v = PMEMBLK_METADATA_STORE_NT;
		UT_ASSERT_ERR(pmemblk_ctl_set(NULL, ro[i], &v), EINVAL);
		UT_ASSERT_MSG("read-only");
		UT_ASSERT_ERR(pmemblk_ctl_get(NULL, ro[i], NULL), EINVAL);
	}
	UT_ASSERT_EQ(get_int(in_force), PMEMBLK_METADATA_STORE_CACHED);

	set_int(st, PMEMBLK_METADATA_STORE_AUTO);
	UT_ASSERT_EQ(get_int(in_force), auto_choice);

	char model[256];
	cpuinfo_field("model name", model, sizeof(model));
	if (model[0] != '\0')
		UT_ASSERT(strcmp(get_string("cpu.model"), model) == 0);
}

static PMEMblkpool *
open_forced(const char *path, const char *force)
{
	UT_ASSERT(setenv("PMEM_IS_PMEM_FORCE", force, 1) == 0);
	PMEMblkpool *pbp = pmemblk_open(path, 512);
	if (pbp == NULL)
		UT_FAIL("open %s: %s", path, pmemblk_errormsg());
	return pbp;
}

/*
 * Each pool has the backend of its open, whatever is set later. Runs in
 * a child started with PMEM_IS_PMEM_FORCE=1 (libpmem reads it at load);
 * "0" is read at every open, so it can be set here.
 */
static int
child_pools(void)
{
	const char *path = ps_path("ms");
	ut_pool_make(path, 512, PMEMBLK_MIN_POOL, 0);
	const char *st = "persist.metadata_store";

	set_int(st, PMEMBLK_METADATA_STORE_NT);
	PMEMblkpool *nt = open_forced(path, "1");
	PMEMblkpool *ms = NULL;
	set_int(st, PMEMBLK_METADATA_STORE_CACHED);
#if defined(__x86_64__)
	UT_ASSERT(nt->pf.ops == &persist_pmem_nt);
#endif
	/* the pool stays usable and keeps its backend */
	char buf[512], back[512];
	ut_fill(buf, sizeof(buf), 15, 3);
	UT_ASSERT_EQ(pmemblk_write(nt, buf, 3), 0);
	pmemblk_close(nt);

	PMEMblkpool *c = open_forced(path, "1");
	UT_ASSERT(c->pf.ops == &persist_pmem);
	UT_ASSERT_EQ(pmemblk_read(c, back, 3), 0);
	UT_ASSERT(memcmp(buf, back, sizeof(buf)) == 0);
	pmemblk_close(c);

	/* not pmem: msync whatever the setting */
	set_int(st, PMEMBLK_METADATA_STORE_NT);
	ms = open_forced(path, "0");
	UT_ASSERT(ms->pf.ops == &persist_msync);
	pmemblk_close(ms);
	set_int(st, PMEMBLK_METADATA_STORE_AUTO);
	printf("pools ok\n");
	return 0;
}

static void
test_pools(void)
{
	const char *argv[] = {ps_self(), "--pools", NULL};
	struct ps_env env[] = {{"PMEM_IS_PMEM_FORCE", "1"},
		{"PMEMBLK_CONF", NULL}};
	char *out, *err;
	int status = ps_run(argv, env, 2, &out, &err);
	if (status != 0 || strcmp(out, "pools ok\n") != 0)
		UT_FAIL("pools child: exit %d, stdout %s, stderr %s", status,
			out, err);
	free(out);
	free(err);
}

/* Child: setting, in force. */
static int
child_print(void)
{
	printf("%d %d\n", get_int("persist.metadata_store"),
		get_int("persist.metadata_store_in_force"));
	return 0;
}

static void
expect_conf(const char *conf, int setting, int in_force)
{
	const char *argv[] = {ps_self(), "--child", NULL};
	struct ps_env env[] = {{"PMEMBLK_CONF", conf},
		{"PMEMBLK_CONF_FILE", NULL}};
	char *out, *err;
	int status = ps_run(argv, env, 2, &out, &err);
	if (status != 0)
		UT_FAIL("%s: child exit %d, stderr: %s", conf, status, err);
	char want[64];
	snprintf(want, sizeof(want), "%d %d\n", setting, in_force);
	if (strcmp(out, want) != 0)
		UT_FAIL("PMEMBLK_CONF=\"%s\": got \"%s\", expected \"%s\"",
			conf, out, want);
	if (*err != '\0')
		UT_FAIL("%s: unexpected stderr: %s", conf, err);
	free(out);
	free(err);
}

static void
test_env(void)
{
	int a = expected_auto();
	int nt = PMEMBLK_METADATA_STORE_NT;
#if !defined(__x86_64__)
	nt = PMEMBLK_METADATA_STORE_CACHED;
#endif
	expect_conf("persist.metadata_store=nt", PMEMBLK_METADATA_STORE_NT,
		nt);
	expect_conf("persist.metadata_store=cached",
		PMEMBLK_METADATA_STORE_CACHED, PMEMBLK_METADATA_STORE_CACHED);
	expect_conf("persist.metadata_store=nt;persist.metadata_store=auto",
		PMEMBLK_METADATA_STORE_AUTO, a);
	/* ignored: a bad value, a number, a read-only entry */
	expect_conf("persist.metadata_store=fast",
		PMEMBLK_METADATA_STORE_AUTO, a);
	expect_conf("persist.metadata_store=1", PMEMBLK_METADATA_STORE_AUTO,
		a);
	expect_conf("persist.metadata_store_in_force=nt",
		PMEMBLK_METADATA_STORE_AUTO, a);
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "--child") == 0)
		return child_print();
	if (argc == 2 && strcmp(argv[1], "--pools") == 0)
		return child_pools();
	test_entries();
	test_pools();
	test_env();
	printf("ctl_metadata_store: ok\n");
	return 0;
}
