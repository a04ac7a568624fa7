/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmemblk.c -- nbdkit-pmemblk-plugin: serves a libpmemblk pool as an NBD
 * export of nblock * bsize bytes (see nbdkit-pmemblk-plugin.1.md).
 *
 * Owns: the one pool handle of the server process, shared by every
 * connection, and the striped block locks.
 *
 * Contract: each block of the export is written atomically, as
 * pmemblk_write(3) writes it: a reader or a power failure sees the old or
 * the new block, never a mix. A request spanning several blocks gets that
 * per block, not for the whole request. Every write, zero and trim is
 * durable when it returns (the library persists before returning), so FUA
 * is native, flush has nothing to do and every connection sees every
 * acknowledged write (multi-conn).
 *
 * Uses the public libpmemblk API only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpmemblk.h>

#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

/* Limits of the NBD block size constraints (the protocol's, not ours). */
#define NBD_MAX_MINIMUM (64u * 1024)		/* largest minimum */
#define NBD_MAX_PREFERRED (32u * 1024 * 1024)	/* largest preferred */

/* ------------------------------------------------------------------ */
/* configuration (set by .config, read-only once serving starts)       */

static char *pool_path;		/* file= */
static uint64_t cfg_bsize;	/* bsize=, 0: take the pool's */
static int64_t cfg_size = -1;	/* size=, only with create=true */
static bool cfg_create;		/* create=true */

/* ------------------------------------------------------------------ */
/* the pool                                                            */

/*
 * The pool is opened once for the whole server: the library holds an
 * exclusive lock on the file while it is open, so connections cannot each
 * open it. It is opened by the first connection, whose open() callback
 * is the first place that says whether the server runs with -r: a
 * read-only server opens the pool copy-on-write, so not even the recovery
 * done at open reaches the file. create=true creates it in get_ready.
 *
 * pool, pool_bsize and pool_nblock are protected by pool_lock while
 * pool is NULL; once set they never change until cleanup, so the data
 * callbacks (which run only on connections whose open() succeeded) read
 * them without the lock.
 */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static PMEMblkpool *pool;
static bool pool_readonly;	/* opened copy-on-write (-r) */
static uint64_t pool_bsize;
static uint64_t pool_nblock;

/*
 * Striped block locks. Writing part of a block reads the block, patches
 * it and writes it back; two such read-modify-writes of one block (from
 * any connections) must not interleave, or the second would write back the
 * block without the first one's bytes. Nor may a whole-block write or a
 * set_zero fall between the read and the write of a read-modify-write.
 * So every operation that changes a block holds the lock of its stripe
 * (block number modulo NSTRIPES) around that block's library call. Reads
 * take no lock: the library's reads are atomic against its writes.
 */
#define NSTRIPES 1024
static struct {	/* a cache line each: no false sharing between stripes */
	pthread_mutex_t m;
	char pad[64 - sizeof(pthread_mutex_t) % 64];
} stripes[NSTRIPES];

static pthread_mutex_t *
stripe_of(uint64_t blockno)
{
	return &stripes[blockno % NSTRIPES].m;
}

static void
pmemblk_plugin_load(void)
{
	for (size_t i = 0; i < NSTRIPES; i++)
		pthread_mutex_init(&stripes[i].m, NULL);
}

static void
pmemblk_plugin_cleanup(void)
{
	if (pool != NULL)
		pmemblk_close(pool);
	pool = NULL;
}

static void
pmemblk_plugin_unload(void)
{
	pmemblk_plugin_cleanup();
	free(pool_path);
}

/*
 * nbdkit's size syntax (4096, 4K, 64M, 1G: powers of 1024), plus the
 * "KiB", "MiB", ... spellings the pmemblk tool also takes.
 */
