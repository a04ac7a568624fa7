/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * headers.c -- what the headers promise besides declarations: code that
 * includes only <libminiasync.h> may use printf, size_t and uint64_t (the
 * miniasync examples do). Each sub-header is also compiled on its own
 * (generated TUs) and, when a C++ compiler exists, from C++ (headers.cpp).
 */
#include <libminiasync.h>

int
main(void)
{
	size_t n = sizeof(struct vdm_operation_future);
	uint64_t flags = VDM_F_VALID_FLAGS;
	printf("vdm future: %zu bytes, valid flags %llu\n", n,
		(unsigned long long)flags);
	return n == 120 && flags == 3 ? 0 : 1;
}
