/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpu.h -- which CPU this is, and the micro-architectural choices that
 * depend on it (doc/cpu_strategies.md).
 *
 * Owns: CPU identification (CPUID vendor, family, model, brand string)
 * and the table of per-CPU choices. Today that table has one row that
 * differs between CPUs: the metadata store (persist.h, write_word).
 *
 * Contract: cpu_info() is filled once, on first use, and never changes;
 * it is safe to call from any thread. A CPU the table does not know gets
 * the choice that is safe everywhere (the cached store, PMDK's choice):
 * an unknown CPU may be slower than it could be, never slower than PMDK.
 */
#ifndef PMEMBLK_CPU_H
#define PMEMBLK_CPU_H

#include <stdbool.h>

enum cpu_vendor { CPU_OTHER, CPU_INTEL, CPU_AMD };

struct cpu_info {
	enum cpu_vendor vendor;
	char vendor_id[13];	/* "GenuineIntel", "AuthenticAMD", "" */
	unsigned family;	/* display family (base + extended) */
	unsigned model;		/* display model (with the extended bits) */
	char model_name[49];	/* brand string, as /proc/cpuinfo's model name */
};

const struct cpu_info *cpu_info(void);

/*
 * Whether non-temporal metadata stores are the faster choice on `cpu`,
 * and a short phrase saying why (for ctl, `pmemblk info` and logs).
 */
bool cpu_metadata_store_nt(const struct cpu_info *cpu, const char **why);

#endif
