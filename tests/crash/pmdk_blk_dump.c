/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmdk_blk_dump.c -- runs a crash image through whichever libpmemblk.so.1
 * the dynamic linker picks (linked by soname, no rpath: with
 * LD_LIBRARY_PATH unset that is PMDK's), and prints what it sees.
 *
 * usage: pmdk_blk_dump POOL BSIZE
 * output (text, one item a line):
 *   check <pmemblk_check result> <errno>
 *   open <0|errno> <nblock>
 *   <lba> E            read failed with EIO
 *   <lba> D <version>  a whole version of this block (crash_pattern.h)
 *   <lba> X <errno>    anything else (mixed data, other error)
 *   end
 * Blocks that read as zeros are not listed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <libpmemblk.h>

#include "crash_pattern.h"

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s POOL BSIZE\n", argv[0]);
		return 2;
	}
	const char *path = argv[1];
	size_t bsize = strtoull(argv[2], NULL, 0);

	errno = 0;
	int check = pmemblk_check(path, bsize);
	printf("check %d %d\n", check, check == 1 ? 0 : errno);

	PMEMblkpool *pbp = pmemblk_open(path, bsize);
	if (pbp == NULL) {
		printf("open %d 0\nend\n", errno);
		return 0;
	}
	size_t nblock = pmemblk_nblock(pbp);
	printf("open 0 %zu\n", nblock);
	void *buf = malloc(bsize);
	if (buf == NULL)
		return 2;
	for (size_t lba = 0; lba < nblock; lba++) {
		errno = 0;
		if (pmemblk_read(pbp, buf, (long long)lba) != 0) {
			if (errno == EIO)
				printf("%zu E\n", lba);
			else
				printf("%zu X %d\n", lba, errno);
			continue;
		}
		uint64_t version = 0;
		switch (pat_decode(buf, bsize, lba, &version)) {
		case PAT_ZERO:
			break;
		case PAT_DATA:
			printf("%zu D %llu\n", lba, (unsigned long long)version);
			break;
		case PAT_BAD:
			printf("%zu X 0\n", lba);
			break;
		}
	}
	printf("end\n");
	free(buf);
	pmemblk_close(pbp);
	return 0;
}
