/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_dump.c -- pool_dump POOL OUT: reads every block of POOL with
 * pmemblk_read(3) and writes them in order to OUT, so that a script can
 * compare what NBD clients wrote with what the library reads. It links
 * libpmemblk.so.1 by soname without an rpath: LD_LIBRARY_PATH picks ours
 * or PMDK's; the loaded file is printed on stderr. A block in the error
 * state makes it fail.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemblk.h>

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: pool_dump POOL OUT\n");
		return 2;
	}
	Dl_info info;
	if (dladdr((void *)pmemblk_read, &info) != 0 && info.dli_fname != NULL)
		fprintf(stderr, "pool_dump: libpmemblk from %s\n", info.dli_fname);

	PMEMblkpool *pbp = pmemblk_open(argv[1], 0);
	if (pbp == NULL) {
		fprintf(stderr, "pmemblk_open %s: %s\n", argv[1],
			pmemblk_errormsg());
		return 1;
	}
	size_t bsize = pmemblk_bsize(pbp), nblock = pmemblk_nblock(pbp);
	FILE *out = fopen(argv[2], "w");
	char *buf = malloc(bsize);
	int ret = out != NULL && buf != NULL ? 0 : 1;
	for (size_t b = 0; ret == 0 && b < nblock; b++) {
		if (pmemblk_read(pbp, buf, (long long)b) != 0) {
			fprintf(stderr, "pmemblk_read block %zu: %s\n", b,
				pmemblk_errormsg());
			ret = 1;
		} else if (fwrite(buf, bsize, 1, out) != 1) {
			fprintf(stderr, "write %s: %s\n", argv[2], strerror(errno));
			ret = 1;
		}
	}
	if (out != NULL && fclose(out) != 0)
		ret = 1;
	free(buf);
	pmemblk_close(pbp);
	if (ret == 0)
		fprintf(stderr, "pool_dump: %zu blocks of %zu bytes\n", nblock,
			bsize);
	return ret;
}
