/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tool.h -- what every pmemblk subcommand shares: exit codes, the command
 * table and the name of the running command (for messages).
 */
#ifndef PMEMBLK_TOOL_H
#define PMEMBLK_TOOL_H

/* Exit codes, documented in pmemblk(1). */
enum tool_exit {
	EXIT_OK = 0,		/* success; `check`: the pool is consistent */
	EXIT_INCONSISTENT = 1,	/* `check`: the pool is not consistent */
	EXIT_USAGE = 2,		/* bad command line or argument value */
	EXIT_FAIL = 3,		/* the operation failed (pool, file, system) */
};

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char *argv[]);
};

int cmd_create(int argc, char *argv[]);
int cmd_info(int argc, char *argv[]);
int cmd_check(int argc, char *argv[]);
int cmd_read(int argc, char *argv[]);
int cmd_write(int argc, char *argv[]);
int cmd_zero(int argc, char *argv[]);
int cmd_error(int argc, char *argv[]);
int cmd_bench(int argc, char *argv[]);
int cmd_demo(int argc, char *argv[]);

/* "pmemblk" or "pmemblk <command>", the prefix of every message. */
extern const char *tool_prog;

#endif
