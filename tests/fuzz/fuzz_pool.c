/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_pool.c -- libFuzzer target: hostile pool files (doc/design.md §6).
 *
 * The input is compact: it never holds a pool. It picks one of a few
 * valid minimum-size template pools (16 MiB + 8 KiB, kept sparse in a
 * memfd) and patches the metadata regions of it; then the pool is opened
 * and used with pmemblk_open, read, write, set_zero, set_error, close and
 * pmemblk_check.
 *
 * Input format (all integers little-endian):
 *   byte 0: bits 0-1 template (see templates[]),
 *           bit 2 recompute the pool header checksum after patching,
 *           bit 3 recompute both BTT info block checksums,
 *           bit 4 open with bsize 0 (else the template's bsize),
 *           bit 5 reopen and check again after the operations,
 *           bit 6 treat the file as persistent memory (the library's
 *           cache-flush backend instead of msync: PMEM_IS_PMEM_FORCE=1),
 *           bit 7 run pmemblk_check after the operations too (see
 *           fuzz_check_always)
 *   then records until the input ends:
 *   tag < 0xC0: a patch of region (tag % 6) -- 0 header, 1 descriptor,
 *           2 BTT info, 3 flog, 4 first map page, 5 backup info -- of
 *           (tag / 6 + 1) bytes at offset (u16 % region size), followed
 *           by the bytes;
 *   tag >= 0xC0: an operation (tag & 7) -- 0 read, 1 write, 2 set_zero,
 *           3 set_error, 4 read, 5 write, 6 nblock/bsize, 7 write+read --
 *           on block u16 (0xFFF0.. name the last block, nblock, -1 and
 *           INT64_MAX).
 *   Without operation records a default sequence runs.
 *
 * Beyond "no crash, no sanitizer report", it asserts what doc/design.md §5
 * promises: failures set errno to EINVAL, EIO or EROFS as appropriate;
 * a refused file is not written to; a write that succeeded reads back;
 * set_zero reads back zeros and set_error EIO.
 *
 * The same file builds the plain corpus replay driver (replay.c) in the
 * normal build.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libpmemblk.h"
#include "btt_layout.h"
#include "checksum.h"
#include "pool_hdr.h"

#define POOL_SIZE (((size_t)16 << 20) + 8192)
#define NS_OFF 8192
#define PAGE 4096
#define NREGIONS 6
#define MAX_BSIZE 4096

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fails the input: libFuzzer (or the replay driver) reports the abort. */
#define FUZZ_ASSERT(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_pool: %s:%d: assertion failed: %s: ", \
			__FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fprintf(stderr, "\n"); \
		abort(); \
	} \
} while (0)

struct region {
	size_t off;		/* file offset */
	size_t size;
};

struct template {
	const char *what;
	uint32_t bsize;
	size_t npages;		/* non-zero pages of the file */
	size_t *page_off;
	uint8_t *pages;
	struct region regions[NREGIONS];
};

#define NTEMPLATES 4
static struct template templates[NTEMPLATES];
static int pool_fd = -1;
static char pool_path[64];
static uint8_t *scratch;	/* the patched metadata, to compare */

static void
die(const char *what)
{
	perror(what);
	abort();
}

/* ------------------------------------------------------------------ */
/* templates                                                           */

static void
fill_block(uint8_t *buf, uint32_t bsize, long long lba, unsigned v)
{
	for (uint32_t i = 0; i < bsize; i++)
		buf[i] = (uint8_t)((unsigned long long)lba * 31 + v * 7 + i);
}

