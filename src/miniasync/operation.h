/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * operation.h -- executing a struct vdm_operation and reporting its
 * result; shared by the sync and the threads mover.
 */
#ifndef MINIASYNC_OPERATION_H
#define MINIASYNC_OPERATION_H

#include "libminiasync/data_mover_threads.h"

/* The functions that do the work of memcpy, memmove and memset. */
struct operation_fns {
	memcpy_fn copy;
	memmove_fn move;
	memset_fn set;
};

/* libc's memcpy, memmove and memset (flags ignored). */
extern const struct operation_fns operation_default_fns;

/* Performs the operation; a flush writes the range back to memory. */
void operation_run(const struct vdm_operation *operation,
	const struct operation_fns *fns);

/* Fills 'output' for a successfully finished operation. */
void operation_output(const struct vdm_operation *operation,
	struct vdm_operation_output *output);

#endif
