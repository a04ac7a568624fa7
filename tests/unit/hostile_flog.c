/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_flog.c -- flog pairs that name blocks outside the arena or that
 * two lanes would share (doc/design.md §5, doc/format.md §9): refused at open
 * with EINVAL, nothing written (not even recovery of the other lanes).
 */
#include "unit_helpers.h"

#define MIN PMEMBLK_MIN_POOL
#define EXT_NLBA 32202u
#define INT_NLBA 32458u

static char tmpl[256];
static struct ut_layout lay;
static uint32_t used_lane;	/* the lane the template's writes took */

typedef void (*edit_fn)(struct btt_flog pair[2]);

/* Changes the current slot of pair `lane` and expects a refusal. */
static void
expect_refused(const char *name, uint32_t lane, edit_fn edit)
{
	const char *path = ut_path("%s-%u", name, lane);
	ut_file_copy(tmpl, path);
	struct btt_flog pair[2];
	ut_flog_load(path, &lay, lane, pair);
	edit(pair);
	ut_flog_store(path, &lay, lane, pair);
	UT_EXPECT_REFUSED(path, EINVAL, "flog");
	unlink(path);
}

static struct btt_flog *
current(struct btt_flog pair[2])
{
	int cur = ut_flog_current(pair);
	UT_ASSERT(cur >= 0);
	return &pair[cur];
}

static void lba_end(struct btt_flog p[2]) { current(p)->lba = EXT_NLBA; }
static void lba_huge(struct btt_flog p[2]) { current(p)->lba = UINT32_MAX; }
static void old_end(struct btt_flog p[2])
{
	current(p)->old_map = BTT_MAP_NORMAL | INT_NLBA;
}
static void old_huge(struct btt_flog p[2]) { current(p)->old_map = UINT32_MAX; }
static void new_end(struct btt_flog p[2])
{
	current(p)->new_map = BTT_MAP_NORMAL | INT_NLBA;
}
static void both_end(struct btt_flog p[2])
{
	current(p)->old_map = current(p)->new_map = BTT_MAP_ZERO | INT_NLBA;
}

/* The free block of another lane: two writers would share it. */
static uint32_t steal_from;
static void shared_free(struct btt_flog p[2])
{
	struct btt_flog other[2];
	ut_flog_load(tmpl, &lay, steal_from, other);
	current(p)->old_map = current(other)->old_map;
}

/*
 * doc/format.md §9 step 1: a slot whose lba lies outside its arena
 * fails the open. This damages the slot that is not current.
 */
static void other_lba(struct btt_flog p[2])
{
	int cur = ut_flog_current(p);
	p[1 - cur].lba = EXT_NLBA + 7;
}

/*
 * doc/format.md §6: seq is 0..3. btt_seq_next() reads the low two bits, so a
 * slot with seq 4 next to one with seq 1 would lose its place after one
 * write, and the lane's free block would become a live block.
 */
static void seq0_4(struct btt_flog p[2]) { p[0].seq = 4; }
static void seq1_5(struct btt_flog p[2]) { p[1].seq = p[1].seq ? 5 : 0; }
static void seq_huge(struct btt_flog p[2]) { p[0].seq = UINT32_MAX; }

static void
expect_seq_refused(const char *name, uint32_t lane, uint32_t slot,
	edit_fn edit)
{
	const char *path = ut_path("%s-%u", name, lane);
	ut_file_copy(tmpl, path);
	struct btt_flog pair[2];
	ut_flog_load(path, &lay, lane, pair);
	edit(pair);
	ut_flog_store(path, &lay, lane, pair);
	char msg[96];
	snprintf(msg, sizeof(msg), "arena 0: flog pair %u, slot %u: sequence number out of range",
		lane, slot);
	UT_EXPECT_REFUSED(path, EINVAL, msg);
	unlink(path);
}

int
main(void)
{
	snprintf(tmpl, sizeof(tmpl), "%s", ut_path("tmpl"));
	ut_pool_make(tmpl, 512, MIN, 6);
	ut_layout_load(tmpl, &lay);
	for (used_lane = 0; used_lane < 256; used_lane++) {
		struct btt_flog pair[2];
		ut_flog_load(tmpl, &lay, used_lane, pair);
		if (pair[1].seq != 0)
			break;
	}
	UT_ASSERT(used_lane < 256);

	/* an untouched pair, the used pair, and the last pair */
	const uint32_t lanes[] = {used_lane == 0 ? 1 : 0, used_lane, 255};
	for (size_t i = 0; i < 3; i++) {
		uint32_t l = lanes[i];
		expect_refused("lba-end", l, lba_end);
		expect_refused("lba-huge", l, lba_huge);
		expect_refused("old-end", l, old_end);
		expect_refused("old-huge", l, old_huge);
		expect_refused("new-end", l, new_end);
		expect_refused("both-end", l, both_end);
		steal_from = l == 100 ? 101 : 100;
		expect_refused("shared", l, shared_free);
	}
	expect_seq_refused("seq-4", used_lane, 0, seq0_4);
	expect_seq_refused("seq-5", used_lane, 1, seq1_5);
	expect_seq_refused("seq-4", used_lane == 0 ? 1 : 0, 0, seq0_4);
	expect_seq_refused("seq-huge", 255, 0, seq_huge);
	/* kept last: see finding F2 in /work/notes/issue2-unit-findings.md */
	expect_refused("other-slot-lba", used_lane, other_lba);
	return 0;
}
