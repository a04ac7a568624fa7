/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * btt_geometry.c -- where the pieces of an arena go (doc/format.md §4.1-4.2).
 *
 * Kept apart from the engine because create, open, nblock and the tools
 * all need it without a mapped pool.
 */
#include "btt_layout.h"

static uint64_t
roundup(uint64_t x, uint64_t align)
{
	return (x + align - 1) / align * align;
}

uint32_t
btt_narenas(uint64_t ns_size)
{
	uint64_t full = ns_size / BTT_MAX_ARENA;
	return (uint32_t)(full + (ns_size % BTT_MAX_ARENA >= BTT_MIN_SIZE));
}

uint64_t
btt_arena_size(uint64_t ns_size, uint32_t i)
{
	uint64_t left = ns_size - (uint64_t)i * BTT_MAX_ARENA;
	return left < BTT_MAX_ARENA ? left : BTT_MAX_ARENA;
}

bool
btt_geometry(uint64_t arena_size, uint32_t bsize, uint32_t nfree,
	struct btt_geometry *geo)
{
	uint64_t lbasize = roundup(bsize < BTT_MIN_LBASIZE ?
		BTT_MIN_LBASIZE : bsize, BTT_LBASIZE_ALIGN);
	if (lbasize > UINT32_MAX)
		return false;

	uint64_t flog_size = roundup((uint64_t)nfree * BTT_FLOG_PAIR_SIZE,
		BTT_ALIGNMENT);
	uint64_t overhead = 2 * BTT_INFO_SIZE + flog_size + BTT_ALIGNMENT;
	if (arena_size < overhead)
		return false;
	/* the extra 4096 leaves room for rounding the map up to a page */
	uint64_t nlba = (arena_size - overhead) / (lbasize + BTT_MAP_ENTRY_SIZE);
	if (nlba < 2 * (uint64_t)nfree || nlba > BTT_MAP_BLOCK_MASK)
		return false;

	geo->internal_lbasize = (uint32_t)lbasize;
	geo->internal_nlba = (uint32_t)nlba;
	geo->external_nlba = (uint32_t)nlba - nfree;
	geo->nfree = nfree;
	geo->map_size = roundup((uint64_t)geo->external_nlba *
		BTT_MAP_ENTRY_SIZE, BTT_ALIGNMENT);
	geo->flog_size = flog_size;
	geo->dataoff = BTT_INFO_SIZE;
	geo->infooff = arena_size - BTT_INFO_SIZE;
	geo->flogoff = geo->infooff - flog_size;
	geo->mapoff = geo->flogoff - geo->map_size;
	return true;
}
