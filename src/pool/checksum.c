/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * checksum.c -- Fletcher-64 over 32-bit little-endian words.
 */
#include <string.h>

#include "checksum.h"

uint64_t
checksum_compute(const void *buf, size_t len, size_t csum_off, size_t end)
{
	const unsigned char *p = buf;
	uint32_t lo = 0, hi = 0;

	for (size_t k = 0; k + 4 <= len; k += 4) {
		uint32_t word = 0;
		bool in_csum = k >= csum_off && k < csum_off + 8;
		if (!in_csum && k < end)
			memcpy(&word, p + k, 4);
		lo += word;
		hi += lo;
	}
	return (uint64_t)hi << 32 | lo;
}

bool
checksum_valid(const void *buf, size_t len, size_t csum_off, size_t end)
{
	uint64_t stored;
	memcpy(&stored, (const char *)buf + csum_off, sizeof(stored));
	return stored == checksum_compute(buf, len, csum_off, end);
}

void
checksum_store(void *buf, size_t len, size_t csum_off, size_t end)
{
	uint64_t sum = checksum_compute(buf, len, csum_off, end);
	memcpy((char *)buf + csum_off, &sum, sizeof(sum));
}
