/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crash_pattern.h -- self-describing block contents.
 *
 * Every 8-byte word of a block says which block and which version it
 * belongs to, and where in the block it sits: word i of (lba, version) is
 * tag ^ (i * K) with tag = lba << 40 | version. A block that mixes two
 * versions, holds another block's data or is shifted does not decode.
 * Block sizes used with it are multiples of 8, and buffers are 8-byte
 * aligned.
 */
#ifndef CRASH_PATTERN_H
#define CRASH_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#define PAT_MIX 0x9E3779B97F4A7C15ULL
#define PAT_VERSION_BITS 40
#define PAT_VERSION_MASK ((1ULL << PAT_VERSION_BITS) - 1)

enum pat_kind { PAT_ZERO, PAT_DATA, PAT_BAD };

static inline void
pat_fill(void *buf, size_t bsize, uint64_t lba, uint64_t version)
{
	uint64_t tag = lba << PAT_VERSION_BITS | (version & PAT_VERSION_MASK);
	uint64_t *w = buf;
	for (size_t i = 0; i < bsize / 8; i++)
		w[i] = tag ^ (i * PAT_MIX);
}

/*
 * Classifies a block read back as lba: all zero, a whole version of this
 * very block (*version set), or anything else.
 */
static inline enum pat_kind
pat_decode(const void *buf, size_t bsize, uint64_t lba, uint64_t *version)
{
	const uint64_t *w = buf;
	size_t n = bsize / 8;
	uint64_t tag = w[0];
	if (tag == 0) {
		for (size_t i = 1; i < n; i++)
			if (w[i] != 0)
				return PAT_BAD;
		return PAT_ZERO;
	}
	for (size_t i = 1; i < n; i++)
		if (w[i] != (tag ^ (i * PAT_MIX)))
			return PAT_BAD;
	if (tag >> PAT_VERSION_BITS != lba || (tag & PAT_VERSION_MASK) == 0)
		return PAT_BAD;
	*version = tag & PAT_VERSION_MASK;
	return PAT_DATA;
}

#endif
