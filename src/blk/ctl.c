/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl.c -- the ctl namespace (doc/api-notes.md §8): pmemblk_ctl_get/set/exec, and
 * the configuration read from PMEMBLK_CONF and PMEMBLK_CONF_FILE when the
 * library is loaded.
 *
 * libpmemblk's entries are global: five read-write ints of PMDK's, the
 * metadata store choice (doc/cpu_strategies.md) and read-only queries of
 * what is in force and on which CPU. A query name must be one exactly: a prefix ("prefault"), a name continuing
 * past a leaf ("prefault.at_create.x") or anything else is -1/EINVAL.
 *
 * Configuration errors never stop the program. PMDK aborts the process on
 * a malformed PMEMBLK_CONF or a missing PMEMBLK_CONF_FILE; we report it
 * once on stderr and ignore that source entirely (nothing of it applies).
 * Unknown names and invalid values inside a well-formed source are
 * skipped, as PMDK does (logged at level 2).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "blk.h"
#include "cpu.h"
#include "libpmemblk.h"
#include "log.h"
#include "out.h"
#include "persist.h"

/* PMDK refuses larger configuration files too. */
#define CONF_FILE_MAX ((size_t)1 << 20)

/* Written by ctl_set and the constructor, read by create and open. */
static struct blk_config config = {
	.sds_at_create = 1,
	.fallocate_at_create = 1,
};

/*
 * An entry is one of the blk_config ints (read-write, a boolean in a
 * configuration), or one with its own handlers: the metadata store
 * setting, and read-only queries of what is in force.
 */
enum ctl_kind {
	CTL_CONFIG,		/* int at `off` in struct blk_config */
	CTL_METADATA_STORE,	/* int, persist.h's setting */
	CTL_RO_INT,		/* read-only int from get_int() */
	CTL_RO_STRING,		/* read-only const char * from get_string() */
	CTL_POOL_RO_INT,	/* read-only int of one pool, from get_pool() */
	CTL_POOL_EXEC,		/* an action on one pool, exec_pool() */
};

/* What the open of this pool's BTT found (pmemblk check --repair). */
static int
recovered_at_open(struct pmemblk *pbp)
{
	return (int)btt_nrecovered(pbp->btt);
}

static int
info_repairs_pending(struct pmemblk *pbp)
{
	return (int)btt_nprimary_repairs(pbp->btt);
}

/*
 * Rewrites now the primary info blocks that open read from their backups
 * (the library would do it before the first write anyway), so that a
 * repair needs no block write. Refused on a read-only pool.
 */
static int
repair_info(struct pmemblk *pbp)
{
	if (pbp->rdonly)
		return err_set(EROFS, "the pool is read-only");
	if (btt_nprimary_repairs(pbp->btt) == 0)
		return 0;
	return btt_prepare_write(pbp->btt);
}

static int
store_in_force(void)
{
	return (int)persist_word_store_resolved(NULL);
}

static const char *
store_reason(void)
{
	const char *why;
	(void) persist_word_store_resolved(&why);
	return why;
}

static const char *
cpu_model(void)
{
	return cpu_info()->model_name;
}

static const struct ctl_entry {
	const char *name;
	enum ctl_kind kind;
	size_t off;
	int (*get_int)(void);
	const char *(*get_string)(void);
	int (*pool_fn)(struct pmemblk *pbp);	/* CTL_POOL_* */
} entries[] = {
	{"prefault.at_create", CTL_CONFIG,
		offsetof(struct blk_config, prefault_at_create), NULL, NULL, NULL},
	{"prefault.at_open", CTL_CONFIG,
		offsetof(struct blk_config, prefault_at_open), NULL, NULL, NULL},
	{"sds.at_create", CTL_CONFIG,
		offsetof(struct blk_config, sds_at_create), NULL, NULL, NULL},
	{"fallocate.at_create", CTL_CONFIG,
		offsetof(struct blk_config, fallocate_at_create), NULL, NULL, NULL},
	{"copy_on_write.at_open", CTL_CONFIG,
		offsetof(struct blk_config, copy_on_write_at_open), NULL, NULL, NULL},
	{"persist.metadata_store", CTL_METADATA_STORE, 0, NULL, NULL, NULL},
	{"persist.metadata_store_in_force", CTL_RO_INT, 0, store_in_force,
		NULL, NULL},
	{"persist.metadata_store_reason", CTL_RO_STRING, 0, NULL,
		store_reason, NULL},
	{"cpu.model", CTL_RO_STRING, 0, NULL, cpu_model, NULL},
	{"btt.recovered_at_open", CTL_POOL_RO_INT, 0, NULL, NULL,
		recovered_at_open},
	{"btt.info_repairs_pending", CTL_POOL_RO_INT, 0, NULL, NULL,
		info_repairs_pending},
	{"btt.repair_info", CTL_POOL_EXEC, 0, NULL, NULL, repair_info},
};

#define NENTRIES (sizeof(entries) / sizeof(entries[0]))

static int *
field(struct blk_config *cfg, const struct ctl_entry *e)
{
	return (int *)((char *)cfg + e->off);
}

