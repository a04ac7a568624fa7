/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool.c -- creating, opening, locking and mapping pools: single files and
 * pool sets alike (a single file is a pool of one part).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "out.h"
#include "pool.h"
#include "pool_hdr.h"
#include "poolset.h"
#include "mem.h"

/*
 * The pool's address range is aligned to this, so that a DAX file can be
 * mapped with huge pages, as it would be by a plain mmap of the file.
 */
#define POOL_MAP_ALIGN ((uintptr_t)2 << 20)

static size_t
usable(size_t size)
{
	return size & ~(size_t)(POOL_ALIGN - 1);
}

/* Where part k's share of the pool starts in its file. */
static size_t
part_file_off(const struct pool_file *pf, unsigned k)
{
	return k > 0 && !pf->singlehdr ? POOL_HDR_SIZE : 0;
}

static size_t
part_len(const struct pool_file *pf, unsigned k)
{
	return usable(pf->parts[k].size) - part_file_off(pf, k);
}

/*
 * doc/format.md §12.2: the parts' usable sizes minus the extra headers.
 * SIZE_MAX if they add up to more than a size_t holds (a set file may
 * list parts up to 2^63 bytes each; set_check_sizes refuses that).
 */
static size_t
layout_size(const struct pool_file *pf)
{
	size_t total = 0;
	for (unsigned k = 0; k < pf->nparts; k++)
		if (__builtin_add_overflow(total, part_len(pf, k), &total))
			return SIZE_MAX;
	return total;
}

