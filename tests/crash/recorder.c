/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * recorder.c -- the crash-recording persistence backend (see recorder.h).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "recorder.h"

/* ------------------------------------------------------------------ */
/* write tracking                                                      */

#define MAX_TRACKED 8

/* Read by the signal handler: changed only outside of it. */
static struct tracked_buf *volatile tracked[MAX_TRACKED];
static struct sigaction prev_segv;
static bool handler_installed;

static void
segv_handler(int sig, siginfo_t *si, void *ucontext)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	for (int i = 0; i < MAX_TRACKED; i++) {
		struct tracked_buf *t = tracked[i];
		if (t == NULL || a < (uintptr_t)t->mem ||
				a >= (uintptr_t)t->mem + t->len)
			continue;
		size_t page = (a - (uintptr_t)t->mem) / REC_PAGE;
		if (t->written[page])
			break;	/* writable already: a real fault */
		t->written[page] = 1;
		t->written_list[t->nwritten++] = (uint32_t)page;
		mprotect(t->mem + page * REC_PAGE, REC_PAGE,
			PROT_READ | PROT_WRITE);
		return;
	}
	/* not ours: let the previous handler (or the default) have it */
	sigaction(SIGSEGV, &prev_segv, NULL);
	(void) sig;
	(void) ucontext;
}

static void
install_handler(void)
{
	if (handler_installed)
		return;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &prev_segv) != 0) {
		perror("sigaction");
		abort();
	}
	handler_installed = true;
}

static int
tbuf_register(struct tracked_buf *t)
{
	install_handler();
	t->npages = t->len / REC_PAGE;
	t->written = calloc(t->npages, 1);
	t->written_list = calloc(t->npages, sizeof(*t->written_list));
	if (t->written == NULL || t->written_list == NULL)
		return -1;
	t->nwritten = 0;
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i] == NULL) {
			tracked[i] = t;
			return mprotect(t->mem, t->len, PROT_READ);
		}
	fprintf(stderr, "recorder: too many tracked buffers\n");
	return -1;
}

int
tbuf_alloc(struct tracked_buf *t, size_t len)
{
	memset(t, 0, sizeof(*t));
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	t->mem = p;
	t->len = len;
	t->owned = true;
	return tbuf_register(t);
}

int
tbuf_attach(struct tracked_buf *t, void *mem, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->mem = mem;
	t->len = len;
	return tbuf_register(t);
}

void
tbuf_free(struct tracked_buf *t)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i] == t)
			tracked[i] = NULL;
	if (t->mem != NULL) {
		if (t->owned)
			munmap(t->mem, t->len);
		else
			mprotect(t->mem, t->len, PROT_READ | PROT_WRITE);
	}
	free(t->written);
	free(t->written_list);
	memset(t, 0, sizeof(*t));
}

void
tbuf_open_range(struct tracked_buf *t, size_t off, size_t n)
{
	if (n == 0)
		return;
	for (size_t p = off / REC_PAGE; p <= (off + n - 1) / REC_PAGE; p++) {
		if (t->written[p])
			continue;
		t->written[p] = 1;
		t->written_list[t->nwritten++] = (uint32_t)p;
		mprotect(t->mem + p * REC_PAGE, REC_PAGE,
			PROT_READ | PROT_WRITE);
	}
}

void
tbuf_protect_page(struct tracked_buf *t, size_t page)
{
	mprotect(t->mem + page * REC_PAGE, REC_PAGE, PROT_READ);
	t->written[page] = 0;
}

/* Write-protects every written page and empties the list. */
static void
tbuf_protect_all(struct tracked_buf *t)
{
	for (size_t i = 0; i < t->nwritten; i++)
		tbuf_protect_page(t, t->written_list[i]);
	t->nwritten = 0;
}

/* ------------------------------------------------------------------ */
/* media                                                               */

static int
media_init(struct media *m, size_t len)
{
	m->len = len;
	m->mem = calloc(1, len);
	m->gen = calloc(len / REC_PAGE, sizeof(*m->gen));
	if (m->mem == NULL || m->gen == NULL)
		return -1;
	/* generation 1: a follower that never synced copies everything */
	for (size_t p = 0; p < len / REC_PAGE; p++)
		m->gen[p] = 1;
	m->cur_gen = 1;
	return 0;
}

