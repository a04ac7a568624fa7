/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * unit_btt_info.c -- the info-block rules of doc/design.md §5:
 *   primary valid                      -> used;
 *   primary invalid, backup valid      -> opens with the data, the first
 *                                         write rewrites the primary;
 *   both invalid, no write in flog/map -> unformatted (format never ended);
 *   both invalid, flog or map written  -> EINVAL, nothing written;
 * and the on-media arena error flag (doc/format.md §4.5).
 */
#include "checksum.h"
#include "unit_helpers.h"

#define NS_SIZE (16ull << 20)
#define BSIZE 512u

static uint8_t buf[BSIZE];

/* A formatted namespace with blocks 0..3 written (seed 1). */
static void
setup(struct ut_ns *ns)
{
	ut_ns_init(ns, NS_SIZE, BSIZE);
	struct btt *btt = ut_ns_open(ns);
	for (uint32_t b = 0; b < 4; b++) {
		ut_fill(buf, BSIZE, 1, b);
		UT_ASSERT_EQ(btt_write(btt, b, buf), 0);
	}
	btt_close(btt);
}

static void
assert_data(struct btt *btt)
{
	for (uint32_t b = 0; b < 4; b++) {
		UT_ASSERT_EQ(btt_read(btt, b, buf), 0);
		UT_ASSERT(ut_is_filled(buf, BSIZE, 1, b));
	}
}

enum damage { BAD_CSUM, BAD_SIG, BAD_PARENT, MAJOR_ZERO, ALL_ZERO, TORN };

static void
damage(struct btt_info *info, enum damage how)
{
	switch (how) {
	case BAD_CSUM:
		info->unused[10] ^= 0x20;
		return;
	case BAD_SIG:
		info->sig[3] = 'X';
		break;
	case BAD_PARENT:
		info->parent_uuid[0] ^= 1;
		break;
	case MAJOR_ZERO:
		info->major = 0;
		break;
	case ALL_ZERO:
		memset(info, 0, sizeof(*info));
		return;
	case TORN:	/* second half never written */
		memset((uint8_t *)info + 2048, 0, 2048);
		return;
	}
	/* the field alone is wrong: the checksum matches */
	checksum_store(info, sizeof(*info), BTT_INFO_CSUM_OFF, sizeof(*info));
}

