/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_block.c -- the block commands: read, write, zero, error.
 * They share the argument handling: POOL BLOCKS (a number, a range or a
 * list), an optional --bsize assertion, and a range check against the
 * pool's block count; the pool is opened once for all the blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpmemblk.h>

#include "args.h"
#include "report.h"
#include "tool.h"

#define BLOCK_OPTIONS_HELP \
"  -b, --bsize N       fail unless the pool's block size is N\n" \
"  -h, --help          show this help\n"

#define BLOCKS_HELP \
"BLOCKS is a block number (counted from 0), a range N-M (inclusive) or a\n" \
"comma-separated list of those, e.g. 7, 0-99 or 0-9,20-29; the pool is\n" \
"opened once for all of them.\n"

#define BLOCK_EXIT_HELP \
"\nExit status: 0 success, 2 usage error (including a block number out\n" \
"of range), 3 the operation failed (pool cannot be opened, block in the\n" \
"error state, I/O error, ...).\n"

static const char read_help[] =
"Usage: pmemblk read [-o FILE] [-x] [-b N] POOL BLOCKS\n"
"\n"
"Reads the blocks BLOCKS of POOL and writes their bytes, bsize bytes\n"
"each, one after another, to FILE or to stdout. On a terminal stdout\n"
"gets a hex dump instead of raw bytes.\n"
"\n"
BLOCKS_HELP
"\n"
"Options:\n"
"  -o, --output FILE   write the blocks to FILE (created or truncated)\n"
"  -x, --hex           print a hex dump instead of raw bytes: offset, 16\n"
"                      bytes in hex, the same as text; a line '*' stands\n"
"                      for lines equal to the one before it\n"
BLOCK_OPTIONS_HELP BLOCK_EXIT_HELP;

static const char write_help[] =
"Usage: pmemblk write [-i FILE] [-b N] POOL BLOCKS\n"
"\n"
"Writes the blocks BLOCKS of POOL, each atomically, from FILE or from\n"
"stdin: each block gets the next bsize bytes of input. Input that ends\n"
"early is padded with zeros (the blocks after it are written as zeros);\n"
"input longer than the blocks is refused (for a regular file before\n"
"anything is written).\n"
"\n"
BLOCKS_HELP
"\n"
"Options:\n"
"  -i, --input FILE    read the data from FILE instead of stdin\n"
BLOCK_OPTIONS_HELP BLOCK_EXIT_HELP;

static const char zero_help[] =
"Usage: pmemblk zero [-b N] POOL BLOCKS\n"
"\n"
"Sets the blocks BLOCKS of POOL to zero with pmemblk_set_zero(3): later\n"
"reads return zeros. Clears the error state.\n"
"\n"
BLOCKS_HELP
"\n"
"Options:\n"
BLOCK_OPTIONS_HELP BLOCK_EXIT_HELP;

static const char error_help[] =
"Usage: pmemblk error [-b N] POOL BLOCKS\n"
"\n"
"Puts the blocks BLOCKS of POOL in the error state with\n"
"pmemblk_set_error(3): later reads fail with EIO until the block is\n"
"written or zeroed.\n"
"\n"
BLOCKS_HELP
"\n"
"Options:\n"
BLOCK_OPTIONS_HELP BLOCK_EXIT_HELP;

struct block_cmd {
	const char *file;	/* -o / -i */
	bool hex;
	uint64_t bsize;
	PMEMblkpool *pbp;
	const char *blocks_arg;	/* BLOCKS as given, for messages */
	struct block_list blocks;
	const char *path;
};

