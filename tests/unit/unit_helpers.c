/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_helpers.c -- shared helpers of the unit, api and hostile tests.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checksum.h"
#include "libpmemblk.h"
#include "unit_helpers.h"

/* ---- messages ---- */

void
ut_assert_msg(const char *file, int line, const char *needle)
{
	const char *msg = pmemblk_errormsg();
	if (strstr(msg, needle) == NULL) {
		fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", file,
			line, msg, needle);
		exit(1);
	}
}

/* ---- scratch directory ---- */

static char scratch[64];
static pid_t scratch_owner;

static void
remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d != NULL) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
					strcmp(e->d_name, "..") == 0)
				continue;
			char sub[512];
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			struct stat st;
			if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static void
scratch_remove(void)
{
	/* a forked child exiting must not delete the parent's files */
	if (scratch[0] != '\0' && getpid() == scratch_owner)
		remove_tree(scratch);
}

const char *
ut_dir(void)
{
	if (scratch[0] == '\0') {
		strcpy(scratch, "/tmp/pmemblk-unit-XXXXXX");
		if (mkdtemp(scratch) == NULL)
			UT_FAIL("mkdtemp: %s", strerror(errno));
		scratch_owner = getpid();
		atexit(scratch_remove);
	}
	return scratch;
}

const char *
ut_path(const char *fmt, ...)
{
	static char bufs[16][256];
	static unsigned next;
	char *buf = bufs[next++ % 16];
	int n = snprintf(buf, sizeof(bufs[0]), "%s/", ut_dir());
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(bufs[0]) - (size_t)n, fmt, ap);
	va_end(ap);
	return buf;
}

/* ---- files ---- */

static int
open_or_fail(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0600);
	if (fd < 0)
		UT_FAIL("open %s: %s", path, strerror(errno));
	return fd;
}

void
ut_file_make(const char *path, size_t size, mode_t mode)
{
	int fd = open_or_fail(path, O_RDWR | O_CREAT | O_TRUNC);
	if (ftruncate(fd, (off_t)size) != 0 || fchmod(fd, mode) != 0)
		UT_FAIL("%s: %s", path, strerror(errno));
	close(fd);
}

static struct stat
stat_or_fail(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		UT_FAIL("stat %s: %s", path, strerror(errno));
	return st;
}

size_t
ut_file_size(const char *path)
{
	return (size_t)stat_or_fail(path).st_size;
}

mode_t
ut_file_mode(const char *path)
{
	return stat_or_fail(path).st_mode & 07777;
}

bool
ut_file_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

bool
ut_file_is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void
ut_file_read_at(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open_or_fail(path, O_RDONLY);
	if (pread(fd, buf, len, (off_t)off) != (ssize_t)len)
		UT_FAIL("pread %s at %llu", path, (unsigned long long)off);
	close(fd);
}

void
ut_file_write_at(const char *path, uint64_t off, const void *buf, size_t len)
{
	int fd = open_or_fail(path, O_WRONLY);
	if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
		UT_FAIL("pwrite %s at %llu", path, (unsigned long long)off);
	close(fd);
}

void
ut_file_truncate(const char *path, size_t size)
{
	if (truncate(path, (off_t)size) != 0)
		UT_FAIL("truncate %s: %s", path, strerror(errno));
}

void
ut_file_copy(const char *src, const char *dst)
{
	enum { CHUNK = 1 << 16 };
	static unsigned char buf[CHUNK];
	int in = open_or_fail(src, O_RDONLY);
	int out = open_or_fail(dst, O_WRONLY | O_CREAT | O_TRUNC);
	size_t size = ut_file_size(src);
	if (ftruncate(out, (off_t)size) != 0)
		UT_FAIL("ftruncate %s: %s", dst, strerror(errno));
	for (size_t off = 0; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;
		if (pread(in, buf, n, (off_t)off) != (ssize_t)n)
			UT_FAIL("pread %s", src);
		if (!ut_is_zero(buf, n) &&
				pwrite(out, buf, n, (off_t)off) != (ssize_t)n)
			UT_FAIL("pwrite %s", dst);
	}
	close(in);
	close(out);
}

