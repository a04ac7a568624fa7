/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_create.c -- `pmemblk create`: a new pool through pmemblk_create().
 */
#include <stdint.h>
#include <stdio.h>

#include <libpmemblk.h>

#include "args.h"
#include "report.h"
#include "tool.h"

static const char help[] =
"Usage: pmemblk create -b N -s SIZE [-m MODE] POOL\n"
"\n"
"Creates the block pool POOL with pmemblk_create(3) and prints its block\n"
"count. The BTT layout is written later, by the first block write.\n"
"\n"
"Options:\n"
"  -b, --bsize N     block size in bytes, e.g. 512 or 4K (required)\n"
"  -s, --size SIZE   size of the new file, e.g. 64M or 1G; at least\n"
"                    16 MiB + 8 KiB. With 0 the existing file POOL is used\n"
"                    as it is (its first 4 KiB must be zero).\n"
"  -m, --mode MODE   permissions of a new file, octal (default 0644)\n"
"  -h, --help        show this help\n"
"\n"
SIZE_HELP
"\n"
"Exit status: 0 created, 2 usage error, 3 the pool could not be created\n"
"(for example: the file exists, the size is too small, bsize too large).\n";

static int
parse_mode(const char *s, unsigned *mode)
{
	unsigned v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '7' && v <= 07777; p++)
		v = v * 8 + (unsigned)(*p - '0');
	if (p == s || *p != '\0' || v > 07777) {
		fail(EXIT_USAGE, "--mode: invalid mode '%s' (octal, e.g. 0644)", s);
		return -1;
	}
	*mode = v;
	return 0;
}

int
cmd_create(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "bsize", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t bsize = 0, size = 0;
	bool have_bsize = false, have_size = false;
	unsigned mode = 0644;
	struct opts o;
	opts_init(&o, argc, argv, "b:s:m:", longopts, help);
	for (int c; (c = opts_next(&o)) != OPTS_END; ) {
		int ret = 0;
		switch (c) {
		case 'b':
			ret = parse_bsize(optarg, "--bsize", &bsize);
			have_bsize = true;
			break;
		case 's':
			ret = parse_size(optarg, "--size", &size);
			have_size = true;
			break;
		case 'm':
			ret = parse_mode(optarg, &mode);
			break;
		default:
			return o.exit;
		}
		if (ret != 0)
			return EXIT_USAGE;
	}
	char **pos = opts_positional(&o, 1, 1, "POOL");
	if (pos == NULL)
		return o.exit;
	if (!have_bsize)
		return usage_error("missing --bsize");
	if (!have_size)
		return usage_error("missing --size (0 uses an existing file)");
	if (size > SIZE_MAX)
		return fail(EXIT_USAGE, "--size: too large for this system");

	PMEMblkpool *pbp = pmemblk_create(pos[0], (size_t)bsize, (size_t)size,
		(mode_t)mode);
	if (pbp == NULL)
		return fail_lib("cannot create pool");
	size_t nblock = pmemblk_nblock(pbp);
	pmemblk_close(pbp);

	char buf[FMT_BUF];
	printf("created %s: bsize %llu, %zu blocks", pos[0],
		(unsigned long long)bsize, nblock);
	if (size != 0)
		printf(", %s", fmt_size(buf, size));
	printf("\n");
	return EXIT_OK;
}
