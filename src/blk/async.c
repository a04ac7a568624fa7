/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async.c -- pmemblk_xcreate, pmemblk_xopen and the read/write futures.
 *
 * A future is a state machine resumed by each poll; no poll ever waits.
 * Which path it takes depends on the pool's vdm (doc/design.md §4):
 *
 * - A mover with the run extension (VDM_CAPABILITY_RUN: libminiasync's
 *   own movers) gets each operation as ONE VDM_OPERATION_RUN:
 *     write: the poll takes a lane whose free block nobody reads; the
 *            mover then copies, persists, commits flog and map, releases
 *            the lane (btt_write_finish) -- on a worker, or in the poll
 *            when the mover finds that cheaper (VDM_RUN_F_CALLER_MAY_RUN)
 *     read:  the mover looks the block up, copies it out, and ends its
 *            reader registration (btt_read) in the same run
 *   The poller's share is a lane take and one hand-off per operation.
 * - Any other mover (a 0.2 one) gets plain operations:
 *     write: lane -> copy through the vdm -> make it durable (the
 *            mover's VDM_F_MEM_DURABLE, a vdm_flush on pmem, msync inline
 *            otherwise) -> commit flog and map in the poll -> release
 *     read:  find the block and register as its (held) reader -> copy it
 *            out through the vdm (or zero-fill) -> unregister
 * - Pools without a vdm copy inline, within the first poll.
 *
 * What a future holds between polls, and so what an abandoned one (never
 * polled again) keeps: a write future from its first poll, its lane --
 * until the poll that completes it, or on the run path until the mover
 * has run it, which needs no more polls; a read future on a foreign
 * mover, its registration as reader of one block (that block cannot be
 * reused by a write until the future completes). Neither is a mutex, so
 * a future may be finished by another thread. The private state lives
 * inside the future and holds no pointer into the future itself, so the
 * future may be moved between polls.
 */
#include <errno.h>
#include <string.h>

#define PMEMBLK_USE_MINIASYNC 1
#include "libpmemblk.h"

#include "blk.h"
#include "btt.h"
#include "out.h"

enum step { STEP_START = 0, STEP_COPY, STEP_FLUSH, STEP_RUN };

struct write_state {
	struct vdm_operation_future op;	/* the mover's copy or flush */
	struct btt_write_op btt;
	uint32_t step;
};

struct read_state {
	struct vdm_operation_future op;
	struct btt_read_op btt;
	uint32_t step;
};

_Static_assert(sizeof(struct write_state) <= PMEMBLK_ASYNC_INTERNAL_SIZE,
	"write state fits the future");
_Static_assert(sizeof(struct read_state) <= PMEMBLK_ASYNC_INTERNAL_SIZE,
	"read state fits the future");
_Static_assert((int)PMEMBLK_READ_COMPLETE == (int)PMEMBLK_WRITE_COMPLETE &&
	PMEMBLK_READ_INITIALIZED == 0 && PMEMBLK_WRITE_INITIALIZED == 0,
	"reads and writes share their stage values");

/*
 * The BTT layout (and the repair of a primary info block) is done here,
 * not by the first write future: laying out may zero the whole map, work
 * that has no place inside a poll (pmemblk_async(3)).
 */
static PMEMblkpool *
async_ready(PMEMblkpool *pbp, struct vdm *vdm)
{
	if (pbp == NULL)
		return NULL;
	pbp->vdm = vdm;
	if (!pbp->rdonly && btt_prepare_write(pbp->btt) != 0) {
		int saved_errno = errno;
		pmemblk_close(pbp);
		errno = saved_errno;
		return NULL;
	}
	return pbp;
}

EXPORT PMEMblkpool *
pmemblk_xcreate(const char *path, size_t bsize, size_t poolsize, mode_t mode,
	struct vdm *vdm)
{
	return async_ready(pmemblk_create(path, bsize, poolsize, mode), vdm);
}

EXPORT PMEMblkpool *
pmemblk_xopen(const char *path, size_t bsize, struct vdm *vdm)
{
	return async_ready(pmemblk_open(path, bsize), vdm);
}

