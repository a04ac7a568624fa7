/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blk_crash.c -- a process killed with SIGKILL in the middle of a stream of
 * writes leaves every block whole, holding its old or its new content.
 *
 * Each round, a child process opens the pool and its threads write stamped
 * blocks (pattern.h) and call set_zero on their own hot blocks as fast as
 * they can. Before each operation a thread records in shared memory what the
 * block is about to become, and after it returns what the block now is. The
 * parent kills the child at a random moment, reopens the pool and checks
 * that every hot block is whole and equals either its last completed
 * content or the one in flight; every other block still reads zero; and
 * pmemblk_check returns 1. Then the next round starts from what was found.
 */
#define _GNU_SOURCE
#include <libpmemblk.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"
#include "ut.h"

#define BSIZE 4096
#define NTHREADS 4		/* writer threads in the child */
#define NBLOCKS 64		/* hot blocks 0 .. NBLOCKS-1; thread t owns b % NTHREADS == t */
#define ROUNDS 10
#define MIN_OPS 200		/* operations a child completes before it may die */
#define MAX_DELAY_US 20000	/* then it dies within this many microseconds */

#define IMAGE_ZERO 0		/* the block reads as zeros */
#define IMAGE_NONE UINT64_MAX	/* no operation in flight */

/* Per hot block, in memory shared by parent and child. */
struct block_log {
	_Atomic uint64_t done;		/* image after the last completed op */
	_Atomic uint64_t pending;	/* image of the op in flight, or NONE */
};

struct shared {
	struct block_log blocks[NBLOCKS];
	_Atomic uint64_t ops;		/* operations completed this round */
};

static struct shared *sh;
static const char *pool_path;
static unsigned round_no;

static void *
child_thread(void *arg)
{
	PMEMblkpool *pbp = arg;
	static _Atomic unsigned next_id;
	unsigned t = atomic_fetch_add(&next_id, 1);
	unsigned writer = round_no * NTHREADS + t;	/* unique across rounds */
	uint64_t *buf = malloc(BSIZE);
	if (buf == NULL)
		_exit(3);

	for (uint32_t gen = 1;; gen++) {
		uint64_t r = pattern_mix((uint64_t)writer << 32 | gen);
		unsigned b = (unsigned)(r % (NBLOCKS / NTHREADS)) * NTHREADS + t;
		struct block_log *log = &sh->blocks[b];
		uint64_t image;
		int ret;

		if (r >> 60 == 0) {	/* 1 in 16: set_zero */
			image = IMAGE_ZERO;
			atomic_store(&log->pending, image);
			ret = pmemblk_set_zero(pbp, b);
		} else {
			image = stamp_make(b, writer, gen);
			stamp_fill(buf, BSIZE, image);
			atomic_store(&log->pending, image);
			ret = pmemblk_write(pbp, buf, b);
		}
		if (ret != 0) {
			fprintf(stderr, "child: block %u: %s\n", b,
				pmemblk_errormsg());
			_exit(2);
		}
		atomic_store(&log->done, image);
		atomic_store(&log->pending, IMAGE_NONE);
		atomic_fetch_add(&sh->ops, 1);
	}
	return NULL;
}

/* The child: open the pool and write until killed. */
static void
child(void)
{
	PMEMblkpool *pbp = pmemblk_open(pool_path, BSIZE);
	if (pbp == NULL) {
		fprintf(stderr, "child: pmemblk_open: %s\n", pmemblk_errormsg());
		_exit(2);
	}
	pthread_t th[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, child_thread, pbp) != 0)
			_exit(3);
	for (;;)
		pause();
}

/* Runs one child and kills it in the middle of its writes. */
static void
crash_round(uint64_t rng)
{
	sh->ops = 0;
	pid_t pid = fork();
	UT_ASSERT(pid >= 0);
	if (pid == 0)
		child();

	/* Let it get going, then kill it at a random moment. */
	const struct timespec ms = { 0, 1000000 };
	for (int waited = 0; atomic_load(&sh->ops) < MIN_OPS; waited++) {
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid)
			UT_FAIL("round %u: child exited early, status 0x%x",
				round_no, status);
		if (waited > 20000)
			UT_FAIL("round %u: child made no progress", round_no);
		nanosleep(&ms, NULL);
	}
	unsigned delay = (unsigned)(rng % MAX_DELAY_US);
	usleep(delay);
	UT_ASSERT_EQ(kill(pid, SIGKILL), 0);
	int status;
	UT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		UT_FAIL("round %u: child ended with status 0x%x, not SIGKILL",
			round_no, status);
	printf("round %u: killed after %u us, %llu ops completed", round_no,
		delay, (unsigned long long)atomic_load(&sh->ops));
}

