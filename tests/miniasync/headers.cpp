/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * headers.cpp -- the headers compile as C++ (extern "C", explicit casts in
 * the inline functions), and the inline helpers can be called from it.
 */
#include <libminiasync.h>

extern "C" int headers_cxx_check(void);

int
headers_cxx_check(void)
{
	struct data_mover_sync *dms = data_mover_sync_new();
	if (dms == NULL)
		return 1;
	char src[4] = {1, 2, 3, 4}, dst[4] = {0, 0, 0, 0};
	struct vdm_operation_future f = vdm_memcpy(
		data_mover_sync_get_vdm(dms), dst, src, sizeof(src), 0);
	FUTURE_BUSY_POLL(&f);
	data_mover_sync_delete(dms);
	return dst[3] == 4 ? 0 : 1;
}
