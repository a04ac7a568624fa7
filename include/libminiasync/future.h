/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libminiasync/future.h -- futures: resumable tasks polled to completion,
 * and chains of futures run one after another.
 *
 * Source and binary compatible with miniasync 0.2.x: struct layouts, names
 * and the inline helpers below are the contract other libraries (Debian's
 * libpmem2) were compiled against, so none of them may change shape.
 */
#ifndef FUTURE_H
#define FUTURE_H 1

#include <stddef.h>
#include <stdint.h>

/* FUTURE_BUSY_POLL pauses the CPU between polls. */
#if defined(__x86_64__) || defined(__i386__)
#include <emmintrin.h>
#else
#include <sched.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum future_state {
	FUTURE_STATE_IDLE = 0,
	FUTURE_STATE_COMPLETE = 1,
	FUTURE_STATE_RUNNING = 2,
};

enum future_notifier_type {
	FUTURE_NOTIFIER_NONE = 0,	/* no notification: poll again */
	FUTURE_NOTIFIER_WAKER = 1,	/* the waker will be called */
	FUTURE_NOTIFIER_POLLER = 2,	/* *ptr_to_monitor becomes nonzero */
};

enum future_property {
	FUTURE_PROPERTY_ASYNC = 0,	/* work progresses between polls */
};

struct future_context {
	size_t data_size;
	size_t output_size;
	enum future_state state;
	uint32_t padding;
	/* data_size bytes of data, then output_size bytes of output */
};

struct future_notifier;

typedef enum future_state (*future_task_fn)(struct future_context *context,
	struct future_notifier *notifier);
/* 'future' is a struct future *. */
typedef int (*future_has_property_fn)(void *future,
	enum future_property property);

struct future {
	future_task_fn task;
	future_has_property_fn has_property;
	struct future_context context;
};

typedef void (*future_waker_wake_fn)(void *data);

struct future_waker {
	void *data;
	future_waker_wake_fn wake;
};

struct future_poller {
	uint64_t *ptr_to_monitor;
};

/*
 * Offered by the caller of future_poll(); the task records in
 * notifier_used which of the two mechanisms (if any) it will use.
 */
struct future_notifier {
	struct future_waker waker;
	struct future_poller poller;
	enum future_notifier_type notifier_used;
	uint32_t padding;
};

#define FUTURE_WAKER_WAKE(wakerp) ((wakerp)->wake((wakerp)->data))

/* A concrete future: the runnable base followed by its data and output. */
#define FUTURE(name, data_type, output_type)\
struct name {\
	struct future base;\
	data_type data;\
	output_type output;\
}

static inline void *
future_context_get_data(struct future_context *context)
{
	return (char *)context + sizeof(struct future_context);
}

static inline void *
future_context_get_output(struct future_context *context)
{
	return (char *)future_context_get_data(context) + context->data_size;
}

static inline size_t
future_context_get_size(struct future_context *context)
{
	return context->data_size + context->output_size;
}

/* The has_property function FUTURE_INIT installs: no property is set. */
static inline int
future_has_property_default(void *future, enum future_property property)
{
	(void)future;
	(void)property;
	return 0;
}

/* Sets every field of the base; data and output are left alone. */
#define FUTURE_INIT_BASE_(futurep, taskfn, propertyfn, initial_state) do {\
	(futurep)->base.task = (taskfn);\
	(futurep)->base.has_property = (propertyfn);\
	(futurep)->base.context.state = (initial_state);\
	(futurep)->base.context.data_size = sizeof((futurep)->data);\
	(futurep)->base.context.output_size = sizeof((futurep)->output);\
	(futurep)->base.context.padding = 0;\
} while (0)

#define FUTURE_INIT_EXT(futurep, taskfn, propertyfn)\
	FUTURE_INIT_BASE_(futurep, taskfn, propertyfn, FUTURE_STATE_IDLE)

#define FUTURE_INIT(futurep, taskfn)\
	FUTURE_INIT_EXT(futurep, taskfn, future_has_property_default)

/* An already finished future (a ready value, or a failed construction). */
#define FUTURE_INIT_COMPLETE(futurep)\
	FUTURE_INIT_BASE_(futurep, NULL, NULL, FUTURE_STATE_COMPLETE)

#define FUTURE_AS_RUNNABLE(futurep) (&(futurep)->base)
#define FUTURE_OUTPUT(futurep) (&(futurep)->output)
#define FUTURE_DATA(futurep) (&(futurep)->data)
#define FUTURE_STATE(futurep) ((futurep)->base.context.state)

/*
 * Runs the task once unless the future is already complete; a complete
 * future may have no task at all (FUTURE_INIT_COMPLETE).
 */
static inline enum future_state
future_poll(struct future *future, struct future_notifier *notifier)
{
	if (future->context.state != FUTURE_STATE_COMPLETE)
		future->context.state = future->task(&future->context,
			notifier);
	return future->context.state;
}

