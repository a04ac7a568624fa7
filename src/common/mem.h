/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem.h -- small memory helpers shared by the library and the tool.
 */
#ifndef PMEMBLK_MEM_H
#define PMEMBLK_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* Whether len bytes at p are all zero (len 0 counts as zero). */
static inline bool
mem_is_zero(const void *p, size_t len)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

#endif
