/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_check.c -- `pmemblk check`: every damage it can see, one line each,
 * with an exit code a script can act on (as `pmempool check`), and
 * `--repair` for what can be mended without guessing.
 *
 * Findings come from two places that share the library's rules: the
 * read-only parse of the file (poolinfo.c over btt_info.h and
 * pool_hdr_check) for the header, info blocks and flog pairs, and then
 * pmemblk_check(3) for the map and free-list invariants.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libpmemblk.h>

#include "args.h"
#include "poolinfo.h"
#include "report.h"
#include "tool.h"

static const char help[] =
"Usage: pmemblk check [--bsize N] [--repair [--dry-run]] [--json] [--quiet]\n"
"                     POOL\n"
"\n"
"Checks POOL the way pmempool-check(1) does: the pool header and its\n"
"checksum, both BTT info blocks of every arena, every flog pair, and with\n"
"pmemblk_check(3) that every block is referenced exactly once by the map or\n"
"the free list. Prints one line per finding. Without --repair the file is\n"
"never modified. The pool must not be open in another process.\n"
"\n"
"Options:\n"
"  -b, --bsize N   fail unless the pool's block size is N\n"
"  -r, --repair    mend what can be mended without guessing: rewrite a\n"
"                  damaged primary BTT info block from its valid backup,\n"
"                  and finish a write a crash interrupted (as open does).\n"
"                  Anything else is refused and nothing is written.\n"
"  -n, --dry-run   with --repair: say what would be done, write nothing\n"
"  -j, --json      print the findings as one JSON object\n"
"  -q, --quiet     print nothing; only the exit status tells\n"
"  -h, --help      show this help\n"
"\n"
"Exit status: 0 consistent (or, with --repair, consistent once repaired),\n"
"1 not consistent (or the repair was refused), 2 usage error, 3 the check\n"
"could not run (missing file, not a pool, wrong block size, pool in use).\n";

#define MAX_FINDINGS 64

struct finding {
	char text[600];
	bool repairable;
};

struct check {
	const char *path;
	struct finding f[MAX_FINDINGS];
	unsigned n;
	bool any_fatal;		/* a finding the repair cannot mend */
};

static void __attribute__((format(printf, 3, 4)))
add(struct check *c, bool repairable, const char *fmt, ...)
{
	if (c->n == MAX_FINDINGS)
		return;
	struct finding *f = &c->f[c->n++];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	f->repairable = repairable;
	c->any_fatal |= !repairable;
}

/* "PATH: rest" -> "rest": library messages name the file we print anyway. */
static const char *
strip_path(const char *msg, const char *path)
{
	size_t n = strlen(path);
	if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
		return msg + n + 2;
	return msg;
}

/* Findings of the read-only parse. */
static void
structure_findings(struct check *c, const struct pool_info *pi)
{
	if (!pi->hdr_csum_ok)
		add(c, false, "pool header: checksum incorrect");
	for (uint32_t i = 0; i < pi->narenas; i++) {
		const struct arena_desc *a = &pi->arenas[i];
		switch (a->state) {
		case ARENA_OK:
			if (a->backup_problem != NULL)
				add(c, false, "arena %u: backup BTT info block invalid (%s)",
					i, a->backup_problem);
			break;
		case ARENA_BACKUP:
			add(c, true, "arena %u: primary BTT info block invalid (%s), backup valid: repairable from the backup",
				i, a->problem);
			break;
		case ARENA_UNWRITTEN:
			break;
		case ARENA_DAMAGED:
			add(c, false, "arena %u: both BTT info blocks invalid (primary: %s; backup: %s) and the BTT holds data",
				i, a->problem, a->backup_problem);
			break;
		case ARENA_BAD_FIELDS:
			add(c, false, "arena %u: BTT info block: %s", i,
				a->fields_problem);
			break;
		}
		if (a->flog_problem[0] != '\0')
			add(c, false, "arena %u: %s", i, a->flog_problem);
	}
	/* anything else open refuses (architecture, features, bsize 0) */
	if (pi->verdict[0] == '\0')
		return;
	const char *why = strip_path(pi->verdict, c->path);
	if (strncmp(why, "invalid checksum of pool header", 31) == 0 ||
			strncmp(why, "BTT info blocks of arena", 24) == 0)
		return;		/* said above in check's words */
	for (unsigned i = 0; i < c->n; i++)
		if (strstr(c->f[i].text, why) != NULL)
			return;
	add(c, false, "%s", why);
}

