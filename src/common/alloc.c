/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * alloc.c -- allocator hooks.
 *
 * realloc and strdup hooks are accepted for API compatibility; the library
 * itself only ever needs malloc and free.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "out.h"

static void *(*malloc_hook)(size_t) = malloc;
static void (*free_hook)(void *) = free;

void
alloc_set_funcs(void *(*malloc_func)(size_t), void (*free_func)(void *),
	void *(*realloc_func)(void *, size_t),
	char *(*strdup_func)(const char *))
{
	(void) realloc_func;
	(void) strdup_func;
	malloc_hook = malloc_func ? malloc_func : malloc;
	free_hook = free_func ? free_func : free;
}

void *
blk_malloc(size_t size)
{
	void *p = malloc_hook(size);
	if (p == NULL)
		err_set(ENOMEM, "out of memory (%zu bytes)", size);
	return p;
}

void *
blk_zalloc(size_t size)
{
	void *p = blk_malloc(size);
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void
blk_free(void *ptr)
{
	free_hook(ptr);
}