static void
test_backup_used(enum damage how)
{
	struct ut_ns ns;
	setup(&ns);
	struct btt_info *primary = ut_ns_info(&ns);
	struct btt_info *backup = ut_ns_backup_info(&ns);
	damage(primary, how);
	struct btt_info damaged = *primary;

	struct btt *btt = ut_ns_open(&ns);
	UT_ASSERT(btt_is_formatted(btt));
	UT_ASSERT_EQ(btt_nlba(btt), 32202);
	assert_data(btt);
	UT_ASSERT_EQ(btt_check(btt), 1);
	/* open and reads wrote nothing */
	UT_ASSERT(memcmp(primary, &damaged, sizeof(damaged)) == 0);

	ut_fill(buf, BSIZE, 2, 9);
	UT_ASSERT_EQ(btt_write(btt, 9, buf), 0);
	UT_ASSERT(memcmp(primary, backup, BTT_INFO_SIZE) == 0);
	UT_ASSERT(ut_info_csum_ok(primary));
	btt_close(btt);

	/* and the next open uses the repaired primary */
	btt = ut_ns_open(&ns);
	assert_data(btt);
	UT_ASSERT_EQ(btt_read(btt, 9, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 2, 9));
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* set_error and set_zero are writes too: they also repair the primary. */
static void
test_backup_repaired_by(int (*op)(struct btt *, uint64_t))
{
	struct ut_ns ns;
	setup(&ns);
	damage(ut_ns_info(&ns), BAD_CSUM);
	struct btt *btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(op(btt, 2), 0);
	UT_ASSERT(memcmp(ut_ns_info(&ns), ut_ns_backup_info(&ns),
		BTT_INFO_SIZE) == 0);
	btt_close(btt);
	ut_ns_fini(&ns);
}

/*
 * A format interrupted while the primary was written: map and flog are
 * there, the primary is torn and the backup still zero. No user data can
 * exist; the namespace counts as unformatted and is formatted again.
 */
static void
test_interrupted_format(void)
{
	struct ut_ns ns;
	ut_ns_init(&ns, NS_SIZE, BSIZE);
	struct btt *btt = ut_ns_open(&ns);
	struct btt_write_op op;
	UT_ASSERT_EQ(btt_write_begin(btt, 0, true, &op), BTT_STEP_DONE);
	btt_write_cancel(btt, &op);	/* layout written, no user data */
	btt_close(btt);
	damage(ut_ns_info(&ns), TORN);
	memset(ut_ns_backup_info(&ns), 0, BTT_INFO_SIZE);

	btt = ut_ns_open(&ns);
	UT_ASSERT(!btt_is_formatted(btt));
	UT_ASSERT_EQ(btt_nlba(btt), 32202);
	UT_ASSERT_EQ(btt_read(btt, 0, buf), 0);
	UT_ASSERT(ut_is_zero(buf, BSIZE));
	UT_ASSERT_EQ(btt_check(btt), 1);

	ut_fill(buf, BSIZE, 5, 0);
	UT_ASSERT_EQ(btt_write(btt, 0, buf), 0);
	UT_ASSERT(btt_is_formatted(btt));
	UT_ASSERT(ut_info_csum_ok(ut_ns_info(&ns)));
	UT_ASSERT(memcmp(ut_ns_info(&ns), ut_ns_backup_info(&ns),
		BTT_INFO_SIZE) == 0);
	UT_ASSERT_EQ(btt_check(btt), 1);
	btt_close(btt);

	btt = ut_ns_open(&ns);
	UT_ASSERT_EQ(btt_read(btt, 0, buf), 0);
	UT_ASSERT(ut_is_filled(buf, BSIZE, 5, 0));
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* Both damaged, backup not zero: refuse, never re-format over the data. */
static void
test_both_damaged(enum damage primary_how, enum damage backup_how)
{
	struct ut_ns ns;
	setup(&ns);
	damage(ut_ns_info(&ns), primary_how);
	damage(ut_ns_backup_info(&ns), backup_how);
	uint8_t *before = malloc(NS_SIZE);
	UT_ASSERT(before != NULL);
	memcpy(before, ns.mem, NS_SIZE);

	errno = 0;
	UT_ASSERT(btt_open(&ns.params) == NULL);
	UT_ASSERT_EQ(errno, EINVAL);
	UT_ASSERT_MSG("damaged");
	UT_ASSERT(memcmp(before, ns.mem, NS_SIZE) == 0);
	free(before);
	ut_ns_fini(&ns);
}

/*
 * The repair copies the backup from where it was found and validated (the
 * arena's last 4 KiB), never from the place its own infooff names: here a
 * crafted backup (nfree 128, infooff inside the flog, checksum fixed)
 * points at flog pairs, which must not become the primary.
 */
static void
test_repair_source(void)
{
	struct ut_ns ns;
	setup(&ns);
	struct btt_info *backup = ut_ns_backup_info(&ns);
	backup->nfree = 128;
	backup->infooff = backup->flogoff + 128 * BTT_FLOG_PAIR_SIZE;
	checksum_store(backup, sizeof(*backup), BTT_INFO_CSUM_OFF,
		sizeof(*backup));
	damage(ut_ns_info(&ns), BAD_CSUM);
	struct btt *btt = ut_ns_open(&ns);
	assert_data(btt);
	ut_fill(buf, BSIZE, 1, 2);
	UT_ASSERT_EQ(btt_write(btt, 2, buf), 0);
	UT_ASSERT(memcmp(ut_ns_info(&ns), backup, BTT_INFO_SIZE) == 0);
	btt_close(btt);
	btt = ut_ns_open(&ns);
	assert_data(btt);
	btt_close(btt);
	ut_ns_fini(&ns);
}

/* A valid primary wins over a damaged (or different) backup. */
static void
test_primary_used(void)
{
	struct ut_ns ns;
	setup(&ns);
	damage(ut_ns_backup_info(&ns), BAD_CSUM);
	struct btt_info backup = *ut_ns_backup_info(&ns);
	struct btt *btt = ut_ns_open(&ns);
	assert_data(btt);
	ut_fill(buf, BSIZE, 2, 9);
	UT_ASSERT_EQ(btt_write(btt, 9, buf), 0);
	btt_close(btt);
	/* the backup is not the library's business while the primary is good */
	UT_ASSERT(memcmp(ut_ns_backup_info(&ns), &backup, sizeof(backup)) == 0);
	ut_ns_fini(&ns);
}

/* Arena error flag on media: reads work, every change fails with EIO. */
static void
test_error_flag(void)
{
	struct ut_ns ns;
	setup(&ns);
	struct btt_info *in = ut_ns_info(&ns);
	in->flags |= BTT_INFO_FLAG_ERROR;
	checksum_store(in, sizeof(*in), BTT_INFO_CSUM_OFF, sizeof(*in));
	memcpy(ut_ns_backup_info(&ns), in, sizeof(*in));

	struct btt *btt = ut_ns_open(&ns);
	assert_data(btt);
	UT_ASSERT_ERR(btt_write(btt, 1, buf), EIO);
	UT_ASSERT_ERR(btt_set_zero(btt, 1), EIO);
	UT_ASSERT_ERR(btt_set_error(btt, 1), EIO);
	assert_data(btt);
	btt_close(btt);
	ut_ns_fini(&ns);
}

int
main(void)
{
	static const enum damage kinds[] = {BAD_CSUM, BAD_SIG, BAD_PARENT,
		MAJOR_ZERO, ALL_ZERO, TORN};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		test_backup_used(kinds[i]);
	test_backup_repaired_by(btt_set_error);
	test_backup_repaired_by(btt_set_zero);
	test_interrupted_format();
	test_both_damaged(BAD_CSUM, BAD_CSUM);
	test_both_damaged(ALL_ZERO, BAD_SIG);
	test_both_damaged(TORN, TORN);
	test_both_damaged(BAD_PARENT, MAJOR_ZERO);
	test_primary_used();
	test_error_flag();
	test_repair_source();
	return 0;
}