void
blk_config_snapshot(struct blk_config *cfg)
{
	for (size_t i = 0; i < NENTRIES; i++)
		if (entries[i].kind == CTL_CONFIG)
			*field(cfg, &entries[i]) = __atomic_load_n(
				field(&config, &entries[i]),
				__ATOMIC_RELAXED);
}

static const struct ctl_entry *
entry_find(const char *name)
{
	for (size_t i = 0; i < NENTRIES; i++)
		if (strcmp(entries[i].name, name) == 0)
			return &entries[i];
	return NULL;
}

/* The entry a query names, or NULL with errno and message set. */
static const struct ctl_entry *
query_entry(const char *name)
{
	if (name == NULL) {
		err_set(EINVAL, "invalid query");
		return NULL;
	}
	const struct ctl_entry *e = entry_find(name);
	if (e == NULL)
		err_set(EINVAL, "invalid query entry point %s", name);
	return e;
}

EXPORT int
pmemblk_ctl_get(PMEMblkpool *pbp, const char *name, void *arg)
{
	const struct ctl_entry *e = query_entry(name);
	if (e == NULL)
		return -1;
	if (arg == NULL)
		return err_set(EINVAL,
			"read/write queries require non-NULL argument");
	switch (e->kind) {
	case CTL_POOL_EXEC:
		return err_set(EINVAL, "%s has no read handler", name);
	case CTL_POOL_RO_INT:
		if (pbp == NULL)
			return err_set(EINVAL, "%s needs a pool handle", name);
		*(int *)arg = e->pool_fn(pbp);
		break;
	case CTL_CONFIG:
		*(int *)arg = __atomic_load_n(field(&config, e),
			__ATOMIC_RELAXED);
		break;
	case CTL_METADATA_STORE:
		*(int *)arg = (int)persist_word_store_get();
		break;
	case CTL_RO_INT:
		*(int *)arg = e->get_int();
		break;
	case CTL_RO_STRING:
		*(const char **)arg = e->get_string();
		LOG(3, "%s -> %s", name, *(const char **)arg);
		return 0;
	}
	LOG(3, "%s -> %d", name, *(int *)arg);
	return 0;
}

EXPORT int
pmemblk_ctl_set(PMEMblkpool *pbp, const char *name, void *arg)
{
	(void) pbp;	/* every writable entry is global */
	const struct ctl_entry *e = query_entry(name);
	if (e == NULL)
		return -1;
	if (e->kind == CTL_RO_INT || e->kind == CTL_RO_STRING ||
			e->kind == CTL_POOL_RO_INT || e->kind == CTL_POOL_EXEC)
		return err_set(EINVAL, "%s is read-only", name);
	if (arg == NULL)
		return err_set(EINVAL,
			"read/write queries require non-NULL argument");
	int v = *(const int *)arg;
	if (e->kind == CTL_METADATA_STORE) {
		if (persist_word_store_set(v) != 0)
			return err_set(EINVAL,
				"invalid value %d for %s (PMEMBLK_METADATA_STORE_AUTO, _NT or _CACHED)",
				v, name);
	} else {
		/* stored as given (5 reads back 5); non-zero means on */
		__atomic_store_n(field(&config, e), v, __ATOMIC_RELAXED);
	}
	LOG(3, "%s = %d", name, v);
	return 0;
}

EXPORT int
pmemblk_ctl_exec(PMEMblkpool *pbp, const char *name, void *arg)
{
	(void) arg;
	const struct ctl_entry *e = query_entry(name);
	if (e == NULL)
		return -1;
	if (e->kind != CTL_POOL_EXEC)
		return err_set(EINVAL, "%s has no exec handler", name);
	if (pbp == NULL)
		return err_set(EINVAL, "%s needs a pool handle", name);
	return e->pool_fn(pbp);
}

/* ------------------------------------------------------------------ */
/* PMEMBLK_CONF and PMEMBLK_CONF_FILE                                  */

struct conf_query {
	const char *name;
	const char *value;
};

/* A configuration boolean: the first character decides. */
static int
conf_bool(const char *value, int *out)
{
	switch (value[0]) {
	case 'y': case 'Y': case '1':
		*out = 1;
		return 0;
	case 'n': case 'N': case '0':
		*out = 0;
		return 0;
	default:
		return -1;
	}
}

/* persist.metadata_store in a configuration: a name, not a number. */
static int
conf_metadata_store(const char *value, int *out)
{
	static const int values[] = {PERSIST_WORD_AUTO, PERSIST_WORD_NT,
		PERSIST_WORD_CACHED};
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		if (strcmp(value, persist_word_store_name(
				(enum persist_word_store)values[i])) == 0) {
			*out = values[i];
			return 0;
		}
	}
	return -1;
}