/* FNV-1a over 64-bit words, read in chunks into one reused buffer. */
static uint64_t
file_hash(const char *path, size_t size)
{
	enum { CHUNK = 1 << 16 };
	static uint64_t words[CHUNK / 8];
	uint64_t h = 0xCBF29CE484222325ULL;
	int fd = open_or_fail(path, O_RDONLY);
	for (size_t off = 0; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? size - off : CHUNK;
		memset(words, 0, sizeof(words));
		if (pread(fd, words, n, (off_t)off) != (ssize_t)n)
			UT_FAIL("pread %s", path);
		for (size_t i = 0; i < (n + 7) / 8; i++)
			h = (h ^ words[i]) * 0x100000001B3ULL;
	}
	close(fd);
	return h;
}

void
ut_snapshot_take(const char *path, struct ut_snapshot *snap)
{
	snap->size = ut_file_size(path);
	snap->hash = file_hash(path, snap->size);
}

void
ut_snapshot_assert_same(const char *path, const struct ut_snapshot *snap)
{
	size_t size = ut_file_size(path);
	if (size != snap->size)
		UT_FAIL("%s: size changed from %zu to %zu", path, snap->size,
			size);
	if (file_hash(path, size) != snap->hash)
		UT_FAIL("%s: contents changed", path);
}

/* ---- block contents ---- */

static uint64_t
mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static uint8_t
fill_byte(uint64_t seed, uint64_t block, size_t i)
{
	/* never 0, so a filled block is never mistaken for zeros */
	uint64_t w = mix(seed * 0x100000001B3ULL ^ mix(block) ^ (i / 8));
	uint8_t b = (uint8_t)(w >> (8 * (i % 8)));
	return b ? b : 0x5A;
}

void
ut_fill(void *buf, size_t len, uint64_t seed, uint64_t block)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i++)
		p[i] = fill_byte(seed, block, i);
}

bool
ut_is_filled(const void *buf, size_t len, uint64_t seed, uint64_t block)
{
	const uint8_t *p = buf;
	for (size_t i = 0; i < len; i++)
		if (p[i] != fill_byte(seed, block, i))
			return false;
	return true;
}

