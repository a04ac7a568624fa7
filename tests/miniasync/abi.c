/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * abi.c -- the struct layouts Debian's libpmem2 was compiled against
 * (doc/miniasync-abi.md §1). Checked at compile time; also printed as a
 * markdown table, ours next to the specification's, for the notes.
 */
#include <stddef.h>

#include "ut.h"
#include <libminiasync.h>

/* (type, size in doc/miniasync-abi.md) */
#define SIZES(X)\
	X(struct future_context, 24)\
	X(struct future, 40)\
	X(struct future_waker, 16)\
	X(struct future_poller, 8)\
	X(struct future_notifier, 32)\
	X(struct future_chain_entry, 80)\
	X(struct vdm, 48)\
	X(struct vdm_operation_data_memcpy, 32)\
	X(struct vdm_operation_data_memmove, 32)\
	X(struct vdm_operation_data_memset, 32)\
	X(struct vdm_operation_data_flush, 24)\
	/* the 1.1 run extension fits the 0.2 union, which keeps its size */\
	X(struct vdm_operation_data_run, 40)\
	X(struct vdm_operation_output_run, 8)\
	X(struct vdm_operation, 48)\
	X(struct vdm_operation_data, 64)\
	X(struct vdm_operation_output, 16)\
	X(struct vdm_operation_future, 120)\
	X(enum future_state, 4)

/* (type, member, offset in doc/miniasync-abi.md) */
#define OFFSETS(X)\
	X(struct future_context, data_size, 0)\
	X(struct future_context, output_size, 8)\
	X(struct future_context, state, 16)\
	X(struct future_context, padding, 20)\
	X(struct future, task, 0)\
	X(struct future, has_property, 8)\
	X(struct future, context, 16)\
	X(struct future_waker, data, 0)\
	X(struct future_waker, wake, 8)\
	X(struct future_poller, ptr_to_monitor, 0)\
	X(struct future_notifier, waker, 0)\
	X(struct future_notifier, poller, 16)\
	X(struct future_notifier, notifier_used, 24)\
	X(struct future_notifier, padding, 28)\
	X(struct future_chain_entry, map, 0)\
	X(struct future_chain_entry, map_arg, 8)\
	X(struct future_chain_entry, init, 16)\
	X(struct future_chain_entry, init_arg, 24)\
	X(struct future_chain_entry, flags, 32)\
	X(struct future_chain_entry, future, 40)\
	X(struct vdm, op_new, 0)\
	X(struct vdm, op_delete, 8)\
	X(struct vdm, op_start, 16)\
	X(struct vdm, op_check, 24)\
	X(struct vdm, capabilities, 32)\
	X(struct vdm, has_property, 40)\
	X(struct vdm_operation_data_memcpy, dest, 0)\
	X(struct vdm_operation_data_memcpy, src, 8)\
	X(struct vdm_operation_data_memcpy, n, 16)\
	X(struct vdm_operation_data_memcpy, flags, 24)\
	X(struct vdm_operation_data_memmove, dest, 0)\
	X(struct vdm_operation_data_memmove, src, 8)\
	X(struct vdm_operation_data_memmove, n, 16)\
	X(struct vdm_operation_data_memmove, flags, 24)\
	X(struct vdm_operation_data_memset, str, 0)\
	X(struct vdm_operation_data_memset, c, 8)\
	X(struct vdm_operation_data_memset, n, 16)\
	X(struct vdm_operation_data_memset, flags, 24)\
	X(struct vdm_operation_data_flush, dest, 0)\
	X(struct vdm_operation_data_flush, n, 8)\
	X(struct vdm_operation_data_flush, flags, 16)\
	X(struct vdm_operation, data, 0)\
	X(struct vdm_operation, type, 40)\
	X(struct vdm_operation, padding, 44)\
	X(struct vdm_operation_data, data, 0)\
	X(struct vdm_operation_data, vdm, 8)\
	X(struct vdm_operation_data, operation, 16)\
	X(struct vdm_operation_output, type, 0)\
	X(struct vdm_operation_output, result, 4)\
	X(struct vdm_operation_output, output, 8)\
	X(struct vdm_operation_future, base, 0)\
	X(struct vdm_operation_future, data, 40)\
	X(struct vdm_operation_future, output, 104)

#define ASSERT_SIZE(type, spec)\
	_Static_assert(sizeof(type) == (spec), "sizeof " #type);
#define ASSERT_OFFSET(type, member, spec)\
	_Static_assert(offsetof(type, member) == (spec), #type "." #member);
SIZES(ASSERT_SIZE)
OFFSETS(ASSERT_OFFSET)

_Static_assert(sizeof(((struct vdm_operation *)0)->data) ==
	VDM_OPERATION_DATA_MAX_SIZE, "vdm_operation.data size");

struct row {
	const char *type;
	const char *member;
	size_t ours;
	size_t spec;
};

#define SIZE_ROW(type, spec) {#type, "(sizeof)", sizeof(type), spec},
#define OFFSET_ROW(type, member, spec)\
	{#type, #member, offsetof(type, member), spec},

static const struct row rows[] = {
	SIZES(SIZE_ROW)
	OFFSETS(OFFSET_ROW)
};

int
main(void)
{
	printf("| type | member | ours | doc/miniasync-abi.md |\n|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		printf("| `%s` | %s | %zu | %zu |\n", rows[i].type,
			rows[i].member, rows[i].ours, rows[i].spec);
		UT_ASSERT_EQ(rows[i].ours, rows[i].spec);
	}
	return 0;
}
