/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blk_interop_tool.c -- drives a block pool through the public libpmemblk
 * API only, so the same binary can run against PMDK's libpmemblk.so.1 or
 * ours (chosen by LD_LIBRARY_PATH) and a script can pass a pool back and
 * forth between the two.
 *
 *   blk_interop_tool lib                      path of the loaded libpmemblk
 *   blk_interop_tool create PATH BSIZE SIZE   create a pool, print nblock
 *   blk_interop_tool fill PATH SEED           apply the seeded changes
 *   blk_interop_tool verify PATH [SEED...]    check every block against the
 *                                             fills of SEED... in order, then
 *                                             pmemblk_check() == 1
 *
 * A fill with seed S writes, zeroes and errors blocks as pattern_op(S, ...)
 * says; the data written is pattern_fill(S, block). A verifier replays the
 * seeds in the order they were applied to know every block's final state:
 * the last seed that touched a block decides it; untouched blocks read zero.
 *
 * Exit status 0 on success, 1 on any failure (with a message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <libpmemblk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaded_lib.h"
#include "pattern.h"

#define MAX_REPORTED 10

static int
fail(const char *what, const char *path)
{
	fprintf(stderr, "%s %s: %s (errno %d: %s)\n", what, path,
		pmemblk_errormsg(), errno, strerror(errno));
	return 1;
}

static unsigned long long
parse_num(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno != 0 || *s == '\0' || *end != '\0') {
		fprintf(stderr, "invalid %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

static int
cmd_lib(void)
{
	const char *path = loaded_lib_path((void *)pmemblk_open);
	if (path == NULL)
		return 1;
	printf("%s\n", path);
	return 0;
}

static int
cmd_create(const char *path, size_t bsize, size_t size)
{
	PMEMblkpool *pbp = pmemblk_create(path, bsize, size, 0600);
	if (pbp == NULL)
		return fail("pmemblk_create", path);
	printf("%zu\n", pmemblk_nblock(pbp));
	pmemblk_close(pbp);
	return 0;
}

static int
cmd_fill(const char *path, uint64_t seed)
{
	PMEMblkpool *pbp = pmemblk_open(path, 0);
	if (pbp == NULL)
		return fail("pmemblk_open", path);
	size_t bsize = pmemblk_bsize(pbp);
	long long nblock = (long long)pmemblk_nblock(pbp);
	unsigned char *buf = malloc(bsize);
	if (buf == NULL)
		return fail("malloc", path);

	int ret = 0;
	for (long long b = 0; b < nblock && ret == 0; b++) {
		enum pattern_op op = pattern_op(seed, b, nblock);
		if (op == OP_WRITE || op == OP_ZERO || op == OP_ERROR) {
			pattern_fill(buf, bsize, seed, b);
			if (pmemblk_write(pbp, buf, b) != 0)
				ret = fail("pmemblk_write", path);
		}
		if (ret == 0 && op == OP_ZERO && pmemblk_set_zero(pbp, b) != 0)
			ret = fail("pmemblk_set_zero", path);
		if (ret == 0 && (op == OP_ERROR || op == OP_ERROR_ONLY) &&
				pmemblk_set_error(pbp, b) != 0)
			ret = fail("pmemblk_set_error", path);
		if (ret != 0)
			fprintf(stderr, "  at block %lld\n", b);
	}
	free(buf);
	pmemblk_close(pbp);
	return ret;
}

static const char *const state_name[] = {
	[OP_NONE] = "zero (never written)",
	[OP_WRITE] = "data",
	[OP_ZERO] = "zero (set_zero)",
	[OP_ERROR] = "error",
	[OP_ERROR_ONLY] = "error",
};

/* Checks one block; returns 0 if it matches, else prints why and 1. */
static int
verify_block(PMEMblkpool *pbp, long long b, enum pattern_op want,
	uint64_t seed, unsigned char *got, unsigned char *expect, int report)
{
	size_t bsize = pmemblk_bsize(pbp);
	errno = 0;
	int r = pmemblk_read(pbp, got, b);
	int err = errno;

	if (want == OP_ERROR || want == OP_ERROR_ONLY) {
		if (r == -1 && err == EIO)
			return 0;
		if (report)
			fprintf(stderr, "block %lld: expected error state "
				"(read -1 EIO), read returned %d errno %d\n",
				b, r, r == 0 ? 0 : err);
		return 1;
	}
	if (r != 0) {
		if (report)
			fprintf(stderr, "block %lld: expected %s, read failed"
				" errno %d (%s): %s\n", b, state_name[want],
				err, strerror(err), pmemblk_errormsg());
		return 1;
	}
	if (want == OP_WRITE)
		pattern_fill(expect, bsize, seed, b);
	else
		memset(expect, 0, bsize);
	if (memcmp(got, expect, bsize) == 0)
		return 0;
	if (report) {
		size_t i = 0;
		while (got[i] == expect[i])
			i++;
		fprintf(stderr, "block %lld: expected %s", b,
			state_name[want]);
		if (want == OP_WRITE)
			fprintf(stderr, " of seed %" PRIu64, seed);
		fprintf(stderr, ", first difference at byte %zu: read 0x%02x,"
			" expected 0x%02x\n", i, got[i], expect[i]);
	}
	return 1;
}

static int
cmd_verify(const char *path, int nseeds, char *seedv[])
{
	PMEMblkpool *pbp = pmemblk_open(path, 0);
	if (pbp == NULL)
		return fail("pmemblk_open", path);
	size_t bsize = pmemblk_bsize(pbp);
	long long nblock = (long long)pmemblk_nblock(pbp);
	unsigned char *got = malloc(bsize), *expect = malloc(bsize);
	uint64_t *seeds = calloc((size_t)nseeds + 1, sizeof(*seeds));
	if (got == NULL || expect == NULL || seeds == NULL)
		return fail("malloc", path);
	for (int i = 0; i < nseeds; i++)
		seeds[i] = parse_num(seedv[i], "seed");

	long long bad = 0, count[OP_ERROR_ONLY + 1] = {0};
	for (long long b = 0; b < nblock; b++) {
		enum pattern_op want = OP_NONE;
		uint64_t seed = 0;
		for (int i = 0; i < nseeds; i++) {
			enum pattern_op op = pattern_op(seeds[i], b, nblock);
			if (op != OP_NONE) {
				want = op;
				seed = seeds[i];
			}
		}
		count[want]++;
		bad += verify_block(pbp, b, want, seed, got, expect,
			bad < MAX_REPORTED);
	}
	pmemblk_close(pbp);
	free(got);
	free(expect);
	free(seeds);

	if (bad != 0) {
		fprintf(stderr, "%s: %lld of %lld blocks wrong\n", path, bad,
			nblock);
		return 1;
	}
	errno = 0;
	int c = pmemblk_check(path, bsize);
	if (c != 1) {
		fprintf(stderr, "pmemblk_check %s returned %d (expected 1): "
			"%s (errno %d)\n", path, c, pmemblk_errormsg(), errno);
		return 1;
	}
	printf("%s: bsize %zu nblock %lld ok: %lld data, %lld zeroed, "
		"%lld error, %lld never written\n", path, bsize, nblock,
		count[OP_WRITE], count[OP_ZERO],
		count[OP_ERROR] + count[OP_ERROR_ONLY], count[OP_NONE]);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: blk_interop_tool lib\n"
		"       blk_interop_tool create PATH BSIZE SIZE\n"
		"       blk_interop_tool fill PATH SEED\n"
		"       blk_interop_tool verify PATH [SEED...]\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	const char *msg = pmemblk_check_version(PMEMBLK_MAJOR_VERSION,
		PMEMBLK_MINOR_VERSION);
	if (msg != NULL) {
		fprintf(stderr, "pmemblk_check_version: %s\n", msg);
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "lib") == 0)
		return cmd_lib();
	if (argc == 5 && strcmp(argv[1], "create") == 0)
		return cmd_create(argv[2], parse_num(argv[3], "bsize"),
			parse_num(argv[4], "size"));
	if (argc == 4 && strcmp(argv[1], "fill") == 0)
		return cmd_fill(argv[2], parse_num(argv[3], "seed"));
	if (argc >= 3 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(argv[2], argc - 3, argv + 3);
	return usage();
}
