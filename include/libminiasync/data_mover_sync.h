/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libminiasync/data_mover_sync.h -- a mover that does each operation on
 * the polling thread, within the first poll.
 */
#ifndef DATA_MOVER_SYNC_H
#define DATA_MOVER_SYNC_H 1

#include "vdm.h"

#ifdef __cplusplus
extern "C" {
#endif

struct data_mover_sync;

/* NULL if out of memory. */
struct data_mover_sync *data_mover_sync_new(void);
/* Valid as long as the mover. */
struct vdm *data_mover_sync_get_vdm(struct data_mover_sync *dms);
void data_mover_sync_delete(struct data_mover_sync *dms);

#ifdef __cplusplus
}
#endif

#endif /* DATA_MOVER_SYNC_H */
