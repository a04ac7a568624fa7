/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report.h -- everything the tool prints goes through here: one-line
 * error messages, human-readable sizes and times, and structured output
 * that renders either as aligned text or as JSON from the same calls.
 */
#ifndef PMEMBLK_TOOL_REPORT_H
#define PMEMBLK_TOOL_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Prints "pmemblk CMD: message" on stderr and returns `code`. */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like fail() with EXIT_USAGE, pointing at --help. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A library call failed: "pmemblk CMD: what: <pmemblk_errormsg()>",
 * returns EXIT_FAIL. Falls back to strerror(errno) when the library left
 * no message.
 */
int fail_lib(const char *what);

/* Prints "pmemblk CMD: warning: message" on stderr. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define FMT_BUF 48

/* 64 MiB, 16.0 MiB, 512 B: binary units, exact values without decimals. */
const char *fmt_size(char buf[FMT_BUF], uint64_t bytes);

/* A latency in nanoseconds as "850 ns", "12.3 us", "4.56 ms", "1.20 s". */
const char *fmt_ns(char buf[FMT_BUF], double ns);

/* Canonical text form of a uuid stored in PMDK's (GUID) byte order. */
const char *fmt_uuid(char buf[FMT_BUF], const uint8_t uuid[16]);

/* Names of flag bits, for fields such as the header's feature words. */
struct flag_name {
	uint32_t bit;
	const char *name;
};

/*
 * Structured output. Text: "label: value" lines, nested sections
 * indented. JSON: one pretty-printed object; keys are the `key`
 * arguments. Calls nest: section/list ... end.
 */
#define EMIT_MAX_DEPTH 12

struct emit {
	FILE *f;
	bool json;
	int depth;
	bool has_items[EMIT_MAX_DEPTH];
	bool in_list[EMIT_MAX_DEPTH];
};

void emit_begin(struct emit *e, FILE *f, bool json);
void emit_finish(struct emit *e);

/* An object member (JSON) / a titled, indented block (text). */
void emit_section(struct emit *e, const char *key, const char *title);
/* An array of objects; each element starts with emit_item(). */
void emit_list(struct emit *e, const char *key, const char *title);
void emit_item(struct emit *e, const char *title);
void emit_end(struct emit *e);

void emit_str(struct emit *e, const char *key, const char *label,
	const char *value);
void emit_u64(struct emit *e, const char *key, const char *label,
	uint64_t value);
/* JSON: a "0x..." string (exact for 64-bit values); text: the same. */
void emit_hex(struct emit *e, const char *key, const char *label,
	uint64_t value, int width);
/* JSON: a number; text: hexadecimal (file and arena offsets). */
void emit_offset(struct emit *e, const char *key, const char *label,
	uint64_t value);
/* JSON: bytes as a number; text: "N (human)" */
void emit_size(struct emit *e, const char *key, const char *label,
	uint64_t bytes);
/* JSON: a number; text: the number and unit, e.g. "12.5 MiB/s". */
void emit_double(struct emit *e, const char *key, const char *label,
	double value, const char *unit);
/* JSON: nanoseconds as a number; text: fmt_ns(). */
void emit_ns(struct emit *e, const char *key, const char *label, double ns);
void emit_bool(struct emit *e, const char *key, const char *label,
	bool value);
/* JSON: {"value": N, "names": [...], "unknown": N}; text: 0x.. (A, B). */
void emit_flags(struct emit *e, const char *key, const char *label,
	uint32_t value, const struct flag_name *names);

#endif
