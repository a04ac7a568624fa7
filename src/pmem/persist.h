/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist.h -- the persistence backend: how a pool is mapped and how
 * stores into it are made durable.
 *
 * Owns: the mapping of a file and the choice between the three ways of
 * making data durable. The BTT and the pool header code only ever call
 * through a struct persist_ops, so a test can substitute its own backend
 * (the crash simulator records every flush and fence this way).
 *
 * Contract: flush() starts writing a range back; the range is durable once
 * a later drain() returns. copy(), fill() and write_word() store and flush.
 * persist() is flush() then drain().
 */
#ifndef PMEMBLK_PERSIST_H
#define PMEMBLK_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct persist_ops {
	void (*flush)(const struct persist_ops *ops, const void *addr,
		size_t len);
	void (*drain)(const struct persist_ops *ops);
	void (*copy)(const struct persist_ops *ops, void *dst,
		const void *src, size_t len);
	void (*fill)(const struct persist_ops *ops, void *dst, int c,
		size_t len);
	/*
	 * Stores one naturally aligned 4- or 8-byte word (len) in a single
	 * store, so a concurrent atomic load sees the old or the new value,
	 * and starts its write-back as copy() does. The BTT's metadata
	 * stores (flog halves, map entries) go through here. On pmem the
	 * store is cached + flushed, or non-temporal (persist_pmem_nt), by
	 * CPU (see persist_word_store below). A non-temporal store is
	 * weakly ordered: it publishes earlier stores (as a release store
	 * would) only when a drain() separates them, as it does in every
	 * BTT use.
	 */
	void (*write_word)(const struct persist_ops *ops, void *dst,
		uint64_t value, size_t len);
	/*
	 * true when flush() already waits for the data: msync, which writes
	 * whole pages back from coherent memory. Then stores within one
	 * cache line reach the file in program order, with no flush between
	 * them (see flog_commit).
	 */
	bool flush_is_sync;
};

static inline void
persist(const struct persist_ops *ops, const void *addr, size_t len)
{
	ops->flush(ops, addr, len);
	ops->drain(ops);
}

/*
 * A single atomic store of a 4- or 8-byte word: write_word()'s store. A
 * release store, so that a reader that loads the word (a map entry) with
 * acquire also sees the stores made before it (the block's new data).
 */
static inline void
store_word(void *dst, uint64_t value, size_t len)
{
	if (len == sizeof(uint64_t))
		__atomic_store_n((uint64_t *)dst, value, __ATOMIC_RELEASE);
	else
		__atomic_store_n((uint32_t *)dst, (uint32_t)value,
			__ATOMIC_RELEASE);
}

/*
 * Real persistent memory (or PMEM_IS_PMEM_FORCE=1): CPU cache flushes.
 * The two differ in write_word only: a cached store and a flush of its
 * line, or a non-temporal store. Both make the word durable at the next
 * drain(), so the crash guarantees are the same (tests/crash runs both).
 */
extern const struct persist_ops persist_pmem;
extern const struct persist_ops persist_pmem_nt;
/* Page-cache files: msync of the pages touched. */
extern const struct persist_ops persist_msync;
/* Private (copy-on-write) mappings: nothing ever reaches the file. */
extern const struct persist_ops persist_none;

/*
 * Maps len bytes of fd from file offset `offset`, shared or private; at
 * address `at` (replacing what is there, e.g. a reservation) unless NULL.
 * *is_pmem tells whether the mapping is persistent memory (MAP_SYNC
 * worked, or libpmem's PMEM_IS_PMEM_FORCE says so). Returns the address
 * or NULL (errno set).
 */
void *persist_map(int fd, void *at, size_t len, off_t offset,
	bool private_map, bool *is_pmem);

/*
 * The backend a mapping needs; for pmem, the metadata store in force
 * when it is called (a pool keeps the backend it was opened with).
 */
const struct persist_ops *persist_ops_for(bool private_map, bool is_pmem);

/*
 * How pmem backends store metadata words: the ctl entry
 * persist.metadata_store (values as PMEMBLK_METADATA_STORE_* in
 * libpmemblk.h). AUTO asks cpu_metadata_store_nt().
 */
enum persist_word_store {
	PERSIST_WORD_AUTO = 0,
	PERSIST_WORD_NT = 1,
	PERSIST_WORD_CACHED = 2,
};

/* The setting (default AUTO); set rejects other values (-1). */
enum persist_word_store persist_word_store_get(void);
int persist_word_store_set(int value);
/*
 * The store pools get now: NT or CACHED, never AUTO; *why (if not NULL)
 * says what decided it. NT only where the CPU has non-temporal stores.
 */
enum persist_word_store persist_word_store_resolved(const char **why);
/* "auto", "nt", "cached" */
const char *persist_word_store_name(enum persist_word_store s);

#endif
