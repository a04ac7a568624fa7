/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmemblk_bench.c -- throughput/latency benchmark for the libpmemblk API.
 *
 * The same binary runs on our libpmemblk.so.1 and on PMDK's: it links the
 * library by soname only and carries no RUNPATH, so LD_LIBRARY_PATH alone
 * decides which one is loaded (the loaded file is printed as "lib=").
 *
 * Modes:
 *   (default)      timed read/write/mixed workload through pmemblk_read/write
 *   --raw MODE     the same workload on a plain pmem_map_file() mapping of
 *                  the same size: the limit a block library could reach
 *                  (msync: memcpy + pmem_msync; clwb: copy + cache-line
 *                  flush + fence; nt: non-temporal copy + fence; none: copy
 *                  with no persistence at all)
 *   --open-bench   time pmemblk_open of an existing pool, RSS growth
 *   --create-bench time pmemblk_create against posix_fallocate
 *
 * Every written block carries a small header (block number + generation)
 * at its start, middle and end, so that sampled reads (--verify-sample)
 * detect wrong, stale or torn blocks.
 *
 * Output: a human-readable summary and one "RESULT key=value ..." line, or
 * with --json a single JSON object on one line (same keys).
 *
 * Async (--qd N): one thread keeps N pmemblk_write_async/read_async
 * futures in flight through a data mover (--mover threads|sync). PMDK's
 * library has no async API, so the four async functions are looked up with
 * dlsym and never linked; on PMDK the option fails with a message.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpmem.h>
#ifdef BENCH_ASYNC
#define PMEMBLK_USE_MINIASYNC 1
#include <libminiasync.h>
#endif
#include <libpmemblk.h>

#define DEFAULT_POOL "/dev/shm/pmemblk_bench.pool"
#define DEFAULT_RAW_POOL "/dev/shm/pmemblk_bench.raw"
#define CACHELINE 64
#define MAX_THREADS 1024

/* ------------------------------------------------------------------ */
/* configuration                                                      */
/* ------------------------------------------------------------------ */

enum mode { MODE_WORKLOAD, MODE_OPEN_BENCH, MODE_CREATE_BENCH };
enum raw_mode { RAW_OFF, RAW_MSYNC, RAW_CLWB, RAW_NT, RAW_NONE };
enum pattern { PAT_RAND, PAT_SEQ };

struct config {
	enum mode mode;
	enum raw_mode raw;
	enum pattern pattern;
	const char *pool;
	uint64_t size;
	uint64_t bsize;
	unsigned threads;
	int read_pct;		/* 0 = write only, 100 = read only */
	const char *op_name;	/* "read", "write" or "mix" */
	double duration;
	double warmup;
	unsigned verify_every;	/* check 1 of N reads; 0 = off */
	int prefill;		/* -1 = default (on) */
	bool prefault;
	bool fresh;
	bool cleanup;
	bool json;
	unsigned iterations;
	uint64_t seed;
	unsigned qd;		/* async: futures in flight; 0 = sync calls */
	const char *mover;	/* async: "threads" or "sync" */
	unsigned mover_threads;	/* async: workers of the threads mover */
	bool crc;		/* application work: CRC32C of each written block */
};

static const char *raw_mode_name(enum raw_mode m)
{
	switch (m) {
	case RAW_MSYNC: return "msync";
	case RAW_CLWB: return "clwb";
	case RAW_NT: return "nt";
	case RAW_NONE: return "none";
	default: return "off";
	}
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("pmemblk_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* "1G", "512MiB", "4096", "16k" -> bytes (binary multiples) */
static uint64_t parse_size(const char *s, const char *what)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		die("bad %s: '%s'", what, s);

	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (shift && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
		end += strlen(end);
	if (*end != '\0')
		die("bad %s: '%s' (use a number with K, M, G or T)", what, s);
	if (shift && v > (UINT64_MAX >> shift))
		die("%s too large: '%s'", what, s);
	return (uint64_t)v << shift;
}

static double parse_seconds(const char *s, const char *what)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || v < 0 || v > 1e6)
		die("bad %s: '%s'", what, s);
	return v;
}

static unsigned long parse_uint(const char *s, const char *what,
		unsigned long min, unsigned long max)
{
	char *end;

	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || s[0] == '-' ||
			v < min || v > max)
		die("bad %s: '%s' (expected %lu..%lu)", what, s, min, max);
	return v;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: pmemblk_bench [options]\n"
"workload (default mode):\n"
"  --pool PATH          pool file (default " DEFAULT_POOL ",\n"
"                       " DEFAULT_RAW_POOL " with --raw); created if missing,\n"
"                       opened if it exists\n"
"  --size SIZE          pool size for creation, K/M/G/T suffixes (default 1G)\n"
"  --bsize N            block size in bytes (default 4096)\n"
"  --threads N          worker threads (default 1)\n"
"  --op read|write|mix  operation (default write)\n"
"  --read-pct P         share of reads for --op mix (default 50)\n"
"  --pattern rand|seq   block choice (default rand); seq gives each thread its\n"
"                       own contiguous slice of the pool\n"
"  --duration SEC       measured time (default 5)\n"
"  --warmup SEC         run the workload unmeasured first (default 0)\n"
"  --raw MODE           no libpmemblk: the same workload on a plain mapping,\n"
"                       MODE = msync | clwb | nt | none\n"
"  --verify-sample[=N]  check the content of 1 in N reads (default N 100)\n"
"                       and of 1024 blocks after the run\n"
"  --prefill, --no-prefill\n"
"                       write every block once before timing (default: on;\n"
"                       without it reads of unwritten blocks and first\n"
"                       writes to never-touched memory distort the result)\n"
"  --no-prefault        do not populate the page tables of the pool mapping\n"
"                       before timing (default: populate; see README)\n"
"  --fresh              remove an existing pool file first\n"
"  --cleanup            remove the pool file at exit\n"
"  --seed N             random seed (default 1)\n"
"async (our library only; one thread):\n"
"  --qd N               keep N pmemblk_*_async futures in flight\n"
"  --mover threads|sync data mover of the pool (default threads)\n"
"  --mover-threads N    workers of the threads mover (default 2)\n"
"  --crc                application work per written block before it is\n"
"                       submitted: CRC32C of the buffer (~1 us at 4 KiB)\n"
"other modes:\n"
"  --open-bench         time pmemblk_open/close of --pool (created with --size\n"
"                       and one write if missing) and report VmRSS growth\n"
"  --create-bench       time pmemblk_create of --size against open +\n"
"                       posix_fallocate of the same size (needs --fresh if\n"
"                       --pool exists; the file is removed after each step)\n"
"  --iterations N       repetitions for --open-bench / --create-bench\n"
"output:\n"
"  --json               one JSON object on one line instead of text\n"
"  -h, --help\n");
}

enum {
	OPT_POOL = 256, OPT_SIZE, OPT_BSIZE, OPT_THREADS, OPT_OP, OPT_READ_PCT,
	OPT_PATTERN, OPT_DURATION, OPT_WARMUP, OPT_RAW, OPT_VERIFY,
	OPT_PREFILL, OPT_NO_PREFILL, OPT_FRESH, OPT_CLEANUP, OPT_SEED,
	OPT_OPEN_BENCH, OPT_CREATE_BENCH, OPT_ITERATIONS, OPT_JSON,
	OPT_NO_PREFAULT, OPT_QD, OPT_MOVER, OPT_MOVER_THREADS, OPT_CRC,
};

