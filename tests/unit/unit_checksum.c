/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_checksum.c -- the Fletcher-64 variant against the test vectors of
 * doc/format.md §11: a real pool header (CKSUM_2K), the BTT info block of the
 * same pool, and the shutdown state.
 */
#include <stdint.h>

#include "checksum.h"
#include "unit_helpers.h"

/* First 0x90 bytes of the header; everything after them is zero. */
static const char *hdr_hex =
	"50 4D 45 4D 42 4C 4B 00 01 00 00 00 01 00 00 00"
	"06 00 00 00 00 00 00 00 F5 00 5F 2B 8B 53 7B 47"
	"BE 54 62 4D CB 13 52 99 38 F1 97 10 7B C7 CD 47"
	"97 08 D4 7A 12 1A 0A 52 38 F1 97 10 7B C7 CD 47"
	"97 08 D4 7A 12 1A 0A 52 38 F1 97 10 7B C7 CD 47"
	"97 08 D4 7A 12 1A 0A 52 38 F1 97 10 7B C7 CD 47"
	"97 08 D4 7A 12 1A 0A 52 38 F1 97 10 7B C7 CD 47"
	"97 08 D4 7A 12 1A 0A 52 6E 24 0D 6B 00 00 00 00"
	"10 73 77 37 F7 07 00 00 02 01 00 00 00 00 3E 00";
static const uint64_t hdr_csum = 0x6E71F45104353FE6ULL;
static const uint8_t hdr_csum_bytes[8] =
	{0xE6, 0x3F, 0x35, 0x04, 0x51, 0xF4, 0x71, 0x6E};

/* First 0x78 bytes of the BTT info block. */
static const char *info_hex =
	"42 54 54 5F 41 52 45 4E 41 5F 49 4E 46 4F 00 00"
	"CE DB DB D5 E2 8E 2B 43 93 CB 0A 19 6A FD 10 B1"
	"F5 00 5F 2B 8B 53 7B 47 BE 54 62 4D CB 13 52 99"
	"00 00 00 00 01 00 01 00 00 10 00 00 E7 3E 00 00"
	"00 10 00 00 E7 3F 00 00 00 01 00 00 00 10 00 00"
	"00 00 00 00 00 00 00 00 00 10 00 00 00 00 00 00"
	"00 90 FE 03 00 00 00 00 00 90 FF 03 00 00 00 00"
	"00 D0 FF 03 00 00 00 00";
static const uint64_t info_csum = 0xA169DFD44494F58FULL;
static const uint8_t info_csum_bytes[8] =
	{0x8F, 0xF5, 0x94, 0x44, 0xD4, 0xDF, 0x69, 0xA1};

/* Decodes "AA BB ..." into buf (zeroed first); returns the byte count. */
static size_t
from_hex(const char *hex, uint8_t *buf, size_t len)
{
	memset(buf, 0, len);
	size_t n = 0;
	unsigned v;
	int used;
	while (sscanf(hex, " %2x%n", &v, &used) == 1) {
		UT_ASSERT(n < len);
		buf[n++] = (uint8_t)v;
		hex += used;
	}
	return n;
}

static void
test_header(void)
{
	static uint8_t hdr[4096];
	UT_ASSERT_EQ(from_hex(hdr_hex, hdr, sizeof(hdr)), 0x90);

	/* CKSUM_2K: bytes from 2048 count as zero, yet still feed `hi` */
	uint64_t sum = checksum_compute(hdr, sizeof(hdr), 4088, 2048);
	UT_ASSERT(sum == hdr_csum);
	UT_ASSERT(checksum_compute(hdr, 2048, 4088, 2048) != hdr_csum);

	checksum_store(hdr, sizeof(hdr), 4088, 2048);
	UT_ASSERT(memcmp(hdr + 4088, hdr_csum_bytes, 8) == 0);
	UT_ASSERT(checksum_valid(hdr, sizeof(hdr), 4088, 2048));

	/* the stored checksum itself is counted as zero: storing is stable */
	UT_ASSERT(checksum_compute(hdr, sizeof(hdr), 4088, 2048) == hdr_csum);

	/* bytes 2048..4087 (unused2, SDS) do not matter with CKSUM_2K ... */
	hdr[3000] = 0x77;
	hdr[0xFB8 + 16] = 1;
	UT_ASSERT(checksum_valid(hdr, sizeof(hdr), 4088, 2048));
	/* ... but they do without it */
	UT_ASSERT(!checksum_valid(hdr, sizeof(hdr), 4088, 4088));
	hdr[3000] = 0;
	hdr[0xFB8 + 16] = 0;

	/* any covered byte changes the sum */
	hdr[100] ^= 1;
	UT_ASSERT(!checksum_valid(hdr, sizeof(hdr), 4088, 2048));
	hdr[100] ^= 1;
	hdr[2047] = 1;
	UT_ASSERT(!checksum_valid(hdr, sizeof(hdr), 4088, 2048));
	hdr[2047] = 0;
	UT_ASSERT(checksum_valid(hdr, sizeof(hdr), 4088, 2048));

	/* a wrong stored value is detected */
	hdr[4095] ^= 0x80;
	UT_ASSERT(!checksum_valid(hdr, sizeof(hdr), 4088, 2048));
}

static void
test_btt_info(void)
{
	static uint8_t info[4096];
	UT_ASSERT_EQ(from_hex(info_hex, info, sizeof(info)), 0x78);
	UT_ASSERT(checksum_compute(info, sizeof(info), 4088, 4096) ==
		info_csum);
	checksum_store(info, sizeof(info), 4088, 4096);
	UT_ASSERT(memcmp(info + 4088, info_csum_bytes, 8) == 0);
	UT_ASSERT(checksum_valid(info, sizeof(info), 4088, 4096));

	/* the whole block is covered: a byte in `unused` matters */
	info[0x100] = 1;
	UT_ASSERT(!checksum_valid(info, sizeof(info), 4088, 4096));
}

static void
test_sds(void)
{
	uint8_t sds[64] = {0};
	/* all zero -> checksum 0 */
	UT_ASSERT(checksum_compute(sds, sizeof(sds), 56, 64) == 0);
	UT_ASSERT(checksum_valid(sds, sizeof(sds), 56, 64));

	/* {usc 0, uuid 0, dirty 1} -> 0x0000000C00000001 */
	sds[16] = 1;
	UT_ASSERT(checksum_compute(sds, sizeof(sds), 56, 64) ==
		0x0000000C00000001ULL);
	checksum_store(sds, sizeof(sds), 56, 64);
	static const uint8_t expect[8] = {1, 0, 0, 0, 0x0C, 0, 0, 0};
	UT_ASSERT(memcmp(sds + 56, expect, 8) == 0);
}

int
main(void)
{
	test_header();
	test_btt_info();
	test_sds();
	return 0;
}
