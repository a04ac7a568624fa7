/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * runtime.c -- runtime_wait[_multiple]: mixes of sync, threads and user
 * futures, already complete futures, zero futures, the ASYNC-first stable
 * order, sleeping (not spinning) while futures wait on a waker, futures
 * that never wake, and two threads waiting on one runtime.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "step_future.h"
#include "ut.h"

static struct runtime *rt;

static double
now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_trivial(void)
{
	runtime_wait_multiple(rt, NULL, 0);

	/* miniasync spins forever on these */
	FUTURE(done_future, uint64_t, uint64_t) done;
	FUTURE_INIT_COMPLETE(&done);
	runtime_wait(rt, FUTURE_AS_RUNNABLE(&done));

	struct step_future step = step_future(1, 3, 0, NULL);
	struct future *futs[] = {FUTURE_AS_RUNNABLE(&done),
		FUTURE_AS_RUNNABLE(&step), FUTURE_AS_RUNNABLE(&done)};
	runtime_wait_multiple(rt, futs, 3);
	UT_ASSERT_EQ(FUTURE_STATE(&step), FUTURE_STATE_COMPLETE);
}

/* ASYNC futures are polled first; equals keep their order. */
static void
test_order(void)
{
	struct step_log log = {.n = 0};
	struct step_future a = step_future(2, 1, 0, &log);
	struct step_future b = step_future(1, 1, 1, &log);
	struct step_future c = step_future(3, 1, 0, &log);
	struct future *futs[] = {FUTURE_AS_RUNNABLE(&a),
		FUTURE_AS_RUNNABLE(&b), FUTURE_AS_RUNNABLE(&c)};
	runtime_wait_multiple(rt, futs, 3);

	UT_ASSERT_EQ(log.n, 3);
	UT_ASSERT_EQ(log.ids[0], 1);
	UT_ASSERT_EQ(log.ids[1], 2);
	UT_ASSERT_EQ(log.ids[2], 3);
}

struct pair_data {
	FUTURE_CHAIN_ENTRY(struct step_future, first);
	FUTURE_CHAIN_ENTRY(struct step_future, second);
};

FUTURE(pair_future, struct pair_data, uint64_t);

static struct pair_future
pair_future(struct step_future first, struct step_future second)
{
	struct pair_future f;
	FUTURE_CHAIN_ENTRY_INIT(&f.data.first, first, NULL, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.second, second, NULL, NULL);
	FUTURE_CHAIN_INIT(&f);
	return f;
}

/*
 * A chain's property is its current entry's, so the order changes as the
 * chains advance. Each step takes two polls:
 * pass 1: [C2 (async), C1]; pass 2: 3 and 1 finish; pass 3: C1 is now
 * async, C2 not: 2 then 4. Unsorted polling would give 1, 3, 2, 4.
 */
static void
test_chain_order(void)
{
	struct step_log log = {.n = 0};
	struct pair_future c1 = pair_future(step_future(1, 2, 0, &log),
		step_future(2, 2, 1, &log));
	struct pair_future c2 = pair_future(step_future(3, 2, 1, &log),
		step_future(4, 2, 0, &log));
	struct future *futs[] = {FUTURE_AS_RUNNABLE(&c1),
		FUTURE_AS_RUNNABLE(&c2)};
	runtime_wait_multiple(rt, futs, 2);

	static const int expect[] = {3, 1, 2, 4};
	UT_ASSERT_EQ(log.n, 4);
	for (int i = 0; i < 4; i++)
		UT_ASSERT_EQ(log.ids[i], expect[i]);
}