static void
media_write(struct media *m, size_t off, const void *src, size_t n)
{
	if (n == 0)
		return;
	memcpy(m->mem + off, src, n);
	m->cur_gen++;
	for (size_t p = off / REC_PAGE; p <= (off + n - 1) / REC_PAGE; p++)
		m->gen[p] = m->cur_gen;
}

/* ------------------------------------------------------------------ */
/* the backend                                                         */

static struct recorder *
rec_of(const struct persist_ops *ops)
{
	return (struct recorder *)ops;
}

static void
violation(struct recorder *rec, const char *fmt, ...)
{
	if (rec->violations++ == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(rec->first_violation, sizeof(rec->first_violation),
			fmt, ap);
		va_end(ap);
	}
}

static bool
in_region(const struct recorder *rec, const void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr, base = (uintptr_t)rec->work.mem;
	return a >= base && a + len <= base + rec->work.len && a + len >= a;
}

/* A crash point: the test looks at the images this moment can leave. */
static void
crash_point(struct recorder *rec)
{
	rec->nfences++;
	if (rec->on_fence != NULL && !rec->in_fence) {
		rec->in_fence = true;
		rec->on_fence(rec, rec->arg);
		rec->in_fence = false;
	}
}

/* Pages equal to media again need no comparing until written. */
static void
reprotect_clean(struct recorder *rec)
{
	struct tracked_buf *w = &rec->work;
	size_t kept = 0;
	for (size_t i = 0; i < w->nwritten; i++) {
		size_t p = w->written_list[i];
		if (memcmp(w->mem + p * REC_PAGE, rec->media.mem + p * REC_PAGE,
				REC_PAGE) == 0)
			tbuf_protect_page(w, p);
		else
			w->written_list[kept++] = (uint32_t)p;
	}
	w->nwritten = kept;
}

/*
 * msync: the pages of the range are written back now, whole, and are
 * durable when it returns; the moment before is a crash point.
 */
static void
msync_flush(struct recorder *rec, size_t off, size_t len)
{
	crash_point(rec);
	for (size_t p = off / REC_PAGE; p <= (off + len - 1) / REC_PAGE; p++)
		if (memcmp(rec->work.mem + p * REC_PAGE,
				rec->media.mem + p * REC_PAGE, REC_PAGE) != 0)
			media_write(&rec->media, p * REC_PAGE,
				rec->work.mem + p * REC_PAGE, REC_PAGE);
	reprotect_clean(rec);
}

/* The pending write-back of line l, made if there is none. */
static struct pending_line *
pending_of(struct recorder *rec, size_t l)
{
	uint32_t slot = rec->pending_slot[l];
	if (slot == 0) {
		if (rec->npending == rec->pending_cap) {
			size_t cap = rec->pending_cap ?
				2 * rec->pending_cap : 256;
			void *p = realloc(rec->pending,
				cap * sizeof(*rec->pending));
			if (p == NULL)
				abort();
			rec->pending = p;
			rec->pending_cap = cap;
		}
		slot = (uint32_t)++rec->npending;
		rec->pending_slot[l] = slot;
		rec->pending[slot - 1].line = l;
		rec->pending[slot - 1].mask = 0;
	}
	return &rec->pending[slot - 1];
}

static void
rec_flush(const struct persist_ops *ops, const void *addr, size_t len)
{
	struct recorder *rec = rec_of(ops);
	rec->nflushes++;
	if (len == 0)
		return;
	if (!in_region(rec, addr, len)) {
		violation(rec, "flush of %zu bytes at %p outside the region",
			len, addr);
		return;
	}
	size_t off = (size_t)((const uint8_t *)addr - rec->work.mem);
	if (rec->msync) {
		msync_flush(rec, off, len);
		return;
	}
	for (size_t l = off / REC_LINE; l <= (off + len - 1) / REC_LINE; l++) {
		struct pending_line *pl = pending_of(rec, l);
		/* what a write-back started now would carry */
		memcpy(pl->data, rec->work.mem + l * REC_LINE, REC_LINE);
		pl->mask = UINT64_MAX;
	}
}

