/*
 * ctl.c -- pmemblk_ctl_get/set/exec.
 *
 * The entry points exist for ABI compatibility; the namespace itself
 * (prefault, sds, fallocate, copy_on_write) arrives with the pool-set and
 * configuration work. Until then every query is refused with EINVAL.
 */
#include <errno.h>
#include <stddef.h>

#include "libpmemblk.h"
#include "out.h"

#define EXPORT __attribute__((visibility("default")))

static int
ctl_refuse(const char *name)
{
	if (name == NULL)
		return err_set(EINVAL, "invalid query");
	return err_set(EINVAL, "invalid query entry point %s", name);
}

EXPORT int
pmemblk_ctl_get(PMEMblkpool *pbp, const char *name, void *arg)
{
	(void) pbp;
	(void) arg;
	return ctl_refuse(name);
}

EXPORT int
pmemblk_ctl_set(PMEMblkpool *pbp, const char *name, void *arg)
{
	(void) pbp;
	(void) arg;
	return ctl_refuse(name);
}

EXPORT int
pmemblk_ctl_exec(PMEMblkpool *pbp, const char *name, void *arg)
{
	(void) pbp;
	(void) arg;
	return ctl_refuse(name);
}
