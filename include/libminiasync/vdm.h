/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libminiasync/vdm.h -- the virtual data mover: memory operations
 * (memcpy, memmove, memset, flush) returned as futures and executed by
 * whichever mover implements struct vdm.
 *
 * Layouts are miniasync 0.2.x's: Debian's libpmem2 has the inline
 * functions below compiled in and calls the struct vdm callbacks directly.
 */
#ifndef VDM_H
#define VDM_H 1

#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vdm_operation_type {
	VDM_OPERATION_MEMCPY = 0,
	VDM_OPERATION_MEMMOVE = 1,
	VDM_OPERATION_MEMSET = 2,
	VDM_OPERATION_FLUSH = 3,
	/* libminiasync 1.1 extension: only for movers announcing
	 * VDM_CAPABILITY_RUN (see below); miniasync 0.2 has kinds 0-3 only */
	VDM_OPERATION_RUN = 4,
};

enum vdm_operation_result {
	VDM_SUCCESS = 0,
	VDM_ERROR_OUT_OF_MEMORY = 1,
	VDM_ERROR_JOB_CORRUPTED = 2,
};

/* Operation flags, and the mover capabilities telling which it honours. */
#define VDM_F_MEM_DURABLE (1U << 0)	/* durable when the future completes */
#define VDM_F_NO_CACHE_HINT (1U << 1)	/* hint: bypass CPU caches */
#define VDM_F_VALID_FLAGS (VDM_F_MEM_DURABLE | VDM_F_NO_CACHE_HINT)

#define VDM_OPERATION_DATA_MAX_SIZE 40

struct vdm_operation_data_memcpy {
	void *dest;
	void *src;
	size_t n;
	uint64_t flags;
};

struct vdm_operation_data_memmove {
	void *dest;
	void *src;
	size_t n;
	uint64_t flags;
};

struct vdm_operation_data_memset {
	void *str;
	int c;
	size_t n;
	uint64_t flags;
};

struct vdm_operation_data_flush {
	void *dest;
	size_t n;
	uint64_t flags;
};

/*
 * Extension of libminiasync 1.1 (not in miniasync 0.2): an operation that
 * runs a function on the mover, so that a whole task (copy, persist and
 * whatever bookkeeping follows) costs one hand-off instead of several.
 * A mover accepts VDM_OPERATION_RUN only if its capabilities include
 * VDM_CAPABILITY_RUN, a bit miniasync 0.2 never sets; never give the
 * operation to any other mover. Both of libminiasync's movers announce it.
 *
 * The function runs exactly once, on whatever thread the mover chooses
 * (a worker, or the polling thread); the future completes after it
 * returned, and its output.run.result is what it returned. The function
 * must not wait for the thread that polls the future, and must not
 * touch the future itself (it may have moved); args are copied into the
 * operation. With VDM_RUN_F_CALLER_MAY_RUN the mover may run the function
 * inside the poll that starts the operation (when that is cheaper than
 * handing it over); the function must then also be quick and never block.
 * Once started, the function runs even if the future is never polled
 * again. A mover with VDM_CAPABILITY_RUN and a has_property function
 * answers has_property(NULL, property) for all of its futures.
 */
#define VDM_CAPABILITY_RUN (1U << 31)
#define VDM_RUN_F_CALLER_MAY_RUN (1U << 0)
#define VDM_RUN_NARGS 3

typedef int64_t (*vdm_run_fn)(const uint64_t args[VDM_RUN_NARGS]);

struct vdm_operation_data_run {
	vdm_run_fn fn;
	uint64_t args[VDM_RUN_NARGS];
	uint64_t flags;		/* VDM_RUN_F_* */
};

/* The parameters of one operation, as handed to the mover. */
struct vdm_operation {
	union {
		struct vdm_operation_data_memcpy memcpy;
		struct vdm_operation_data_memmove memmove;
		struct vdm_operation_data_memset memset;
		struct vdm_operation_data_flush flush;
		struct vdm_operation_data_run run;
		uint8_t data[VDM_OPERATION_DATA_MAX_SIZE];
	} data;
	enum vdm_operation_type type;
	uint32_t padding;
};