/* A line's pending bytes (mask) reach media. */
static void
pending_write(struct recorder *rec, const struct pending_line *pl)
{
	size_t base = pl->line * REC_LINE;
	if (pl->mask == UINT64_MAX) {
		media_write(&rec->media, base, pl->data, REC_LINE);
		return;
	}
	for (unsigned b = 0; b < REC_LINE; ) {
		if (!(pl->mask >> b & 1)) {
			b++;
			continue;
		}
		unsigned e = b;
		while (e < REC_LINE && (pl->mask >> e & 1))
			e++;
		media_write(&rec->media, base + b, pl->data + b, e - b);
		b = e;
	}
}

static void
rec_drain(const struct persist_ops *ops)
{
	struct recorder *rec = rec_of(ops);
	if (rec->msync)
		return;		/* msync already waited */
	crash_point(rec);
	for (size_t i = 0; i < rec->npending; i++) {
		struct pending_line *pl = &rec->pending[i];
		pending_write(rec, pl);
		rec->pending_slot[pl->line] = 0;
	}
	rec->npending = 0;
	reprotect_clean(rec);
}

/* Lets the backend's own stores into dst through the write protection. */
static void
open_for_store(struct recorder *rec, void *dst, size_t len)
{
	if (in_region(rec, dst, len))
		tbuf_open_range(&rec->work,
			(size_t)((uint8_t *)dst - rec->work.mem), len);
}

static void
rec_copy(const struct persist_ops *ops, void *dst, const void *src,
	size_t len)
{
	open_for_store(rec_of(ops), dst, len);
	memcpy(dst, src, len);
	rec_flush(ops, dst, len);
}

static void
rec_fill(const struct persist_ops *ops, void *dst, int c, size_t len)
{
	open_for_store(rec_of(ops), dst, len);
	memset(dst, c, len);
	rec_flush(ops, dst, len);
}

static void
rec_write_word(const struct persist_ops *ops, void *dst, uint64_t value,
	size_t len)
{
	struct recorder *rec = rec_of(ops);
	open_for_store(rec, dst, len);
	store_word(dst, value, len);
	if (!rec->nt_words || rec->msync || !in_region(rec, dst, len)) {
		rec_flush(ops, dst, len);
		return;
	}
	/*
	 * A non-temporal store: only these bytes are on their way to media
	 * (at the next drain), not the rest of their line.
	 */
	rec->nflushes++;
	size_t off = (size_t)((uint8_t *)dst - rec->work.mem);
	struct pending_line *pl = pending_of(rec, off / REC_LINE);
	size_t in = off % REC_LINE;
	memcpy(pl->data + in, dst, len);
	pl->mask |= ((1ULL << len) - 1) << in;	/* len is 4 or 8 */
}

static int
rec_setup(struct recorder *rec, size_t len)
{
	rec->ops = (struct persist_ops){
		.flush = rec_flush,
		.drain = rec_drain,
		.copy = rec_copy,
		.fill = rec_fill,
		.write_word = rec_write_word,
		.flush_is_sync = false,
	};
	rec->pending_slot = calloc(len / REC_LINE, sizeof(*rec->pending_slot));
	if (rec->pending_slot == NULL || media_init(&rec->media, len) != 0)
		return -1;
	return 0;
}

int
rec_init(struct recorder *rec, size_t len)
{
	memset(rec, 0, sizeof(*rec));
	if (rec_setup(rec, len) != 0 || tbuf_alloc(&rec->work, len) != 0)
		return -1;
	return 0;
}

int
rec_attach(struct recorder *rec, void *mem, size_t len)
{
	memset(rec, 0, sizeof(*rec));
	if (rec_setup(rec, len) != 0)
		return -1;
	memcpy(rec->media.mem, mem, len);
	return tbuf_attach(&rec->work, mem, len);
}

void
rec_use_msync(struct recorder *rec)
{
	rec->msync = true;
	rec->ops.flush_is_sync = true;
}

void
rec_use_nt_words(struct recorder *rec)
{
	rec->nt_words = true;
}

void
rec_fini(struct recorder *rec)
{
	tbuf_free(&rec->work);
	free(rec->media.mem);
	free(rec->media.gen);
	free(rec->pending);
	free(rec->pending_slot);
	free(rec->dirty);
	memset(rec, 0, sizeof(*rec));
}

