/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmdk_pool.c -- makes a pool with PMDK's own libpmemblk (this program
 * links the system library, never ours), so the tool tests can read a
 * pool written by the reference implementation.
 *
 *   pmdk_pool PATH BSIZE SIZE
 *
 * Creates PATH, writes blocks 0..9 (block i holds "pmdk block i" and then
 * zeros), sets block 3 to zero and block 4 to the error state. Prints the
 * path of the libpmemblk it ran and the pool's nblock.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemblk.h>

int
main(int argc, char *argv[])
{
	if (argc != 4) {
		fprintf(stderr, "usage: pmdk_pool PATH BSIZE SIZE\n");
		return 2;
	}
	size_t bsize = strtoull(argv[2], NULL, 0);
	size_t size = strtoull(argv[3], NULL, 0);
	Dl_info info;
	if (dladdr((void *)pmemblk_create, &info) == 0)
		return 1;
	printf("lib: %s\n", info.dli_fname);

	PMEMblkpool *pbp = pmemblk_create(argv[1], bsize, size, 0644);
	if (pbp == NULL) {
		fprintf(stderr, "pmemblk_create: %s\n", pmemblk_errormsg());
		return 1;
	}
	char *buf = calloc(1, bsize);
	int ret = buf == NULL;
	for (int i = 0; i < 10 && ret == 0; i++) {
		snprintf(buf, bsize, "pmdk block %d", i);
		ret = pmemblk_write(pbp, buf, i);
	}
	if (ret == 0)
		ret = pmemblk_set_zero(pbp, 3) || pmemblk_set_error(pbp, 4);
	if (ret != 0)
		fprintf(stderr, "pmdk_pool: %s\n", pmemblk_errormsg());
	printf("nblock: %zu\n", pmemblk_nblock(pbp));
	pmemblk_close(pbp);
	free(buf);
	return ret != 0;
}
