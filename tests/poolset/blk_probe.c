/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blk_probe.c -- a few chosen blocks of a pool, through the public API
 * only, with whichever libpmemblk.so.1 LD_LIBRARY_PATH selects (PMDK's or
 * ours; no rpath). The interop tool (tests/interop) fills and verifies
 * every block of a pool; this one touches only the blocks named, which is
 * what a 512 GiB sparse pool allows.
 *
 *   blk_probe lib                          path of the loaded libpmemblk
 *   blk_probe create PATH BSIZE            create with poolsize 0, print nblock
 *   blk_probe write PATH SEED BLOCK...     write pattern_fill(SEED, BLOCK)
 *   blk_probe verify PATH SEED BLOCK...    read back and compare
 *   blk_probe check PATH                   pmemblk_check() must return 1
 *
 * create, write and verify print "nblock N". Exit status 0 on success, 1
 * on any failure (with a message on stderr), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libpmemblk.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaded_lib.h"
#include "pattern.h"

static int
fail(const char *what, const char *path)
{
	fprintf(stderr, "%s %s: %s (errno %d: %s)\n", what, path,
		pmemblk_errormsg(), errno, strerror(errno));
	return 1;
}

static long long
parse_num(const char *s)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 0);
	if (errno != 0 || *s == '\0' || *end != '\0') {
		fprintf(stderr, "invalid number: %s\n", s);
		exit(2);
	}
	return v;
}

/* Writes or verifies blocks blockv[0..n-1] with seed. */
static int
blocks(const char *path, bool write_them, long long seed, int n,
	char *blockv[])
{
	PMEMblkpool *pbp = pmemblk_open(path, 0);
	if (pbp == NULL)
		return fail("pmemblk_open", path);
	size_t bsize = pmemblk_bsize(pbp);
	unsigned char *buf = malloc(bsize), *want = malloc(bsize);
	int ret = buf != NULL && want != NULL ? 0 : fail("malloc", path);
	for (int i = 0; i < n && ret == 0; i++) {
		long long b = parse_num(blockv[i]);
		pattern_fill(want, bsize, (uint64_t)seed, b);
		if (write_them) {
			if (pmemblk_write(pbp, want, b) != 0)
				ret = fail("pmemblk_write", path);
		} else if (pmemblk_read(pbp, buf, b) != 0) {
			ret = fail("pmemblk_read", path);
		} else if (memcmp(buf, want, bsize) != 0) {
			fprintf(stderr, "%s: block %lld does not hold seed %lld\n",
				path, b, seed);
			ret = 1;
		}
	}
	if (ret == 0)
		printf("nblock %zu\n", pmemblk_nblock(pbp));
	free(buf);
	free(want);
	pmemblk_close(pbp);
	return ret;
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "lib") == 0) {
		const char *lib = loaded_lib_path((void *)pmemblk_open);
		if (lib == NULL)
			return 1;
		printf("%s\n", lib);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "create") == 0) {
		PMEMblkpool *pbp = pmemblk_create(argv[2],
			(size_t)parse_num(argv[3]), 0, 0600);
		if (pbp == NULL)
			return fail("pmemblk_create", argv[2]);
		printf("nblock %zu\n", pmemblk_nblock(pbp));
		pmemblk_close(pbp);
		return 0;
	}
	if (argc >= 4 && (strcmp(argv[1], "write") == 0 ||
			strcmp(argv[1], "verify") == 0))
		return blocks(argv[2], argv[1][0] == 'w', parse_num(argv[3]),
			argc - 4, argv + 4);
	if (argc == 3 && strcmp(argv[1], "check") == 0) {
		int r = pmemblk_check(argv[2], 0);
		if (r == 1)
			return 0;
		fprintf(stderr, "pmemblk_check %s returned %d: %s\n", argv[2],
			r, pmemblk_errormsg());
		return 1;
	}
	fprintf(stderr, "usage: blk_probe lib | create PATH BSIZE | "
		"write|verify PATH SEED BLOCK... | check PATH\n");
	return 2;
}
