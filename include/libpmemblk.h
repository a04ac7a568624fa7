/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemblk.h -- arrays of fixed-size blocks in a persistent-memory pool,
 * each block write atomic with respect to power failure.
 *
 * Source-compatible with PMDK 1.12.1's header: the same types, macros and
 * prototypes. Define PMEMBLK_USE_MINIASYNC before including this header to
 * also get the asynchronous API (<libpmemblk/async.h>), which needs the
 * libminiasync headers.
 */
#ifndef LIBPMEMBLK_H
#define LIBPMEMBLK_H 1

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PMEMBLK_MAJOR_VERSION 1
#ifdef PMEMBLK_USE_MINIASYNC
#define PMEMBLK_MINOR_VERSION 2
#else
#define PMEMBLK_MINOR_VERSION 1
#endif

#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv)
#define PMEMBLK_MIN_POOL ((size_t)((1u << 20) * 16 + (1u << 10) * 8))
#elif defined(__PPC64__)
#define PMEMBLK_MIN_POOL ((size_t)((1u << 20) * 16 + (1u << 10) * 128))
#else
#error "unsupported architecture"
#endif

#define PMEMBLK_MIN_PART ((size_t)(1024 * 1024 * 2))
#define PMEMBLK_MIN_BLK ((size_t)512)

typedef struct pmemblk PMEMblkpool;

const char *pmemblk_check_version(unsigned major_required,
	unsigned minor_required);

PMEMblkpool *pmemblk_open(const char *path, size_t bsize);
PMEMblkpool *pmemblk_create(const char *path, size_t bsize, size_t poolsize,
	mode_t mode);
int pmemblk_check(const char *path, size_t bsize);
void pmemblk_close(PMEMblkpool *pbp);

size_t pmemblk_bsize(PMEMblkpool *pbp);
size_t pmemblk_nblock(PMEMblkpool *pbp);

int pmemblk_read(PMEMblkpool *pbp, void *buf, long long blockno);
int pmemblk_write(PMEMblkpool *pbp, const void *buf, long long blockno);
int pmemblk_set_zero(PMEMblkpool *pbp, long long blockno);
int pmemblk_set_error(PMEMblkpool *pbp, long long blockno);

void pmemblk_set_funcs(void *(*malloc_func)(size_t size),
	void (*free_func)(void *ptr),
	void *(*realloc_func)(void *ptr, size_t size),
	char *(*strdup_func)(const char *s));

const char *pmemblk_errormsg(void);

/* EXPERIMENTAL in PMDK; see pmemblk_ctl_get(3) */
int pmemblk_ctl_get(PMEMblkpool *pbp, const char *name, void *arg);
int pmemblk_ctl_set(PMEMblkpool *pbp, const char *name, void *arg);
int pmemblk_ctl_exec(PMEMblkpool *pbp, const char *name, void *arg);

/* Values of the ctl entry persist.metadata_store (an int). */
#define PMEMBLK_METADATA_STORE_AUTO 0	/* by CPU model */
#define PMEMBLK_METADATA_STORE_NT 1	/* non-temporal stores */
#define PMEMBLK_METADATA_STORE_CACHED 2	/* cached stores + flush */

#ifdef __cplusplus
}
#endif

#ifdef PMEMBLK_USE_MINIASYNC
#include <libpmemblk/async.h>
#endif

#endif /* LIBPMEMBLK_H */