static void
conf_apply_one(const struct conf_query *q, const char *source)
{
	const struct ctl_entry *e = entry_find(q->name);
	int v;
	if (e == NULL) {
		LOG(2, "%s: unknown query %s ignored", source, q->name);
	} else if (e->kind == CTL_RO_INT || e->kind == CTL_RO_STRING ||
			e->kind == CTL_POOL_RO_INT || e->kind == CTL_POOL_EXEC) {
		LOG(2, "%s: %s is read-only, ignored", source, q->name);
	} else if (e->kind == CTL_METADATA_STORE) {
		if (conf_metadata_store(q->value, &v) != 0)
			LOG(2, "%s: invalid value \"%s\" for %s ignored (auto, nt or cached)",
				source, q->value, q->name);
		else
			(void) persist_word_store_set(v);
	} else if (conf_bool(q->value, &v) != 0) {
		LOG(2, "%s: invalid value \"%s\" for %s ignored", source,
			q->value, q->name);
	} else {
		__atomic_store_n(field(&config, e), v, __ATOMIC_RELAXED);
	}
}

/*
 * Splits "name=value;name=value" (empty queries skipped; runs of '=' count
 * as one, as PMDK's tokenizer does) and applies it, but only if every
 * query is well formed: a query without a value or with a second value
 * ("a", "a=", "=1", "a=1=2") makes the whole source ignored. `text` is
 * modified.
 */
static void
conf_apply(char *text, const char *source)
{
	size_t max = 1;
	for (const char *p = text; *p != '\0'; p++)
		max += *p == ';';
	struct conf_query *q = blk_malloc(max * sizeof(*q));
	if (q == NULL) {
		fprintf(stderr, "libpmemblk: %s: out of memory, ignored\n",
			source);
		return;
	}
	size_t n = 0;
	char *save = NULL;
	for (char *query = strtok_r(text, ";", &save); query != NULL;
			query = strtok_r(NULL, ";", &save)) {
		char shown[64];	/* the query as written, for the message */
		snprintf(shown, sizeof(shown), "%s", query);
		char *qsave = NULL;
		char *name = strtok_r(query, "=", &qsave);
		char *value = strtok_r(NULL, "=", &qsave);
		if (name == NULL || value == NULL ||
				strtok_r(NULL, "=", &qsave) != NULL) {
			fprintf(stderr,
				"libpmemblk: %s: malformed query \"%s\" (expected name=value); configuration ignored\n",
				source, shown);
			blk_free(q);
			return;
		}
		q[n].name = name;
		q[n].value = value;
		n++;
	}
	for (size_t i = 0; i < n; i++)
		conf_apply_one(&q[i], source);
	blk_free(q);
}

/*
 * The configuration file: the same queries, with '#' comments to the end
 * of a line and all whitespace removed (a query may span lines).
 */
static char *
conf_file_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	const char *why = NULL;
	char *text = NULL;
	if (fd < 0 || fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if ((size_t)st.st_size > CONF_FILE_MAX)
		why = "larger than 1 MiB";
	else if ((text = blk_malloc((size_t)st.st_size + 1)) == NULL)
		why = "out of memory";

	size_t len = 0;
	while (why == NULL && len < (size_t)st.st_size) {
		ssize_t r = read(fd, text + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			why = strerror(errno);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	if (why != NULL) {
		fprintf(stderr,
			"libpmemblk: PMEMBLK_CONF_FILE \"%s\": %s; configuration ignored\n",
			path, why);
		if (text != NULL)
			blk_free(text);
		return NULL;
	}

	size_t out = 0;
	bool comment = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n')
			comment = false;
		else if (c == '#')
			comment = true;
		if (!comment && c != '\0' && !isspace((unsigned char)c))
			text[out++] = c;
	}
	text[out] = '\0';
	return text;
}

static void
conf_load_env(void)
{
	const char *conf = secure_getenv("PMEMBLK_CONF");
	if (conf != NULL) {
		size_t len = strlen(conf) + 1;
		char *copy = blk_malloc(len);
		if (copy != NULL) {
			memcpy(copy, conf, len);
			conf_apply(copy, "PMEMBLK_CONF");
			blk_free(copy);
		}
	}
	/* the file second: it wins over PMEMBLK_CONF */
	const char *file = secure_getenv("PMEMBLK_CONF_FILE");
	if (file != NULL && *file != '\0') {
		char *text = conf_file_read(file);
		if (text != NULL) {
			conf_apply(text, "PMEMBLK_CONF_FILE");
			blk_free(text);
		}
	}
}

/* Library load: the log first, so that configuration can be logged. */
__attribute__((constructor)) static void
blk_lib_init(void)
{
	blk_log_init();
	conf_load_env();
	LOG(4, "prefault.at_create %d, prefault.at_open %d, sds.at_create %d, fallocate.at_create %d, copy_on_write.at_open %d",
		config.prefault_at_create, config.prefault_at_open,
		config.sds_at_create, config.fallocate_at_create,
		config.copy_on_write_at_open);
	if (blk_log_level >= 2) {
		const char *why;
		enum persist_word_store st = persist_word_store_resolved(&why);
		LOG(2, "CPU %s: metadata store %s (%s)",
			cpu_info()->model_name, persist_word_store_name(st),
			why);
	}
}

__attribute__((destructor)) static void
blk_lib_fini(void)
{
	blk_log_fini();
}
