/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist.c -- persistence backends on top of libpmem.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libpmem.h>

#include "cpu.h"
#include "persist.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

static void
pmem_flush_range(const struct persist_ops *ops, const void *addr, size_t len)
{
	(void) ops;
	pmem_flush(addr, len);
}

static void
pmem_fence(const struct persist_ops *ops)
{
	(void) ops;
	pmem_drain();
}

static void
pmem_copy(const struct persist_ops *ops, void *dst, const void *src,
	size_t len)
{
	(void) ops;
	pmem_memcpy_nodrain(dst, src, len);
}

static void
pmem_fill(const struct persist_ops *ops, void *dst, int c, size_t len)
{
	(void) ops;
	pmem_memset_nodrain(dst, c, len);
}

/*
 * The two metadata stores (doc/cpu_strategies.md). A cached store and a
 * flush of its line (PMDK's way) is durable at the next drain; so is a
 * non-temporal store, which never reads the line. Which is faster depends
 * on whether the CPU keeps a line cached after writing it back (cpu.c).
 */
static void
pmem_write_word_cached(const struct persist_ops *ops, void *dst,
	uint64_t value, size_t len)
{
	(void) ops;
	store_word(dst, value, len);
	pmem_flush(dst, len);
}

static void
pmem_write_word_nt(const struct persist_ops *ops, void *dst, uint64_t value,
	size_t len)
{
#if defined(__x86_64__)
	(void) ops;
	if (len == sizeof(uint64_t))
		__builtin_ia32_movnti64((long long *)dst, (long long)value);
	else
		__builtin_ia32_movnti((int *)dst, (int)value);
#else
	pmem_write_word_cached(ops, dst, value, len);
#endif
}

const struct persist_ops persist_pmem = {
	.flush = pmem_flush_range,
	.drain = pmem_fence,
	.copy = pmem_copy,
	.fill = pmem_fill,
	.write_word = pmem_write_word_cached,
	.flush_is_sync = false,
};

const struct persist_ops persist_pmem_nt = {
	.flush = pmem_flush_range,
	.drain = pmem_fence,
	.copy = pmem_copy,
	.fill = pmem_fill,
	.write_word = pmem_write_word_nt,
	.flush_is_sync = false,
};

/* The ctl setting; read at every map, written by ctl (any thread). */
static int word_store = PERSIST_WORD_AUTO;

enum persist_word_store
persist_word_store_get(void)
{
	return (enum persist_word_store)__atomic_load_n(&word_store,
		__ATOMIC_RELAXED);
}

int
persist_word_store_set(int value)
{
	if (value != PERSIST_WORD_AUTO && value != PERSIST_WORD_NT &&
			value != PERSIST_WORD_CACHED)
		return -1;
	__atomic_store_n(&word_store, value, __ATOMIC_RELAXED);
	return 0;
}

enum persist_word_store
persist_word_store_resolved(const char **why)
{
	const char *dummy;
	if (why == NULL)
		why = &dummy;
#if !defined(__x86_64__)
	*why = "no non-temporal word store on this architecture";
	return PERSIST_WORD_CACHED;
#else
	switch (persist_word_store_get()) {
	case PERSIST_WORD_NT:
		*why = "set by persist.metadata_store";
		return PERSIST_WORD_NT;
	case PERSIST_WORD_CACHED:
		*why = "set by persist.metadata_store";
		return PERSIST_WORD_CACHED;
	default:
		return cpu_metadata_store_nt(cpu_info(), why) ?
			PERSIST_WORD_NT : PERSIST_WORD_CACHED;
	}
#endif
}

const char *
persist_word_store_name(enum persist_word_store s)
{
	switch (s) {
	case PERSIST_WORD_NT:
		return "nt";
	case PERSIST_WORD_CACHED:
		return "cached";
	default:
		return "auto";
	}
}

/* msync is synchronous, so a "flush" is already durable: drain is empty. */
static void
msync_range(const struct persist_ops *ops, const void *addr, size_t len)
{
	(void) ops;
	pmem_msync(addr, len);
}

static void
no_fence(const struct persist_ops *ops)
{
	(void) ops;
}

static void
msync_copy(const struct persist_ops *ops, void *dst, const void *src,
	size_t len)
{
	memcpy(dst, src, len);
	msync_range(ops, dst, len);
}

static void
msync_fill(const struct persist_ops *ops, void *dst, int c, size_t len)
{
	memset(dst, c, len);
	msync_range(ops, dst, len);
}

static void
msync_write_word(const struct persist_ops *ops, void *dst, uint64_t value,
	size_t len)
{
	store_word(dst, value, len);
	msync_range(ops, dst, len);
}

const struct persist_ops persist_msync = {
	.flush = msync_range,
	.drain = no_fence,
	.copy = msync_copy,
	.fill = msync_fill,
	.write_word = msync_write_word,
	.flush_is_sync = true,
};

static void
no_flush(const struct persist_ops *ops, const void *addr, size_t len)
{
	(void) ops;
	(void) addr;
	(void) len;
}

static void
plain_copy(const struct persist_ops *ops, void *dst, const void *src,
	size_t len)
{
	(void) ops;
	memcpy(dst, src, len);
}

static void
plain_fill(const struct persist_ops *ops, void *dst, int c, size_t len)
{
	(void) ops;
	memset(dst, c, len);
}

static void
plain_write_word(const struct persist_ops *ops, void *dst, uint64_t value,
	size_t len)
{
	(void) ops;
	store_word(dst, value, len);
}

const struct persist_ops persist_none = {
	.flush = no_flush,
	.drain = no_fence,
	.copy = plain_copy,
	.fill = plain_fill,
	.write_word = plain_write_word,
	.flush_is_sync = true,
};

void *
persist_map(int fd, void *at, size_t len, off_t offset, bool private_map,
	bool *is_pmem)
{
	void *addr = MAP_FAILED;
	int fixed = at != NULL ? MAP_FIXED : 0;
	*is_pmem = false;

	if (!private_map) {
		/* MAP_SYNC succeeds only on DAX: then the mapping is pmem. */
		addr = mmap(at, len, PROT_READ | PROT_WRITE,
			MAP_SHARED_VALIDATE | MAP_SYNC | fixed, fd, offset);
		if (addr != MAP_FAILED)
			*is_pmem = true;
	}
	if (addr == MAP_FAILED) {
		/*
		 * A private mapping of a big pool (check, copy-on-write) must
		 * not be charged against the commit limit as a whole: only
		 * the pages it actually modifies ever need memory.
		 */
		int flags = private_map ? MAP_PRIVATE | MAP_NORESERVE :
			MAP_SHARED;
		addr = mmap(at, len, PROT_READ | PROT_WRITE, flags | fixed, fd,
			offset);
		if (addr == MAP_FAILED)
			return NULL;
	}

	/*
	 * libpmem answers PMEM_IS_PMEM_FORCE for us: 1 makes any mapping
	 * pmem, 0 makes none pmem, anything else keeps what MAP_SYNC said.
	 */
	const char *force = secure_getenv("PMEM_IS_PMEM_FORCE");
	if (force != NULL && strcmp(force, "0") == 0)
		*is_pmem = false;
	else if (!*is_pmem)
		*is_pmem = pmem_is_pmem(addr, len) != 0;
	return addr;
}

const struct persist_ops *
persist_ops_for(bool private_map, bool is_pmem)
{
	if (private_map)
		return &persist_none;
	if (!is_pmem)
		return &persist_msync;
	return persist_word_store_resolved(NULL) == PERSIST_WORD_NT ?
		&persist_pmem_nt : &persist_pmem;
}
