/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mover_sync.c -- the synchronous mover: every operation, done in the
 * first poll; capabilities; parameters patched by a chain's map; the
 * bounded op pool running out and recovering.
 */
#include <pthread.h>

#include "ut.h"
#include <libminiasync.h>

static struct vdm *vdm;

static void
fill(char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(seed + i * 7);
}

static void
test_memcpy(void)
{
	char src[1000], dst[1000];
	fill(src, sizeof(src), 1);
	memset(dst, 0, sizeof(dst));

	struct vdm_operation_future f =
		vdm_memcpy(vdm, dst, src, sizeof(src), 0);
	UT_ASSERT_EQ(FUTURE_STATE(&f), FUTURE_STATE_IDLE);
	UT_ASSERT(f.data.vdm == vdm);
	UT_ASSERT_EQ(f.data.operation.type, VDM_OPERATION_MEMCPY);

	struct future_notifier notifier;
	notifier.notifier_used = FUTURE_NOTIFIER_WAKER;
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), &notifier),
		FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(notifier.notifier_used, FUTURE_NOTIFIER_NONE);
	UT_ASSERT(memcmp(src, dst, sizeof(src)) == 0);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->type, VDM_OPERATION_MEMCPY);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->result, VDM_SUCCESS);
	UT_ASSERT(FUTURE_OUTPUT(&f)->output.memcpy.dest == dst);
}

static void
test_memmove(void)
{
	char buf[300], expect[300];

	/* dest above src, then below */
	for (int dir = 0; dir < 2; dir++) {
		fill(buf, sizeof(buf), 3);
		memcpy(expect, buf, sizeof(buf));
		char *src = dir == 0 ? buf : buf + 50;
		char *dst = dir == 0 ? buf + 50 : buf;
		memmove(expect + (dst - buf), expect + (src - buf), 200);

		struct vdm_operation_future f =
			vdm_memmove(vdm, dst, src, 200, 0);
		FUTURE_BUSY_POLL(&f);
		UT_ASSERT(memcmp(buf, expect, sizeof(buf)) == 0);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->type, VDM_OPERATION_MEMMOVE);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->result, VDM_SUCCESS);
		UT_ASSERT(FUTURE_OUTPUT(&f)->output.memmove.dest == dst);
	}
}

static void
test_memset(void)
{
	char buf[256];
	memset(buf, 'x', sizeof(buf));

	struct vdm_operation_future f = vdm_memset(vdm, buf, 'a', 128, 0);
	FUTURE_BUSY_POLL(&f);
	for (size_t i = 0; i < sizeof(buf); i++)
		UT_ASSERT_EQ(buf[i], i < 128 ? 'a' : 'x');
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->type, VDM_OPERATION_MEMSET);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->result, VDM_SUCCESS);
	UT_ASSERT(FUTURE_OUTPUT(&f)->output.memset.str == buf);
}

/* miniasync exits the process here; we flush and succeed. */
static void
test_flush(void)
{
	char *buf = malloc(1 << 16);
	UT_ASSERT(buf != NULL);
	memset(buf, 1, 1 << 16);

	struct vdm_operation_future f = vdm_flush(vdm, buf + 3, 60000, 0);
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), NULL),
		FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->type, VDM_OPERATION_FLUSH);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->result, VDM_SUCCESS);
	free(buf);
}

static int64_t
add_run(const uint64_t args[VDM_RUN_NARGS])
{
	uint64_t *where = (uint64_t *)(uintptr_t)args[0];
	*where += args[1];
	return (int64_t)args[2];
}

/* VDM_OPERATION_RUN (libminiasync 1.1): runs in the first poll. */
static void
test_run(void)
{
	uint64_t sum = 1;
	uint64_t args[VDM_RUN_NARGS] = {(uintptr_t)&sum, 41, (uint64_t)-7};
	struct vdm_operation_future f = vdm_run(vdm, add_run, args, 0);
	UT_ASSERT_EQ(sum, 1);	/* nothing before the first poll */
	UT_ASSERT_EQ(future_poll(FUTURE_AS_RUNNABLE(&f), NULL),
		FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(sum, 42);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->type, VDM_OPERATION_RUN);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->result, VDM_SUCCESS);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->output.run.result, -7);
}

