/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op_pool.c -- the pool is one array of blocks plus a lock-free queue of
 * the free ones. The queue is exactly as large as the pool, so giving a
 * block back can never fail, and the bound on outstanding operations is
 * the pool's capacity.
 */
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
	pool->free_blocks = mpmc_queue_new(capacity);
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
	mpmc_queue_push(pool->free_blocks, block);
}