/* Calls fn for every block of the list, in order, until one fails. */
#define FOR_EACH_BLOCK(bc, b) \
	for (unsigned r_ = 0; r_ < (bc)->blocks.n; r_++) \
		for (long long b = (long long)(bc)->blocks.r[r_].first; \
			b <= (long long)(bc)->blocks.r[r_].last; b++)

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
	char **pos = opts_positional(&o, 2, 2, "POOL BLOCKS");
	if (pos == NULL)
		return o.exit;
	bc->path = pos[0];
	bc->blocks_arg = pos[1];
	if (parse_block_list(pos[1], UINT32_MAX, &bc->blocks) != 0)
		return EXIT_USAGE;

	bc->pbp = pmemblk_open(bc->path, (size_t)bc->bsize);
	if (bc->pbp == NULL)
		return fail_lib("cannot open pool");
	size_t nblock = pmemblk_nblock(bc->pbp);
	for (unsigned i = 0; i < bc->blocks.n; i++) {
		uint64_t last = bc->blocks.r[i].last;
		if (last < nblock)
			continue;
		pmemblk_close(bc->pbp);
		bc->pbp = NULL;
		return fail(EXIT_USAGE, "block %llu is out of range: %s has "
			"%zu blocks (0..%zu)", (unsigned long long)last,
			bc->path, nblock, nblock - 1);
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

/*
 * A hex dump of a byte stream, as `hexdump -C` prints it: a run of lines
 * equal to the line before them is printed as one '*' line, and the dump
 * ends with the total length.
 */
struct hexdump {
	FILE *f;
	uint64_t off;			/* of line[0] in the stream */
	unsigned char line[16];
	unsigned fill;
	unsigned char prev[16];
	bool have_prev, starred;
};

static void
hexdump_line(struct hexdump *h)
{
	if (h->fill == 16 && h->have_prev && memcmp(h->line, h->prev, 16) == 0) {
		if (!h->starred)
			fputs("*\n", h->f);
		h->starred = true;
	} else {
		fprintf(h->f, "%08llx ", (unsigned long long)h->off);
		for (unsigned i = 0; i < 16; i++) {
			if (i < h->fill)
				fprintf(h->f, " %02x", h->line[i]);
			else
				fputs("   ", h->f);
			if (i == 7)
				fputc(' ', h->f);
		}
		fputs("  |", h->f);
		for (unsigned i = 0; i < h->fill; i++)
			fputc(h->line[i] >= 0x20 && h->line[i] < 0x7f ?
				h->line[i] : '.', h->f);
		fputs("|\n", h->f);
		h->starred = false;
	}
	memcpy(h->prev, h->line, 16);
	h->have_prev = h->fill == 16;
	h->off += h->fill;
	h->fill = 0;
}

static void
hexdump_add(struct hexdump *h, const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h->line[h->fill++] = buf[i];
		if (h->fill == 16)
			hexdump_line(h);
	}
}

static void
hexdump_end(struct hexdump *h)
{
	if (h->fill > 0)
		hexdump_line(h);
	fprintf(h->f, "%08llx\n", (unsigned long long)h->off);
}

/* Where read puts the blocks: a file or stdout, raw or as a hex dump. */
struct block_out {
	const char *name;
	int fd;
	FILE *hexf;		/* hex dump stream, NULL for raw bytes */
	struct hexdump hd;
};

static int
output_open(const struct block_cmd *bc, struct block_out *out)
{
	memset(out, 0, sizeof(*out));
	out->name = bc->file ? bc->file : "stdout";
	out->fd = STDOUT_FILENO;
	bool hex = bc->hex || (bc->file == NULL && isatty(STDOUT_FILENO));
	if (bc->file != NULL) {
		out->fd = open(bc->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644);
		if (out->fd < 0)
			return fail(EXIT_FAIL, "%s: %s", bc->file, strerror(errno));
	}
	if (hex) {
		out->hexf = out->fd == STDOUT_FILENO ? stdout :
			fdopen(out->fd, "w");
		if (out->hexf == NULL) {
			close(out->fd);
			return fail(EXIT_FAIL, "%s: %s", bc->file, strerror(errno));
		}
		out->hd.f = out->hexf;
	}
	return EXIT_OK;
}

static int
output_block(struct block_out *out, const unsigned char *buf, size_t bsize)
{
	if (out->hexf != NULL) {
		hexdump_add(&out->hd, buf, bsize);
		return EXIT_OK;
	}
	if (write_all(out->fd, buf, bsize) != 0)
		return fail(EXIT_FAIL, "%s: %s", out->name, strerror(errno));
	return EXIT_OK;
}

/* Ends the dump (when complete) and closes; keeps the first error. */
static int
output_close(struct block_out *out, int ret)
{
	if (out->hexf != NULL) {
		if (ret == EXIT_OK)
			hexdump_end(&out->hd);
		int r = out->hexf == stdout ? fflush(stdout) : fclose(out->hexf);
		if (r != 0 && ret == EXIT_OK)
			ret = fail(EXIT_FAIL, "%s: %s", out->name, strerror(errno));
		return ret;
	}
	if (out->fd != STDOUT_FILENO && close(out->fd) != 0 && ret == EXIT_OK)
		ret = fail(EXIT_FAIL, "%s: %s", out->name, strerror(errno));
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
	struct block_out out;
	ret = output_open(&bc, &out);
	if (ret == EXIT_OK) {
		FOR_EACH_BLOCK(&bc, b) {
			if (ret != EXIT_OK)
				break;
			if (pmemblk_read(bc.pbp, buf, b) != 0) {
				char what[64];
				snprintf(what, sizeof(what),
					"cannot read block %lld", b);
				ret = fail_lib(what);
			} else {
				ret = output_block(&out, buf, bsize);
			}
		}
		ret = output_close(&out, ret);
	}
	free(buf);
	return block_done(&bc, ret);
}

