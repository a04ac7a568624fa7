/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mover_threads.c -- the threads mover: argument checks, every operation
 * at sizes from 7 B to 50 MB, 1000+ operations in flight, a full queue
 * leaving futures IDLE, custom functions, the bounded op pool, futures
 * moved and finished on another thread, concurrent submitters.
 */
#include <pthread.h>
#include <sched.h>

#include "ut.h"
#include <libminiasync.h>

static void
fill(char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(seed + i * 13);
}

/* Polls every future until all are complete (NULL notifier). */
static void
poll_all(struct vdm_operation_future *futs, size_t n)
{
	size_t done;
	do {
		done = 0;
		for (size_t i = 0; i < n; i++)
			if (future_poll(FUTURE_AS_RUNNABLE(&futs[i]), NULL) ==
					FUTURE_STATE_COMPLETE)
				done++;
	} while (done < n);
}

static void
test_bad_arguments(void)
{
	UT_ASSERT(data_mover_threads_new(0, 16, FUTURE_NOTIFIER_NONE) == NULL);
	UT_ASSERT(data_mover_threads_new(1, 0, FUTURE_NOTIFIER_NONE) == NULL);
	UT_ASSERT(data_mover_threads_new(1, 3, FUTURE_NOTIFIER_NONE) == NULL);
	UT_ASSERT(data_mover_threads_new(2, 96, FUTURE_NOTIFIER_NONE) == NULL);

	struct data_mover_threads *dmt =
		data_mover_threads_new(1, 1, FUTURE_NOTIFIER_NONE);
	UT_ASSERT(dmt != NULL);
	data_mover_threads_delete(dmt);
}

static int64_t
add_run(const uint64_t args[VDM_RUN_NARGS])
{
	uint64_t *where = (uint64_t *)(uintptr_t)args[0];
	__atomic_add_fetch(where, args[1], __ATOMIC_RELAXED);
	return (int64_t)args[2];
}

/*
 * VDM_OPERATION_RUN (libminiasync 1.1): many in flight, with and without
 * VDM_RUN_F_CALLER_MAY_RUN; each runs exactly once and reports what its
 * function returned; the futures are polled in reverse order.
 */
static void
test_run(struct vdm *vdm)
{
	enum { N = 300 };
	static struct vdm_operation_future f[N];
	uint64_t sum = 0;
	for (int i = 0; i < N; i++) {
		uint64_t args[VDM_RUN_NARGS] = {(uintptr_t)&sum,
			(uint64_t)i + 1, (uint64_t)(i * 3)};
		f[i] = vdm_run(vdm, add_run, args,
			i % 2 ? VDM_RUN_F_CALLER_MAY_RUN : 0);
		UT_ASSERT_EQ(future_has_property(FUTURE_AS_RUNNABLE(&f[i]),
			FUTURE_PROPERTY_ASYNC), 1);
	}
	for (int i = 0; i < N; i++)
		future_poll(FUTURE_AS_RUNNABLE(&f[i]), NULL);
	for (int i = N - 1; i >= 0; i--) {
		FUTURE_BUSY_POLL(&f[i]);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&f[i])->type, VDM_OPERATION_RUN);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&f[i])->result, VDM_SUCCESS);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&f[i])->output.run.result, i * 3);
	}
	UT_ASSERT_EQ(__atomic_load_n(&sum, __ATOMIC_RELAXED),
		(uint64_t)N * (N + 1) / 2);
}

static int64_t
which_thread(const uint64_t args[VDM_RUN_NARGS])
{
	(void)args;
	return (int64_t)pthread_self();
}

/* Without caller runs every operation runs on a worker, never in a poll. */
static void
test_no_caller_runs(void)
{
	struct data_mover_threads *dmt =
		data_mover_threads_new(1, 4, FUTURE_NOTIFIER_NONE);
	UT_ASSERT(dmt != NULL);
	data_mover_threads_set_caller_runs(dmt, 0);
	struct vdm *vdm = data_mover_threads_get_vdm(dmt);
	enum { N = 64 };
	static struct vdm_operation_future f[N];
	uint64_t args[VDM_RUN_NARGS] = {0};
	for (int i = 0; i < N; i++) {
		f[i] = vdm_run(vdm, which_thread, args,
			VDM_RUN_F_CALLER_MAY_RUN);
		future_poll(FUTURE_AS_RUNNABLE(&f[i]), NULL);
	}
	for (int i = 0; i < N; i++) {
		FUTURE_BUSY_POLL(&f[i]);
		UT_ASSERT(FUTURE_OUTPUT(&f[i])->output.run.result !=
			(int64_t)pthread_self());
	}
	data_mover_threads_delete(dmt);
}