static int64_t
parse_size(const char *value)
{
	size_t n = strlen(value);
	if (n > 3 && strcmp(value + n - 2, "iB") == 0 &&
			strchr("KMGTP", value[n - 3]) != NULL) {
		char shortened[64];
		if (n - 2 >= sizeof(shortened)) {
			nbdkit_error("size '%s' is too long", value);
			return -1;
		}
		memcpy(shortened, value, n - 2);
		shortened[n - 2] = '\0';
		return nbdkit_parse_size(shortened);
	}
	return nbdkit_parse_size(value);
}

static int
pmemblk_plugin_config(const char *key, const char *value)
{
	if (strcmp(key, "file") == 0) {
		free(pool_path);
		/* nbdkit may chdir("/") when it forks: keep an absolute path */
		pool_path = nbdkit_absolute_path(value);
		return pool_path == NULL ? -1 : 0;
	}
	if (strcmp(key, "bsize") == 0) {
		int64_t v = parse_size(value);
		if (v == -1)
			return -1;
		if (v < 1 || v > UINT32_MAX) {
			nbdkit_error("bsize=%s: block size out of range (1 to %"
				PRIu32 " bytes)", value, UINT32_MAX);
			return -1;
		}
		cfg_bsize = (uint64_t)v;
		return 0;
	}
	if (strcmp(key, "size") == 0) {
		cfg_size = parse_size(value);
		return cfg_size == -1 ? -1 : 0;
	}
	if (strcmp(key, "create") == 0) {
		int v = nbdkit_parse_bool(value);
		if (v == -1)
			return -1;
		cfg_create = v;
		return 0;
	}
	nbdkit_error("unknown parameter '%s'", key);
	return -1;
}

static int
pmemblk_plugin_config_complete(void)
{
	if (pool_path == NULL) {
		nbdkit_error("you must supply the file=POOL parameter");
		return -1;
	}
	if (cfg_create && (cfg_bsize == 0 || cfg_size == -1)) {
		nbdkit_error("create=true needs bsize= and size=");
		return -1;
	}
	if (!cfg_create && cfg_size != -1) {
		nbdkit_error("size= is only used with create=true "
			"(the size of an existing pool is its own)");
		return -1;
	}
	if (cfg_create && (uint64_t)cfg_size < PMEMBLK_MIN_POOL) {
		nbdkit_error("size=%" PRId64 ": a pool takes at least %zu bytes",
			cfg_size, PMEMBLK_MIN_POOL);
		return -1;
	}
	return 0;
}

#define pmemblk_plugin_config_help \
	"file=<POOL>      (required) The pmemblk pool to serve.\n" \
	"bsize=<SIZE>     Block size: checked against the pool's, or the\n" \
	"                 block size of a new pool with create=true.\n" \
	"size=<SIZE>      Size of the pool file to create (create=true).\n" \
	"create=true      Create the pool first (fails if it exists)."

static void
pmemblk_plugin_dump_plugin(void)
{
	const char *v = pmemblk_check_version(PMEMBLK_MAJOR_VERSION,
		PMEMBLK_MINOR_VERSION);
	printf("pmemblk_header_version=%d.%d\n", PMEMBLK_MAJOR_VERSION,
		PMEMBLK_MINOR_VERSION);
	printf("pmemblk_library_compatible=%s\n", v == NULL ? "yes" : v);
	printf("pmemblk_min_pool=%zu\n", PMEMBLK_MIN_POOL);
	printf("pmemblk_min_blk=%zu\n", PMEMBLK_MIN_BLK);
}

/* Records the pool's geometry; the caller holds pool_lock. */
static void
pool_set(PMEMblkpool *pbp, bool readonly)
{
	pool_bsize = pmemblk_bsize(pbp);
	pool_nblock = pmemblk_nblock(pbp);
	pool_readonly = readonly;
	pool = pbp;
	nbdkit_debug("pmemblk: %s: bsize %" PRIu64 ", %" PRIu64 " blocks%s",
		pool_path, pool_bsize, pool_nblock,
		readonly ? ", read-only (copy-on-write)" : "");
}