/*
 * Polls the mover's operation: 1 while it runs, 0 once it succeeded,
 * -1 (errno set) if the mover failed.
 */
static int
mover_poll(struct vdm_operation_future *op, struct future_notifier *notifier)
{
	if (future_poll(FUTURE_AS_RUNNABLE(op), notifier) !=
			FUTURE_STATE_COMPLETE)
		return 1;
	switch (op->output.result) {
	case VDM_SUCCESS:
		return 0;
	case VDM_ERROR_OUT_OF_MEMORY:
		return err_set(ENOMEM, "data mover out of memory");
	default:
		return err_set(EIO, "data mover failed (result %d)",
			(int)op->output.result);
	}
}

/*
 * Polls a VDM_OPERATION_RUN: 1 while it runs, else what the function
 * returned (0, or -errno, which is set with a message naming `what`).
 */
static int
run_poll(struct vdm_operation_future *op, struct future_notifier *notifier,
	const char *what, long long blockno)
{
	int ret = mover_poll(op, notifier);
	if (ret != 0)
		return ret;
	int64_t r = op->output.output.run.result;
	if (r == 0)
		return 0;
	return err_set((int)-r, "%s of block %lld failed on the data mover: %s",
		what, blockno, strerror((int)-r));
}

/* Whether the pool's mover takes whole operations (VDM_OPERATION_RUN). */
static bool
mover_runs(PMEMblkpool *pbp)
{
	return vdm_is_supported(pbp->vdm, VDM_CAPABILITY_RUN);
}

/*
 * Whether an operation runs in this poll, as with no vdm: always without
 * one; with a mover of the run extension whose operations run between
 * polls (FUTURE_PROPERTY_ASYNC: the threads mover) when this is the only
 * future of the pool in flight -- a hand-off could overlap with nothing
 * and would only add its cost (4 KiB writes at QD1: 0.39x of the sync
 * loop handed off, 0.98x here; bench/README.md). The run extension lets
 * us ask has_property about all of a mover's futures at once (NULL).
 */
static bool
runs_in_poll(PMEMblkpool *pbp)
{
	if (pbp->vdm == NULL)
		return true;
	return mover_runs(pbp) && pbp->vdm->has_property != NULL &&
		pbp->vdm->has_property(NULL, FUTURE_PROPERTY_ASYNC) &&
		__atomic_load_n(&pbp->futures, __ATOMIC_RELAXED) <= 1;
}

/* The result of a function run by the mover: 0, or -errno. */
static int64_t
run_result(int ret)
{
	return ret == 0 ? 0 : -(int64_t)(errno ? errno : EIO);
}

/* Completes a read or write future (both COMPLETE stages are 20). */
static enum future_state
complete(PMEMblkpool *pbp, int *stage, int *return_value, int ret)
{
	if (pbp != NULL)
		__atomic_sub_fetch(&pbp->futures, 1, __ATOMIC_RELAXED);
	*stage = PMEMBLK_WRITE_COMPLETE;
	*return_value = ret;
	return FUTURE_STATE_COMPLETE;
}

/*
 * Fills in a new future; nothing is checked or done before the first poll.
 * Of the private state only the step is read before it is written.
 */
#define NEW_FUTURE(type, state, task, pbp_, buf_, blockno_) ({\
	struct type fut_;\
	fut_.data.stage = 0;\
	struct state *st_ = (struct state *)(void *)&fut_.data.internal;\
	st_->step = STEP_START;\
	fut_.data.pbp = (pbp_);\
	fut_.data.buf = (buf_);\
	fut_.data.blockno = (blockno_);\
	fut_.output.return_value = -1;\
	if ((pbp_) != NULL)\
		__atomic_add_fetch(&(pbp_)->futures, 1, __ATOMIC_RELAXED);\
	FUTURE_INIT(&fut_, task);\
	fut_;\
})

/* ------------------------------------------------------------------ */
/* write                                                               */

#define write_done(data, out, ret) \
	complete((data)->pbp, &(data)->stage, &(out)->return_value, (ret))

/*
 * On pmem the copied lines must be written back before the commit; unless
 * the mover promises durable copies, it does that too, off this thread.
 */
