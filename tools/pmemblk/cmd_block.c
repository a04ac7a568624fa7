/*
 * cmd_block.c -- the one-block commands: read, write, zero, error.
 * They share the argument handling: POOL BLOCK, an optional --bsize
 * assertion, and a range check against the pool's block count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpmemblk.h>

#include "args.h"
#include "report.h"
#include "tool.h"

#define BLOCK_OPTIONS_HELP \
"  -b, --bsize N   fail unless the pool's block size is N\n" \
"  -h, --help      show this help\n"

#define BLOCK_EXIT_HELP \
"\nExit status: 0 success, 2 usage error (including a block number out\n" \
"of range), 3 the operation failed (pool cannot be opened, block in the\n" \
"error state, I/O error, ...).\n"

static const char read_help[] =
"Usage: pmemblk read [-o FILE] [--hex] POOL BLOCK\n"
"\n"
"Reads block number BLOCK (counted from 0) of POOL and writes its bsize\n"
"bytes to FILE, or to stdout. On a terminal stdout gets a hex dump\n"
"instead of raw bytes.\n"
"\n"
"Options:\n"
"  -o, --output FILE   write the block to FILE (created or truncated)\n"
"  -x, --hex           print a hex dump instead of raw bytes\n"
BLOCK_OPTIONS_HELP BLOCK_EXIT_HELP;

static const char write_help[] =
"Usage: pmemblk write [-i FILE] POOL BLOCK\n"
"\n"
"Writes block number BLOCK (counted from 0) of POOL, atomically, from\n"
"FILE or from stdin. Input shorter than the block size is padded with\n"
"zeros; longer input is refused.\n"
"\n"
"Options:\n"
"  -i, --input FILE    read the data from FILE instead of stdin\n"
BLOCK_OPTIONS_HELP BLOCK_EXIT_HELP;

static const char zero_help[] =
"Usage: pmemblk zero POOL BLOCK\n"
"\n"
"Sets block BLOCK of POOL to zero with pmemblk_set_zero(3): later reads\n"
"return zeros. Clears the error state.\n"
"\n"
"Options:\n"
BLOCK_OPTIONS_HELP BLOCK_EXIT_HELP;

static const char error_help[] =
"Usage: pmemblk error POOL BLOCK\n"
"\n"
"Puts block BLOCK of POOL in the error state with pmemblk_set_error(3):\n"
"later reads fail with EIO until the block is written or zeroed.\n"
"\n"
"Options:\n"
BLOCK_OPTIONS_HELP BLOCK_EXIT_HELP;

struct block_cmd {
	const char *file;	/* -o / -i */
	bool hex;
	uint64_t bsize;
	PMEMblkpool *pbp;
	long long blockno;
	const char *path;
};

