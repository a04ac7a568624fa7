/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * operation.h -- executing a struct vdm_operation and reporting its
 * result; shared by the sync and the threads mover.
 */
#ifndef MINIASYNC_OPERATION_H
#define MINIASYNC_OPERATION_H

#include <stdbool.h>

#include "libminiasync/data_mover_threads.h"

/* The functions that do the work of memcpy, memmove and memset. */
struct operation_fns {
	memcpy_fn copy;
	memmove_fn move;
	memset_fn set;
};

/* memcpy, memmove, memset; durable ones through libpmem's persist copies. */
extern const struct operation_fns operation_default_fns;

/*
 * Whether running the operation here and now is quick and cannot wait on
 * anything: at most max_size bytes, through the default functions (a
 * user's function might block).
 */
bool operation_is_small(const struct vdm_operation *operation,
	const struct operation_fns *fns, size_t max_size);

/*
 * Performs the operation; a flush writes the range back to memory. Returns
 * what a VDM_OPERATION_RUN function returned, 0 for the others.
 */
int64_t operation_run(const struct vdm_operation *operation,
	const struct operation_fns *fns);

/* Fills 'output' for a successfully finished operation. */
void operation_output(const struct vdm_operation *operation,
	int64_t run_result, struct vdm_operation_output *output);

#endif
