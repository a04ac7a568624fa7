/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_bench.c -- `pmemblk bench`: options, pool setup (an existing pool,
 * or a new one made for the run), then bench_run() and the report.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpmemblk.h>

#include "args.h"
#include "async_ops.h"
#include "bench.h"
#include "persist_mode.h"
#include "progress.h"
#include "report.h"
#include "strategies.h"
#include "tool.h"

static const char help[] =
"Usage: pmemblk bench [-a sync|async] [-o read|write|mix] [-r N] [-t N]\n"
"                     [-q N] [-d TIME] [-n N] [-m sync|threads]\n"
"                     [--mover-threads N] [-b N] [-s SIZE] [--prefill]\n"
"                     [--overwrite] [--keep] [-j] POOL\n"
"\n"
"Measures random block reads and/or writes on POOL for a fixed time and\n"
"prints operations per second, MiB/s and the p50/p99 latency. If POOL\n"
"does not exist, it is created for the run (see --size, --bsize) and\n"
"removed afterwards. A live progress line is shown on a terminal. The\n"
"report says whether the pool is persistent memory (cache flushes) or\n"
"made durable with msync, and why: msync makes writes far slower.\n"
"\n"
"Options:\n"
"  -a, --api sync|async      synchronous calls, or async futures polled\n"
"                            with a queue per thread (default sync)\n"
"  -o, --op read|write|mix   operation (default write)\n"
"  -r, --read-pct N          with --op mix: percentage of reads (default 50)\n"
"  -t, --threads N           threads issuing operations (default 1)\n"
"  -q, --queue-depth N       async: futures in flight per thread (default 16)\n"
"  -d, --duration TIME       how long to measure, e.g. 5, 2.5s, 500ms\n"
"                            (default 5 s)\n"
"  -n, --range N             use only blocks 0..N-1 (default: all blocks;\n"
"                            more than the pool has is an error)\n"
"  -m, --mover sync|threads  async: data mover for the copies (default\n"
"                            threads)\n"
"      --mover-threads N     async: worker threads of the threads mover\n"
"                            (default 2)\n"
"  -b, --bsize N             block size of a new pool (default 4K); for an\n"
"                            existing pool, fail unless it is N\n"
"  -s, --size SIZE           size of a new pool (default 256M)\n"
"      --prefill             write every block of the range first, so that\n"
"                            reads copy real data. Read and mix runs on a\n"
"                            pool made for the run do this for at most 2 s\n"
"                            and then use only the blocks written.\n"
"      --overwrite           allow write and mix runs, and --prefill, on an\n"
"                            existing pool: they overwrite its blocks\n"
"      --keep                keep a pool made for the run\n"
"  -j, --json                print the results as JSON\n"
"  -h, --help                show this help\n"
"\n"
SIZE_HELP
"\n"
"Exit status: 0 success, 2 usage error, 3 the pool could not be opened or\n"
"created, async was asked for but this build lacks it, or operations\n"
"failed (the first error is printed).\n";

enum {
	OPT_MOVER_THREADS = 256,
	OPT_PREFILL,
	OPT_OVERWRITE,
	OPT_KEEP,
};

struct bench_opts {
	struct bench_cfg cfg;
	const char *path;
	uint64_t bsize;		/* 0: not given */
	uint64_t size;
	enum mover_kind mover;
	uint64_t mover_threads;
	bool prefill, overwrite, keep, json;
};

static int
parse_choice(const char *s, const char *what, const char *const names[],
	int *out)
{
	for (int i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	char valid[64] = "";
	for (int i = 0; names[i] != NULL; i++)
		snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid),
			"%s%s", i ? ", " : "", names[i]);
	fail(EXIT_USAGE, "%s: unknown value '%s' (valid: %s)", what, s, valid);
	return -1;
}