static void
test_properties(struct vdm *vdm)
{
	/* durable copies are flushed and fenced by the mover itself */
	UT_ASSERT_EQ(vdm->capabilities,
		VDM_F_MEM_DURABLE | VDM_CAPABILITY_RUN);
	UT_ASSERT_EQ(vdm_is_supported(vdm, VDM_F_MEM_DURABLE), 1);
	UT_ASSERT_EQ(vdm_is_supported(vdm, VDM_CAPABILITY_RUN), 1);
	UT_ASSERT_EQ(vdm_is_supported(vdm, VDM_F_NO_CACHE_HINT), 0);

	char a = 1, b = 0;
	struct vdm_operation_future f = vdm_memcpy(vdm, &b, &a, 1, 0);
	UT_ASSERT_EQ(future_has_property(FUTURE_AS_RUNNABLE(&f),
		FUTURE_PROPERTY_ASYNC), 1);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(b, 1);
}

static void
test_sizes(struct vdm *vdm)
{
	static const size_t sizes[] = {7, 10, 128, 1024, 1 << 20, 50 << 20};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		char *src = malloc(n), *dst = malloc(n);
		UT_ASSERT(src != NULL && dst != NULL);
		fill(src, n, (unsigned)s);
		memset(dst, 0, n);

		struct vdm_operation_future f = vdm_memcpy(vdm, dst, src, n, 0);
		FUTURE_BUSY_POLL(&f);
		UT_ASSERT(memcmp(src, dst, n) == 0);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->type, VDM_OPERATION_MEMCPY);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->result, VDM_SUCCESS);
		UT_ASSERT(FUTURE_OUTPUT(&f)->output.memcpy.dest == dst);
		free(src);
		free(dst);
	}
}

static void
test_memmove_memset_flush(struct vdm *vdm)
{
	char buf[4096], expect[4096];
	fill(buf, sizeof(buf), 5);
	memcpy(expect, buf, sizeof(buf));
	memmove(expect + 100, expect, 3000);

	struct vdm_operation_future f = vdm_memmove(vdm, buf + 100, buf, 3000,
		0);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT(memcmp(buf, expect, sizeof(buf)) == 0);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->type, VDM_OPERATION_MEMMOVE);
	UT_ASSERT(FUTURE_OUTPUT(&f)->output.memmove.dest == buf + 100);

	f = vdm_memset(vdm, buf, 0x5a, 2048, 0);
	FUTURE_BUSY_POLL(&f);
	for (size_t i = 0; i < sizeof(buf); i++)
		UT_ASSERT_EQ(buf[i], i < 2048 ? 0x5a : expect[i]);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->type, VDM_OPERATION_MEMSET);
	UT_ASSERT(FUTURE_OUTPUT(&f)->output.memset.str == buf);

	/* miniasync's worker exits the process here; we flush */
	f = vdm_flush(vdm, buf, sizeof(buf), 0);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->type, VDM_OPERATION_FLUSH);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->result, VDM_SUCCESS);
}

/* Parameters are read at the first poll, not at construction. */
static void
test_patched_parameters(struct vdm *vdm)
{
	char src[64] = "read when the operation starts", dst[64];
	struct vdm_operation_future f = vdm_memcpy(vdm, NULL, NULL, 0, 0);
	f.data.operation.data.memcpy.dest = dst;
	f.data.operation.data.memcpy.src = src;
	f.data.operation.data.memcpy.n = sizeof(src);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT(strcmp(dst, src) == 0);
	UT_ASSERT(FUTURE_OUTPUT(&f)->output.memcpy.dest == dst);
}

/* Far more operations than queue slots, all in flight at once. */
static void
test_many_in_flight(struct vdm *vdm)
{
	enum { N = 2048, SIZE = 256 };
	char *src = malloc(N * SIZE), *dst = calloc(N, SIZE);
	struct vdm_operation_future *futs = malloc(N * sizeof(*futs));
	UT_ASSERT(src != NULL && dst != NULL && futs != NULL);
	fill(src, N * SIZE, 9);

	for (size_t i = 0; i < N; i++)
		futs[i] = vdm_memcpy(vdm, dst + i * SIZE, src + i * SIZE,
			SIZE, 0);
	poll_all(futs, N);
	UT_ASSERT(memcmp(src, dst, N * SIZE) == 0);
	for (size_t i = 0; i < N; i++)
		UT_ASSERT_EQ(FUTURE_OUTPUT(&futs[i])->result, VDM_SUCCESS);

	free(src);
	free(dst);
	free(futs);
}

/* ---- a worker held inside a custom memcpy ---- */

static int gate_entered;
static int gate_open;

