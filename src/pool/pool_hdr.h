/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_hdr.h -- the generic PMDK pool header at file offset 0 (doc/format.md §2).
 *
 * Owns: the on-media layout of the header, its feature bits, architecture
 * flags, uuids and shutdown state, and the rules for accepting a header.
 * All fields are little-endian; this library builds only for little-endian
 * 64-bit hosts (x86-64 is the tested one).
 */
#ifndef PMEMBLK_POOL_HDR_H
#define PMEMBLK_POOL_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POOL_HDR_SIZE 4096
#define POOL_HDR_SIG_LEN 8
#define POOL_HDR_CSUM_OFF 4088
#define POOL_HDR_CSUM_2K_END 2048
#define POOL_UUID_LEN 16

/* compat */
#define POOL_FEAT_CHECK_BAD_BLOCKS 0x0001u
/* incompat */
#define POOL_FEAT_SINGLEHDR 0x0001u
#define POOL_FEAT_CKSUM_2K 0x0002u
#define POOL_FEAT_SDS 0x0004u

#define POOL_FEAT_COMPAT_KNOWN POOL_FEAT_CHECK_BAD_BLOCKS
#define POOL_FEAT_INCOMPAT_KNOWN \
	(POOL_FEAT_SINGLEHDR | POOL_FEAT_CKSUM_2K | POOL_FEAT_SDS)
#define POOL_FEAT_RO_COMPAT_KNOWN 0u

struct arch_flags {
	uint64_t alignment_desc;
	uint8_t machine_class;
	uint8_t data;
	uint8_t reserved[4];
	uint16_t machine;
};

struct shutdown_state {
	uint64_t usc;
	uint64_t uuid;
	uint8_t dirty;
	uint8_t reserved[39];
	uint64_t checksum;
};

struct pool_hdr {
	char signature[POOL_HDR_SIG_LEN];
	uint32_t major;
	uint32_t compat;
	uint32_t incompat;
	uint32_t ro_compat;
	uint8_t poolset_uuid[POOL_UUID_LEN];
	uint8_t uuid[POOL_UUID_LEN];
	uint8_t prev_part_uuid[POOL_UUID_LEN];
	uint8_t next_part_uuid[POOL_UUID_LEN];
	uint8_t prev_repl_uuid[POOL_UUID_LEN];
	uint8_t next_repl_uuid[POOL_UUID_LEN];
	uint64_t crtime;
	struct arch_flags arch;
	uint8_t unused[1904];
	uint8_t unused2[1976];
	struct shutdown_state sds;
	uint64_t checksum;
};

_Static_assert(sizeof(struct pool_hdr) == POOL_HDR_SIZE, "pool header size");
_Static_assert(offsetof(struct pool_hdr, arch) == 0x80, "arch offset");
_Static_assert(offsetof(struct pool_hdr, sds) == 0xFB8, "sds offset");
_Static_assert(sizeof(struct shutdown_state) == 64, "sds size");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	"the on-media format is little-endian; big-endian hosts need swaps");

/* 16 random bytes laid out as a version-4 UUID in PMDK's byte order. */
int pool_uuid_generate(uint8_t uuid[POOL_UUID_LEN]);

/*
 * Fills a header for a new single-file pool: fresh uuids (the part and
 * replica links point to itself), this host's architecture flags, the
 * given features and creation time, and the checksum. SDS stays zero.
 */
void pool_hdr_init(struct pool_hdr *hdr, const char *signature,
	uint32_t compat, uint32_t incompat, uint64_t crtime);

/*
 * Checks a header read from `path` in PMDK's order (doc/format.md §2.7).
 * Returns 0 and sets *rdonly when an unknown ro_compat bit forces a
 * read-only open; -1 with errno EINVAL and a message otherwise.
 */
int pool_hdr_check(const struct pool_hdr *hdr, const char *signature,
	const char *path, bool *rdonly);

/*
 * The header's signature as a C string fit for a one-line message (up to
 * its first NUL): other bytes outside printable ASCII become '.', so a
 * damaged file cannot put a newline or a terminal escape into a message.
 */
void pool_hdr_signature_str(const struct pool_hdr *hdr,
	char out[POOL_HDR_SIG_LEN + 1]);

/*
 * End of the bytes the header checksum covers (doc/format.md §11): 2048 with
 * CKSUM_2K in incompat, else the checksum field's offset (the SDS too).
 */
size_t pool_hdr_csum_end(uint32_t incompat);

/* Whether the shutdown state holds anything but zeros. */
bool pool_hdr_sds_dirty(const struct pool_hdr *hdr);

/*
 * Whether the SDS may change without touching the header checksum (its
 * range stops before the SDS, CKSUM_2K). Without it, an SDS update and
 * the checksum store are two stores a crash can separate, leaving a
 * header that no library opens; such headers are left alone.
 */
bool pool_hdr_sds_outside_csum(const struct pool_hdr *hdr);

/*
 * Links a header into a pool set (doc/format.md §2.4): the set's uuid, the
 * uuids of the previous and next parts and of part 0 (the one replica),
 * then recomputes the checksum.
 */
void pool_hdr_set_links(struct pool_hdr *hdr,
	const uint8_t poolset_uuid[POOL_UUID_LEN],
	const uint8_t prev_part[POOL_UUID_LEN],
	const uint8_t next_part[POOL_UUID_LEN],
	const uint8_t part0[POOL_UUID_LEN]);

/*
 * Checks the headers of all parts of one pool (a single file is a pool of
 * one part; a SINGLEHDR set gives only part 0's header): each one by
 * pool_hdr_check, then that they describe this very set (doc/format.md §2.7
 * steps 7-8): same poolset uuid and features as part 0, part links forming
 * the circle in set order, replica links pointing to part 0, and the
 * SINGLEHDR bit agreeing with the set file. A part opened on its own fails
 * here ("wrong part UUID"). paths[k] names part k in messages.
 * Returns 0 (setting *rdonly as pool_hdr_check) or -1 with errno EINVAL.
 */
int pool_hdr_check_set(const struct pool_hdr *hdrs, unsigned n,
	bool singlehdr, const char *signature, const char *const paths[],
	bool *rdonly);
#endif