struct vdm;

/* The data of a vdm future. */
struct vdm_operation_data {
	void *data;	/* the mover's per-operation state (from op_new) */
	struct vdm *vdm;
	struct vdm_operation operation;
};

struct vdm_operation_output_memcpy {
	void *dest;
};

struct vdm_operation_output_memmove {
	void *dest;
};

struct vdm_operation_output_memset {
	void *str;
};

struct vdm_operation_output_flush {
	uint64_t unused;
};

struct vdm_operation_output_run {
	int64_t result;		/* what the function returned */
};

struct vdm_operation_output {
	enum vdm_operation_type type;
	enum vdm_operation_result result;
	union {
		struct vdm_operation_output_memcpy memcpy;
		struct vdm_operation_output_memmove memmove;
		struct vdm_operation_output_memset memset;
		struct vdm_operation_output_flush flush;
		struct vdm_operation_output_run run;
	} output;
};

FUTURE(vdm_operation_future, struct vdm_operation_data,
	struct vdm_operation_output);

/*
 * The mover's side of an operation's life: op_new when the future is
 * built (NULL: out of memory), op_start on each poll while the future is
 * IDLE (it must copy *operation; nonzero: not accepted, retry later),
 * op_check after every accepted start and on later polls, op_delete once,
 * in the poll that saw COMPLETE (fills *output, frees 'op').
 */
typedef void *(*vdm_operation_new)(struct vdm *vdm,
	const enum vdm_operation_type type);
typedef int (*vdm_operation_start)(void *op,
	const struct vdm_operation *operation,
	struct future_notifier *notifier);
typedef enum future_state (*vdm_operation_check)(void *op,
	const struct vdm_operation *operation);
typedef void (*vdm_operation_delete)(void *op,
	const struct vdm_operation *operation,
	struct vdm_operation_output *output);

struct vdm {
	vdm_operation_new op_new;
	vdm_operation_delete op_delete;
	vdm_operation_start op_start;
	vdm_operation_check op_check;
	unsigned capabilities;	/* VDM_F_* flags the mover honours */
	future_has_property_fn has_property;	/* given to its futures */
};

/*
 * Declared by miniasync 0.2 but never defined there (nor here); kept only
 * so that code mentioning them still compiles.
 */
struct vdm *vdm_synchronous_new(void);
void vdm_synchronous_delete(struct vdm *vdm);

/*
 * Nonzero iff the mover supports every bit of 'capability'. (miniasync
 * used a logical and here, which answers yes to VDM_F_MEM_DURABLE for any
 * nonzero capabilities and no to any multi-bit query. Our movers report
 * exactly VDM_F_MEM_DURABLE, for which both give the same answer to every
 * query; libpmem2, built with miniasync's version, relies on that.)
 */
static inline int
vdm_is_supported(struct vdm *vdm, unsigned capability)
{
	return (vdm->capabilities & capability) == capability;
}

/* The task of every vdm future. */
static inline enum future_state
vdm_operation_impl(struct future_context *context,
	struct future_notifier *notifier)
{
	struct vdm_operation_data *data =
		(struct vdm_operation_data *)future_context_get_data(context);
	struct vdm *vdm = data->vdm;
	enum future_state state;

	if (context->state == FUTURE_STATE_IDLE &&
	    vdm->op_start(data->data, &data->operation, notifier) != 0)
		return FUTURE_STATE_IDLE;

	state = vdm->op_check(data->data, &data->operation);
	if (state == FUTURE_STATE_COMPLETE)
		vdm->op_delete(data->data, &data->operation,
			(struct vdm_operation_output *)
			future_context_get_output(context));

	return state;
}

