/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crash_create.c -- power-failure simulation of whole pool files:
 * pmemblk_create (descriptor first, header last), the first block
 * operations through the public API, pmemblk_open resetting a dirty
 * shutdown state, and asynchronous writes: many futures in flight on a
 * pool whose data mover is a test mover that copies late (after a few
 * polls) and hands its flushes to the recorder -- either a plain 0.2
 * mover (the library commits in the poll) or one with the run extension
 * (VDM_CAPABILITY_RUN: the whole write, copy and commit, runs as the
 * mover's operation, as on libminiasync's workers).
 *
 * The program is linked with --wrap=persist_ops_for: while a workload
 * runs, the pool file's mapping gets a recorder (recorder.h) instead of
 * the real backend. At every fence the images a power failure could leave
 * are written to a scratch file and opened with pmemblk_open, which must
 *  - before pmemblk_create returned: fail with EINVAL, or open the pool
 *    with the requested block size and block count (doc/design.md §5: never a
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PMEMBLK_USE_MINIASYNC 1
#include "libpmemblk.h"
#include "btt_layout.h"
#include "crash_pattern.h"
#include "persist.h"
#include "pool_hdr.h"
#include "recorder.h"

#define POOL_SIZE (((size_t)16 << 20) + 8192)	/* the minimum pool */
#define MAX_TOUCHED 16
#define MAX_INFLIGHT 16
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
	bool msync;		/* ... with msync semantics */
	bool nt_words;		/* ... else with non-temporal metadata stores */
	char label[64];		/* name + the metadata store, for messages */
	bool attached;
	struct recorder rec;

	/*
	 * Blocks touched so far with their acknowledged state, and the
	 * operations in flight (block index and the state each would give).
	 */
	uint64_t lba[MAX_TOUCHED];
	struct bstate acked[MAX_TOUCHED];
	size_t ntouched;
	size_t inflight[MAX_INFLIGHT];
	struct bstate inflight_st[MAX_INFLIGHT];
	bool inflight_on[MAX_INFLIGHT];
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

static void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "crash_create: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	/* 16 MiB files in /dev/shm must not outlive a failed run */
	if (w.pool != NULL)
		unlink(w.pool);
	unlink(w.image);
	unlink(w.pmdk_image);
	exit(1);
}

static void violation(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

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
	void *start = NULL;
	size_t len = 0;
	if (w.attached || !find_mapping(w.pool, &start, &len))
		die("%s: cannot find the mapping of %s", w.name, w.pool);
	if (rec_attach(&w.rec, start, len) != 0)
		die("rec_attach: %s", strerror(errno));
	if (w.msync)
		rec_use_msync(&w.rec);
	else if (w.nt_words)
		rec_use_nt_words(&w.rec);
	w.rec.on_fence = crash_point;
	w.attached = true;
	return &w.rec.ops;
}

/* ------------------------------------------------------------------ */
/* checking one image                                                  */

