/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * data_mover_threads.c -- the threads mover: polls hand operations to a
 * bounded lock-free queue, worker threads run them.
 *
 * - A poll never blocks: when the queue is full the operation is simply
 *   not started and the future stays IDLE; the next poll tries again.
 * - When the workers are behind (several operations queued per worker),
 *   a small operation with the default functions runs in the poll that
 *   starts it ("caller runs"): on a machine with few cores the polling
 *   thread's core copies too, instead of waiting for the workers.
 * - A worker that finds the queue empty looks again a few times, yielding
 *   the CPU in between (a wake-up costs a system call on each side, more
 *   than a 4 KiB copy), then sleeps on a futex, so an idle mover costs no
 *   CPU. A poll wakes a worker only when one is asleep.
 * - Per-operation state comes from a bounded pool (op_pool), so op_new
 *   fails cleanly (VDM_ERROR_OUT_OF_MEMORY) rather than growing forever.
 * - A worker calls the waker first and only then publishes completion:
 *   the waker may live on the stack of a runtime_wait() that returns as
 *   soon as it sees the completion.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "libminiasync/data_mover_threads.h"
#include "mpmc_queue.h"
#include "op_pool.h"
#include "operation.h"

/* Outstanding (created, not yet finished) operations per mover. */
#define THREADS_OPS_MAX (1U << 16)

#define DEFAULT_NTHREADS 12
#define DEFAULT_RINGBUF_SIZE 128

/* Queued operations per worker from which a poll runs a small one inline. */
#define CALLER_RUNS_BACKLOG 4
#define CALLER_RUNS_MAX_SIZE (64 * 1024)

/* Looks at an empty queue before a worker sleeps. */
#define IDLE_LOOKS 64
/* A sleeping worker looks again at least this often (a safety net). */
#define IDLE_SLEEP_NS 100000000L

/*
 * Who touches what (set at creation unless said otherwise; the mover is
 * then shared by every polling thread and every worker):
 *  - vdm, desired_notifier, ops, queue, nthreads, threads: written once by
 *    data_mover_threads_new, read-only until data_mover_threads_delete.
 *  - fns: written by the set_*_fn calls, which the user makes before the
 *    first operation (man page); read by pollers (caller runs) and workers.
 *  - wake_seq, sleepers: atomics of the sleep/wake handshake; sleepers is
 *    counted by workers, wake_seq bumped by polls (wake_sleeper) and by
 *    stop_workers. Both sides are explained at wake_sleeper and worker.
 *  - stopping: atomic; set (release) only by stop_workers, read (acquire)
 *    by workers.
 */
struct data_mover_threads {
	struct vdm vdm;	/* what the callbacks receive */
	struct operation_fns fns;
	enum future_notifier_type desired_notifier;
	struct op_pool *ops;
	struct mpmc_queue *queue;	/* operations waiting for a worker */
	uint32_t wake_seq;	/* futex word: bumped to wake sleepers */
	uint32_t sleepers;	/* workers asleep or about to sleep */
	bool stopping;
	size_t nthreads;
	size_t caller_runs_backlog;
	int caller_runs;	/* atomic; data_mover_threads_set_caller_runs */
	size_t outstanding;	/* atomic: op_new'ed, not yet op_delete'd */
	pthread_t threads[];
};

/*
 * One operation. Owned by the polling side until threads_op_start pushes
 * it; from the push until `complete` is set the worker that popped it owns
 * operation, notify and waker (the poller does not touch them again);
 * after `complete` the poller owns it all and returns it to the pool in
 * op_delete. `started` is the poller's alone.
 */
struct threads_op {
	struct data_mover_threads *mover;	/* set in op_new, never changed */
	struct vdm_operation operation;	/* the parameters at start time */
	enum future_notifier_type notify; /* how the poller is told */
	struct future_waker waker;	/* for FUTURE_NOTIFIER_WAKER */
	bool started;	/* in the queue or done; only the poller uses it */
	int64_t result;		/* of a VDM_OPERATION_RUN, before complete */
	uint64_t complete;	/* nonzero when done; the POLLER word */
};