static bool
needs_vdm_flush(PMEMblkpool *pbp)
{
	return !btt_ops(pbp->btt)->flush_is_sync &&
		!vdm_is_supported(pbp->vdm, VDM_F_MEM_DURABLE);
}

/*
 * The rest of a write on the mover: args are the pool, the buffer and the
 * packed btt_write_op of a taken lane.
 */
static int64_t
write_run(const uint64_t args[VDM_RUN_NARGS])
{
	PMEMblkpool *pbp = (PMEMblkpool *)(uintptr_t)args[0];
	struct btt_write_op op;
	btt_write_op_unpack(pbp->btt, args[2], &op);
	/* the thread that runs this usually runs the lane's next write too
	 * (measured: +5 % at QD32, +27 % at QD1 through the sync mover) */
	return run_result(btt_write_finish(pbp->btt, &op,
		(const void *)(uintptr_t)args[1], true));
}

static enum future_state
write_task(struct future_context *ctx, struct future_notifier *notifier)
{
	struct pmemblk_write_async_data *data = future_context_get_data(ctx);
	struct pmemblk_write_async_output *out = future_context_get_output(ctx);
	struct write_state *st = (struct write_state *)&data->internal;
	PMEMblkpool *pbp = data->pbp;

	if (notifier != NULL)
		notifier->notifier_used = FUTURE_NOTIFIER_NONE;

	if (st->step == STEP_START) {
		if (blk_writable_block_check(pbp, data->blockno) != 0)
			return write_done(data, out, -1);
		switch (btt_write_begin(pbp->btt, (uint64_t)data->blockno,
				false, &st->btt)) {
		case BTT_STEP_ERROR:
			return write_done(data, out, -1);
		case BTT_STEP_BUSY:
			data->stage = PMEMBLK_WRITE_WAITING_FOR_LANE;
			return FUTURE_STATE_RUNNING;
		case BTT_STEP_DONE:
			break;
		}
		data->stage = PMEMBLK_WRITE_IN_PROGRESS;
		const struct persist_ops *ops = btt_ops(pbp->btt);
		if (runs_in_poll(pbp))
			return write_done(data, out, btt_write_finish(pbp->btt,
				&st->btt, data->buf, true));
		if (mover_runs(pbp)) {
			uint64_t args[VDM_RUN_NARGS] = {(uintptr_t)pbp,
				(uintptr_t)data->buf,
				btt_write_op_pack(&st->btt)};
			st->op = vdm_run(pbp->vdm, write_run, args,
				VDM_RUN_F_CALLER_MAY_RUN);
			st->step = STEP_RUN;
		} else {
			/* a durable copy means something only on pmem */
			uint64_t flags = !ops->flush_is_sync &&
				vdm_is_supported(pbp->vdm, VDM_F_MEM_DURABLE) ?
				VDM_F_MEM_DURABLE : 0;
			st->op = vdm_memcpy(pbp->vdm, st->btt.dest, data->buf,
				pbp->bsize, flags);
			st->step = STEP_COPY;
		}
	}

	if (st->step == STEP_RUN) {
		int ret = run_poll(&st->op, notifier, "write", data->blockno);
		if (ret > 0)
			return FUTURE_STATE_RUNNING;
		/* a mover that failed before running leaves the lane to us */
		if (ret < 0 && st->op.output.result != VDM_SUCCESS)
			btt_write_cancel(pbp->btt, &st->btt);
		return write_done(data, out, ret);
	}
	for (;;) {
		int ret = mover_poll(&st->op, notifier);
		if (ret > 0)
			return FUTURE_STATE_RUNNING;
		if (ret < 0) {
			/* the block keeps its old data and map entry */
			btt_write_cancel(pbp->btt, &st->btt);
			return write_done(data, out, -1);
		}
		if (st->step == STEP_FLUSH || !needs_vdm_flush(pbp))
			break;
		st->op = vdm_flush(pbp->vdm, st->btt.dest, pbp->bsize, 0);
		st->step = STEP_FLUSH;
	}
	const struct persist_ops *ops = btt_ops(pbp->btt);
	if (ops->flush_is_sync)
		ops->flush(ops, st->btt.dest, pbp->bsize);	/* msync */
	/* a mover whose futures progress between polls copies elsewhere */
	bool copies_here = !future_has_property(FUTURE_AS_RUNNABLE(&st->op),
		FUTURE_PROPERTY_ASYNC);
	return write_done(data, out,
		btt_write_commit(pbp->btt, &st->btt, copies_here));
}

