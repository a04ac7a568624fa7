/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * recorder.h -- a persistence backend that records what would survive a
 * power failure (the crash model of doc/design.md §6).
 *
 * A recorder owns two images of one region:
 *  - work: the memory the library stores into (the "CPU view");
 *  - media: what is durable. It changes only at a fence (drain), which
 *    moves every line flushed since the previous fence to media, with the
 *    content the line had when it was flushed.
 * Any 8-byte word where work and media differ is dirty: at a crash it may
 * or may not have reached media, independently of every other word.
 *
 * The library stores into work directly (the BTT writes flog and map
 * entries with plain stores and then flushes them), so the recorder cannot
 * see those stores through its function table. It finds them by write
 * protecting work and catching the first store to each page (SIGSEGV); a
 * fence then compares only the pages written since they were last clean.
 *
 * A recorder can also play an msync backend (rec_use_msync): flush is
 * synchronous (flush_is_sync), writes back the whole pages it covers and
 * is itself the crash point. The storage model is the library's (README,
 * "What the library assumes of the storage"): a power failure leaves any
 * subset of the dirty 512-byte sectors, each whole (its old content or
 * the current one), never part of a sector; so crash images combine
 * sectors (and whole pages, a special case), never words.
 *
 * Other buffers ("images") can follow a recorder's media cheaply: media
 * keeps a generation number per page, and an image copies only the pages
 * that changed since it last synced, plus the pages it wrote itself.
 */
#ifndef CRASH_RECORDER_H
#define CRASH_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "persist.h"

#define REC_PAGE 4096u
#define REC_LINE 64u
#define REC_WORD 8u

/* A buffer whose stores are noticed per page (write-protect + SIGSEGV). */
struct tracked_buf {
	uint8_t *mem;
	size_t len;
	size_t npages;
	bool owned;		/* mmap'ed by us (else attached) */
	uint8_t *written;	/* per page: writable, written since clean */
	uint32_t *written_list;
	size_t nwritten;
};

/* Allocates len bytes (a multiple of REC_PAGE), all zero, protected. */
int tbuf_alloc(struct tracked_buf *t, size_t len);
/* Tracks memory someone else mapped (page aligned, len multiple of page). */
int tbuf_attach(struct tracked_buf *t, void *mem, size_t len);
void tbuf_free(struct tracked_buf *t);
/* Makes the pages of [off, off+n) writable and marks them written. */
void tbuf_open_range(struct tracked_buf *t, size_t off, size_t n);
/* Write-protects one written page again and forgets it was written. */
void tbuf_protect_page(struct tracked_buf *t, size_t page);

/* Durable bytes with a change generation per page. */
struct media {
	uint8_t *mem;
	size_t len;
	uint64_t *gen;		/* per page: generation of its last change */
	uint64_t cur_gen;
};

/*
 * One flushed line waiting for the next fence: the bytes of `mask` (bit
 * i: byte i) reach media then. A flush takes the whole line; a
 * non-temporal word store (rec_use_nt_words) only its own bytes.
 */
struct pending_line {
	size_t line;
	uint64_t mask;
	uint8_t data[REC_LINE];
};

struct recorder;
typedef void (*rec_fence_fn)(struct recorder *rec, void *arg);

struct recorder {
	struct persist_ops ops;	/* first: the library gets &rec->ops */
	struct tracked_buf work;
	struct media media;

	struct pending_line *pending;
	uint32_t *pending_slot;	/* per line: index + 1 into pending, 0 none */
	size_t npending, pending_cap;

	uint32_t *dirty;	/* word indexes, filled by rec_dirty_words */
	size_t ndirty, dirty_cap;

	bool msync;		/* msync semantics (rec_use_msync) */
	bool nt_words;		/* write_word is non-temporal (rec_use_nt_words) */
	uint64_t nfences;	/* crash points so far: drains, or msyncs */
	uint64_t nflushes;
	rec_fence_fn on_fence;	/* the crash point; NULL: none */
	void *arg;
	bool in_fence;

	/* following another media (rec_sync_from) */
	uint64_t base_synced_gen;
	uint64_t own_mark;	/* media.cur_gen right after the last sync */

	/* misuse of the backend by the library under test */
	unsigned long violations;
	char first_violation[256];
};

