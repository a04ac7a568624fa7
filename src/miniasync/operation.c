/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * operation.c -- the work behind every vdm operation.
 */
#include <assert.h>
#include <string.h>

#include <libpmem.h>

#include "operation.h"

static void *
libc_memcpy(void *dst, const void *src, size_t n, unsigned flags)
{
	(void)flags;
	return memcpy(dst, src, n);
}

static void *
libc_memmove(void *dst, const void *src, size_t n, unsigned flags)
{
	(void)flags;
	return memmove(dst, src, n);
}

static void *
libc_memset(void *str, int c, size_t n, unsigned flags)
{
	(void)flags;
	return memset(str, c, n);
}

const struct operation_fns operation_libc_fns = {
	.copy = libc_memcpy,
	.move = libc_memmove,
	.set = libc_memset,
};

void
operation_run(const struct vdm_operation *operation,
	const struct operation_fns *fns)
{
	const struct vdm_operation_data_memcpy *cpy = &operation->data.memcpy;
	const struct vdm_operation_data_memmove *mov =
		&operation->data.memmove;
	const struct vdm_operation_data_memset *set = &operation->data.memset;
	const struct vdm_operation_data_flush *flush = &operation->data.flush;

	void *dest = NULL;
	size_t n = 0;
	uint64_t flags = 0;

	switch (operation->type) {
	case VDM_OPERATION_MEMCPY:
		fns->copy(cpy->dest, cpy->src, cpy->n, (unsigned)cpy->flags);
		dest = cpy->dest, n = cpy->n, flags = cpy->flags;
		break;
	case VDM_OPERATION_MEMMOVE:
		fns->move(mov->dest, mov->src, mov->n, (unsigned)mov->flags);
		dest = mov->dest, n = mov->n, flags = mov->flags;
		break;
	case VDM_OPERATION_MEMSET:
		fns->set(set->str, set->c, set->n, (unsigned)set->flags);
		dest = set->str, n = set->n, flags = set->flags;
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
	 * second operation to persist it.
	 */
	if (flags & VDM_F_MEM_DURABLE)
		pmem_persist(dest, n);
}

void
operation_output(const struct vdm_operation *operation,
	struct vdm_operation_output *output)
{
	output->type = operation->type;
	output->result = VDM_SUCCESS;

	switch (operation->type) {
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
	default:
		assert(!"unknown vdm operation type");
	}
}
