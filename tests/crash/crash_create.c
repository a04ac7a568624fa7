/*
 * crash_create.c -- power-failure simulation of whole pool files:
 * pmemblk_create (descriptor first, header last), the first block
 * operations through the public API, and pmemblk_open resetting a dirty
 * shutdown state.
 *
 * The program is linked with --wrap=persist_ops_for: while a workload
 * runs, the pool file's mapping gets a recorder (recorder.h) instead of
 * the real backend. At every fence the images a power failure could leave
 * are written to a scratch file and opened with pmemblk_open, which must
 *  - before pmemblk_create returned: fail with EINVAL, or open the pool
 *    with the requested block size and block count (DESIGN.md §5: never a
 *    pool with a wrong geometry);
 *  - after it returned: open it;
 * and every block of an open pool must read as its acknowledged state or
 * the state of the operation in flight, with pmemblk_check returning 1.
 * With --pmdk HELPER a sample of the images also goes through PMDK's
 * library (see crash_btt.c), which must agree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libpmemblk.h"
#include "btt_layout.h"
#include "crash_pattern.h"
#include "persist.h"
#include "pool_hdr.h"
#include "recorder.h"

#define POOL_SIZE (((size_t)16 << 20) + 8192)	/* the minimum pool */
#define MAX_TOUCHED 16
#define MAX_BSIZE 4096
#define MAX_REPORTED 20

const struct persist_ops *__real_persist_ops_for(bool private_map,
	bool is_pmem);
const struct persist_ops *__wrap_persist_ops_for(bool private_map,
	bool is_pmem);

enum st_kind { ST_ZERO, ST_ERROR, ST_DATA, ST_BAD };

struct bstate {
	enum st_kind kind;
	uint64_t version;
};

static struct {
	const char *name;
	const char *pool;	/* the workload's pool file */
	char image[256];	/* scratch file for crash images */
	char pmdk_image[256];	/* the same image, for PMDK */
	uint32_t bsize;
	size_t nblock;		/* expected */
	bool created;		/* pmemblk_create returned */

	bool hook;		/* give the pool's mapping a recorder */
	bool attached;
	struct recorder rec;

	/* blocks touched so far: acknowledged state, and the op in flight */
	uint64_t lba[MAX_TOUCHED];
	struct bstate acked[MAX_TOUCHED];
	size_t ntouched;
	int inflight;		/* index into lba[], or -1 */
	struct bstate inflight_st;
	uint64_t version;

	uint32_t *words;
	uint64_t *vals;
	size_t cap;
	const char *variant;
	unsigned long long points, images, pmdk_images, violations;
} w;

static unsigned nseeds = 3;
static unsigned pmdk_every = 10;
static const char *pmdk_helper;
static unsigned long long total_images, total_points, total_pmdk;
static unsigned long long total_violations;

static void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "crash_create: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void
violation(const char *fmt, ...)
{
	w.violations++;
	if (++total_violations > MAX_REPORTED)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "VIOLATION [%s, fence %llu, %s]: ", w.name,
		(unsigned long long)w.rec.nfences, w.variant);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* the backend hook                                                    */

/* Finds the mapping of `path` in /proc/self/maps. */
static bool
find_mapping(const char *path, void **start, size_t *len)
{
	char real[4096];
	if (realpath(path, real) == NULL)
		return false;
	FILE *f = fopen("/proc/self/maps", "r");
	if (f == NULL)
		return false;
	char line[4096 + 128];
	unsigned long lo = 0, hi = 0;
	bool found = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		int off = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &a, &b, &off) < 2 ||
				off == 0)
			continue;
		char *name = line + off;
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, real) != 0)
			continue;
		if (!found || a == hi) {	/* contiguous pieces */
			lo = found ? lo : a;
			hi = b;
			found = true;
		}
	}
	fclose(f);
	*start = (void *)lo;
	*len = hi - lo;
	return found;
}

static void crash_point(struct recorder *rec, void *arg);

/*
 * The pool code asks which backend its fresh mapping needs; while a
 * workload runs, the answer is a recorder over that mapping.
 */
const struct persist_ops *
__wrap_persist_ops_for(bool private_map, bool is_pmem)
{
	if (!w.hook || private_map)
		return __real_persist_ops_for(private_map, is_pmem);
	void *start;
	size_t len;
	if (w.attached || !find_mapping(w.pool, &start, &len))
		die("%s: cannot find the mapping of %s", w.name, w.pool);
	if (rec_attach(&w.rec, start, len) != 0)
		die("rec_attach: %s", strerror(errno));
	w.rec.on_fence = crash_point;
	w.attached = true;
	return &w.rec.ops;
}

/* ------------------------------------------------------------------ */
/* checking one image                                                  */

