/*
 * pool.h -- a pool file: created or opened, exclusively locked, mapped.
 *
 * Owns: the file descriptor (it holds the flock for the pool's lifetime),
 * the mapping and its persistence backend. Knows nothing of blocks or the
 * BTT; the header contents are the caller's (see pool_hdr.h).
 */
#ifndef PMEMBLK_POOL_H
#define PMEMBLK_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "persist.h"

/* Part files are mapped and laid out in units of this size. */
#define POOL_ALIGN 4096

struct pool_file {
	int fd;
	void *addr;
	size_t map_len;		/* bytes mapped: the file size */
	size_t poolsize;	/* usable bytes: map_len rounded down */
	bool created;		/* this call made the file (remove on failure) */
	bool is_pmem;
	bool private_map;
	const struct persist_ops *ops;
	long long crtime;	/* st_ctime right after creation */
};

/*
 * Creates and maps a pool file of poolsize bytes, or with poolsize 0 takes
 * the existing file whose first 4 KiB must be zero. min_size is the
 * smallest usable size accepted. On failure nothing is left behind and -1
 * is returned with errno and the message set.
 */
int pool_file_create(struct pool_file *pf, const char *path, size_t poolsize,
	size_t min_size, bool fallocate_existing);

/* Opens, locks and maps an existing pool file (private: copy-on-write). */
int pool_file_open(struct pool_file *pf, const char *path, size_t min_size,
	bool private_map);

/* Gives a file this call created its final permissions. */
int pool_file_set_mode(struct pool_file *pf, const char *path, mode_t mode);

/* Unmaps and unlocks; removes the file if `discard` and it was created. */
void pool_file_close(struct pool_file *pf, const char *path, bool discard);

#endif