/* Reopens the pool after a crash and checks every block. */
static void
verify_after_crash(void)
{
	PMEMblkpool *pbp = pmemblk_open(pool_path, BSIZE);
	if (pbp == NULL)
		UT_FAIL("round %u: reopen: %s", round_no, pmemblk_errormsg());
	long long nblock = (long long)pmemblk_nblock(pbp);
	uint64_t *buf = malloc(BSIZE);
	UT_ASSERT(buf != NULL);
	unsigned in_flight = 0, new_content = 0;

	for (long long b = 0; b < nblock; b++) {
		if (pmemblk_read(pbp, buf, b) != 0)
			UT_FAIL("round %u: read block %lld: %s", round_no, b,
				pmemblk_errormsg());
		uint64_t s = 0;
		size_t bad;
		enum stamp_result res = stamp_decode(buf, BSIZE, (uint64_t)b,
			&s, &bad);
		if (res == STAMP_TORN)
			UT_FAIL("round %u: block %lld is torn: word 0 has stamp"
				" 0x%016llx, word %zu disagrees", round_no, b,
				(unsigned long long)s, bad);
		uint64_t image = res == STAMP_ZERO ? IMAGE_ZERO : s;

		if (b >= NBLOCKS) {
			if (image != IMAGE_ZERO)
				UT_FAIL("round %u: block %lld was never written"
					" but holds stamp 0x%016llx", round_no,
					b, (unsigned long long)image);
			continue;
		}
		struct block_log *log = &sh->blocks[b];
		uint64_t done = atomic_load(&log->done);
		uint64_t pending = atomic_load(&log->pending);
		if (pending != IMAGE_NONE)
			in_flight++;
		if (image == done)
			continue;
		if (pending != IMAGE_NONE && image == pending) {
			new_content++;
			atomic_store(&log->done, image);
			atomic_store(&log->pending, IMAGE_NONE);
			continue;
		}
		UT_FAIL("round %u: block %lld holds 0x%016llx; expected the "
			"last completed 0x%016llx or the in-flight 0x%016llx",
			round_no, b, (unsigned long long)image,
			(unsigned long long)done, (unsigned long long)pending);
	}
	/* Whatever was in flight and did not land is gone for good. */
	for (unsigned b = 0; b < NBLOCKS; b++)
		atomic_store(&sh->blocks[b].pending, IMAGE_NONE);

	free(buf);
	pmemblk_close(pbp);
	printf(", %u in flight (%u landed)\n", in_flight, new_content);

	errno = 0;
	int c = pmemblk_check(pool_path, BSIZE);
	if (c != 1)
		UT_FAIL("round %u: pmemblk_check returned %d: %s", round_no, c,
			pmemblk_errormsg());
}

int
main(void)
{
	char *dir = scratch_dir_create("blk_crash");
	char *path;
	UT_ASSERT(asprintf(&path, "%s/pool", dir) > 0);
	pool_path = path;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	UT_ASSERT(sh != MAP_FAILED);
	for (unsigned b = 0; b < NBLOCKS; b++) {
		sh->blocks[b].done = IMAGE_ZERO;
		sh->blocks[b].pending = IMAGE_NONE;
	}

	PMEMblkpool *pbp = pmemblk_create(path, BSIZE, PMEMBLK_MIN_POOL, 0600);
	UT_ASSERT(pbp != NULL);
	UT_ASSERT(pmemblk_nblock(pbp) > NBLOCKS);
	pmemblk_close(pbp);

	uint64_t seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	printf("seed %llu\n", (unsigned long long)seed);
	for (round_no = 0; round_no < ROUNDS; round_no++) {
		fflush(stdout);
		crash_round(pattern_mix(seed + round_no));
		verify_after_crash();
	}

	munmap(sh, sizeof(*sh));
	scratch_dir_remove(dir);
	free(path);
	return 0;
}