/*
 * Unlike miniasync, a future without has_property (FUTURE_INIT_COMPLETE)
 * simply has no property instead of crashing the caller.
 */
static inline int
future_has_property(struct future *future, enum future_property property)
{
	if (future->has_property == NULL)
		return 0;
	return future->has_property(future, property);
}

/* Polite to the sibling hyper-thread while busy-polling. */
static inline void
future_busy_poll_pause_(void)
{
#if defined(__x86_64__) || defined(__i386__)
	_mm_pause();
#else
	sched_yield();
#endif
}

#define FUTURE_BUSY_POLL(futurep) do {\
	while (future_poll(FUTURE_AS_RUNNABLE(futurep), NULL) !=\
			FUTURE_STATE_COMPLETE)\
		future_busy_poll_pause_();\
} while (0)

/* ---- chains ---- */

#define FUTURE_CHAIN_FLAG_ENTRY_LAST (1ULL << 0)
#define FUTURE_CHAIN_FLAG_ENTRY_PROCESSED (1ULL << 1)
#define FUTURE_CHAIN_VALID_FLAGS\
	(FUTURE_CHAIN_FLAG_ENTRY_LAST | FUTURE_CHAIN_FLAG_ENTRY_PROCESSED)

enum future_chain_entry_type {
	FUTURE_CHAIN_ENTRY_REGULAR = 1,
	FUTURE_CHAIN_ENTRY_LAST = 2,
};

/*
 * Tag types: an entry's 'flags' member points to one of them, so that
 * FUTURE_CHAIN_ENTRY_INIT can tell at compile time (by the tag's size)
 * whether the entry was declared as the last one.
 */
typedef uint8_t _future_entry_type_regular[FUTURE_CHAIN_ENTRY_REGULAR];
typedef uint8_t _future_entry_type_last[FUTURE_CHAIN_ENTRY_LAST];

typedef void (*future_map_fn)(struct future_context *lhs,
	struct future_context *rhs, void *arg);
typedef void (*future_init_fn)(void *future,
	struct future_context *chain_fut, void *arg);

/*
 * Chain entries are declared by users as anonymous structs of the same
 * layout and accessed through this generic view. may_alias tells the
 * compiler the two views are one object, so type-based alias analysis
 * cannot reorder accesses between them (the layout is unaffected).
 */
#if defined(__GNUC__) || defined(__clang__)
#define FUTURE_CHAIN_ENTRY_MAY_ALIAS_ __attribute__((__may_alias__))
#else
#define FUTURE_CHAIN_ENTRY_MAY_ALIAS_
#endif

/* The generic view of an entry; its future's data and output follow. */
struct FUTURE_CHAIN_ENTRY_MAY_ALIAS_ future_chain_entry {
	future_map_fn map;
	void *map_arg;
	future_init_fn init;
	void *init_arg;
	uint64_t flags;
	struct future future;
};

/* Same layout as struct future_chain_entry, with a typed future 'fut'. */
#define FUTURE_CHAIN_ENTRY_TAGGED_(future_type, name, tag)\
struct {\
	future_map_fn map;\
	void *map_arg;\
	future_init_fn init;\
	void *init_arg;\
	tag *flags;\
	future_type fut;\
} name

#define FUTURE_CHAIN_ENTRY(future_type, name)\
	FUTURE_CHAIN_ENTRY_TAGGED_(future_type, name,\
		_future_entry_type_regular)

#define FUTURE_CHAIN_ENTRY_LAST(future_type, name)\
	FUTURE_CHAIN_ENTRY_TAGGED_(future_type, name, _future_entry_type_last)

/*
 * Writes the entry header through the generic view (the one the chain task
 * reads it through); flags start as LAST or nothing, never PROCESSED.
 */
#define FUTURE_CHAIN_ENTRY_HEADER_INIT_(entryp, mapfn, maparg, initfn, initarg)\
do {\
	struct future_chain_entry *future_chain_hdr_ =\
		(struct future_chain_entry *)(void *)(entryp);\
	future_chain_hdr_->map = (mapfn);\
	future_chain_hdr_->map_arg = (maparg);\
	future_chain_hdr_->init = (initfn);\
	future_chain_hdr_->init_arg = (initarg);\
	future_chain_hdr_->flags = sizeof(*(entryp)->flags) ==\
		sizeof(_future_entry_type_last) ?\
		FUTURE_CHAIN_FLAG_ENTRY_LAST : 0;\
} while (0)

#define FUTURE_CHAIN_ENTRY_INIT(entryp, fut_value, mapfn, maparg) do {\
	(entryp)->fut = (fut_value);\
	FUTURE_CHAIN_ENTRY_HEADER_INIT_(entryp, mapfn, maparg, NULL, NULL);\
} while (0)

