/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * btt_info.c -- the BTT format's validity rules (see btt_info.h).
 */
#include <stdlib.h>
#include <string.h>

#include "btt_info.h"
#include "checksum.h"

const char *
btt_info_problem(const struct btt_info *in, const uint8_t parent_uuid[16])
{
	if (memcmp(in->sig, BTT_INFO_SIG, BTT_INFO_SIG_LEN) != 0)
		return "wrong signature";
	if (memcmp(in->parent_uuid, parent_uuid, 16) != 0)
		return "parent uuid differs from the pool's";
	if (!checksum_valid(in, sizeof(*in), BTT_INFO_CSUM_OFF, sizeof(*in)))
		return "bad checksum";
	if (in->major == 0)
		return "major version 0";
	return NULL;
}

const char *
btt_info_fields_problem(const struct btt_info *in, uint32_t bsize,
	uint64_t arena_room)
{
	uint64_t data_end = in->dataoff +
		(uint64_t)in->internal_nlba * in->internal_lbasize;

	if (in->external_lbasize != bsize)
		return "lbasize differs from the pool's block size";
	if (in->nfree == 0 || in->nfree > BTT_DEFAULT_NFREE)
		return "nfree out of range";
	if (in->external_nlba == 0 || in->internal_nlba < in->nfree ||
			in->external_nlba > in->internal_nlba - in->nfree)
		return "block counts inconsistent";
	if (in->internal_nlba > BTT_MAP_BLOCK_MASK + 1u)
		return "internal_nlba too large";
	if (in->internal_lbasize < in->external_lbasize)
		return "internal_lbasize smaller than bsize";
	if (in->nextoff != 0 && in->nextoff != BTT_MAX_ARENA)
		return "nextoff is neither 0 nor 512 GiB";
	if (in->nextoff != 0 && arena_room < BTT_MAX_ARENA + BTT_MIN_SIZE)
		return "nextoff points past the end of the pool";
	if (in->dataoff < BTT_INFO_SIZE || in->dataoff >= in->mapoff ||
			in->mapoff >= in->flogoff || in->flogoff >= in->infooff)
		return "offsets out of order";
	if (in->infooff > (in->nextoff ? in->nextoff : arena_room) -
			BTT_INFO_SIZE)
		return "backup info block outside the arena";
	if (data_end > in->mapoff)
		return "data area overlaps the map";
	if (in->mapoff % BTT_MAP_ENTRY_SIZE != 0 ||
			in->mapoff + (uint64_t)in->external_nlba *
			BTT_MAP_ENTRY_SIZE > in->flogoff)
		return "map does not fit before the flog";
	if (in->flogoff % BTT_FLOG_PAIR_SIZE != 0 ||
			in->flogoff + (uint64_t)in->nfree *
			BTT_FLOG_PAIR_SIZE > in->infooff)
		return "flog does not fit before the backup info block";
	return NULL;
}

enum btt_flog_verdict
btt_flog_pair_check(const struct btt_flog slot[2], uint32_t external_nlba,
	uint32_t internal_nlba, int *current, int *bad_slot, const char **why)
{
	int dummy;
	if (bad_slot == NULL)
		bad_slot = &dummy;
	*bad_slot = -1;
	/*
	 * Only 0..3 occur (doc/format.md §6). btt_seq_next() looks at the low two
	 * bits, so a larger seq would make the pair's next update write a
	 * slot that is not current afterwards: the lane's free block would
	 * then be a live block.
	 */
	for (int s = 0; s < 2; s++)
		if (slot[s].seq > 3) {
			*bad_slot = s;
			*why = "sequence number out of range (0..3)";
			return BTT_FLOG_BAD;
		}
	if (slot[0].seq == slot[1].seq) {
		*why = "no current slot (equal sequence numbers)";
		return BTT_FLOG_NO_CURRENT;
	}
	int cur;
	if (slot[0].seq == 0)
		cur = 1;
	else if (slot[1].seq == 0)
		cur = 0;
	else
		cur = btt_seq_next(slot[0].seq) == slot[1].seq ? 1 : 0;

	/* the other slot is history, but a sane writer left a sane lba */
	for (int s = 0; s < 2; s++)
		if (slot[s].lba >= external_nlba) {
			*bad_slot = s;
			*why = "lba out of range";
			return BTT_FLOG_BAD;
		}
	const struct btt_flog *c = &slot[cur];
	if ((c->old_map & BTT_MAP_BLOCK_MASK) >= internal_nlba ||
			(c->new_map & BTT_MAP_BLOCK_MASK) >= internal_nlba) {
		*bad_slot = cur;
		*why = "map entry out of range";
		return BTT_FLOG_BAD;
	}
	*current = cur;
	return BTT_FLOG_OK;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

bool
btt_free_blocks_shared(uint32_t *blocks, uint32_t n, uint32_t *block)
{
	/* sorted, a shared block sits next to its twin (256 pairs: cheap) */
	qsort(blocks, n, sizeof(*blocks), cmp_u32);
	for (uint32_t i = 1; i < n; i++)
		if (blocks[i] == blocks[i - 1]) {
			*block = blocks[i];
			return true;
		}
	return false;
}

bool
btt_flog_pair_initial(const struct btt_flog slot[2], uint32_t lane,
	uint32_t external_nlba)
{
	uint32_t free_entry = (external_nlba + lane) | BTT_MAP_ZERO;
	static const struct btt_flog zero;
	return slot[0].lba == lane && slot[0].old_map == free_entry &&
		slot[0].new_map == free_entry && slot[0].seq == 1 &&
		memcmp(&slot[1], &zero, sizeof(zero)) == 0;
}

/*
 * Whether a valid pair shows no write: slot 1 never written, slot 0 with
 * the layout's seq and new_map. Slot 0's first half (lba, old_map) is not
 * looked at: the layout stores the halves as separate words, and a crash
 * may keep the second without the first (seen by the crash simulation); a
 * write would have made slot 1 current with a "normal" new_map.
 */
static bool
pair_shows_no_write(const struct btt_flog slot[2], uint32_t lane,
	uint32_t external_nlba)
{
	static const struct btt_flog zero;
	return slot[0].seq == 1 &&
		slot[0].new_map == ((external_nlba + lane) | BTT_MAP_ZERO) &&
		memcmp(&slot[1], &zero, sizeof(zero)) == 0;
}

enum btt_flog_history
btt_flog_history(const void *flog, const struct btt_geometry *g)
{
	unsigned valid = 0;
	for (uint32_t l = 0; l < g->nfree; l++) {
		const struct btt_flog *pair = (const struct btt_flog *)
			((const uint8_t *)flog + (uint64_t)l * BTT_FLOG_PAIR_SIZE);
		int cur;
		const char *why;
		if (btt_flog_pair_check(pair, g->external_nlba,
				g->internal_nlba, &cur, NULL, &why) != BTT_FLOG_OK)
			continue;
		if (!pair_shows_no_write(pair, l, g->external_nlba))
			return BTT_FLOG_WRITTEN;
		valid++;
	}
	return valid == 0 ? BTT_FLOG_NEVER_WRITTEN : BTT_FLOG_INITIAL;
}
