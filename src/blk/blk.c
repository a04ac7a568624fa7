/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blk.c -- the public synchronous API: create, open, close, read, write,
 * set_zero, set_error, check and the small informational calls.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "blk.h"
#include "btt_layout.h"
#include "libpmemblk.h"
#include "log.h"
#include "out.h"
#include "pool_hdr.h"

static struct blk_desc *
desc_of(const struct pool_file *pf)
{
	return (struct blk_desc *)((char *)pf->addr + BLK_DESC_OFF);
}

static struct pmemblk *
handle_new(const char *path)
{
	size_t len = strlen(path) + 1;
	struct pmemblk *pbp = blk_zalloc(sizeof(*pbp) + len);
	if (pbp != NULL)
		memcpy(pbp->path, path, len);
	return pbp;
}

/* Opens the BTT of a mapped pool whose header and descriptor are valid. */
static int
handle_open_btt(struct pmemblk *pbp, const struct pool_hdr *hdr)
{
	struct pool_file *pf = &pbp->pf;
	if (pf->poolsize < BLK_NS_OFF + BTT_MIN_SIZE)
		return err_set(EINVAL, "%s: pool size %zu too small for a BTT",
			pbp->path, pf->poolsize);
	struct btt_params params = {
		.ns = (char *)pf->addr + BLK_NS_OFF,
		.ns_size = pf->poolsize - BLK_NS_OFF,
		.bsize = (uint32_t)pbp->bsize,
		.is_zeroed = desc_of(pf)->is_zeroed != 0,
		.ops = pf->ops,
		.path = pbp->path,
	};
	memcpy(params.parent_uuid, hdr->poolset_uuid, sizeof(params.parent_uuid));
	pbp->btt = btt_open(&params);
	return pbp->btt != NULL ? 0 : -1;
}

static void
handle_free(struct pmemblk *pbp, bool discard)
{
	if (pbp->btt != NULL)
		btt_close(pbp->btt);
	pool_file_close(&pbp->pf, discard);
	blk_free(pbp);
}

EXPORT PMEMblkpool *
pmemblk_create(const char *path, size_t bsize, size_t poolsize, mode_t mode)
{
	if (bsize == 0 || bsize > UINT32_MAX) {
		err_set(EINVAL, "Invalid block size %zu", bsize);
		return NULL;
	}
	LOG(3, "path %s bsize %zu poolsize %zu mode %o", path, bsize, poolsize,
		(unsigned)mode);
	struct blk_config cfg;
	blk_config_snapshot(&cfg);
	struct pmemblk *pbp = handle_new(path);
	if (pbp == NULL)
		return NULL;
	pbp->bsize = bsize;
	struct pool_file *pf = &pbp->pf;
	if (pool_file_create(pf, path, poolsize, PMEMBLK_MIN_POOL,
			cfg.fallocate_at_create != 0) != 0) {
		blk_free(pbp);
		return NULL;
	}
	if (cfg.prefault_at_create)
		pool_file_prefault(pf);

	/*
	 * The descriptor goes first and the header last: until the header
	 * is durable the file is not a pool (open refuses it, create with
	 * poolsize 0 may retry), so a crash never leaves a half-made pool.
	 */
	const struct persist_ops *ops = pf->ops;
	struct blk_desc desc = {
		.bsize = (uint32_t)bsize,
		.is_zeroed = pf->zeroed,
		.rt_size = pf->poolsize,
		.rt_data = BLK_NS_OFF,
		.rt_datasize = pf->poolsize - BLK_NS_OFF,
	};
	ops->copy(ops, desc_of(pf), &desc, sizeof(desc));
	ops->drain(ops);

	struct pool_hdr hdr;
	uint32_t incompat = POOL_FEAT_CKSUM_2K |
		(cfg.sds_at_create ? POOL_FEAT_SDS : 0) |
		(pf->singlehdr ? POOL_FEAT_SINGLEHDR : 0);
	pool_hdr_init(&hdr, BLK_SIGNATURE, POOL_FEAT_CHECK_BAD_BLOCKS,
		incompat, (uint64_t)pf->crtime);

	if (handle_open_btt(pbp, &hdr) != 0) {
		/* the reason is in the message buffer err_set writes to */
		char why[1024];
		snprintf(why, sizeof(why), "%s", err_last());
		err_set(EINVAL, "pool initialization failed: %s", why);
		handle_free(pbp, true);
		return NULL;
	}
	if (pool_file_write_hdrs(pf, &hdr) != 0 ||
			pool_file_set_mode(pf, mode) != 0) {
		handle_free(pbp, true);
		return NULL;
	}
	LOG(2, "created %s: %u part(s), pool size %zu, bsize %zu, nblock %zu",
		path, pf->nparts, pf->poolsize, bsize, pmemblk_nblock(pbp));
	return pbp;
}

/*
 * Open of an existing pool; `private_map` for check and copy-on-write,
 * `prefault` to touch every page once opened.
 */
