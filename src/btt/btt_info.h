/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * btt_info.h -- the BTT format's validity rules, in one place.
 *
 * Owns: what makes an info block usable, which fields of a usable info
 * block are acceptable, when a flog pair is valid, current, or in its
 * initial state, and how to tell an arena that never received a write
 * from a damaged one. Every refusal comes with a short reason string
 * (static storage), which callers put into their messages.
 *
 * Mapping-free: the functions look only at the structures handed to them,
 * so the library's open (on the mapped pool), pmemblk_check, and the
 * tool's `info` and `check` (on bytes read with pread) apply the very same
 * rules and report the very same reasons.
 */
#ifndef PMEMBLK_BTT_INFO_H
#define PMEMBLK_BTT_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "btt_layout.h"

/*
 * NULL if the info block is one a reader may use (doc/format.md §4.5 checks 1-4:
 * signature, parent uuid, checksum, major), else why not.
 */
const char *btt_info_problem(const struct btt_info *in,
	const uint8_t parent_uuid[16]);

/*
 * NULL if the fields of a usable info block describe an arena that fits
 * in arena_room bytes (the namespace left from the arena's start) for
 * block size bsize, so that no access derived from them leaves the arena
 * (doc/design.md §5); else why not.
 */
const char *btt_info_fields_problem(const struct btt_info *in, uint32_t bsize,
	uint64_t arena_room);

enum btt_flog_verdict {
	BTT_FLOG_OK,		/* *current names the current slot */
	BTT_FLOG_NO_CURRENT,	/* equal seq: arena goes to error (in memory) */
	BTT_FLOG_BAD,		/* refuse the pool: *why says what */
};

/*
 * Judges one flog pair (doc/format.md §6, §9) of an arena with the given block
 * counts: each slot's seq must be 0..3, the pair must have a current slot,
 * both slots' lba must be < external_nlba and the current slot's map
 * entries must name blocks < internal_nlba. *bad_slot (may be NULL) gets
 * the slot at fault for BTT_FLOG_BAD, or -1 when the pair as a whole is.
 */
enum btt_flog_verdict btt_flog_pair_check(const struct btt_flog slot[2],
	uint32_t external_nlba, uint32_t internal_nlba, int *current,
	int *bad_slot, const char **why);

/*
 * Whether two lanes of one arena own the same free block (blocks[] holds
 * the free block of each valid pair, n of them; it is sorted in place):
 * two writers would then overwrite each other's data. Sets *block to the
 * shared one.
 */
bool btt_free_blocks_shared(uint32_t *blocks, uint32_t n, uint32_t *block);

/* Whether pair `lane` holds exactly what the layout writes (doc/format.md §4.4). */
bool btt_flog_pair_initial(const struct btt_flog slot[2], uint32_t lane,
	uint32_t external_nlba);

/* What the flog pairs of an arena without a usable info block say. */
enum btt_flog_history {
	BTT_FLOG_NEVER_WRITTEN,	/* no valid pair: old bytes, no layout */
	BTT_FLOG_INITIAL,	/* every valid pair as the layout left it */
	BTT_FLOG_WRITTEN,	/* a valid pair records a write */
};

/*
 * Looks at the nfree pairs at `flog`, placed where the layout would put
 * them for geometry g. BTT_FLOG_INITIAL means "unformatted" only if the
 * map (g->external_nlba entries at g->mapoff) is all zero as well: the
 * caller checks that, reading the map its own way (doc/design.md §5).
 */
enum btt_flog_history btt_flog_history(const void *flog,
	const struct btt_geometry *g);

#endif