/* Sync, threads and user futures, a chain and a finished one, together. */
static void
test_mix(void)
{
	struct data_mover_sync *dms = data_mover_sync_new();
	struct data_mover_threads *dmt = data_mover_threads_default();
	UT_ASSERT(dms != NULL && dmt != NULL);
	struct vdm *sync = data_mover_sync_get_vdm(dms);
	struct vdm *threads = data_mover_threads_get_vdm(dmt);

	enum { N = 100, SIZE = 1024 };
	static char src[N][SIZE], dst[N][SIZE];
	static struct vdm_operation_future ops[N];
	struct future *futs[N + 3];
	for (int i = 0; i < N; i++) {
		memset(src[i], i, SIZE);
		ops[i] = vdm_memcpy(i % 2 ? sync : threads, dst[i], src[i],
			SIZE, 0);
		futs[i] = FUTURE_AS_RUNNABLE(&ops[i]);
	}
	struct step_future step = step_future(1, 100, 0, NULL);
	struct pair_future chain = pair_future(step_future(2, 3, 1, NULL),
		step_future(3, 3, 0, NULL));
	FUTURE(done_future, uint64_t, uint64_t) done;
	FUTURE_INIT_COMPLETE(&done);
	futs[N] = FUTURE_AS_RUNNABLE(&step);
	futs[N + 1] = FUTURE_AS_RUNNABLE(&chain);
	futs[N + 2] = FUTURE_AS_RUNNABLE(&done);

	runtime_wait_multiple(rt, futs, N + 3);
	for (int i = 0; i < N; i++) {
		UT_ASSERT_EQ(FUTURE_STATE(&ops[i]), FUTURE_STATE_COMPLETE);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&ops[i])->result, VDM_SUCCESS);
		UT_ASSERT(memcmp(src[i], dst[i], SIZE) == 0);
	}
	UT_ASSERT_EQ(FUTURE_STATE(&step), FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(FUTURE_STATE(&chain), FUTURE_STATE_COMPLETE);

	/* a single vdm future, and many more than fit on the stack */
	struct vdm_operation_future one = vdm_memset(threads, dst[0], 9, SIZE,
		0);
	runtime_wait(rt, FUTURE_AS_RUNNABLE(&one));
	UT_ASSERT_EQ(dst[0][SIZE - 1], 9);

	data_mover_threads_delete(dmt);
	data_mover_sync_delete(dms);
}

static void
test_many(void)
{
	struct data_mover_threads *dmt =
		data_mover_threads_new(2, 256, FUTURE_NOTIFIER_WAKER);
	UT_ASSERT(dmt != NULL);
	struct vdm *vdm = data_mover_threads_get_vdm(dmt);

	enum { N = 1500 };
	static char src[N], dst[N];
	static struct vdm_operation_future ops[N];
	static struct future *futs[N];
	for (int i = 0; i < N; i++) {
		src[i] = (char)i;
		ops[i] = vdm_memcpy(vdm, dst + i, src + i, 1, 0);
		futs[i] = FUTURE_AS_RUNNABLE(&ops[i]);
	}
	runtime_wait_multiple(rt, futs, N);
	UT_ASSERT(memcmp(src, dst, N) == 0);
	data_mover_threads_delete(dmt);
}

/* ---- a user future woken by a timer thread ---- */

struct timer_data {
	unsigned delay_us;
	int call_waker;	/* 0: a buggy future that promises but never wakes */
	int started;
	int fired;
	pthread_t thread;
	struct future_waker waker;
};

FUTURE(timer_future, struct timer_data, uint64_t);

static void *
timer_thread(void *arg)
{
	struct timer_data *data = arg;
	usleep(data->delay_us);
	/* wake first: the waker's owner may be gone once 'fired' is seen */
	if (data->call_waker)
		FUTURE_WAKER_WAKE(&data->waker);
	__atomic_store_n(&data->fired, 1, __ATOMIC_RELEASE);
	return NULL;
}

static enum future_state
timer_task(struct future_context *ctx, struct future_notifier *notifier)
{
	struct timer_data *data = future_context_get_data(ctx);

	if (!data->started) {
		UT_ASSERT(notifier != NULL);
		data->waker = notifier->waker;
		notifier->notifier_used = FUTURE_NOTIFIER_WAKER;
		data->started = 1;
		UT_ASSERT_EQ(pthread_create(&data->thread, NULL, timer_thread,
			data), 0);
	}
	return __atomic_load_n(&data->fired, __ATOMIC_ACQUIRE) ?
		FUTURE_STATE_COMPLETE : FUTURE_STATE_RUNNING;
}

