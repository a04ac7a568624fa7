/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_btt_info.c -- BTT info blocks whose checksum is right but whose
 * fields are not (doc/design.md §5 open-time checks): offsets outside the
 * arena or the file, out of order, overlapping; nfree 0 or huge; block
 * counts that do not add up; block sizes that disagree; nextoff pointing
 * past the pool. Each is written to the primary only and to both copies;
 * each must be refused with EINVAL and leave the file unchanged. Also
 * checksum-damaged info blocks (both copies).
 */
#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL

static char tmpl[256];
static struct ut_layout lay;

typedef void (*edit_fn)(struct btt_info *in);

static void
expect_edit_refused(const char *name, edit_fn edit, bool both)
{
	const char *path = ut_path("%s-%s", name, both ? "both" : "primary");
	ut_file_copy(tmpl, path);
	struct btt_info in = lay.info;
	edit(&in);
	if (both)
		ut_info_store_both(path, &lay, &in);
	else
		ut_info_store(path, lay.arena, &in, true);
	UT_EXPECT_REFUSED(path, EINVAL, NULL);
	unlink(path);
}

static void nfree0(struct btt_info *in) { in->nfree = 0; }
static void nfree257(struct btt_info *in) { in->nfree = 257; }
static void nfree_huge(struct btt_info *in) { in->nfree = UINT32_MAX; }
static void ext_nlba0(struct btt_info *in) { in->external_nlba = 0; }
static void ext_nlba_big(struct btt_info *in) { in->external_nlba++; }
static void int_nlba_big(struct btt_info *in) { in->internal_nlba += 1000; }
static void int_nlba_huge(struct btt_info *in) { in->internal_nlba = UINT32_MAX; }
static void int_nlba_small(struct btt_info *in) { in->internal_nlba = 10; }
static void ext_lbasize(struct btt_info *in) { in->external_lbasize = 4096; }
static void int_lbasize_small(struct btt_info *in) { in->internal_lbasize = 256; }
static void int_lbasize_big(struct btt_info *in) { in->internal_lbasize *= 2; }
static void dataoff0(struct btt_info *in) { in->dataoff = 0; }
static void dataoff_map(struct btt_info *in) { in->dataoff = in->mapoff; }
static void dataoff_huge(struct btt_info *in) { in->dataoff = UINT64_MAX - 4095; }
static void mapoff_file(struct btt_info *in) { in->mapoff = 1ull << 40; }
static void mapoff_flog(struct btt_info *in) { in->mapoff = in->flogoff; }
static void mapoff_late(struct btt_info *in) { in->mapoff += 4096; }
static void mapoff_early(struct btt_info *in) { in->mapoff -= 4096; }
static void mapoff_odd(struct btt_info *in) { in->mapoff += 2; }
static void flogoff_file(struct btt_info *in) { in->flogoff = 1ull << 40; }
static void flogoff_late(struct btt_info *in) { in->flogoff = in->infooff - 64; }
static void flogoff_odd(struct btt_info *in) { in->flogoff += 8; }
static void infooff_file(struct btt_info *in) { in->infooff += 4096; }
static void infooff_huge(struct btt_info *in) { in->infooff = UINT64_MAX; }
static void infooff_wrap(struct btt_info *in) { in->infooff = UINT64_MAX - 4095; }
static void nextoff_arena(struct btt_info *in) { in->nextoff = BTT_MAX_ARENA; }
static void nextoff_odd(struct btt_info *in) { in->nextoff = 16u << 20; }
static void nextoff_huge(struct btt_info *in) { in->nextoff = UINT64_MAX; }

static const struct {
	const char *name;
	edit_fn edit;
} edits[] = {
	{"nfree0", nfree0}, {"nfree257", nfree257}, {"nfree-huge", nfree_huge},
	{"ext-nlba0", ext_nlba0}, {"ext-nlba-big", ext_nlba_big},
	{"int-nlba-big", int_nlba_big}, {"int-nlba-huge", int_nlba_huge},
	{"int-nlba-small", int_nlba_small}, {"ext-lbasize", ext_lbasize},
	{"int-lbasize-small", int_lbasize_small},
	{"int-lbasize-big", int_lbasize_big},
	{"dataoff0", dataoff0}, {"dataoff-map", dataoff_map},
	{"dataoff-huge", dataoff_huge},
	{"mapoff-file", mapoff_file}, {"mapoff-flog", mapoff_flog},
	{"mapoff-late", mapoff_late}, {"mapoff-early", mapoff_early},
	{"mapoff-odd", mapoff_odd},
	{"flogoff-file", flogoff_file}, {"flogoff-late", flogoff_late},
	{"flogoff-odd", flogoff_odd},
	{"infooff-file", infooff_file}, {"infooff-huge", infooff_huge},
	{"infooff-wrap", infooff_wrap},
	{"nextoff-arena", nextoff_arena}, {"nextoff-odd", nextoff_odd},
	{"nextoff-huge", nextoff_huge},
};

/* Checksum damage in both copies: "damaged", never a re-format. */
static void
test_both_checksums_bad(void)
{
	const char *path = ut_path("csum-both");
	ut_file_copy(tmpl, path);
	struct btt_info in = lay.info;
	in.unused[0] = 1;
	ut_info_store(path, lay.arena, &in, false);
	ut_info_store(path, lay.backup, &in, false);
	UT_EXPECT_REFUSED(path, EINVAL, "damaged");

	/* a wrong signature with a right checksum, both copies */
	in = lay.info;
	in.sig[0] = 'b';
	ut_info_store_both(path, &lay, &in);
	UT_EXPECT_REFUSED(path, EINVAL, "damaged");
}

int
main(void)
{
	snprintf(tmpl, sizeof(tmpl), "%s", ut_path("tmpl"));
	ut_pool_make(tmpl, 512, MIN, 4);
	ut_layout_load(tmpl, &lay);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		expect_edit_refused(edits[i].name, edits[i].edit, false);
		expect_edit_refused(edits[i].name, edits[i].edit, true);
	}
	test_both_checksums_bad();
	return 0;
}