static void parse_args(int argc, char *argv[], struct config *c)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, OPT_POOL },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "bsize", required_argument, NULL, OPT_BSIZE },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "op", required_argument, NULL, OPT_OP },
		{ "read-pct", required_argument, NULL, OPT_READ_PCT },
		{ "pattern", required_argument, NULL, OPT_PATTERN },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "raw", required_argument, NULL, OPT_RAW },
		{ "verify-sample", optional_argument, NULL, OPT_VERIFY },
		{ "prefill", no_argument, NULL, OPT_PREFILL },
		{ "no-prefill", no_argument, NULL, OPT_NO_PREFILL },
		{ "no-prefault", no_argument, NULL, OPT_NO_PREFAULT },
		{ "fresh", no_argument, NULL, OPT_FRESH },
		{ "cleanup", no_argument, NULL, OPT_CLEANUP },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "open-bench", no_argument, NULL, OPT_OPEN_BENCH },
		{ "create-bench", no_argument, NULL, OPT_CREATE_BENCH },
		{ "iterations", required_argument, NULL, OPT_ITERATIONS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "qd", required_argument, NULL, OPT_QD },
		{ "mover", required_argument, NULL, OPT_MOVER },
		{ "mover-threads", required_argument, NULL, OPT_MOVER_THREADS },
		{ "crc", no_argument, NULL, OPT_CRC },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int read_pct = -1;
	bool op_given = false;
	int opt;

	*c = (struct config){
		.mode = MODE_WORKLOAD, .raw = RAW_OFF, .pattern = PAT_RAND,
		.pool = NULL, .size = 1ULL << 30, .bsize = 4096, .threads = 1,
		.read_pct = 0, .op_name = "write", .duration = 5,
		.warmup = 0, .verify_every = 0, .prefill = -1,
		.iterations = 0, .seed = 1, .prefault = true,
		.qd = 0, .mover = "threads", .mover_threads = 2,
	};

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_POOL: c->pool = optarg; break;
		case OPT_SIZE: c->size = parse_size(optarg, "--size"); break;
		case OPT_BSIZE:
			c->bsize = parse_size(optarg, "--bsize");
			break;
		case OPT_THREADS:
			c->threads = (unsigned)parse_uint(optarg, "--threads",
					1, MAX_THREADS);
			break;
		case OPT_OP:
			if (strcmp(optarg, "read") == 0)
				c->read_pct = 100;
			else if (strcmp(optarg, "write") == 0)
				c->read_pct = 0;
			else if (strcmp(optarg, "mix") == 0)
				c->read_pct = 50;
			else
				die("bad --op '%s' (read, write or mix)",
						optarg);
			c->op_name = strcmp(optarg, "read") == 0 ? "read" :
				strcmp(optarg, "write") == 0 ? "write" : "mix";
			op_given = true;
			break;
		case OPT_READ_PCT:
			read_pct = (int)parse_uint(optarg, "--read-pct", 0,
					100);
			break;
		case OPT_PATTERN:
			if (strcmp(optarg, "rand") == 0)
				c->pattern = PAT_RAND;
			else if (strcmp(optarg, "seq") == 0)
				c->pattern = PAT_SEQ;
			else
				die("bad --pattern '%s' (rand or seq)", optarg);
			break;
		case OPT_DURATION:
			c->duration = parse_seconds(optarg, "--duration");
			break;
		case OPT_WARMUP:
			c->warmup = parse_seconds(optarg, "--warmup");
			break;
		case OPT_RAW:
			if (strcmp(optarg, "msync") == 0)
				c->raw = RAW_MSYNC;
			else if (strcmp(optarg, "clwb") == 0)
				c->raw = RAW_CLWB;
			else if (strcmp(optarg, "nt") == 0)
				c->raw = RAW_NT;
			else if (strcmp(optarg, "none") == 0)
				c->raw = RAW_NONE;
			else
				die("bad --raw '%s' (msync, clwb, nt, none)",
						optarg);
			break;
		case OPT_VERIFY:
			c->verify_every = optarg ? (unsigned)parse_uint(optarg,
					"--verify-sample", 1, UINT_MAX) : 100;
			break;
		case OPT_PREFILL: c->prefill = 1; break;
		case OPT_NO_PREFILL: c->prefill = 0; break;
		case OPT_NO_PREFAULT: c->prefault = false; break;
		case OPT_FRESH: c->fresh = true; break;
		case OPT_CLEANUP: c->cleanup = true; break;
		case OPT_SEED:
			c->seed = parse_uint(optarg, "--seed", 0, ULONG_MAX);
			break;
		case OPT_OPEN_BENCH: c->mode = MODE_OPEN_BENCH; break;
		case OPT_CREATE_BENCH: c->mode = MODE_CREATE_BENCH; break;
		case OPT_ITERATIONS:
			c->iterations = (unsigned)parse_uint(optarg,
					"--iterations", 1, 1000000);
			break;
		case OPT_JSON: c->json = true; break;
		case OPT_QD:
			c->qd = (unsigned)parse_uint(optarg, "--qd", 1, 4096);
			break;
		case OPT_MOVER:
			if (strcmp(optarg, "threads") != 0 &&
					strcmp(optarg, "sync") != 0)
				die("bad --mover '%s' (threads or sync)",
						optarg);
			c->mover = optarg;
			break;
		case OPT_MOVER_THREADS:
			c->mover_threads = (unsigned)parse_uint(optarg,
					"--mover-threads", 1, 256);
			break;
		case OPT_CRC: c->crc = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);

	if (read_pct >= 0) {
		if (op_given && strcmp(c->op_name, "mix") != 0)
			die("--read-pct needs --op mix (or no --op)");
		c->read_pct = read_pct;
		c->op_name = "mix";
	}
	if (c->pool == NULL)
		c->pool = c->raw != RAW_OFF ? DEFAULT_RAW_POOL : DEFAULT_POOL;
	if (c->mode == MODE_WORKLOAD && c->bsize < 128)
		die("--bsize must be at least 128 (room for check headers)");
	if (c->bsize > (1ULL << 30))
		die("--bsize too large");
	if (c->mode != MODE_WORKLOAD && c->raw != RAW_OFF)
		die("--raw only applies to the workload mode");
	if (c->iterations == 0)
		c->iterations = c->mode == MODE_OPEN_BENCH ? 10 : 3;
	if (c->prefill < 0)
		c->prefill = 1;
	if (c->crc && c->read_pct != 0)
		die("--crc is work per written block: --op write only");
	if (c->qd && (c->threads != 1 || c->raw != RAW_OFF ||
			c->mode != MODE_WORKLOAD))
		die("--qd is one thread on the library: no --threads/--raw");
#ifndef BENCH_ASYNC
	if (c->qd)
		die("--qd: this build of the benchmark has no async support");
#endif
}

/* ------------------------------------------------------------------ */
/* time, random numbers, latency histogram                           */
/* ------------------------------------------------------------------ */

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread: excludes time other processes ran */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: tiny, fast, good enough for picking blocks */
static inline uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, n) without a division (Lemire's multiply-shift) */
static inline uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next(state) * n) >> 64);
}

/*
 * Log-linear latency histogram: values below 32 ns get their own bucket;
 * above, each power of two is split into 32 buckets, so a reported
 * percentile is within 1/64 (1.6 %) of the true value. 1920 buckets cover
 * the whole uint64_t range; adding a sample is a few instructions.
 */
#define HIST_SUB_BITS 5
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;
	uint64_t max;
	uint64_t bucket[HIST_BUCKETS];
};