/* pread or pwrite of exactly len bytes. */
static int
io_full(int fd, void *buf, size_t len, off_t off, bool write_it,
	const char *path)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write_it ?
			pwrite(fd, (char *)buf + done, len - done,
				off + (off_t)done) :
			pread(fd, (char *)buf + done, len - done,
				off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys("%s \"%s\"", write_it ? "write" : "read",
				path);
		if (n == 0)
			return err_set(EINVAL, "%s: file shorter than expected",
				path);
		done += (size_t)n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* the list of parts                                                   */

static int
parts_alloc(struct pool_file *pf, unsigned n)
{
	pf->parts = blk_zalloc(n * sizeof(*pf->parts));
	if (pf->parts == NULL)
		return -1;
	for (unsigned k = 0; k < n; k++)
		pf->parts[k].fd = -1;
	pf->nparts = n;
	return 0;
}

static int
parts_single(struct pool_file *pf, const char *path, size_t size)
{
	if (parts_alloc(pf, 1) != 0)
		return -1;
	size_t len = strlen(path) + 1;
	pf->parts[0].path = blk_malloc(len);
	if (pf->parts[0].path == NULL)
		return -1;
	memcpy(pf->parts[0].path, path, len);
	pf->parts[0].size = size;
	return 0;
}

/* Takes the parts of a parsed set (the paths change owner). */
static int
parts_from_set(struct pool_file *pf, struct poolset *set)
{
	if (parts_alloc(pf, set->nparts) != 0)
		return -1;
	pf->is_set = true;
	pf->singlehdr = set->singlehdr;
	for (unsigned k = 0; k < set->nparts; k++) {
		pf->parts[k].path = set->parts[k].path;
		pf->parts[k].size = set->parts[k].size;
		set->parts[k].path = NULL;
	}
	return 0;
}

/* Refuses parts too small, and a pool smaller than min_size. */
static int
set_check_sizes(const struct pool_file *pf, size_t min_size)
{
	for (unsigned k = 0; k < pf->nparts; k++) {
		const struct pool_part *part = &pf->parts[k];
		if (usable(part->size) < POOL_MIN_PART)
			return err_set(EINVAL, "%s: size %zu smaller than %zu",
				part->path, part->size, POOL_MIN_PART);
	}
	size_t total = layout_size(pf);
	if (total == SIZE_MAX)
		return err_set(EINVAL,
			"pool set: the sizes of its parts add up to more than 2^64 bytes (overflow)");
	if (total < min_size)
		return err_set(EINVAL, "pool set pool size %zu smaller than %zu",
			total, min_size);
	return 0;
}

/*
 * Looks at `path` without writing: a pool set file is parsed into *setp;
 * anything else leaves *setp NULL (a single pool file). Directories and
 * anything but regular files are refused. O_NONBLOCK: a FIFO must not
 * block us.
 */
static int
probe_path(const char *path, struct poolset **setp)
{
	*setp = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return err_sys("open \"%s\"", path);
	struct stat st;
	int ret = 0;
	if (fstat(fd, &st) != 0)
		ret = err_sys("stat \"%s\"", path);
	else if (S_ISDIR(st.st_mode))
		ret = err_set(EINVAL, "%s: is a directory, not a pool", path);
	else if (!S_ISREG(st.st_mode))
		ret = err_set(EINVAL,
			"%s: not a regular file (device DAX is not supported)",
			path);
	else if (poolset_is_set_file(fd))
		ret = poolset_parse(fd, path, setp);
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* one part                                                            */

/*
 * Opens an existing part read-write. A part of a set must have exactly the
 * size the set file gives; a single file's size is whatever it is.
 */
static int
part_open(const struct pool_file *pf, struct pool_part *part)
{
	part->fd = open(part->path, O_RDWR | O_CLOEXEC);
	if (part->fd < 0) {
		if (errno != EISDIR)
			return err_sys("open \"%s\"", part->path);
		/* PMDK grows SINGLEHDR sets in directories; we do not */
		if (pf->singlehdr)
			return err_set(EOPNOTSUPP,
				"%s: directory parts are not supported",
				part->path);
		return err_set(EINVAL,
			"%s: directory based pools are not supported for pool sets with headers (without SINGLEHDR option)",
			part->path);
	}
	struct stat st;
	if (fstat(part->fd, &st) != 0)
		return err_sys("stat \"%s\"", part->path);
	if (!S_ISREG(st.st_mode))
		return err_set(EINVAL,
			"%s: not a regular file (device DAX is not supported)",
			part->path);
	if (pf->is_set && (size_t)st.st_size != part->size)
		return err_set(EINVAL,
			"%s: file size does not match the pool set: %zu != %zu",
			part->path, (size_t)st.st_size, part->size);
	part->size = (size_t)st.st_size;
	return 0;
}

/* A new part file: mode 0 until the pool is made, fully allocated. */
static int
part_create(struct pool_part *part)
{
	if (part->size > INT64_MAX)
		return err_set(EFBIG, "invalid size %zu for a file", part->size);
	part->fd = open(part->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (part->fd < 0)
		return err_sys("open \"%s\"", part->path);
	part->created = true;
	int ret = posix_fallocate(part->fd, 0, (off_t)part->size);
	if (ret != 0) {
		errno = ret;
		return err_sys("posix_fallocate \"%s\", %zu bytes", part->path,
			part->size);
	}
	return 0;
}

static int
part_lock(struct pool_part *part)
{
	if (flock(part->fd, LOCK_EX | LOCK_NB) != 0)
		return err_sys("flock \"%s\"", part->path);
	return 0;
}

/* An existing file becomes a part of a new pool only if it holds none. */
static int
part_adopt(struct pool_part *part, bool fallocate_it)
{
	unsigned char hdr[POOL_HDR_SIZE];
	if (io_full(part->fd, hdr, sizeof(hdr), 0, false, part->path) != 0)
		return -1;
	if (!mem_is_zero(hdr, sizeof(hdr)))
		return err_set(EEXIST, "%s: Non-empty file detected", part->path);
	if (fallocate_it) {
		int ret = posix_fallocate(part->fd, 0, (off_t)part->size);
		if (ret != 0) {
			errno = ret;
			return err_sys("posix_fallocate \"%s\"", part->path);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* the mapping                                                         */

/*
 * Maps every part at its place in the range at pf->addr (MAP_FIXED, so
 * it also replaces mappings already there); *all_pmem: every part is
 * persistent memory.
 */
static int
map_each_part(struct pool_file *pf, bool private_map, bool *all_pmem)
{
	uint8_t *base = pf->addr;
	size_t off = 0;
	*all_pmem = true;
	for (unsigned k = 0; k < pf->nparts; k++) {
		struct pool_part *part = &pf->parts[k];
		size_t len = part_len(pf, k);
		bool pmem;
		if (persist_map(part->fd, base + off, len,
				(off_t)part_file_off(pf, k), private_map,
				&pmem) == NULL)
			return err_sys("mmap \"%s\"", part->path);
		LOG(4, "part %u %s: file offset %zu, %zu bytes at %p%s", k,
			part->path, part_file_off(pf, k), len,
			(void *)(base + off), pmem ? ", pmem" : "");
		*all_pmem = *all_pmem && pmem;
		off += len;
	}
	return 0;
}

/*
 * Reserves one address range for the whole pool and maps every part into
 * it, so the BTT sees one linear namespace however many files hold it.
 */
static int
map_parts(struct pool_file *pf, bool private_map)
{
	size_t total = layout_size(pf);
	size_t span = total + POOL_MAP_ALIGN;
	uint8_t *res = mmap(NULL, span, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return err_sys("reserving %zu bytes of address space", total);
	uintptr_t start = ((uintptr_t)res + POOL_MAP_ALIGN - 1) &
		~(POOL_MAP_ALIGN - 1);
	uint8_t *base = (uint8_t *)start;
	size_t head = (size_t)(base - res);
	if (head > 0)
		munmap(res, head);
	if (span - head > total)
		munmap(base + total, span - head - total);
	pf->addr = base;	/* from here on, close unmaps it */
	pf->poolsize = total;

	bool all_pmem;
	if (map_each_part(pf, private_map, &all_pmem) != 0)
		return -1;
	pf->is_pmem = all_pmem;
	pf->private_map = private_map;
	pf->ops = persist_ops_for(private_map, all_pmem);
	return 0;
}

int
pool_file_make_private(struct pool_file *pf)
{
	bool all_pmem;
	/* MAP_FIXED replaces the shared pages in one step */
	if (map_each_part(pf, true, &all_pmem) != 0)
		return -1;
	pf->private_map = true;
	pf->ops = persist_ops_for(true, pf->is_pmem);
	return 0;
}

/* ------------------------------------------------------------------ */
/* create                                                              */

static int
create_new(struct pool_file *pf, const char *path, size_t poolsize,
	size_t min_size)
{
	struct stat st;
	if (stat(path, &st) == 0)	/* EEXIST even for a directory, as PMDK */
		return err_set(EEXIST, S_ISDIR(st.st_mode) ?
			"%s already exists and is a directory (a pool is a "
			"file)" : "file %s already exists", path);
	if (usable(poolsize) < min_size)
		return err_set(EINVAL, "pool size %zu smaller than %zu",
			usable(poolsize), min_size);
	if (parts_single(pf, path, poolsize) != 0)
		return -1;
	if (part_create(&pf->parts[0]) != 0 || part_lock(&pf->parts[0]) != 0)
		return -1;
	pf->zeroed = true;
	return 0;
}

/* Create with poolsize 0 on an existing single file. */
static int
create_on_file(struct pool_file *pf, const char *path, size_t min_size,
	bool fallocate_existing)
{
	if (parts_single(pf, path, 0) != 0)
		return -1;
	struct pool_part *part = &pf->parts[0];
	if (part_open(pf, part) != 0)
		return -1;
	if (usable(part->size) < min_size)
		return err_set(EINVAL,
			"file is not a poolset file and its size (%zu) is smaller than %zu",
			part->size, min_size);
	if (part_lock(part) != 0)
		return -1;
	return part_adopt(part, fallocate_existing);
}

/*
 * Create on a pool set: parts that exist are adopted (right size, zero
 * header), missing ones are created. Sizes are checked before any file is
 * touched.
 */
static int
create_on_set(struct pool_file *pf, struct poolset *set, size_t min_size,
	bool fallocate_existing)
{
	if (parts_from_set(pf, set) != 0 || set_check_sizes(pf, min_size) != 0)
		return -1;
	bool all_created = true;
	for (unsigned k = 0; k < pf->nparts; k++) {
		struct pool_part *part = &pf->parts[k];
		int ret = part_open(pf, part);
		bool missing = ret != 0 && errno == ENOENT;
		if (missing)
			ret = part_create(part);
		if (ret == 0)
			ret = part_lock(part);
		if (ret == 0 && !missing)
			ret = part_adopt(part, fallocate_existing);
		if (ret != 0)
			return -1;
		all_created = all_created && missing;
	}
	pf->zeroed = all_created;
	return 0;
}

static int
create_on_existing(struct pool_file *pf, const char *path, size_t min_size,
	bool fallocate_existing)
{
	struct poolset *set;
	if (probe_path(path, &set) != 0)
		return -1;
	if (set == NULL)
		return create_on_file(pf, path, min_size, fallocate_existing);
	int ret = create_on_set(pf, set, min_size, fallocate_existing);
	poolset_free(set);
	return ret;
}

int
pool_file_create(struct pool_file *pf, const char *path, size_t poolsize,
	size_t min_size, bool fallocate_existing)
{
	memset(pf, 0, sizeof(*pf));
	int ret = poolsize != 0 ?
		create_new(pf, path, poolsize, min_size) :
		create_on_existing(pf, path, min_size, fallocate_existing);
	struct stat st;
	if (ret == 0 && fstat(pf->parts[0].fd, &st) != 0)
		ret = err_sys("stat \"%s\"", pf->parts[0].path);
	if (ret == 0) {
		pf->crtime = st.st_ctime;
		ret = map_parts(pf, false);
	}
	if (ret != 0)
		pool_file_close(pf, true);
	return ret;
}

/* ------------------------------------------------------------------ */
/* open                                                                */

int
pool_file_open(struct pool_file *pf, const char *path, size_t min_size,
	bool private_map)
{
	memset(pf, 0, sizeof(*pf));
	struct poolset *set;
	int ret = probe_path(path, &set);
	if (ret == 0 && set != NULL) {
		ret = parts_from_set(pf, set);
		poolset_free(set);
		if (ret == 0)
			ret = set_check_sizes(pf, 0);
	} else if (ret == 0) {
		ret = parts_single(pf, path, 0);
	}
	for (unsigned k = 0; ret == 0 && k < pf->nparts; k++) {
		struct pool_part *part = &pf->parts[k];
		ret = part_open(pf, part);
		if (ret == 0 && !pf->is_set && part->size < min_size)
			ret = err_set(EINVAL, "%s: size %zu smaller than %zu",
				path, part->size, min_size);
		if (ret == 0)
			ret = part_lock(part);
	}
	if (ret == 0)
		ret = map_parts(pf, private_map);
	if (ret != 0)
		pool_file_close(pf, false);
	return ret;
}

/* ------------------------------------------------------------------ */
/* headers                                                             */

/* The number of parts that carry a header. */
static unsigned
nheaders(const struct pool_file *pf)
{
	return pf->singlehdr ? 1 : pf->nparts;
}

int
pool_file_write_hdrs(struct pool_file *pf, struct pool_hdr *hdr)
{
	unsigned n = nheaders(pf);
	if (n > 1) {
		struct pool_hdr *hdrs = blk_malloc(n * sizeof(*hdrs));
		if (hdrs == NULL)
			return -1;
		int ret = 0;
		for (unsigned k = 0; k < n && ret == 0; k++) {
			hdrs[k] = *hdr;
			if (k > 0)
				ret = pool_uuid_generate(hdrs[k].uuid);
		}
		for (unsigned k = 0; k < n && ret == 0; k++)
			pool_hdr_set_links(&hdrs[k], hdr->poolset_uuid,
				hdrs[(k + n - 1) % n].uuid,
				hdrs[(k + 1) % n].uuid, hdrs[0].uuid);
		/* the other parts first: part 0's header makes it a pool */
		for (unsigned k = 1; k < n && ret == 0; k++) {
			struct pool_part *part = &pf->parts[k];
			ret = io_full(part->fd, &hdrs[k], sizeof(hdrs[k]), 0,
				true, part->path);
			if (ret == 0 && fdatasync(part->fd) != 0)
				ret = err_sys("fdatasync \"%s\"", part->path);
		}
		if (ret == 0)
			*hdr = hdrs[0];
		blk_free(hdrs);
		if (ret != 0)
			return -1;
	}
	pf->ops->copy(pf->ops, pf->addr, hdr, sizeof(*hdr));
	pf->ops->drain(pf->ops);
	return 0;
}

int
pool_file_check_hdrs(struct pool_file *pf, const char *signature,
	bool *rdonly)
{
	unsigned n = nheaders(pf);
	struct pool_hdr *hdrs = blk_malloc(n * sizeof(*hdrs));
	const char **paths = blk_malloc(n * sizeof(*paths));
	int ret = hdrs != NULL && paths != NULL ? 0 : -1;
	for (unsigned k = 0; k < n && ret == 0; k++) {
		struct pool_part *part = &pf->parts[k];
		paths[k] = part->path;
		if (k == 0)
			memcpy(&hdrs[0], pf->addr, sizeof(hdrs[0]));
		else
			ret = io_full(part->fd, &hdrs[k], sizeof(hdrs[k]), 0,
				false, part->path);
	}
	if (ret == 0)
		ret = pool_hdr_check_set(hdrs, n, pf->singlehdr, signature,
			paths, rdonly);
	if (hdrs != NULL)
		blk_free(hdrs);
	if (paths != NULL)
		blk_free(paths);
	return ret;
}

/* ------------------------------------------------------------------ */
/* the rest                                                            */

void
pool_file_prefault(struct pool_file *pf)
{
	volatile uint8_t *p = pf->addr;
	for (size_t off = 0; off < pf->poolsize; off += POOL_ALIGN)
		p[off] = p[off];
}

int
pool_file_set_mode(struct pool_file *pf, mode_t mode)
{
	for (unsigned k = 0; k < pf->nparts; k++) {
		struct pool_part *part = &pf->parts[k];
		if (part->created && fchmod(part->fd, mode) != 0)
			return err_sys("chmod \"%s\"", part->path);
	}
	return 0;
}

void
pool_file_close(struct pool_file *pf, bool discard)
{
	int saved_errno = errno;
	if (pf->addr != NULL)
		munmap(pf->addr, pf->poolsize);
	for (unsigned k = 0; k < pf->nparts; k++) {
		struct pool_part *part = &pf->parts[k];
		/* removed while still locked: nobody opens a half-made pool */
		if (discard && part->created)
			unlink(part->path);
		if (part->fd >= 0)
			close(part->fd);	/* drops the flock */
		if (part->path != NULL)
			blk_free(part->path);
	}
	if (pf->parts != NULL)
		blk_free(pf->parts);
	memset(pf, 0, sizeof(*pf));
	errno = saved_errno;
}