bool
ut_is_zero(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/* ---- pools ---- */

void
ut_pool_make(const char *path, size_t bsize, size_t poolsize,
	unsigned nwritten)
{
	PMEMblkpool *pbp = pmemblk_create(path, bsize, poolsize, 0600);
	if (pbp == NULL)
		UT_FAIL("pmemblk_create %s: %s", path, pmemblk_errormsg());
	unsigned char *buf = malloc(bsize);
	UT_ASSERT(buf != NULL);
	for (unsigned b = 0; b < nwritten; b++) {
		ut_fill(buf, bsize, 1, b);
		UT_ASSERT_EQ(pmemblk_write(pbp, buf, b), 0);
	}
	free(buf);
	pmemblk_close(pbp);
}

void
ut_layout_load(const char *path, struct ut_layout *lay)
{
	ut_info_load(path, UT_NS_OFF, &lay->info);
	UT_ASSERT(memcmp(lay->info.sig, BTT_INFO_SIG, BTT_INFO_SIG_LEN) == 0);
	lay->arena = UT_NS_OFF;
	lay->data = UT_NS_OFF + lay->info.dataoff;
	lay->map = UT_NS_OFF + lay->info.mapoff;
	lay->flog = UT_NS_OFF + lay->info.flogoff;
	lay->backup = UT_NS_OFF + lay->info.infooff;
}

void
ut_hdr_load(const char *path, struct pool_hdr *hdr)
{
	ut_file_read_at(path, 0, hdr, sizeof(*hdr));
}

void
ut_hdr_store(const char *path, struct pool_hdr *hdr, bool fix_csum)
{
	if (fix_csum)
		checksum_store(hdr, sizeof(*hdr), POOL_HDR_CSUM_OFF,
			pool_hdr_csum_end(hdr->incompat));
	ut_file_write_at(path, 0, hdr, sizeof(*hdr));
}

bool
ut_info_csum_ok(const struct btt_info *info)
{
	return checksum_valid(info, sizeof(*info), BTT_INFO_CSUM_OFF,
		sizeof(*info));
}

void
ut_info_load(const char *path, uint64_t off, struct btt_info *info)
{
	ut_file_read_at(path, off, info, sizeof(*info));
}

void
ut_info_store(const char *path, uint64_t off, struct btt_info *info,
	bool fix_csum)
{
	if (fix_csum)
		checksum_store(info, sizeof(*info), BTT_INFO_CSUM_OFF,
			sizeof(*info));
	ut_file_write_at(path, off, info, sizeof(*info));
}

void
ut_info_store_both(const char *path, const struct ut_layout *lay,
	struct btt_info *info)
{
	ut_info_store(path, lay->arena, info, true);
	ut_info_store(path, lay->backup, info, true);
}

void
ut_expect_refused(const char *file, int line, const char *path, int err,
	const char *msg)
{
	struct ut_snapshot snap = {0, 0};
	bool regular = ut_file_is_regular(path);
	if (regular)
		ut_snapshot_take(path, &snap);

	errno = 0;
	PMEMblkpool *pbp = pmemblk_open(path, 0);
	if (pbp != NULL || errno != err) {
		fprintf(stderr, "%s:%d: open(%s): %p errno %d (%s), expected "
			"NULL errno %d\n", file, line, path, (void *)pbp, errno,
			pmemblk_errormsg(), err);
		exit(1);
	}
	if (msg != NULL)
		ut_assert_msg(file, line, msg);
	errno = 0;
	int ret = pmemblk_check(path, 0);
	if (ret != -1 || errno != err) {
		fprintf(stderr, "%s:%d: check(%s) = %d errno %d (%s), expected "
			"-1 errno %d\n", file, line, path, ret, errno,
			pmemblk_errormsg(), err);
		exit(1);
	}
	if (regular)
		ut_snapshot_assert_same(path, &snap);
}

void
ut_expect_unformatted(const char *file, int line, const char *path)
{
	struct ut_snapshot snap;
	ut_snapshot_take(path, &snap);
	PMEMblkpool *pbp = pmemblk_open(path, 0);
	if (pbp == NULL) {
		fprintf(stderr, "%s:%d: open(%s) failed: errno %d (%s), "
			"expected an unformatted pool\n", file, line, path,
			errno, pmemblk_errormsg());
		exit(1);
	}
	size_t bsize = pmemblk_bsize(pbp);
	size_t nblock = pmemblk_nblock(pbp);
	char *buf = malloc(bsize);
	UT_ASSERT(buf != NULL && nblock > 0);
	long long last = (long long)nblock - 1;
	for (long long b = 0; b <= last; b += last) {
		memset(buf, 0xA5, bsize);
		if (pmemblk_read(pbp, buf, b) != 0 || !ut_is_zero(buf, bsize)) {
			fprintf(stderr, "%s:%d: %s: block %lld does not read as "
				"zeros\n", file, line, path, b);
			exit(1);
		}
		if (last == 0)
			break;
	}
	free(buf);
	pmemblk_close(pbp);
	int ret = pmemblk_check(path, 0);
	if (ret != 1) {
		fprintf(stderr, "%s:%d: check(%s) = %d (%s), expected 1\n",
			file, line, path, ret, pmemblk_errormsg());
		exit(1);
	}
	ut_snapshot_assert_same(path, &snap);
}

uint32_t
ut_map_load(const char *path, const struct ut_layout *lay, uint32_t lba)
{
	uint32_t entry;
	ut_file_read_at(path, lay->map + 4ull * lba, &entry, sizeof(entry));
	return entry;
}

void
ut_map_store(const char *path, const struct ut_layout *lay, uint32_t lba,
	uint32_t entry)
{
	ut_file_write_at(path, lay->map + 4ull * lba, &entry, sizeof(entry));
}

void
ut_flog_load(const char *path, const struct ut_layout *lay, uint32_t lane,
	struct btt_flog slot[2])
{
	ut_file_read_at(path, lay->flog + (uint64_t)lane * BTT_FLOG_PAIR_SIZE,
		slot, 2 * sizeof(*slot));
}

void
ut_flog_store(const char *path, const struct ut_layout *lay, uint32_t lane,
	const struct btt_flog slot[2])
{
	ut_file_write_at(path, lay->flog + (uint64_t)lane * BTT_FLOG_PAIR_SIZE,
		slot, 2 * sizeof(*slot));
}

int
ut_flog_current(const struct btt_flog slot[2])
{
	if (slot[0].seq == slot[1].seq)
		return -1;
	if (slot[0].seq == 0)
		return 1;
	if (slot[1].seq == 0)
		return 0;
	return btt_seq_next(slot[0].seq) == slot[1].seq ? 1 : 0;
}

/* ---- namespaces on anonymous memory ---- */

void
ut_ns_init(struct ut_ns *ns, uint64_t size, uint32_t bsize)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		UT_FAIL("mmap %llu bytes: %s", (unsigned long long)size,
			strerror(errno));
	memset(ns, 0, sizeof(*ns));
	ns->mem = mem;
	ns->size = size;
	ns->params.ns = mem;
	ns->params.ns_size = size;
	ns->params.bsize = bsize;
	for (int i = 0; i < 16; i++)
		ns->params.parent_uuid[i] = (uint8_t)(0xA0 + i);
	ns->params.is_zeroed = true;
	ns->params.ops = &persist_none;
	ns->params.path = "anon";
}

