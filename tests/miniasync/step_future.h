/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * step_future.h -- a user-written future for the libminiasync tests.
 *
 * A step future completes on its Nth poll (RUNNING before), remembers the
 * notifier it was last polled with, optionally has the ASYNC property, and
 * appends its id to a log when it completes, so tests can check the order
 * in which a chain or the runtime finished things.
 */
#ifndef MINIASYNC_STEP_FUTURE_H
#define MINIASYNC_STEP_FUTURE_H

#include <libminiasync.h>

#define STEP_LOG_MAX 64

struct step_log {
	int ids[STEP_LOG_MAX];
	int n;
};

struct step_data {
	int id;
	int polls_needed;
	int polls;
	int async;
	struct future_notifier *last_notifier;
	struct step_log *log;	/* may be NULL */
};

struct step_output {
	int id;	/* set on completion */
};

FUTURE(step_future, struct step_data, struct step_output);

static inline enum future_state
step_task(struct future_context *ctx, struct future_notifier *notifier)
{
	struct step_data *data = future_context_get_data(ctx);
	struct step_output *out = future_context_get_output(ctx);

	data->polls++;
	data->last_notifier = notifier;
	if (data->polls < data->polls_needed)
		return FUTURE_STATE_RUNNING;

	out->id = data->id;
	if (data->log != NULL && data->log->n < STEP_LOG_MAX)
		data->log->ids[data->log->n++] = data->id;
	return FUTURE_STATE_COMPLETE;
}

static inline int
step_has_property(void *future, enum future_property property)
{
	struct step_future *f = future;
	return property == FUTURE_PROPERTY_ASYNC && f->data.async;
}

static inline struct step_future
step_future(int id, int polls_needed, int async, struct step_log *log)
{
	struct step_future f;
	f.data.id = id;
	f.data.polls_needed = polls_needed;
	f.data.polls = 0;
	f.data.async = async;
	f.data.last_notifier = NULL;
	f.data.log = log;
	f.output.id = 0;
	FUTURE_INIT_EXT(&f, step_task, step_has_property);
	return f;
}

#endif
