/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * async_example.c -- keep many block writes and reads in flight from one
 * thread: the copies run on the threads mover's workers while this thread
 * only polls (the README's async example).
 */
#define PMEMBLK_USE_MINIASYNC 1
#include <libminiasync.h>
#include <libpmemblk.h>
#include <stdio.h>

#define N 32
#define BSIZE 4096

int
main(int argc, char *argv[])
{
	const char *path = argc > 1 ? argv[1] : "/tmp/async_example.pool";
	struct data_mover_threads *dmt = data_mover_threads_default();
	struct runtime *rt = runtime_new();
	PMEMblkpool *pbp = pmemblk_xcreate(path, BSIZE, 64 << 20, 0600,
		data_mover_threads_get_vdm(dmt));
	if (dmt == NULL || rt == NULL || pbp == NULL) {
		fprintf(stderr, "%s: %s\n", path, pmemblk_errormsg());
		return 1;
	}
	static char bufs[N][BSIZE];
	static struct pmemblk_write_async_future writes[N];
	static struct pmemblk_read_async_future reads[N];
	struct future *futs[N];

	for (int i = 0; i < N; i++) {	/* 32 writes in flight */
		snprintf(bufs[i], BSIZE, "block %d", i);
		writes[i] = pmemblk_write_async(pbp, bufs[i], i);
		futs[i] = FUTURE_AS_RUNNABLE(&writes[i]);
	}
	runtime_wait_multiple(rt, futs, N);

	for (int i = 0; i < N; i++) {	/* then 32 reads */
		bufs[i][0] = '\0';
		reads[i] = pmemblk_read_async(pbp, bufs[i], i);
		futs[i] = FUTURE_AS_RUNNABLE(&reads[i]);
	}
	runtime_wait_multiple(rt, futs, N);

	int failed = 0;
	for (int i = 0; i < N; i++)
		failed += FUTURE_OUTPUT(&writes[i])->return_value != 0 ||
			FUTURE_OUTPUT(&reads[i])->return_value != 0;
	printf("%d writes and %d reads, %d failed; block 7 holds \"%s\"\n",
		N, N, failed, bufs[7]);
	pmemblk_close(pbp);
	runtime_delete(rt);
	data_mover_threads_delete(dmt);
	return failed != 0;
}