static int
parse_option(struct bench_opts *bo, int c, const char *arg)
{
	static const char *const apis[] = { "sync", "async", NULL };
	static const char *const ops[] = { "read", "write", "mix", NULL };
	static const char *const movers[] = { "sync", "threads", NULL };
	uint64_t v;
	int i, ret;
	switch (c) {
	case 'a':
		ret = parse_choice(arg, "--api", apis, &i);
		bo->cfg.api = (enum bench_api)i;
		return ret;
	case 'o':
		ret = parse_choice(arg, "--op", ops, &i);
		bo->cfg.op = (enum bench_op)i;
		return ret;
	case 'm':
		ret = parse_choice(arg, "--mover", movers, &i);
		bo->mover = (enum mover_kind)i;
		return ret;
	case 'r':
		ret = parse_uint_range(arg, "--read-pct", 0, 100, &v);
		bo->cfg.read_pct = (unsigned)v;
		return ret;
	case 't':
		ret = parse_uint_range(arg, "--threads", 1, 1024, &v);
		bo->cfg.threads = (unsigned)v;
		return ret;
	case 'q':
		ret = parse_uint_range(arg, "--queue-depth", 1, 4096, &v);
		bo->cfg.qd = (unsigned)v;
		return ret;
	case 'd':
		return parse_duration(arg, "--duration", &bo->cfg.duration);
	case 'n':
		return parse_uint_range(arg, "--range", 1, INT64_MAX,
			&bo->cfg.range);
	case 'b':
		return parse_bsize(arg, "--bsize", &bo->bsize);
	case 's':
		return parse_size(arg, "--size", &bo->size);
	case OPT_MOVER_THREADS:
		return parse_uint_range(arg, "--mover-threads", 1, 256,
			&bo->mover_threads);
	case OPT_PREFILL: bo->prefill = true; return 0;
	case OPT_OVERWRITE: bo->overwrite = true; return 0;
	case OPT_KEEP: bo->keep = true; return 0;
	case 'j': bo->json = true; return 0;
	}
	return -1;
}

static int
parse_args(struct bench_opts *bo, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "api", required_argument, NULL, 'a' },
		{ "op", required_argument, NULL, 'o' },
		{ "read-pct", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "queue-depth", required_argument, NULL, 'q' },
		{ "duration", required_argument, NULL, 'd' },
		{ "range", required_argument, NULL, 'n' },
		{ "mover", required_argument, NULL, 'm' },
		{ "mover-threads", required_argument, NULL, OPT_MOVER_THREADS },
		{ "bsize", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 's' },
		{ "prefill", no_argument, NULL, OPT_PREFILL },
		{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	opts_init(&o, argc, argv, "a:o:r:t:q:d:n:m:b:s:j", longopts, help);
	for (int c; (c = opts_next(&o)) != OPTS_END; ) {
		if (c == OPTS_EXIT)
			return o.exit;
		if (parse_option(bo, c, optarg) != 0)
			return EXIT_USAGE;
	}
	char **pos = opts_positional(&o, 1, 1, "POOL");
	if (pos == NULL)
		return o.exit;
	bo->path = pos[0];
	return -1;	/* go on */
}

/* Opens POOL, or creates it when missing; *created says which. */
static PMEMblkpool *
open_pool(const struct bench_opts *bo, struct mover *m, bool *created)
{
	struct stat st;
	*created = stat(bo->path, &st) != 0 && errno == ENOENT;
	size_t bsize = (size_t)bo->bsize;
	if (*created) {
		if (bsize == 0)
			bsize = 4096;
		return m ? async_pool_create(bo->path, bsize, (size_t)bo->size,
				0644, m) :
			pmemblk_create(bo->path, bsize, (size_t)bo->size, 0644);
	}
	return m ? async_pool_open(bo->path, bsize, m) :
		pmemblk_open(bo->path, bsize);
}

/* A pool made for a read run gets data for at most this long. */
#define AUTO_PREFILL_NS 2000000000ull

/*
 * Writes blocks 0..*range-1 once, with progress. With a time limit it
 * stops early and shrinks *range to the blocks written.
 */
