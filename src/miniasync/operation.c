/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * operation.c -- the work behind every vdm operation.
 */
#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include <libpmem.h>

#include "operation.h"

/*
 * The default functions make a VDM_F_MEM_DURABLE operation durable
 * themselves, with libpmem's non-temporal copies, which beat a cached
 * copy followed by a flush of every line.
 */
static void *
default_memcpy(void *dst, const void *src, size_t n, unsigned flags)
{
	if (flags & VDM_F_MEM_DURABLE)
		return pmem_memcpy_persist(dst, src, n);
	return memcpy(dst, src, n);
}

static void *
default_memmove(void *dst, const void *src, size_t n, unsigned flags)
{
	if (flags & VDM_F_MEM_DURABLE)
		return pmem_memmove_persist(dst, src, n);
	return memmove(dst, src, n);
}

static void *
default_memset(void *str, int c, size_t n, unsigned flags)
{
	if (flags & VDM_F_MEM_DURABLE)
		return pmem_memset_persist(str, c, n);
	return memset(str, c, n);
}

const struct operation_fns operation_default_fns = {
	.copy = default_memcpy,
	.move = default_memmove,
	.set = default_memset,
};

int64_t
operation_run(const struct vdm_operation *operation,
	const struct operation_fns *fns)
{
	if (operation->type == VDM_OPERATION_RUN)
		return operation->data.run.fn(operation->data.run.args);

	const struct vdm_operation_data_memcpy *cpy = &operation->data.memcpy;
	const struct vdm_operation_data_memmove *mov =
		&operation->data.memmove;
	const struct vdm_operation_data_memset *set = &operation->data.memset;
	const struct vdm_operation_data_flush *flush = &operation->data.flush;

	void *dest = NULL;
	size_t n = 0;
	uint64_t flags = 0;
	bool durable_done = false;	/* the function kept the promise */

	switch ((unsigned)operation->type) {
	case VDM_OPERATION_MEMCPY:
		fns->copy(cpy->dest, cpy->src, cpy->n, (unsigned)cpy->flags);
		dest = cpy->dest, n = cpy->n, flags = cpy->flags;
		durable_done = fns->copy == default_memcpy;
		break;
	case VDM_OPERATION_MEMMOVE:
		fns->move(mov->dest, mov->src, mov->n, (unsigned)mov->flags);
		dest = mov->dest, n = mov->n, flags = mov->flags;
		durable_done = fns->move == default_memmove;
		break;
	case VDM_OPERATION_MEMSET:
		fns->set(set->str, set->c, set->n, (unsigned)set->flags);
		dest = set->str, n = set->n, flags = set->flags;
		durable_done = fns->set == default_memset;
		break;
	case VDM_OPERATION_FLUSH:
		/*
		 * miniasync's movers exit the process here; we do what the
		 * operation promises: write the lines back, then fence.
		 */
		dest = flush->dest, n = flush->n, flags = VDM_F_MEM_DURABLE;
		break;
	default:
		assert(!"unknown vdm operation type");
	}

	/*
	 * The movers advertise VDM_F_MEM_DURABLE and keep the promise: the
	 * written range is flushed from the CPU caches and fenced before the
	 * operation completes, so a caller (libpmemblk, libpmem2) needs no
	 * second operation to persist it. User-supplied functions may not
	 * know the flag, so their result is flushed here.
	 */
	if ((flags & VDM_F_MEM_DURABLE) && !durable_done)
		pmem_persist(dest, n);
	return 0;
}

bool
operation_is_small(const struct vdm_operation *operation,
	const struct operation_fns *fns, size_t max_size)
{
	switch ((unsigned)operation->type) {
	case VDM_OPERATION_MEMCPY:
		return fns->copy == default_memcpy &&
			operation->data.memcpy.n <= max_size;
	case VDM_OPERATION_MEMMOVE:
		return fns->move == default_memmove &&
			operation->data.memmove.n <= max_size;
	case VDM_OPERATION_MEMSET:
		return fns->set == default_memset &&
			operation->data.memset.n <= max_size;
	case VDM_OPERATION_FLUSH:
		return operation->data.flush.n <= max_size;
	case VDM_OPERATION_RUN:
		/* the caller of vdm_run() knows whether its function is */
		return (operation->data.run.flags &
			VDM_RUN_F_CALLER_MAY_RUN) != 0;
	default:
		return false;
	}
}

void
operation_output(const struct vdm_operation *operation, int64_t run_result,
	struct vdm_operation_output *output)
{
	output->type = operation->type;
	output->result = VDM_SUCCESS;

	switch ((unsigned)operation->type) {
	case VDM_OPERATION_MEMCPY:
		output->output.memcpy.dest = operation->data.memcpy.dest;
		break;
	case VDM_OPERATION_MEMMOVE:
		output->output.memmove.dest = operation->data.memmove.dest;
		break;
	case VDM_OPERATION_MEMSET:
		output->output.memset.str = operation->data.memset.str;
		break;
	case VDM_OPERATION_FLUSH:
		output->output.flush.unused = 0;
		break;
	case VDM_OPERATION_RUN:
		output->output.run.result = run_result;
		break;
	default:
		assert(!"unknown vdm operation type");
	}
}
