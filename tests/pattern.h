/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pattern.h -- block contents that tests can recompute or decode.
 *
 * Two kinds of contents, shared by the interop tool, the concurrency test
 * and the crash test:
 *
 * - Seeded data (pattern_fill): bytes derived from (seed, block number), so
 *   a verifier that knows the seed recomputes exactly what a writer stored,
 *   even in another process linked against another libpmemblk.
 *   pattern_op() says what a seeded "fill" does to each block.
 *
 * - Stamped blocks (stamp_fill/stamp_decode): every 8-byte word carries the
 *   same stamp (block, writer, generation), mixed with the word's index.
 *   A block is "whole" when all words decode to one valid stamp, or when
 *   it is all zero. Anything else is a torn (or misplaced) block.
 *
 * Plus scratch_dir_*: a temporary directory for pools, removed at the end.
 */
#ifndef PMEMBLK_TEST_PATTERN_H
#define PMEMBLK_TEST_PATTERN_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* splitmix64: a small, well-mixed 64-bit hash. */
static inline uint64_t
pattern_mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/* ---- seeded data ---- */

/* Fills buf (bsize bytes) with the data block blockno gets under seed. */
static inline void
pattern_fill(unsigned char *buf, size_t bsize, uint64_t seed,
	long long blockno)
{
	uint64_t state = pattern_mix(seed ^ pattern_mix((uint64_t)blockno));
	for (size_t i = 0; i < bsize; i += 8) {
		uint64_t w = pattern_mix(state + i);
		size_t n = bsize - i < 8 ? bsize - i : 8;
		memcpy(buf + i, &w, n);
	}
}

/* What a seeded fill does to one block. */
enum pattern_op {
	OP_NONE,	/* block left alone */
	OP_WRITE,	/* pattern_fill data written */
	OP_ZERO,	/* data written, then set_zero */
	OP_ERROR,	/* data written, then set_error */
	OP_ERROR_ONLY,	/* set_error without a write first */
};

/*
 * About 3/8 of the blocks are written, 1/8 zeroed, 1/8 set to error (half
 * of those without a write), 3/8 left alone. The first and last block are
 * never left alone, so the pool's edges are always exercised.
 */
static inline enum pattern_op
pattern_op(uint64_t seed, long long blockno, long long nblock)
{
	uint64_t h = pattern_mix(pattern_mix(seed) + (uint64_t)blockno * 7919);
	enum pattern_op op;
	switch (h % 16) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		op = OP_WRITE;
		break;
	case 6: case 7:
		op = OP_ZERO;
		break;
	case 8:
		op = OP_ERROR;
		break;
	case 9:
		op = OP_ERROR_ONLY;
		break;
	default:
		op = OP_NONE;
		break;
	}
	if (op == OP_NONE && (blockno == 0 || blockno == nblock - 1))
		op = OP_WRITE;
	return op;
}

/* ---- stamped blocks ---- */

#define STAMP_MAGIC 0xB1ULL

/* A stamp is never 0, so an all-zero block is never mistaken for one. */
static inline uint64_t
stamp_make(uint64_t blockno, unsigned writer, uint32_t gen)
{
	return STAMP_MAGIC << 56 | (blockno & 0xFFFF) << 40 |
		(uint64_t)(writer & 0xFF) << 32 | gen;
}

static inline unsigned stamp_writer(uint64_t s) { return (s >> 32) & 0xFF; }
static inline uint32_t stamp_gen(uint64_t s) { return (uint32_t)s; }
static inline uint64_t stamp_block(uint64_t s) { return (s >> 40) & 0xFFFF; }

static inline uint64_t
stamp_word(uint64_t stamp, size_t i)
{
	return stamp ^ pattern_mix(i);
}

/* bsize must be a multiple of 8. */
static inline void
stamp_fill(void *buf, size_t bsize, uint64_t stamp)
{
	uint64_t *w = buf;
	for (size_t i = 0; i < bsize / 8; i++)
		w[i] = stamp_word(stamp, i);
}

enum stamp_result {
	STAMP_ZERO,	/* the whole block is zero */
	STAMP_WHOLE,	/* every word carries the same valid stamp */
	STAMP_TORN,	/* anything else */
};

/*
 * Classifies a block read from block blockno; on STAMP_WHOLE stores the
 * stamp in *stampp. On STAMP_TORN *stampp gets the first word's stamp and
 * *bad_word the index of the first word that disagrees (for messages).
 */
static inline enum stamp_result
stamp_decode(const void *buf, size_t bsize, uint64_t blockno,
	uint64_t *stampp, size_t *bad_word)
{
	const uint64_t *w = buf;
	size_t n = bsize / 8;
	size_t i;

	for (i = 0; i < n && w[i] == 0; i++)
		;
	if (i == n)
		return STAMP_ZERO;

	uint64_t s = w[0] ^ pattern_mix(0);
	*stampp = s;
	*bad_word = 0;
	if (s >> 56 != STAMP_MAGIC || stamp_block(s) != (blockno & 0xFFFF))
		return STAMP_TORN;
	for (i = 1; i < n; i++) {
		if (w[i] != stamp_word(s, i)) {
			*bad_word = i;
			return STAMP_TORN;
		}
	}
	return STAMP_WHOLE;
}

/* ---- scratch directory ---- */

/*
 * Where pools go: $BLK_SCRATCH_DIR if set, else /dev/shm (every write of a
 * non-pmem pool msyncs, which tmpfs makes cheap and a disk makes slow),
 * else $TMPDIR, else /tmp.
 */
static inline const char *
scratch_base(void)
{
	const char *dir = getenv("BLK_SCRATCH_DIR");
	if (dir != NULL && *dir != '\0')
		return dir;
	if (access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	dir = getenv("TMPDIR");
	return dir != NULL && *dir != '\0' ? dir : "/tmp";
}

/* Creates a fresh directory under scratch_base(); exits on error. */
static inline char *
scratch_dir_create(const char *name)
{
	char *path;
	if (asprintf(&path, "%s/%s.XXXXXX", scratch_base(), name) < 0 ||
			mkdtemp(path) == NULL) {
		perror("scratch_dir_create");
		exit(1);
	}
	return path;
}

/* Removes the directory and the plain files in it, then frees path. */
static inline void
scratch_dir_remove(char *path)
{
	DIR *d = opendir(path);
	if (d != NULL) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
					strcmp(e->d_name, "..") == 0)
				continue;
			char *f;
			if (asprintf(&f, "%s/%s", path, e->d_name) >= 0) {
				unlink(f);
				free(f);
			}
		}
		closedir(d);
	}
	rmdir(path);
	free(path);
}

#endif
