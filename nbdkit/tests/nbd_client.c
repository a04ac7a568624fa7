/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nbd_client.c -- a libnbd client that checks what the pmemblk plugin
 * serves, beyond what nbdcopy and nbdinfo show:
 *
 *   nbd_client unaligned URI BSIZE SEED  seeded unaligned writes, zeros and
 *                                        trims over a few blocks, each
 *                                        checked against an in-memory model
 *   nbd_client race URI BSIZE            four connections patch disjoint
 *                                        bytes of the same blocks; neither
 *                                        may lose an acknowledged write
 *   nbd_client readonly URI              writes, zeros and trims refused
 *   nbd_client eio URI BSIZE BLOCK       BLOCK (in the error state) reads
 *                                        as EIO, as does a partial write;
 *                                        a whole-block write clears it
 *
 * The client turns off libnbd's alignment checks: sending requests that
 * ignore the advertised minimum block size is the point.
 * Exit status 0: all checks passed; 1: a check failed (message on stderr).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnbd.h>

static void
die(const char *fmt, const char *what, uint64_t a, uint64_t b)
{
	fprintf(stderr, "FAIL: ");
	fprintf(stderr, fmt, what, a, b);
	fprintf(stderr, " (libnbd: %s)\n", nbd_get_error() ? nbd_get_error() : "-");
	exit(1);
}

static struct nbd_handle *
connect_to(const char *uri)
{
	struct nbd_handle *h = nbd_create();
	if (h == NULL)
		die("%s", "nbd_create", 0, 0);
	uint32_t strict = (uint32_t)nbd_get_strict_mode(h);
	if (nbd_set_strict_mode(h, strict & ~LIBNBD_STRICT_ALIGN) == -1 ||
			nbd_connect_uri(h, uri) == -1)
		die("%s: cannot connect", uri, 0, 0);
	return h;
}

/* xorshift64*: the same sequence for the same seed everywhere */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void
read_check(struct nbd_handle *h, const char *model, uint64_t off,
	uint64_t len, const char *after)
{
	char *buf = malloc(len);
	if (buf == NULL || nbd_pread(h, buf, len, off, 0) == -1)
		die("pread after %s at %" PRIu64 " length %" PRIu64, after, off,
			len);
	if (memcmp(buf, model + off, len) != 0)
		die("data after %s differs at %" PRIu64 " length %" PRIu64,
			after, off, len);
	free(buf);
}

/*
 * Seeded writes, zeros and trims of random unaligned ranges inside the
 * first NBLK blocks, mirrored in a model; after each request an unaligned
 * read around it and, at the end, the whole area must match the model.
 */
static int
cmd_unaligned(const char *uri, uint64_t bsize, uint64_t seed)
{
	enum { NBLK = 6, OPS = 300 };
	struct nbd_handle *h = connect_to(uri);
	uint64_t area = NBLK * bsize;
	char *model = malloc(area), *data = malloc(area);
	if (model == NULL || data == NULL)
		die("%s", "malloc", 0, 0);
	/* start from a known state: whole-block writes of a pattern */
	for (uint64_t i = 0; i < area; i++)
		model[i] = (char)(i * 7 + 3);
	if (nbd_pwrite(h, model, area, 0, 0) == -1)
		die("%s of the first %" PRIu64 " bytes", "pwrite", area, 0);
	read_check(h, model, 0, area, "the aligned write");

	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	unsigned nwrite = 0, nzero = 0, ntrim = 0;
	for (int op = 0; op < OPS; op++) {
		uint64_t off = rnd(&s) % area;
		uint64_t len = 1 + rnd(&s) % (3 * bsize);
		if (len > area - off)
			len = area - off;
		unsigned kind = (unsigned)(rnd(&s) % 8);
		uint32_t fua = rnd(&s) % 2 ? LIBNBD_CMD_FLAG_FUA : 0;
		const char *name;
		int ret;
		if (kind < 5) {
			for (uint64_t i = 0; i < len; i++)
				data[i] = (char)rnd(&s);
			memcpy(model + off, data, len);
			ret = nbd_pwrite(h, data, len, off, fua);
			name = "pwrite";
			nwrite++;
		} else if (kind < 7) {
			memset(model + off, 0, len);
			ret = nbd_zero(h, len, off, fua);
			name = "zero";
			nzero++;
		} else {
			memset(model + off, 0, len);
			ret = nbd_trim(h, len, off, fua);
			name = "trim";
			ntrim++;
		}
		if (ret == -1)
			die("%s at %" PRIu64 " length %" PRIu64, name, off, len);
		/* read a little around the request, unaligned too */
		uint64_t roff = off > 100 ? off - 100 : 0;
		uint64_t rlen = len + 200 < area - roff ? len + 200 : area - roff;
		read_check(h, model, roff, rlen, name);
	}
	read_check(h, model, 0, area, "all requests");

	/* fast zero: whole blocks only; a partial block is refused */
	if (nbd_can_fast_zero(h) == 1) {
		if (nbd_zero(h, bsize, bsize, LIBNBD_CMD_FLAG_FAST_ZERO) == -1)
			die("%s of block 1 failed", "fast zero", 0, 0);
		memset(model + bsize, 0, bsize);
		if (nbd_zero(h, bsize, 10, LIBNBD_CMD_FLAG_FAST_ZERO) != -1 ||
				(nbd_get_errno() != ENOTSUP &&
				 nbd_get_errno() != EOPNOTSUPP))
			die("%s of a partial block was not refused with ENOTSUP",
				"fast zero", 0, 0);
		read_check(h, model, 0, area, "fast zero");
	}
	printf("unaligned: %u writes, %u zeros, %u trims over %d blocks of "
		"%" PRIu64 " bytes: model matched\n", nwrite, nzero, ntrim,
		NBLK, bsize);
	nbd_shutdown(h, 0);
	nbd_close(h);
	free(model);
	free(data);
	return 0;
}

