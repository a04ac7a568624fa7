/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset_helpers.h -- what the tests of tests/poolset share, on top of
 * unit_helpers.h (scratch directory, files, headers):
 *
 * - writing pool set files;
 * - running a child process with a changed environment and its output
 *   captured, to test what the library reads at load time (configuration,
 *   logging) and to open pools with PMDK's libpmemblk.so.1 (the child
 *   picks the library by LD_LIBRARY_PATH alone, see tests/interop).
 */
#ifndef PMEMBLK_POOLSET_HELPERS_H
#define PMEMBLK_POOLSET_HELPERS_H

#include "unit_helpers.h"

/* ---- scratch files ---- */

/*
 * "<scratch dir>/<printf result>" like ut_path(), but in a directory on
 * tmpfs when there is one (pattern.h: scratch_base): pools written block
 * by block there cost no disk syncs. Removed at exit. The string lives in
 * one of 16 rotating buffers.
 */
const char *ps_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- pool set files ---- */

/*
 * Writes a pool set file `set` naming nparts parts of sizes[k] bytes at
 * ps_path("<prefix><k>"), with OPTION SINGLEHDR when asked. The part
 * paths are stored in parts[k] if parts != NULL.
 */
#define PS_PATH_MAX 256
void ps_set_write(const char *set, bool singlehdr, unsigned nparts,
	const size_t *sizes, const char *prefix, char parts[][PS_PATH_MAX]);

/* Writes `text` (printf format) as the whole file `path`. */
void ps_text_write(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- child processes ---- */

/* The environment changes of one child: NULL value = unset. */
struct ps_env {
	const char *name;
	const char *value;
};

/*
 * Runs argv[0] (a path) with the given environment changes (nenv
 * entries), stdout and stderr captured into the returned buffers (caller
 * frees; NULL pointers: not wanted). Returns the exit status, or 128 +
 * signal number.
 */
int ps_run(const char *const argv[], const struct ps_env *env, size_t nenv,
	char **out, char **err);

/* The path of the running test program, to re-run it as a child. */
const char *ps_self(void);

/*
 * Which libpmemblk.so.1 a child gets: PS_OURS (OURS_LIBDIR from the
 * environment ctest sets) or PS_PMDK (the system's, LD_LIBRARY_PATH
 * unset). NULL when the test environment does not name the directory.
 */
enum ps_lib { PS_OURS, PS_PMDK };
struct ps_env ps_lib_env(enum ps_lib lib);

/* Environment variable `name`, or exit 77 (skip) with a note if unset. */
const char *ps_need_env(const char *name);

/* Bytes of real storage a file occupies (st_blocks * 512). */
unsigned long long ps_file_allocated(const char *path);

#endif