static void
print_findings(const struct check *c, bool json, bool consistent,
	bool unwritten, const char *const *actions, unsigned nactions, bool repair,
	bool dry_run, bool repaired)
{
	if (json) {
		struct emit e;
		emit_begin(&e, stdout, true);
		emit_str(&e, "path", "path", c->path);
		emit_bool(&e, "consistent", "consistent", consistent);
		emit_bool(&e, "layout_written", "layout written", !unwritten);
		emit_list(&e, "findings", NULL);
		for (unsigned i = 0; i < c->n; i++) {
			emit_item(&e, NULL);
			emit_str(&e, "message", "message", c->f[i].text);
			emit_bool(&e, "repairable", "repairable",
				c->f[i].repairable);
			emit_end(&e);
		}
		emit_end(&e);
		if (repair) {
			emit_section(&e, "repair", "repair");
			emit_bool(&e, "dry_run", "dry run", dry_run);
			emit_bool(&e, "done", "done", repaired);
			emit_list(&e, "actions", NULL);
			for (unsigned i = 0; i < nactions; i++) {
				emit_item(&e, NULL);
				emit_str(&e, "action", "action", actions[i]);
				emit_end(&e);
			}
			emit_end(&e);
			emit_end(&e);
		}
		emit_finish(&e);
		return;
	}
	for (unsigned i = 0; i < c->n; i++)
		printf("%s: %s\n", c->path, c->f[i].text);
	for (unsigned i = 0; i < nactions; i++)
		printf("%s: %s\n", c->path, actions[i]);
	printf("%s: %s%s\n", c->path, consistent ? "consistent" :
		"not consistent", consistent && unwritten ?
		" (BTT layout not written yet)" : "");
}

/*
 * --repair through the public API: open (which finishes interrupted
 * writes; on a private copy with dry_run, and only then: the
 * copy_on_write.at_open setting is forced for the open), read what
 * the open found, and without dry_run rewrite the primary info blocks that
 * were read from their backups (ctl btt.repair_info; EROFS on a read-only
 * pool). 0, or -1 with errno and pmemblk_errormsg().
 */
static int
repair_pool(const char *path, size_t bsize, bool dry_run,
	uint32_t *recovered, uint32_t *primaries)
{
	/* copy-on-write exactly for a dry run, whatever PMEMBLK_CONF says */
	int cow_before = 0, cow = dry_run;
	if (pmemblk_ctl_get(NULL, "copy_on_write.at_open", &cow_before) != 0 ||
			pmemblk_ctl_set(NULL, "copy_on_write.at_open", &cow) != 0)
		return -1;
	PMEMblkpool *pbp = pmemblk_open(path, bsize);
	int saved_errno = errno;
	(void) pmemblk_ctl_set(NULL, "copy_on_write.at_open", &cow_before);
	if (pbp == NULL) {
		errno = saved_errno;
		return -1;
	}
	int nrec = 0, nprim = 0;
	int ret = pmemblk_ctl_get(pbp, "btt.recovered_at_open", &nrec);
	if (ret == 0)
		ret = pmemblk_ctl_get(pbp, "btt.info_repairs_pending", &nprim);
	if (ret == 0 && !dry_run)
		ret = pmemblk_ctl_exec(pbp, "btt.repair_info", NULL);
	saved_errno = errno;
	pmemblk_close(pbp);
	errno = saved_errno;
	*recovered = (uint32_t)nrec;
	*primaries = (uint32_t)nprim;
	return ret;
}