/*
 * Four connections, each patching its own byte range of the same blocks
 * with partial writes (read-modify-write in the plugin), then reading the
 * block back: its own range must hold what it just wrote. If the plugin
 * let two read-modify-writes of a block interleave, one connection would
 * find its range overwritten with an older value.
 */
enum { RACERS = 4, RACE_BLOCKS = 2, RACE_ITERS = 1000 };

struct racer {
	const char *uri;
	uint64_t bsize;
	int id;
	char msg[256];
};

static void *
race_thread(void *arg)
{
	struct racer *r = arg;
	struct nbd_handle *h = connect_to(r->uri);
	uint64_t part = r->bsize / RACERS;
	/* disjoint ranges, neither aligned nor a whole part */
	uint64_t roff = (uint64_t)r->id * part + 1, rlen = part - 2;
	char *mine = malloc(rlen), *blk = malloc(r->bsize);
	if (mine == NULL || blk == NULL)
		die("%s", "malloc", 0, 0);
	for (int i = 0; i < RACE_ITERS && r->msg[0] == '\0'; i++) {
		uint64_t b = (uint64_t)i % RACE_BLOCKS;
		memset(mine, (char)(i * 2 + r->id + 1), rlen);
		int ret = i % 5 == 4 ?
			nbd_zero(h, rlen, b * r->bsize + roff, 0) :
			nbd_pwrite(h, mine, rlen, b * r->bsize + roff, 0);
		if (i % 5 == 4)
			memset(mine, 0, rlen);
		if (ret == -1 || nbd_pread(h, blk, r->bsize, b * r->bsize, 0) == -1)
			snprintf(r->msg, sizeof(r->msg), "connection %d: request "
				"failed: %s", r->id, nbd_get_error());
		else if (memcmp(blk + roff, mine, rlen) != 0)
			snprintf(r->msg, sizeof(r->msg), "connection %d: iteration "
				"%d: block %" PRIu64 " lost an acknowledged write",
				r->id, i, b);
	}
	nbd_shutdown(h, 0);
	nbd_close(h);
	free(mine);
	free(blk);
	return NULL;
}

