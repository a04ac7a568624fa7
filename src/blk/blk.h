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
 * Marks the definition of a public function: the library is built with
 * hidden visibility, and src/libpmemblk.map then picks the exported names.
 */
#define EXPORT __attribute__((visibility("default")))

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

/*
 * The handle. Every field is set by create/open/xcreate/xopen before the
 * handle is returned and never changes afterwards, so the concurrent
 * calls that API allows on one handle read them without a lock; close
 * frees it and must not overlap anything (pmemblk_create(3)). Shared
 * mutable state lives below: the BTT's (btt.c) and the pool's bytes.
 */
struct pmemblk {
	struct pool_file pf;
	struct btt *btt;
	size_t bsize;
	bool rdonly;
	struct vdm *vdm;	/* async copies; NULL: built-in sync mover */
	/*
	 * Async futures created and not yet completed (atomic; a future
	 * never polled to completion stays counted). With at most one, an
	 * operation runs in its poll rather than on the mover: nothing could
	 * overlap with it. Padded onto a cache line of its own.
	 */
	char pad0[64];
	uint64_t futures;
	char pad1[64 - sizeof(uint64_t)];
	char path[];		/* for messages */
};

/* The checks every block operation makes before touching the BTT. */
int blk_block_check(long long blockno);
int blk_writable_block_check(struct pmemblk *pbp, long long blockno);

/*
 * Settings the ctl namespace changes (ctl.c); read by create and open.
 * The one instance is global: each field is written with an atomic store
 * by ctl_set and the configuration read at load, and read with atomic
 * loads (blk_config_snapshot), so a racing ctl_set makes an open see the
 * old or the new value of a field, never a torn one.
 */
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