/* The future is built by initfn when the chain first needs it. */
#define FUTURE_CHAIN_ENTRY_LAZY_INIT(entryp, initfn, initarg, mapfn, maparg)\
	FUTURE_CHAIN_ENTRY_HEADER_INIT_(entryp, mapfn, maparg, initfn, initarg)

#define FUTURE_CHAIN_ENTRY_IS_INITIALIZED(entryp) ((entryp)->init == NULL)

#define FUTURE_CHAIN_ENTRY_HAS_FLAG(entry, flag)\
	(((entry)->flags & (flag)) == (flag))
#define FUTURE_CHAIN_ENTRY_IS_LAST(entry)\
	FUTURE_CHAIN_ENTRY_HAS_FLAG(entry, FUTURE_CHAIN_FLAG_ENTRY_LAST)
#define FUTURE_CHAIN_ENTRY_IS_PROCESSED(entry)\
	FUTURE_CHAIN_ENTRY_HAS_FLAG(entry, FUTURE_CHAIN_FLAG_ENTRY_PROCESSED)

/* Runs a lazy entry's init exactly once. */
static inline void
future_chain_entry_lazy_init_(struct future_chain_entry *entry,
	struct future_context *chain_ctx)
{
	if (entry->init == NULL)
		return;
	entry->init(&entry->future, chain_ctx, entry->init_arg);
	entry->init = NULL;
}

/*
 * The entry after 'entry' in the chain data 'data', or NULL at the end.
 * '*used_data' is the running offset of 'entry' and is advanced past it.
 * Entries are laid out back to back, each rounded up to 8 bytes; the walk
 * ends after a LAST entry or at the end of the chain's data.
 */
static inline struct future_chain_entry *
get_next_future_chain_entry(struct future_context *ctx,
	struct future_chain_entry *entry, uint8_t *data, size_t *used_data)
{
	size_t entry_size;

	if (FUTURE_CHAIN_ENTRY_IS_LAST(entry))
		return NULL;

	entry_size = sizeof(*entry) +
		future_context_get_size(&entry->future.context);
	*used_data += (entry_size + 7) & ~(size_t)7;
	if (*used_data >= ctx->data_size)
		return NULL;

	return (struct future_chain_entry *)(void *)(data + *used_data);
}

/*
 * The task of every chain. There is no cursor: each poll walks from the
 * first entry, skipping PROCESSED ones, so several entries may finish in
 * one poll and a map may make earlier entries run again by clearing their
 * PROCESSED flag.
 */
static inline enum future_state
async_chain_impl(struct future_context *ctx, struct future_notifier *notifier)
{
	uint8_t *data = (uint8_t *)future_context_get_data(ctx);
	size_t used = 0;
	struct future_chain_entry *entry = ctx->data_size == 0 ? NULL :
		(struct future_chain_entry *)(void *)data;

	while (entry != NULL) {
		struct future_chain_entry *next;

		future_chain_entry_lazy_init_(entry, ctx);
		next = get_next_future_chain_entry(ctx, entry, data, &used);

		if (!FUTURE_CHAIN_ENTRY_IS_PROCESSED(entry)) {
			if (future_poll(&entry->future, notifier) !=
					FUTURE_STATE_COMPLETE)
				return FUTURE_STATE_RUNNING;

			if (entry->map != NULL) {
				/* the map may patch the next entry's data */
				if (next != NULL)
					future_chain_entry_lazy_init_(next,
						ctx);
				entry->map(&entry->future.context,
					next != NULL ? &next->future.context :
					ctx, entry->map_arg);
			}
			entry->flags |= FUTURE_CHAIN_FLAG_ENTRY_PROCESSED;
		}
		entry = next;
	}

	return FUTURE_STATE_COMPLETE;
}

/*
 * A chain has the property of the entry it is waiting on (1 if set, else
 * 0), or -1 once every entry is processed.
 */
static inline int
future_chain_has_property(void *future, enum future_property property)
{
	struct future_context *ctx = &((struct future *)future)->context;
	uint8_t *data = (uint8_t *)future_context_get_data(ctx);
	size_t used = 0;
	struct future_chain_entry *entry = ctx->data_size == 0 ? NULL :
		(struct future_chain_entry *)(void *)data;

	while (entry != NULL) {
		future_chain_entry_lazy_init_(entry, ctx);
		if (!FUTURE_CHAIN_ENTRY_IS_PROCESSED(entry))
			return future_has_property(&entry->future,
				property) != 0;
		entry = get_next_future_chain_entry(ctx, entry, data, &used);
	}

	return -1;
}

#define FUTURE_CHAIN_INIT(futurep)\
	FUTURE_INIT_EXT(futurep, async_chain_impl, future_chain_has_property)

#ifdef __cplusplus
}
#endif

#endif /* FUTURE_H */