void
rec_set_durable(struct recorder *rec, size_t off, const void *src, size_t n)
{
	tbuf_open_range(&rec->work, off, n);
	memcpy(rec->work.mem + off, src, n);
	media_write(&rec->media, off, src, n);
}

void
rec_sync_from(struct recorder *rec, const struct media *base)
{
	struct tracked_buf *w = &rec->work;
	struct media *m = &rec->media;
	for (size_t p = 0; p < w->npages; p++) {
		/*
		 * A work page that differs from base is either still marked
		 * written or equal to a media page changed since the sync.
		 */
		bool media_changed = m->gen[p] > rec->own_mark;
		if (base->gen[p] <= rec->base_synced_gen && !media_changed &&
				!w->written[p])
			continue;
		tbuf_open_range(w, p * REC_PAGE, REC_PAGE);
		memcpy(w->mem + p * REC_PAGE, base->mem + p * REC_PAGE,
			REC_PAGE);
		memcpy(m->mem + p * REC_PAGE, base->mem + p * REC_PAGE,
			REC_PAGE);
	}
	tbuf_protect_all(w);
	for (size_t i = 0; i < rec->npending; i++)
		rec->pending_slot[rec->pending[i].line] = 0;
	rec->npending = 0;
	rec->nfences = 0;
	rec->base_synced_gen = base->cur_gen;
	rec->own_mark = m->cur_gen;
}

size_t
rec_dirty_words(struct recorder *rec)
{
	struct tracked_buf *w = &rec->work;
	rec->ndirty = 0;
	/* the written list is in first-write order; the result is sorted */
	for (size_t p = 0; p < w->npages; p++) {
		if (!w->written[p])
			continue;
		const uint64_t *a = (const uint64_t *)(w->mem + p * REC_PAGE);
		const uint64_t *b = (const uint64_t *)(rec->media.mem +
			p * REC_PAGE);
		if (memcmp(a, b, REC_PAGE) == 0)
			continue;
		for (size_t i = 0; i < REC_PAGE / REC_WORD; i++) {
			if (a[i] == b[i])
				continue;
			if (rec->ndirty == rec->dirty_cap) {
				size_t cap = rec->dirty_cap ?
					2 * rec->dirty_cap : 1024;
				void *q = realloc(rec->dirty,
					cap * sizeof(*rec->dirty));
				if (q == NULL)
					abort();
				rec->dirty = q;
				rec->dirty_cap = cap;
			}
			rec->dirty[rec->ndirty++] =
				(uint32_t)(p * (REC_PAGE / REC_WORD) + i);
		}
	}
	return rec->ndirty;
}

uint64_t
rec_work_word(const struct recorder *rec, size_t word)
{
	return ((const uint64_t *)rec->work.mem)[word];
}

/* Number of distinct units of `unit` words among the dirty words. */
static size_t
count_units(const struct recorder *rec, unsigned unit)
{
	size_t n = 0;
	uint64_t cur = UINT64_MAX;
	for (size_t i = 0; i < rec->ndirty; i++)
		if (rec->dirty[i] / unit != cur) {
			cur = rec->dirty[i] / unit;
			n++;
		}
	return n;
}

#define LINE_WORDS (REC_LINE / REC_WORD)
#define SECTOR_WORDS (512 / REC_WORD)
#define PAGE_WORDS (REC_PAGE / REC_WORD)

size_t
rec_variants(const struct recorder *rec, unsigned nseeds,
	struct rec_variant *out)
{
	size_t n = 0;
	out[n++] = (struct rec_variant){.kind = REC_PERSISTED};
	if (rec->ndirty == 0)
		return n;
	out[n++] = (struct rec_variant){.kind = REC_ALL};

	/* the smaller unit: cache lines, or disk sectors under msync */
	unsigned small = rec->msync ? SECTOR_WORDS : LINE_WORDS;
	size_t pages = count_units(rec, PAGE_WORDS);
	size_t smalls = count_units(rec, small);
	if (pages >= 2 && pages <= 6)
		for (uint64_t m = 1; m + 1 < (1ULL << pages); m++)
			out[n++] = (struct rec_variant){REC_COMBO, PAGE_WORDS,
				m, 0, false};
	if (smalls > pages && smalls >= 2 && smalls <= 4)
		for (uint64_t m = 1; m + 1 < (1ULL << smalls); m++)
			out[n++] = (struct rec_variant){REC_COMBO, small, m, 0,
				false};
	for (unsigned k = 0; k < nseeds && n < REC_MAX_VARIANTS; k++)
		out[n++] = (struct rec_variant){REC_RANDOM, 0, 0, k, false};
	for (size_t i = 0; i < n; i++)
		out[i].msync = rec->msync;
	return n;
}