static void
init_timer(struct timer_future *f, unsigned delay_us, int call_waker)
{
	memset(&f->data, 0, sizeof(f->data));
	f->data.delay_us = delay_us;
	f->data.call_waker = call_waker;
	FUTURE_INIT(f, timer_task);
}

/* ---- a threads-mover memcpy that takes its time ---- */

static void *
slow_memcpy(void *dst, const void *src, size_t n, unsigned flags)
{
	(void)flags;
	usleep(300000);
	return memcpy(dst, src, n);
}

/*
 * While every future waits for a waker the runtime sleeps: its CPU time
 * stays far below the wall time (a spinning runtime would use it all).
 */
static void
test_sleeps(void)
{
	static struct timer_future timer;	/* the timer thread uses it */
	init_timer(&timer, 300000, 1);

	struct data_mover_threads *dmt =
		data_mover_threads_new(1, 4, FUTURE_NOTIFIER_WAKER);
	UT_ASSERT(dmt != NULL);
	data_mover_threads_set_memcpy_fn(dmt, slow_memcpy);
	char a = 'a', b = 0;
	struct vdm_operation_future copy = vdm_memcpy(
		data_mover_threads_get_vdm(dmt), &b, &a, 1, 0);

	double wall = now(CLOCK_MONOTONIC);
	double cpu = now(CLOCK_THREAD_CPUTIME_ID);
	struct future *futs[] = {FUTURE_AS_RUNNABLE(&timer),
		FUTURE_AS_RUNNABLE(&copy)};
	runtime_wait_multiple(rt, futs, 2);
	cpu = now(CLOCK_THREAD_CPUTIME_ID) - cpu;
	wall = now(CLOCK_MONOTONIC) - wall;

	printf("waited %.3f s using %.3f s of CPU\n", wall, cpu);
	UT_ASSERT(wall >= 0.29);
	UT_ASSERT(cpu < 0.1);
	UT_ASSERT_EQ(b, 'a');
	pthread_join(timer.data.thread, NULL);
	data_mover_threads_delete(dmt);
}

/* A future that promises a wake and never calls it still completes. */
static void
test_never_woken(void)
{
	static struct timer_future timer;
	init_timer(&timer, 50000, 0);
	double wall = now(CLOCK_MONOTONIC);
	runtime_wait(rt, FUTURE_AS_RUNNABLE(&timer));
	wall = now(CLOCK_MONOTONIC) - wall;
	UT_ASSERT(wall < 5.0);
	pthread_join(timer.data.thread, NULL);
}

/* ---- two threads waiting on one runtime ---- */

static void *
wait_some(void *arg)
{
	struct vdm *vdm = arg;
	enum { N = 200 };
	char src[N], dst[N];
	struct vdm_operation_future ops[N];
	struct future *futs[N];
	for (int i = 0; i < N; i++) {
		src[i] = (char)(i + 1);
		ops[i] = vdm_memcpy(vdm, dst + i, src + i, 1, 0);
		futs[i] = FUTURE_AS_RUNNABLE(&ops[i]);
	}
	runtime_wait_multiple(rt, futs, N);
	UT_ASSERT(memcmp(src, dst, N) == 0);
	return NULL;
}

static void
test_concurrent_waits(void)
{
	struct data_mover_threads *dmt =
		data_mover_threads_new(2, 64, FUTURE_NOTIFIER_WAKER);
	UT_ASSERT(dmt != NULL);
	struct vdm *vdm = data_mover_threads_get_vdm(dmt);
	pthread_t threads[2];
	for (int i = 0; i < 2; i++)
		UT_ASSERT_EQ(pthread_create(&threads[i], NULL, wait_some, vdm),
			0);
	for (int i = 0; i < 2; i++)
		UT_ASSERT_EQ(pthread_join(threads[i], NULL), 0);
	data_mover_threads_delete(dmt);
}

int
main(void)
{
	rt = runtime_new();
	UT_ASSERT(rt != NULL);

	test_trivial();
	test_order();
	test_chain_order();
	test_mix();
	test_many();
	test_sleeps();
	test_never_woken();
	test_concurrent_waits();

	runtime_delete(rt);
	return 0;
}
