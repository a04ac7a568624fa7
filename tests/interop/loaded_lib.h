/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loaded_lib.h -- which shared object a libpmemblk function came from.
 *
 * The interop tests pick PMDK's or our libpmemblk.so.1 with LD_LIBRARY_PATH
 * alone; the programs report the file actually loaded so a script can make
 * sure it tests the library it means to. Needs _GNU_SOURCE for dladdr.
 */
#ifndef PMEMBLK_TEST_LOADED_LIB_H
#define PMEMBLK_TEST_LOADED_LIB_H

#include <dlfcn.h>
#include <stdio.h>

/* Path of the object defining sym, or NULL (with a message on stderr). */
static inline const char *
loaded_lib_path(void *sym)
{
	Dl_info info;
	if (dladdr(sym, &info) == 0 || info.dli_fname == NULL) {
		fprintf(stderr, "dladdr failed\n");
		return NULL;
	}
	return info.dli_fname;
}

#endif
