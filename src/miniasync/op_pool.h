/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * op_pool.h -- a bounded, thread-safe pool of fixed-size blocks for the
 * movers' per-operation state.
 */
#ifndef MINIASYNC_OP_POOL_H
#define MINIASYNC_OP_POOL_H

#include <stddef.h>

struct op_pool;

/* 'capacity' (< 2^32 - 1) blocks of 'size' bytes; NULL if no memory. */
struct op_pool *op_pool_new(size_t capacity, size_t size);
void op_pool_delete(struct op_pool *pool);	/* NULL is fine */

/* A free block, or NULL when all are in use. Blocks never move. */
void *op_pool_get(struct op_pool *pool);
/* Gives a block back; any thread may do it. */
void op_pool_put(struct op_pool *pool, void *block);

#endif