static void
test_capabilities(void)
{
	/* durable copies are flushed and fenced by the mover itself */
	UT_ASSERT_EQ(vdm->capabilities,
		VDM_F_MEM_DURABLE | VDM_CAPABILITY_RUN);
	UT_ASSERT_EQ(vdm_is_supported(vdm, VDM_F_MEM_DURABLE), 1);
	UT_ASSERT_EQ(vdm_is_supported(vdm, VDM_CAPABILITY_RUN), 1);
	UT_ASSERT_EQ(vdm_is_supported(vdm, VDM_F_NO_CACHE_HINT), 0);
	UT_ASSERT_EQ(vdm_is_supported(vdm, VDM_F_VALID_FLAGS), 0);
	UT_ASSERT(vdm->has_property == NULL);

	char c = 0, d = 1;
	struct vdm_operation_future f = vdm_memcpy(vdm, &c, &d, 1, 0);
	UT_ASSERT(f.base.has_property == future_has_property_default);
	UT_ASSERT_EQ(future_has_property(FUTURE_AS_RUNNABLE(&f),
		FUTURE_PROPERTY_ASYNC), 0);
	FUTURE_BUSY_POLL(&f);
}

/* ---- "strdup": allocate, then copy into the new buffer ---- */

struct alloc_data {
	size_t n;
};

struct alloc_output {
	void *ptr;
};

FUTURE(alloc_future, struct alloc_data, struct alloc_output);

static enum future_state
alloc_task(struct future_context *ctx, struct future_notifier *notifier)
{
	(void)notifier;
	struct alloc_data *data = future_context_get_data(ctx);
	struct alloc_output *out = future_context_get_output(ctx);
	out->ptr = malloc(data->n);
	return FUTURE_STATE_COMPLETE;
}

static struct alloc_future
alloc_future(size_t n)
{
	struct alloc_future f;
	f.data.n = n;
	f.output.ptr = NULL;
	FUTURE_INIT(&f, alloc_task);
	return f;
}

struct strdup_data {
	FUTURE_CHAIN_ENTRY(struct alloc_future, alloc);
	FUTURE_CHAIN_ENTRY_LAST(struct vdm_operation_future, copy);
	char *src;	/* for the lazy variant */
	size_t n;
};

struct strdup_output {
	char *copy;
};

FUTURE(strdup_future, struct strdup_data, struct strdup_output);

/* The new buffer is the memcpy's destination. */
static void
alloc_to_copy(struct future_context *lhs, struct future_context *rhs,
	void *arg)
{
	(void)arg;
	struct alloc_output *out = future_context_get_output(lhs);
	struct vdm_operation_data *copy = future_context_get_data(rhs);
	copy->operation.data.memcpy.dest = out->ptr;
}

static void
copy_to_output(struct future_context *lhs, struct future_context *rhs,
	void *arg)
{
	(void)arg;
	struct vdm_operation_output *out = future_context_get_output(lhs);
	struct strdup_output *result = future_context_get_output(rhs);
	result->copy = out->output.memcpy.dest;
}

/* Lazy variant: the memcpy is built when needed, vdm as init_arg. */
static void
init_copy(void *future, struct future_context *chain_ctx, void *arg)
{
	struct strdup_data *data = future_context_get_data(chain_ctx);
	struct vdm_operation_future f = vdm_memcpy(arg,
		data->alloc.fut.output.ptr, data->src, data->n, 0);
	memcpy(future, &f, sizeof(f));
}