/*
 * Fills buf (bsize bytes) with the next input, zero-padded; *got says how
 * many bytes came from the input.
 */
static int
input_block(int fd, const char *name, unsigned char *buf, size_t bsize,
	size_t *got)
{
	ssize_t n = read_full(fd, buf, bsize);
	if (n < 0)
		return fail(EXIT_FAIL, "%s: %s", name, strerror(errno));
	memset(buf + n, 0, bsize - (size_t)n);
	*got = (size_t)n;
	return EXIT_OK;
}

/* Whether more input follows (one byte is consumed to find out). */
static int
input_has_more(int fd, const char *name, bool *more)
{
	unsigned char c;
	ssize_t n = read_full(fd, &c, 1);
	if (n < 0)
		return fail(EXIT_FAIL, "%s: %s", name, strerror(errno));
	*more = n > 0;
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
	int fd = STDIN_FILENO;
	const char *name = bc.file ? bc.file : "stdin";
	if (bc.file != NULL) {
		fd = open(bc.file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return block_done(&bc, fail(EXIT_FAIL, "%s: %s", name,
				strerror(errno)));
	}
	uint64_t room = bc.blocks.count * bsize;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			lseek(fd, 0, SEEK_CUR) == 0 &&
			(uint64_t)st.st_size > room) {
		ret = fail(EXIT_USAGE, "%s: input is longer than %s (%llu "
			"bytes: %llu block%s of %zu bytes); nothing written",
			name, bc.blocks.count == 1 ? "the block size" :
			"the blocks", (unsigned long long)room,
			(unsigned long long)bc.blocks.count,
			bc.blocks.count == 1 ? "" : "s", bsize);
		goto out;
	}
	unsigned char *buf = malloc(bsize);
	if (buf == NULL) {
		ret = fail(EXIT_FAIL, "out of memory");
		goto out;
	}
	uint64_t from_input = 0, written = 0;
	bool single = bc.blocks.count == 1;
	FOR_EACH_BLOCK(&bc, b) {
		if (ret != EXIT_OK)
			break;
		size_t got = 0;
		ret = input_block(fd, name, buf, bsize, &got);
		if (ret != EXIT_OK)
			break;
		/* a single block from a pipe: refuse too long input unwritten */
		bool more = false;
		if (single && got == bsize &&
				(ret = input_has_more(fd, name, &more)) != EXIT_OK)
			break;
		if (more) {
			ret = fail(EXIT_USAGE, "%s: input is longer than the "
				"block size (%zu bytes); nothing written",
				name, bsize);
			break;
		}
		if (pmemblk_write(bc.pbp, buf, b) != 0) {
			char what[64];
			snprintf(what, sizeof(what), "cannot write block %lld",
				b);
			ret = fail_lib(what);
			break;
		}
		from_input += got;
		written++;
	}
	bool more = false;
	if (ret == EXIT_OK && !single &&
			(ret = input_has_more(fd, name, &more)) == EXIT_OK && more)
		ret = fail(EXIT_USAGE, "%s: input is longer than the %llu "
			"blocks %s; they were written, the rest of the input "
			"was not", name, (unsigned long long)written,
			bc.blocks_arg);
	if (ret == EXIT_OK && single)
		printf("block %s: wrote %zu bytes (%llu from input)\n",
			bc.blocks_arg, bsize, (unsigned long long)from_input);
	else if (ret == EXIT_OK)
		printf("blocks %s: wrote %llu blocks of %zu bytes (%llu bytes "
			"from input)\n", bc.blocks_arg,
			(unsigned long long)written, bsize,
			(unsigned long long)from_input);
	free(buf);
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return block_done(&bc, ret);
}

/* zero and error: one call per block, one line of output. */
static int
block_state(int argc, char *argv[], const char *help,
	int (*op)(PMEMblkpool *, long long), const char *done)
{
	struct block_cmd bc;
	int ret = block_setup(&bc, argc, argv, help, "");
	if (ret != EXIT_OK || bc.pbp == NULL)
		return block_done(&bc, ret);
	FOR_EACH_BLOCK(&bc, b) {
		if (ret != EXIT_OK)
			break;
		if (op(bc.pbp, b) != 0) {
			char what[64];
			snprintf(what, sizeof(what), "block %lld", b);
			ret = fail_lib(what);
		}
	}
	if (ret == EXIT_OK)
		printf("%s %s: %s\n", bc.blocks.count == 1 ? "block" : "blocks",
			bc.blocks_arg, done);
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