static struct pmemblk *
blk_open(const char *path, size_t bsize, bool private_map, bool prefault)
{
	struct pmemblk *pbp = handle_new(path);
	if (pbp == NULL)
		return NULL;
	struct pool_file *pf = &pbp->pf;
	if (pool_file_open(pf, path, PMEMBLK_MIN_PART, private_map) != 0) {
		blk_free(pbp);
		return NULL;
	}

	const struct pool_hdr *hdr = pf->addr;
	uint32_t stored = desc_of(pf)->bsize;
	int ret = pool_file_check_hdrs(pf, BLK_SIGNATURE, &pbp->rdonly);
	if (ret == 0 && stored == 0)
		ret = err_set(EINVAL, "%s: block size 0 in the pool descriptor",
			path);
	if (ret == 0 && bsize != 0 && bsize != stored)
		ret = err_set(EINVAL, "wrong bsize (%zu), pool created with bsize %u",
			bsize, stored);
	pbp->bsize = stored;
	/*
	 * A read-only pool is never written, recovery included: recovery
	 * then completes interrupted writes in a private copy only, so
	 * reads see what a read-write open would show.
	 */
	if (ret == 0 && pbp->rdonly && !pf->private_map)
		ret = pool_file_make_private(pf);
	if (ret == 0)
		ret = handle_open_btt(pbp, hdr);
	if (ret != 0) {
		handle_free(pbp, false);
		return NULL;
	}

	/*
	 * We cannot read NVDIMM health counters, so we keep the shutdown
	 * state all zero, which every PMDK accepts (doc/design.md §5). Only where
	 * the header checksum does not cover it: otherwise the reset would
	 * need a second store (the checksum) that a crash could lose.
	 */
	struct pool_hdr *whdr = pf->addr;
	if (!pbp->rdonly && pool_hdr_sds_dirty(whdr) &&
			pool_hdr_sds_outside_csum(whdr)) {
		pf->ops->fill(pf->ops, &whdr->sds, 0, sizeof(whdr->sds));
		pf->ops->drain(pf->ops);
	}
	if (prefault)
		pool_file_prefault(pf);
	LOG(2, "opened %s: %u part(s), pool size %zu, bsize %zu, nblock %zu%s%s",
		path, pf->nparts, pf->poolsize, pbp->bsize, pmemblk_nblock(pbp),
		pbp->rdonly ? ", read-only" : "",
		private_map ? ", private (copy-on-write)" : "");
	return pbp;
}

EXPORT PMEMblkpool *
pmemblk_open(const char *path, size_t bsize)
{
	LOG(3, "path %s bsize %zu", path, bsize);
	struct blk_config cfg;
	blk_config_snapshot(&cfg);
	return blk_open(path, bsize, cfg.copy_on_write_at_open != 0,
		cfg.prefault_at_open != 0);
}

EXPORT void
pmemblk_close(PMEMblkpool *pbp)
{
	LOG(2, "closing %s", pbp->path);
	handle_free(pbp, false);
}

EXPORT int
pmemblk_check(const char *path, size_t bsize)
{
	LOG(3, "path %s bsize %zu", path, bsize);
	/* private mapping: recovery done by open never reaches the file */
	struct pmemblk *pbp = blk_open(path, bsize, true, false);
	if (pbp == NULL)
		return -1;
	int ret = btt_check(pbp->btt);
	int saved_errno = errno;
	handle_free(pbp, false);
	errno = saved_errno;
	return ret;
}

EXPORT size_t
pmemblk_bsize(PMEMblkpool *pbp)
{
	return pbp->bsize;
}

EXPORT size_t
pmemblk_nblock(PMEMblkpool *pbp)
{
	return btt_nlba(pbp->btt);
}

int
blk_block_check(long long blockno)
{
	if (blockno < 0)
		return err_set(EINVAL, "negative block number");
	return 0;
}

int
blk_writable_block_check(PMEMblkpool *pbp, long long blockno)
{
	if (pbp->rdonly)
		return err_set(EROFS, "EROFS (pool is read-only)");
	return blk_block_check(blockno);
}

EXPORT int
pmemblk_read(PMEMblkpool *pbp, void *buf, long long blockno)
{
	if (blk_block_check(blockno) != 0)
		return -1;
	return btt_read(pbp->btt, (uint64_t)blockno, buf);
}

EXPORT int
pmemblk_write(PMEMblkpool *pbp, const void *buf, long long blockno)
{
	if (blk_writable_block_check(pbp, blockno) != 0)
		return -1;
	return btt_write(pbp->btt, (uint64_t)blockno, buf);
}

EXPORT int
pmemblk_set_zero(PMEMblkpool *pbp, long long blockno)
{
	if (blk_writable_block_check(pbp, blockno) != 0)
		return -1;
	return btt_set_zero(pbp->btt, (uint64_t)blockno);
}

EXPORT int
pmemblk_set_error(PMEMblkpool *pbp, long long blockno)
{
	if (blk_writable_block_check(pbp, blockno) != 0)
		return -1;
	return btt_set_error(pbp->btt, (uint64_t)blockno);
}

EXPORT const char *
pmemblk_check_version(unsigned major_required, unsigned minor_required)
{
	if (major_required != PMEMBLK_MAJOR_VERSION)
		return err_msg("libpmemblk major version mismatch (need %u, found %u)",
			major_required, PMEMBLK_MAJOR_VERSION);
	/* this library has the async API: it answers for minor 2 too */
	if (minor_required > 2)
		return err_msg("libpmemblk minor version mismatch (need %u, found 2)",
			minor_required);
	return NULL;
}

EXPORT const char *
pmemblk_errormsg(void)
{
	return err_last();
}

EXPORT void
pmemblk_set_funcs(void *(*malloc_func)(size_t size),
	void (*free_func)(void *ptr),
	void *(*realloc_func)(void *ptr, size_t size),
	char *(*strdup_func)(const char *s))
{
	alloc_set_funcs(malloc_func, free_func, realloc_func, strdup_func);
}