void
ut_ns_fini(struct ut_ns *ns)
{
	munmap(ns->mem, ns->size);
	ns->mem = NULL;
}

struct btt *
ut_ns_open(struct ut_ns *ns)
{
	struct btt *btt = btt_open(&ns->params);
	if (btt == NULL)
		UT_FAIL("btt_open: %s (%s)", strerror(errno),
			pmemblk_errormsg());
	return btt;
}

struct btt_info *
ut_ns_info(struct ut_ns *ns)
{
	return (struct btt_info *)ns->mem;
}

struct btt_info *
ut_ns_backup_info(struct ut_ns *ns)
{
	/* the last page of a single-arena namespace, valid primary or not */
	return (struct btt_info *)(ns->mem + ns->size - BTT_INFO_SIZE);
}

uint32_t *
ut_ns_map(struct ut_ns *ns)
{
	return (uint32_t *)(ns->mem + ut_ns_info(ns)->mapoff);
}

struct btt_flog *
ut_ns_flog_pair(struct ut_ns *ns, uint32_t lane)
{
	return (struct btt_flog *)(ns->mem + ut_ns_info(ns)->flogoff +
		(uint64_t)lane * BTT_FLOG_PAIR_SIZE);
}

uint8_t *
ut_ns_block(struct ut_ns *ns, uint32_t block)
{
	struct btt_info *in = ut_ns_info(ns);
	return ns->mem + in->dataoff + (uint64_t)block * in->internal_lbasize;
}

uint32_t
ut_btt_write_on(struct btt *btt, uint64_t lba, const void *buf, size_t bsize,
	int lane)
{
	struct btt_write_op held[BTT_DEFAULT_NFREE], op;
	unsigned nheld = 0;
	for (;;) {
		if (btt_write_begin(btt, lba, false, &op) != BTT_STEP_DONE)
			UT_FAIL("btt_write_begin(%llu): %s",
				(unsigned long long)lba, pmemblk_errormsg());
		if (lane < 0 || op.lane == (uint32_t)lane)
			break;
		UT_ASSERT(nheld < BTT_DEFAULT_NFREE);
		held[nheld++] = op;
	}
	while (nheld > 0)
		btt_write_cancel(btt, &held[--nheld]);
	memcpy(op.dest, buf, bsize);
	if (btt_write_commit(btt, &op, false) != 0)
		UT_FAIL("btt_write_commit(%llu): %s", (unsigned long long)lba,
			pmemblk_errormsg());
	return op.lane;
}