static struct data_mover_threads *
mover_of(struct vdm *vdm)
{
	return (struct data_mover_threads *)
		((char *)vdm - offsetof(struct data_mover_threads, vdm));
}

static void *
threads_op_new(struct vdm *vdm, const enum vdm_operation_type type)
{
	(void)type;
	struct data_mover_threads *dmt = mover_of(vdm);

	struct threads_op *op = op_pool_get(dmt->ops);
	if (op == NULL)
		return NULL;
	op->mover = dmt;
	op->started = false;
	__atomic_add_fetch(&dmt->outstanding, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&op->complete, 0, __ATOMIC_RELAXED);
	return op;
}

/*
 * Called after queueing: wakes one sleeping worker, if any. The read of
 * 'sleepers' is a locked read-modify-write so it cannot pass the queue
 * push (a plain load could, through the store buffer); it pairs with the
 * workers' announce-then-look.
 */
static void
wake_sleeper(struct data_mover_threads *dmt)
{
	if (__atomic_fetch_add(&dmt->sleepers, 0, __ATOMIC_SEQ_CST) == 0)
		return;
	__atomic_add_fetch(&dmt->wake_seq, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &dmt->wake_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL,
		0);
}

static int
threads_op_start(void *opp, const struct vdm_operation *operation,
	struct future_notifier *notifier)
{
	struct threads_op *op = opp;
	struct data_mover_threads *dmt = op->mover;

	/* a chain's map may have changed the parameters since op_new */
	op->operation = *operation;
	op->notify = FUTURE_NOTIFIER_NONE;
	if (notifier != NULL) {
		op->notify = dmt->desired_notifier;
		op->waker = notifier->waker;
	}

	/*
	 * Caller runs: a small operation runs here, in this poll, as the
	 * sync mover would, instead of being handed over, when the workers
	 * are behind: at least half of the outstanding operations (and at
	 * least one, at most CALLER_RUNS_BACKLOG per worker) wait in the
	 * queue, so the polling thread's core works too. Half rather than a
	 * fixed backlog makes a few operations in flight overlap as well
	 * (4 KiB writes at QD4 went from 0.86x to 1.23x of the sync loop,
	 * bench/README.md). (A user's copy function might block, and a big
	 * copy would make a long poll: those always queue.)
	 */
	size_t outstanding = __atomic_load_n(&dmt->outstanding,
		__ATOMIC_RELAXED);
	size_t behind = outstanding / 2 < dmt->caller_runs_backlog ?
		outstanding / 2 : dmt->caller_runs_backlog;
	if (behind == 0)
		behind = 1;
	if (__atomic_load_n(&dmt->caller_runs, __ATOMIC_RELAXED) &&
			mpmc_queue_backlog(dmt->queue) >= behind &&
			operation_is_small(&op->operation, &dmt->fns,
				CALLER_RUNS_MAX_SIZE)) {
		op->result = operation_run(&op->operation, &dmt->fns);
		op->started = true;
		__atomic_store_n(&op->complete, 1, __ATOMIC_RELEASE);
		if (notifier != NULL)
			notifier->notifier_used = FUTURE_NOTIFIER_NONE;
		return 0;
	}

	if (!mpmc_queue_push(dmt->queue, op)) {
		/* stays IDLE; nothing will notify the poller, who must
		 * simply poll again */
		if (notifier != NULL)
			notifier->notifier_used = FUTURE_NOTIFIER_NONE;
		return 0;
	}
	wake_sleeper(dmt);

	/* from here on a worker owns the fields above; not touched again */
	op->started = true;
	if (notifier != NULL) {
		notifier->notifier_used = dmt->desired_notifier;
		if (dmt->desired_notifier == FUTURE_NOTIFIER_POLLER)
			notifier->poller.ptr_to_monitor = &op->complete;
	}
	return 0;
}