static void *
gated_memcpy(void *dst, const void *src, size_t n, unsigned flags)
{
	(void)flags;
	if (!__atomic_exchange_n(&gate_entered, 1, __ATOMIC_ACQ_REL))
		while (!__atomic_load_n(&gate_open, __ATOMIC_ACQUIRE))
			sched_yield();
	return memcpy(dst, src, n);
}

static void
ignore_wake(void *data)
{
	(void)data;
}

/*
 * One worker and a queue of 4, given 256 operations: with the worker held
 * in the first, four more fit in the queue and the rest stay IDLE without
 * the poll blocking. Released, everything completes.
 */
static void
test_queue_full(void)
{
	enum { N = 256 };
	struct data_mover_threads *dmt =
		data_mover_threads_new(1, 4, FUTURE_NOTIFIER_WAKER);
	UT_ASSERT(dmt != NULL);
	data_mover_threads_set_memcpy_fn(dmt, gated_memcpy);
	struct vdm *vdm = data_mover_threads_get_vdm(dmt);

	static char src[N], dst[N];
	fill(src, N, 1);
	struct vdm_operation_future futs[N];
	for (size_t i = 0; i < N; i++)
		futs[i] = vdm_memcpy(vdm, dst + i, src + i, 1, 0);

	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&futs[0]), NULL),
		FUTURE_STATE_RUNNING);
	while (!__atomic_load_n(&gate_entered, __ATOMIC_ACQUIRE))
		sched_yield();

	size_t idle = 0, running = 0;
	for (size_t i = 1; i < N; i++) {
		struct future_notifier notifier;
		notifier.waker.data = NULL;
		notifier.waker.wake = ignore_wake;
		notifier.notifier_used = FUTURE_NOTIFIER_WAKER;
		enum future_state s = future_poll(
			FUTURE_AS_RUNNABLE(&futs[i]), &notifier);
		if (s == FUTURE_STATE_IDLE) {
			idle++;
			/* not queued: nothing will wake the caller */
			UT_ASSERT_EQ(notifier.notifier_used,
				FUTURE_NOTIFIER_NONE);
		} else {
			UT_ASSERT_EQ(s, FUTURE_STATE_RUNNING);
			running++;
		}
	}
	UT_ASSERT_EQ(running, 4);
	UT_ASSERT_EQ(idle, N - 5);

	__atomic_store_n(&gate_open, 1, __ATOMIC_RELEASE);
	poll_all(futs, N);
	UT_ASSERT(memcmp(src, dst, N) == 0);
	data_mover_threads_delete(dmt);
}

/* ---- custom functions see the operation's flags ---- */

static unsigned seen_flags[3];

static void *
my_memcpy(void *dst, const void *src, size_t n, unsigned flags)
{
	seen_flags[0] = flags;
	return memcpy(dst, src, n);
}

static void *
my_memmove(void *dst, const void *src, size_t n, unsigned flags)
{
	seen_flags[1] = flags;
	return memmove(dst, src, n);
}

static void *
my_memset(void *str, int c, size_t n, unsigned flags)
{
	seen_flags[2] = flags;
	return memset(str, c, n);
}

static void
test_custom_functions(void)
{
	struct data_mover_threads *dmt =
		data_mover_threads_new(2, 8, FUTURE_NOTIFIER_NONE);
	UT_ASSERT(dmt != NULL);
	data_mover_threads_set_memcpy_fn(dmt, my_memcpy);
	data_mover_threads_set_memmove_fn(dmt, my_memmove);
	data_mover_threads_set_memset_fn(dmt, my_memset);
	struct vdm *vdm = data_mover_threads_get_vdm(dmt);

	char a[8] = "abcdefg", b[8];
	struct vdm_operation_future f = vdm_memcpy(vdm, b, a, 8,
		VDM_F_MEM_DURABLE);
	FUTURE_BUSY_POLL(&f);
	f = vdm_memmove(vdm, b, a, 8, VDM_F_NO_CACHE_HINT);
	FUTURE_BUSY_POLL(&f);
	f = vdm_memset(vdm, b, 0, 8, VDM_F_VALID_FLAGS);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(seen_flags[0], VDM_F_MEM_DURABLE);
	UT_ASSERT_EQ(seen_flags[1], VDM_F_NO_CACHE_HINT);
	UT_ASSERT_EQ(seen_flags[2], VDM_F_VALID_FLAGS);
	UT_ASSERT_EQ(b[0], 0);

	data_mover_threads_delete(dmt);
}

/* ---- the op pool runs out and recovers ---- */