/*
 * A missing pool is reported at start-up; create=true makes the pool now.
 * The other errors (wrong bsize, a pool in use, a read-only file) need the
 * open, which waits for the first connection (see "the pool" above).
 */
static int
pmemblk_plugin_get_ready(void)
{
	if (cfg_create) {
		PMEMblkpool *pbp = pmemblk_create(pool_path, cfg_bsize,
			(size_t)cfg_size, 0600);
		if (pbp == NULL) {
			nbdkit_error("create %s (bsize %" PRIu64 ", size %" PRId64
				"): %s", pool_path, cfg_bsize, cfg_size,
				pmemblk_errormsg());
			return -1;
		}
		pool_set(pbp, false);
		return 0;
	}
	struct stat st;
	if (stat(pool_path, &st) != 0) {
		nbdkit_error("%s: %m (use create=true bsize=... size=... to "
			"create a pool)", pool_path);
		return -1;
	}
	return 0;
}

/* Opens the pool unless open; -1 with nbdkit_error on failure. */
static int
pool_open_once(int readonly)
{
	int ret = 0;
	pthread_mutex_lock(&pool_lock);
	if (pool != NULL) {
		if (!readonly && pool_readonly) {
			nbdkit_error("%s: opened read-only", pool_path);
			ret = -1;
		}
		goto out;
	}

	/* -r: map the pool privately (copy-on-write), the file stays as is */
	int cow_was = 0, cow = 1;
	if (readonly &&
			(pmemblk_ctl_get(NULL, "copy_on_write.at_open", &cow_was) != 0 ||
			pmemblk_ctl_set(NULL, "copy_on_write.at_open", &cow) != 0)) {
		nbdkit_error("%s: cannot request a copy-on-write open: %s",
			pool_path, pmemblk_errormsg());
		ret = -1;
		goto out;
	}
	PMEMblkpool *pbp = pmemblk_open(pool_path, (size_t)cfg_bsize);
	int err = errno;
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", pbp == NULL ? pmemblk_errormsg() : "");
	if (readonly)
		pmemblk_ctl_set(NULL, "copy_on_write.at_open", &cow_was);

	if (pbp == NULL) {
		const char *hint = "";
		if (err == EAGAIN || err == EWOULDBLOCK)
			hint = " (the pool is in use by another process)";
		else if (err == EACCES || err == EROFS)
			hint = " (libpmemblk opens a pool file read-write, "
				"even for -r)";
		nbdkit_error("open %s: %s%s", pool_path, msg, hint);
		nbdkit_set_error(err);
		ret = -1;
		goto out;
	}
	pool_set(pbp, readonly);
out:
	pthread_mutex_unlock(&pool_lock);
	return ret;
}

static void *
pmemblk_plugin_open(int readonly)
{
	if (pool_open_once(readonly) != 0)
		return NULL;
	return NBDKIT_HANDLE_NOT_NEEDED;
}

static int64_t
pmemblk_plugin_get_size(void *handle)
{
	(void)handle;
	return (int64_t)(pool_nblock * pool_bsize);
}

static bool
is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/*
 * Requests of whole, aligned blocks go straight to the library; anything
 * else costs a read-modify-write. The protocol allows a power-of-two
 * minimum up to 64 KiB and a power-of-two preferred size from 512 bytes
 * to 32 MiB: a power-of-two bsize in range is advertised as both; other
 * block sizes get the nearest allowed values and read-modify-write.
 */
static int
pmemblk_plugin_block_size(void *handle, uint32_t *minimum,
	uint32_t *preferred, uint32_t *maximum)
{
	(void)handle;
	uint64_t b = pool_bsize;
	if (is_pow2(b)) {
		*minimum = (uint32_t)(b <= NBD_MAX_MINIMUM ? b : NBD_MAX_MINIMUM);
		*preferred = (uint32_t)(b < 512 ? 512 :
			b <= NBD_MAX_PREFERRED ? b : NBD_MAX_PREFERRED);
	} else {
		*minimum = 1;
		*preferred = 4096;
	}
	*maximum = 0xffffffff;
	return 0;
}