static inline unsigned hist_index(uint64_t v)
{
	if (v < HIST_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - HIST_SUB_BITS;
	return ((shift + 1) << HIST_SUB_BITS) +
		(unsigned)((v >> shift) & (HIST_SUB - 1));
}

/* middle of the value range a bucket covers */
static uint64_t hist_value(unsigned i)
{
	if (i < HIST_SUB)
		return i;
	unsigned shift = (i >> HIST_SUB_BITS) - 1;
	uint64_t low = (uint64_t)(HIST_SUB + (i & (HIST_SUB - 1))) << shift;
	return low + (((uint64_t)1 << shift) >> 1);
}

static void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static inline void hist_add(struct hist *h, uint64_t v)
{
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->bucket[hist_index(v)]++;
}

static void hist_merge(struct hist *dst, const struct hist *src)
{
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

/* p in (0, 1]; returns nanoseconds (0 for an empty histogram) */
static uint64_t hist_percentile(const struct hist *h, double p)
{
	if (h->count == 0)
		return 0;
	uint64_t rank = (uint64_t)(p * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t v = hist_value(i);
			/* the bucket middle may lie outside what was seen */
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	return h->max;
}

/* ------------------------------------------------------------------ */
/* result output: text + RESULT line, or one JSON line                */
/* ------------------------------------------------------------------ */

#define MAX_FIELDS 64

struct result {
	unsigned n;
	struct {
		char key[32];
		char val[1024];
		bool is_str;
	} f[MAX_FIELDS];
};

static void res_add(struct result *r, const char *key, bool is_str,
		const char *fmt, ...)
{
	va_list ap;

	if (r->n == MAX_FIELDS)
		die("internal: too many result fields");
	snprintf(r->f[r->n].key, sizeof(r->f[r->n].key), "%s", key);
	r->f[r->n].is_str = is_str;
	va_start(ap, fmt);
	vsnprintf(r->f[r->n].val, sizeof(r->f[r->n].val), fmt, ap);
	va_end(ap);
	r->n++;
}

#define RES_STR(r, k, v) res_add((r), (k), true, "%s", (v))
#define RES_U64(r, k, v) res_add((r), (k), false, "%" PRIu64, (uint64_t)(v))
#define RES_DBL(r, k, v) res_add((r), (k), false, "%.3f", (double)(v))

/* JSON string: escape what could appear in a path or message */
static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void res_print(const struct result *r, bool json)
{
	if (json) {
		putchar('{');
		for (unsigned i = 0; i < r->n; i++) {
			if (i)
				putchar(',');
			print_json_string(r->f[i].key);
			putchar(':');
			if (r->f[i].is_str)
				print_json_string(r->f[i].val);
			else
				fputs(r->f[i].val, stdout);
		}
		puts("}");
	} else {
		/* values never contain blanks except paths: replace them */
		fputs("RESULT", stdout);
		for (unsigned i = 0; i < r->n; i++) {
			printf(" %s=", r->f[i].key);
			for (const char *s = r->f[i].val; *s; s++)
				putchar(*s == ' ' ? '_' : *s);
		}
		putchar('\n');
	}
	fflush(stdout);
}

/* which libpmemblk file did the dynamic linker pick? */
static const char *loaded_library(void)
{
	Dl_info info;
	void *sym = dlsym(RTLD_DEFAULT, "pmemblk_open");

	if (sym && dladdr(sym, &info) && info.dli_fname)
		return info.dli_fname;
	return "unknown";
}

/* The async API (pmemblk_xopen, pmemblk_write_async, ...) is ours only. */
static bool async_api_present(void)
{
	return dlsym(RTLD_DEFAULT, "pmemblk_write_async") != NULL &&
		dlsym(RTLD_DEFAULT, "pmemblk_xopen") != NULL;
}

/*
 * The CPU and the metadata store in force (doc/cpu_strategies.md), from
 * our library's ctl; PMDK has neither entry (it always stores cached),
 * so the CPU comes from /proc/cpuinfo then.
 */
static const char *cpu_model(void)
{
	static char model[256];
	const char *s;

	if (pmemblk_ctl_get(NULL, "cpu.model", &s) == 0)
		return s;
	if (model[0] == '\0') {
		FILE *f = fopen("/proc/cpuinfo", "r");
		char line[512];

		snprintf(model, sizeof(model), "unknown");
		while (f && fgets(line, sizeof(line), f)) {
			const char *v = strchr(line, ':');
			if (strncmp(line, "model name", 10) == 0 && v) {
				v += 1 + (v[1] == ' ');
				snprintf(model, sizeof(model), "%.*s",
						(int)strcspn(v, "\n"), v);
				break;
			}
		}
		if (f)
			fclose(f);
	}
	return model;
}

static const char *metadata_store(void)
{
	int v;

	if (pmemblk_ctl_get(NULL, "persist.metadata_store_in_force", &v) != 0)
		return "cached(PMDK)";
	return v == PMEMBLK_METADATA_STORE_NT ? "nt" : "cached";
}

static void res_add_common(struct result *r, const struct config *c,
		const char *mode)
{
	const char *force = getenv("PMEM_IS_PMEM_FORCE");

	RES_STR(r, "mode", mode);
	RES_STR(r, "raw", raw_mode_name(c->raw));
	RES_STR(r, "lib", c->raw == RAW_OFF ? loaded_library() : "none");
	RES_STR(r, "pool", c->pool);
	RES_U64(r, "size", c->size);
	RES_U64(r, "bsize", c->bsize);
	RES_STR(r, "pmem_force", force ? force : "unset");
	RES_U64(r, "async_api", async_api_present());
	RES_U64(r, "qd", c->qd);
	RES_U64(r, "crc", c->crc);
	RES_STR(r, "mover", c->qd ? c->mover : "none");
	RES_STR(r, "cpu", cpu_model());
	RES_STR(r, "metadata_store", c->raw == RAW_OFF ? metadata_store() :
			"none");
}

/* ------------------------------------------------------------------ */
/* block content: header at start, middle and end                     */
/* ------------------------------------------------------------------ */

#define HDR_MAGIC 0x4b4c424d454d5042ULL	/* "BPMEMBLK" */

struct blk_hdr {
	uint64_t magic;
	uint64_t blockno;
	uint64_t gen;	/* (writer thread + 1) << 48 | per-thread counter */
	uint64_t check;
};

#define GEN_TID_SHIFT 48

static uint64_t hdr_check(uint64_t blockno, uint64_t gen)
{
	uint64_t s = HDR_MAGIC ^ (blockno * 0x9e3779b97f4a7c15ULL) ^ gen;
	return rng_next(&s);
}

static inline size_t hdr_mid(uint64_t bsize)
{
	return (size_t)(bsize / 2) & ~(size_t)7;
}

static inline size_t hdr_tail(uint64_t bsize)
{
	return (size_t)(bsize - sizeof(struct blk_hdr)) & ~(size_t)7;
}

static inline void stamp_block(void *buf, uint64_t bsize, uint64_t blockno,
		uint64_t gen)
{
	struct blk_hdr h = {
		HDR_MAGIC, blockno, gen, hdr_check(blockno, gen)
	};
	char *p = buf;

	memcpy(p, &h, sizeof(h));
	memcpy(p + hdr_mid(bsize), &h, sizeof(h));
	memcpy(p + hdr_tail(bsize), &h, sizeof(h));
}

static bool all_zero(const void *buf, size_t len)
{
	const unsigned char *p = buf;

	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/* ------------------------------------------------------------------ */
/* the benchmark state and the two backends                           */
/* ------------------------------------------------------------------ */

struct bench;

struct backend {
	const char *name;
	int (*write)(struct bench *b, const void *buf, uint64_t blockno);
	int (*read)(struct bench *b, void *buf, uint64_t blockno);
};

struct worker {
	struct bench *b;
	pthread_t thread;
	unsigned id;
	uint64_t rng;
	uint64_t first, count, cursor;	/* slice for seq and prefill */
	uint64_t gen;			/* last generation written */
	void *wbuf, *rbuf;
	uint64_t reads_seen;
	uint64_t verified, verify_fail;
	uint64_t t_end;
	uint64_t cpu_ns;		/* thread CPU time while measuring */
	int err;
	char errmsg[256];
	struct hist lat[2];		/* [0] writes, [1] reads */
} __attribute__((aligned(CACHELINE)));

struct bench {
	struct config *c;
	const struct backend *be;
	PMEMblkpool *pbp;
	char *raw_addr;
	size_t raw_len;
	int raw_is_pmem;
	uint64_t nblock;
	uint64_t bsize;
	bool fresh;		/* the pool file was made by this run */
	bool exact;		/* each block has one writer: track generations */
	_Atomic uint64_t *expected;	/* exact: last generation per block */
	pthread_barrier_t barrier;
	uint64_t t_measure, t_deadline;
	atomic_int stop;
	struct worker *w;
};

static int lib_write(struct bench *b, const void *buf, uint64_t blockno)
{
	return pmemblk_write(b->pbp, buf, (long long)blockno);
}

static int lib_read(struct bench *b, void *buf, uint64_t blockno)
{
	return pmemblk_read(b->pbp, buf, (long long)blockno);
}

static inline char *raw_block(struct bench *b, uint64_t blockno)
{
	return b->raw_addr + blockno * b->bsize;
}

static int raw_read(struct bench *b, void *buf, uint64_t blockno)
{
	memcpy(buf, raw_block(b, blockno), b->bsize);
	return 0;
}

/* memcpy, then msync of the pages touched (pmem_msync aligns the range) */
static int raw_write_msync(struct bench *b, const void *buf, uint64_t blockno)
{
	char *dst = raw_block(b, blockno);

	memcpy(dst, buf, b->bsize);
	return pmem_msync(dst, b->bsize);
}

/* temporal copy, flush of each line (CLWB here), one SFENCE */
static int raw_write_clwb(struct bench *b, const void *buf, uint64_t blockno)
{
	pmem_memcpy(raw_block(b, blockno), buf, b->bsize, PMEM_F_MEM_TEMPORAL);
	return 0;
}

/* non-temporal copy, one SFENCE */
static int raw_write_nt(struct bench *b, const void *buf, uint64_t blockno)
{
	pmem_memcpy(raw_block(b, blockno), buf, b->bsize,
			PMEM_F_MEM_NONTEMPORAL);
	return 0;
}

/* plain copy, no persistence: the memory-bandwidth ceiling */
static int raw_write_none(struct bench *b, const void *buf, uint64_t blockno)
{
	memcpy(raw_block(b, blockno), buf, b->bsize);
	return 0;
}

static const struct backend backend_lib = { "lib", lib_write, lib_read };
static const struct backend backend_raw[] = {
	[RAW_MSYNC] = { "raw-msync", raw_write_msync, raw_read },
	[RAW_CLWB] = { "raw-clwb", raw_write_clwb, raw_read },
	[RAW_NT] = { "raw-nt", raw_write_nt, raw_read },
	[RAW_NONE] = { "raw-none", raw_write_none, raw_read },
};

static void fail_op(struct worker *w, const char *what, uint64_t blockno)
{
	int err = errno;

	w->err = err ? err : EIO;
	if (w->b->c->raw == RAW_OFF)
		snprintf(w->errmsg, sizeof(w->errmsg),
				"%s of block %" PRIu64 " failed: %s (%s)", what,
				blockno, strerror(w->err), pmemblk_errormsg());
	else
		snprintf(w->errmsg, sizeof(w->errmsg),
				"%s of block %" PRIu64 " failed: %s", what,
				blockno, strerror(w->err));
	atomic_store(&w->b->stop, 1);
}

/*
 * --crc: the application's own work per written block, done before the
 * block is handed to the library (sync call or future): a CRC32C of the
 * whole buffer, twice: ~1.1 us for 4 KiB with the SSE4.2 instruction. The result
 * goes to a sink so the work cannot be optimized away.
 */
static volatile uint32_t crc_sink;

__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(const void *buf, uint64_t len)
{
	const uint64_t *p = buf;
	uint64_t crc = ~0u;
	for (uint64_t i = 0; i < len / 8; i++)
		crc = __builtin_ia32_crc32di(crc, p[i]);
	return (uint32_t)~crc;
}

static uint32_t crc32c_sw(const void *buf, uint64_t len)
{
	const uint8_t *p = buf;
	uint32_t crc = ~0u;
	for (uint64_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	return ~crc;
}

static void app_work(const struct config *c, const void *buf)
{
	if (!c->crc)
		return;
	/* two passes: one is ~0.55 us at 4 KiB on an Intel Xeon, the
	 * issue asks for about 1 us of work per block */
	bool hw = __builtin_cpu_supports("sse4.2");
	for (int pass = 0; pass < 2; pass++)
		crc_sink = hw ? crc32c_hw(buf, c->bsize) :
			crc32c_sw(buf, c->bsize);
}

static int do_write(struct worker *w, uint64_t blockno)
{
	struct bench *b = w->b;
	uint64_t gen = ++w->gen;

	stamp_block(w->wbuf, b->bsize, blockno, gen);
	app_work(b->c, w->wbuf);
	if (b->be->write(b, w->wbuf, blockno)) {
		fail_op(w, "write", blockno);
		return -1;
	}
	if (b->exact)
		atomic_store_explicit(&b->expected[blockno], gen,
				memory_order_relaxed);
	return 0;
}

/*
 * Check a block just read. Accepted: a block with three identical valid
 * headers naming this block and, when each block has a single writer,
 * the generation written last; or an all-zero block when the block may
 * never have been written. Anything else is wrong, stale or torn.
 */
static bool check_block(struct bench *b, const void *buf, uint64_t blockno,
		char *why, size_t whylen)
{
	const char *p = buf;
	struct blk_hdr h;
	uint64_t expect = b->exact ? atomic_load_explicit(&b->expected[blockno],
			memory_order_relaxed) : 0;

	memcpy(&h, p, sizeof(h));
	if (h.magic != HDR_MAGIC) {
		if (!all_zero(p, b->bsize)) {
			snprintf(why, whylen, "no header and not zero");
			return false;
		}
		if (b->c->prefill || expect != 0) {
			snprintf(why, whylen, "zero block, expected gen %#"
					PRIx64, expect);
			return false;
		}
		return true;
	}
	if (h.check != hdr_check(h.blockno, h.gen)) {
		snprintf(why, whylen, "bad header check value");
		return false;
	}
	if (h.blockno != blockno) {
		snprintf(why, whylen, "holds block %" PRIu64, h.blockno);
		return false;
	}
	if (memcmp(p + hdr_mid(b->bsize), &h, sizeof(h)) != 0 ||
			memcmp(p + hdr_tail(b->bsize), &h, sizeof(h)) != 0) {
		snprintf(why, whylen, "torn: start/middle/end differ");
		return false;
	}
	if (expect != 0 && h.gen != expect) {
		snprintf(why, whylen, "gen %#" PRIx64 ", expected %#" PRIx64,
				h.gen, expect);
		return false;
	}
	if (expect == 0 && b->fresh) {
		/* written during this run: must come from one of our threads */
		uint64_t tid = h.gen >> GEN_TID_SHIFT;
		if (b->exact || tid < 1 || tid > b->c->threads) {
			snprintf(why, whylen, "unexpected gen %#" PRIx64,
					h.gen);
			return false;
		}
	}
	return true;
}

static void verify_read(struct worker *w, const void *buf, uint64_t blockno)
{
	char why[128];

	w->verified++;
	if (!check_block(w->b, buf, blockno, why, sizeof(why))) {
		if (w->verify_fail++ < 10)
			fprintf(stderr, "pmemblk_bench: thread %u: block %"
					PRIu64 ": %s\n", w->id, blockno, why);
	}
}

/* ------------------------------------------------------------------ */
/* worker threads                                                     */
/* ------------------------------------------------------------------ */

static inline uint64_t next_block(struct worker *w)
{
	if (w->b->c->pattern == PAT_RAND)
		return rng_below(&w->rng, w->b->nblock);
	uint64_t blk = w->first + w->cursor;
	if (++w->cursor == w->count)
		w->cursor = 0;
	return blk;
}

static void prefill(struct worker *w)
{
	for (uint64_t i = 0; i < w->count; i++) {
		if (atomic_load_explicit(&w->b->stop, memory_order_relaxed))
			return;
		if (do_write(w, w->first + i))
			return;
	}
}

/* ------------------------------------------------------------------ */
/* async: one thread, --qd futures in flight                          */
/* ------------------------------------------------------------------ */

#ifdef BENCH_ASYNC
static void *xaligned(size_t align, size_t size);

/* Looked up at run time: PMDK's library does not have them. */
static struct {
	PMEMblkpool *(*xcreate)(const char *, size_t, size_t, mode_t,
			struct vdm *);
	PMEMblkpool *(*xopen)(const char *, size_t, struct vdm *);
	struct pmemblk_write_async_future (*write)(PMEMblkpool *, void *,
			long long);
	struct pmemblk_read_async_future (*read)(PMEMblkpool *, void *,
			long long);
	struct data_mover_threads *dmt;
	struct data_mover_sync *dms;
	struct vdm *vdm;
} async_api;

static void *async_sym(const char *name)
{
	void *sym = dlsym(RTLD_DEFAULT, name);

	if (!sym)
		die("--qd: the loaded libpmemblk (%s) has no %s: async is "
				"our library's API", loaded_library(), name);
	return sym;
}

static void async_setup(const struct config *c)
{
	*(void **)&async_api.xcreate = async_sym("pmemblk_xcreate");
	*(void **)&async_api.xopen = async_sym("pmemblk_xopen");
	*(void **)&async_api.write = async_sym("pmemblk_write_async");
	*(void **)&async_api.read = async_sym("pmemblk_read_async");
	if (strcmp(c->mover, "sync") == 0) {
		async_api.dms = data_mover_sync_new();
		async_api.vdm = async_api.dms ?
			data_mover_sync_get_vdm(async_api.dms) : NULL;
	} else {
		async_api.dmt = data_mover_threads_new(c->mover_threads,
				1024, FUTURE_NOTIFIER_WAKER);
		async_api.vdm = async_api.dmt ?
			data_mover_threads_get_vdm(async_api.dmt) : NULL;
	}
	if (!async_api.vdm)
		die("cannot create the %s data mover", c->mover);
}

static void async_teardown(void)
{
	if (async_api.dmt)
		data_mover_threads_delete(async_api.dmt);
	if (async_api.dms)
		data_mover_sync_delete(async_api.dms);
}

struct async_slot {
	union {
		struct pmemblk_write_async_future w;
		struct pmemblk_read_async_future r;
	} fut;
	bool is_read;
	uint64_t blk, gen, t_start;
	void *buf;
};

static void async_start(struct worker *w, struct async_slot *s)
{
	struct bench *b = w->b;
	const int read_pct = b->c->read_pct;

	s->blk = next_block(w);
	s->is_read = read_pct == 100 ? true : read_pct == 0 ? false :
		(int)rng_below(&w->rng, 100) < read_pct;
	s->t_start = now_ns();
	if (s->is_read) {
		s->fut.r = async_api.read(b->pbp, s->buf, (long long)s->blk);
	} else {
		s->gen = ++w->gen;
		stamp_block(s->buf, b->bsize, s->blk, s->gen);
		app_work(b->c, s->buf);
		s->fut.w = async_api.write(b->pbp, s->buf, (long long)s->blk);
	}
}

/* Polls one slot; returns 1 when its operation finished, -1 on error. */
static int async_poll(struct worker *w, struct async_slot *s)
{
	struct future *f = s->is_read ? FUTURE_AS_RUNNABLE(&s->fut.r) :
		FUTURE_AS_RUNNABLE(&s->fut.w);

	if (future_poll(f, NULL) != FUTURE_STATE_COMPLETE)
		return 0;
	int ret = s->is_read ? FUTURE_OUTPUT(&s->fut.r)->return_value :
		FUTURE_OUTPUT(&s->fut.w)->return_value;
	if (ret) {
		fail_op(w, s->is_read ? "async read" : "async write", s->blk);
		return -1;
	}
	if (!s->is_read && w->b->exact)
		atomic_store_explicit(&w->b->expected[s->blk], s->gen,
				memory_order_relaxed);
	return 1;
}

/*
 * The thread's measured loop with --qd: every finished future is replaced
 * at once by a new one, so --qd operations are always in flight. An
 * operation's latency runs from its creation to the poll that saw it end.
 */
static uint64_t async_loop(struct worker *w, uint64_t *cpu0)
{
	struct bench *b = w->b;
	const unsigned qd = b->c->qd;
	const unsigned verify_every = b->c->verify_every;
	struct async_slot *slots = xaligned(CACHELINE, sizeof(*slots) * qd);
	uint64_t t = now_ns();
	bool draining = false;
	unsigned in_flight = qd;

	for (unsigned i = 0; i < qd; i++) {
		slots[i].buf = xaligned(4096, b->bsize);
		memset(slots[i].buf, 0xa0, b->bsize);
		async_start(w, &slots[i]);
	}
	while (in_flight > 0) {
		bool progress = false;
		for (unsigned i = 0; i < qd; i++) {
			struct async_slot *s = &slots[i];
			if (s->buf == NULL)
				continue;	/* drained */
			int r = async_poll(w, s);
			if (r == 0)
				continue;
			progress = true;
			t = now_ns();
			if (r < 0)
				draining = true;
			if (r > 0 && t >= b->t_measure) {
				hist_add(&w->lat[s->is_read], t - s->t_start);
				if (*cpu0 == 0)
					*cpu0 = thread_cpu_ns();
			}
			if (r > 0 && s->is_read && verify_every &&
					++w->reads_seen % verify_every == 0)
				verify_read(w, s->buf, s->blk);
			if (t >= b->t_deadline || atomic_load_explicit(
					&b->stop, memory_order_relaxed))
				draining = true;
			if (draining) {
				free(s->buf);
				s->buf = NULL;
				in_flight--;
			} else {
				async_start(w, s);
			}
		}
		/*
		 * Nothing finished: the movers' workers need a core, and a
		 * worker just woken may be queued behind this very thread.
		 */
		if (!progress)
			sched_yield();
	}
	free(slots);
	return t;
}
#endif

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct bench *b = w->b;
	const int read_pct = b->c->read_pct;
	const unsigned verify_every = b->c->verify_every;

	if (b->c->prefill)
		prefill(w);

	pthread_barrier_wait(&b->barrier);	/* prefill done */
	pthread_barrier_wait(&b->barrier);	/* main set the clock */

	const uint64_t t_measure = b->t_measure;
	const uint64_t t_deadline = b->t_deadline;
	uint64_t t0 = now_ns(), t1 = t0;
	uint64_t cpu0 = t0 >= t_measure ? thread_cpu_ns() : 0;

#ifdef BENCH_ASYNC
	if (b->c->qd) {
		w->t_end = async_loop(w, &cpu0);
		w->cpu_ns = cpu0 ? thread_cpu_ns() - cpu0 : 0;
		return NULL;
	}
#endif

	while (!atomic_load_explicit(&b->stop, memory_order_relaxed)) {
		uint64_t blk = next_block(w);
		int is_read = read_pct == 100 ? 1 : read_pct == 0 ? 0 :
			(int)rng_below(&w->rng, 100) < read_pct;
		int ret;

		if (is_read) {
			ret = b->be->read(b, w->rbuf, blk);
			if (ret)
				fail_op(w, "read", blk);
		} else {
			ret = do_write(w, blk);
		}
		t1 = now_ns();
		if (ret)
			break;
		if (t1 >= t_measure) {
			hist_add(&w->lat[is_read], t1 - t0);
			if (cpu0 == 0)	/* first op after the warmup */
				cpu0 = thread_cpu_ns();
		}
		if (is_read && verify_every &&
				++w->reads_seen % verify_every == 0) {
			verify_read(w, w->rbuf, blk);
			t1 = now_ns();	/* checking is not part of the op */
		}
		if (t1 >= t_deadline)
			break;
		t0 = t1;
	}
	w->t_end = t1;
	w->cpu_ns = cpu0 ? thread_cpu_ns() - cpu0 : 0;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* pool setup                                                         */
/* ------------------------------------------------------------------ */

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void remove_pool(const char *path)
{
	if (unlink(path) && errno != ENOENT)
		die("cannot remove %s: %s", path, strerror(errno));
}

static void setup_lib(struct bench *b)
{
	struct config *c = b->c;

	if (c->fresh)
		remove_pool(c->pool);
	if (path_exists(c->pool)) {
#ifdef BENCH_ASYNC
		b->pbp = c->qd ? async_api.xopen(c->pool, c->bsize,
				async_api.vdm) : pmemblk_open(c->pool, c->bsize);
#else
		b->pbp = pmemblk_open(c->pool, c->bsize);
#endif
		if (!b->pbp)
			die("pmemblk_open %s (bsize %" PRIu64 "): %s%s",
					c->pool, c->bsize, pmemblk_errormsg(),
					errno == EINVAL ?
					" (different bsize? try --fresh)" : "");
		b->fresh = false;
	} else {
#ifdef BENCH_ASYNC
		b->pbp = c->qd ? async_api.xcreate(c->pool, c->bsize, c->size,
				0600, async_api.vdm) :
			pmemblk_create(c->pool, c->bsize, c->size, 0600);
#else
		b->pbp = pmemblk_create(c->pool, c->bsize, c->size, 0600);
#endif
		if (!b->pbp)
			die("pmemblk_create %s (bsize %" PRIu64 ", size %"
					PRIu64 "): %s", c->pool, c->bsize,
					c->size, pmemblk_errormsg());
		b->fresh = true;
	}
	b->nblock = pmemblk_nblock(b->pbp);
	if (pmemblk_bsize(b->pbp) != c->bsize)
		die("pool has bsize %zu, not %" PRIu64, pmemblk_bsize(b->pbp),
				c->bsize);
	b->be = &backend_lib;
}

static void setup_raw(struct bench *b)
{
	struct config *c = b->c;
	size_t len;

	if (c->fresh)
		remove_pool(c->pool);
	b->fresh = !path_exists(c->pool);
	b->raw_addr = pmem_map_file(c->pool, b->fresh ? c->size : 0,
			b->fresh ? PMEM_FILE_CREATE | PMEM_FILE_EXCL : 0, 0600,
			&len, &b->raw_is_pmem);
	if (!b->raw_addr)
		die("pmem_map_file %s: %s", c->pool, pmem_errormsg());
	if (len != c->size)
		die("%s has %zu bytes, not --size %" PRIu64 " (try --fresh)",
				c->pool, len, c->size);
	b->raw_len = len;
	b->nblock = len / c->bsize;
	b->be = &backend_raw[c->raw];
}

/*
 * Populate the page tables of every writable mapping of the pool file in
 * this process: the library's mapping (found in /proc/self/maps, whichever
 * library made it) or the raw one. Without this, a run on a fresh mapping
 * measures mostly first-touch page faults (about 20 us each on this VM,
 * 20x a 4 KiB block write), and how many of those a run hits depends on
 * where the library places data, not on its per-operation cost.
 * Returns the number of bytes populated.
 */
static uint64_t prefault_pool(const char *path)
{
	char real[PATH_MAX], line[PATH_MAX + 256];
	uint64_t done = 0;
	FILE *f;

	if (!realpath(path, real))
		die("realpath %s: %s", path, strerror(errno));
	f = fopen("/proc/self/maps", "r");
	if (!f)
		die("cannot read /proc/self/maps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		uintptr_t start, end;
		char perms[8];
		int name_at = 0;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %*s %n",
				&start, &end, perms, &name_at) < 3 ||
				name_at == 0)
			continue;
		char *name = line + name_at;
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, real) != 0 || perms[1] != 'w')
			continue;
		if (madvise((void *)start, end - start, MADV_POPULATE_WRITE)) {
			/* older kernel: touch one byte of each page */
			for (uintptr_t p = start; p < end; p += 4096)
				(void)*(volatile const char *)p;
		}
		done += end - start;
	}
	fclose(f);
	return done;
}

static void teardown(struct bench *b)
{
	if (b->pbp)
		pmemblk_close(b->pbp);
#ifdef BENCH_ASYNC
	async_teardown();
#endif
	if (b->raw_addr)
		pmem_unmap(b->raw_addr, b->raw_len);
	if (b->c->cleanup)
		remove_pool(b->c->pool);
}

/* minor page faults of the whole process so far (all threads) */
static uint64_t minor_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)ru.ru_minflt;
}

