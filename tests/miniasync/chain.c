/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * chain.c -- chained futures: maps feeding the next entry, the chain's own
 * output, lazy init, several entries finishing in one poll, LAST entries
 * with trailing fields, nested chains, skipping and re-running entries,
 * and the chain's ASYNC property.
 */
#include "step_future.h"
#include "ut.h"

/* ---- an "add" future: out = a + b, done on the 2nd poll ---- */

struct add_data {
	int a;
	int b;
	int polls;
};

struct add_output {
	int sum;
};

FUTURE(add_future, struct add_data, struct add_output);

static enum future_state
add_task(struct future_context *ctx, struct future_notifier *notifier)
{
	(void)notifier;
	struct add_data *data = future_context_get_data(ctx);
	struct add_output *out = future_context_get_output(ctx);

	if (++data->polls < 2)
		return FUTURE_STATE_RUNNING;
	out->sum = data->a + data->b;
	return FUTURE_STATE_COMPLETE;
}

static struct add_future
add_future(int a, int b)
{
	struct add_future f;
	f.data.a = a;
	f.data.b = b;
	f.data.polls = 0;
	f.output.sum = 0;
	FUTURE_INIT(&f, add_task);
	return f;
}

/* Map: the finished sum becomes the next add's 'a'. */
static void
sum_to_next_a(struct future_context *lhs, struct future_context *rhs,
	void *arg)
{
	(void)arg;
	struct add_output *out = future_context_get_output(lhs);
	struct add_data *next = future_context_get_data(rhs);
	next->a = out->sum;
}

/* Map of the final entry: rhs is the chain itself. */
static void
sum_to_chain_output(struct future_context *lhs, struct future_context *rhs,
	void *arg)
{
	struct add_output *out = future_context_get_output(lhs);
	int *result = future_context_get_output(rhs);
	*result = out->sum + *(int *)arg;
}

/* ---- three entries with maps; the chain's output ---- */

struct sum3_data {
	FUTURE_CHAIN_ENTRY(struct add_future, first);
	FUTURE_CHAIN_ENTRY(struct add_future, second);
	FUTURE_CHAIN_ENTRY(struct add_future, third);
};

FUTURE(sum3_future, struct sum3_data, int);

static void
test_three_entries(void)
{
	static int bonus = 1000;
	struct sum3_future f;
	FUTURE_CHAIN_ENTRY_INIT(&f.data.first, add_future(1, 2),
		sum_to_next_a, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.second, add_future(0, 10),
		sum_to_next_a, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.third, add_future(0, 100),
		sum_to_chain_output, &bonus);
	FUTURE_CHAIN_INIT(&f);
	f.output = 0;

	UT_ASSERT(FUTURE_CHAIN_ENTRY_IS_INITIALIZED(&f.data.first));
	UT_ASSERT(!FUTURE_CHAIN_ENTRY_IS_LAST(
		(struct future_chain_entry *)&f.data.third));
	UT_ASSERT_EQ(FUTURE_STATE(&f), FUTURE_STATE_IDLE);

	/* each add needs two polls; the next one starts in the same poll */
	int polls = 0;
	while (future_poll(FUTURE_AS_RUNNABLE(&f), NULL) !=
			FUTURE_STATE_COMPLETE)
		polls++;
	UT_ASSERT_EQ(polls, 3);
	UT_ASSERT_EQ(f.data.second.fut.data.a, 3);
	UT_ASSERT_EQ(f.data.third.fut.data.a, 13);
	UT_ASSERT_EQ(*FUTURE_OUTPUT(&f), 1113);
	UT_ASSERT(FUTURE_CHAIN_ENTRY_IS_PROCESSED(
		(struct future_chain_entry *)&f.data.third));
}

/* ---- several entries finishing in one poll; notifier passed through ---- */

struct steps_data {
	FUTURE_CHAIN_ENTRY(struct step_future, a);
	FUTURE_CHAIN_ENTRY(struct step_future, b);
	FUTURE_CHAIN_ENTRY(struct step_future, c);
};