static int
pmemblk_plugin_can_write(void *handle)
{
	(void)handle;
	return !pool_readonly;
}

static int
pmemblk_plugin_can_multi_conn(void *handle)
{
	(void)handle;
	return 1;
}

static int
pmemblk_plugin_can_fua(void *handle)
{
	(void)handle;
	return NBDKIT_FUA_NATIVE;
}

static int
pmemblk_plugin_can_true(void *handle)
{
	(void)handle;
	return 1;
}

/* Reports a failed library call on block b; errno is the library's. */
static int
block_error(const char *what, uint64_t b)
{
	int err = errno;
	nbdkit_error("%s: %s block %" PRIu64 ": %s", pool_path, what, b,
		pmemblk_errormsg());
	nbdkit_set_error(err != 0 ? err : EIO);
	return -1;
}

/*
 * Walks [offset, offset + count) block by block: fn gets the block number,
 * the offset and length of the piece inside the block, and the piece's
 * position in the request.
 */
typedef int (*piece_fn)(uint64_t b, uint32_t off, uint32_t len,
	uint64_t pos, void *arg);

static int
for_each_piece(uint32_t count, uint64_t offset, piece_fn fn, void *arg)
{
	uint64_t bs = pool_bsize, pos = 0;
	while (pos < count) {
		uint64_t b = (offset + pos) / bs;
		uint32_t off = (uint32_t)((offset + pos) % bs);
		uint64_t len = bs - off;
		if (len > count - pos)
			len = count - pos;
		if (fn(b, off, (uint32_t)len, pos, arg) != 0)
			return -1;
		pos += len;
	}
	return 0;
}

static int
read_piece(uint64_t b, uint32_t off, uint32_t len, uint64_t pos, void *arg)
{
	char *dst = (char *)arg + pos;
	if (len == pool_bsize)
		return pmemblk_read(pool, dst, (long long)b) == 0 ? 0 :
			block_error("read", b);
	char *blk = malloc(pool_bsize);
	if (blk == NULL) {
		nbdkit_error("malloc: %m");
		return -1;
	}
	int ret = pmemblk_read(pool, blk, (long long)b);
	if (ret == 0)
		memcpy(dst, blk + off, len);
	else
		block_error("read", b);
	free(blk);
	return ret;
}

static int
pmemblk_plugin_pread(void *handle, void *buf, uint32_t count,
	uint64_t offset, uint32_t flags)
{
	(void)handle;
	(void)flags;
	return for_each_piece(count, offset, read_piece, buf);
}

/*
 * Writes `len` bytes at `off` into block b: the whole block directly,
 * part of it by read-modify-write. src NULL writes zeros. Holds the
 * block's stripe lock throughout (see stripes).
 */
static int
write_piece_from(uint64_t b, uint32_t off, uint32_t len, const char *src)
{
	pthread_mutex_t *m = stripe_of(b);
	int ret;
	if (len == pool_bsize && src != NULL) {
		pthread_mutex_lock(m);
		ret = pmemblk_write(pool, src, (long long)b);
		pthread_mutex_unlock(m);
		return ret == 0 ? 0 : block_error("write", b);
	}
	char *blk = malloc(pool_bsize);
	if (blk == NULL) {
		nbdkit_error("malloc: %m");
		return -1;
	}
	pthread_mutex_lock(m);
	ret = pmemblk_read(pool, blk, (long long)b);
	if (ret == 0) {
		if (src != NULL)
			memcpy(blk + off, src, len);
		else
			memset(blk + off, 0, len);
		ret = pmemblk_write(pool, blk, (long long)b);
	}
	pthread_mutex_unlock(m);
	free(blk);
	return ret == 0 ? 0 : block_error("read-modify-write", b);
}

