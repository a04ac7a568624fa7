/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gate_mover.h -- a test data mover whose operations finish only once the
 * test opens the gate (or fail from the start when told to), so tests can
 * hold operations in flight deterministically.
 */
#ifndef GATE_MOVER_H
#define GATE_MOVER_H

#include <libminiasync.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct gate_mover {
	struct vdm vdm;		/* first: callbacks get a struct vdm * */
	int open;		/* atomic: operations may complete */
	bool fail_new;		/* op_new returns NULL (out of memory) */
	int started;		/* atomic: operations started */
};

struct gate_op {
	struct gate_mover *gm;
	struct vdm_operation operation;
};

static void *
gate_op_new(struct vdm *vdm, const enum vdm_operation_type type)
{
	(void) type;
	struct gate_mover *gm = (struct gate_mover *)vdm;
	if (gm->fail_new)
		return NULL;
	struct gate_op *op = calloc(1, sizeof(*op));
	if (op != NULL)
		op->gm = gm;
	return op;
}

static int
gate_op_start(void *opp, const struct vdm_operation *operation,
	struct future_notifier *n)
{
	struct gate_op *op = opp;
	op->operation = *operation;
	if (n != NULL)
		n->notifier_used = FUTURE_NOTIFIER_NONE;
	__atomic_add_fetch(&op->gm->started, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static enum future_state
gate_op_check(void *opp, const struct vdm_operation *operation)
{
	(void) operation;
	struct gate_op *op = opp;
	if (!__atomic_load_n(&op->gm->open, __ATOMIC_ACQUIRE))
		return FUTURE_STATE_RUNNING;
	const struct vdm_operation *o = &op->operation;
	switch (o->type) {
	case VDM_OPERATION_MEMCPY:
		memcpy(o->data.memcpy.dest, o->data.memcpy.src, o->data.memcpy.n);
		break;
	case VDM_OPERATION_MEMSET:
		memset(o->data.memset.str, o->data.memset.c, o->data.memset.n);
		break;
	default:
		break;
	}
	return FUTURE_STATE_COMPLETE;
}

static void
gate_op_delete(void *opp, const struct vdm_operation *operation,
	struct vdm_operation_output *out)
{
	out->type = operation->type;
	out->result = VDM_SUCCESS;
	out->output.memcpy.dest = NULL;
	free(opp);
}

static inline void
gate_mover_init(struct gate_mover *gm)
{
	memset(gm, 0, sizeof(*gm));
	gm->vdm.op_new = gate_op_new;
	gm->vdm.op_start = gate_op_start;
	gm->vdm.op_check = gate_op_check;
	gm->vdm.op_delete = gate_op_delete;
}

#endif