/* Installs the mover's has_property, if it has one. */
static inline void
vdm_set_has_property_fn(struct vdm_operation_future *future,
	future_has_property_fn has_property)
{
	if (has_property != NULL)
		future->base.has_property = has_property;
}

/*
 * Finishes a future whose data.operation is filled in: asks the mover for
 * per-operation state; without it the future is born COMPLETE and reports
 * VDM_ERROR_OUT_OF_MEMORY.
 */
static inline void
vdm_generic_operation(struct vdm *vdm, struct vdm_operation_future *future)
{
	enum vdm_operation_type type = future->data.operation.type;

	future->data.operation.padding = 0;
	future->output.type = type;
	future->output.result = VDM_SUCCESS;
	future->output.output.memcpy.dest = NULL;
	future->data.vdm = vdm;
	future->data.data = vdm->op_new(vdm, type);
	if (future->data.data == NULL) {
		future->output.result = VDM_ERROR_OUT_OF_MEMORY;
		FUTURE_INIT_COMPLETE(future);
	} else {
		FUTURE_INIT(future, vdm_operation_impl);
	}
	vdm_set_has_property_fn(future, vdm->has_property);
}

static inline struct vdm_operation_future
vdm_memcpy(struct vdm *vdm, void *dest, void *src, size_t n, uint64_t flags)
{
	struct vdm_operation_future future;
	future.data.operation.type = VDM_OPERATION_MEMCPY;
	future.data.operation.data.memcpy.dest = dest;
	future.data.operation.data.memcpy.src = src;
	future.data.operation.data.memcpy.n = n;
	future.data.operation.data.memcpy.flags = flags;
	vdm_generic_operation(vdm, &future);
	return future;
}

static inline struct vdm_operation_future
vdm_memmove(struct vdm *vdm, void *dest, void *src, size_t n, uint64_t flags)
{
	struct vdm_operation_future future;
	future.data.operation.type = VDM_OPERATION_MEMMOVE;
	future.data.operation.data.memmove.dest = dest;
	future.data.operation.data.memmove.src = src;
	future.data.operation.data.memmove.n = n;
	future.data.operation.data.memmove.flags = flags;
	vdm_generic_operation(vdm, &future);
	return future;
}

static inline struct vdm_operation_future
vdm_memset(struct vdm *vdm, void *str, int c, size_t n, uint64_t flags)
{
	struct vdm_operation_future future;
	future.data.operation.type = VDM_OPERATION_MEMSET;
	future.data.operation.data.memset.str = str;
	future.data.operation.data.memset.c = c;
	future.data.operation.data.memset.n = n;
	future.data.operation.data.memset.flags = flags;
	vdm_generic_operation(vdm, &future);
	return future;
}

/* Writes the range back from the CPU caches to memory. */
static inline struct vdm_operation_future
vdm_flush(struct vdm *vdm, void *dest, size_t n, uint64_t flags)
{
	struct vdm_operation_future future;
	future.data.operation.type = VDM_OPERATION_FLUSH;
	future.data.operation.data.flush.dest = dest;
	future.data.operation.data.flush.n = n;
	future.data.operation.data.flush.flags = flags;
	vdm_generic_operation(vdm, &future);
	return future;
}

/*
 * VDM_OPERATION_RUN (libminiasync 1.1): a future that runs fn(args) on the
 * mover. Only for a mover with VDM_CAPABILITY_RUN.
 */
static inline struct vdm_operation_future
vdm_run(struct vdm *vdm, vdm_run_fn fn, const uint64_t args[VDM_RUN_NARGS],
	uint64_t flags)
{
	struct vdm_operation_future future;
	future.data.operation.type = VDM_OPERATION_RUN;
	future.data.operation.data.run.fn = fn;
	for (int i = 0; i < VDM_RUN_NARGS; i++)
		future.data.operation.data.run.args[i] = args[i];
	future.data.operation.data.run.flags = flags;
	vdm_generic_operation(vdm, &future);
	return future;
}

#ifdef __cplusplus
}
#endif

#endif /* VDM_H */
