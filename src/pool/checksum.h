/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * checksum.h -- the Fletcher-64 variant PMDK uses for the pool header, the
 * shutdown state and the BTT info block (doc/format.md §11).
 */
#ifndef PMEMBLK_CHECKSUM_H
#define PMEMBLK_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Checksum of len bytes (a multiple of 4) where the 8 bytes at csum_off and
 * every byte at or past end count as zero. The zeroed tail still feeds the
 * running sums, which is why "end" is not the same as a shorter length.
 */
uint64_t checksum_compute(const void *buf, size_t len, size_t csum_off,
	size_t end);

/* Whether the little-endian value stored at csum_off matches. */
bool checksum_valid(const void *buf, size_t len, size_t csum_off, size_t end);

/* Computes the checksum and stores it at csum_off. */
void checksum_store(void *buf, size_t len, size_t csum_off, size_t end);

#endif
