/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * notifier.c -- how vdm futures use the caller's notifier: the threads
 * mover calls a waker before completion becomes visible, sets a poller
 * word, or asks for nothing; the sync mover never notifies.
 */
#include <sched.h>

#include "ut.h"
#include <libminiasync.h>

struct wake_record {
	int calls;
};

static void
record_wake(void *data)
{
	struct wake_record *record = data;
	__atomic_add_fetch(&record->calls, 1, __ATOMIC_RELEASE);
}

static struct future_notifier
notifier_for(struct wake_record *record)
{
	struct future_notifier notifier;
	notifier.waker.data = record;
	notifier.waker.wake = record_wake;
	notifier.poller.ptr_to_monitor = NULL;
	notifier.notifier_used = FUTURE_NOTIFIER_NONE;
	notifier.padding = 0;
	return notifier;
}

/* Every completion must have been preceded by its wake. */
static void
test_waker(void)
{
	struct data_mover_threads *dmt =
		data_mover_threads_new(2, 32, FUTURE_NOTIFIER_WAKER);
	UT_ASSERT(dmt != NULL);
	struct vdm *vdm = data_mover_threads_get_vdm(dmt);

	static char src[1 << 16], dst[1 << 16];
	for (int round = 0; round < 200; round++) {
		struct wake_record record = {0};
		struct future_notifier notifier = notifier_for(&record);
		src[round] = (char)round;
		struct vdm_operation_future f =
			vdm_memcpy(vdm, dst, src, sizeof(src), 0);

		enum future_state s =
			future_poll(FUTURE_AS_RUNNABLE(&f), &notifier);
		UT_ASSERT(s != FUTURE_STATE_IDLE);
		UT_ASSERT_EQ(notifier.notifier_used, FUTURE_NOTIFIER_WAKER);
		while (future_poll(FUTURE_AS_RUNNABLE(&f), NULL) !=
				FUTURE_STATE_COMPLETE) {
			sched_yield();
		}
		UT_ASSERT_EQ(__atomic_load_n(&record.calls, __ATOMIC_ACQUIRE),
			1);
		UT_ASSERT_EQ(dst[round], (char)round);
	}
	data_mover_threads_delete(dmt);
}

static void
test_poller(void)
{
	struct data_mover_threads *dmt =
		data_mover_threads_new(1, 8, FUTURE_NOTIFIER_POLLER);
	UT_ASSERT(dmt != NULL);
	struct vdm *vdm = data_mover_threads_get_vdm(dmt);

	char buf[4096];
	struct wake_record record = {0};
	struct future_notifier notifier = notifier_for(&record);
	struct vdm_operation_future f = vdm_memset(vdm, buf, 7, sizeof(buf),
		0);

	if (future_poll(FUTURE_AS_RUNNABLE(&f), &notifier) ==
			FUTURE_STATE_RUNNING) {
		UT_ASSERT_EQ(notifier.notifier_used, FUTURE_NOTIFIER_POLLER);
		UT_ASSERT(notifier.poller.ptr_to_monitor != NULL);
		while (__atomic_load_n(notifier.poller.ptr_to_monitor,
				__ATOMIC_ACQUIRE) == 0)
			sched_yield();
		UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), NULL),
			FUTURE_STATE_COMPLETE);
	}
	UT_ASSERT_EQ(FUTURE_STATE(&f), FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(buf[4095], 7);
	UT_ASSERT_EQ(record.calls, 0);
	data_mover_threads_delete(dmt);
}

/* A mover asked for no notification, or a poll without a notifier. */
static void
test_no_notification(void)
{
	struct data_mover_threads *dmt =
		data_mover_threads_new(1, 8, FUTURE_NOTIFIER_NONE);
	UT_ASSERT(dmt != NULL);
	char buf[64];
	struct wake_record record = {0};
	struct future_notifier notifier = notifier_for(&record);
	notifier.notifier_used = FUTURE_NOTIFIER_WAKER;

	struct vdm_operation_future f = vdm_memset(
		data_mover_threads_get_vdm(dmt), buf, 1, sizeof(buf), 0);
	future_poll(FUTURE_AS_RUNNABLE(&f), &notifier);
	UT_ASSERT_EQ(notifier.notifier_used, FUTURE_NOTIFIER_NONE);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(record.calls, 0);
	data_mover_threads_delete(dmt);

	/* a waker mover polled with NULL never calls anyone */
	dmt = data_mover_threads_new(1, 8, FUTURE_NOTIFIER_WAKER);
	UT_ASSERT(dmt != NULL);
	f = vdm_memset(data_mover_threads_get_vdm(dmt), buf, 2, sizeof(buf),
		0);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(buf[0], 2);
	data_mover_threads_delete(dmt);

	struct data_mover_sync *dms = data_mover_sync_new();
	UT_ASSERT(dms != NULL);
	notifier.notifier_used = FUTURE_NOTIFIER_WAKER;
	f = vdm_memset(data_mover_sync_get_vdm(dms), buf, 3, sizeof(buf), 0);
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), &notifier),
		FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(notifier.notifier_used, FUTURE_NOTIFIER_NONE);
	UT_ASSERT_EQ(record.calls, 0);
	data_mover_sync_delete(dms);
}

int
main(void)
{
	test_waker();
	test_poller();
	test_no_notification();
	return 0;
}
