/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolinfo.h -- reads a block pool file read-only, without the library's
 * open path, so that `pmemblk info` can describe any pool: ours or
 * PMDK's, in use or not, with or without a BTT layout, even damaged.
 *
 * The on-media structures are the library's own (pool_hdr.h,
 * btt_layout.h, blk_layout.h); nothing here redefines them.
 */
#ifndef PMEMBLK_TOOL_POOLINFO_H
#define PMEMBLK_TOOL_POOLINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "blk_layout.h"
#include "btt_layout.h"
#include "pool_hdr.h"
#include "progress.h"

/* How an arena's BTT info blocks were found. */
enum arena_state {
	ARENA_OK,		/* primary info block valid */
	ARENA_BACKUP,		/* primary invalid, backup valid */
	ARENA_UNWRITTEN,	/* neither valid, nothing written: no layout */
	ARENA_DAMAGED,		/* neither valid, flog or map was written */
	ARENA_BAD_FIELDS,	/* a valid copy whose fields do not fit */
};

/* Map entries by state (doc/format.md §5). */
struct block_counts {
	uint64_t written;	/* flags 11: data in a block */
	uint64_t zeroed;	/* flags 10: set to zero */
	uint64_t error;		/* flags 01: reads fail with EIO */
	uint64_t never_written;	/* flags 00: reads as zeros */
	uint64_t out_of_range;	/* entries naming a block past the arena */
};

struct arena_desc {
	uint64_t offset;	/* file offset of the arena's first byte */
	uint64_t size;
	enum arena_state state;
	const char *problem;	/* why the primary info block is invalid */
	const char *fields_problem;	/* ARENA_BAD_FIELDS: which field */
	const char *backup_problem;	/* why the backup is invalid, or NULL */
	char flog_problem[96];	/* "" or the first flog pair refused */
	struct btt_info info;	/* the valid copy (OK or BACKUP) */
	struct btt_geometry geo;	/* computed from size and bsize */
	bool geo_ok;
	bool map_readable;	/* map lies inside the arena and the file */
	struct block_counts counts;
};

enum layout_state {
	LAYOUT_NOT_WRITTEN,	/* the first write lays it out */
	LAYOUT_WRITTEN,
	LAYOUT_DAMAGED,
	LAYOUT_NO_ROOM,		/* pool too small for any BTT arena */
	LAYOUT_PART_OF_SET,	/* one part file of a set: not interpreted */
};

/*
 * One part file of a pool set (doc/format.md §12.2): it holds pool bytes
 * [pool_offset, pool_offset + length) from file offset file_offset on.
 */
struct part_desc {
	char *path;
	int fd;
	uint64_t file_size;
	uint64_t set_size;	/* the size the set file gives */
	uint64_t pool_offset;
	uint64_t file_offset;	/* 4096 (own header) or 0 (SINGLEHDR) */
	uint64_t length;
	bool has_hdr;		/* every part but SINGLEHDR's later ones */
	bool hdr_read;		/* the header could be read */
	struct pool_hdr hdr;
	bool hdr_csum_ok;
	bool same_set;		/* poolset uuid equals part 0's */
	bool links_ok;		/* prev/next part uuids name the neighbours */
};

struct pool_info {
	const char *path;
	int fd;			/* single file; -1 for a pool set */
	uint64_t file_size;	/* for a set: the pool size (parts joined) */
	uint64_t pool_size;	/* file size rounded down to 4 KiB */
	bool is_set;		/* path is a pool set file */
	unsigned nparts;
	struct part_desc *parts;
	bool part_of_set;	/* a single file whose header says it is one
				 * part of a multi-part set: no BTT shown */
	struct pool_hdr hdr;
	bool hdr_csum_ok;
	bool sds_zero;
	bool sds_csum_ok;
	struct blk_desc desc;
	enum layout_state layout;
	uint32_t narenas;
	struct arena_desc *arenas;
	uint64_t nblock;	/* from the layout, else from the geometry */
	bool counted;
	struct block_counts total;
	/*
	 * "" if the library's open accepts what was read, else its reason
	 * (the same rules: pool_hdr_check and btt_info.h), "PATH: ...".
	 */
	char verdict[512];
};

/*
 * Reads the header, descriptor and every arena's info blocks. On failure
 * (cannot read, not a pmemblk pool) returns -1 after writing a one-line
 * reason into err.
 */
int poolinfo_load(struct pool_info *pi, const char *path, char *err,
	size_t errlen);

/* Scans every map entry; shows progress. -1 with a reason on I/O error. */
int poolinfo_count_blocks(struct pool_info *pi, struct progress *progress,
	char *err, size_t errlen);

void poolinfo_free(struct pool_info *pi);

const char *arena_state_name(enum arena_state s);
const char *layout_state_name(enum layout_state s);

#endif