static struct bstate
observe(PMEMblkpool *pbp, uint64_t lba)
{
	_Alignas(uint64_t) uint8_t buf[MAX_BSIZE];
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

/*
 * A scratch pool file kept mapped: an image is written by copying only
 * the pages that differ from media (what the previous image or the
 * library's recovery on it changed), then the chosen dirty words.
 */
struct image_file {
	const char *path;
	int fd;
	uint8_t *mem;
	size_t len;
};

static struct image_file img_ours, img_pmdk;

static void
image_file_write(struct image_file *f, const char *path, size_t n)
{
	const struct media *m = &w.rec.media;
	if (f->mem == NULL || f->len != m->len) {
		if (f->mem != NULL) {
			munmap(f->mem, f->len);
			close(f->fd);
		}
		f->path = path;
		f->len = m->len;
		f->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (f->fd < 0 || ftruncate(f->fd, (off_t)f->len) != 0)
			die("%s: %s", path, strerror(errno));
		f->mem = mmap(NULL, f->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			f->fd, 0);
		if (f->mem == MAP_FAILED)
			die("mmap %s: %s", path, strerror(errno));
	}
	for (size_t off = 0; off < f->len; off += REC_PAGE)
		if (memcmp(f->mem + off, m->mem + off, REC_PAGE) != 0)
			memcpy(f->mem + off, m->mem + off, REC_PAGE);
	for (size_t i = 0; i < n; i++)
		memcpy(f->mem + (size_t)w.words[i] * REC_WORD, &w.vals[i],
			REC_WORD);
}

static void
image_file_close(struct image_file *f)
{
	if (f->mem == NULL)
		return;
	munmap(f->mem, f->len);
	close(f->fd);
	unlink(f->path);
	f->mem = NULL;
}

static void
check_image(size_t n)
{
	image_file_write(&img_ours, w.image, n);
	w.images++;
	total_images++;
	/* PMDK gets its own copy: our open may write (recovery, SDS) */
	bool to_pmdk = pmdk_helper && (w.images - 1) % pmdk_every == 0;
	if (to_pmdk)
		image_file_write(&img_pmdk, w.pmdk_image, n);

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
			bool ok = st_eq(st, w.acked[i]);
			for (size_t k = 0; k < MAX_INFLIGHT; k++)
				ok |= w.inflight_on[k] && w.inflight[k] == i &&
					st_eq(st, w.inflight_st[k]);
			if (!ok)
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

/* An operation starts: until it returns, its block may show its result. */
static int
op_begin(uint64_t lba, struct bstate st)
{
	for (int k = 0; k < MAX_INFLIGHT; k++)
		if (!w.inflight_on[k]) {
			w.inflight[k] = touch(lba);
			w.inflight_st[k] = st;
			w.inflight_on[k] = true;
			return k;
		}
	die("too many operations in flight");
	return -1;
}

/* It returned: its result is what the block must hold from now on. */
static void
op_end(int k)
{
	w.acked[w.inflight[k]] = w.inflight_st[k];
	w.inflight_on[k] = false;
}

enum op { OP_WRITE, OP_ZERO, OP_ERROR };

static void
do_op(PMEMblkpool *pbp, enum op op, uint64_t lba)
{
	_Alignas(uint64_t) uint8_t buf[MAX_BSIZE];
	int ret, k;
	switch (op) {
	case OP_WRITE:
		k = op_begin(lba, (struct bstate){ST_DATA, ++w.version});
		pat_fill(buf, w.bsize, lba, w.version);
		ret = pmemblk_write(pbp, buf, (long long)lba);
		break;
	case OP_ZERO:
		k = op_begin(lba, (struct bstate){ST_ZERO, 0});
		ret = pmemblk_set_zero(pbp, (long long)lba);
		break;
	default:
		k = op_begin(lba, (struct bstate){ST_ERROR, 0});
		ret = pmemblk_set_error(pbp, (long long)lba);
		break;
	}
	if (ret != 0)
		die("%s: operation %d on block %llu: %s", w.name, op,
			(unsigned long long)lba, pmemblk_errormsg());
	op_end(k);
}

/* ------------------------------------------------------------------ */
/* a data mover for the async futures                                  */

/*
 * Runs each operation at its `delay`-th check, so futures stay in flight
 * across polls and interleave; flushes (and durable copies) go to the
 * recorder like the library's own. With `durable` the mover claims
 * VDM_F_MEM_DURABLE and the library asks for durable copies instead of
 * separate flushes. With `run` it claims VDM_CAPABILITY_RUN and runs the
 * library's functions (the whole write: copy, persist, flog, map, lane
 * release) at that check, on this thread, where the recorder sees every
 * fence of them.
 */
struct rec_mover {
	struct vdm base;
	unsigned delay;
	unsigned nrun;		/* VDM_OPERATION_RUNs run */
};

struct rec_mover_op {
	const struct rec_mover *mover;
	unsigned checks;
	bool done;
	int64_t result;
};

static void *
mover_op_new(struct vdm *vdm, enum vdm_operation_type type)
{
	(void) type;
	struct rec_mover_op *op = calloc(1, sizeof(*op));
	if (op != NULL)
		op->mover = (const struct rec_mover *)vdm;
	return op;
}

static int
mover_op_start(void *op, const struct vdm_operation *operation,
	struct future_notifier *notifier)
{
	(void) op;
	(void) operation;
	if (notifier != NULL)
		notifier->notifier_used = FUTURE_NOTIFIER_NONE;
	return 0;
}

static enum future_state
mover_op_check(void *opp, const struct vdm_operation *o)
{
	struct rec_mover_op *op = opp;
	if (op->done)
		return FUTURE_STATE_COMPLETE;
	if (op->checks++ < op->mover->delay)
		return FUTURE_STATE_RUNNING;
	const struct persist_ops *ops = &w.rec.ops;
	switch ((unsigned)o->type) {
	case VDM_OPERATION_MEMCPY:
		memcpy(o->data.memcpy.dest, o->data.memcpy.src,
			o->data.memcpy.n);
		if (o->data.memcpy.flags & VDM_F_MEM_DURABLE)
			ops->flush(ops, o->data.memcpy.dest, o->data.memcpy.n);
		break;
	case VDM_OPERATION_MEMMOVE:
		memmove(o->data.memmove.dest, o->data.memmove.src,
			o->data.memmove.n);
		if (o->data.memmove.flags & VDM_F_MEM_DURABLE)
			ops->flush(ops, o->data.memmove.dest,
				o->data.memmove.n);
		break;
	case VDM_OPERATION_MEMSET:
		memset(o->data.memset.str, o->data.memset.c, o->data.memset.n);
		if (o->data.memset.flags & VDM_F_MEM_DURABLE)
			ops->flush(ops, o->data.memset.str, o->data.memset.n);
		break;
	case VDM_OPERATION_FLUSH:
		ops->flush(ops, o->data.flush.dest, o->data.flush.n);
		break;
	case VDM_OPERATION_RUN:
		op->result = o->data.run.fn(o->data.run.args);
		((struct rec_mover *)op->mover)->nrun++;
		break;
	}
	op->done = true;
	return FUTURE_STATE_COMPLETE;
}

static void
mover_op_delete(void *op, const struct vdm_operation *o,
	struct vdm_operation_output *out)
{
	out->type = o->type;
	out->result = VDM_SUCCESS;
	switch ((unsigned)o->type) {
	case VDM_OPERATION_MEMCPY:
		out->output.memcpy.dest = o->data.memcpy.dest;
		break;
	case VDM_OPERATION_MEMMOVE:
		out->output.memmove.dest = o->data.memmove.dest;
		break;
	case VDM_OPERATION_MEMSET:
		out->output.memset.str = o->data.memset.str;
		break;
	case VDM_OPERATION_FLUSH:
		break;
	case VDM_OPERATION_RUN:
		out->output.run.result = ((struct rec_mover_op *)op)->result;
		break;
	}
	free(op);
}

static void
mover_init(struct rec_mover *m, bool durable, bool run, unsigned delay)
{
	m->base = (struct vdm){
		.op_new = mover_op_new,
		.op_delete = mover_op_delete,
		.op_start = mover_op_start,
		.op_check = mover_op_check,
		.capabilities = (durable ? VDM_F_MEM_DURABLE : 0) |
			(run ? VDM_CAPABILITY_RUN : 0),
	};
	m->delay = delay;
	m->nrun = 0;
}

/*
 * Keeps up to `inflight` write futures going on blocks [0, nblk), polling
 * them round robin, `total` writes in all; reads some blocks back through
 * read futures on the way (they must see acknowledged or in-flight data).
 */
static void
async_writes(PMEMblkpool *pbp, unsigned total, unsigned inflight,
	unsigned nblk)
{
	struct slot {
		struct pmemblk_write_async_future fut;
		int k;
		bool busy;
		_Alignas(uint64_t) uint8_t buf[MAX_BSIZE];
	};
	static struct slot slots[MAX_INFLIGHT];
	unsigned started = 0, done = 0, next = 0;
	uint64_t rng = 0x5EED;
	while (done < total) {
		for (unsigned i = 0; i < inflight; i++) {
			struct slot *sl = &slots[i];
			if (!sl->busy && started < total) {
				uint64_t lba = rng_next(&rng) % nblk;
				sl->k = op_begin(lba, (struct bstate){ST_DATA,
					++w.version});
				pat_fill(sl->buf, w.bsize, lba, w.version);
				sl->fut = pmemblk_write_async(pbp, sl->buf,
					(long long)lba);
				sl->busy = true;
				started++;
			}
			if (!sl->busy)
				continue;
			if (future_poll(FUTURE_AS_RUNNABLE(&sl->fut), NULL) !=
					FUTURE_STATE_COMPLETE)
				continue;
			if (FUTURE_OUTPUT(&sl->fut)->return_value != 0)
				die("%s: async write: %s", w.name,
					pmemblk_errormsg());
			op_end(sl->k);
			sl->busy = false;
			done++;
		}
		/* a read future now and then, polled to completion */
		if (++next % 5 == 0) {
			_Alignas(uint64_t) uint8_t buf[MAX_BSIZE];
			uint64_t lba = rng_next(&rng) % nblk;
			struct pmemblk_read_async_future rf =
				pmemblk_read_async(pbp, buf, (long long)lba);
			while (future_poll(FUTURE_AS_RUNNABLE(&rf), NULL) !=
					FUTURE_STATE_COMPLETE)
				;
			uint64_t v;
			if (FUTURE_OUTPUT(&rf)->return_value != 0 ||
					pat_decode(buf, w.bsize, lba, &v) == PAT_BAD)
				violation("async read of block %llu failed or mixed",
					(unsigned long long)lba);
		}
	}
}

/* keep_model: the pool is the previous workload's, blocks and all */
static void
workload_start(const char *name, const char *pool, uint32_t bsize,
	bool keep_model)
{
	rec_fini(&w.rec);
	snprintf(w.label, sizeof(w.label), "%s%s", name,
		w.nt_words ? "/nt" : "");
	w.name = w.label;
	w.pool = pool;
	w.bsize = bsize;
	struct btt_geometry g;
	if (!btt_geometry(POOL_SIZE - 8192, bsize, BTT_DEFAULT_NFREE, &g))
		die("geometry");
	w.nblock = g.external_nlba;
	w.attached = false;
	if (!keep_model)
		w.ntouched = 0;
	memset(w.inflight_on, 0, sizeof(w.inflight_on));
	w.points = w.images = w.pmdk_images = w.violations = 0;
	w.msync = false;
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
 * open zeroes the state (doc/design.md §5); then more writes.
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
	sds.checksum = 0x0000000C00000001ULL;	/* doc/format.md §2.5 */
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

/*
 * Asynchronous writes, several in flight, on a new pool whose mover
 * copies late; `durable`: the mover makes copies durable itself; `msync`:
 * the pool's backend has msync semantics (the library then msyncs the
 * copied block itself before the commit).
 */
static void
wl_async(const char *pool, const char *name, bool durable, bool run,
	bool msync)
{
	double t0 = now();
	unlink(pool);
	workload_start(name, pool, 4096, false);
	w.msync = msync;
	static struct rec_mover mover;
	mover_init(&mover, durable, run, 2);
	w.created = false;
	PMEMblkpool *pbp = pmemblk_xcreate(pool, 4096, POOL_SIZE, 0600,
		&mover.base);
	if (pbp == NULL)
		die("pmemblk_xcreate: %s", pmemblk_errormsg());
	w.created = true;
	do_op(pbp, OP_WRITE, 0);	/* the layout, synchronously */
	async_writes(pbp, 24, 6, 5);
	do_op(pbp, OP_ERROR, 1);
	async_writes(pbp, 8, 4, 3);
	/* the run path took every async write and read */
	if (run != (mover.nrun >= 32))
		die("%s: %u operations run on the mover", name, mover.nrun);
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
	/* each metadata store of doc/cpu_strategies.md (msync has one) */
	for (int nt = 0; nt <= 1; nt++) {
		w.nt_words = nt;
		wl_create_new(pool);
		wl_open_dirty_sds(pool);
		wl_create_existing(pool);
		wl_async(pool, "async_mover_flush", false, false, false);
		wl_async(pool, "async_mover_durable", true, false, false);
		wl_async(pool, "async_run", true, true, false);
		if (!nt) {
			wl_async(pool, "async_msync", false, false, true);
			wl_async(pool, "async_run_msync", true, true, true);
		}
	}
	unlink(pool);
	image_file_close(&img_ours);
	image_file_close(&img_pmdk);

	printf("crash images checked: %llu (%llu crash points, %llu also opened by PMDK), violations: %llu, %.1f s\n",
		total_images, total_points, total_pmdk, total_violations,
		now() - t0);
	return total_violations ? 1 : 0;
}