static enum future_state
threads_op_check(void *opp, const struct vdm_operation *operation)
{
	(void)operation;
	struct threads_op *op = opp;

	if (__atomic_load_n(&op->complete, __ATOMIC_ACQUIRE))
		return FUTURE_STATE_COMPLETE;
	return op->started ? FUTURE_STATE_RUNNING : FUTURE_STATE_IDLE;
}

static void
threads_op_delete(void *opp, const struct vdm_operation *operation,
	struct vdm_operation_output *output)
{
	struct threads_op *op = opp;

	operation_output(operation, op->result, output);
	__atomic_sub_fetch(&op->mover->outstanding, 1, __ATOMIC_RELAXED);
	op_pool_put(op->mover->ops, op);
}

/* Its futures make progress between polls. */
static int
threads_has_property(void *future, enum future_property property)
{
	(void)future;
	return property == FUTURE_PROPERTY_ASYNC;
}

static void
run_op(struct data_mover_threads *dmt, struct threads_op *op)
{
	op->result = operation_run(&op->operation, &dmt->fns);
	if (op->notify == FUTURE_NOTIFIER_WAKER)
		FUTURE_WAKER_WAKE(&op->waker);
	/* the poller may free op as soon as it sees this */
	__atomic_store_n(&op->complete, 1, __ATOMIC_RELEASE);
}

/*
 * Pops an operation, looking again a few times if the queue is empty.
 * Between looks the worker yields rather than spins in place: the thread
 * that feeds the queue may be waiting for this very core.
 */
static struct threads_op *
pop_or_look(struct data_mover_threads *dmt)
{
	struct threads_op *op = mpmc_queue_pop(dmt->queue);
	for (int i = 0; i < IDLE_LOOKS && op == NULL; i++) {
		sched_yield();
		op = mpmc_queue_pop(dmt->queue);
	}
	return op;
}

static void *
worker(void *arg)
{
	struct data_mover_threads *dmt = arg;

	for (;;) {
		struct threads_op *op = pop_or_look(dmt);
		if (op != NULL) {
			run_op(dmt, op);
			continue;
		}
		/* stop only once the queue is empty: queued work is done */
		if (__atomic_load_n(&dmt->stopping, __ATOMIC_ACQUIRE))
			return NULL;

		/*
		 * Announce the sleep, then look once more: a poll that
		 * queued an operation before seeing us is found here, one
		 * that queued it after sees us and bumps wake_seq, which
		 * makes the futex wait return at once.
		 */
		uint32_t seq = __atomic_load_n(&dmt->wake_seq, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&dmt->sleepers, 1, __ATOMIC_SEQ_CST);
		op = mpmc_queue_pop(dmt->queue);
		if (op == NULL &&
		    !__atomic_load_n(&dmt->stopping, __ATOMIC_ACQUIRE)) {
			struct timespec timeout = {0, IDLE_SLEEP_NS};
			syscall(SYS_futex, &dmt->wake_seq, FUTEX_WAIT_PRIVATE,
				seq, &timeout, NULL, 0);
		}
		__atomic_sub_fetch(&dmt->sleepers, 1, __ATOMIC_SEQ_CST);
		if (op != NULL)
			run_op(dmt, op);
	}
}

/*
 * Workers exit only when they find the queue empty after a stop, so what
 * was queued is done first.
 */
static void
stop_workers(struct data_mover_threads *dmt, size_t nstarted)
{
	__atomic_store_n(&dmt->stopping, true, __ATOMIC_RELEASE);
	for (size_t i = 0; i < nstarted; i++)
		wake_sleeper(dmt);
	for (size_t i = 0; i < nstarted; i++)
		pthread_join(dmt->threads[i], NULL);
}