static int
prefill(PMEMblkpool *pbp, uint64_t *range, uint64_t limit_ns, bool show)
{
	size_t bsize = pmemblk_bsize(pbp);
	unsigned char *buf = malloc(bsize);
	if (buf == NULL)
		return fail(-1, "out of memory");
	memset(buf, 0xC3, bsize);
	struct progress progress;
	progress_init(&progress, show);
	int ret = 0;
	uint64_t b = 0, start = now_ns();
	for (; b < *range && ret == 0; b++) {
		if (limit_ns && b > 0 && now_ns() - start > limit_ns)
			break;
		ret = pmemblk_write(pbp, buf, (long long)b);
		progress_count(&progress, "prefill", b + 1, *range);
	}
	progress_clear(&progress);
	free(buf);
	*range = b;
	return ret == 0 ? 0 : fail_lib("prefill");
}

static int
run(struct bench_opts *bo, PMEMblkpool *pbp, bool created)
{
	uint64_t nblock = pmemblk_nblock(pbp);
	if (bo->cfg.range > nblock)
		return fail(EXIT_USAGE, "--range %llu is beyond the pool: %s "
			"has %llu blocks", (unsigned long long)bo->cfg.range,
			bo->path, (unsigned long long)nblock);
	if (bo->cfg.range == 0)
		bo->cfg.range = nblock;
	bool reads = bo->cfg.op != BENCH_WRITE;
	if (bo->prefill || (created && reads)) {
		uint64_t limit = bo->prefill ? 0 : AUTO_PREFILL_NS;
		if (prefill(pbp, &bo->cfg.range, limit, bo->cfg.progress) != 0)
			return EXIT_FAIL;
	}

	struct bench_result res;
	if (bench_run(pbp, &bo->cfg, &res) != 0)
		return EXIT_FAIL;

	struct emit e;
	emit_begin(&e, stdout, bo->json);
	emit_section(&e, "bench", "bench");
	emit_str(&e, "pool", "pool", bo->path);
	emit_bool(&e, "pool_created", "pool made for the run", created);
	/* msync or cache flushes: the first thing that explains latencies */
	struct persist_mode pm;
	persist_mode_of_path(bo->path, &pm);
	emit_str(&e, "persistence", "persistence", pm.pmem ? "pmem" : "msync");
	emit_str(&e, "persistence_reason", "why", pm.why);
	if (bo->cfg.api == BENCH_ASYNC)
		emit_str(&e, "mover", "data mover", mover_name(bo->mover));
	bench_report(&e, &bo->cfg, &res);
	emit_end(&e);
	emit_strategies(&e);
	emit_finish(&e);
	if (res.errors)
		return fail(EXIT_FAIL, "%llu operations failed; first: %s",
			(unsigned long long)res.errors, res.first_error);
	return EXIT_OK;
}

int
cmd_bench(int argc, char *argv[])
{
	struct bench_opts bo = {
		.cfg = { .api = BENCH_SYNC, .op = BENCH_WRITE, .read_pct = 50,
			.threads = 1, .qd = 16, .duration = 5.0,
			.progress = true },
		.size = 256ull << 20,
		.mover = MOVER_THREADS,
		.mover_threads = 2,
	};
	int ret = parse_args(&bo, argc, argv);
	if (ret >= 0)
		return ret;

	/* Any run that writes to an existing pool, --prefill included. */
	struct stat st;
	if ((bo.cfg.op != BENCH_READ || bo.prefill) && !bo.overwrite &&
			stat(bo.path, &st) == 0)
		return usage_error("%s exists and a %s run%s overwrites its "
			"blocks; pass --overwrite to allow it", bo.path,
			bench_op_name(bo.cfg.op),
			bo.prefill ? " with --prefill" : "");

	struct mover *m = NULL;
	if (bo.cfg.api == BENCH_ASYNC) {
		m = mover_new(bo.mover, (unsigned)bo.mover_threads,
			bo.cfg.threads * bo.cfg.qd);
		if (m == NULL)
			return EXIT_FAIL;
	}
	bool created;
	PMEMblkpool *pbp = open_pool(&bo, m, &created);
	if (pbp == NULL) {
		ret = fail_lib(created ? "cannot create pool" :
			"cannot open pool");
	} else {
		ret = run(&bo, pbp, created);
		pmemblk_close(pbp);
		if (created && !bo.keep)
			unlink(bo.path);
	}
	mover_delete(m);
	return ret;
}
