/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crash_btt.c -- power-failure simulation of the BTT engine.
 *
 * Workloads run through btt_* on a 16 MiB namespace whose persistence
 * backend is a recorder (recorder.h). At every fence the recorder calls
 * back here, and we build the images a power failure at that moment could
 * leave (doc/design.md §6):
 *   (a) only what was flushed and fenced,
 *   (b) that plus random subsets of the dirty 8-byte words (several seeds,
 *       several densities),
 *   (c) that plus every dirty word.
 * Each image is opened with our BTT (recovery runs on a recorder too, and
 * every fence of the recovery yields images of a second crash, which are
 * opened again) and checked:
 *  - every block reads as its acknowledged state or as the state an
 *    operation in flight at the crash would give it; never a mix, never
 *    another block's data (blocks are self-describing, crash_pattern.h);
 *  - btt_check returns 1;
 *  - a second crash during recovery ends in exactly the same contents;
 *  - the recovered pool takes a new write correctly without disturbing
 *    any other block.
 * With --pmdk HELPER, a sample of the images is also written into a real
 * pool file and opened by PMDK's libpmemblk in a child process, which must
 * see the same contents and report the pool consistent.
 *
 * Environment: CRASH_SCALE (operations multiplier, default 1),
 * CRASH_SEEDS (random subsets per crash point, default 3),
 * CRASH_PMDK_EVERY (with --pmdk: one image in N, default 40),
 * CRASH_VERBOSE=1 (describe every crash point), CRASH_MODES (a sum of
 * 1: cache flushes with cached metadata stores, 2: msync, 4: cache
 * flushes with non-temporal metadata stores; default 7, all three).
 *
 * Every workload runs three times: on a backend with cache-flush
 * semantics (flush then drain; the crash points are the drains) once for
 * each metadata store of doc/cpu_strategies.md (a cached store whose
 * line is flushed, or a non-temporal store of the word alone), and on one
 * with msync semantics (flush_is_sync: the BTT takes its msync paths; the
 * crash points are the msyncs, and media receives whole sectors).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "blk.h"
#include "btt.h"
#include "btt_layout.h"
#include "crash_pattern.h"
#include "out.h"
#include "persist.h"
#include "pool_hdr.h"
#include "recorder.h"

#define NS_SIZE ((size_t)16 << 20)	/* the minimum namespace */
#define MAX_INFLIGHT 300
#define MAX_BSIZE 4096
#define MAX_REPORTED 20
/* versions written by the post-recovery probe, never by a workload */
#define PROBE_VERSION (1ULL << 38)

enum st_kind { ST_ZERO, ST_ERROR, ST_DATA, ST_BAD };

struct bstate {
	enum st_kind kind;
	uint64_t version;	/* ST_DATA: which; ST_BAD: errno or 0 */
};

struct op_rec {
	bool active;
	uint64_t lba;
	struct bstate st;
};

/* What every block may hold: its acknowledged state or an in-flight one. */
struct model {
	uint64_t nlba;
	struct bstate *acked;
	uint8_t *is_touched;
	uint64_t *touched;
	size_t ntouched;
	struct op_rec inflight[MAX_INFLIGHT];
	size_t ninflight;
	uint64_t next_version;
};

/* Totals over every workload. */
static struct {
	unsigned long long crash_points, images, nested_images, pmdk_images;
	unsigned long long violations;
} total;

static unsigned scale = 1;
static unsigned nseeds = 3;
static unsigned pmdk_every = 40;
static bool verbose;		/* CRASH_VERBOSE: describe every crash point */
static unsigned modes;
static const char *pmdk_helper;
static char pmdk_pool[256];

struct sim {
	const char *name;
	uint32_t bsize;
	bool is_zeroed;
	bool pmdk_comparable;	/* PMDK reads such images the same way */
	struct pool_hdr hdr;	/* its poolset_uuid is the BTT's parent */

	struct recorder rec;	/* the workload's namespace */
	struct recorder rec2;	/* recovery of one crash image */
	struct image nest;	/* an image of a crash during that recovery */
	struct btt *btt;
	struct model m;

	/* the crash point being checked, for messages */
	uint64_t fence;
	const char *variant;

	/* what the image being checked reads as after recovery */
	struct bstate *obs;	/* per touched index */
	struct bstate *nested_obs;	/* per nested image, per touched */
	size_t nnested, nested_cap;

	/* continuation: the image to start another workload from */
	uint64_t op_seq;	/* operations started so far */
	uint64_t op_fence0;	/* rec.nfences when the last op started */
	uint64_t chain_op, chain_fence;
	bool chain_taken;	/* no later fence replaces the saved image */
	uint8_t *saved;		/* saved image, NULL until taken */
	struct bstate *saved_obs;	/* what its touched blocks read as */
	size_t saved_ntouched;

	unsigned long long points, images, nested_images, pmdk_images;
	unsigned long long violations;
	uint64_t probe;
	_Alignas(uint64_t) uint8_t buf[MAX_BSIZE];
	uint32_t *subset_words;
	uint64_t *subset_vals;
	size_t subset_cap;
};

