/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * data_mover_sync.c -- the synchronous mover: an operation is done on the
 * polling thread inside its first poll.
 *
 * Per-operation state is only the way back to the pool, but it still
 * comes from a bounded pool so that this mover, like miniasync's, runs
 * out of memory (VDM_ERROR_OUT_OF_MEMORY) instead of growing forever.
 */
#include <stddef.h>
#include <stdlib.h>

#include "export.h"
#include "libminiasync/data_mover_sync.h"
#include "op_pool.h"
#include "operation.h"

/* Outstanding (created, not yet finished) operations per mover. */
#define SYNC_OPS_MAX (1U << 16)

/* Written once by data_mover_sync_new; read-only while in use. */
struct data_mover_sync {
	struct vdm vdm;	/* what the callbacks receive */
	struct op_pool *ops;	/* thread-safe itself (op_pool.c) */
};

struct sync_op {
	struct op_pool *pool;
	int64_t result;		/* of a VDM_OPERATION_RUN */
};

static void *
sync_op_new(struct vdm *vdm, const enum vdm_operation_type type)
{
	(void)type;
	struct data_mover_sync *dms = (struct data_mover_sync *)
		((char *)vdm - offsetof(struct data_mover_sync, vdm));

	struct sync_op *op = op_pool_get(dms->ops);
	if (op != NULL)
		op->pool = dms->ops;
	return op;
}

static int
sync_op_start(void *op, const struct vdm_operation *operation,
	struct future_notifier *notifier)
{
	if (notifier != NULL)
		notifier->notifier_used = FUTURE_NOTIFIER_NONE;
	((struct sync_op *)op)->result =
		operation_run(operation, &operation_default_fns);
	return 0;
}

/* Only ever called right after an (always accepted) start: done. */
static enum future_state
sync_op_check(void *op, const struct vdm_operation *operation)
{
	(void)op;
	(void)operation;
	return FUTURE_STATE_COMPLETE;
}

static void
sync_op_delete(void *op, const struct vdm_operation *operation,
	struct vdm_operation_output *output)
{
	struct sync_op *sop = op;
	operation_output(operation, sop->result, output);
	op_pool_put(sop->pool, op);
}

MINIASYNC_EXPORT struct data_mover_sync *
data_mover_sync_new(void)
{
	struct data_mover_sync *dms = malloc(sizeof(*dms));
	if (dms == NULL)
		return NULL;

	dms->ops = op_pool_new(SYNC_OPS_MAX, sizeof(struct sync_op));
	if (dms->ops == NULL) {
		free(dms);
		return NULL;
	}

	dms->vdm.op_new = sync_op_new;
	dms->vdm.op_delete = sync_op_delete;
	dms->vdm.op_start = sync_op_start;
	dms->vdm.op_check = sync_op_check;
	/* operation_run() honours VDM_F_MEM_DURABLE (flush + fence) and
	 * runs VDM_OPERATION_RUN */
	dms->vdm.capabilities = VDM_F_MEM_DURABLE | VDM_CAPABILITY_RUN;
	dms->vdm.has_property = NULL;	/* not ASYNC: work happens in poll */
	return dms;
}

MINIASYNC_EXPORT struct vdm *
data_mover_sync_get_vdm(struct data_mover_sync *dms)
{
	return &dms->vdm;
}

MINIASYNC_EXPORT void
data_mover_sync_delete(struct data_mover_sync *dms)
{
	op_pool_delete(dms->ops);
	free(dms);
}
