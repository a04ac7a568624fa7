/*
 * persist.c -- persistence backends on top of libpmem.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libpmem.h>

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
 * A cached store followed by a flush leaves the line invalid or in flight,
 * so the next store into it (the second flog half, the next write of the
 * lane) waits for a read from memory; a non-temporal store never reads the
 * line. It is durable at the next drain (SFENCE), like a flushed line.
 */
static void
pmem_write_word(const struct persist_ops *ops, void *dst, uint64_t value,
	size_t len)
{
	(void) ops;
#if defined(__x86_64__)
	if (len == sizeof(uint64_t))
		__builtin_ia32_movnti64((long long *)dst, (long long)value);
	else
		__builtin_ia32_movnti((int *)dst, (int)value);
#else
	store_word(dst, value, len);
	pmem_flush(dst, len);
#endif
}

const struct persist_ops persist_pmem = {
	.flush = pmem_flush_range,
	.drain = pmem_fence,
	.copy = pmem_copy,
	.fill = pmem_fill,
	.write_word = pmem_write_word,
	.flush_is_sync = false,
};

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
	return is_pmem ? &persist_pmem : &persist_msync;
}