/* A recorder over len fresh zero bytes (work and media equal). */
int rec_init(struct recorder *rec, size_t len);
/* A recorder over an existing mapping; media starts as a copy of it. */
int rec_attach(struct recorder *rec, void *mem, size_t len);
/* Switches a fresh recorder to msync semantics (see above). */
void rec_use_msync(struct recorder *rec);
/*
 * Makes write_word a non-temporal store, as persist_pmem_nt's: the word
 * alone (not its line) reaches media at the next fence. The default is
 * persist_pmem's cached store + flush of the line. No effect with msync.
 */
void rec_use_nt_words(struct recorder *rec);
void rec_fini(struct recorder *rec);

/* Stores bytes into both work and media (a state that is durable). */
void rec_set_durable(struct recorder *rec, size_t off, const void *src,
	size_t n);

/*
 * Makes work and media equal to base again, copying only the pages that
 * changed on either side since the previous sync; drops pending lines and
 * zeroes the fence count. Pages changed in media after this call are
 * those with media.gen[page] > own_mark.
 */
void rec_sync_from(struct recorder *rec, const struct media *base);

/*
 * Fills rec->dirty with the index (offset / 8) of every word where work
 * and media differ, in increasing order; returns the count.
 */
size_t rec_dirty_words(struct recorder *rec);

/* Reads one 8-byte word of work. */
uint64_t rec_work_word(const struct recorder *rec, size_t word);

/*
 * The crash images taken at one fence ("variants"): which of the dirty
 * words reached media.
 *  - REC_PERSISTED: none; REC_ALL: every one;
 *  - REC_COMBO: dirty cache lines or pages (`unit` words each) reached
 *    media whole or not at all, one bit of `mask` per unit in address
 *    order. Generated exhaustively when few units are dirty (2 to 6
 *    pages, 2 to 4 lines): lines and
 *    pages are what caches and msync really write back, and they give
 *    "one structure complete, the next one not", which independent
 *    words almost never produce for structures of many words;
 *  - REC_RANDOM: a random subset, decided word by word, line by line or
 *    page by page (seed % 3), with a density that changes every three
 *    seeds. With msync semantics, sector by sector or page by page, and
 *    the combinations are of pages and sectors.
 */
enum rec_variant_kind { REC_PERSISTED, REC_ALL, REC_COMBO, REC_RANDOM };

struct rec_variant {
	enum rec_variant_kind kind;
	unsigned unit;		/* REC_COMBO: words per unit */
	uint64_t mask;		/* REC_COMBO: units that reached media */
	unsigned seed;		/* REC_RANDOM */
	bool msync;		/* units are sectors/pages (for the name) */
};

#define REC_MAX_VARIANTS 256

/*
 * Fills out[] with the variants to check at this fence (after
 * rec_dirty_words): persisted-only always; with dirty words also
 * every-word, the page and line combinations when few are dirty,
 * and nseeds random subsets. Returns the count (<= REC_MAX_VARIANTS).
 */
size_t rec_variants(const struct recorder *rec, unsigned nseeds,
	struct rec_variant *out);

/*
 * Stores into words/vals (room for rec->ndirty entries) the dirty words
 * the variant lets reach media, and their values; returns how many.
 * salt varies the random draws.
 */
size_t rec_pick_subset(const struct recorder *rec,
	const struct rec_variant *v, uint64_t salt, uint32_t *words,
	uint64_t *vals);

/* A name for messages: "persisted only", "pages 0x5", ... */
const char *rec_variant_name(const struct rec_variant *v, char *buf,
	size_t len);

/*
 * A tracked copy of some media, brought back in sync before each use by
 * copying only what changed (on either side) since the last sync.
 */
struct image {
	struct tracked_buf buf;
	uint64_t synced_gen;
	const struct media *base;
};

int image_init(struct image *img, const struct media *base);
void image_fini(struct image *img);
/* Makes img->buf.mem equal to the base media again. */
void image_sync(struct image *img);
/* Stores one word / a range into the image. */
void image_set_word(struct image *img, size_t word, uint64_t value);
void image_write(struct image *img, size_t off, const void *src, size_t n);

/* Small deterministic PRNG (xorshift64*). */
static inline uint64_t
rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t
rng_seed(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t s = 0x9E3779B97F4A7C15ULL ^ a * 0xBF58476D1CE4E5B9ULL ^
		b * 0x94D049BB133111EBULL ^ c;
	return s ? s : 1;
}

#endif
