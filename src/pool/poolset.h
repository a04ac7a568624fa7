/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset.h -- pool set files (doc/format.md §12.1): the text file that lists
 * the part files of one pool.
 *
 * Owns: the grammar and its refusals. Parsing only reads text; whether the
 * parts exist, their sizes and their headers are the pool layer's business
 * (pool.c).
 */
#ifndef PMEMBLK_POOLSET_H
#define PMEMBLK_POOLSET_H

#include <stdbool.h>
#include <stddef.h>

#define POOLSET_SIG "PMEMPOOLSET"
#define POOLSET_SIG_LEN (sizeof(POOLSET_SIG) - 1)

struct poolset_part {
	char *path;		/* absolute */
	size_t size;		/* bytes, as the set file gives it */
};

struct poolset {
	bool singlehdr;		/* OPTION SINGLEHDR */
	unsigned nparts;
	struct poolset_part parts[];
};

/* Whether the open regular file fd starts with the pool set signature. */
bool poolset_is_set_file(int fd);

/*
 * Parses the pool set file open at fd (`path` names it in messages).
 * Refusals: malformed line, relative path, unknown option, no part, a
 * replica without parts, OPTION NOHDRS -> EINVAL; a size beyond INT64_MAX
 * -> EFBIG; any replica besides the first -> EOPNOTSUPP (libpmemblk has no
 * replication). Returns -1 with errno and message set on failure.
 */
int poolset_parse(int fd, const char *path, struct poolset **setp);

void poolset_free(struct poolset *set);

#endif
