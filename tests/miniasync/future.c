/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * future.c -- a single future: state transitions, polling a complete
 * future, FUTURE_* macros, FUTURE_INIT_COMPLETE, and a future moved in
 * memory and finished on another thread.
 */
#include <pthread.h>

#include "step_future.h"
#include "ut.h"

static void
test_states_and_repoll(void)
{
	struct step_future f = step_future(7, 3, 0, NULL);
	struct future_notifier notifier;

	UT_ASSERT_EQ(FUTURE_STATE(&f), FUTURE_STATE_IDLE);
	UT_ASSERT_EQ(f.base.context.data_size, sizeof(struct step_data));
	UT_ASSERT_EQ(f.base.context.output_size, sizeof(struct step_output));
	UT_ASSERT_EQ(f.base.context.padding, 0);

	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), &notifier),
		FUTURE_STATE_RUNNING);
	UT_ASSERT(f.data.last_notifier == &notifier);
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), NULL),
		FUTURE_STATE_RUNNING);
	UT_ASSERT(f.data.last_notifier == NULL);
	UT_ASSERT_EQ(FUTURE_STATE(&f), FUTURE_STATE_RUNNING);
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), &notifier),
		FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->id, 7);

	/* a complete future is not run again */
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), &notifier),
		FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(FUTURE_DATA(&f)->polls, 3);
}

static void
test_busy_poll(void)
{
	struct step_future f = step_future(1, 50, 0, NULL);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(FUTURE_STATE(&f), FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(f.data.polls, 50);
	UT_ASSERT(f.data.last_notifier == NULL);

	/* FUTURE_STATE is an lvalue: a future can be marked done by hand */
	struct step_future g = step_future(2, 50, 0, NULL);
	FUTURE_STATE(&g) = FUTURE_STATE_COMPLETE;
	FUTURE_BUSY_POLL(&g);
	UT_ASSERT_EQ(g.data.polls, 0);
}

static void
test_context_accessors(void)
{
	struct step_future f = step_future(1, 1, 0, NULL);
	struct future_context *ctx = &FUTURE_AS_RUNNABLE(&f)->context;

	UT_ASSERT(future_context_get_data(ctx) == (void *)FUTURE_DATA(&f));
	UT_ASSERT(future_context_get_output(ctx) == (void *)FUTURE_OUTPUT(&f));
	UT_ASSERT_EQ(future_context_get_size(ctx),
		sizeof(struct step_data) + sizeof(struct step_output));
}

FUTURE(ready_future, uint64_t, int);

static void
test_init_complete(void)
{
	struct ready_future f;
	f.output = 5;
	FUTURE_INIT_COMPLETE(&f);

	UT_ASSERT(f.base.task == NULL);
	UT_ASSERT(f.base.has_property == NULL);
	UT_ASSERT_EQ(FUTURE_STATE(&f), FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(f.base.context.data_size, sizeof(uint64_t));
	UT_ASSERT_EQ(f.base.context.output_size, sizeof(int));
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(*FUTURE_OUTPUT(&f), 5);
	/* miniasync would call a NULL has_property here */
	UT_ASSERT_EQ(future_has_property(FUTURE_AS_RUNNABLE(&f),
		FUTURE_PROPERTY_ASYNC), 0);
}

static void
test_properties(void)
{
	struct step_future f = step_future(1, 1, 1, NULL);
	UT_ASSERT_EQ(future_has_property(FUTURE_AS_RUNNABLE(&f),
		FUTURE_PROPERTY_ASYNC), 1);

	FUTURE_INIT(&f, step_task);
	UT_ASSERT(f.base.has_property == future_has_property_default);
	UT_ASSERT_EQ(future_has_property(FUTURE_AS_RUNNABLE(&f),
		FUTURE_PROPERTY_ASYNC), 0);
}

static void *
finish_elsewhere(void *arg)
{
	struct step_future *f = arg;
	FUTURE_BUSY_POLL(f);
	return NULL;
}

static void
test_moved_and_migrated(void)
{
	struct step_future *first = malloc(sizeof(*first));
	UT_ASSERT(first != NULL);
	*first = step_future(9, 4, 0, NULL);
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(first), NULL),
		FUTURE_STATE_RUNNING);

	/* futures are plain values: move it, wipe the old place */
	struct step_future moved = *first;
	memset(first, 0xa5, sizeof(*first));
	free(first);

	pthread_t thread;
	UT_ASSERT_EQ(pthread_create(&thread, NULL, finish_elsewhere, &moved),
		0);
	UT_ASSERT_EQ(pthread_join(thread, NULL), 0);
	UT_ASSERT_EQ(FUTURE_STATE(&moved), FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(moved.data.polls, 4);
	UT_ASSERT_EQ(moved.output.id, 9);
}

int
main(void)
{
	test_states_and_repoll();
	test_busy_poll();
	test_context_accessors();
	test_init_complete();
	test_properties();
	test_moved_and_migrated();
	return 0;
}
