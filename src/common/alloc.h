/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * alloc.h -- the library's allocator, replaceable with pmemblk_set_funcs().
 *
 * Owns: the four hook pointers. Every internal allocation goes through
 * these wrappers; an allocation failure sets errno to ENOMEM and a message.
 */
#ifndef PMEMBLK_ALLOC_H
#define PMEMBLK_ALLOC_H

#include <stddef.h>

void *blk_malloc(size_t size);
void *blk_zalloc(size_t size);
void blk_free(void *ptr);

void alloc_set_funcs(void *(*malloc_func)(size_t),
	void (*free_func)(void *),
	void *(*realloc_func)(void *, size_t),
	char *(*strdup_func)(const char *));

#endif
