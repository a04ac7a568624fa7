/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_helpers.h -- what the unit_*, api_* and hostile_* tests share.
 *
 * - A scratch directory under /tmp, made on first use and removed (with
 *   everything in it) at exit.
 * - Small file helpers: make, read, patch, truncate, copy, snapshot.
 * - Pool helpers: make a pool with known contents, locate its BTT
 *   structures, patch its header or info blocks with a fixed checksum.
 * - A BTT namespace on anonymous memory (persist_none backend) for tests
 *   of the engine without any file.
 *
 * Every helper fails the test (UT_FAIL) when its own system calls fail,
 * so the tests read as the scenario alone.
 */
#ifndef PMEMBLK_UNIT_HELPERS_H
#define PMEMBLK_UNIT_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include "btt.h"
#include "btt_layout.h"
#include "libpmemblk.h"
#include "pool_hdr.h"
#include "ut.h"

/* PMEMBLK_MIN_POOL without including the public header here. */
#define UT_MIN_POOL ((size_t)(16u << 20) + 8192u)
#define UT_MiB ((size_t)1 << 20)
#define UT_NS_OFF 8192u		/* start of the BTT namespace in a pool */
#define UT_DESC_OFF 4096u	/* blk descriptor page */

/* ---- messages ---- */

/* Fails unless the thread's pmemblk_errormsg() contains `needle`. */
#define UT_ASSERT_MSG(needle) ut_assert_msg(__FILE__, __LINE__, (needle))
void ut_assert_msg(const char *file, int line, const char *needle);

/* ---- scratch directory and paths ---- */

/* The test's scratch directory (mode 0700 unless changed by the test). */
const char *ut_dir(void);

/*
 * "<scratch dir>/<printf result>". The string lives in one of 16
 * rotating buffers: copy it if you need it for long.
 */
const char *ut_path(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* ---- files ---- */

/* A file of `size` zero bytes (sparse) with the given mode. */
void ut_file_make(const char *path, size_t size, mode_t mode);
size_t ut_file_size(const char *path);
mode_t ut_file_mode(const char *path);
bool ut_file_exists(const char *path);
bool ut_file_is_regular(const char *path);
void ut_file_read_at(const char *path, uint64_t off, void *buf, size_t len);
void ut_file_write_at(const char *path, uint64_t off, const void *buf,
	size_t len);
void ut_file_truncate(const char *path, size_t size);
/* Copies src to dst (replaced), keeping holes where src has zeros. */
void ut_file_copy(const char *src, const char *dst);

/* Size and hash of a whole file, to prove that a call wrote nothing. */
struct ut_snapshot {
	size_t size;
	uint64_t hash;
};
void ut_snapshot_take(const char *path, struct ut_snapshot *snap);
/* Fails the test if the file's size or contents differ from the snapshot. */
void ut_snapshot_assert_same(const char *path, const struct ut_snapshot *snap);

/* ---- block contents ---- */

/* Deterministic bytes for (seed, block); tests compare with them. */
void ut_fill(void *buf, size_t len, uint64_t seed, uint64_t block);
bool ut_is_filled(const void *buf, size_t len, uint64_t seed, uint64_t block);
bool ut_is_zero(const void *buf, size_t len);

/* ---- pools (through the public API) ---- */

/*
 * Creates a pool file and writes blocks 0..nwritten-1 with
 * ut_fill(seed = 1, block); nwritten 0 leaves the BTT unformatted.
 */
void ut_pool_make(const char *path, size_t bsize, size_t poolsize,
	unsigned nwritten);

/* File offsets of the single arena's structures, from its primary info. */
struct ut_layout {
	struct btt_info info;
	uint64_t arena;		/* file offset of the arena (= primary info) */
	uint64_t data, map, flog, backup;
};
void ut_layout_load(const char *path, struct ut_layout *lay);

void ut_hdr_load(const char *path, struct pool_hdr *hdr);
/* Stores the header, first recomputing its checksum when `fix_csum`. */
void ut_hdr_store(const char *path, struct pool_hdr *hdr, bool fix_csum);

/* Whether an info block's stored checksum matches its bytes. */
bool ut_info_csum_ok(const struct btt_info *info);
void ut_info_load(const char *path, uint64_t off, struct btt_info *info);
void ut_info_store(const char *path, uint64_t off, struct btt_info *info,
	bool fix_csum);
/* Stores the info block at both places (primary and backup). */
void ut_info_store_both(const char *path, const struct ut_layout *lay,
	struct btt_info *info);

uint32_t ut_map_load(const char *path, const struct ut_layout *lay,
	uint32_t lba);
void ut_map_store(const char *path, const struct ut_layout *lay,
	uint32_t lba, uint32_t entry);

/* Both slots of flog pair `lane`. */
void ut_flog_load(const char *path, const struct ut_layout *lay,
	uint32_t lane, struct btt_flog slot[2]);
void ut_flog_store(const char *path, const struct ut_layout *lay,
	uint32_t lane, const struct btt_flog slot[2]);

/*
 * The hostile-file verdict: pmemblk_open fails with `err` (message
 * containing `msg` unless NULL), pmemblk_check fails the same way, and the
 * file is byte for byte what it was.
 */
#define UT_EXPECT_REFUSED(path, err, msg) \
	ut_expect_refused(__FILE__, __LINE__, (path), (err), (msg))
void ut_expect_refused(const char *file, int line, const char *path, int err,
	const char *msg);

/*
 * The "never written through the BTT" verdict (doc/design.md §5): open
 * succeeds, the first and last blocks read as zeros, pmemblk_check says
 * consistent, and neither changes the file.
 */
#define UT_EXPECT_UNFORMATTED(path) \
	ut_expect_unformatted(__FILE__, __LINE__, (path))
void ut_expect_unformatted(const char *file, int line, const char *path);

/* ---- a BTT namespace on anonymous memory ---- */

struct ut_ns {
	uint8_t *mem;
	uint64_t size;
	struct btt_params params;
};

/* Maps size bytes of zeroed anonymous memory as a namespace. */
void ut_ns_init(struct ut_ns *ns, uint64_t size, uint32_t bsize);
void ut_ns_fini(struct ut_ns *ns);
/* btt_open, failing the test if it fails. */
struct btt *ut_ns_open(struct ut_ns *ns);

/* The arena-0 structures, located through its primary info block. */
struct btt_info *ut_ns_info(struct ut_ns *ns);
struct btt_info *ut_ns_backup_info(struct ut_ns *ns);
uint32_t *ut_ns_map(struct ut_ns *ns);
struct btt_flog *ut_ns_flog_pair(struct ut_ns *ns, uint32_t lane);
/* Address of post-map block `block` in the data area. */
uint8_t *ut_ns_block(struct ut_ns *ns, uint32_t block);

/*
 * Writes bsize bytes of buf to lba through the write steps and returns the
 * lane used. With lane >= 0 the write is forced onto that lane (the other
 * lanes the engine offers are held meanwhile, then released).
 */
uint32_t ut_btt_write_on(struct btt *btt, uint64_t lba, const void *buf,
	size_t bsize, int lane);

/* Index (0/1) of a flog pair's current slot per doc/format.md §6, -1 none. */
int ut_flog_current(const struct btt_flog slot[2]);

#endif
