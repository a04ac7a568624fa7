/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libminiasync.h -- futures, virtual data movers and a runtime; a drop-in
 * replacement for miniasync 0.2.x (see libminiasync/ for each part).
 *
 * <stdio.h> is included because code written for miniasync relies on it.
 */
#ifndef LIBMINIASYNC_H
#define LIBMINIASYNC_H 1

#include <stddef.h>
#include <stdio.h>

#include "libminiasync/future.h"
#include "libminiasync/vdm.h"
#include "libminiasync/data_mover_threads.h"
#include "libminiasync/data_mover_sync.h"
#include "libminiasync/runtime.h"

#endif /* LIBMINIASYNC_H */
