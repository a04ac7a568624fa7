/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmem2_interop.c -- Debian's libpmem2 (built against miniasync 0.2's
 * headers, which it has inlined) driving our movers: pmem2_mem*_async on a
 * mapped file through our sync and threads movers, busy-polled, under our
 * runtime and from several threads; also libpmem2's own default mover
 * under our runtime. Compiling this file at all checks that <libpmem2.h>
 * with PMEM2_USE_MINIASYNC accepts our headers.
 */
#define PMEM2_USE_MINIASYNC 1

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include <libminiasync.h>
#include <libpmem2.h>

#include "ut.h"

/* The layout libpmem2 was compiled with (doc/miniasync-abi.md §1). */
_Static_assert(sizeof(struct pmem2_future) == 320, "pmem2_future size");
_Static_assert(offsetof(struct pmem2_future, data.op) == 40, "op entry");
_Static_assert(offsetof(struct pmem2_future, data.op.fut) == 80, "op fut");
_Static_assert(offsetof(struct pmem2_future, data.fin) == 200, "fin entry");
_Static_assert(offsetof(struct pmem2_future, data.fin.fut) == 240, "fin fut");
_Static_assert(offsetof(struct pmem2_future, output.dest) == 312, "dest");
_Static_assert(offsetof(struct pmem2_future,
	data.op.fut.data.operation.data.memcpy.flags) == 160, "flags");

#define FILE_SIZE (8 << 20)
#define CHUNK 4096

#define PMEM2_CHECK(call) do { \
	if ((call) != 0) \
		UT_FAIL("%s: %s", #call, pmem2_errormsg()); \
} while (0)

struct mapping {
	int fd;
	struct pmem2_source *src;
	struct pmem2_config *cfg;
	struct pmem2_map *map;
	char *addr;
};

/* Maps a fresh temporary file, through 'vdm' unless it is NULL. */
static void
map_file(struct mapping *m, struct vdm *vdm)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/miniasync_pmem2_XXXXXX",
		dir != NULL ? dir : "/tmp");
	m->fd = mkstemp(path);
	UT_ASSERT(m->fd >= 0);
	UT_ASSERT_EQ(unlink(path), 0);
	UT_ASSERT_EQ(ftruncate(m->fd, FILE_SIZE), 0);

	PMEM2_CHECK(pmem2_source_from_fd(&m->src, m->fd));
	PMEM2_CHECK(pmem2_config_new(&m->cfg));
	PMEM2_CHECK(pmem2_config_set_required_store_granularity(m->cfg,
		PMEM2_GRANULARITY_PAGE));
	if (vdm != NULL)
		PMEM2_CHECK(pmem2_config_set_vdm(m->cfg, vdm));
	PMEM2_CHECK(pmem2_map_new(&m->map, m->cfg, m->src));
	m->addr = pmem2_map_get_address(m->map);
}

static void
unmap_file(struct mapping *m)
{
	PMEM2_CHECK(pmem2_map_delete(&m->map));
	pmem2_config_delete(&m->cfg);
	pmem2_source_delete(&m->src);
	close(m->fd);
}

static void
fill(char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(seed * 31 + i);
}

static void
check_success(struct pmem2_future *f, void *dest)
{
	UT_ASSERT_EQ(FUTURE_STATE(f), FUTURE_STATE_COMPLETE);
	UT_ASSERT_EQ(f->data.op.fut.output.result, VDM_SUCCESS);
	UT_ASSERT(FUTURE_OUTPUT(f)->dest == dest);
}

static void
test_busy_poll(struct mapping *m)
{
	static char src[16 * CHUNK];
	fill(src, sizeof(src), 1);

	struct pmem2_future f = pmem2_memcpy_async(m->map, m->addr, src,
		sizeof(src), 0);
	FUTURE_BUSY_POLL(&f);
	check_success(&f, m->addr);
	UT_ASSERT(memcmp(m->addr, src, sizeof(src)) == 0);

	char *set = m->addr + sizeof(src);
	f = pmem2_memset_async(m->map, set, 'z', CHUNK, 0);
	FUTURE_BUSY_POLL(&f);
	check_success(&f, set);
	for (size_t i = 0; i < CHUNK; i++)
		UT_ASSERT_EQ(set[i], 'z');

	/* overlapping: shift the copied data up by 100 bytes */
	f = pmem2_memmove_async(m->map, m->addr + 100, m->addr, CHUNK, 0);
	FUTURE_BUSY_POLL(&f);
	check_success(&f, m->addr + 100);
	UT_ASSERT(memcmp(m->addr + 100, src, CHUNK) == 0);
}