size_t
rec_pick_subset(const struct recorder *rec, const struct rec_variant *v,
	uint64_t salt, uint32_t *words, uint64_t *vals)
{
	static const unsigned density[] = {50, 10, 90, 25, 75, 2, 98};
	static const unsigned units[] = {1, LINE_WORDS, PAGE_WORDS};
	/* under msync nothing smaller than a sector reaches media alone */
	static const unsigned msync_units[] = {SECTOR_WORDS, SECTOR_WORDS,
		PAGE_WORDS};
	unsigned pct = 100, unit = 1;
	switch (v->kind) {
	case REC_PERSISTED:
		return 0;
	case REC_ALL:
		break;
	case REC_COMBO:
		unit = v->unit;
		break;
	case REC_RANDOM:
		unit = (rec->msync ? msync_units : units)[v->seed % 3];
		pct = density[(v->seed / 3) %
			(sizeof(density) / sizeof(*density))];
		break;
	}
	uint64_t rng = rng_seed(salt, rec->nfences, v->seed);
	uint64_t cur_unit = UINT64_MAX;
	unsigned unit_idx = 0;
	bool take = false;
	size_t n = 0;
	for (size_t i = 0; i < rec->ndirty; i++) {
		uint64_t u = rec->dirty[i] / unit;
		if (u != cur_unit) {	/* dirty[] is sorted */
			if (cur_unit != UINT64_MAX)
				unit_idx++;
			cur_unit = u;
			if (v->kind == REC_COMBO)
				take = (v->mask >> unit_idx) & 1;
			else
				take = pct == 100 || rng_next(&rng) % 100 < pct;
		}
		if (!take)
			continue;
		words[n] = rec->dirty[i];
		vals[n] = rec_work_word(rec, rec->dirty[i]);
		n++;
	}
	return n;
}

const char *
rec_variant_name(const struct rec_variant *v, char *buf, size_t len)
{
	static const char *const unit[] = {"word", "line", "page"};
	static const char *const msync_unit[] = {"sector", "sector", "page"};
	switch (v->kind) {
	case REC_PERSISTED:
		return "persisted only";
	case REC_ALL:
		return "every dirty word";
	case REC_COMBO:
		snprintf(buf, len, "%s combination 0x%llx",
			v->unit == PAGE_WORDS ? "page" :
			v->unit == SECTOR_WORDS ? "sector" : "line",
			(unsigned long long)v->mask);
		return buf;
	case REC_RANDOM:
		snprintf(buf, len, "random %s subset %u",
			(v->msync ? msync_unit : unit)[v->seed % 3], v->seed);
		return buf;
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* images                                                              */

int
image_init(struct image *img, const struct media *base)
{
	img->base = base;
	img->synced_gen = 0;
	return tbuf_alloc(&img->buf, base->len);
}

void
image_fini(struct image *img)
{
	tbuf_free(&img->buf);
}

void
image_sync(struct image *img)
{
	struct tracked_buf *t = &img->buf;
	const struct media *base = img->base;
	for (size_t p = 0; p < t->npages; p++) {
		if (base->gen[p] <= img->synced_gen && !t->written[p])
			continue;
		tbuf_open_range(t, p * REC_PAGE, REC_PAGE);
		memcpy(t->mem + p * REC_PAGE, base->mem + p * REC_PAGE,
			REC_PAGE);
	}
	tbuf_protect_all(t);
	img->synced_gen = base->cur_gen;
}

void
image_set_word(struct image *img, size_t word, uint64_t value)
{
	tbuf_open_range(&img->buf, word * REC_WORD, REC_WORD);
	((uint64_t *)img->buf.mem)[word] = value;
}

void
image_write(struct image *img, size_t off, const void *src, size_t n)
{
	tbuf_open_range(&img->buf, off, n);
	memcpy(img->buf.mem + off, src, n);
}
