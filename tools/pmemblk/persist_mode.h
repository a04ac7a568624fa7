/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist_mode.h -- how a pool's writes are made durable, and why, for
 * `info` and `bench`: through cache flushes (persistent memory) or
 * through msync(2). The library decides when it maps the pool (see
 * persist_map() in src/pmem/persist.c: a MAP_SYNC mapping means DAX,
 * PMEM_IS_PMEM_FORCE overrides); this only explains that decision.
 */
#ifndef PMEMBLK_TOOL_PERSIST_MODE_H
#define PMEMBLK_TOOL_PERSIST_MODE_H

#include <stdbool.h>

struct persist_mode {
	bool pmem;		/* cache flushes; false: msync */
	const char *name;	/* "pmem (cache flushes)" or "msync" */
	const char *why;
};

/* Whether the file open at fd (read-only is enough) is on DAX: the file
 * system accepts a MAP_SYNC mapping of it. */
bool persist_mode_is_dax(int fd);

/* The mode for a pool whose files are (all) on DAX or not, and why,
 * PMEM_IS_PMEM_FORCE included. */
void persist_mode_explain(bool dax, struct persist_mode *m);

/*
 * The mode the library chooses for the pool at path (a pool file or a
 * pool set file, whose parts must all be on DAX), explained. It is the
 * library's rule (persist_map()), applied again: the library's handle is
 * not the tool's to look into.
 */
void persist_mode_of_path(const char *path, struct persist_mode *m);

#endif
