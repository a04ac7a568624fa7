/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemblk/async.h -- asynchronous block reads and writes as miniasync
 * futures (see pmemblk_async(3)).
 *
 * Normally reached through <libpmemblk.h> with PMEMBLK_USE_MINIASYNC
 * defined. A future is a plain value: create it with pmemblk_write_async()
 * or pmemblk_read_async(), then poll it (future_poll, FUTURE_BUSY_POLL or a
 * miniasync runtime) until it completes; FUTURE_OUTPUT(&fut)->return_value
 * is then 0, or -1 with errno and pmemblk_errormsg() set in the thread
 * whose poll completed it. Nothing happens before the first poll.
 */
#ifndef LIBPMEMBLK_ASYNC_H
#define LIBPMEMBLK_ASYNC_H 1

#include <libpmemblk.h>
#include <libminiasync/vdm.h>

#ifdef __cplusplus
extern "C" {
#endif

enum pmemblk_read_stages {
	PMEMBLK_READ_INITIALIZED = 0,
	PMEMBLK_READ_WAITING_FOR_LANE = 1,
	PMEMBLK_READ_IN_PROGRESS = 2,
	PMEMBLK_READ_COMPLETE = 20,
};

enum pmemblk_write_stages {
	PMEMBLK_WRITE_INITIALIZED = 0,
	PMEMBLK_WRITE_WAITING_FOR_LANE = 1,
	PMEMBLK_WRITE_IN_PROGRESS = 2,
	PMEMBLK_WRITE_COMPLETE = 20,
};

/*
 * Size of the library's private state inside every future. Part of the
 * ABI: applications hold futures by value.
 */
#define PMEMBLK_ASYNC_INTERNAL_SIZE 192

struct pmemblk_async_internal {
	uint64_t opaque[PMEMBLK_ASYNC_INTERNAL_SIZE / sizeof(uint64_t)];
};

struct pmemblk_write_async_data {
	PMEMblkpool *pbp;
	void *buf;
	long long blockno;
	int stage;		/* enum pmemblk_write_stages */
	struct pmemblk_async_internal internal;
};

struct pmemblk_write_async_output {
	int return_value;
};

FUTURE(pmemblk_write_async_future, struct pmemblk_write_async_data,
	struct pmemblk_write_async_output);

struct pmemblk_read_async_data {
	PMEMblkpool *pbp;
	void *buf;
	long long blockno;
	int stage;		/* enum pmemblk_read_stages */
	struct pmemblk_async_internal internal;
};

struct pmemblk_read_async_output {
	int return_value;
};

FUTURE(pmemblk_read_async_future, struct pmemblk_read_async_data,
	struct pmemblk_read_async_output);

/*
 * Like pmemblk_create()/pmemblk_open(), and the pool keeps `vdm` (borrowed:
 * it must outlive the pool) for the copies of every async operation. A
 * NULL vdm, and pools from plain create/open, use a built-in synchronous
 * mover.
 */
PMEMblkpool *pmemblk_xcreate(const char *path, size_t bsize, size_t poolsize,
	mode_t mode, struct vdm *vdm);
PMEMblkpool *pmemblk_xopen(const char *path, size_t bsize, struct vdm *vdm);

struct pmemblk_write_async_future pmemblk_write_async(PMEMblkpool *pbp,
	void *buf, long long blockno);
struct pmemblk_read_async_future pmemblk_read_async(PMEMblkpool *pbp,
	void *buf, long long blockno);

#ifdef __cplusplus
}
#endif

#endif /* LIBPMEMBLK_ASYNC_H */
