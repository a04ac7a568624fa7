/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpmc_queue.c -- bounded lock-free FIFO (after D. Vyukov's ring with
 * per-cell sequence numbers).
 *
 * Positions only grow; position p uses cell p & mask. A cell's sequence
 * number says whose turn it is: p when it is free for the push at position
 * p, p + 1 once that push has stored its value (ready for the pop at p),
 * and p + capacity once the pop has taken it (free for the next lap).
 * Pushers race for 'tail' and poppers for 'head' with one compare-and-swap
 * each; the sequence numbers hand a cell's value from pusher to popper
 * (release/acquire), so nobody ever waits for a lock.
 */
#include <stdint.h>
#include <stdlib.h>

#include "mpmc_queue.h"

#define CACHE_LINE 64

struct mpmc_cell {
	size_t seq;
	void *value;
};

/*
 * cells and mask are fixed at creation; tail is changed only by pushers'
 * CAS, head only by poppers' CAS, and a cell's value is handed over by its
 * seq as the comment at the top says.
 */
struct mpmc_queue {
	struct mpmc_cell *cells;
	size_t mask;
	/* pushers and poppers each get their own cache line */
	_Alignas(CACHE_LINE) size_t tail;	/* next position to push */
	_Alignas(CACHE_LINE) size_t head;	/* next position to pop */
};

struct mpmc_queue *
mpmc_queue_new(size_t capacity)
{
	struct mpmc_queue *queue = aligned_alloc(CACHE_LINE, sizeof(*queue));
	if (queue == NULL)
		return NULL;

	/* calloc: refuses a capacity whose size would overflow */
	queue->cells = calloc(capacity, sizeof(*queue->cells));
	if (queue->cells == NULL) {
		free(queue);
		return NULL;
	}
	for (size_t i = 0; i < capacity; i++)
		queue->cells[i].seq = i;
	queue->mask = capacity - 1;
	queue->tail = 0;
	queue->head = 0;
	return queue;
}

void
mpmc_queue_delete(struct mpmc_queue *queue)
{
	if (queue == NULL)
		return;
	free(queue->cells);
	free(queue);
}

/* How far 'seq' is ahead of 'expected' (negative: behind). */
static intptr_t
seq_distance(size_t seq, size_t expected)
{
	return (intptr_t)(seq - expected);
}

bool
mpmc_queue_push(struct mpmc_queue *queue, void *value)
{
	size_t pos = __atomic_load_n(&queue->tail, __ATOMIC_RELAXED);
	for (;;) {
		struct mpmc_cell *cell = &queue->cells[pos & queue->mask];
		intptr_t d = seq_distance(
			__atomic_load_n(&cell->seq, __ATOMIC_ACQUIRE), pos);
		if (d == 0) {
			/* the cell is free: claim position pos */
			if (__atomic_compare_exchange_n(&queue->tail, &pos,
					pos + 1, true, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED)) {
				cell->value = value;
				__atomic_store_n(&cell->seq, pos + 1,
					__ATOMIC_RELEASE);
				return true;
			}
			/* lost the race; pos now holds the current tail */
		} else if (d < 0) {
			/* the cell still holds the value from a lap ago */
			return false;
		} else {
			/* another pusher took pos; catch up */
			pos = __atomic_load_n(&queue->tail, __ATOMIC_RELAXED);
		}
	}
}

void *
mpmc_queue_pop(struct mpmc_queue *queue)
{
	size_t pos = __atomic_load_n(&queue->head, __ATOMIC_RELAXED);
	for (;;) {
		struct mpmc_cell *cell = &queue->cells[pos & queue->mask];
		intptr_t d = seq_distance(
			__atomic_load_n(&cell->seq, __ATOMIC_ACQUIRE), pos + 1);
		if (d == 0) {
			/* the value is ready: claim position pos */
			if (__atomic_compare_exchange_n(&queue->head, &pos,
					pos + 1, true, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED)) {
				void *value = cell->value;
				__atomic_store_n(&cell->seq,
					pos + queue->mask + 1,
					__ATOMIC_RELEASE);
				return value;
			}
		} else if (d < 0) {
			/* empty, or the push at pos is still storing */
			return NULL;
		} else {
			/* another popper took pos; catch up */
			pos = __atomic_load_n(&queue->head, __ATOMIC_RELAXED);
		}
	}
}

size_t
mpmc_queue_backlog(struct mpmc_queue *queue)
{
	size_t head = __atomic_load_n(&queue->head, __ATOMIC_RELAXED);
	size_t tail = __atomic_load_n(&queue->tail, __ATOMIC_RELAXED);
	return tail > head ? tail - head : 0;
}
