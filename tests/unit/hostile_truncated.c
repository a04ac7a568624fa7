/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hostile_truncated.c -- a written pool truncated at every structure
 * boundary (and one byte before it): header, descriptor, primary info,
 * data area, map, flog, backup info. Each is refused with EINVAL and left
 * unchanged (doc/design.md §5). Pools: 32 MiB / bsize 4096 (whose truncations
 * can still hold a 16 MiB namespace) and the minimum pool, bsize 512.
 */
#include "unit_helpers.h"

static void
truncations(size_t bsize, size_t poolsize)
{
	char tmpl[256];
	snprintf(tmpl, sizeof(tmpl), "%s", ut_path("tmpl-%zu", bsize));
	ut_pool_make(tmpl, bsize, poolsize, 8);
	struct ut_layout lay;
	ut_layout_load(tmpl, &lay);

	const uint64_t bounds[] = {
		0, 8, 4096, 8192,			/* header, descriptor */
		lay.arena + BTT_INFO_SIZE,		/* primary info */
		PMEMBLK_MIN_PART,
		lay.data + 8 * lay.info.internal_lbasize, /* written data */
		UT_NS_OFF + (16u << 20),		/* minimum namespace */
		lay.data + (uint64_t)lay.info.internal_nlba *
			lay.info.internal_lbasize,	/* end of data */
		lay.map, lay.map + 4096, lay.flog, lay.flog + 64,
		lay.backup, lay.backup + 2048, poolsize - 1,
	};
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		for (int delta = -1; delta <= 0; delta++) {
			if (bounds[i] == 0 && delta < 0)
				continue;
			uint64_t size = bounds[i] + (uint64_t)(int64_t)delta;
			if (size >= poolsize)
				continue;
			const char *path = ut_path("cut-%zu-%llu", bsize,
				(unsigned long long)size);
			ut_file_copy(tmpl, path);
			ut_file_truncate(path, size);
			UT_EXPECT_REFUSED(path, EINVAL, NULL);
			unlink(path);
		}
	}
	/* the template itself is fine */
	UT_ASSERT_EQ(pmemblk_check(tmpl, bsize), 1);
}

int
main(void)
{
	truncations(4096, 32 * UT_MiB);
	truncations(512, PMEMBLK_MIN_POOL);
	return 0;
}