static void
free_mover(struct data_mover_threads *dmt)
{
	mpmc_queue_delete(dmt->queue);
	op_pool_delete(dmt->ops);
	free(dmt);
}

MINIASYNC_EXPORT struct data_mover_threads *
data_mover_threads_new(size_t nthreads, size_t ringbuf_size,
	enum future_notifier_type desired_notifier)
{
	/* miniasync accepts zeros here and never completes anything */
	if (nthreads == 0 || ringbuf_size == 0 ||
	    (ringbuf_size & (ringbuf_size - 1)) != 0)
		return NULL;

	if (nthreads > (SIZE_MAX - sizeof(struct data_mover_threads)) /
			sizeof(pthread_t))
		return NULL;
	struct data_mover_threads *dmt = malloc(sizeof(*dmt) +
		nthreads * sizeof(dmt->threads[0]));
	if (dmt == NULL)
		return NULL;

	dmt->wake_seq = 0;
	dmt->sleepers = 0;
	dmt->ops = op_pool_new(THREADS_OPS_MAX, sizeof(struct threads_op));
	dmt->queue = mpmc_queue_new(ringbuf_size);
	if (dmt->ops == NULL || dmt->queue == NULL) {
		free_mover(dmt);
		return NULL;
	}
	dmt->stopping = false;
	dmt->fns = operation_default_fns;
	dmt->desired_notifier = desired_notifier;
	dmt->nthreads = nthreads;
	dmt->caller_runs_backlog = nthreads * CALLER_RUNS_BACKLOG;
	dmt->caller_runs = 1;
	dmt->outstanding = 0;

	dmt->vdm.op_new = threads_op_new;
	dmt->vdm.op_delete = threads_op_delete;
	dmt->vdm.op_start = threads_op_start;
	dmt->vdm.op_check = threads_op_check;
	/* operation_run() honours VDM_F_MEM_DURABLE (flush + fence) and
	 * runs VDM_OPERATION_RUN */
	dmt->vdm.capabilities = VDM_F_MEM_DURABLE | VDM_CAPABILITY_RUN;
	dmt->vdm.has_property = threads_has_property;

	for (size_t i = 0; i < nthreads; i++) {
		if (pthread_create(&dmt->threads[i], NULL, worker, dmt) != 0) {
			stop_workers(dmt, i);
			free_mover(dmt);
			return NULL;
		}
	}
	return dmt;
}

MINIASYNC_EXPORT struct data_mover_threads *
data_mover_threads_default(void)
{
	return data_mover_threads_new(DEFAULT_NTHREADS, DEFAULT_RINGBUF_SIZE,
		FUTURE_NOTIFIER_WAKER);
}

MINIASYNC_EXPORT struct vdm *
data_mover_threads_get_vdm(struct data_mover_threads *dmt)
{
	return &dmt->vdm;
}

MINIASYNC_EXPORT void
data_mover_threads_delete(struct data_mover_threads *dmt)
{
	stop_workers(dmt, dmt->nthreads);
	free_mover(dmt);
}

MINIASYNC_EXPORT void
data_mover_threads_set_memcpy_fn(struct data_mover_threads *dmt,
	memcpy_fn op_memcpy)
{
	dmt->fns.copy = op_memcpy;
}

MINIASYNC_EXPORT void
data_mover_threads_set_memmove_fn(struct data_mover_threads *dmt,
	memmove_fn op_memmove)
{
	dmt->fns.move = op_memmove;
}

MINIASYNC_EXPORT void
data_mover_threads_set_caller_runs(struct data_mover_threads *dmt, int on)
{
	__atomic_store_n(&dmt->caller_runs, on != 0, __ATOMIC_RELAXED);
}

MINIASYNC_EXPORT void
data_mover_threads_set_memset_fn(struct data_mover_threads *dmt,
	memset_fn op_memset)
{
	dmt->fns.set = op_memset;
}