/* Builds template t with our library in the memfd, then snapshots it. */
static void
template_make(int t)
{
	struct template *tp = &templates[t];
	static const uint32_t bsizes[NTEMPLATES] = {4096, 512, 4096, 520};
	static const char *const what[NTEMPLATES] = {
		"bsize 4096, blocks written, zeroed, in error",
		"bsize 512, many writes on few blocks (flog seq cycled)",
		"bsize 4096, no BTT layout yet",
		"bsize 520 (internal 768), one write",
	};
	tp->what = what[t];
	tp->bsize = bsizes[t];

	if (ftruncate(pool_fd, 0) != 0 || ftruncate(pool_fd, POOL_SIZE) != 0)
		die("ftruncate");
	PMEMblkpool *pbp = pmemblk_create(pool_path, tp->bsize, 0, 0600);
	if (pbp == NULL) {
		fprintf(stderr, "template %d: %s\n", t, pmemblk_errormsg());
		abort();
	}
	uint8_t buf[MAX_BSIZE];
	long long last = (long long)pmemblk_nblock(pbp) - 1;
	switch (t) {
	case 0:
		for (long long lba = 0; lba < 8; lba++) {
			fill_block(buf, tp->bsize, lba, 1);
			pmemblk_write(pbp, buf, lba);
		}
		fill_block(buf, tp->bsize, last, 1);
		pmemblk_write(pbp, buf, last);
		pmemblk_set_zero(pbp, 2);
		pmemblk_set_error(pbp, 3);
		pmemblk_set_zero(pbp, 100);
		break;
	case 1:
		for (unsigned v = 0; v < 40; v++) {
			fill_block(buf, tp->bsize, v % 5, v);
			pmemblk_write(pbp, buf, v % 5);
		}
		pmemblk_set_error(pbp, 1);
		break;
	case 2:
		break;
	case 3:
		fill_block(buf, tp->bsize, 1, 1);
		pmemblk_write(pbp, buf, 1);
		break;
	}
	pmemblk_close(pbp);

	uint8_t *file = mmap(NULL, POOL_SIZE, PROT_READ, MAP_SHARED, pool_fd, 0);
	if (file == MAP_FAILED)
		die("mmap");
	size_t n = 0;
	static const uint8_t zero[PAGE];
	for (size_t off = 0; off < POOL_SIZE; off += PAGE)
		n += memcmp(file + off, zero, PAGE) != 0;
	tp->page_off = malloc(n * sizeof(*tp->page_off));
	tp->pages = malloc(n * PAGE);
	if (tp->page_off == NULL || tp->pages == NULL)
		die("malloc");
	for (size_t off = 0; off < POOL_SIZE; off += PAGE) {
		if (memcmp(file + off, zero, PAGE) == 0)
			continue;
		tp->page_off[tp->npages] = off;
		memcpy(tp->pages + tp->npages * PAGE, file + off, PAGE);
		tp->npages++;
	}
	munmap(file, POOL_SIZE);

	struct btt_geometry g;
	if (!btt_geometry(POOL_SIZE - NS_OFF, tp->bsize, BTT_DEFAULT_NFREE, &g))
		abort();
	tp->regions[0] = (struct region){0, PAGE};
	tp->regions[1] = (struct region){PAGE, PAGE};
	tp->regions[2] = (struct region){NS_OFF, BTT_INFO_SIZE};
	tp->regions[3] = (struct region){NS_OFF + g.flogoff, g.flog_size};
	tp->regions[4] = (struct region){NS_OFF + g.mapoff, PAGE};
	tp->regions[5] = (struct region){NS_OFF + g.infooff, BTT_INFO_SIZE};
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	if (pool_fd >= 0)
		return 0;
	unsetenv("PMEM_IS_PMEM_FORCE");	/* the templates: msync */
	pool_fd = memfd_create("fuzz_pool", 0);
	if (pool_fd < 0)
		die("memfd_create");
	snprintf(pool_path, sizeof(pool_path), "/proc/self/fd/%d", pool_fd);
	for (int t = 0; t < NTEMPLATES; t++)
		template_make(t);
	scratch = malloc(POOL_SIZE);
	if (scratch == NULL)
		die("malloc");
	return 0;
}

/* ------------------------------------------------------------------ */
/* one input                                                           */

static void
pwrite_all(const void *buf, size_t len, size_t off)
{
	if (pwrite(pool_fd, buf, len, (off_t)off) != (ssize_t)len)
		die("pwrite");
}

