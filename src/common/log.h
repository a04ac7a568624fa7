/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h -- the optional debug log (doc/api-notes.md §7): PMEMBLK_LOG_LEVEL and
 * PMEMBLK_LOG_FILE, honoured in every build.
 *
 * Owns: the level and the log's file descriptor, both set once by
 * blk_log_init() at library load. With PMEMBLK_LOG_LEVEL unset (or 0)
 * nothing is ever printed, and LOG() costs one compare.
 *
 * Levels: 1 errors (every message pmemblk_errormsg() would return),
 * 2 pool create/open/close, 3 public calls other than the block I/O,
 * 4 details (mapping of parts, configuration queries).
 */
#ifndef PMEMBLK_LOG_H
#define PMEMBLK_LOG_H

extern int blk_log_level;

/* Reads the environment; called once by the library constructor. */
void blk_log_init(void);

/* Closes the log file; called by the library destructor. */
void blk_log_fini(void);

/* One line "<libpmemblk>: <level> [file:line func] message". */
void blk_log_write(int level, const char *file, int line, const char *func,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define LOG(level, ...) do { \
	if ((level) <= blk_log_level) \
		blk_log_write((level), __FILE__, __LINE__, __func__, \
			__VA_ARGS__); \
} while (0)

#endif