EXPORT struct pmemblk_write_async_future
pmemblk_write_async(PMEMblkpool *pbp, void *buf, long long blockno)
{
	return NEW_FUTURE(pmemblk_write_async_future, write_state, write_task,
		pbp, buf, blockno);
}

/* ------------------------------------------------------------------ */
/* read                                                                */

#define read_done(data, out, ret) \
	complete((data)->pbp, &(data)->stage, &(out)->return_value, (ret))

/* A whole read on the mover: args are the pool, the buffer and the LBA. */
static int64_t
read_run(const uint64_t args[VDM_RUN_NARGS])
{
	PMEMblkpool *pbp = (PMEMblkpool *)(uintptr_t)args[0];
	return run_result(btt_read(pbp->btt, args[2],
		(void *)(uintptr_t)args[1]));
}

static enum future_state
read_task(struct future_context *ctx, struct future_notifier *notifier)
{
	struct pmemblk_read_async_data *data = future_context_get_data(ctx);
	struct pmemblk_read_async_output *out = future_context_get_output(ctx);
	struct read_state *st = (struct read_state *)&data->internal;
	PMEMblkpool *pbp = data->pbp;

	if (notifier != NULL)
		notifier->notifier_used = FUTURE_NOTIFIER_NONE;

	if (st->step == STEP_START && pbp->vdm != NULL && mover_runs(pbp)) {
		if (blk_block_check(data->blockno) != 0 ||
				btt_lba_check(pbp->btt,
					(uint64_t)data->blockno) != 0)
			return read_done(data, out, -1);
		if (runs_in_poll(pbp))
			return read_done(data, out, btt_read(pbp->btt,
				(uint64_t)data->blockno, data->buf));
		data->stage = PMEMBLK_READ_IN_PROGRESS;
		uint64_t args[VDM_RUN_NARGS] = {(uintptr_t)pbp,
			(uintptr_t)data->buf, (uint64_t)data->blockno};
		st->op = vdm_run(pbp->vdm, read_run, args,
			VDM_RUN_F_CALLER_MAY_RUN);
		st->step = STEP_RUN;
	}
	if (st->step == STEP_RUN) {
		int ret = run_poll(&st->op, notifier, "read", data->blockno);
		if (ret > 0)
			return FUTURE_STATE_RUNNING;
		return read_done(data, out, ret);
	}

	if (st->step == STEP_START) {
		/* a foreign mover's copy may span polls: a held reader */
		if (blk_block_check(data->blockno) != 0 ||
				btt_read_begin(pbp->btt, (uint64_t)data->blockno,
					pbp->vdm != NULL, &st->btt) != 0)
			return read_done(data, out, -1);
		data->stage = PMEMBLK_READ_IN_PROGRESS;
		void *src = (void *)st->btt.src;
		if (pbp->vdm == NULL) {
			if (src != NULL)
				memcpy(data->buf, src, pbp->bsize);
			else
				memset(data->buf, 0, pbp->bsize);
			btt_read_end(pbp->btt, &st->btt);
			return read_done(data, out, 0);
		}
		st->op = src != NULL ?
			vdm_memcpy(pbp->vdm, data->buf, src, pbp->bsize, 0) :
			vdm_memset(pbp->vdm, data->buf, 0, pbp->bsize, 0);
		st->step = STEP_COPY;
	}

	int ret = mover_poll(&st->op, notifier);
	if (ret > 0)
		return FUTURE_STATE_RUNNING;
	btt_read_end(pbp->btt, &st->btt);
	return read_done(data, out, ret);
}

EXPORT struct pmemblk_read_async_future
pmemblk_read_async(PMEMblkpool *pbp, void *buf, long long blockno)
{
	return NEW_FUTURE(pmemblk_read_async_future, read_state, read_task,
		pbp, buf, blockno);
}
