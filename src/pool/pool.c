/*
 * pool.c -- creating, opening, locking and mapping pool files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "pool.h"
#include "pool_hdr.h"

#define POOLSET_SIG "PMEMPOOLSET"
#define POOLSET_SIG_LEN (sizeof(POOLSET_SIG) - 1)

static int
open_existing(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == EISDIR)
		return err_set(EINVAL, "%s: is a directory, not a pool", path);
	return err_sys("open \"%s\"", path);
}

/* Refuses anything but a regular file that is not a pool set file. */
static int
check_file_kind(int fd, const char *path, struct stat *st)
{
	if (fstat(fd, st) != 0)
		return err_sys("stat \"%s\"", path);
	if (!S_ISREG(st->st_mode))
		return err_set(EINVAL,
			"%s: not a regular file (device DAX is not supported)",
			path);

	char sig[POOLSET_SIG_LEN];
	if (st->st_size >= (off_t)POOLSET_SIG_LEN &&
			pread(fd, sig, sizeof(sig), 0) == (ssize_t)sizeof(sig) &&
			memcmp(sig, POOLSET_SIG, POOLSET_SIG_LEN) == 0)
		return err_set(ENOTSUP, "%s: pool set files are not supported yet",
			path);
	return 0;
}

static int
lock_file(int fd, const char *path)
{
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		return err_sys("flock \"%s\"", path);
	return 0;
}

static int
map_file(struct pool_file *pf, const char *path, size_t len, bool private_map)
{
	pf->addr = persist_map(pf->fd, len, private_map, &pf->is_pmem);
	if (pf->addr == NULL)
		return err_sys("mmap \"%s\"", path);
	pf->map_len = len;
	pf->poolsize = len & ~(size_t)(POOL_ALIGN - 1);
	pf->private_map = private_map;
	pf->ops = persist_ops_for(private_map, pf->is_pmem);
	return 0;
}

static bool
all_zero(const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != 0)
			return false;
	return true;
}

static int
create_new(struct pool_file *pf, const char *path, size_t poolsize,
	size_t min_size)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return err_set(EEXIST, "file %s already exists", path);
	size_t usable = poolsize & ~(size_t)(POOL_ALIGN - 1);
	if (usable < min_size)
		return err_set(EINVAL, "pool size %zu smaller than %zu", usable,
			min_size);
	if (poolsize > INT64_MAX)
		return err_set(EFBIG, "invalid size %zu for a file", poolsize);

	/* Mode 0 until the pool is initialised, so nobody opens it early. */
	pf->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (pf->fd < 0)
		return err_sys("open \"%s\"", path);
	pf->created = true;

	int ret = posix_fallocate(pf->fd, 0, (off_t)poolsize);
	if (ret != 0) {
		errno = ret;
		return err_sys("posix_fallocate \"%s\", %zu bytes", path,
			poolsize);
	}
	if (lock_file(pf->fd, path) != 0)
		return -1;
	if (fstat(pf->fd, &st) != 0)
		return err_sys("stat \"%s\"", path);
	pf->crtime = st.st_ctime;
	return map_file(pf, path, poolsize, false);
}

static int
create_on_existing(struct pool_file *pf, const char *path, size_t min_size,
	bool fallocate_existing)
{
	pf->fd = open_existing(path);
	if (pf->fd < 0)
		return -1;
	struct stat st;
	if (check_file_kind(pf->fd, path, &st) != 0)
		return -1;
	size_t size = (size_t)st.st_size;
	if ((size & ~(size_t)(POOL_ALIGN - 1)) < min_size)
		return err_set(EINVAL,
			"file is not a poolset file and its size (%zu) is smaller than %zu",
			size, min_size);
	if (lock_file(pf->fd, path) != 0)
		return -1;

	unsigned char hdr[POOL_HDR_SIZE];
	if (pread(pf->fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		return err_sys("read \"%s\"", path);
	if (!all_zero(hdr, sizeof(hdr)))
		return err_set(EEXIST, "%s: Non-empty file detected", path);

	if (fallocate_existing) {
		int ret = posix_fallocate(pf->fd, 0, (off_t)size);
		if (ret != 0) {
			errno = ret;
			return err_sys("posix_fallocate \"%s\"", path);
		}
	}
	pf->crtime = st.st_ctime;
	return map_file(pf, path, size, false);
}

int
pool_file_create(struct pool_file *pf, const char *path, size_t poolsize,
	size_t min_size, bool fallocate_existing)
{
	memset(pf, 0, sizeof(*pf));
	pf->fd = -1;
	int ret = poolsize != 0 ?
		create_new(pf, path, poolsize, min_size) :
		create_on_existing(pf, path, min_size, fallocate_existing);
	if (ret != 0)
		pool_file_close(pf, path, true);
	return ret;
}

int
pool_file_open(struct pool_file *pf, const char *path, size_t min_size,
	bool private_map)
{
	memset(pf, 0, sizeof(*pf));
	pf->fd = open_existing(path);
	if (pf->fd < 0)
		return -1;

	struct stat st;
	int ret = check_file_kind(pf->fd, path, &st);
	if (ret == 0 && (size_t)st.st_size < min_size)
		ret = err_set(EINVAL, "%s: size %zu smaller than %zu", path,
			(size_t)st.st_size, min_size);
	if (ret == 0)
		ret = lock_file(pf->fd, path);
	if (ret == 0)
		ret = map_file(pf, path, (size_t)st.st_size, private_map);
	if (ret != 0)
		pool_file_close(pf, path, false);
	return ret;
}

int
pool_file_set_mode(struct pool_file *pf, const char *path, mode_t mode)
{
	if (pf->created && fchmod(pf->fd, mode) != 0)
		return err_sys("chmod \"%s\"", path);
	return 0;
}

void
pool_file_close(struct pool_file *pf, const char *path, bool discard)
{
	int saved_errno = errno;
	if (pf->addr != NULL)
		munmap(pf->addr, pf->map_len);
	if (discard && pf->created)
		unlink(path);
	if (pf->fd >= 0)
		close(pf->fd);	/* drops the flock */
	pf->addr = NULL;
	pf->fd = -1;
	errno = saved_errno;
}
