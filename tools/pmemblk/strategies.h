/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strategies.h -- the CPU and the library's CPU-dependent choices in
 * force (doc/cpu_strategies.md), as `pmemblk info` and `pmemblk bench`
 * show them. Everything comes from the library's ctl entries.
 */
#ifndef PMEMBLK_TOOL_STRATEGIES_H
#define PMEMBLK_TOOL_STRATEGIES_H

#include "report.h"

/* A "cpu" section: model, metadata store in force, the setting, why. */
void emit_strategies(struct emit *e);

#endif
