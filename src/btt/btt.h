/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * btt.h -- the Block Translation Table engine: atomic block writes over a
 * region of persistent memory.
 *
 * Owns: arenas, the lazy layout, lanes, the map and flog protocol,
 * read tracking, recovery and the consistency check. It sees the pool only
 * as a mapped namespace plus a persistence backend, so it can run on any
 * memory (the unit and crash-simulation tests use anonymous memory).
 *
 * Invariants (doc/format.md §7-9):
 *  - Every physical block of an arena is referenced exactly once: by one
 *    map entry or as the free block of one lane's current flog slot.
 *  - A lane's free block is written only while the lane is held, and only
 *    once no reader still copies out of it (read tracking).
 *  - Commit order of a write: data durable, then flog (lba, old_map), then
 *    flog (new_map, seq) -- the commit point -- then the map entry.
 *    Recovery completes a committed write whose map store was lost.
 *  - Nothing is written to the namespace before it has been validated.
 */
#ifndef PMEMBLK_BTT_H
#define PMEMBLK_BTT_H

#include <stdbool.h>
#include <stdint.h>

#include "persist.h"

struct btt;

struct btt_params {
	void *ns;			/* namespace start (pool offset 8192) */
	uint64_t ns_size;		/* namespace bytes */
	uint32_t bsize;			/* external block size */
	uint8_t parent_uuid[16];	/* pool's poolset_uuid */
	bool is_zeroed;			/* map area known to be zero */
	const struct persist_ops *ops;
	const char *path;		/* for messages */
};

/*
 * Validates the namespace and, if a layout exists, recovers interrupted
 * writes. Returns NULL with errno (EINVAL for a damaged or impossible
 * layout, ENOMEM) and a message.
 */
struct btt *btt_open(const struct btt_params *params);
void btt_close(struct btt *btt);

/*
 * Lays the BTT out now if it is not yet (or repairs a primary info block
 * from its backup), as the first write would. For opens that must not
 * leave that work to a future's poll (pmemblk_xopen, pmemblk_xcreate).
 */
int btt_prepare_write(struct btt *btt);

/*
 * What open found to mend (for `pmemblk check --repair`): interrupted
 * writes whose map entry recovery completed, and arenas whose primary
 * info block the first write will rewrite from the backup.
 */
uint32_t btt_nrecovered(const struct btt *btt);
uint32_t btt_nprimary_repairs(const struct btt *btt);

/* Number of external blocks (valid with or without a layout). */
uint64_t btt_nlba(const struct btt *btt);

/* Whether the layout has been written. */
bool btt_is_formatted(const struct btt *btt);

int btt_read(struct btt *btt, uint64_t lba, void *buf);
/* 0 if lba is a block of the pool, else -1 with EINVAL and a message. */
int btt_lba_check(const struct btt *btt, uint64_t lba);
int btt_write(struct btt *btt, uint64_t lba, const void *buf);
int btt_set_zero(struct btt *btt, uint64_t lba);
int btt_set_error(struct btt *btt, uint64_t lba);

/*
 * 1 consistent, 0 not (message says why), -1 could not check. Reads the
 * map and the lanes without locks: only for an idle btt (pmemblk_check
 * runs it on its own private open, which nobody else can reach).
 */
int btt_check(struct btt *btt);

/*
 * A write in steps, for callers that copy the data themselves (the async
 * futures). The struct holds no pointer into itself, so it may be moved.
 * It belongs to the one write that began it; whichever thread finishes
 * that write (the poller, or a mover's worker given the packed word) uses
 * it, never two at once.
 */
struct btt_write_op {
	void *dest;		/* where the caller copies bsize bytes */
	uint32_t arena;
	uint32_t premap;	/* LBA within the arena */
	uint32_t lane;
};

enum btt_step { BTT_STEP_DONE = 0, BTT_STEP_ERROR = -1, BTT_STEP_BUSY = 1 };

/*
 * Takes a lane whose free block nobody reads and points op->dest at that
 * block. With `wait` false it returns BTT_STEP_BUSY instead of waiting.
 * Lays the BTT out first if this is the pool's first write.
 */
enum btt_step btt_write_begin(struct btt *btt, uint64_t lba, bool wait,
	struct btt_write_op *op);

/*
 * Once the data at op->dest is durable (or flushed and awaiting the next
 * fence of the same backend), commits flog and map and releases the lane.
 * warm_next: the caller's thread will copy the next write's data itself,
 * so the commit starts loading the lane's next free block (see btt.c).
 */
int btt_write_commit(struct btt *btt, struct btt_write_op *op,
	bool warm_next);

/*
 * Copies buf into op->dest through the backend (durably), then commits as
 * btt_write_commit does: the rest of a write, in one call, for whichever
 * thread runs it (the async path hands it to a mover's worker).
 */
int btt_write_finish(struct btt *btt, struct btt_write_op *op,
	const void *buf, bool warm_next);

/*
 * A begun write as one word and back (for a mover's argument): valid
 * while the lane is held.
 */
uint64_t btt_write_op_pack(const struct btt_write_op *op);
void btt_write_op_unpack(struct btt *btt, uint64_t packed,
	struct btt_write_op *op);

/* Releases the lane of a write that will not be committed. */
void btt_write_cancel(struct btt *btt, struct btt_write_op *op);

/* Belongs to one read, as btt_write_op to one write. */
struct btt_read_op {
	const void *src;	/* block to copy from, NULL: reads as zeros */
	uint32_t arena;
	uint32_t block;
	bool held;
};

/*
 * Finds the block of lba and registers the caller as its reader, so no
 * writer reuses it until btt_read_end. Never waits. `held`: the read may
 * stay registered across polls (it is then tracked by exact block number,
 * so it never makes a writer skip a lane whose block it does not read);
 * otherwise btt_read_end follows within the same call. A held
 * registration may fail with ENOMEM.
 */
int btt_read_begin(struct btt *btt, uint64_t lba, bool held,
	struct btt_read_op *op);
void btt_read_end(struct btt *btt, struct btt_read_op *op);

/* Backend used for this namespace (the async path copies through it). */
const struct persist_ops *btt_ops(const struct btt *btt);

/* Number of lanes (concurrent writes) and how many are free now. */
uint32_t btt_nlane(const struct btt *btt);
uint32_t btt_lanes_free(const struct btt *btt);

#endif
