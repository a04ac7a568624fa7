/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op_pool.c -- the pool is one array of blocks plus a lock-free stack of
 * the free ones (a Treiber stack over block indexes); the bound on
 * outstanding operations is the pool's capacity.
 *
 * Why a stack and not the FIFO ring: a ring's pop reports "empty" while a
 * preempted pusher holds the cell at the head, even with thousands of
 * free blocks behind it, and callers would see false out-of-memory. A
 * stack's pop fails only when no block is free at that instant.
 *
 * The head word packs a 32-bit tag above the 32-bit index of the top
 * block; every successful update bumps the tag, so a pop that read a stale
 * "next" index (the ABA case) fails its compare-and-swap and retries.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "op_pool.h"

/* Blocks are cache-line sized so that workers finishing neighbouring
 * operations do not contend for one line. */
#define BLOCK_ALIGN 64
#define NO_BLOCK UINT32_MAX

/*
 * Shared by every thread that creates or deletes operations. blocks,
 * stride and capacity are fixed at creation. head is changed only by
 * compare-and-swap; next[i] is written only by the thread that holds
 * block i (in op_pool_put, before the release CAS that publishes it) and
 * read by op_pool_get after an acquire load of head. The tag in head's
 * high half makes a CAS fail when the top block was taken and put back
 * meanwhile (ABA).
 */
struct op_pool {
	uint64_t head;		/* atomic: tag << 32 | index of the top block */
	uint32_t *next;		/* next[i]: index below block i */
	char *blocks;
	size_t stride;
	size_t capacity;
};

static uint64_t
make_head(uint64_t tag, uint32_t index)
{
	return tag << 32 | index;
}

struct op_pool *
op_pool_new(size_t capacity, size_t size)
{
	if (capacity == 0 || capacity >= NO_BLOCK)
		return NULL;
	struct op_pool *pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		return NULL;

	pool->stride = (size + BLOCK_ALIGN - 1) & ~(size_t)(BLOCK_ALIGN - 1);
	pool->capacity = capacity;
	pool->blocks = aligned_alloc(BLOCK_ALIGN, capacity * pool->stride);
	pool->next = malloc(capacity * sizeof(*pool->next));
	if (pool->blocks == NULL || pool->next == NULL) {
		op_pool_delete(pool);
		return NULL;
	}
	for (size_t i = 0; i < capacity; i++)
		pool->next[i] = i + 1 < capacity ? (uint32_t)(i + 1) : NO_BLOCK;
	pool->head = make_head(0, 0);
	return pool;
}

void
op_pool_delete(struct op_pool *pool)
{
	if (pool == NULL)
		return;
	free(pool->next);
	free(pool->blocks);
	free(pool);
}

void *
op_pool_get(struct op_pool *pool)
{
	uint64_t head = __atomic_load_n(&pool->head, __ATOMIC_ACQUIRE);
	for (;;) {
		uint32_t top = (uint32_t)head;
		if (top == NO_BLOCK)
			return NULL;
		uint32_t below = __atomic_load_n(&pool->next[top],
			__ATOMIC_RELAXED);
		if (__atomic_compare_exchange_n(&pool->head, &head,
				make_head((head >> 32) + 1, below), true,
				__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
			return pool->blocks + (size_t)top * pool->stride;
	}
}

void
op_pool_put(struct op_pool *pool, void *block)
{
	uint32_t index = (uint32_t)(((char *)block - pool->blocks) /
		pool->stride);
	uint64_t head = __atomic_load_n(&pool->head, __ATOMIC_RELAXED);
	do {
		__atomic_store_n(&pool->next[index], (uint32_t)head,
			__ATOMIC_RELAXED);
	} while (!__atomic_compare_exchange_n(&pool->head, &head,
			make_head((head >> 32) + 1, index), true,
			__ATOMIC_RELEASE, __ATOMIC_RELAXED));
}
