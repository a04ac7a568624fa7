/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpmc_queue.h -- a bounded, lock-free FIFO of pointers that any number of
 * threads may push to and pop from at once.
 */
#ifndef MINIASYNC_MPMC_QUEUE_H
#define MINIASYNC_MPMC_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

struct mpmc_queue;

/* 'capacity' must be a power of two; NULL if out of memory. */
struct mpmc_queue *mpmc_queue_new(size_t capacity);
void mpmc_queue_delete(struct mpmc_queue *queue);	/* NULL is fine */

/* Appends 'value' (not NULL); false, and nothing done, if the queue is full. */
bool mpmc_queue_push(struct mpmc_queue *queue, void *value);

/*
 * Removes the oldest value; NULL if the queue is empty or the oldest push
 * has claimed its place but is not finished yet.
 */
void *mpmc_queue_pop(struct mpmc_queue *queue);

/* Values queued now, give or take those being pushed or popped. */
size_t mpmc_queue_backlog(struct mpmc_queue *queue);

#endif