static void *xaligned(size_t align, size_t size)
{
	void *p;

	size = (size + align - 1) / align * align;
	if (posix_memalign(&p, align, size))
		die("out of memory (%zu bytes)", size);
	memset(p, 0, size);
	return p;
}

/* ------------------------------------------------------------------ */
/* workload mode                                                      */
/* ------------------------------------------------------------------ */

static void add_lat_fields(struct result *r, const char *prefix,
		const struct hist *h, double secs, uint64_t bsize)
{
	double ops_s = secs > 0 ? (double)h->count / secs : 0;
	char k[32];

#define LAT_KEY(name) (snprintf(k, sizeof(k), "%s" name, prefix), k)
	RES_U64(r, LAT_KEY("ops"), h->count);
	RES_DBL(r, LAT_KEY("ops_per_s"), ops_s);
	RES_DBL(r, LAT_KEY("mib_per_s"), ops_s * (double)bsize / (1 << 20));
	RES_DBL(r, LAT_KEY("p50_us"), hist_percentile(h, 0.50) / 1e3);
	RES_DBL(r, LAT_KEY("p99_us"), hist_percentile(h, 0.99) / 1e3);
	RES_DBL(r, LAT_KEY("avg_us"), h->count ?
			(double)h->sum / (double)h->count / 1e3 : 0);
	RES_DBL(r, LAT_KEY("max_us"), h->count ? h->max / 1e3 : 0);
#undef LAT_KEY
}

