/* SPDX-License-Identifier: BSD-3-Clause */
/* sync_example.c -- write a block, read it back (the README's example). */
#include <errno.h>
#include <libpmemblk.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char *argv[])
{
	const char *path = argc > 1 ? argv[1] : "/tmp/example.pool";
	PMEMblkpool *pbp = pmemblk_create(path, 4096, PMEMBLK_MIN_POOL, 0600);
	if (pbp == NULL && errno == EEXIST)
		pbp = pmemblk_open(path, 4096);
	if (pbp == NULL) {
		fprintf(stderr, "%s: %s\n", path, pmemblk_errormsg());
		return 1;
	}
	char block[4096] = "hello, persistent world";
	if (pmemblk_write(pbp, block, 42) != 0)	/* atomic and durable */
		fprintf(stderr, "write: %s\n", pmemblk_errormsg());
	memset(block, 0, sizeof(block));
	if (pmemblk_read(pbp, block, 42) == 0)
		printf("block 42 of %zu: %s\n", pmemblk_nblock(pbp), block);
	pmemblk_close(pbp);
	return 0;
}
