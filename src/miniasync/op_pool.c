/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op_pool.c -- the pool is one array of blocks plus a lock-free queue of
 * the free ones; the bound on outstanding operations is the pool's
 * capacity.
 *
 * The queue has twice as many cells as the pool has blocks. With exactly
 * as many, a block given back could land on the cell whose previous value
 * another thread has claimed but not yet released, and the push would
 * report "full" although the pool is not: the block would leak. Twice the
 * cells make that a stall of a whole pool's worth of operations, and
 * op_pool_put retries for that case instead of dropping the block.
 */
#include <sched.h>
#include <stdlib.h>

#include "mpmc_queue.h"
#include "op_pool.h"

/* Blocks are cache-line sized so that workers finishing neighbouring
 * operations do not contend for one line. */
#define BLOCK_ALIGN 64

struct op_pool {
	struct mpmc_queue *free_blocks;
	char *blocks;
};

struct op_pool *
op_pool_new(size_t capacity, size_t size)
{
	struct op_pool *pool = malloc(sizeof(*pool));
	if (pool == NULL)
		return NULL;

	size_t stride = (size + BLOCK_ALIGN - 1) & ~(size_t)(BLOCK_ALIGN - 1);
	pool->blocks = aligned_alloc(BLOCK_ALIGN, capacity * stride);
	pool->free_blocks = mpmc_queue_new(2 * capacity);
	if (pool->blocks == NULL || pool->free_blocks == NULL) {
		op_pool_delete(pool);
		return NULL;
	}

	for (size_t i = 0; i < capacity; i++)
		mpmc_queue_push(pool->free_blocks, pool->blocks + i * stride);
	return pool;
}

void
op_pool_delete(struct op_pool *pool)
{
	if (pool == NULL)
		return;
	mpmc_queue_delete(pool->free_blocks);
	free(pool->blocks);
	free(pool);
}

void *
op_pool_get(struct op_pool *pool)
{
	return mpmc_queue_pop(pool->free_blocks);
}

void
op_pool_put(struct op_pool *pool, void *block)
{
	while (!mpmc_queue_push(pool->free_blocks, block))
		sched_yield();
}