static void print_lat_line(const char *name, const struct hist *h,
		double secs, uint64_t bsize)
{
	double ops_s = secs > 0 ? (double)h->count / secs : 0;

	if (h->count == 0)
		return;
	printf("  %-6s %10.0f ops/s %9.1f MiB/s   latency us: p50 %.2f  "
			"p99 %.2f  avg %.2f  max %.1f\n", name, ops_s,
			ops_s * (double)bsize / (1 << 20),
			hist_percentile(h, 0.50) / 1e3,
			hist_percentile(h, 0.99) / 1e3,
			(double)h->sum / (double)h->count / 1e3,
			h->max / 1e3);
}

/* read back up to 1024 random blocks after the run */
static void post_verify(struct bench *b, struct worker *w)
{
	uint64_t n = b->nblock < 1024 ? b->nblock : 1024;
	uint64_t rng = b->c->seed ^ 0x5eed;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t blk = n == b->nblock ? i : rng_below(&rng, b->nblock);
		if (b->be->read(b, w->rbuf, blk)) {
			fail_op(w, "verify read", blk);
			return;
		}
		verify_read(w, w->rbuf, blk);
	}
}

static int run_workload(struct config *c)
{
	struct bench b = { .c = c };
	uint64_t t_setup = now_ns();

#ifdef BENCH_ASYNC
	if (c->qd)
		async_setup(c);
#endif
	if (c->raw == RAW_OFF)
		setup_lib(&b);
	else
		setup_raw(&b);
	b.bsize = c->bsize;
	if (b.nblock < c->threads)
		die("pool has %" PRIu64 " blocks, fewer than threads",
				b.nblock);
	/* exact: one writer per block, and no two writes of it in flight */
	b.exact = (c->threads == 1 || c->pattern == PAT_SEQ) && c->qd <= 1;
	if (c->raw != RAW_OFF && !b.exact && c->verify_every) {
		/*
		 * A plain mapping has no atomic block writes: with several
		 * writers per block, torn blocks are expected, not a fault.
		 */
		if (!c->json)
			printf("note: --verify-sample is off for --raw with "
					"shared blocks (no atomicity there)\n");
		c->verify_every = 0;
	}
	if (b.exact) {
		b.expected = calloc(b.nblock, sizeof(*b.expected));
		if (!b.expected)
			die("out of memory for %" PRIu64 " generations",
					b.nblock);
	}

	b.w = xaligned(CACHELINE, sizeof(struct worker) * c->threads);
	for (unsigned i = 0; i < c->threads; i++) {
		struct worker *w = &b.w[i];
		w->b = &b;
		w->id = i;
		w->rng = c->seed * 0x100000001b3ULL + i + 1;
		w->first = b.nblock * i / c->threads;
		w->count = b.nblock * (i + 1) / c->threads - w->first;
		w->gen = (uint64_t)(i + 1) << GEN_TID_SHIFT;
		w->wbuf = xaligned(4096, c->bsize);
		w->rbuf = xaligned(4096, c->bsize);
		/* a per-thread body pattern, headers are stamped per write */
		memset(w->wbuf, 0xa0 + (int)(i % 16), c->bsize);
		hist_init(&w->lat[0]);
		hist_init(&w->lat[1]);
	}

	/*
	 * One untimed write first: both libraries lay out the BTT metadata
	 * at the first write to a new pool, which is not what we measure.
	 */
	if (!c->prefill && do_write(&b.w[0], 0))
		die("%s", b.w[0].errmsg);
	uint64_t prefaulted = c->prefault ? prefault_pool(c->pool) : 0;
	if (c->prefault && prefaulted == 0)
		fprintf(stderr, "pmemblk_bench: warning: no writable mapping "
				"of %s found to prefault\n", c->pool);

	if (pthread_barrier_init(&b.barrier, NULL, c->threads + 1))
		die("pthread_barrier_init failed");
	for (unsigned i = 0; i < c->threads; i++) {
		int err = pthread_create(&b.w[i].thread, NULL, worker_main,
				&b.w[i]);
		if (err)
			die("pthread_create: %s", strerror(err));
	}
	pthread_barrier_wait(&b.barrier);	/* prefill done */
	uint64_t minflt0 = minor_faults();
	uint64_t t_start = now_ns();
	double setup_s = (double)(t_start - t_setup) / 1e9;
	b.t_measure = t_start + (uint64_t)(c->warmup * 1e9);
	b.t_deadline = b.t_measure + (uint64_t)(c->duration * 1e9);
	pthread_barrier_wait(&b.barrier);	/* go */

	struct hist *all = xaligned(CACHELINE, sizeof(struct hist) * 3);
	for (int k = 0; k < 3; k++)
		hist_init(&all[k]);
	uint64_t t_end = b.t_measure;
	int err = 0;
	const char *errmsg = NULL;
	for (unsigned i = 0; i < c->threads; i++) {
		struct worker *w = &b.w[i];
		pthread_join(w->thread, NULL);
		if (w->t_end > t_end)
			t_end = w->t_end;
		hist_merge(&all[0], &w->lat[0]);
		hist_merge(&all[1], &w->lat[1]);
		if (w->err && !err) {
			err = w->err;
			errmsg = w->errmsg;
		}
	}
	if (err)
		die("%s", errmsg);
	hist_merge(&all[2], &all[0]);
	hist_merge(&all[2], &all[1]);
	uint64_t minflt = minor_faults() - minflt0;

	if (c->verify_every)
		post_verify(&b, &b.w[0]);
	if (b.w[0].err)
		die("%s", b.w[0].errmsg);
	uint64_t verified = 0, verify_fail = 0, cpu_ns = 0;
	for (unsigned i = 0; i < c->threads; i++) {
		verified += b.w[i].verified;
		verify_fail += b.w[i].verify_fail;
		cpu_ns += b.w[i].cpu_ns;
	}

	double secs = (double)(t_end - b.t_measure) / 1e9;
	const char *mode = c->raw == RAW_OFF ? "lib" : b.be->name;
	struct result r = { 0 };

	res_add_common(&r, c, mode);
	RES_U64(&r, "nblock", b.nblock);
	RES_STR(&r, "op", c->op_name);
	RES_U64(&r, "read_pct", c->read_pct);
	RES_STR(&r, "pattern", c->pattern == PAT_RAND ? "rand" : "seq");
	RES_U64(&r, "threads", c->threads);
	RES_U64(&r, "fresh", b.fresh);
	RES_U64(&r, "prefill", c->prefill);
	if (c->raw != RAW_OFF)
		RES_U64(&r, "is_pmem", b.raw_is_pmem);
	RES_U64(&r, "prefault_mib", prefaulted >> 20);
	RES_DBL(&r, "setup_s", setup_s);
	RES_DBL(&r, "duration_s", secs);
	add_lat_fields(&r, "", &all[2], secs, c->bsize);
	/*
	 * On a busy machine the threads lose CPU to other processes: the
	 * throughput they would reach owning their CPUs is ops per CPU
	 * second times threads. cpu_util below 1 shows how much was lost.
	 */
	double cpu_s = (double)cpu_ns / 1e9;
	RES_DBL(&r, "cpu_util", secs > 0 ? cpu_s / (secs * c->threads) : 0);
	RES_DBL(&r, "cpu_ops_per_s", cpu_s > 0 ?
			(double)all[2].count / cpu_s * c->threads : 0);
	/* the application thread's CPU time per operation (with --qd: the
	 * polling thread's, CLOCK_THREAD_CPUTIME_ID; movers' workers not
	 * included) */
	RES_DBL(&r, "cpu_ns_per_op", all[2].count ?
			(double)cpu_ns / (double)all[2].count : 0);
	if (c->read_pct > 0 && c->read_pct < 100) {
		add_lat_fields(&r, "r_", &all[1], secs, c->bsize);
		add_lat_fields(&r, "w_", &all[0], secs, c->bsize);
	}
	RES_U64(&r, "minflt", minflt);
	RES_U64(&r, "verified", verified);
	RES_U64(&r, "verify_fail", verify_fail);

	if (!c->json) {
		printf("pmemblk_bench: %s, lib %s\n", mode,
				c->raw == RAW_OFF ? loaded_library() : "-");
		printf("  CPU %s; metadata store %s\n", cpu_model(),
				c->raw == RAW_OFF ? metadata_store() : "-");
		printf("  pool %s: %" PRIu64 " blocks of %" PRIu64 " B (%s), "
				"setup %.2f s\n", c->pool, b.nblock, c->bsize,
				b.fresh ? "new" : "existing", setup_s);
		printf("  %s %s, %u thread(s), %.2f s measured, %" PRIu64
				" page faults\n", c->op_name,
				c->pattern == PAT_RAND ? "rand" : "seq",
				c->threads, secs, minflt);
		print_lat_line("total", &all[2], secs, c->bsize);
		printf("  CPU use %.0f %% of %u thread(s): %.0f ops/s per "
				"fully used thread(s)\n", secs > 0 ? 100 *
				cpu_s / (secs * c->threads) : 0, c->threads,
				cpu_s > 0 ? (double)all[2].count / cpu_s *
				c->threads : 0);
		if (c->read_pct > 0 && c->read_pct < 100) {
			print_lat_line("read", &all[1], secs, c->bsize);
			print_lat_line("write", &all[0], secs, c->bsize);
		}
		if (c->verify_every)
			printf("  verified %" PRIu64 " blocks, %" PRIu64
					" bad\n", verified, verify_fail);
	}
	res_print(&r, c->json);

	pthread_barrier_destroy(&b.barrier);
	teardown(&b);
	for (unsigned i = 0; i < c->threads; i++) {
		free(b.w[i].wbuf);
		free(b.w[i].rbuf);
	}
	free(b.w);
	free(all);
	free(b.expected);
	return verify_fail ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* --open-bench and --create-bench                                    */
/* ------------------------------------------------------------------ */

/* VmRSS of this process in KiB, from /proc/self/status */
static uint64_t vm_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %" SCNu64, &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* median of n values (sorts them) */
static uint64_t median(uint64_t *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int run_open_bench(struct config *c)
{
	unsigned n = c->iterations;
	uint64_t *open_ns = calloc(n, sizeof(uint64_t));
	uint64_t *close_ns = calloc(n, sizeof(uint64_t));
	uint64_t *read_ns = calloc(n, sizeof(uint64_t));
	uint64_t *write_ns = calloc(n, sizeof(uint64_t));
	uint64_t rss_max = 0, rss_base = 0;
	void *buf = xaligned(4096, c->bsize);
	bool created = false;

	if (!open_ns || !close_ns || !read_ns || !write_ns)
		die("out of memory");
	if (c->fresh)
		remove_pool(c->pool);
	if (!path_exists(c->pool)) {
		/* a pool with its BTT laid out: create + one write */
		PMEMblkpool *pbp = pmemblk_create(c->pool, c->bsize, c->size,
				0600);
		if (!pbp)
			die("pmemblk_create %s: %s", c->pool,
					pmemblk_errormsg());
		if (pmemblk_write(pbp, buf, 0))
			die("pmemblk_write: %s", pmemblk_errormsg());
		pmemblk_close(pbp);
		created = true;
	}
	struct stat st;
	if (stat(c->pool, &st))
		die("stat %s: %s", c->pool, strerror(errno));

	for (unsigned i = 0; i < n; i++) {
		uint64_t rss0 = vm_rss_kib();
		uint64_t t0 = now_ns();
		PMEMblkpool *pbp = pmemblk_open(c->pool, 0);
		uint64_t t1 = now_ns();
		if (!pbp)
			die("pmemblk_open %s: %s", c->pool, pmemblk_errormsg());
		uint64_t rss1 = vm_rss_kib();

		/* the first read and write show deferred (lazy) open work */
		uint64_t t2 = now_ns();
		if (pmemblk_read(pbp, buf, 0))
			die("pmemblk_read: %s", pmemblk_errormsg());
		uint64_t t3 = now_ns();
		if (pmemblk_write(pbp, buf, 0))
			die("pmemblk_write: %s", pmemblk_errormsg());
		uint64_t t4 = now_ns();
		pmemblk_close(pbp);
		uint64_t t5 = now_ns();

		open_ns[i] = t1 - t0;
		read_ns[i] = t3 - t2;
		write_ns[i] = t4 - t3;
		close_ns[i] = t5 - t4;
		if (i == 0)
			rss_base = rss0;
		if (rss1 > rss0 && rss1 - rss0 > rss_max)
			rss_max = rss1 - rss0;
	}
	uint64_t open_min = open_ns[0];
	for (unsigned i = 1; i < n; i++)
		if (open_ns[i] < open_min)
			open_min = open_ns[i];
	double open_us = median(open_ns, n) / 1e3;
	double read_us = median(read_ns, n) / 1e3;
	double write_us = median(write_ns, n) / 1e3;
	double close_us = median(close_ns, n) / 1e3;

	struct result r = { 0 };
	c->size = (uint64_t)st.st_size;
	res_add_common(&r, c, "open");
	RES_U64(&r, "created", created);
	RES_U64(&r, "iterations", n);
	RES_DBL(&r, "open_us", open_us);
	RES_DBL(&r, "open_us_min", open_min / 1e3);
	RES_DBL(&r, "first_read_us", read_us);
	RES_DBL(&r, "first_write_us", write_us);
	RES_DBL(&r, "close_us", close_us);
	RES_U64(&r, "rss_base_kib", rss_base);
	RES_U64(&r, "rss_open_kib", rss_max);
	if (!c->json) {
		printf("pmemblk_bench: open, lib %s\n", loaded_library());
		printf("  pool %s (%" PRIu64 " MiB), %u iterations (median)\n",
				c->pool, c->size >> 20, n);
		printf("  open %.1f us (min %.1f), first read %.1f us, first "
				"write %.1f us, close %.1f us\n", open_us,
				open_min / 1e3, read_us, write_us, close_us);
		printf("  VmRSS grows by %" PRIu64 " KiB at open (base %"
				PRIu64 " KiB)\n", rss_max, rss_base);
	}
	res_print(&r, c->json);
	if (c->cleanup)
		remove_pool(c->pool);
	free(open_ns);
	free(close_ns);
	free(read_ns);
	free(write_ns);
	free(buf);
	return 0;
}

static int run_create_bench(struct config *c)
{
	unsigned n = c->iterations;
	uint64_t *create_ns = calloc(n, sizeof(uint64_t));
	uint64_t *close_ns = calloc(n, sizeof(uint64_t));
	uint64_t *falloc_ns = calloc(n, sizeof(uint64_t));
	uint64_t *ratio_ppm = calloc(n, sizeof(uint64_t));

	if (!create_ns || !close_ns || !falloc_ns || !ratio_ppm)
		die("out of memory");
	if (path_exists(c->pool)) {
		if (!c->fresh)
			die("%s exists; --create-bench removes it only with "
					"--fresh", c->pool);
		remove_pool(c->pool);
	}
	if (c->size > (uint64_t)INT64_MAX)
		die("--size too large");

	/*
	 * Alternate the two, swapping which goes first each iteration, so
	 * that both see the same machine state; the ratio is the median of
	 * the per-iteration ratios (neighbours in time).
	 */
	for (unsigned i = 0; i < n; i++) {
		for (unsigned step = 0; step < 2; step++) {
			if ((step == 0) == (i % 2 == 0)) {
				uint64_t t0 = now_ns();
				PMEMblkpool *pbp = pmemblk_create(c->pool,
						c->bsize, c->size, 0600);
				uint64_t t1 = now_ns();
				if (!pbp)
					die("pmemblk_create %s: %s", c->pool,
							pmemblk_errormsg());
				pmemblk_close(pbp);
				uint64_t t2 = now_ns();
				remove_pool(c->pool);
				create_ns[i] = t1 - t0;
				close_ns[i] = t2 - t1;
			} else {
				uint64_t t0 = now_ns();
				int fd = open(c->pool, O_RDWR | O_CREAT |
						O_EXCL, 0600);
				if (fd < 0)
					die("open %s: %s", c->pool,
							strerror(errno));
				int err = posix_fallocate(fd, 0,
						(off_t)c->size);
				if (err)
					die("posix_fallocate %s: %s", c->pool,
							strerror(err));
				close(fd);
				uint64_t t1 = now_ns();
				remove_pool(c->pool);
				falloc_ns[i] = t1 - t0;
			}
		}
		/* ratio x 1e6, kept as an integer for median() */
		ratio_ppm[i] = create_ns[i] * 1000000 / (falloc_ns[i] ?
				falloc_ns[i] : 1);
	}
	double ratio = median(ratio_ppm, n) / 1e6;
	double create_ms = median(create_ns, n) / 1e6;
	double falloc_ms = median(falloc_ns, n) / 1e6;
	double close_ms = median(close_ns, n) / 1e6;

	struct result r = { 0 };
	res_add_common(&r, c, "create");
	RES_U64(&r, "iterations", n);
	RES_DBL(&r, "create_ms", create_ms);
	RES_DBL(&r, "close_ms", close_ms);
	RES_DBL(&r, "fallocate_ms", falloc_ms);
	RES_DBL(&r, "create_over_fallocate", ratio);
	if (!c->json) {
		printf("pmemblk_bench: create, lib %s\n", loaded_library());
		printf("  %" PRIu64 " MiB, bsize %" PRIu64 ", %u iterations "
				"(median)\n", c->size >> 20, c->bsize, n);
		printf("  pmemblk_create %.2f ms (close %.2f ms), open + "
				"posix_fallocate %.2f ms: ratio %.3f (median of "
				"per-iteration ratios)\n", create_ms, close_ms,
				falloc_ms, ratio);
	}
	res_print(&r, c->json);
	free(create_ns);
	free(close_ns);
	free(falloc_ns);
	free(ratio_ppm);
	return 0;
}

int main(int argc, char *argv[])
{
	struct config c;

	parse_args(argc, argv, &c);
	switch (c.mode) {
	case MODE_OPEN_BENCH:
		return run_open_bench(&c);
	case MODE_CREATE_BENCH:
		return run_create_bench(&c);
	default:
		return run_workload(&c);
	}
}