/* Parses the options and arguments and opens the pool. */
static int
block_setup(struct block_cmd *bc, int argc, char *argv[], const char *help,
	const char *fileopt)
{
	static const struct option longopts[] = {
		{ "bsize", required_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ "input", required_argument, NULL, 'i' },
		{ "hex", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	memset(bc, 0, sizeof(*bc));
	struct opts o;
	opts_init(&o, argc, argv, "b:o:i:x", longopts, help);
	for (int c; (c = opts_next(&o)) != OPTS_END; ) {
		if (c == OPTS_EXIT)
			return o.exit;
		if (c == 'b') {
			if (parse_bsize(optarg, "--bsize", &bc->bsize) != 0)
				return EXIT_USAGE;
		} else if (c == 'x' && strcmp(fileopt, "o") == 0) {
			bc->hex = true;
		} else if (fileopt[0] == c) {
			bc->file = optarg;
		} else {
			return usage_error("option '%s' does not apply here",
				argv[optind - 1]);
		}
	}
	char **pos = opts_positional(&o, 2, 2, "POOL BLOCK");
	if (pos == NULL)
		return o.exit;
	bc->path = pos[0];
	if (parse_blockno(pos[1], &bc->blockno) != 0)
		return EXIT_USAGE;

	bc->pbp = pmemblk_open(bc->path, (size_t)bc->bsize);
	if (bc->pbp == NULL)
		return fail_lib("cannot open pool");
	size_t nblock = pmemblk_nblock(bc->pbp);
	if ((unsigned long long)bc->blockno >= nblock) {
		pmemblk_close(bc->pbp);
		bc->pbp = NULL;
		return fail(EXIT_USAGE, "block %lld is out of range: %s has "
			"%zu blocks (0..%zu)", bc->blockno, bc->path, nblock,
			nblock - 1);
	}
	return EXIT_OK;
}

/* Closes the pool; returns `ret`. */
static int
block_done(struct block_cmd *bc, int ret)
{
	if (bc->pbp != NULL)
		pmemblk_close(bc->pbp);
	return ret;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads up to len bytes; returns how many (short only at end of file). */
static ssize_t
read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static void
hexdump(FILE *f, const unsigned char *buf, size_t len)
{
	for (size_t off = 0; off < len; off += 16) {
		fprintf(f, "%08zx ", off);
		for (size_t i = off; i < off + 16; i++) {
			if (i < len)
				fprintf(f, "%s%02x", i % 8 == 0 ? "  " : " ", buf[i]);
			else
				fprintf(f, "%s  ", i % 8 == 0 ? "  " : " ");
		}
		fputs("  |", f);
		for (size_t i = off; i < off + 16 && i < len; i++)
			fputc(buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '.', f);
		fputs("|\n", f);
	}
}

static int
output_block(const struct block_cmd *bc, const unsigned char *buf,
	size_t bsize)
{
	if (bc->file == NULL && (bc->hex || isatty(STDOUT_FILENO))) {
		hexdump(stdout, buf, bsize);
		return EXIT_OK;
	}
	int fd = STDOUT_FILENO;
	if (bc->file != NULL) {
		fd = open(bc->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644);
		if (fd < 0)
			return fail(EXIT_FAIL, "%s: %s", bc->file, strerror(errno));
	}
	int ret = EXIT_OK;
	if (bc->hex) {
		FILE *f = fdopen(fd, "w");
		if (f == NULL)
			ret = fail(EXIT_FAIL, "%s: %s", bc->file, strerror(errno));
		else {
			hexdump(f, buf, bsize);
			if (fclose(f) != 0)
				ret = fail(EXIT_FAIL, "%s: %s", bc->file,
					strerror(errno));
		}
		return ret;
	}
	if (write_all(fd, buf, bsize) != 0)
		ret = fail(EXIT_FAIL, "%s: %s", bc->file ? bc->file : "stdout",
			strerror(errno));
	if (fd != STDOUT_FILENO && close(fd) != 0 && ret == EXIT_OK)
		ret = fail(EXIT_FAIL, "%s: %s", bc->file, strerror(errno));
	return ret;
}

int
cmd_read(int argc, char *argv[])
{
	struct block_cmd bc;
	int ret = block_setup(&bc, argc, argv, read_help, "o");
	if (ret != EXIT_OK || bc.pbp == NULL)
		return block_done(&bc, ret);
	size_t bsize = pmemblk_bsize(bc.pbp);
	unsigned char *buf = malloc(bsize);
	if (buf == NULL)
		return block_done(&bc, fail(EXIT_FAIL, "out of memory"));
	char what[64];
	snprintf(what, sizeof(what), "cannot read block %lld", bc.blockno);
	if (pmemblk_read(bc.pbp, buf, bc.blockno) != 0)
		ret = fail_lib(what);
	else
		ret = output_block(&bc, buf, bsize);
	free(buf);
	return block_done(&bc, ret);
}

/* Fills buf (bsize bytes) from the input, zero-padded. */
static int
input_block(const struct block_cmd *bc, unsigned char *buf, size_t bsize,
	size_t *got)
{
	int fd = STDIN_FILENO;
	const char *name = bc->file ? bc->file : "stdin";
	if (bc->file != NULL) {
		fd = open(bc->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail(EXIT_FAIL, "%s: %s", name, strerror(errno));
	}
	/* one byte more than a block tells "too long" from "exactly" */
	ssize_t n = read_full(fd, buf, bsize + 1);
	int saved_errno = errno;
	if (fd != STDIN_FILENO)
		close(fd);
	if (n < 0)
		return fail(EXIT_FAIL, "%s: %s", name, strerror(saved_errno));
	if ((size_t)n > bsize)
		return fail(EXIT_USAGE, "%s: input is longer than the block "
			"size (%zu bytes)", name, bsize);
	memset(buf + n, 0, bsize + 1 - (size_t)n);
	*got = (size_t)n;
	return EXIT_OK;
}

int
cmd_write(int argc, char *argv[])
{
	struct block_cmd bc;
	int ret = block_setup(&bc, argc, argv, write_help, "i");
	if (ret != EXIT_OK || bc.pbp == NULL)
		return block_done(&bc, ret);
	size_t bsize = pmemblk_bsize(bc.pbp);
	unsigned char *buf = malloc(bsize + 1);
	if (buf == NULL)
		return block_done(&bc, fail(EXIT_FAIL, "out of memory"));
	size_t got = 0;
	ret = input_block(&bc, buf, bsize, &got);
	if (ret == EXIT_OK) {
		char what[64];
		snprintf(what, sizeof(what), "cannot write block %lld",
			bc.blockno);
		if (pmemblk_write(bc.pbp, buf, bc.blockno) != 0)
			ret = fail_lib(what);
		else
			printf("block %lld: wrote %zu bytes (%zu from input)\n",
				bc.blockno, bsize, got);
	}
	free(buf);
	return block_done(&bc, ret);
}

/* zero and error: one call on the block, one line of output. */
static int
block_state(int argc, char *argv[], const char *help,
	int (*op)(PMEMblkpool *, long long), const char *done)
{
	struct block_cmd bc;
	int ret = block_setup(&bc, argc, argv, help, "");
	if (ret != EXIT_OK || bc.pbp == NULL)
		return block_done(&bc, ret);
	char what[64];
	snprintf(what, sizeof(what), "block %lld", bc.blockno);
	if (op(bc.pbp, bc.blockno) != 0)
		ret = fail_lib(what);
	else
		printf("block %lld: %s\n", bc.blockno, done);
	return block_done(&bc, ret);
}

int
cmd_zero(int argc, char *argv[])
{
	return block_state(argc, argv, zero_help, pmemblk_set_zero,
		"set to zero");
}

int
cmd_error(int argc, char *argv[])
{
	return block_state(argc, argv, error_help, pmemblk_set_error,
		"set to the error state (reads fail with EIO)");
}
