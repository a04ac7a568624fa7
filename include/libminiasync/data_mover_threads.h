/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libminiasync/data_mover_threads.h -- a mover whose operations are run by
 * a pool of worker threads fed from a bounded queue.
 */
#ifndef DATA_MOVER_THREADS_H
#define DATA_MOVER_THREADS_H 1

#include "vdm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct data_mover_threads;

/* Replacements for the libc functions; 'flags' are the operation's. */
typedef void *(*memcpy_fn)(void *dst, const void *src, size_t n,
	unsigned flags);
typedef void *(*memmove_fn)(void *dst, const void *src, size_t n,
	unsigned flags);
typedef void *(*memset_fn)(void *str, int c, size_t n, unsigned flags);

/*
 * 'nthreads' workers and a queue of 'ringbuf_size' operations waiting for
 * them (a power of two). 'desired_notifier' is what the futures offer a
 * poller that passes a notifier. NULL on bad arguments or any failure.
 */
struct data_mover_threads *data_mover_threads_new(size_t nthreads,
	size_t ringbuf_size, enum future_notifier_type desired_notifier);
/* 12 workers, a queue of 128, waker notification. */
struct data_mover_threads *data_mover_threads_default(void);
/* Valid as long as the mover. */
struct vdm *data_mover_threads_get_vdm(struct data_mover_threads *dmt);
/* Waits for queued work, stops the workers; every future must be done. */
void data_mover_threads_delete(struct data_mover_threads *dmt);

/* Call these before submitting work; the defaults are libc's. */
void data_mover_threads_set_memcpy_fn(struct data_mover_threads *dmt,
	memcpy_fn op_memcpy);
void data_mover_threads_set_memmove_fn(struct data_mover_threads *dmt,
	memmove_fn op_memmove);
void data_mover_threads_set_memset_fn(struct data_mover_threads *dmt,
	memset_fn op_memset);

/*
 * libminiasync 1.1 (not in miniasync 0.2; symbol version LIBMINIASYNC_1.1):
 * whether a poll may run a small operation itself when the workers are
 * behind ("caller runs", on by default; see data_mover_threads.c). Off:
 * every operation runs on a worker. May be called at any time.
 */
void data_mover_threads_set_caller_runs(struct data_mover_threads *dmt,
	int on);

#ifdef __cplusplus
}
#endif

#endif /* DATA_MOVER_THREADS_H */