FUTURE(steps_future, struct steps_data, uint64_t);

static void
test_one_poll_and_notifier(void)
{
	struct step_log log = {.n = 0};
	struct steps_future f;
	FUTURE_CHAIN_ENTRY_INIT(&f.data.a, step_future(1, 1, 0, &log),
		NULL, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.b, step_future(2, 1, 0, &log),
		NULL, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.c, step_future(3, 1, 0, &log),
		NULL, NULL);
	FUTURE_CHAIN_INIT(&f);

	struct future_notifier notifier;
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), &notifier),
		FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(log.n, 3);
	UT_ASSERT_EQ(log.ids[0], 1);
	UT_ASSERT_EQ(log.ids[2], 3);
	UT_ASSERT(f.data.a.fut.data.last_notifier == &notifier);
	UT_ASSERT(f.data.c.fut.data.last_notifier == &notifier);
}

/* ---- lazy init, LAST entry with trailing fields ---- */

struct lazy_data {
	FUTURE_CHAIN_ENTRY(struct add_future, first);
	FUTURE_CHAIN_ENTRY_LAST(struct add_future, second);
	/* trailing fields: not entries, the walk must stop before them */
	int events[8];
	int nevents;
	uint64_t garbage[16];
};

FUTURE(lazy_future, struct lazy_data, int);

enum { EV_INIT_FIRST = 1, EV_INIT_SECOND, EV_MAP_FIRST, EV_MAP_SECOND };

static void
lazy_init_first(void *future, struct future_context *chain_ctx, void *arg)
{
	struct lazy_data *data = future_context_get_data(chain_ctx);
	data->events[data->nevents++] = EV_INIT_FIRST;
	struct add_future f = add_future(*(int *)arg, 5);
	memcpy(future, &f, sizeof(f));
}

/* Built from the first entry's output, which is ready by now. */
static void
lazy_init_second(void *future, struct future_context *chain_ctx, void *arg)
{
	(void)arg;
	struct lazy_data *data = future_context_get_data(chain_ctx);
	data->events[data->nevents++] = EV_INIT_SECOND;
	struct add_future f = add_future(data->first.fut.output.sum, 100);
	memcpy(future, &f, sizeof(f));
}

static void
lazy_map_first(struct future_context *lhs, struct future_context *rhs,
	void *arg)
{
	(void)lhs;
	(void)rhs;
	struct lazy_data *data = arg;
	data->events[data->nevents++] = EV_MAP_FIRST;
}

static void
lazy_map_second(struct future_context *lhs, struct future_context *rhs,
	void *arg)
{
	(void)arg;
	struct lazy_data *data = future_context_get_data(rhs);
	data->events[data->nevents++] = EV_MAP_SECOND;
	*(int *)future_context_get_output(rhs) =
		((struct add_output *)future_context_get_output(lhs))->sum;
}

