/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libminiasync/runtime.h -- waits on the calling thread until futures are
 * complete, polling them and sleeping while they are waited on by a waker.
 */
#ifndef RUNTIME_H
#define RUNTIME_H 1

#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

struct runtime;

/* NULL if out of memory. */
struct runtime *runtime_new(void);
void runtime_delete(struct runtime *runtime);

/*
 * Returns once every future is COMPLETE. The order of futs[] afterwards is
 * unspecified.
 */
void runtime_wait_multiple(struct runtime *runtime, struct future *futs[],
	size_t nfuts);
void runtime_wait(struct runtime *runtime, struct future *fut);

#ifdef __cplusplus
}
#endif

#endif /* RUNTIME_H */
