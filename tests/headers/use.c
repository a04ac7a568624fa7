/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * use.c -- compiled, never run, by headers.sh under consumers' strict
 * flags, as C99 and as C++: the public macros and inline functions a
 * program uses expand without warnings in its own code too.
 */
#define PMEMBLK_USE_MINIASYNC 1
#include <libpmemblk.h>
#include <libminiasync.h>

#include <stddef.h>

/* a chain of two copies, as a program builds its own futures */
struct two_copies_data {
	FUTURE_CHAIN_ENTRY(struct vdm_operation_future, first);
	FUTURE_CHAIN_ENTRY_LAST(struct vdm_operation_future, second);
};
struct two_copies_output {
	size_t n;
};
FUTURE(two_copies_future, struct two_copies_data, struct two_copies_output);

static struct two_copies_future
two_copies(struct vdm *vdm, char *a, char *b, char *c, size_t n)
{
	struct two_copies_future f;
	FUTURE_CHAIN_ENTRY_INIT(&f.data.first, vdm_memcpy(vdm, b, a, n, 0),
		NULL, NULL);
	FUTURE_CHAIN_ENTRY_INIT(&f.data.second, vdm_memcpy(vdm, c, b, n, 0),
		NULL, NULL);
	f.output.n = n;
	FUTURE_CHAIN_INIT(&f);
	return f;
}

int use_headers(PMEMblkpool *pbp, struct runtime *rt, void *buf);

int
use_headers(PMEMblkpool *pbp, struct runtime *rt, void *buf)
{
	struct data_mover_sync *dms = data_mover_sync_new();
	struct vdm *vdm = data_mover_sync_get_vdm(dms);
	struct pmemblk_write_async_future w = pmemblk_write_async(pbp, buf, 1);
	struct pmemblk_read_async_future r = pmemblk_read_async(pbp, buf, 1);
	struct vdm_operation_future c = vdm_memcpy(vdm, buf,
		(char *)buf + 64, 64, 0);
	struct two_copies_future two = two_copies(vdm, (char *)buf,
		(char *)buf + 128, (char *)buf + 256, 64);
	struct future *futs[2];
	int ret = 0;

	runtime_wait(rt, FUTURE_AS_RUNNABLE(&two));

	FUTURE_BUSY_POLL(&w);
	futs[0] = FUTURE_AS_RUNNABLE(&r);
	futs[1] = FUTURE_AS_RUNNABLE(&c);
	runtime_wait_multiple(rt, futs, 2);
	if (FUTURE_STATE(&w) != FUTURE_STATE_COMPLETE ||
			FUTURE_OUTPUT(&w)->return_value != 0 ||
			FUTURE_OUTPUT(&r)->return_value != 0 ||
			FUTURE_OUTPUT(&c)->type != VDM_OPERATION_MEMCPY ||
			FUTURE_OUTPUT(&two)->n != 64)
		ret = -1;
	if (pmemblk_write(pbp, buf, 2) != 0 || pmemblk_nblock(pbp) == 0)
		ret = -1;
	data_mover_sync_delete(dms);
	return ret;
}
