/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * args.h -- command-line parsing shared by the subcommands: an option
 * loop that handles --help and reports bad options in one line, and the
 * one place where numbers, sizes, block numbers and durations are parsed.
 */
#ifndef PMEMBLK_TOOL_ARGS_H
#define PMEMBLK_TOOL_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

/* opts_next() results besides option characters */
#define OPTS_END (-1)
#define OPTS_EXIT (-2)	/* help printed or error reported: see opts.exit */

struct opts {
	int argc;
	char **argv;
	const char *shortopts;		/* without the leading ':' and 'h' */
	const struct option *longopts;	/* without --help */
	const char *help;		/* printed for -h/--help */
	int exit;			/* exit code when OPTS_EXIT */
	char shortbuf[64];
	struct option longbuf[32];
};

void opts_init(struct opts *o, int argc, char *argv[], const char *shortopts,
	const struct option *longopts, const char *help);

/* The next option character, OPTS_END or OPTS_EXIT. */
int opts_next(struct opts *o);

/*
 * After the options: checks that between min and max positional
 * arguments remain (names used in the message) and returns their start.
 * NULL with o->exit set on a mismatch.
 */
char **opts_positional(struct opts *o, int min, int max, const char *names);

/*
 * Value parsers. On a bad value they print a one-line message naming
 * `what` (e.g. "--size") and return -1; the caller exits EXIT_USAGE.
 */

/* A decimal integer. */
int parse_u64(const char *s, const char *what, uint64_t *out);

/* An integer in [min, max]. */
int parse_uint_range(const char *s, const char *what, uint64_t min,
	uint64_t max, uint64_t *out);

/*
 * A size: an integer or decimal with an optional suffix, K/M/G/T/P or
 * KiB/MiB/... (powers of 1024), kB/MB/GB/TB/PB (powers of 1000) or B.
 * Case of the binary single letters does not matter: 4k = 4K = 4KiB =
 * 4096. A decimal must come to a whole number of bytes: 1.5G, not 1.3K.
 * SIZE_HELP says so for help texts, the one place it is explained.
 */
int parse_size(const char *s, const char *what, uint64_t *out);

#define SIZE_HELP \
"Sizes: an integer or decimal with an optional suffix: K, M, G, T, P\n" \
"(or KiB, MiB, ...) for powers of 1024; kB, MB, GB, TB, PB for\n" \
"powers of 1000; B for bytes. 4K = 4096, 1.5G = 1610612736,\n" \
"64MB = 64000000. A decimal must come to a whole number of bytes.\n"

/*
 * Block numbers for read, write, zero and error: N, N-M (inclusive) or a
 * comma-separated list of those, each counted from 0; in the order given.
 */
#define BLOCK_LIST_MAX 64
struct block_list {
	unsigned n;
	struct { uint64_t first, last; } r[BLOCK_LIST_MAX];
	uint64_t count;		/* blocks in all ranges */
};

/* At most nmax blocks in all; a message and -1 on a bad list. */
int parse_block_list(const char *s, uint64_t nmax, struct block_list *out);

/* A block size: a size (4096, 4K) from 1 to 4 GiB - 1. */
int parse_bsize(const char *s, const char *what, uint64_t *out);

/* A block number: a non-negative integer that fits a long long. */
int parse_blockno(const char *s, long long *out);

/* A duration: seconds, optionally with a fraction or an s/ms suffix. */
int parse_duration(const char *s, const char *what, double *seconds);

#endif