static int
write_piece(uint64_t b, uint32_t off, uint32_t len, uint64_t pos, void *arg)
{
	return write_piece_from(b, off, len, (const char *)arg + pos);
}

/* Every write is durable on return, so FUA needs nothing more. */
static int
pmemblk_plugin_pwrite(void *handle, const void *buf, uint32_t count,
	uint64_t offset, uint32_t flags)
{
	(void)handle;
	(void)flags;
	return for_each_piece(count, offset, write_piece, (void *)buf);
}

static int
pmemblk_plugin_flush(void *handle, uint32_t flags)
{
	(void)handle;
	(void)flags;
	return 0;
}

/* Whole blocks: pmemblk_set_zero (metadata only); partial ones: zeros. */
static int
zero_piece(uint64_t b, uint32_t off, uint32_t len, uint64_t pos, void *arg)
{
	(void)pos;
	(void)arg;
	if (len < pool_bsize)
		return write_piece_from(b, off, len, NULL);
	pthread_mutex_t *m = stripe_of(b);
	pthread_mutex_lock(m);
	int ret = pmemblk_set_zero(pool, (long long)b);
	pthread_mutex_unlock(m);
	return ret == 0 ? 0 : block_error("set_zero", b);
}

/*
 * A fast zero must fail at once unless it beats writing zeros: it does
 * when every block is whole (a map update per block); a partial block
 * costs a read-modify-write, no faster than a write.
 */
static int
pmemblk_plugin_zero(void *handle, uint32_t count, uint64_t offset,
	uint32_t flags)
{
	(void)handle;
	if ((flags & NBDKIT_FLAG_FAST_ZERO) &&
			(offset % pool_bsize != 0 || count % pool_bsize != 0)) {
		nbdkit_set_error(ENOTSUP);
		return -1;
	}
	return for_each_piece(count, offset, zero_piece, NULL);
}

/* Trimmed bytes read back as zeros, exactly as after a zero request. */
static int
pmemblk_plugin_trim(void *handle, uint32_t count, uint64_t offset,
	uint32_t flags)
{
	(void)handle;
	(void)flags;
	return for_each_piece(count, offset, zero_piece, NULL);
}

static struct nbdkit_plugin plugin = {
	.name = "pmemblk",
	.longname = "nbdkit libpmemblk plugin",
	.version = "1.0",
	.description = "Serves a libpmemblk pool: an array of blocks, each "
		"written atomically",
	.load = pmemblk_plugin_load,
	.unload = pmemblk_plugin_unload,
	.cleanup = pmemblk_plugin_cleanup,
	.config = pmemblk_plugin_config,
	.config_complete = pmemblk_plugin_config_complete,
	.config_help = pmemblk_plugin_config_help,
	.magic_config_key = "file",
	.dump_plugin = pmemblk_plugin_dump_plugin,
	.get_ready = pmemblk_plugin_get_ready,
	.open = pmemblk_plugin_open,
	.get_size = pmemblk_plugin_get_size,
	.block_size = pmemblk_plugin_block_size,
	.can_write = pmemblk_plugin_can_write,
	.can_flush = pmemblk_plugin_can_true,
	.can_trim = pmemblk_plugin_can_true,
	.can_zero = pmemblk_plugin_can_true,
	.can_fast_zero = pmemblk_plugin_can_true,
	.can_fua = pmemblk_plugin_can_fua,
	.can_multi_conn = pmemblk_plugin_can_multi_conn,
	.pread = pmemblk_plugin_pread,
	.pwrite = pmemblk_plugin_pwrite,
	.flush = pmemblk_plugin_flush,
	.trim = pmemblk_plugin_trim,
	.zero = pmemblk_plugin_zero,
};

NBDKIT_REGISTER_PLUGIN(plugin)
