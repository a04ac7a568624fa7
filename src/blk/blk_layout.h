/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blk_layout.h -- where a pmemblk pool keeps its parts (doc/format.md §3):
 * the pool type's signature, the descriptor page and the BTT namespace.
 *
 * Owns: the on-media descriptor struct and the offsets. Header-only and
 * mapping-free, part of the format module (src/CMakeLists.txt), so the
 * library and the tool's `info` read the same struct.
 */
#ifndef PMEMBLK_BLK_LAYOUT_H
#define PMEMBLK_BLK_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

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

#endif
