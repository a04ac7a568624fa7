/*
 * async_off.c -- stands in for async_on.c in builds without the async
 * libpmemblk API or libminiasync: every entry point says so and fails.
 */
#include <errno.h>

#include "async_ops.h"
#include "report.h"
#include "tool.h"

const bool async_available = false;
const char async_unavailable_reason[] =
	"async is unavailable: this build has no async libpmemblk API "
	"(<libpmemblk/async.h> and libminiasync)";

const char *
mover_name(enum mover_kind kind)
{
	return kind == MOVER_THREADS ? "threads" : "sync";
}

struct mover *
mover_new(enum mover_kind kind, unsigned nthreads, unsigned queue)
{
	(void) kind;
	(void) nthreads;
	(void) queue;
	fail(EXIT_FAIL, "%s", async_unavailable_reason);
	return NULL;
}

void
mover_delete(struct mover *m)
{
	(void) m;
}

PMEMblkpool *
async_pool_open(const char *path, size_t bsize, struct mover *m)
{
	(void) path;
	(void) bsize;
	(void) m;
	errno = ENOTSUP;
	return NULL;
}

PMEMblkpool *
async_pool_create(const char *path, size_t bsize, size_t size, mode_t mode,
	struct mover *m)
{
	(void) path;
	(void) bsize;
	(void) size;
	(void) mode;
	(void) m;
	errno = ENOTSUP;
	return NULL;
}

int
async_io(PMEMblkpool *pbp, bool write, unsigned char *bufs,
	const long long *blocks, size_t n)
{
	(void) pbp;
	(void) write;
	(void) bufs;
	(void) blocks;
	(void) n;
	errno = ENOTSUP;
	return -1;
}

int
async_bench_loop(struct bench_worker *w)
{
	w->errors++;
	return -1;
}
