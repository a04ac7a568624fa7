/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist_mode.c -- see persist_mode.h.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "persist_mode.h"
#include "poolset.h"

bool
persist_mode_is_dax(int fd)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, (size_t)page, PROT_READ,
		MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
	if (p == MAP_FAILED)
		return false;
	munmap(p, (size_t)page);
	return true;
}

void
persist_mode_explain(bool dax, struct persist_mode *m)
{
	const char *force = secure_getenv("PMEM_IS_PMEM_FORCE");
	if (force != NULL && strcmp(force, "1") == 0) {
		m->pmem = true;
		m->why = "PMEM_IS_PMEM_FORCE=1 treats every pool as "
			"persistent memory";
	} else if (force != NULL && strcmp(force, "0") == 0) {
		m->pmem = false;
		m->why = "PMEM_IS_PMEM_FORCE=0 forbids cache flushes";
	} else if (dax) {
		m->pmem = true;
		m->why = "the file is on DAX persistent memory (a MAP_SYNC "
			"mapping is accepted)";
	} else {
		m->pmem = false;
		m->why = "the file is not on DAX persistent memory (the file "
			"system refuses MAP_SYNC), so every write waits for "
			"msync, which takes milliseconds on a disk; "
			"PMEM_IS_PMEM_FORCE=1 uses cache flushes instead";
	}
	m->name = m->pmem ? "pmem (cache flushes)" : "msync";
}

static bool
path_is_dax(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool dax = fd >= 0 && persist_mode_is_dax(fd);
	if (fd >= 0)
		close(fd);
	return dax;
}

void
persist_mode_of_path(const char *path, struct persist_mode *m)
{
	bool dax = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct poolset *set = NULL;
	if (fd >= 0 && poolset_is_set_file(fd) &&
			poolset_parse(fd, path, &set) == 0) {
		dax = set->nparts > 0;
		for (unsigned i = 0; i < set->nparts; i++)
			dax = dax && path_is_dax(set->parts[i].path);
		poolset_free(set);
	} else if (fd >= 0) {
		dax = persist_mode_is_dax(fd);
	}
	if (fd >= 0)
		close(fd);
	persist_mode_explain(dax, m);
}