/* Puts template t back into the file: only its non-zero pages. */
static void
template_restore(const struct template *tp)
{
	if (fallocate(pool_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			POOL_SIZE) != 0)
		die("fallocate");
	for (size_t i = 0; i < tp->npages; i++)
		pwrite_all(tp->pages + i * PAGE, PAGE, tp->page_off[i]);
}

/* Copies the patched pool file to DIR/pool-NNNN (sparse where zero). */
static void
save_pool(const char *dir)
{
	static unsigned nsaved;
	char path[4096];
	snprintf(path, sizeof(path), "%s/pool-%04u", dir, nsaved++);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, POOL_SIZE) != 0)
		die(path);
	static uint8_t page[PAGE];
	static const uint8_t zero[PAGE];
	for (size_t off = 0; off < POOL_SIZE; off += PAGE) {
		if (pread(pool_fd, page, PAGE, (off_t)off) != PAGE)
			die("pread");
		if (memcmp(page, zero, PAGE) != 0 &&
				pwrite(fd, page, PAGE, (off_t)off) != PAGE)
			die(path);
	}
	close(fd);
}

struct input {
	const uint8_t *p;
	size_t left;
};

static bool
take(struct input *in, void *out, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

static long long
op_lba(uint16_t v, long long nblock)
{
	switch (v) {
	case 0xFFFF:
		return LLONG_MAX;
	case 0xFFFE:
		return -1;
	case 0xFFFD:
		return nblock;
	case 0xFFFC:
		return nblock - 1;
	default:
		return v;
	}
}

static bool
errno_in(int e, int a, int b, int c)
{
	return e == a || e == b || e == c;
}

/* One operation on an open pool, with what it must do. */
static void
run_op(PMEMblkpool *pbp, unsigned op, long long lba, uint32_t bsize)
{
	static uint8_t buf[MAX_BSIZE], back[MAX_BSIZE];
	long long nblock = (long long)pmemblk_nblock(pbp);
	bool in_range = lba >= 0 && lba < nblock;
	int ret;

	switch (op) {
	case 0:
	case 4:
		errno = 0;
		ret = pmemblk_read(pbp, buf, lba);
		FUZZ_ASSERT(ret == 0 || (ret == -1 &&
			errno_in(errno, EINVAL, EIO, EIO)),
			"read %lld: %d errno %d", lba, ret, errno);
		FUZZ_ASSERT(in_range || ret == -1, "read %lld of %lld worked",
			lba, nblock);
		break;
	case 1:
	case 5:
	case 7:
		fill_block(buf, bsize, lba, op);
		errno = 0;
		ret = pmemblk_write(pbp, buf, lba);
		FUZZ_ASSERT(ret == 0 || (ret == -1 &&
			errno_in(errno, EINVAL, EIO, EROFS)),
			"write %lld: %d errno %d", lba, ret, errno);
		FUZZ_ASSERT(in_range || ret == -1, "write %lld of %lld worked",
			lba, nblock);
		if (ret == 0) {
			FUZZ_ASSERT(pmemblk_read(pbp, back, lba) == 0,
				"block %lld written but unreadable: %s", lba,
				pmemblk_errormsg());
			FUZZ_ASSERT(memcmp(buf, back, bsize) == 0,
				"block %lld reads other data than written",
				lba);
		}
		break;
	case 2:
		errno = 0;
		ret = pmemblk_set_zero(pbp, lba);
		FUZZ_ASSERT(ret == 0 || (ret == -1 &&
			errno_in(errno, EINVAL, EIO, EROFS)),
			"set_zero %lld: %d errno %d", lba, ret, errno);
		if (ret == 0) {
			static const uint8_t zero[MAX_BSIZE];
			FUZZ_ASSERT(in_range, "set_zero %lld of %lld", lba,
				nblock);
			FUZZ_ASSERT(pmemblk_read(pbp, back, lba) == 0 &&
				memcmp(back, zero, bsize) == 0,
				"block %lld not zero after set_zero", lba);
		}
		break;
	case 3:
		errno = 0;
		ret = pmemblk_set_error(pbp, lba);
		FUZZ_ASSERT(ret == 0 || (ret == -1 &&
			errno_in(errno, EINVAL, EIO, EROFS)),
			"set_error %lld: %d errno %d", lba, ret, errno);
		if (ret == 0) {
			FUZZ_ASSERT(in_range, "set_error %lld of %lld", lba,
				nblock);
			errno = 0;
			FUZZ_ASSERT(pmemblk_read(pbp, back, lba) == -1 &&
				errno == EIO,
				"block %lld readable after set_error", lba);
		}
		break;
	case 6:
		FUZZ_ASSERT(pmemblk_bsize(pbp) == bsize, "bsize %zu",
			pmemblk_bsize(pbp));
		FUZZ_ASSERT(pmemblk_nblock(pbp) < (1ULL << 40),
			"nblock %zu", pmemblk_nblock(pbp));
		FUZZ_ASSERT(nblock > 0, "nblock %lld", nblock);
		break;
	}
}

static const uint8_t default_ops[][3] = {
	{0xC6, 0, 0}, {0xC0, 0, 0}, {0xC0, 1, 0}, {0xC0, 2, 0},
	{0xC0, 3, 0}, {0xC0, 0xFC, 0xFF}, {0xC1, 0, 0}, {0xC1, 4, 0},
	{0xC2, 5, 0}, {0xC3, 6, 0}, {0xC0, 0xFD, 0xFF}, {0xC1, 0xFE, 0xFF},
};

/*
 * pmemblk_check after a successful open and the operations scans the
 * whole map of the template (32K entries), a large share of an input's
 * cost. The fuzzer runs it there only when the input asks (bit 7, or
 * bit 5's reopen); a refused open is always followed by a check. The
 * replay driver sets this, so every stored input is checked as before.
 */
bool fuzz_check_always;

static int
check_result(int ret)
{
	FUZZ_ASSERT(ret == 1 || ret == 0 || ret == -1, "pmemblk_check %d",
		ret);
	return ret;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LLVMFuzzerInitialize(NULL, NULL);
	if (size == 0)
		return 0;
	struct input in = {data + 1, size - 1};
	uint8_t flags = data[0];
	const struct template *tp = &templates[flags % NTEMPLATES];
	template_restore(tp);

	/* patches, straight into the file */
	bool any_op = false;
	uint8_t tag;
	struct input ops = in;
	while (take(&in, &tag, 1)) {
		uint16_t off;
		if (tag >= 0xC0) {
			any_op = true;
			if (!take(&in, &off, 2))
				break;
			continue;
		}
		const struct region *r = &tp->regions[tag % NREGIONS];
		size_t len = (size_t)tag / NREGIONS + 1;
		uint8_t bytes[64];
		if (!take(&in, &off, 2) || !take(&in, bytes, len))
			break;
		size_t o = off % r->size;
		if (o + len > r->size)
			len = r->size - o;
		pwrite_all(bytes, len, r->off + o);
	}

	/* optional checksum repair, to get past the checksum checks */
	if (flags & 0x4) {
		struct pool_hdr hdr;
		if (pread(pool_fd, &hdr, sizeof(hdr), 0) != sizeof(hdr))
			die("pread");
		checksum_store(&hdr, sizeof(hdr), POOL_HDR_CSUM_OFF,
			(hdr.incompat & POOL_FEAT_CKSUM_2K) ?
			POOL_HDR_CSUM_2K_END : POOL_HDR_CSUM_OFF);
		pwrite_all(&hdr, sizeof(hdr), 0);
	}
	if (flags & 0x8) {
		for (int k = 2; k <= 5; k += 3) {
			struct btt_info info;
			const struct region *r = &tp->regions[k];
			if (pread(pool_fd, &info, sizeof(info), (off_t)r->off) !=
					sizeof(info))
				die("pread");
			checksum_store(&info, sizeof(info), BTT_INFO_CSUM_OFF,
				sizeof(info));
			pwrite_all(&info, sizeof(info), r->off);
		}
	}

	/* a pool set file would name other files: not this fuzzer's game */
	char sig[11];
	if (pread(pool_fd, sig, sizeof(sig), 0) != sizeof(sig))
		die("pread");
	if (memcmp(sig, "PMEMPOOLSET", sizeof(sig)) == 0)
		return 0;

	/*
	 * FUZZ_SAVE_DIR: keep each patched pool as a file, for the verdict
	 * table of tests/tools/verdict.sh (info, check and open agree).
	 */
	const char *save = getenv("FUZZ_SAVE_DIR");
	if (save != NULL)
		save_pool(save);

	/* what the file holds now, to prove a refused open writes nothing */
	for (int k = 0; k < NREGIONS; k++) {
		const struct region *r = &tp->regions[k];
		if (pread(pool_fd, scratch + r->off, r->size, (off_t)r->off) !=
				(ssize_t)r->size)
			die("pread");
	}

	size_t bsize = (flags & 0x10) ? 0 : tp->bsize;
	if (flags & 0x40)
		setenv("PMEM_IS_PMEM_FORCE", "1", 1);
	else
		unsetenv("PMEM_IS_PMEM_FORCE");
	errno = 0;
	PMEMblkpool *pbp = pmemblk_open(pool_path, bsize);
	if (pbp == NULL) {
		int e = errno;
		FUZZ_ASSERT(e == EINVAL, "open failed with errno %d: %s", e,
			pmemblk_errormsg());
		static uint8_t now[BTT_FLOG_PAIR_SIZE * BTT_DEFAULT_NFREE];
		for (int k = 0; k < NREGIONS; k++) {
			const struct region *r = &tp->regions[k];
			if (pread(pool_fd, now, r->size, (off_t)r->off) !=
					(ssize_t)r->size)
				die("pread");
			FUZZ_ASSERT(memcmp(now, scratch + r->off, r->size) == 0,
				"open failed (%s) but region %d changed",
				pmemblk_errormsg(), k);
		}
		check_result(pmemblk_check(pool_path, bsize));
		return 0;
	}
	size_t real_bsize = pmemblk_bsize(pbp);
	FUZZ_ASSERT(real_bsize > 0, "bsize 0");
	if (real_bsize > MAX_BSIZE) {
		/* the descriptor was patched to a size we keep no buffer for */
		pmemblk_close(pbp);
		return 0;
	}

	if (any_op) {
		while (take(&ops, &tag, 1)) {
			uint16_t v;
			if (tag < 0xC0) {
				size_t len = (size_t)tag / NREGIONS + 1;
				if (!take(&ops, &v, 2) || ops.left < len)
					break;
				ops.p += len;
				ops.left -= len;
				continue;
			}
			if (!take(&ops, &v, 2))
				break;
			long long nblock = (long long)pmemblk_nblock(pbp);
			run_op(pbp, tag & 7, op_lba(v, nblock),
				(uint32_t)real_bsize);
		}
	} else {
		for (size_t i = 0; i < sizeof(default_ops) / 3; i++) {
			uint16_t v = (uint16_t)(default_ops[i][1] |
				default_ops[i][2] << 8);
			long long nblock = (long long)pmemblk_nblock(pbp);
			run_op(pbp, default_ops[i][0] & 7, op_lba(v, nblock),
				(uint32_t)real_bsize);
		}
	}
	pmemblk_close(pbp);

	if (fuzz_check_always || (flags & 0xA0) != 0)
		check_result(pmemblk_check(pool_path, bsize));
	if (flags & 0x20) {
		pbp = pmemblk_open(pool_path, bsize);
		if (pbp != NULL) {
			run_op(pbp, 0, 0, (uint32_t)real_bsize);
			run_op(pbp, 1, 1, (uint32_t)real_bsize);
			pmemblk_close(pbp);
		}
		check_result(pmemblk_check(pool_path, bsize));
	}
	return 0;
}
