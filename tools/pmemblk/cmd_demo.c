/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_demo.c -- `pmemblk demo`: the README's first command. Makes a pool
 * in a temporary directory and walks through the library: create, sync
 * writes and reads, zero and error states, async writes and reads through
 * a threads data mover, check, info and a short benchmark.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>

#include <libpmemblk.h>

#include "args.h"
#include "async_ops.h"
#include "bench.h"
#include "poolinfo.h"
#include "progress.h"
#include "report.h"
#include "tool.h"
#include "mem.h"

static const char help[] =
"Usage: pmemblk demo [--dir DIR] [--keep] [--duration TIME]\n"
"\n"
"Creates a 64 MiB pool (bsize 4096) in a new temporary directory, writes\n"
"and reads blocks synchronously and asynchronously, sets a block to zero\n"
"and one to the error state, checks the pool, shows its block counts and\n"
"runs a short benchmark, printing what each step did. The pool is removed\n"
"at the end unless --keep is given.\n"
"\n"
"Options:\n"
"  -D, --dir DIR        make the temporary directory in DIR (default:\n"
"                       $TMPDIR if set, else /dev/shm if it has room,\n"
"                       else /tmp)\n"
"  -k, --keep           keep the directory and the pool\n"
"  -d, --duration TIME  length of each benchmark run (default 1 s)\n"
"  -h, --help           show this help\n"
"\n"
"Exit status: 0 every step passed, 2 usage error, 3 a step failed.\n";

#define DEMO_POOL_SIZE (64ull << 20)
#define DEMO_BSIZE 4096
#define DEMO_NBLOCKS 8		/* blocks per sync and per async round */
#define DEMO_BENCH_RANGE 1024	/* blocks the benchmark touches */
#define DEMO_MOVER_THREADS 2

struct demo {
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
	double bench_secs;
	struct mover *mover;
	PMEMblkpool *pbp;
	unsigned char *wbuf;	/* DEMO_NBLOCKS blocks written */
	unsigned char *rbuf;	/* and read back */
	int step;
};