static void
test_strdup(int lazy)
{
	char text[] = "patched by a map before the first poll";
	struct strdup_future f;
	f.data.src = text;
	f.data.n = sizeof(text);

	FUTURE_CHAIN_ENTRY_INIT(&f.data.alloc, alloc_future(sizeof(text)),
		lazy ? NULL : alloc_to_copy, NULL);
	if (lazy)
		FUTURE_CHAIN_ENTRY_LAZY_INIT(&f.data.copy, init_copy, vdm,
			copy_to_output, NULL);
	else
		FUTURE_CHAIN_ENTRY_INIT(&f.data.copy,
			vdm_memcpy(vdm, NULL, text, sizeof(text), 0),
			copy_to_output, NULL);
	FUTURE_CHAIN_INIT(&f);
	f.output.copy = NULL;

	FUTURE_BUSY_POLL(&f);
	UT_ASSERT(f.output.copy != NULL);
	UT_ASSERT(strcmp(f.output.copy, text) == 0);
	free(f.output.copy);
}

/*
 * Ops created and never polled pile up until the pool is empty; then a
 * constructor returns a finished future carrying the error. Finishing
 * one op makes room for the next at once.
 */
static void
test_out_of_memory(void)
{
	enum { MAX_TRIES = 1 << 22 };
	static char byte;
	struct vdm_operation_future *futs =
		malloc(MAX_TRIES * sizeof(*futs));
	UT_ASSERT(futs != NULL);

	size_t n = 0;
	for (;;) {
		UT_ASSERT(n < MAX_TRIES);
		futs[n] = vdm_memset(vdm, &byte, 0, 1, 0);
		if (FUTURE_STATE(&futs[n]) == FUTURE_STATE_COMPLETE)
			break;
		n++;
	}
	printf("sync mover: %zu outstanding ops before running out\n", n);
	UT_ASSERT(n >= 4096);
	struct vdm_operation_future *failed = &futs[n];
	UT_ASSERT_EQ(FUTURE_OUTPUT(failed)->result, VDM_ERROR_OUT_OF_MEMORY);
	UT_ASSERT(failed->base.task == NULL);
	FUTURE_BUSY_POLL(failed);	/* does nothing */

	FUTURE_BUSY_POLL(&futs[0]);
	struct vdm_operation_future again = vdm_memset(vdm, &byte, 0, 1, 0);
	UT_ASSERT_EQ(FUTURE_STATE(&again), FUTURE_STATE_IDLE);
	FUTURE_BUSY_POLL(&again);
	UT_ASSERT_EQ(FUTURE_OUTPUT(&again)->result, VDM_SUCCESS);

	for (size_t i = 1; i < n; i++)
		FUTURE_BUSY_POLL(&futs[i]);
	free(futs);
}

/*
 * Many threads creating and finishing operations at once never see a
 * spurious VDM_ERROR_OUT_OF_MEMORY: the pool is nearly all free.
 */
enum { CREATORS = 8, PER_CREATOR = 20000 };

static void *
create_and_finish(void *arg)
{
	char *slot = arg;
	for (int i = 0; i < PER_CREATOR; i++) {
		struct vdm_operation_future f =
			vdm_memset(vdm, slot, i, 1, 0);
		FUTURE_BUSY_POLL(&f);
		UT_ASSERT_EQ(FUTURE_OUTPUT(&f)->result, VDM_SUCCESS);
	}
	return NULL;
}

static void
test_concurrent_creators(void)
{
	static char slots[CREATORS][64];
	pthread_t threads[CREATORS];
	for (int i = 0; i < CREATORS; i++)
		UT_ASSERT_EQ(pthread_create(&threads[i], NULL,
			create_and_finish, slots[i]), 0);
	for (int i = 0; i < CREATORS; i++)
		UT_ASSERT_EQ(pthread_join(threads[i], NULL), 0);
}

int
main(void)
{
	struct data_mover_sync *dms = data_mover_sync_new();
	UT_ASSERT(dms != NULL);
	vdm = data_mover_sync_get_vdm(dms);
	UT_ASSERT(vdm != NULL);

	test_memcpy();
	test_memmove();
	test_memset();
	test_flush();
	test_capabilities();
	test_run();
	test_strdup(0);
	test_strdup(1);
	test_out_of_memory();
	test_concurrent_creators();

	data_mover_sync_delete(dms);
	return 0;
}
