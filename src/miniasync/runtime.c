/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * runtime.c -- polls futures on the calling thread until all are complete.
 *
 * Every pass polls each unfinished future once, futures with the ASYNC
 * property first (stable order, as miniasync). Between passes:
 * - if every unfinished future said in its last report that it will call
 *   our waker, we sleep until a waker is called (or a timeout, in case
 *   one never is);
 * - otherwise someone must be polled again: we spin, and only after many
 *   fruitless passes sleep briefly, as miniasync does.
 *
 * Each future gets its own waker, so the runtime knows which future was
 * woken. That matters because a future reports its notifier only on some
 * polls (a threads-mover operation only when it starts): a future that
 * reported WAKER and has said nothing since is still waiting for its wake,
 * but once woken, silence means a later chain entry that does not notify
 * has taken over and the future must be polled again.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "export.h"
#include "libminiasync/runtime.h"

/* Passes in a row before a runtime polling non-notifying futures naps. */
#define SPIN_PASSES 1000
/* That nap, bounding how long a polled future may wait. */
#define NAP_NS 1000000L
/* Longest sleep for a waker, should a buggy future never call it. */
#define WAKER_SLEEP_NS 10000000L
/* How many futures are tracked without allocating. */
#define STACK_SLOTS 16

/*
 * Put into notifier_used before each poll. Not a real notifier type (but
 * within the enum's range), so we can tell "said nothing" from "NONE".
 */
#define NOTIFIER_UNREPORTED ((enum future_notifier_type)3)

/*
 * Shared by every thread waiting on the runtime and every waker call.
 * wakes and sleepers are atomics (a waker counts its wake, then looks for
 * sleepers; a sleeper counts itself, then re-checks wakes: see
 * runtime_signal). lock protects nothing but the condition variable's wait,
 * so that a wake cannot slip between a sleeper's check and its wait.
 */
struct runtime {
	pthread_mutex_t lock;
	pthread_cond_t wakeup;	/* on CLOCK_MONOTONIC */
	uint64_t wakes;		/* counts waker calls */
	unsigned sleepers;	/* threads in runtime_sleep() */
};

/*
 * What a wait knows about one of its futures; the waker's data. Owned by
 * the waiting thread, except `woken`: an atomic that the future's waker
 * sets from any thread and the waiting thread consumes before each poll.
 */
struct wait_slot {
	struct future *fut;
	struct runtime *runtime;
	int property;	/* ASYNC this pass: 1, 0 or -1 */
	bool armed;	/* its waker will be called before it progresses */
	bool woken;	/* its waker was called since the last poll */
};

MINIASYNC_EXPORT struct runtime *
runtime_new(void)
{
	struct runtime *runtime = malloc(sizeof(*runtime));
	if (runtime == NULL)
		return NULL;

	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&runtime->wakeup, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&runtime->lock, NULL);
	runtime->wakes = 0;
	runtime->sleepers = 0;
	return runtime;
}

MINIASYNC_EXPORT void
runtime_delete(struct runtime *runtime)
{
	pthread_cond_destroy(&runtime->wakeup);
	pthread_mutex_destroy(&runtime->lock);
	free(runtime);
}

/*
 * Counting the wake and checking for sleepers are both sequentially
 * consistent, as are runtime_sleep()'s mirror-image steps: either the
 * sleeper sees the new count, or we see the sleeper and signal it.
 */
static void
runtime_signal(struct runtime *runtime)
{
	__atomic_add_fetch(&runtime->wakes, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&runtime->sleepers, __ATOMIC_SEQ_CST) == 0)
		return;

	pthread_mutex_lock(&runtime->lock);
	pthread_cond_broadcast(&runtime->wakeup);
	pthread_mutex_unlock(&runtime->lock);
}

/* Sleeps until the wake count differs from 'seen', at most 'ns'. */
static void
runtime_sleep(struct runtime *runtime, uint64_t seen, long ns)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += ns;
	deadline.tv_sec += deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;

	pthread_mutex_lock(&runtime->lock);
	__atomic_add_fetch(&runtime->sleepers, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&runtime->wakes, __ATOMIC_SEQ_CST) == seen) {
		if (pthread_cond_timedwait(&runtime->wakeup, &runtime->lock,
				&deadline) == ETIMEDOUT)
			break;
	}
	__atomic_sub_fetch(&runtime->sleepers, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&runtime->lock);
}

