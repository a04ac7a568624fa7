/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_header.c -- damaged pool headers and descriptors of a written
 * pool (issue 6 item 3): bad checksums (any covered byte, the checksum
 * itself), bad signatures, versions, feature bits, architecture flags,
 * part links, descriptor bsize. Each: EINVAL, file unchanged.
 */
#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

static char tmpl[256];

/* A copy of the template whose header gets `edit`ed, checksum fixed or not. */
static const char *
with_header(const char *name, void (*edit)(struct pool_hdr *), bool fix)
{
	const char *path = ut_path("%s", name);
	ut_file_copy(tmpl, path);
	struct pool_hdr hdr;
	ut_hdr_load(path, &hdr);
	edit(&hdr);
	ut_hdr_store(path, &hdr, fix);
	return path;
}

static void e_sig0(struct pool_hdr *h) { h->signature[0] ^= 0x20; }
static void e_sig7(struct pool_hdr *h) { h->signature[7] = 'X'; }
static void e_sig_ctrl(struct pool_hdr *h) { memcpy(h->signature, "P\nM\x1b[2J", 8); }
static void e_major0(struct pool_hdr *h) { h->major = 0; }
static void e_major2(struct pool_hdr *h) { h->major = 2; }
static void e_major_max(struct pool_hdr *h) { h->major = UINT32_MAX; }
static void e_incompat(struct pool_hdr *h) { h->incompat |= 0x80000000u; }
static void e_singlehdr(struct pool_hdr *h) { h->incompat |= POOL_FEAT_SINGLEHDR; }
static void e_no_2k(struct pool_hdr *h) { h->incompat &= ~POOL_FEAT_CKSUM_2K; }
static void e_arch_class(struct pool_hdr *h) { h->arch.machine_class = 1; }
static void e_arch_data(struct pool_hdr *h) { h->arch.data = 2; }
static void e_arch_align(struct pool_hdr *h) { h->arch.alignment_desc ^= 0x10; }
static void e_next_part(struct pool_hdr *h) { h->next_part_uuid[3] ^= 1; }
static void e_prev_part(struct pool_hdr *h) { h->prev_part_uuid[15] ^= 1; }
static void e_poolset_uuid(struct pool_hdr *h) { h->poolset_uuid[0] ^= 1; }
static void e_zero(struct pool_hdr *h) { memset(h, 0, sizeof(*h)); }
static void e_none(struct pool_hdr *h) { (void) h; }

static void
test_checksums(void)
{
	/* every few bytes of the covered range (0..2047) and the sum */
	for (size_t off = 0; off < 2048; off += 127) {
		const char *path = ut_path("byte-%zu", off);
		ut_file_copy(tmpl, path);
		uint8_t b;
		ut_file_read_at(path, off, &b, 1);
		b ^= 0x04;
		ut_file_write_at(path, off, &b, 1);
		UT_EXPECT_REFUSED(path, EINVAL, NULL);
		unlink(path);
	}
	for (size_t off = POOL_HDR_CSUM_OFF; off < POOL_HDR_SIZE; off++) {
		const char *path = ut_path("csum-%zu", off);
		ut_file_copy(tmpl, path);
		uint8_t b;
		ut_file_read_at(path, off, &b, 1);
		b ^= 0x80;
		ut_file_write_at(path, off, &b, 1);
		UT_EXPECT_REFUSED(path, EINVAL, "invalid checksum");
		unlink(path);
	}
	/* without CKSUM_2K the checksum must cover up to 4088: it does not */
	UT_EXPECT_REFUSED(with_header("no2k", e_no_2k, false), EINVAL,
		"invalid checksum");
}

static void
test_fields(void)
{
	UT_EXPECT_REFUSED(with_header("sig0", e_sig0, true), EINVAL,
		"wrong pool type");
	UT_EXPECT_REFUSED(with_header("sig7", e_sig7, true), EINVAL,
		"wrong pool type");
	/* file bytes never reach the message raw: one printable line */
	UT_EXPECT_REFUSED(with_header("sigctrl", e_sig_ctrl, true), EINVAL,
		"wrong pool type: \"P.M.[2J\"");
	UT_EXPECT_REFUSED(with_header("major0", e_major0, true), EINVAL,
		"invalid major version");
	UT_EXPECT_REFUSED(with_header("major2", e_major2, true), EINVAL,
		"pool version 2");
	UT_EXPECT_REFUSED(with_header("majormax", e_major_max, true), EINVAL,
		NULL);
	UT_EXPECT_REFUSED(with_header("incompat", e_incompat, true), EINVAL,
		"unknown incompat features");
	UT_EXPECT_REFUSED(with_header("singlehdr", e_singlehdr, true), EINVAL,
		NULL);
	UT_EXPECT_REFUSED(with_header("class", e_arch_class, true), EINVAL,
		"architecture");
	UT_EXPECT_REFUSED(with_header("data", e_arch_data, true), EINVAL,
		"architecture");
	UT_EXPECT_REFUSED(with_header("align", e_arch_align, true), EINVAL,
		"architecture");
	UT_EXPECT_REFUSED(with_header("next", e_next_part, true), EINVAL,
		"wrong part UUID");
	UT_EXPECT_REFUSED(with_header("prev", e_prev_part, true), EINVAL,
		"wrong part UUID");
	UT_EXPECT_REFUSED(with_header("zero", e_zero, false), EINVAL,
		"invalid major version (0)");
	/*
	 * poolset_uuid is the BTT's parent_uuid: with a changed one the info
	 * blocks (primary and backup) no longer belong to the pool.
	 */
	UT_EXPECT_REFUSED(with_header("parent", e_poolset_uuid, true), EINVAL,
		NULL);
}

static void
test_descriptor(void)
{
	static const uint32_t bad_bsize[] = {0, 512, 4095, 4097, UINT32_MAX};
	for (size_t i = 0; i < sizeof(bad_bsize) / sizeof(bad_bsize[0]); i++) {
		const char *path = with_header("desc", e_none, false);
		ut_file_write_at(path, UT_DESC_OFF, &bad_bsize[i], 4);
		UT_EXPECT_REFUSED(path, EINVAL, NULL);
		unlink(path);
	}
	/* is_zeroed and the scratch bytes after it are not interpreted */
	const char *path = with_header("scratch", e_none, false);
	uint8_t junk[4096 - 4];
	memset(junk, 0xA5, sizeof(junk));
	ut_file_write_at(path, UT_DESC_OFF + 4, junk, sizeof(junk));
	PMEMblkpool *pbp = pmemblk_open(path, 4096);
	UT_ASSERT(pbp != NULL);
	uint8_t buf[4096];
	UT_ASSERT_EQ(pmemblk_read(pbp, buf, 2), 0);
	UT_ASSERT(ut_is_filled(buf, sizeof(buf), 1, 2));
	pmemblk_close(pbp);
}

int
main(void)
{
	snprintf(tmpl, sizeof(tmpl), "%s", ut_path("tmpl"));
	ut_pool_make(tmpl, 4096, MIN, 4);
	test_checksums();
	test_fields();
	test_descriptor();
	return 0;
}
