/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strategies.c -- see strategies.h.
 */
#include <stdio.h>

#include <libpmemblk.h>

#include "strategies.h"

static const char *
store_name(int v)
{
	switch (v) {
	case PMEMBLK_METADATA_STORE_AUTO: return "auto";
	case PMEMBLK_METADATA_STORE_NT: return "nt";
	case PMEMBLK_METADATA_STORE_CACHED: return "cached";
	default: return "unknown";
	}
}

void
emit_strategies(struct emit *e)
{
	const char *model = "unknown", *why = "unknown";
	int setting = -1, in_force = -1;
	(void) pmemblk_ctl_get(NULL, "cpu.model", &model);
	(void) pmemblk_ctl_get(NULL, "persist.metadata_store", &setting);
	(void) pmemblk_ctl_get(NULL, "persist.metadata_store_in_force",
		&in_force);
	(void) pmemblk_ctl_get(NULL, "persist.metadata_store_reason", &why);

	char shown[256];
	snprintf(shown, sizeof(shown), "%s (%s: %s)", store_name(in_force),
		store_name(setting), why);
	emit_section(e, "cpu", "cpu");
	emit_str(e, "model", "model", model);
	if (e->json) {
		emit_str(e, "metadata_store", "metadata store",
			store_name(in_force));
		emit_str(e, "metadata_store_setting", "setting",
			store_name(setting));
		emit_str(e, "metadata_store_reason", "reason", why);
	} else {
		emit_str(e, "metadata_store", "metadata store (pmem)", shown);
	}
	emit_end(e);
}