static void
test_runtime(struct mapping *m, struct runtime *rt)
{
	enum { N = 32 };
	static char src[N * CHUNK];
	fill(src, sizeof(src), 2);
	char *base = m->addr + FILE_SIZE / 2;

	struct pmem2_future futs[N];
	struct future *runnables[N];
	for (size_t i = 0; i < N; i++) {
		futs[i] = i % 4 == 3 ?
			pmem2_memset_async(m->map, base + i * CHUNK,
				(int)i, CHUNK, 0) :
			pmem2_memcpy_async(m->map, base + i * CHUNK,
				src + i * CHUNK, CHUNK, 0);
		runnables[i] = FUTURE_AS_RUNNABLE(&futs[i]);
	}
	runtime_wait_multiple(rt, runnables, N);

	for (size_t i = 0; i < N; i++) {
		char *dest = base + i * CHUNK;
		check_success(&futs[i], dest);
		if (i % 4 == 3) {
			for (size_t j = 0; j < CHUNK; j++)
				UT_ASSERT_EQ(dest[j], (char)i);
		} else {
			UT_ASSERT(memcmp(dest, src + i * CHUNK, CHUNK) == 0);
		}
	}

	struct pmem2_future one = pmem2_memset_async(m->map, base, 1, 64, 0);
	runtime_wait(rt, FUTURE_AS_RUNNABLE(&one));
	check_success(&one, base);
	UT_ASSERT_EQ(base[63], 1);
}

/* ---- several threads submitting through one mapping ---- */

enum { THREADS = 4, PER_THREAD = 64 };

struct submitter {
	struct mapping *m;
	char *dest;
	char src[PER_THREAD * 256];
};

static void *
submit(void *arg)
{
	struct submitter *s = arg;
	for (size_t i = 0; i < PER_THREAD; i++) {
		struct pmem2_future f = pmem2_memcpy_async(s->m->map,
			s->dest + i * 256, s->src + i * 256, 256, 0);
		FUTURE_BUSY_POLL(&f);
		check_success(&f, s->dest + i * 256);
	}
	return NULL;
}

static void
test_threads(struct mapping *m)
{
	static struct submitter subs[THREADS];
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++) {
		subs[i].m = m;
		subs[i].dest = m->addr + FILE_SIZE / 4 +
			(size_t)i * sizeof(subs[i].src);
		fill(subs[i].src, sizeof(subs[i].src), (unsigned)i + 10);
		UT_ASSERT_EQ(pthread_create(&threads[i], NULL, submit,
			&subs[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		UT_ASSERT_EQ(pthread_join(threads[i], NULL), 0);
		UT_ASSERT(memcmp(subs[i].dest, subs[i].src,
			sizeof(subs[i].src)) == 0);
	}
}

static void
test_mover(struct vdm *vdm, struct runtime *rt)
{
	struct mapping m;
	map_file(&m, vdm);
	test_busy_poll(&m);
	test_runtime(&m, rt);
	test_threads(&m);
	unmap_file(&m);
}

int
main(void)
{
	struct runtime *rt = runtime_new();
	struct data_mover_sync *dms = data_mover_sync_new();
	struct data_mover_threads *dmt =
		data_mover_threads_new(2, 64, FUTURE_NOTIFIER_WAKER);
	UT_ASSERT(rt != NULL && dms != NULL && dmt != NULL);

	test_mover(data_mover_sync_get_vdm(dms), rt);
	test_mover(data_mover_threads_get_vdm(dmt), rt);
	/* libpmem2's own mover, its futures under our runtime */
	test_mover(NULL, rt);

	data_mover_threads_delete(dmt);
	data_mover_sync_delete(dms);
	runtime_delete(rt);
	return 0;
}
