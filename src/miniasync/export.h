/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * export.h -- marks the definitions of the public functions.
 *
 * The library is compiled with hidden visibility, so internal helpers stay
 * internal even when libminiasync.a is linked into another shared library;
 * only functions marked MINIASYNC_EXPORT can be exported (the version
 * script then names exactly which).
 */
#ifndef MINIASYNC_EXPORT_H
#define MINIASYNC_EXPORT_H

#define MINIASYNC_EXPORT __attribute__((visibility("default")))

#endif