/* "[n] name   text" -- the first line of a step. */
static void
step(struct demo *d, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
step(struct demo *d, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("[%d] %-7s ", ++d->step, name);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

/* A continuation line of the current step. */
static void
more(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
more(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%12s", "");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

/* Distinct, recognisable contents for block `blockno`. */
static void
fill_block(unsigned char *buf, long long blockno)
{
	int n = snprintf((char *)buf, DEMO_BSIZE,
		"pmemblk demo: this is block %lld\n", blockno);
	for (size_t i = (size_t)n; i < DEMO_BSIZE; i++)
		buf[i] = (unsigned char)(blockno * 31 + (long long)i);
}

static int
make_pool(struct demo *d)
{
	d->pbp = pmemblk_create(d->path, DEMO_BSIZE, DEMO_POOL_SIZE, 0644);
	if (d->pbp == NULL)
		return fail_lib("create");
	char buf[FMT_BUF];
	step(d, "create", "pmemblk_create: %s, bsize %d -> %zu blocks",
		fmt_size(buf, DEMO_POOL_SIZE), DEMO_BSIZE,
		pmemblk_nblock(d->pbp));
	more("(the BTT layout is written by the first block write)");
	return EXIT_OK;
}

static int
sync_round(struct demo *d)
{
	for (long long b = 0; b < DEMO_NBLOCKS; b++) {
		fill_block(d->wbuf + b * DEMO_BSIZE, b);
		if (pmemblk_write(d->pbp, d->wbuf + b * DEMO_BSIZE, b) != 0)
			return fail_lib("pmemblk_write");
	}
	for (long long b = 0; b < DEMO_NBLOCKS; b++)
		if (pmemblk_read(d->pbp, d->rbuf + b * DEMO_BSIZE, b) != 0)
			return fail_lib("pmemblk_read");
	if (memcmp(d->wbuf, d->rbuf, DEMO_NBLOCKS * DEMO_BSIZE) != 0)
		return fail(EXIT_FAIL, "sync: blocks read back differ");
	step(d, "sync", "pmemblk_write blocks 0-%d, pmemblk_read them back: "
		"contents match", DEMO_NBLOCKS - 1);
	const char *text = (const char *)d->rbuf + 3 * DEMO_BSIZE;
	more("block 3 begins with \"%.*s\"", (int)strcspn(text, "\n"), text);
	return EXIT_OK;
}

static int
states_round(struct demo *d)
{
	unsigned char *buf = d->rbuf;
	if (pmemblk_set_zero(d->pbp, 5) != 0)
		return fail_lib("pmemblk_set_zero");
	if (pmemblk_read(d->pbp, buf, 5) != 0 || !mem_is_zero(buf, DEMO_BSIZE))
		return fail(EXIT_FAIL, "block 5 does not read as zeros");
	if (pmemblk_set_error(d->pbp, 6) != 0)
		return fail_lib("pmemblk_set_error");
	if (pmemblk_read(d->pbp, buf, 6) == 0 || errno != EIO)
		return fail(EXIT_FAIL, "block 6 in the error state was readable");
	char msg[128];
	snprintf(msg, sizeof(msg), "%s", pmemblk_errormsg());
	fill_block(d->wbuf, 6);
	if (pmemblk_write(d->pbp, d->wbuf, 6) != 0 ||
			pmemblk_read(d->pbp, buf, 6) != 0 ||
			memcmp(buf, d->wbuf, DEMO_BSIZE) != 0)
		return fail(EXIT_FAIL, "rewriting block 6 did not clear it");
	step(d, "states", "pmemblk_set_zero(5): block 5 reads as zeros");
	more("pmemblk_set_error(6): reading block 6 fails with EIO (\"%s\")",
		msg);
	more("pmemblk_write(6) clears the error state");
	return EXIT_OK;
}

/* Reopens the pool with a threads data mover for the async round. */
static int
reopen_async(struct demo *d)
{
	if (d->pbp != NULL)
		pmemblk_close(d->pbp);
	d->pbp = NULL;
	if (d->mover == NULL)
		d->mover = mover_new(MOVER_THREADS, DEMO_MOVER_THREADS, 64);
	if (d->mover == NULL)
		return EXIT_FAIL;
	d->pbp = async_pool_open(d->path, 0, d->mover);
	if (d->pbp == NULL)
		return fail_lib("pmemblk_xopen");
	return EXIT_OK;
}

static int
async_round(struct demo *d)
{
	long long blocks[DEMO_NBLOCKS];
	for (int i = 0; i < DEMO_NBLOCKS; i++) {
		blocks[i] = DEMO_NBLOCKS + i;
		fill_block(d->wbuf + i * DEMO_BSIZE, blocks[i]);
	}
	if (async_io(d->pbp, true, d->wbuf, blocks, DEMO_NBLOCKS) != 0)
		return fail_lib("pmemblk_write_async");
	memset(d->rbuf, 0, DEMO_NBLOCKS * DEMO_BSIZE);
	if (async_io(d->pbp, false, d->rbuf, blocks, DEMO_NBLOCKS) != 0)
		return fail_lib("pmemblk_read_async");
	if (memcmp(d->wbuf, d->rbuf, DEMO_NBLOCKS * DEMO_BSIZE) != 0)
		return fail(EXIT_FAIL, "async: blocks read back differ");
	/* and the sync API sees what the futures wrote */
	if (pmemblk_read(d->pbp, d->rbuf, blocks[0]) != 0 ||
			memcmp(d->rbuf, d->wbuf, DEMO_BSIZE) != 0)
		return fail(EXIT_FAIL, "async: pmemblk_read disagrees");
	step(d, "async", "pmemblk_xopen with a threads data mover (%d workers)",
		DEMO_MOVER_THREADS);
	more("%d pmemblk_write_async futures in flight (blocks %lld-%lld), "
		"run by a miniasync runtime: all returned 0", DEMO_NBLOCKS,
		blocks[0], blocks[DEMO_NBLOCKS - 1]);
	more("%d pmemblk_read_async futures read them back: contents match; "
		"pmemblk_read agrees", DEMO_NBLOCKS);
	return EXIT_OK;
}

static int
check_round(struct demo *d)
{
	pmemblk_close(d->pbp);
	d->pbp = NULL;
	int ret = pmemblk_check(d->path, 0);
	if (ret < 0)
		return fail_lib("pmemblk_check");
	if (ret == 0)
		return fail(EXIT_FAIL, "pmemblk_check: not consistent: %s",
			pmemblk_errormsg());
	step(d, "check", "pmemblk_check: consistent (every block referenced "
		"exactly once)");
	return EXIT_OK;
}

static int
info_round(struct demo *d)
{
	struct pool_info pi;
	struct progress progress;
	char err[512];
	progress_init(&progress, false);
	int ret = poolinfo_load(&pi, d->path, err, sizeof(err));
	if (ret == 0)
		ret = poolinfo_count_blocks(&pi, &progress, err, sizeof(err));
	if (ret != 0) {
		poolinfo_free(&pi);
		return fail(EXIT_FAIL, "%s", err);
	}
	char buf[FMT_BUF];
	step(d, "info", "BTT layout %s, %u arena, %llu blocks of %u bytes",
		layout_state_name(pi.layout), pi.narenas,
		(unsigned long long)pi.nblock, pi.desc.bsize);
	more("blocks: %llu written, %llu zeroed, %llu error, %llu never "
		"written; pool uuid %s",
		(unsigned long long)pi.total.written,
		(unsigned long long)pi.total.zeroed,
		(unsigned long long)pi.total.error,
		(unsigned long long)pi.total.never_written,
		fmt_uuid(buf, pi.hdr.poolset_uuid));
	poolinfo_free(&pi);
	return EXIT_OK;
}

static void
bench_row(const struct bench_cfg *cfg, const struct bench_result *res)
{
	char p50[FMT_BUF], p99[FMT_BUF], qd[16] = "-";
	uint64_t ops = res->reads + res->writes;
	double ops_s = res->seconds > 0 ? (double)ops / res->seconds : 0;
	if (cfg->api == BENCH_ASYNC)
		snprintf(qd, sizeof(qd), "%u", cfg->qd);
	more("%-6s %-6s %3s %10.0f %9.1f %10s %10s", bench_api_name(cfg->api),
		bench_op_name(cfg->op), qd, ops_s,
		ops_s * (double)res->bsize / (1024.0 * 1024.0),
		fmt_ns(p50, hist_quantile(&res->hist, 0.5)),
		fmt_ns(p99, hist_quantile(&res->hist, 0.99)));
}

static int
bench_round(struct demo *d)
{
	if (reopen_async(d) != EXIT_OK)
		return EXIT_FAIL;
	/*
	 * Reads of never-written blocks copy nothing, so the runs use only
	 * blocks written first: up to DEMO_BENCH_RANGE, or what one second
	 * allows (each write is an msync on a disk file system).
	 */
	fill_block(d->wbuf, 0);
	uint64_t range = 0;
	for (uint64_t t0 = now_ns(); range < DEMO_BENCH_RANGE &&
			(range == 0 || now_ns() - t0 < 1000000000ull); range++)
		if (pmemblk_write(d->pbp, d->wbuf, (long long)range) != 0)
			return fail_lib("pmemblk_write");
	unsigned threads = 2;
	step(d, "bench", "%.1f s per run, %u threads, random blocks among "
		"blocks 0-%llu (all written first), bsize %d:", d->bench_secs,
		threads, (unsigned long long)range - 1, DEMO_BSIZE);
	more("%-6s %-6s %3s %10s %9s %10s %10s", "api", "op", "qd", "ops/s",
		"MiB/s", "p50", "p99");
	static const enum bench_op ops[] = { BENCH_WRITE, BENCH_READ };
	for (int api = BENCH_SYNC; api <= BENCH_ASYNC; api++) {
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			struct bench_cfg cfg = {
				.api = (enum bench_api)api, .op = ops[i],
				.threads = threads, .qd = 16,
				.duration = d->bench_secs,
				.range = range, .progress = true,
			};
			struct bench_result res;
			if (bench_run(d->pbp, &cfg, &res) != 0)
				return EXIT_FAIL;
			if (res.errors)
				return fail(EXIT_FAIL, "bench: %s",
					res.first_error);
			bench_row(&cfg, &res);
		}
	}
	return EXIT_OK;
}

/* Whether dir is writable and has room for the pool, twice over. */
static bool
roomy(const char *dir)
{
	struct statvfs sv;
	return access(dir, W_OK | X_OK) == 0 && statvfs(dir, &sv) == 0 &&
		(uint64_t)sv.f_bavail * sv.f_frsize >= 2 * DEMO_POOL_SIZE;
}

/*
 * $TMPDIR, else memory (/dev/shm) when it has room (containers often
 * give it 64 MiB), else /tmp.
 */
static const char *
default_parent(void)
{
	const char *env = getenv("TMPDIR");
	if (env != NULL && env[0] != '\0')
		return env;
	return roomy("/dev/shm") ? "/dev/shm" : "/tmp";
}

/* What the file system means for the numbers, e.g. "tmpfs: memory". */
static const char *
fs_note(const char *dir)
{
	struct statfs sf;
	if (statfs(dir, &sf) != 0)
		return "unknown file system";
	switch ((unsigned long)sf.f_type) {
	case TMPFS_MAGIC:
		return "tmpfs: memory, as fast as pmem but not persistent "
			"across reboots";
	case EXT4_SUPER_MAGIC:
	case XFS_SUPER_MAGIC:
		return "a disk file system: every write is msync'ed, expect "
			"milliseconds; use a DAX mount for pmem speed";
	default:
		return "not tmpfs: writes are msync'ed to the device";
	}
}

static int
make_dir(struct demo *d, const char *parent)
{
	if (parent == NULL)
		parent = default_parent();
	int n = snprintf(d->dir, sizeof(d->dir), "%s/pmemblk-demo.XXXXXX",
		parent);
	if (n < 0 || (size_t)n >= sizeof(d->dir))
		return fail(EXIT_USAGE, "--dir: path too long");
	if (mkdtemp(d->dir) == NULL)
		return fail(EXIT_FAIL, "cannot make a directory in %s: %s",
			parent, strerror(errno));
	snprintf(d->path, sizeof(d->path), "%s/pool.blk", d->dir);
	return EXIT_OK;
}

static int
run_steps(struct demo *d)
{
	int (*const steps[])(struct demo *) = {
		make_pool, sync_round, states_round, reopen_async,
		async_round, check_round, info_round, bench_round,
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int ret = steps[i](d);
		if (ret != EXIT_OK)
			return ret;
	}
	return EXIT_OK;
}

static void
cleanup(struct demo *d, bool keep)
{
	if (d->pbp != NULL)
		pmemblk_close(d->pbp);
	mover_delete(d->mover);
	free(d->wbuf);
	free(d->rbuf);
	if (!keep) {
		unlink(d->path);
		rmdir(d->dir);
	}
}

int
cmd_demo(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ "keep", no_argument, NULL, 'k' },
		{ "duration", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct demo d = { .bench_secs = 1.0 };
	const char *parent = NULL;
	bool keep = false;
	struct opts o;
	opts_init(&o, argc, argv, "D:kd:", longopts, help);
	for (int c; (c = opts_next(&o)) != OPTS_END; ) {
		switch (c) {
		case 'D': parent = optarg; break;
		case 'k': keep = true; break;
		case 'd':
			if (parse_duration(optarg, "--duration",
					&d.bench_secs) != 0)
				return EXIT_USAGE;
			break;
		default: return o.exit;
		}
	}
	if (opts_positional(&o, 0, 0, "") == NULL)
		return o.exit;

	int ret = make_dir(&d, parent);
	if (ret != EXIT_OK)
		return ret;
	d.wbuf = malloc(DEMO_NBLOCKS * DEMO_BSIZE);
	d.rbuf = malloc(DEMO_NBLOCKS * DEMO_BSIZE);
	printf("pmemblk demo: libpmemblk with async, on a pool in %s\n",
		d.dir);
	printf("(%s)\n\n", fs_note(d.dir));
	ret = d.wbuf && d.rbuf ? run_steps(&d) : fail(EXIT_FAIL, "out of memory");
	cleanup(&d, keep);

	printf("\n");
	if (ret == EXIT_OK)
		printf("demo: all %d steps passed; ", d.step);
	else
		printf("demo: FAILED at step %d; ", d.step + 1);
	printf(keep ? "pool kept: %s\n" : "pool removed (--keep keeps it)%s\n",
		keep ? d.path : "");
	return ret;
}