/* ------------------------------------------------------------------ */
/* reporting                                                           */

static void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "crash_btt: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	if (pmdk_pool[0] != '\0')
		unlink(pmdk_pool);
	exit(1);
}

static void violation(struct sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
violation(struct sim *s, const char *fmt, ...)
{
	s->violations++;
	total.violations++;
	if (total.violations > MAX_REPORTED)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "VIOLATION [%s, fence %llu, %s]: ", s->name,
		(unsigned long long)s->fence, s->variant);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static const char *
st_str(struct bstate st, char *buf, size_t len)
{
	switch (st.kind) {
	case ST_ZERO:
		return "zero";
	case ST_ERROR:
		return "error";
	case ST_DATA:
		snprintf(buf, len, "data v%llu", (unsigned long long)st.version);
		return buf;
	case ST_BAD:
		snprintf(buf, len, "bad (errno %llu)",
			(unsigned long long)st.version);
		return buf;
	}
	return "?";
}

static bool
st_eq(struct bstate a, struct bstate b)
{
	return a.kind == b.kind && (a.kind != ST_DATA || a.version == b.version);
}

/* ------------------------------------------------------------------ */
/* model                                                               */

static void
model_init(struct model *m, uint64_t nlba)
{
	memset(m, 0, sizeof(*m));
	m->nlba = nlba;
	m->acked = calloc(nlba, sizeof(*m->acked));
	m->is_touched = calloc(nlba, 1);
	m->touched = calloc(nlba, sizeof(*m->touched));
	if (!m->acked || !m->is_touched || !m->touched)
		die("out of memory");
}

static void
model_fini(struct model *m)
{
	free(m->acked);
	free(m->is_touched);
	free(m->touched);
}

static void
model_touch(struct model *m, uint64_t lba)
{
	if (!m->is_touched[lba]) {
		m->is_touched[lba] = 1;
		m->touched[m->ntouched++] = lba;
	}
}

static int
model_begin(struct sim *s, uint64_t lba, struct bstate st)
{
	struct model *m = &s->m;
	model_touch(m, lba);
	for (int i = 0; i < MAX_INFLIGHT; i++)
		if (!m->inflight[i].active) {
			m->inflight[i] = (struct op_rec){true, lba, st};
			m->ninflight++;
			s->op_seq++;
			s->op_fence0 = s->rec.nfences;
			return i;
		}
	die("too many operations in flight");
	return -1;
}

/* The operation returned: its result is now what the block must hold. */
static void
model_end(struct model *m, int slot)
{
	m->acked[m->inflight[slot].lba] = m->inflight[slot].st;
	m->inflight[slot].active = false;
	m->ninflight--;
}

/* The operation was abandoned (a cancelled write): it never happened. */
static void
model_cancel(struct model *m, int slot)
{
	m->inflight[slot].active = false;
	m->ninflight--;
}

static bool
model_allows(const struct model *m, uint64_t lba, struct bstate st)
{
	if (st_eq(m->acked[lba], st))
		return true;
	for (size_t i = 0, seen = 0; seen < m->ninflight; i++) {
		if (!m->inflight[i].active)
			continue;
		seen++;
		if (m->inflight[i].lba == lba && st_eq(m->inflight[i].st, st))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* looking at a namespace through the BTT                              */

static struct btt *
sim_open(struct sim *s, void *ns, const struct persist_ops *ops)
{
	struct btt_params p = {
		.ns = ns,
		.ns_size = NS_SIZE,
		.bsize = s->bsize,
		.is_zeroed = s->is_zeroed,
		.ops = ops,
		.path = s->name,
	};
	memcpy(p.parent_uuid, s->hdr.poolset_uuid, sizeof(p.parent_uuid));
	return btt_open(&p);
}

static struct bstate
observe(struct sim *s, struct btt *b, uint64_t lba)
{
	errno = 0;
	if (btt_read(b, lba, s->buf) != 0)
		return errno == EIO ? (struct bstate){ST_ERROR, 0} :
			(struct bstate){ST_BAD, (uint64_t)errno};
	uint64_t version = 0;
	switch (pat_decode(s->buf, s->bsize, lba, &version)) {
	case PAT_ZERO:
		return (struct bstate){ST_ZERO, 0};
	case PAT_DATA:
		return (struct bstate){ST_DATA, version};
	default:
		return (struct bstate){ST_BAD, 0};
	}
}

/*
 * Reads every touched block (and, if `all`, every other one, which must
 * be zero) and checks it against the model; stores what it saw in obs.
 */
static void
verify_contents(struct sim *s, struct btt *b, bool all, struct bstate *obs,
	const char *who)
{
	const struct model *m = &s->m;
	char b1[64];
	if (btt_nlba(b) != m->nlba)
		violation(s, "%s: nlba %llu, expected %llu", who,
			(unsigned long long)btt_nlba(b),
			(unsigned long long)m->nlba);
	for (size_t i = 0; i < m->ntouched; i++) {
		uint64_t lba = m->touched[i];
		struct bstate st = observe(s, b, lba);
		obs[i] = st;
		if (!model_allows(m, lba, st)) {
			char b2[64];
			violation(s, "%s: block %llu reads %s; acknowledged %s",
				who, (unsigned long long)lba,
				st_str(st, b1, sizeof(b1)),
				st_str(m->acked[lba], b2, sizeof(b2)));
		}
	}
	if (!all)
		return;
	for (uint64_t lba = 0; lba < m->nlba; lba++) {
		if (m->is_touched[lba])
			continue;
		struct bstate st = observe(s, b, lba);
		if (st.kind != ST_ZERO)
			violation(s, "%s: untouched block %llu reads %s", who,
				(unsigned long long)lba,
				st_str(st, b1, sizeof(b1)));
	}
}

static void
verify_check(struct sim *s, struct btt *b, const char *who)
{
	int c = btt_check(b);
	if (c != 1)
		violation(s, "%s: btt_check returned %d: %s", who, c,
			err_last());
}

/* ------------------------------------------------------------------ */
/* crash images                                                        */

/* Which dirty words a variant lets reach media (rec_pick_subset). */
static size_t
pick_subset(struct sim *s, const struct recorder *rec,
	const struct rec_variant *variant, uint64_t salt)
{
	if (rec->ndirty > s->subset_cap) {
		s->subset_cap = rec->ndirty * 2;
		s->subset_words = realloc(s->subset_words,
			s->subset_cap * sizeof(*s->subset_words));
		s->subset_vals = realloc(s->subset_vals,
			s->subset_cap * sizeof(*s->subset_vals));
		if (!s->subset_words || !s->subset_vals)
			die("out of memory");
	}
	return rec_pick_subset(rec, variant, salt, s->subset_words,
		s->subset_vals);
}

/* A crash during recovery: open the image again, expect the same result. */
static void
nested_fence(struct recorder *r2, void *arg)
{
	struct sim *s = arg;
	struct rec_variant variants[REC_MAX_VARIANTS];
	rec_dirty_words(r2);
	size_t nvariants = rec_variants(r2, nseeds, variants);

	for (size_t v = 0; v < nvariants; v++) {
		struct image *img = &s->nest;
		image_sync(img);
		for (size_t p = 0; p < r2->work.npages; p++)
			if (r2->media.gen[p] > r2->own_mark)
				image_write(img, p * REC_PAGE,
					r2->media.mem + p * REC_PAGE, REC_PAGE);
		size_t n = pick_subset(s, r2, &variants[v],
			0xABCDEF ^ s->images);
		for (size_t i = 0; i < n; i++)
			image_set_word(img, s->subset_words[i],
				s->subset_vals[i]);
		s->nested_images++;
		total.nested_images++;

		struct btt *b = sim_open(s, img->buf.mem, &persist_none);
		if (b == NULL) {
			violation(s, "second crash (recovery fence %llu): open failed: %s",
				(unsigned long long)r2->nfences, err_last());
			continue;
		}
		if (s->nnested == s->nested_cap) {
			s->nested_cap = s->nested_cap ? 2 * s->nested_cap : 8;
			s->nested_obs = realloc(s->nested_obs, s->nested_cap *
				s->m.nlba * sizeof(*s->nested_obs));
			if (s->nested_obs == NULL)
				die("out of memory");
		}
		struct bstate *obs = s->nested_obs + s->nnested * s->m.nlba;
		s->nnested++;
		verify_contents(s, b, false, obs, "second crash");
		verify_check(s, b, "second crash");
		btt_close(b);
	}
}

/* Writes header + descriptor + namespace into a pool file for PMDK. */
static void
write_pool_file(struct sim *s, const uint8_t *ns)
{
	int fd = open(pmdk_pool, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("%s: %s", pmdk_pool, strerror(errno));
	uint8_t page[4096];
	memset(page, 0, sizeof(page));
	/* the two fields of the format; the rest of the page is ignored */
	uint32_t fields[2] = {s->bsize, s->is_zeroed};
	memcpy(page, fields, sizeof(fields));
	if (pwrite(fd, &s->hdr, sizeof(s->hdr), 0) != sizeof(s->hdr) ||
			pwrite(fd, page, sizeof(page), BLK_DESC_OFF) !=
				sizeof(page) ||
			pwrite(fd, ns, NS_SIZE, BLK_NS_OFF) != (ssize_t)NS_SIZE)
		die("write %s: %s", pmdk_pool, strerror(errno));
	close(fd);
}

/* Runs the PMDK helper on the pool file and compares with obs. */
static void
pmdk_compare(struct sim *s, const struct bstate *obs)
{
	int pipefd[2];
	if (pipe(pipefd) != 0)
		die("pipe: %s", strerror(errno));
	char bsize[16];
	snprintf(bsize, sizeof(bsize), "%u", s->bsize);
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		/* the library the dynamic linker finds: PMDK's */
		unsetenv("LD_LIBRARY_PATH");
		unsetenv("LD_PRELOAD");
		execl(pmdk_helper, pmdk_helper, pmdk_pool, bsize, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	FILE *f = fdopen(pipefd[0], "r");
	const struct model *m = &s->m;
	struct bstate *seen = calloc(m->nlba, sizeof(*seen));
	if (f == NULL || seen == NULL)
		die("out of memory");

	char line[128];
	bool ended = false, opened = false;
	while (fgets(line, sizeof(line), f)) {
		int a, b;
		unsigned long long lba, v;
		char kind;
		if (sscanf(line, "check %d %d", &a, &b) == 2) {
			if (a != 1)
				violation(s, "PMDK: pmemblk_check returned %d (errno %d)",
					a, b);
		} else if (sscanf(line, "open %d %llu", &a, &lba) == 2) {
			opened = a == 0;
			if (!opened)
				violation(s, "PMDK: pmemblk_open failed, errno %d", a);
			else if (lba != m->nlba)
				violation(s, "PMDK: nblock %llu, expected %llu",
					lba, (unsigned long long)m->nlba);
		} else if (strcmp(line, "end\n") == 0) {
			ended = true;
		} else if (sscanf(line, "%llu %c %llu", &lba, &kind, &v) >= 2 &&
				lba < m->nlba) {
			seen[lba] = kind == 'E' ? (struct bstate){ST_ERROR, 0} :
				kind == 'D' ? (struct bstate){ST_DATA, v} :
				(struct bstate){ST_BAD, 0};
			if (!m->is_touched[lba])
				violation(s, "PMDK: untouched block %llu is not zero",
					lba);
		} else {
			violation(s, "PMDK helper said: %s", line);
		}
	}
	fclose(f);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !ended)
		violation(s, "PMDK helper failed (status 0x%x)", status);
	if (opened) {
		for (size_t i = 0; i < m->ntouched; i++) {
			uint64_t lba = m->touched[i];
			char b1[64], b2[64];
			if (!st_eq(seen[lba], obs[i]))
				violation(s, "PMDK reads block %llu as %s, we read %s",
					(unsigned long long)lba,
					st_str(seen[lba], b1, sizeof(b1)),
					st_str(obs[i], b2, sizeof(b2)));
		}
	}
	free(seen);
	s->pmdk_images++;
	total.pmdk_images++;
}

/* The block the post-recovery write goes to. */
static uint64_t
probe_lba(const struct sim *s)
{
	const struct model *m = &s->m;
	for (size_t i = 0, seen = 0; seen < m->ninflight; i++)
		if (m->inflight[i].active) {
			if (++seen == 1 + s->images % m->ninflight)
				return m->inflight[i].lba;
		}
	if (m->ntouched == 0)
		return s->images % m->nlba;
	return m->touched[s->images % m->ntouched];
}

/*
 * Checks one crash image: rec.media plus the chosen subset of dirty
 * words (s->subset_*[0..n)).
 */
static void
check_image(struct sim *s, size_t n)
{
	struct recorder *r2 = &s->rec2;
	const struct model *m = &s->m;
	rec_sync_from(r2, &s->rec.media);
	for (size_t i = 0; i < n; i++)
		rec_set_durable(r2, s->subset_words[i] * REC_WORD,
			&s->subset_vals[i], REC_WORD);
	s->images++;
	total.images++;

	bool to_pmdk = pmdk_helper && s->pmdk_comparable &&
		(s->images - 1) % pmdk_every == 0;
	if (to_pmdk)
		write_pool_file(s, r2->media.mem);

	/* recovery, on a recorder: its fences are second crash points */
	s->nnested = 0;
	r2->on_fence = nested_fence;
	r2->arg = s;
	struct btt *b = sim_open(s, r2->work.mem, &r2->ops);
	r2->on_fence = NULL;
	if (b == NULL) {
		violation(s, "open failed: %s", err_last());
		return;
	}
	verify_contents(s, b, s->images % 8 == 0, s->obs, "after recovery");
	verify_check(s, b, "after recovery");
	for (size_t k = 0; k < s->nnested; k++) {
		const struct bstate *o = s->nested_obs + k * m->nlba;
		for (size_t i = 0; i < m->ntouched; i++)
			if (!st_eq(o[i], s->obs[i])) {
				char b1[64], b2[64];
				violation(s, "second crash: block %llu reads %s, after one crash %s",
					(unsigned long long)m->touched[i],
					st_str(o[i], b1, sizeof(b1)),
					st_str(s->obs[i], b2, sizeof(b2)));
			}
	}

	/* the recovered pool must take a write and keep everything else */
	uint64_t lba = probe_lba(s);
	uint64_t version = PROBE_VERSION + ++s->probe;
	pat_fill(s->buf, s->bsize, lba, version);
	if (btt_write(b, lba, s->buf) != 0) {
		violation(s, "write of block %llu after recovery failed: %s",
			(unsigned long long)lba, err_last());
	} else {
		struct bstate st = observe(s, b, lba);
		if (!st_eq(st, (struct bstate){ST_DATA, version}))
			violation(s, "block %llu lost the write made after recovery",
				(unsigned long long)lba);
		for (size_t i = 0; i < m->ntouched; i++) {
			if (m->touched[i] == lba)
				continue;
			st = observe(s, b, m->touched[i]);
			if (!st_eq(st, s->obs[i]))
				violation(s, "a write of block %llu after recovery changed block %llu",
					(unsigned long long)lba,
					(unsigned long long)m->touched[i]);
		}
		verify_check(s, b, "after a write following recovery");
	}
	btt_close(b);
	if (r2->violations)
		violation(s, "recovery misused the backend: %s",
			r2->first_violation);
	r2->violations = 0;

	if (to_pmdk)
		pmdk_compare(s, s->obs);
}

/* Keeps the image just checked as the start of a continuation. */
static void
save_for_continuation(struct sim *s, size_t n)
{
	if (s->saved == NULL)
		s->saved = malloc(NS_SIZE);
	free(s->saved_obs);
	s->saved_obs = calloc(s->m.ntouched + 1, sizeof(*s->saved_obs));
	if (s->saved == NULL || s->saved_obs == NULL)
		die("out of memory");
	memcpy(s->saved, s->rec.media.mem, NS_SIZE);
	for (size_t i = 0; i < n; i++)
		memcpy(s->saved + s->subset_words[i] * REC_WORD,
			&s->subset_vals[i], REC_WORD);
	memcpy(s->saved_obs, s->obs, s->m.ntouched * sizeof(*s->obs));
	s->saved_ntouched = s->m.ntouched;
}

/* The crash point: called by the workload's recorder at every fence. */
static void
outer_fence(struct recorder *rec, void *arg)
{
	struct sim *s = arg;
	s->fence = rec->nfences;
	s->points++;
	total.crash_points++;
	struct rec_variant variants[REC_MAX_VARIANTS];
	size_t ndirty = rec_dirty_words(rec);
	size_t nvariants = rec_variants(rec, nseeds, variants);
	if (verbose)
		printf("%s: op %llu fence %llu: %zu dirty words\n", s->name,
			(unsigned long long)s->op_seq,
			(unsigned long long)rec->nfences, ndirty);

	for (size_t v = 0; v < nvariants; v++) {
		const struct rec_variant *variant = &variants[v];
		char name[48];
		s->variant = rec_variant_name(variant, name, sizeof(name));
		size_t n = pick_subset(s, rec, variant, s->op_seq);
		if (verbose)
			printf("  %s: %zu words\n", s->variant, n);
		check_image(s, n);
		/*
		 * The continuation starts from fence chain_fence of operation
		 * chain_op, or from its last fence if it has fewer (0: last).
		 */
		uint64_t f = rec->nfences - s->op_fence0;
		if (variant->kind == REC_PERSISTED && !s->chain_taken &&
				s->op_seq == s->chain_op &&
				(s->chain_fence == 0 || f <= s->chain_fence)) {
			save_for_continuation(s, n);
			s->chain_taken = f == s->chain_fence;
		}
	}
	s->variant = "";
}

/* ------------------------------------------------------------------ */
/* workload driver                                                     */

/* The backends a workload runs on (CRASH_MODES bits). */
enum backend { BK_CACHED = 1, BK_MSYNC = 2, BK_NT = 4 };

static const char *
backend_suffix(enum backend bk)
{
	return bk == BK_MSYNC ? "/msync" : bk == BK_NT ? "/nt" : "";
}

static void
sim_init(struct sim *s, const char *name, uint32_t bsize, bool is_zeroed,
	enum backend bk)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->bsize = bsize;
	s->is_zeroed = is_zeroed;
	s->pmdk_comparable = true;
	pool_hdr_init(&s->hdr, BLK_SIGNATURE, POOL_FEAT_CHECK_BAD_BLOCKS,
		POOL_FEAT_CKSUM_2K | POOL_FEAT_SDS, (uint64_t)time(NULL));
	if (rec_init(&s->rec, NS_SIZE) != 0 || rec_init(&s->rec2, NS_SIZE) != 0 ||
			image_init(&s->nest, &s->rec.media) != 0)
		die("cannot set up the recorders: %s", strerror(errno));
	if (bk == BK_MSYNC) {
		rec_use_msync(&s->rec);
		rec_use_msync(&s->rec2);
	} else if (bk == BK_NT) {
		rec_use_nt_words(&s->rec);
		rec_use_nt_words(&s->rec2);
	}

	struct btt_geometry g;
	if (!btt_geometry(NS_SIZE, bsize, BTT_DEFAULT_NFREE, &g))
		die("bad geometry");
	model_init(&s->m, g.external_nlba);
	s->obs = calloc(s->m.nlba, sizeof(*s->obs));
	if (s->obs == NULL)
		die("out of memory");
	s->chain_op = UINT64_MAX;
}

static void
sim_fini(struct sim *s)
{
	if (s->btt)
		btt_close(s->btt);
	rec_fini(&s->rec);
	rec_fini(&s->rec2);
	image_fini(&s->nest);
	model_fini(&s->m);
	free(s->obs);
	free(s->nested_obs);
	free(s->subset_words);
	free(s->subset_vals);
	free(s->saved);
	free(s->saved_obs);
}

/* Crash points are taken from now on. */
static void
sim_record(struct sim *s)
{
	s->rec.on_fence = outer_fence;
	s->rec.arg = s;
}

static void
sim_open_workload(struct sim *s)
{
	s->btt = sim_open(s, s->rec.work.mem, &s->rec.ops);
	if (s->btt == NULL)
		die("%s: btt_open: %s", s->name, err_last());
	if (btt_nlba(s->btt) != s->m.nlba)
		die("%s: nlba %llu", s->name,
			(unsigned long long)btt_nlba(s->btt));
}

static struct bstate
data_state(struct sim *s)
{
	return (struct bstate){ST_DATA, ++s->m.next_version};
}

/* Operation ends: the image saved from it so far is the one kept. */
static void
drv_end(struct sim *s, int slot)
{
	model_end(&s->m, slot);
	if (s->op_seq == s->chain_op && s->saved != NULL)
		s->chain_taken = true;
}

static void
drv_write(struct sim *s, uint64_t lba)
{
	struct bstate st = data_state(s);
	_Alignas(uint64_t) uint8_t buf[MAX_BSIZE];
	pat_fill(buf, s->bsize, lba, st.version);
	int slot = model_begin(s, lba, st);
	if (btt_write(s->btt, lba, buf) != 0)
		die("%s: btt_write(%llu): %s", s->name,
			(unsigned long long)lba, err_last());
	drv_end(s, slot);
}

static void
drv_zero(struct sim *s, uint64_t lba)
{
	int slot = model_begin(s, lba, (struct bstate){ST_ZERO, 0});
	if (btt_set_zero(s->btt, lba) != 0)
		die("%s: btt_set_zero(%llu): %s", s->name,
			(unsigned long long)lba, err_last());
	drv_end(s, slot);
}

static void
drv_error(struct sim *s, uint64_t lba)
{
	int slot = model_begin(s, lba, (struct bstate){ST_ERROR, 0});
	if (btt_set_error(s->btt, lba) != 0)
		die("%s: btt_set_error(%llu): %s", s->name,
			(unsigned long long)lba, err_last());
	drv_end(s, slot);
}

/*
 * A write in steps (the path the async futures take): the lane is taken
 * first, the data copied by the caller through the backend, then the
 * commit. Several may be in flight at once.
 */
struct split_write {
	struct btt_write_op op;
	int slot;
	uint64_t lba;
	struct bstate st;
};

static void
drv_split_begin(struct sim *s, uint64_t lba, struct split_write *w)
{
	w->lba = lba;
	w->st = data_state(s);
	w->slot = model_begin(s, lba, w->st);
	enum btt_step r = btt_write_begin(s->btt, lba, false, &w->op);
	if (r != BTT_STEP_DONE)
		die("%s: btt_write_begin(%llu) = %d: %s", s->name,
			(unsigned long long)lba, r, err_last());
}

/* The data copy: through ops->copy, or plain stores plus ops->flush. */
static void
drv_split_copy(struct sim *s, struct split_write *w, bool plain)
{
	const struct persist_ops *ops = btt_ops(s->btt);
	_Alignas(uint64_t) uint8_t buf[MAX_BSIZE];
	pat_fill(buf, s->bsize, w->lba, w->st.version);
	if (plain) {
		memcpy(w->op.dest, buf, s->bsize);
		ops->flush(ops, w->op.dest, s->bsize);
	} else {
		ops->copy(ops, w->op.dest, buf, s->bsize);
	}
}

static void
drv_split_commit(struct sim *s, struct split_write *w)
{
	if (btt_write_commit(s->btt, &w->op, false) != 0)
		die("%s: btt_write_commit(%llu): %s", s->name,
			(unsigned long long)w->lba, err_last());
	drv_end(s, w->slot);
}

static void
drv_split_cancel(struct sim *s, struct split_write *w)
{
	btt_write_cancel(s->btt, &w->op);
	model_cancel(&s->m, w->slot);
}

/* A crash point after the workload: everything acknowledged. */
static void
drv_final_point(struct sim *s)
{
	outer_fence(&s->rec, s);
}

/* ------------------------------------------------------------------ */
/* workloads                                                           */

/* Random blocks among the first `span` ones, plus the last block. */
static uint64_t
pick_lba(struct sim *s, uint64_t *rng, uint64_t span)
{
	uint64_t r = rng_next(rng) % (span + 1);
	return r == span ? s->m.nlba - 1 : r;
}

/* The first write lays the BTT out (doc/format.md §4.4), then a few more. */
static void
wl_first_write(struct sim *s)
{
	sim_open_workload(s);
	sim_record(s);
	drv_write(s, 0);
	uint64_t rng = 1;
	for (unsigned i = 0; i < 8 * scale; i++)
		drv_write(s, pick_lba(s, &rng, 6));
}

/*
 * The first write on a pool made on a used file (create with poolsize 0):
 * the namespace holds old bytes, not zeros, where the layout goes. Until
 * the primary info block is durable a crash leaves a pool that must open
 * as unformatted (doc/design.md §5), never as damaged.
 */
static void
wl_first_write_used(struct sim *s)
{
	uint8_t *old = malloc(NS_SIZE);
	if (old == NULL)
		die("out of memory");
	memset(old, 0x5A, NS_SIZE);
	rec_set_durable(&s->rec, 0, old, NS_SIZE);
	free(old);
	sim_open_workload(s);
	sim_record(s);
	drv_write(s, 0);
	drv_write(s, 3);
}

/* A set_error on a pool without layout lays it out (map zeroed first). */
static void
wl_first_set_error(struct sim *s)
{
	sim_open_workload(s);
	sim_record(s);
	drv_error(s, 5);
	drv_zero(s, 6);
	drv_write(s, 5);
	drv_write(s, 7);
	drv_error(s, 7);
}

/* Synchronous writes with many collisions: lane 0's seq cycles. */
static void
wl_sync_writes(struct sim *s)
{
	sim_open_workload(s);
	drv_write(s, 0);	/* layout, not recorded */
	sim_record(s);
	uint64_t rng = 2;
	for (unsigned i = 0; i < 60 * scale; i++)
		drv_write(s, pick_lba(s, &rng, 20));
}

/* Writes, set_zero and set_error mixed on a few blocks. */
static void
wl_zero_error(struct sim *s)
{
	sim_open_workload(s);
	sim_record(s);
	uint64_t rng = 3;
	for (unsigned i = 0; i < 60 * scale; i++) {
		uint64_t lba = pick_lba(s, &rng, 12);
		switch (rng_next(&rng) % 4) {
		case 0:
			drv_zero(s, lba);
			break;
		case 1:
			drv_error(s, lba);
			break;
		default:
			drv_write(s, lba);
			break;
		}
	}
}

/*
 * The split write path with up to 8 writes in flight on different lanes,
 * committed in random order, some cancelled; blocks collide.
 */
static void
wl_split_writes(struct sim *s)
{
	sim_open_workload(s);
	sim_record(s);
	uint64_t rng = 4;
	struct split_write w[8];
	size_t nw = 0;
	for (unsigned i = 0; i < 60 * scale; i++) {
		uint64_t r = rng_next(&rng) % 8;
		if (nw < 8 && (r < 4 || nw == 0)) {
			drv_split_begin(s, pick_lba(s, &rng, 10), &w[nw]);
			drv_split_copy(s, &w[nw], r & 1);
			nw++;
			continue;
		}
		size_t k = rng_next(&rng) % nw;
		if (r == 7)
			drv_split_cancel(s, &w[k]);
		else
			drv_split_commit(s, &w[k]);
		w[k] = w[--nw];
	}
	while (nw > 0)
		drv_split_commit(s, &w[--nw]);
}

/*
 * A damaged primary info block (backup intact): the first write rewrites
 * it from the backup (doc/design.md §5). PMDK would see no layout here.
 */
static void
wl_repair_primary(struct sim *s)
{
	s->pmdk_comparable = false;
	sim_open_workload(s);
	drv_write(s, 1);
	drv_write(s, 2);
	drv_error(s, 3);
	btt_close(s->btt);
	uint64_t bad = 0x0123456789ABCDEFULL;
	rec_set_durable(&s->rec, BTT_INFO_CSUM_OFF, &bad, sizeof(bad));
	sim_record(s);
	sim_open_workload(s);
	drv_write(s, 2);
	drv_write(s, 4);
	drv_zero(s, 1);
}

/*
 * Starts from a crash image saved by another workload: recovery itself is
 * the first operation (crash points during it), then more operations on
 * the recovered pool (whose lanes recovery set up).
 */
static void
wl_continue(struct sim *s, const struct sim *from)
{
	rec_set_durable(&s->rec, 0, from->saved, NS_SIZE);
	for (size_t i = 0; i < from->saved_ntouched; i++) {
		uint64_t lba = from->m.touched[i];
		model_touch(&s->m, lba);
		s->m.acked[lba] = from->saved_obs[i];
	}
	s->m.next_version = from->m.next_version + 1000;
	sim_record(s);
	sim_open_workload(s);
	uint64_t rng = 5;
	for (unsigned i = 0; i < 20 * scale; i++) {
		uint64_t lba = i < s->m.ntouched ? s->m.touched[i] :
			pick_lba(s, &rng, 8);
		if (i % 7 == 6)
			drv_zero(s, lba);
		else
			drv_write(s, lba);
	}
}

struct workload {
	const char *name;
	uint32_t bsize;
	bool is_zeroed;
	void (*run)(struct sim *s);
	/* continue from the image "persisted only" at fence chain_fence
	 * (0: the last) of operation chain_op (1-based), if chain_name */
	uint64_t chain_op, chain_fence;
	const char *chain_name;
};

static const struct workload workloads[] = {
	/* op 1 is the first write: fence 2 is the primary info block's,
	 * so the flog is durable and the info block is not */
	{"first_write", 4096, true, wl_first_write, 1, 2,
		"continue_after_torn_layout"},
	{"first_set_error", 512, false, wl_first_set_error, 0, 0, NULL},
	{"first_write_used", 4096, false, wl_first_write_used, 0, 0, NULL},
	/* the last fence of a write is the map store's: flog committed,
	 * map not */
	{"sync_writes", 512, true, wl_sync_writes, 10, 0,
		"continue_after_flog_commit"},
	{"zero_error", 4096, true, wl_zero_error, 0, 0, NULL},
	{"split_writes", 4096, true, wl_split_writes, 0, 0, NULL},
	{"repair_primary", 4096, true, wl_repair_primary, 0, 0, NULL},
};

static void
report(const struct sim *s, double secs)
{
	printf("%-28s crash points %6llu  images %7llu  second-crash images %6llu  PMDK %4llu  violations %llu  (%.1f s)\n",
		s->name, s->points, s->images, s->nested_images,
		s->pmdk_images, s->violations, secs);
	fflush(stdout);
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned
env_uint(const char *name, unsigned dflt)
{
	const char *v = getenv(name);
	return v && *v ? (unsigned)strtoul(v, NULL, 0) : dflt;
}

static void
run_workload(const struct workload *w, enum backend bk)
{
	static struct sim s, cont;
	char name[64], cname[64];
	snprintf(name, sizeof(name), "%s%s", w->name, backend_suffix(bk));
	double t = now();
	sim_init(&s, name, w->bsize, w->is_zeroed, bk);
	s.chain_op = w->chain_op;
	s.chain_fence = w->chain_fence;
	w->run(&s);
	drv_final_point(&s);
	report(&s, now() - t);

	if (w->chain_name != NULL) {
		if (s.saved == NULL)
			die("%s: the continuation image was not taken", name);
		snprintf(cname, sizeof(cname), "%s%s", w->chain_name,
			backend_suffix(bk));
		t = now();
		sim_init(&cont, cname, w->bsize, w->is_zeroed, bk);
		cont.hdr = s.hdr;
		wl_continue(&cont, &s);
		drv_final_point(&cont);
		report(&cont, now() - t);
		sim_fini(&cont);
	}
	sim_fini(&s);
}

int
main(int argc, char *argv[])
{
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pmdk") == 0 && i + 1 < argc)
			pmdk_helper = argv[++i];
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else
			die("usage: %s [--pmdk HELPER] [--only WORKLOAD]",
				argv[0]);
	}
	scale = env_uint("CRASH_SCALE", 1);
	nseeds = env_uint("CRASH_SEEDS", 3);
	verbose = env_uint("CRASH_VERBOSE", 0) != 0;
	/* CRASH_MODES: 1 cached metadata stores, 2 msync, 4 non-temporal */
	modes = env_uint("CRASH_MODES", BK_CACHED | BK_MSYNC | BK_NT);
	pmdk_every = env_uint("CRASH_PMDK_EVERY", pmdk_helper ? 40 : 1);
	if (scale == 0 || pmdk_every == 0)
		die("CRASH_SCALE and CRASH_PMDK_EVERY must be positive");
	if (pmdk_helper) {
		const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
			getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(pmdk_pool, sizeof(pmdk_pool), "%s/crash_btt_%d.pool",
			dir, (int)getpid());
	}

	double t0 = now();
	static const enum backend backends[] = {BK_CACHED, BK_NT, BK_MSYNC};
	for (size_t b = 0; b < sizeof(backends) / sizeof(*backends); b++) {
		if (!(modes & backends[b]))
			continue;
		for (size_t i = 0; i < sizeof(workloads) / sizeof(*workloads);
				i++) {
			const struct workload *w = &workloads[i];
			if (only && strcmp(only, w->name) != 0)
				continue;
			run_workload(w, backends[b]);
		}
	}
	if (pmdk_helper)
		unlink(pmdk_pool);

	printf("crash images checked: %llu (%llu crash points, %llu images of a second crash during recovery, %llu also opened by PMDK), violations: %llu, %.1f s\n",
		total.images + total.nested_images, total.crash_points,
		total.nested_images, total.pmdk_images, total.violations,
		now() - t0);
	return total.violations ? 1 : 0;
}