static int
cmd_race(const char *uri, uint64_t bsize)
{
	struct racer r[RACERS];
	pthread_t t[RACERS];
	for (int i = 0; i < RACERS; i++) {
		r[i] = (struct racer){uri, bsize, i, ""};
		if (pthread_create(&t[i], NULL, race_thread, &r[i]) != 0)
			die("%s", "pthread_create", 0, 0);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	int ret = 0;
	for (int i = 0; i < RACERS; i++)
		if (r[i].msg[0] != '\0') {
			fprintf(stderr, "FAIL: %s\n", r[i].msg);
			ret = 1;
		}
	if (ret == 0)
		printf("race: %d connections x %d partial writes/zeros on %d "
			"blocks: no write lost\n", RACERS, RACE_ITERS, RACE_BLOCKS);
	return ret;
}

static int
cmd_readonly(const char *uri)
{
	struct nbd_handle *h = connect_to(uri);
	char buf[4096] = {1};
	if (nbd_is_read_only(h) != 1)
		die("%s: the export is not read-only", uri, 0, 0);
	if (nbd_pread(h, buf, sizeof(buf), 0, 0) == -1)
		die("%s: read failed", uri, 0, 0);
	/* libnbd refuses these itself; the server's refusal is the test */
	if (nbd_set_strict_mode(h, 0) == -1)
		die("%s", "nbd_set_strict_mode", 0, 0);
	if (nbd_pwrite(h, buf, sizeof(buf), 0, 0) != -1)
		die("%s: a write succeeded", uri, 0, 0);
	printf("readonly: write refused: %s\n", nbd_get_error());
	if (nbd_zero(h, 4096, 0, 0) != -1)
		die("%s: a zero succeeded", uri, 0, 0);
	if (nbd_trim(h, 4096, 0, 0) != -1)
		die("%s: a trim succeeded", uri, 0, 0);
	nbd_shutdown(h, 0);
	nbd_close(h);
	return 0;
}

static int
cmd_eio(const char *uri, uint64_t bsize, uint64_t block)
{
	struct nbd_handle *h = connect_to(uri);
	char *buf = malloc(bsize);
	if (buf == NULL)
		die("%s", "malloc", 0, 0);
	uint64_t off = block * bsize;
	if (nbd_pread(h, buf, bsize, off, 0) != -1 || nbd_get_errno() != EIO)
		die("%s of error block %" PRIu64 " did not fail with EIO",
			"pread", block, 0);
	printf("eio: reading block %" PRIu64 ": %s\n", block, nbd_get_error());
	if (nbd_pread(h, buf, 10, off + 5, 0) != -1 || nbd_get_errno() != EIO)
		die("%s inside error block %" PRIu64 " did not fail with EIO",
			"partial pread", block, 0);
	if (nbd_pread(h, buf, bsize, off + bsize, 0) == -1)
		die("%s of block %" PRIu64 " after the error block failed",
			"pread", block + 1, 0);
	memset(buf, 0x5a, bsize);
	if (nbd_pwrite(h, buf, 10, off + 5, 0) != -1 || nbd_get_errno() != EIO)
		die("%s into error block %" PRIu64 " did not fail with EIO",
			"partial pwrite", block, 0);
	/* a whole-block write replaces the block, error state included */
	if (nbd_pwrite(h, buf, bsize, off, 0) == -1)
		die("%s of the whole error block %" PRIu64 " failed", "pwrite",
			block, 0);
	char *back = malloc(bsize);
	if (back == NULL || nbd_pread(h, back, bsize, off, 0) == -1 ||
			memcmp(back, buf, bsize) != 0)
		die("%s of block %" PRIu64 " after rewriting it", "pread",
			block, 0);
	printf("eio: partial read and write fail with EIO; a whole-block "
		"write clears the error\n");
	nbd_shutdown(h, 0);
	nbd_close(h);
	free(buf);
	free(back);
	return 0;
}

static uint64_t
num(const char *s)
{
	char *end;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (errno != 0 || *s == '\0' || *end != '\0') {
		fprintf(stderr, "invalid number: %s\n", s);
		exit(2);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	if (argc == 5 && strcmp(argv[1], "unaligned") == 0)
		return cmd_unaligned(argv[2], num(argv[3]), num(argv[4]));
	if (argc == 4 && strcmp(argv[1], "race") == 0)
		return cmd_race(argv[2], num(argv[3]));
	if (argc == 3 && strcmp(argv[1], "readonly") == 0)
		return cmd_readonly(argv[2]);
	if (argc == 5 && strcmp(argv[1], "eio") == 0)
		return cmd_eio(argv[2], num(argv[3]), num(argv[4]));
	fprintf(stderr, "usage: nbd_client unaligned URI BSIZE SEED | "
		"race URI BSIZE | readonly URI | eio URI BSIZE BLOCK\n");
	return 2;
}