static void
test_lazy_and_last(void)
{
	int start = 7;
	struct lazy_future f;
	memset(&f, 0, sizeof(f));
	FUTURE_CHAIN_ENTRY_LAZY_INIT(&f.data.first, lazy_init_first, &start,
		lazy_map_first, &f.data);
	FUTURE_CHAIN_ENTRY_LAZY_INIT(&f.data.second, lazy_init_second, NULL,
		lazy_map_second, NULL);
	FUTURE_CHAIN_INIT(&f);
	/* would look like a huge entry if the walk went past LAST */
	memset(f.data.garbage, 0xff, sizeof(f.data.garbage));

	UT_ASSERT(FUTURE_CHAIN_ENTRY_IS_LAST(
		(struct future_chain_entry *)&f.data.second));
	UT_ASSERT(!FUTURE_CHAIN_ENTRY_IS_INITIALIZED(&f.data.first));
	UT_ASSERT(!FUTURE_CHAIN_ENTRY_IS_INITIALIZED(&f.data.second));

	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), NULL),
		FUTURE_STATE_RUNNING);
	UT_ASSERT(FUTURE_CHAIN_ENTRY_IS_INITIALIZED(&f.data.first));
	UT_ASSERT(!FUTURE_CHAIN_ENTRY_IS_INITIALIZED(&f.data.second));

	FUTURE_BUSY_POLL(&f);
	UT_ASSERT(FUTURE_CHAIN_ENTRY_IS_INITIALIZED(&f.data.second));
	UT_ASSERT_EQ(f.output, 112);

	/* the next entry's init runs before the current entry's map */
	UT_ASSERT_EQ(f.data.nevents, 4);
	UT_ASSERT_EQ(f.data.events[0], EV_INIT_FIRST);
	UT_ASSERT_EQ(f.data.events[1], EV_INIT_SECOND);
	UT_ASSERT_EQ(f.data.events[2], EV_MAP_FIRST);
	UT_ASSERT_EQ(f.data.events[3], EV_MAP_SECOND);
	for (int i = 0; i < 16; i++)
		UT_ASSERT(f.data.garbage[i] == UINT64_MAX);
}

/* ---- nested chain ---- */

struct outer_data {
	FUTURE_CHAIN_ENTRY(struct add_future, before);
	FUTURE_CHAIN_ENTRY(struct sum3_future, inner);
	FUTURE_CHAIN_ENTRY(struct add_future, after);
};

FUTURE(outer_future, struct outer_data, int);

/* The inner chain's output becomes the last add's 'a'. */
static void
inner_to_after(struct future_context *lhs, struct future_context *rhs,
	void *arg)
{
	(void)arg;
	struct add_data *next = future_context_get_data(rhs);
	next->a = *(int *)future_context_get_output(lhs);
}

static struct sum3_future
sum3_future(int a, int *bonus)
{
	struct sum3_future f;
	FUTURE_CHAIN_ENTRY_INIT(&f.data.first, add_future(a, 1),
		sum_to_next_a, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.second, add_future(0, 1),
		sum_to_next_a, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.third, add_future(0, 1),
		sum_to_chain_output, bonus);
	FUTURE_CHAIN_INIT(&f);
	f.output = 0;
	return f;
}

/* Patches the inner chain's first entry, two levels down. */
static void
before_to_inner(struct future_context *lhs, struct future_context *rhs,
	void *arg)
{
	(void)arg;
	struct sum3_data *inner = future_context_get_data(rhs);
	inner->first.fut.data.a =
		((struct add_output *)future_context_get_output(lhs))->sum;
}

static void
test_nested(void)
{
	int bonus = 0;
	struct outer_future f;
	FUTURE_CHAIN_ENTRY_INIT(&f.data.before, add_future(20, 22),
		before_to_inner, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.inner, sum3_future(0, &bonus),
		inner_to_after, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.after, add_future(0, 1000),
		sum_to_chain_output, &bonus);
	FUTURE_CHAIN_INIT(&f);

	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(f.data.inner.fut.output, 45);
	UT_ASSERT_EQ(f.output, 1045);
}

/* ---- skipping an entry, re-running one ---- */

/* Map that marks the next entry complete: it is never polled. */
static void
skip_next(struct future_context *lhs, struct future_context *rhs, void *arg)
{
	(void)lhs;
	(void)arg;
	rhs->state = FUTURE_STATE_COMPLETE;
}

/*
 * A future that sends its chain back: until it has been reached 'runs'
 * times it rewinds the chain's first entry (clears PROCESSED, state
 * RUNNING) and stays RUNNING, so the next poll of the chain re-runs it.
 */
struct retry_data {
	struct future_chain_entry *first;
	struct step_future *first_fut;
	int runs;
};

FUTURE(retry_future, struct retry_data, uint64_t);