static void
test_out_of_memory(struct vdm *vdm)
{
	enum { MAX_TRIES = 1 << 22 };
	/* zero-length operations: workers touch no memory */
	static char byte;
	struct vdm_operation_future *futs =
		malloc(MAX_TRIES * sizeof(*futs));
	UT_ASSERT(futs != NULL);

	size_t n = 0;
	for (;;) {
		UT_ASSERT(n < MAX_TRIES);
		futs[n] = vdm_memset(vdm, &byte, 0, 0, 0);
		if (FUTURE_STATE(&futs[n]) == FUTURE_STATE_COMPLETE)
			break;
		n++;
	}
	printf("threads mover: %zu outstanding ops before running out\n", n);
	UT_ASSERT(n >= 4096);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&futs[n])->result,
		VDM_ERROR_OUT_OF_MEMORY);
	/* a failed threads-mover future still reports its property */
	UT_ASSERT_EQ(future_has_property(FUTURE_AS_RUNNABLE(&futs[n]),
		FUTURE_PROPERTY_ASYNC), 1);

	FUTURE_BUSY_POLL(&futs[0]);
	futs[0] = vdm_memset(vdm, &byte, 0, 0, 0);
	UT_ASSERT_EQ(FUTURE_STATE(&futs[0]), FUTURE_STATE_IDLE);

	poll_all(futs, n);
	for (size_t i = 0; i < n; i++)
		UT_ASSERT_EQ(FUTURE_OUTPUT(&futs[i])->result, VDM_SUCCESS);
	free(futs);
}

/* ---- started on one thread, moved, finished on another ---- */

static void *
finish_elsewhere(void *arg)
{
	struct vdm_operation_future *f = arg;
	FUTURE_BUSY_POLL(f);
	return NULL;
}

static void
test_moved_future(struct vdm *vdm)
{
	char src[4096], dst[4096];
	fill(src, sizeof(src), 77);

	struct vdm_operation_future *first = malloc(sizeof(*first));
	UT_ASSERT(first != NULL);
	*first = vdm_memcpy(vdm, dst, src, sizeof(src), 0);
	future_poll(FUTURE_AS_RUNNABLE(first), NULL);

	struct vdm_operation_future moved = *first;
	memset(first, 0, sizeof(*first));
	free(first);

	pthread_t thread;
	UT_ASSERT_EQ(pthread_create(&thread, NULL, finish_elsewhere, &moved),
		0);
	UT_ASSERT_EQ(pthread_join(thread, NULL), 0);
	UT_ASSERT(memcmp(src, dst, sizeof(src)) == 0);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&moved)->result, VDM_SUCCESS);
}

/* ---- many threads creating and polling on one mover ---- */

enum { SUBMITTERS = 4, PER_SUBMITTER = 500, CHUNK = 64 };

struct submitter {
	struct vdm *vdm;
	char src[PER_SUBMITTER * CHUNK];
	char dst[PER_SUBMITTER * CHUNK];
};

static void *
submit(void *arg)
{
	struct submitter *s = arg;
	struct vdm_operation_future futs[PER_SUBMITTER];
	for (size_t i = 0; i < PER_SUBMITTER; i++)
		futs[i] = vdm_memcpy(s->vdm, s->dst + i * CHUNK,
			s->src + i * CHUNK, CHUNK, 0);
	poll_all(futs, PER_SUBMITTER);
	return NULL;
}

static void
test_concurrent_submitters(struct vdm *vdm)
{
	static struct submitter subs[SUBMITTERS];
	pthread_t threads[SUBMITTERS];

	for (int i = 0; i < SUBMITTERS; i++) {
		subs[i].vdm = vdm;
		fill(subs[i].src, sizeof(subs[i].src), (unsigned)i);
		UT_ASSERT_EQ(pthread_create(&threads[i], NULL, submit,
			&subs[i]), 0);
	}
	for (int i = 0; i < SUBMITTERS; i++) {
		UT_ASSERT_EQ(pthread_join(threads[i], NULL), 0);
		UT_ASSERT(memcmp(subs[i].src, subs[i].dst,
			sizeof(subs[i].src)) == 0);
	}
}

int
main(void)
{
	test_bad_arguments();

	struct data_mover_threads *dmt =
		data_mover_threads_new(4, 64, FUTURE_NOTIFIER_NONE);
	UT_ASSERT(dmt != NULL);
	struct vdm *vdm = data_mover_threads_get_vdm(dmt);

	test_properties(vdm);
	test_run(vdm);
	test_sizes(vdm);
	test_memmove_memset_flush(vdm);
	test_patched_parameters(vdm);
	test_many_in_flight(vdm);
	test_out_of_memory(vdm);
	test_moved_future(vdm);
	test_concurrent_submitters(vdm);
	data_mover_threads_delete(dmt);

	test_queue_full();
	test_custom_functions();
	test_no_caller_runs();

	struct data_mover_threads *def = data_mover_threads_default();
	UT_ASSERT(def != NULL);
	test_sizes(data_mover_threads_get_vdm(def));
	data_mover_threads_delete(def);
	return 0;
}
