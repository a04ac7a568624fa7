/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c -- `pmemblk COMMAND ...`: finds the subcommand and runs it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libpmemblk.h>

#include "args.h"
#include "async_ops.h"
#include "report.h"
#include "tool.h"

const char *tool_prog = "pmemblk";

static const struct command commands[] = {
	{ "create", "create a pool", cmd_create },
	{ "info", "show the header, arenas and block counts of a pool",
		cmd_info },
	{ "check", "check a pool's consistency", cmd_check },
	{ "read", "read blocks to a file or stdout", cmd_read },
	{ "write", "write blocks from a file or stdin", cmd_write },
	{ "zero", "set blocks to zero", cmd_zero },
	{ "error", "put blocks in the error state", cmd_error },
	{ "bench", "measure sync or async block I/O", cmd_bench },
	{ "demo", "tour the library on a temporary pool", cmd_demo },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fputs("Usage: pmemblk COMMAND [OPTIONS] ARGS...\n"
		"\n"
		"Creates, inspects, checks and benchmarks libpmemblk block "
		"pools.\n"
		"\n"
		"Commands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
		"'pmemblk COMMAND --help' or 'pmemblk help COMMAND' describes a\n"
		"command; 'pmemblk --version' (-V) prints the version.\n"
		"\n"
		SIZE_HELP
		"\n"
		"Exit status: 0 success, 1 check found the pool inconsistent,\n"
		"2 usage error, 3 the operation failed. See pmemblk(1).\n", f);
}

int
main(int argc, char *argv[])
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
			(strcmp(name, "help") == 0 && argc == 2)) {
		usage(stdout);
		return EXIT_OK;
	}
	/* the command's own arguments; `pmemblk help CMD` is `CMD --help` */
	int cargc = argc - 1;
	char **cargv = argv + 1;
	char *help_argv[3];
	if (strcmp(name, "help") == 0) {
		if (argc > 3)
			return usage_error("help takes one command name");
		name = argv[2];
		help_argv[0] = argv[2];
		help_argv[1] = (char *)"--help";
		help_argv[2] = NULL;
		cargc = 2;
		cargv = help_argv;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		/*
		 * The API version the library answers to, as a program finds
		 * it with pmemblk_check_version(): 1.2 means the async API
		 * (README, "Compatibility"). The tool's own header is built
		 * without PMEMBLK_USE_MINIASYNC, so its macro would say 1.1.
		 */
		bool api_async = pmemblk_check_version(1, 2) == NULL;
		printf("pmemblk %s (libpmemblk API %d.%d, %s)\n",
			PMEMBLK_TOOL_VERSION, PMEMBLK_MAJOR_VERSION,
			api_async ? 2 : 1,
			api_async ? "with the async API" : "no async API");
		return EXIT_OK;
	}

	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(name, commands[i].name) != 0)
			continue;
		static char prog[32];
		snprintf(prog, sizeof(prog), "pmemblk %s", commands[i].name);
		tool_prog = prog;
		return commands[i].run(cargc, cargv);
	}
	return usage_error("unknown command '%s'", name);
}
