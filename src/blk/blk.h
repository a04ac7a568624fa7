/*
 * blk.h -- the block pool handle behind the public pmemblk_* functions.
 *
 * Owns: the pool handle, the blk descriptor page (FORMAT.md §3) and the
 * mapping from public calls to the pool file and BTT layers.
 */
#ifndef PMEMBLK_BLK_H
#define PMEMBLK_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "btt.h"
#include "pool.h"

#define BLK_SIGNATURE "PMEMBLK\0"
#define BLK_DESC_OFF 4096	/* descriptor page */
#define BLK_NS_OFF 8192		/* BTT namespace */

/* The two fields of the descriptor page; the rest of it is ignored. */
struct blk_desc {
	uint32_t bsize;
	int32_t is_zeroed;
};

struct vdm;

struct pmemblk {
	struct pool_file pf;
	struct btt *btt;
	size_t bsize;
	bool rdonly;
	struct vdm *vdm;	/* async copies; NULL: built-in sync mover */
	char path[];		/* for messages */
};

/* The checks every block operation makes before touching the BTT. */
int blk_block_check(long long blockno);
int blk_writable_block_check(struct pmemblk *pbp, long long blockno);

/* Settings the ctl namespace changes; read by create and open. */
struct blk_config {
	int prefault_at_create;
	int prefault_at_open;
	int sds_at_create;
	int fallocate_at_create;
	int copy_on_write_at_open;
};

extern struct blk_config blk_config;

#endif
