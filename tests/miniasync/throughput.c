/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * throughput.c -- 4 KiB memcpy operations per second through the threads
 * mover (2 workers, 64 operations in flight) against plain memcpy in a
 * loop on one thread. Not a test: run it by hand, e.g.
 *   miniasync_throughput [operations]
 * Two ways of keeping 64 in flight are measured:
 *   runtime: batches of 64 futures, each awaited with runtime_wait_multiple
 *            (the caller sleeps until the workers wake it);
 *   poll:    a sliding window of 64 futures busy-polled by the caller, a
 *            finished one replaced at once (the caller never sleeps).
 */
#include <time.h>

#include "ut.h"
#include <libminiasync.h>

#define SIZE 4096
#define IN_FLIGHT 64
#define WORKERS 2

static char src[IN_FLIGHT][SIZE];
static char dst[IN_FLIGHT][SIZE];

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
plain_memcpy(size_t ops)
{
	double start = now();
	for (size_t i = 0; i < ops; i++) {
		memcpy(dst[i % IN_FLIGHT], src[i % IN_FLIGHT], SIZE);
		/* keep the compiler from dropping the copies */
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	return (double)ops / (now() - start);
}

static double
mover_runtime(struct vdm *vdm, struct runtime *rt, size_t ops)
{
	struct vdm_operation_future futs[IN_FLIGHT];
	struct future *runnables[IN_FLIGHT];

	double start = now();
	for (size_t done = 0; done < ops; done += IN_FLIGHT) {
		for (size_t i = 0; i < IN_FLIGHT; i++) {
			futs[i] = vdm_memcpy(vdm, dst[i], src[i], SIZE, 0);
			runnables[i] = FUTURE_AS_RUNNABLE(&futs[i]);
		}
		runtime_wait_multiple(rt, runnables, IN_FLIGHT);
	}
	return (double)(ops / IN_FLIGHT * IN_FLIGHT) / (now() - start);
}

static double
mover_poll(struct vdm *vdm, size_t ops)
{
	struct vdm_operation_future futs[IN_FLIGHT];
	size_t started = 0, done = 0;

	double start = now();
	for (size_t i = 0; i < IN_FLIGHT; i++, started++)
		futs[i] = vdm_memcpy(vdm, dst[i], src[i], SIZE, 0);
	while (done < started) {
		for (size_t i = 0; i < IN_FLIGHT; i++) {
			if (FUTURE_STATE(&futs[i]) == FUTURE_STATE_COMPLETE ||
			    future_poll(FUTURE_AS_RUNNABLE(&futs[i]), NULL) !=
					FUTURE_STATE_COMPLETE)
				continue;
			UT_ASSERT_EQ(FUTURE_OUTPUT(&futs[i])->result,
				VDM_SUCCESS);
			done++;
			if (started < ops) {
				futs[i] = vdm_memcpy(vdm, dst[i], src[i], SIZE,
					0);
				started++;
			}
		}
	}
	return (double)done / (now() - start);
}

int
main(int argc, char *argv[])
{
	size_t ops = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
	for (size_t i = 0; i < IN_FLIGHT; i++)
		memset(src[i], (int)i, SIZE);

	struct data_mover_threads *dmt = data_mover_threads_new(WORKERS,
		2 * IN_FLIGHT, FUTURE_NOTIFIER_WAKER);
	struct runtime *rt = runtime_new();
	UT_ASSERT(dmt != NULL && rt != NULL);
	struct vdm *vdm = data_mover_threads_get_vdm(dmt);

	double plain = plain_memcpy(ops * 10);
	double rt_ops = mover_runtime(vdm, rt, ops);
	double poll_ops = mover_poll(vdm, ops);
	for (size_t i = 0; i < IN_FLIGHT; i++)
		UT_ASSERT(memcmp(src[i], dst[i], SIZE) == 0);

	printf("plain memcpy, 1 thread:           %12.0f ops/s\n", plain);
	printf("threads mover, runtime batches:   %12.0f ops/s\n", rt_ops);
	printf("threads mover, busy-poll window:  %12.0f ops/s\n", poll_ops);

	runtime_delete(rt);
	data_mover_threads_delete(dmt);
	return 0;
}
