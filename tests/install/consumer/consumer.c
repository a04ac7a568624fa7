/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * consumer.c -- a program built out of tree against an installed
 * libpmemblk and libminiasync: one synchronous and one asynchronous block
 * write and read. Prints "consumer: ok" on success.
 *
 *   consumer POOL_PATH
 */
#define PMEMBLK_USE_MINIASYNC 1
#include <libpmemblk.h>
#include <libminiasync.h>

#include <stdio.h>
#include <string.h>

#define BSIZE 4096

static int
fail(const char *what)
{
	fprintf(stderr, "consumer: %s: %s\n", what, pmemblk_errormsg());
	return 1;
}

int
main(int argc, char *argv[])
{
	if (argc != 2)
		return 2;
	const char *msg = pmemblk_check_version(PMEMBLK_MAJOR_VERSION,
		PMEMBLK_MINOR_VERSION);
	if (msg != NULL)
		return fail(msg);

	static char in[BSIZE] = "written by the consumer", out[BSIZE];
	PMEMblkpool *pbp = pmemblk_create(argv[1], BSIZE, PMEMBLK_MIN_POOL,
		0600);
	if (pbp == NULL)
		return fail("pmemblk_create");
	if (pmemblk_write(pbp, in, 1) != 0 || pmemblk_read(pbp, out, 1) != 0 ||
			memcmp(in, out, BSIZE) != 0)
		return fail("sync write/read");
	pmemblk_close(pbp);

	struct data_mover_sync *dms = data_mover_sync_new();
	if (dms == NULL)
		return fail("data_mover_sync_new");
	pbp = pmemblk_xopen(argv[1], BSIZE, data_mover_sync_get_vdm(dms));
	if (pbp == NULL)
		return fail("pmemblk_xopen");
	struct pmemblk_write_async_future w = pmemblk_write_async(pbp, in, 2);
	FUTURE_BUSY_POLL(&w);
	memset(out, 0, BSIZE);
	struct pmemblk_read_async_future r = pmemblk_read_async(pbp, out, 2);
	FUTURE_BUSY_POLL(&r);
	if (FUTURE_OUTPUT(&w)->return_value != 0 ||
			FUTURE_OUTPUT(&r)->return_value != 0 ||
			memcmp(in, out, BSIZE) != 0)
		return fail("async write/read");
	pmemblk_close(pbp);
	data_mover_sync_delete(dms);

	if (pmemblk_check(argv[1], BSIZE) != 1)
		return fail("pmemblk_check");
	printf("consumer: ok\n");
	return 0;
}
