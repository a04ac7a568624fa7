/*
 * blk.h -- the block pool handle behind the public pmemblk_* functions.
 *
 * Owns: the pool handle, the blk descriptor page (FORMAT.md §3) and the
 * mapping from public calls to the pool file and BTT layers.
 */
#ifndef PMEMBLK_BLK_H
#define PMEMBLK_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btt.h"
#include "pool.h"

#define BLK_SIGNATURE "PMEMBLK\0"
#define BLK_DESC_OFF 4096	/* descriptor page */
#define BLK_NS_OFF 8192		/* BTT namespace */

/*
 * The descriptor page. Only bsize and is_zeroed are format; PMDK keeps its
 * run-time pool struct right behind them and rewrites it at every open, so
 * readers ignore the rest. One reader does not: `pmempool info` takes
 * (data - addr) as the offset of the BTT. We store addr 0 and data 8192
 * (and the sizes PMDK would) so that PMDK's tools can read our pools.
 */
struct blk_desc {
	uint32_t bsize;
	int32_t is_zeroed;
	uint64_t rt_addr;	/* 0: base of the offsets below */
	uint64_t rt_size;	/* pool size */
	uint32_t rt_is_pmem;
	uint32_t rt_rdonly;
	uint64_t rt_data;	/* BLK_NS_OFF */
	uint64_t rt_datasize;	/* namespace size */
};

_Static_assert(offsetof(struct blk_desc, rt_data) == 0x20,
	"PMDK's pmemblk.data sits 0x20 into the descriptor page");

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

/*
 * For `pmemblk check --repair` (not exported): opens the pool as
 * pmemblk_open does (privately with dry_run: nothing reaches the file),
 * counts the interrupted writes recovery completed and the primary info
 * blocks to rewrite from their backups, and without dry_run rewrites them.
 * A read-only pool is refused (EROFS). 0, or -1 with errno and message.
 */
int blk_repair(const char *path, size_t bsize, bool dry_run,
	uint32_t *recovered, uint32_t *primaries);

/* Settings the ctl namespace changes (ctl.c); read by create and open. */
struct blk_config {
	int prefault_at_create;
	int prefault_at_open;
	int sds_at_create;
	int fallocate_at_create;
	int copy_on_write_at_open;
};

/* The current settings, each read atomically (ctl_set may run meanwhile). */
void blk_config_snapshot(struct blk_config *cfg);

#endif
