/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool.h -- a pool: its part files created or opened, each exclusively
 * locked, all mapped into one contiguous address range.
 *
 * A single pool file is a pool of one part; a pool set file (poolset.h)
 * names several. Either way the caller sees one linear pool of `poolsize`
 * bytes at `addr` (doc/format.md §12.2): part 0 from its file offset 0, every
 * other part from file offset 4096 (its own header stays outside the
 * pool), or from 0 with OPTION SINGLEHDR.
 *
 * Owns: the part files' descriptors (each holds its part's flock for the
 * pool's lifetime), the mapping and its persistence backend, and the
 * headers of parts other than part 0. Knows nothing of blocks or the BTT;
 * the header contents are the caller's (see pool_hdr.h).
 */
#ifndef PMEMBLK_POOL_H
#define PMEMBLK_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "persist.h"
#include "pool_hdr.h"

/* Part files are mapped and laid out in units of this size. */
#define POOL_ALIGN 4096
/* Smallest usable size of one part file (doc/format.md §12.2). */
#define POOL_MIN_PART ((size_t)2 << 20)

/*
 * A pool_file and its parts are written only by pool_file_create or
 * pool_file_open, in the calling thread, before the pool is handed to
 * anyone, and released by pool_file_close; in between every field is
 * read-only, so any number of threads may read them without a lock. The
 * bytes at addr are another matter: the BTT and pool_hdr rules own them.
 */
struct pool_part {
	char *path;
	int fd;
	size_t size;		/* file size */
	bool created;		/* made by this call: removed if it fails */
};

struct pool_file {
	struct pool_part *parts;
	unsigned nparts;
	bool is_set;		/* named by a pool set file */
	bool singlehdr;		/* only part 0 has a header */
	bool zeroed;		/* every part was created (zero-filled) by us */
	void *addr;		/* the pool */
	size_t poolsize;	/* bytes mapped at addr */
	bool is_pmem;
	bool private_map;
	const struct persist_ops *ops;
	long long crtime;	/* part 0's st_ctime right after creation */
};

/*
 * Creates and maps a pool. With poolsize != 0 a new file of that size;
 * with poolsize 0 `path` is an existing file whose first 4 KiB are zero
 * (fallocated when `fallocate_existing`), or a pool set file whose missing
 * parts are created and whose existing parts must be zeroed files of the
 * listed size. min_size is the smallest pool accepted. On failure nothing
 * this call created is left behind and -1 is returned with errno and the
 * message set.
 */
int pool_file_create(struct pool_file *pf, const char *path, size_t poolsize,
	size_t min_size, bool fallocate_existing);

/*
 * Opens, locks and maps an existing pool file or pool set (private:
 * copy-on-write). A single file smaller than min_size is refused.
 */
int pool_file_open(struct pool_file *pf, const char *path, size_t min_size,
	bool private_map);

/*
 * Makes a new pool's headers durable. `hdr` is part 0's header as
 * pool_hdr_init made it (with POOL_FEAT_SINGLEHDR when pf->singlehdr);
 * every other part of a set without SINGLEHDR gets a copy with its own
 * uuid, and all are linked (doc/format.md §2.4). Part 0's header is written
 * last: until it is durable the files are not a pool.
 */
int pool_file_write_hdrs(struct pool_file *pf, struct pool_hdr *hdr);

/*
 * Checks the headers of every part (pool_hdr_check_set). Part 0's header
 * is the one at pf->addr.
 */
int pool_file_check_hdrs(struct pool_file *pf, const char *signature,
	bool *rdonly);

/*
 * Maps the pool again, privately (copy-on-write), at the same address:
 * from then on nothing the caller stores reaches the files. For pools
 * found read-only after their header was read (doc/format.md §13).
 */
int pool_file_make_private(struct pool_file *pf);

/* Touches every page of the pool (reads a byte and writes it back). */
void pool_file_prefault(struct pool_file *pf);

/* Gives the files this call created their final permissions. */
int pool_file_set_mode(struct pool_file *pf, mode_t mode);

/* Unmaps and unlocks; removes the files created if `discard`. */
void pool_file_close(struct pool_file *pf, bool discard);

#endif