int
cmd_check(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "bsize", required_argument, NULL, 'b' },
		{ "repair", no_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t bsize = 0;
	bool quiet = false, repair = false, dry_run = false, json = false;
	struct opts o;
	opts_init(&o, argc, argv, "b:rnjq", longopts, help);
	for (int c; (c = opts_next(&o)) != OPTS_END; ) {
		switch (c) {
		case 'b':
			if (parse_bsize(optarg, "--bsize", &bsize) != 0)
				return EXIT_USAGE;
			break;
		case 'r': repair = true; break;
		case 'n': dry_run = true; break;
		case 'j': json = true; break;
		case 'q': quiet = true; break;
		default: return o.exit;
		}
	}
	char **pos = opts_positional(&o, 1, 1, "POOL");
	if (pos == NULL)
		return o.exit;
	if (dry_run && !repair)
		return usage_error("--dry-run needs --repair");

	static struct check c;
	memset(&c, 0, sizeof(c));
	c.path = pos[0];

	struct pool_info pi;
	char err[512];
	if (poolinfo_load(&pi, c.path, err, sizeof(err)) != 0) {
		poolinfo_free(&pi);
		return quiet ? EXIT_FAIL : fail(EXIT_FAIL, "%s", err);
	}
	if (bsize != 0 && pi.desc.bsize != bsize) {
		poolinfo_free(&pi);
		return quiet ? EXIT_FAIL : fail(EXIT_FAIL,
			"cannot check pool: wrong bsize (%llu), pool created with bsize %u",
			(unsigned long long)bsize, pi.desc.bsize);
	}
	structure_findings(&c, &pi);
	bool opens = pi.verdict[0] == '\0';
	bool unwritten = pi.layout == LAYOUT_NOT_WRITTEN;
	poolinfo_free(&pi);

	/* map and free list, by the library, on a private mapping */
	if (opens) {
		struct progress progress;
		struct busy busy;
		progress_init(&progress, !quiet && !json);
		busy_start(&busy, &progress, "checking");
		int ret = pmemblk_check(c.path, (size_t)bsize);
		int saved_errno = errno;
		busy_stop(&busy);
		errno = saved_errno;
		if (ret < 0 && errno != EINVAL)
			return quiet ? EXIT_FAIL : fail_lib("cannot check pool");
		if (ret <= 0)
			add(&c, false, "%s",
				strip_path(pmemblk_errormsg(), c.path));
	}

	const char *actions[3];
	unsigned nactions = 0;
	bool repaired = false;
	if (repair && c.any_fatal) {
		actions[nactions++] = "repair refused: the findings above need more than rewriting an info block from its backup or finishing an interrupted write; nothing written";
	} else if (repair) {
		uint32_t recovered = 0, primaries = 0;
		if (repair_pool(c.path, (size_t)bsize, dry_run, &recovered,
				&primaries) != 0) {
			if (quiet)
				return EXIT_FAIL;
			return fail_lib("cannot repair pool");
		}
		static char done1[128], done2[128];
		if (primaries > 0) {
			snprintf(done1, sizeof(done1),
				"%s %u primary BTT info block(s) from the backup",
				dry_run ? "would rewrite" : "rewrote", primaries);
			actions[nactions++] = done1;
		}
		if (recovered > 0) {
			snprintf(done2, sizeof(done2),
				"%s %u interrupted write(s)",
				dry_run ? "would finish" : "finished", recovered);
			actions[nactions++] = done2;
		}
		repaired = !dry_run;
	}
	bool consistent = c.n == 0 || (repaired && !c.any_fatal);
	if (!quiet)
		print_findings(&c, json, consistent, unwritten, actions,
			nactions, repair, dry_run, repaired);
	return consistent ? EXIT_OK : EXIT_INCONSISTENT;
}