static struct bstate
observe(PMEMblkpool *pbp, uint64_t lba)
{
	uint8_t buf[MAX_BSIZE];
	errno = 0;
	if (pmemblk_read(pbp, buf, (long long)lba) != 0)
		return errno == EIO ? (struct bstate){ST_ERROR, 0} :
			(struct bstate){ST_BAD, (uint64_t)errno};
	uint64_t version = 0;
	switch (pat_decode(buf, w.bsize, lba, &version)) {
	case PAT_ZERO:
		return (struct bstate){ST_ZERO, 0};
	case PAT_DATA:
		return (struct bstate){ST_DATA, version};
	default:
		return (struct bstate){ST_BAD, 0};
	}
}

static bool
st_eq(struct bstate a, struct bstate b)
{
	return a.kind == b.kind && (a.kind != ST_DATA || a.version == b.version);
}

/* Compares PMDK's view (pmdk_blk_dump) of the image with ours. */
static void
pmdk_compare(bool we_opened, const struct bstate *ours)
{
	int pipefd[2];
	if (pipe(pipefd) != 0)
		die("pipe: %s", strerror(errno));
	char bsize[16];
	snprintf(bsize, sizeof(bsize), "%u", w.bsize);
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		unsetenv("LD_LIBRARY_PATH");
		unsetenv("LD_PRELOAD");
		execl(pmdk_helper, pmdk_helper, w.pmdk_image, bsize,
			(char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	FILE *f = fdopen(pipefd[0], "r");
	if (f == NULL)
		die("fdopen: %s", strerror(errno));
	char line[128];
	bool opened = false;
	struct bstate seen[MAX_TOUCHED] = {{ST_ZERO, 0}};
	while (fgets(line, sizeof(line), f)) {
		int a, b;
		unsigned long long lba, v;
		char kind;
		if (sscanf(line, "check %d %d", &a, &b) == 2) {
			if (we_opened && a != 1)
				violation("PMDK: pmemblk_check returned %d", a);
		} else if (sscanf(line, "open %d %llu", &a, &lba) == 2) {
			opened = a == 0;
			if (opened != we_opened)
				violation("PMDK %s the image, we %s it",
					opened ? "opens" : "refuses",
					we_opened ? "open" : "refuse");
			if (opened && lba != w.nblock)
				violation("PMDK: nblock %llu", lba);
		} else if (sscanf(line, "%llu %c %llu", &lba, &kind, &v) >= 2) {
			size_t i = 0;
			while (i < w.ntouched && w.lba[i] != lba)
				i++;
			if (i == w.ntouched) {
				violation("PMDK: untouched block %llu not zero",
					lba);
				continue;
			}
			seen[i] = kind == 'E' ? (struct bstate){ST_ERROR, 0} :
				kind == 'D' ? (struct bstate){ST_DATA, v} :
				(struct bstate){ST_BAD, 0};
		}
	}
	fclose(f);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		violation("PMDK helper failed (status 0x%x)", status);
	if (opened && we_opened)
		for (size_t i = 0; i < w.ntouched; i++)
			if (!st_eq(seen[i], ours[i]))
				violation("PMDK and we read block %llu differently",
					(unsigned long long)w.lba[i]);
	w.pmdk_images++;
	total_pmdk++;
}

/* Writes media plus the n chosen dirty words into a pool file. */
static void
write_image(const char *path, size_t n)
{
	const struct media *m = &w.rec.media;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if (pwrite(fd, m->mem, m->len, 0) != (ssize_t)m->len)
		die("write %s: %s", path, strerror(errno));
	for (size_t i = 0; i < n; i++)
		if (pwrite(fd, &w.vals[i], REC_WORD,
				(off_t)w.words[i] * REC_WORD) != REC_WORD)
			die("write %s: %s", path, strerror(errno));
	close(fd);
}

static void
check_image(size_t n)
{
	write_image(w.image, n);
	w.images++;
	total_images++;
	/* PMDK gets its own copy: our open may write (recovery, SDS) */
	bool to_pmdk = pmdk_helper && (w.images - 1) % pmdk_every == 0;
	if (to_pmdk)
		write_image(w.pmdk_image, n);

	errno = 0;
	int check = pmemblk_check(w.image, w.bsize);
	int check_errno = errno;
	errno = 0;
	PMEMblkpool *pbp = pmemblk_open(w.image, 0);
	struct bstate ours[MAX_TOUCHED];
	if (pbp == NULL) {
		if (errno != EINVAL)
			violation("open failed with errno %d, not EINVAL: %s",
				errno, pmemblk_errormsg());
		if (w.created)
			violation("the pool is gone after pmemblk_create returned: %s",
				pmemblk_errormsg());
		if (check != -1)
			violation("pmemblk_check returned %d on a pool open refuses",
				check);
	} else {
		if (pmemblk_bsize(pbp) != w.bsize ||
				pmemblk_nblock(pbp) != w.nblock)
			violation("opens with bsize %zu nblock %zu, created with %u, %zu",
				pmemblk_bsize(pbp), pmemblk_nblock(pbp),
				w.bsize, w.nblock);
		if (check != 1)
			violation("pmemblk_check returned %d (errno %d)", check,
				check_errno);
		for (size_t i = 0; i < w.ntouched; i++) {
			struct bstate st = observe(pbp, w.lba[i]);
			ours[i] = st;
			if (!st_eq(st, w.acked[i]) && !((int)i == w.inflight &&
					st_eq(st, w.inflight_st)))
				violation("block %llu reads kind %d v%llu, acknowledged kind %d v%llu",
					(unsigned long long)w.lba[i], st.kind,
					(unsigned long long)st.version,
					w.acked[i].kind,
					(unsigned long long)w.acked[i].version);
		}
		pmemblk_close(pbp);
	}
	if (to_pmdk)
		pmdk_compare(pbp != NULL, ours);
}

static void
crash_point(struct recorder *rec, void *arg)
{
	(void) arg;
	w.points++;
	total_points++;
	bool hook = w.hook;
	w.hook = false;		/* the checks open pools normally */

	struct rec_variant variants[REC_MAX_VARIANTS];
	rec_dirty_words(rec);
	size_t nvariants = rec_variants(rec, nseeds, variants);
	if (rec->ndirty > w.cap) {
		w.cap = rec->ndirty * 2;
		w.words = realloc(w.words, w.cap * sizeof(*w.words));
		w.vals = realloc(w.vals, w.cap * sizeof(*w.vals));
		if (!w.words || !w.vals)
			die("out of memory");
	}
	for (size_t v = 0; v < nvariants; v++) {
		char name[48];
		w.variant = rec_variant_name(&variants[v], name, sizeof(name));
		size_t n = rec_pick_subset(rec, &variants[v], w.points,
			w.words, w.vals);
		check_image(n);
	}
	w.variant = "";
	w.hook = hook;
}

/* ------------------------------------------------------------------ */
/* workloads                                                           */

static size_t
touch(uint64_t lba)
{
	for (size_t i = 0; i < w.ntouched; i++)
		if (w.lba[i] == lba)
			return i;
	if (w.ntouched == MAX_TOUCHED)
		die("too many blocks");
	w.lba[w.ntouched] = lba;
	w.acked[w.ntouched] = (struct bstate){ST_ZERO, 0};
	return w.ntouched++;
}

enum op { OP_WRITE, OP_ZERO, OP_ERROR };

static void
do_op(PMEMblkpool *pbp, enum op op, uint64_t lba)
{
	size_t i = touch(lba);
	uint8_t buf[MAX_BSIZE];
	int ret;
	w.inflight = (int)i;
	switch (op) {
	case OP_WRITE:
		w.inflight_st = (struct bstate){ST_DATA, ++w.version};
		pat_fill(buf, w.bsize, lba, w.version);
		ret = pmemblk_write(pbp, buf, (long long)lba);
		break;
	case OP_ZERO:
		w.inflight_st = (struct bstate){ST_ZERO, 0};
		ret = pmemblk_set_zero(pbp, (long long)lba);
		break;
	default:
		w.inflight_st = (struct bstate){ST_ERROR, 0};
		ret = pmemblk_set_error(pbp, (long long)lba);
		break;
	}
	if (ret != 0)
		die("%s: operation %d on block %llu: %s", w.name, op,
			(unsigned long long)lba, pmemblk_errormsg());
	w.acked[i] = w.inflight_st;
	w.inflight = -1;
}

/* keep_model: the pool is the previous workload's, blocks and all */
static void
workload_start(const char *name, const char *pool, uint32_t bsize,
	bool keep_model)
{
	rec_fini(&w.rec);
	w.name = name;
	w.pool = pool;
	w.bsize = bsize;
	struct btt_geometry g;
	if (!btt_geometry(POOL_SIZE - 8192, bsize, BTT_DEFAULT_NFREE, &g))
		die("geometry");
	w.nblock = g.external_nlba;
	w.attached = false;
	if (!keep_model)
		w.ntouched = 0;
	w.inflight = -1;
	w.points = w.images = w.pmdk_images = w.violations = 0;
	w.variant = "";
	w.hook = true;
}

static void
workload_end(PMEMblkpool *pbp, double t0)
{
	/* a crash point after everything was acknowledged */
	crash_point(&w.rec, NULL);
	pmemblk_close(pbp);
	w.hook = false;
	if (!w.attached || w.rec.nfences == 0)
		die("%s: the recorder saw no fence: is the backend hook in place?",
			w.name);
	rec_fini(&w.rec);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%-22s crash points %5llu  images %6llu  PMDK %4llu  violations %llu  (%.1f s)\n",
		w.name, w.points, w.images, w.pmdk_images, w.violations,
		(double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - t0);
	fflush(stdout);
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A new file: create writes descriptor, then header; writes follow. */
static void
wl_create_new(const char *pool)
{
	double t0 = now();
	unlink(pool);
	workload_start("create_new", pool, 4096, false);
	w.created = false;
	PMEMblkpool *pbp = pmemblk_create(pool, 4096, POOL_SIZE, 0600);
	if (pbp == NULL)
		die("pmemblk_create: %s", pmemblk_errormsg());
	w.created = true;
	if (pmemblk_nblock(pbp) != w.nblock)
		die("nblock %zu, expected %zu", pmemblk_nblock(pbp), w.nblock);
	do_op(pbp, OP_WRITE, 0);
	do_op(pbp, OP_WRITE, 1);
	do_op(pbp, OP_WRITE, w.nblock - 1);
	do_op(pbp, OP_ZERO, 1);
	do_op(pbp, OP_ERROR, 2);
	do_op(pbp, OP_WRITE, 2);
	do_op(pbp, OP_WRITE, 0);
	workload_end(pbp, t0);
}

/* An existing zero file (poolsize 0): is_zeroed 0, the map is cleared. */
static void
wl_create_existing(const char *pool)
{
	double t0 = now();
	unlink(pool);
	int fd = open(pool, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, POOL_SIZE) != 0)
		die("%s: %s", pool, strerror(errno));
	close(fd);
	workload_start("create_existing", pool, 512, false);
	w.created = false;
	PMEMblkpool *pbp = pmemblk_create(pool, 512, 0, 0600);
	if (pbp == NULL)
		die("pmemblk_create: %s", pmemblk_errormsg());
	w.created = true;
	do_op(pbp, OP_ERROR, 3);
	do_op(pbp, OP_WRITE, 3);
	do_op(pbp, OP_WRITE, 4);
	do_op(pbp, OP_ZERO, 5);
	workload_end(pbp, t0);
}

/*
 * A pool PMDK left open (dirty shutdown state on an ordinary file): our
 * open zeroes the state (DESIGN.md §5); then more writes.
 */
static void
wl_open_dirty_sds(const char *pool)
{
	double t0 = now();
	/* the pool and blocks create_new left */
	workload_start("open_dirty_sds", pool, 4096, true);
	w.created = true;

	struct shutdown_state sds;
	memset(&sds, 0, sizeof(sds));
	sds.dirty = 1;
	sds.checksum = 0x0000000C00000001ULL;	/* FORMAT.md §2.5 */
	int fd = open(pool, O_RDWR);
	if (fd < 0 || pwrite(fd, &sds, sizeof(sds),
			offsetof(struct pool_hdr, sds)) != sizeof(sds))
		die("%s: %s", pool, strerror(errno));
	close(fd);

	PMEMblkpool *pbp = pmemblk_open(pool, 4096);
	if (pbp == NULL)
		die("pmemblk_open: %s", pmemblk_errormsg());
	do_op(pbp, OP_WRITE, 1);
	do_op(pbp, OP_WRITE, 5);
	workload_end(pbp, t0);
}

int
main(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pmdk") == 0 && i + 1 < argc)
			pmdk_helper = argv[++i];
		else
			die("usage: %s [--pmdk HELPER]", argv[0]);
	}
	const char *v = getenv("CRASH_SEEDS");
	if (v && *v)
		nseeds = (unsigned)strtoul(v, NULL, 0);
	v = getenv("CRASH_PMDK_EVERY");
	if (v && *v)
		pmdk_every = (unsigned)strtoul(v, NULL, 0);
	if (pmdk_every == 0)
		die("CRASH_PMDK_EVERY must be positive");

	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
		getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char pool[256];
	snprintf(pool, sizeof(pool), "%s/crash_create_%d.pool", dir,
		(int)getpid());
	snprintf(w.image, sizeof(w.image), "%s/crash_create_%d.image", dir,
		(int)getpid());
	snprintf(w.pmdk_image, sizeof(w.pmdk_image),
		"%s/crash_create_%d.pmdk", dir, (int)getpid());

	double t0 = now();
	wl_create_new(pool);
	wl_open_dirty_sds(pool);
	wl_create_existing(pool);
	unlink(pool);
	unlink(w.image);
	unlink(w.pmdk_image);

	printf("crash images checked: %llu (%llu crash points, %llu also opened by PMDK), violations: %llu, %.1f s\n",
		total_images, total_points, total_pmdk, total_violations,
		now() - t0);
	return total_violations ? 1 : 0;
}
