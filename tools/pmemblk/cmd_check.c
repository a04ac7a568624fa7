/*
 * cmd_check.c -- `pmemblk check`: pmemblk_check() with a verdict a person
 * can act on, and an exit code a script can.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <libpmemblk.h>

#include "args.h"
#include "poolinfo.h"
#include "report.h"
#include "tool.h"

static const char help[] =
"Usage: pmemblk check [--bsize N] [--quiet] POOL\n"
"\n"
"Checks with pmemblk_check(3) that every block of POOL is referenced\n"
"exactly once by the BTT map or the free list. The pool is opened with a\n"
"private mapping: the file is never modified. The pool must not be open\n"
"in another process.\n"
"\n"
"Options:\n"
"  -b, --bsize N   fail unless the pool's block size is N\n"
"  -q, --quiet     print nothing; only the exit status tells\n"
"  -h, --help      show this help\n"
"\n"
"Exit status: 0 consistent, 1 not consistent (the message says what is\n"
"wrong), 2 usage error, 3 the check could not run (missing file, not a\n"
"pool, wrong block size, pool in use, ...).\n";

/* "" or a note on the layout, from a read-only look at the file. */
static const char *
layout_note(const char *path)
{
	struct pool_info pi;
	char err[256];
	const char *note = "";
	if (poolinfo_load(&pi, path, err, sizeof(err)) == 0 &&
			pi.layout == LAYOUT_NOT_WRITTEN)
		note = " (BTT layout not written yet)";
	poolinfo_free(&pi);
	return note;
}

int
cmd_check(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "bsize", required_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t bsize = 0;
	bool quiet = false;
	struct opts o;
	opts_init(&o, argc, argv, "b:q", longopts, help);
	for (int c; (c = opts_next(&o)) != OPTS_END; ) {
		switch (c) {
		case 'b':
			if (parse_bsize(optarg, "--bsize", &bsize) != 0)
				return EXIT_USAGE;
			break;
		case 'q': quiet = true; break;
		default: return o.exit;
		}
	}
	char **pos = opts_positional(&o, 1, 1, "POOL");
	if (pos == NULL)
		return o.exit;
	const char *path = pos[0];

	struct progress progress;
	struct busy busy;
	progress_init(&progress, !quiet);
	busy_start(&busy, &progress, "checking");
	int ret = pmemblk_check(path, (size_t)bsize);
	int saved_errno = errno;
	busy_stop(&busy);
	errno = saved_errno;

	if (ret < 0)
		return quiet ? EXIT_FAIL : fail_lib("cannot check pool");
	if (ret == 0) {
		if (!quiet)
			printf("%s: not consistent: %s\n", path,
				pmemblk_errormsg());
		return EXIT_INCONSISTENT;
	}
	if (!quiet)
		printf("%s: consistent%s\n", path, layout_note(path));
	return EXIT_OK;
}