/* The waker we offer: may be called from any thread. */
static void
slot_wake(void *data)
{
	struct wait_slot *slot = data;

	__atomic_store_n(&slot->woken, true, __ATOMIC_RELEASE);
	runtime_signal(slot->runtime);
}

/* Polls one future and updates what we know about its notification. */
static void
poll_slot(struct wait_slot *slot)
{
	bool woken = __atomic_exchange_n(&slot->woken, false,
		__ATOMIC_ACQUIRE);

	struct future_notifier notifier;
	notifier.waker.data = slot;
	notifier.waker.wake = slot_wake;
	notifier.poller.ptr_to_monitor = NULL;
	notifier.notifier_used = NOTIFIER_UNREPORTED;
	notifier.padding = 0;

	future_poll(slot->fut, &notifier);

	if (notifier.notifier_used == FUTURE_NOTIFIER_WAKER)
		slot->armed = true;
	else if (notifier.notifier_used != NOTIFIER_UNREPORTED || woken)
		slot->armed = false;
}

/*
 * Orders the unfinished futures by their ASYNC property, 1 before 0 before
 * -1 (a finished chain), keeping the order of equals. An insertion sort:
 * linear when, as usual, little changed since the last pass.
 */
static void
sort_by_async(struct wait_slot **order, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct wait_slot *slot = order[i];
		int p = 0;
		if (slot->fut->context.state != FUTURE_STATE_COMPLETE)
			p = future_has_property(slot->fut,
				FUTURE_PROPERTY_ASYNC);
		slot->property = (p > 0) - (p < 0);
	}

	for (size_t i = 1; i < n; i++) {
		struct wait_slot *slot = order[i];
		size_t j = i;
		for (; j > 0 && order[j - 1]->property < slot->property; j--)
			order[j] = order[j - 1];
		order[j] = slot;
	}
}

static void
wait_all(struct runtime *runtime, struct future *futs[], size_t n,
	struct wait_slot *slots, struct wait_slot **order)
{
	for (size_t i = 0; i < n; i++) {
		slots[i].fut = futs[i];
		slots[i].runtime = runtime;
		slots[i].armed = false;
		slots[i].woken = false;
		order[i] = &slots[i];
	}

	for (unsigned passes = 1; ; passes++) {
		/* a wake from now on cuts the coming sleep short */
		uint64_t seen = __atomic_load_n(&runtime->wakes,
			__ATOMIC_SEQ_CST);

		sort_by_async(order, n);

		size_t pending = 0;
		bool all_armed = true;
		for (size_t i = 0; i < n; i++) {
			struct wait_slot *slot = order[i];
			if (slot->fut->context.state == FUTURE_STATE_COMPLETE)
				continue;
			poll_slot(slot);
			if (slot->fut->context.state == FUTURE_STATE_COMPLETE)
				continue;
			pending++;
			all_armed = all_armed && slot->armed;
		}

		if (pending == 0)
			return;
		if (all_armed)
			runtime_sleep(runtime, seen, WAKER_SLEEP_NS);
		else if (passes % SPIN_PASSES == 0)
			runtime_sleep(runtime, seen, NAP_NS);
		else
			future_busy_poll_pause_();
	}
}

MINIASYNC_EXPORT void
runtime_wait_multiple(struct runtime *runtime, struct future *futs[],
	size_t nfuts)
{
	struct wait_slot stack_slots[STACK_SLOTS];
	struct wait_slot *stack_order[STACK_SLOTS];
	struct wait_slot *slots = stack_slots;
	struct wait_slot **order = stack_order;
	size_t window = nfuts;
	void *heap = NULL;

	if (nfuts > STACK_SLOTS) {
		size_t per_fut = sizeof(*slots) + sizeof(*order);
		if (nfuts <= SIZE_MAX / per_fut)
			heap = malloc(nfuts * per_fut);
		if (heap != NULL) {
			slots = heap;
			order = (struct wait_slot **)(slots + nfuts);
		} else {
			/* out of memory: wait for a few futures at a time */
			window = STACK_SLOTS;
		}
	}

	for (size_t i = 0; i < nfuts; i += window) {
		size_t n = nfuts - i < window ? nfuts - i : window;
		wait_all(runtime, futs + i, n, slots, order);
	}
	free(heap);
}

MINIASYNC_EXPORT void
runtime_wait(struct runtime *runtime, struct future *fut)
{
	runtime_wait_multiple(runtime, &fut, 1);
}