static enum future_state
retry_task(struct future_context *ctx, struct future_notifier *notifier)
{
	(void)notifier;
	struct retry_data *data = future_context_get_data(ctx);

	if (--data->runs == 0)
		return FUTURE_STATE_COMPLETE;
	data->first->flags &= ~FUTURE_CHAIN_FLAG_ENTRY_PROCESSED;
	data->first_fut->data.polls = 0;
	FUTURE_STATE(data->first_fut) = FUTURE_STATE_RUNNING;
	return FUTURE_STATE_RUNNING;
}

struct retry_chain_data {
	FUTURE_CHAIN_ENTRY(struct step_future, a);
	FUTURE_CHAIN_ENTRY(struct step_future, b);
	FUTURE_CHAIN_ENTRY(struct retry_future, retry);
};

FUTURE(retry_chain_future, struct retry_chain_data, uint64_t);

static void
test_skip_and_retry(void)
{
	struct step_log log = {.n = 0};
	struct retry_chain_future f;
	struct retry_future retry;
	retry.data.first = (struct future_chain_entry *)&f.data.a;
	retry.data.first_fut = &f.data.a.fut;
	retry.data.runs = 3;
	FUTURE_INIT(&retry, retry_task);

	FUTURE_CHAIN_ENTRY_INIT(&f.data.a, step_future(1, 1, 0, &log),
		skip_next, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.b, step_future(2, 1, 0, &log),
		NULL, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.retry, retry, NULL, NULL);
	FUTURE_CHAIN_INIT(&f);

	int polls = 1;
	while (future_poll(FUTURE_AS_RUNNABLE(&f), NULL) !=
			FUTURE_STATE_COMPLETE)
		polls++;

	/* b was skipped by a's map; a ran three times, once per poll */
	UT_ASSERT_EQ(polls, 3);
	UT_ASSERT_EQ(f.data.b.fut.data.polls, 0);
	UT_ASSERT_EQ(log.n, 3);
	for (int i = 0; i < 3; i++)
		UT_ASSERT_EQ(log.ids[i], 1);
}

/* ---- the chain's ASYNC property ---- */

static void
test_property(void)
{
	struct steps_future f;
	FUTURE_CHAIN_ENTRY_INIT(&f.data.a, step_future(1, 2, 1, NULL),
		NULL, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.b, step_future(2, 2, 0, NULL),
		NULL, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.c, step_future(3, 1, 1, NULL),
		NULL, NULL);
	/* an entry without has_property counts as "no property" */
	f.data.c.fut.base.has_property = NULL;
	FUTURE_CHAIN_INIT(&f);
	struct future *runnable = FUTURE_AS_RUNNABLE(&f);

	UT_ASSERT_EQ(future_has_property(runnable, FUTURE_PROPERTY_ASYNC), 1);
	future_poll(runnable, NULL);
	future_poll(runnable, NULL);	/* a done, b polled once */
	UT_ASSERT_EQ(future_has_property(runnable, FUTURE_PROPERTY_ASYNC), 0);
	future_poll(runnable, NULL);	/* b done, c done */
	UT_ASSERT_EQ(FUTURE_STATE(&f), FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(future_has_property(runnable, FUTURE_PROPERTY_ASYNC), -1);
}

/* ---- a single regular entry: the walk ends at the chain's data_size ---- */

struct single_data {
	FUTURE_CHAIN_ENTRY(struct add_future, only);
};

FUTURE(single_future, struct single_data, int);

static void
test_single_entry(void)
{
	int bonus = 0;
	struct single_future f;
	FUTURE_CHAIN_ENTRY_INIT(&f.data.only, add_future(4, 5),
		sum_to_chain_output, &bonus);
	FUTURE_CHAIN_INIT(&f);
	FUTURE_BUSY_POLL(&f);
	UT_ASSERT_EQ(f.output, 9);
}

int
main(void)
{
	test_three_entries();
	test_one_poll_and_notifier();
	test_lazy_and_last();
	test_nested();
	test_skip_and_retry();
	test_property();
	test_single_entry();
	return 0;
}
