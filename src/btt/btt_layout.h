/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * btt_layout.h -- on-media structures of the Block Translation Table
 * (doc/format.md §4-6) and the geometry of one arena.
 *
 * Owns: every constant and struct that appears on media below the pool
 * header, so that a reader of this one file knows the BTT's bytes.
 * All offsets in struct btt_info are relative to the start of the arena.
 */
#ifndef PMEMBLK_BTT_LAYOUT_H
#define PMEMBLK_BTT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BTT_ALIGNMENT 4096u
#define BTT_MIN_SIZE ((uint64_t)16 << 20)	/* smallest namespace/arena */
#define BTT_MAX_ARENA ((uint64_t)1 << 39)	/* 512 GiB */
#define BTT_MIN_LBASIZE 512u
#define BTT_LBASIZE_ALIGN 256u
#define BTT_DEFAULT_NFREE 256u
#define BTT_INFO_SIZE 4096u
#define BTT_INFO_SIG "BTT_ARENA_INFO\0"	/* 16 bytes with the final NUL */
#define BTT_INFO_SIG_LEN 16
#define BTT_INFO_CSUM_OFF 4088
#define BTT_INFO_FLAG_ERROR 0x1u

/* A map entry: two flag bits over a 30-bit post-map block number. */
#define BTT_MAP_BLOCK_MASK 0x3FFFFFFFu
#define BTT_MAP_FLAGS_MASK 0xC0000000u
#define BTT_MAP_INITIAL 0x00000000u	/* never written: identity, zeros */
#define BTT_MAP_ERROR 0x40000000u
#define BTT_MAP_ZERO 0x80000000u
#define BTT_MAP_NORMAL 0xC0000000u
#define BTT_MAP_ENTRY_SIZE 4u

struct btt_info {
	char sig[BTT_INFO_SIG_LEN];
	uint8_t uuid[16];		/* the BTT's uuid, same in every arena */
	uint8_t parent_uuid[16];	/* the pool header's poolset_uuid */
	uint32_t flags;
	uint16_t major;
	uint16_t minor;
	uint32_t external_lbasize;	/* bsize */
	uint32_t external_nlba;
	uint32_t internal_lbasize;
	uint32_t internal_nlba;
	uint32_t nfree;
	uint32_t infosize;
	uint64_t nextoff;
	uint64_t dataoff;
	uint64_t mapoff;
	uint64_t flogoff;
	uint64_t infooff;		/* the backup copy */
	uint8_t unused[3968];
	uint64_t checksum;
};

/*
 * One flog slot. A lane owns a pair of slots, 64 bytes apart from the next
 * pair; updates alternate between the two slots, and the seq numbers say
 * which is current. Each 8-byte half is stored with one aligned store.
 */
struct btt_flog {
	uint32_t lba;		/* pre-map LBA of the logged write */
	uint32_t old_map;	/* its map entry before: the lane's free block */
	uint32_t new_map;	/* its map entry after */
	uint32_t seq;		/* 0 = never written, else 1 -> 2 -> 3 -> 1 */
};

#define BTT_FLOG_PAIR_SIZE 64u

_Static_assert(sizeof(struct btt_info) == BTT_INFO_SIZE, "info block size");
_Static_assert(offsetof(struct btt_info, nextoff) == 0x50, "nextoff");
_Static_assert(sizeof(struct btt_flog) == 16, "flog slot size");

/* Next sequence number after s (0 never follows anything). */
static inline uint32_t
btt_seq_next(uint32_t s)
{
	static const uint32_t next[4] = {0, 2, 3, 1};
	return next[s & 3];
}

/* Arena geometry computed from its size and the block size (doc/format.md §4.2). */
struct btt_geometry {
	uint32_t internal_lbasize;
	uint32_t internal_nlba;
	uint32_t external_nlba;
	uint32_t nfree;
	uint64_t map_size;
	uint64_t flog_size;
	uint64_t dataoff;
	uint64_t mapoff;
	uint64_t flogoff;
	uint64_t infooff;
};

/* Returns false when bsize does not fit (fewer than 2*nfree blocks). */
bool btt_geometry(uint64_t arena_size, uint32_t bsize, uint32_t nfree,
	struct btt_geometry *geo);

/* Number of arenas a namespace of ns_size bytes holds (doc/format.md §4.1). */
uint32_t btt_narenas(uint64_t ns_size);

/* Size of arena i of such a namespace. */
uint64_t btt_arena_size(uint64_t ns_size, uint32_t i);

#endif
