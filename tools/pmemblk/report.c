/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report.c -- messages, human-readable formatting and the text/JSON
 * emitter (see report.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <libpmemblk.h>

#include "report.h"
#include "tool.h"

/* Text output: values start in this column (labels are padded). */
#define TEXT_VALUE_COLUMN 28

static void
vmessage(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", tool_prog, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int
fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("", fmt, ap);
	va_end(ap);
	return code;
}

int
usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", tool_prog);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see '%s --help')\n", tool_prog);
	va_end(ap);
	return EXIT_USAGE;
}

int
fail_lib(const char *what)
{
	int errnum = errno;
	const char *msg = pmemblk_errormsg();
	if (msg == NULL || msg[0] == '\0')
		msg = strerror(errnum);
	/* the lock every open takes (doc/format.md §13) is held elsewhere */
	if (errnum == EWOULDBLOCK)
		return fail(EXIT_FAIL, "%s: pool is in use by another process "
			"(%s)", what, msg);
	return fail(EXIT_FAIL, "%s: %s", what, msg);
}

void
warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage("warning: ", fmt, ap);
	va_end(ap);
}

const char *
fmt_size(char buf[FMT_BUF], uint64_t bytes)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	unsigned u = 0;
	while (u + 1 < sizeof(units) / sizeof(units[0]) &&
			bytes >= ((uint64_t)1 << (10 * (u + 1))))
		u++;
	uint64_t unit = (uint64_t)1 << (10 * u);
	if (bytes % unit == 0)
		snprintf(buf, FMT_BUF, "%" PRIu64 " %s", bytes / unit, units[u]);
	else
		snprintf(buf, FMT_BUF, "%.1f %s", (double)bytes / (double)unit,
			units[u]);
	return buf;
}

const char *
fmt_ns(char buf[FMT_BUF], double ns)
{
	if (ns < 1e3)
		snprintf(buf, FMT_BUF, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, FMT_BUF, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, FMT_BUF, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, FMT_BUF, "%.2f s", ns / 1e9);
	return buf;
}

const char *
fmt_uuid(char buf[FMT_BUF], const uint8_t u[16])
{
	/* the first three groups are little-endian numbers on media */
	snprintf(buf, FMT_BUF,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x",
		u[3], u[2], u[1], u[0], u[5], u[4], u[7], u[6],
		u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	return buf;
}

/* ---- the emitter ------------------------------------------------------ */

enum { NODE_SECTION, NODE_LIST, NODE_ITEM };

/* text: how far the current nesting is indented */
static int
text_indent(const struct emit *e)
{
	return 2 * e->depth;
}

static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* JSON: separator and indentation before the next member or element. */
static void
json_next(struct emit *e)
{
	if (e->has_items[e->depth])
		fputc(',', e->f);
	e->has_items[e->depth] = true;
	fprintf(e->f, "\n%*s", 2 * (e->depth + 1), "");
}

static void
json_key(struct emit *e, const char *key)
{
	json_next(e);
	if (!e->in_list[e->depth]) {
		json_string(e->f, key);
		fputs(": ", e->f);
	}
}

static void
text_label(struct emit *e, const char *label)
{
	int used = text_indent(e) + (int)strlen(label) + 1;
	int pad = used < TEXT_VALUE_COLUMN ? TEXT_VALUE_COLUMN - used : 1;
	fprintf(e->f, "%*s%s:%*s", text_indent(e), "", label, pad, "");
}

static void
push(struct emit *e, bool list)
{
	if (e->depth + 1 >= EMIT_MAX_DEPTH)
		return;	/* deeper nesting is a programming error; stay safe */
	e->depth++;
	e->has_items[e->depth] = false;
	e->in_list[e->depth] = list;
}

void
emit_begin(struct emit *e, FILE *f, bool json)
{
	memset(e, 0, sizeof(*e));
	e->f = f;
	e->json = json;
	if (json)
		fputc('{', f);
}

void
emit_finish(struct emit *e)
{
	if (e->json)
		fputs("\n}\n", e->f);
	fflush(e->f);
}

void
emit_section(struct emit *e, const char *key, const char *title)
{
	if (e->json) {
		json_key(e, key);
		fputc('{', e->f);
	} else {
		if (e->depth == 0 && e->has_items[0])
			fputc('\n', e->f);
		e->has_items[e->depth] = true;
		fprintf(e->f, "%*s%s\n", text_indent(e), "", title);
	}
	push(e, false);
}

void
emit_list(struct emit *e, const char *key, const char *title)
{
	if (e->json) {
		json_key(e, key);
		fputc('[', e->f);
	} else if (title != NULL) {
		e->has_items[e->depth] = true;
		fprintf(e->f, "%*s%s\n", text_indent(e), "", title);
	}
	push(e, true);
}

void
emit_item(struct emit *e, const char *title)
{
	if (e->json) {
		json_next(e);
		fputc('{', e->f);
	} else {
		fprintf(e->f, "%*s%s\n", text_indent(e), "", title);
	}
	push(e, false);
}

void
emit_end(struct emit *e)
{
	if (e->depth == 0)
		return;
	bool list = e->in_list[e->depth];
	bool had = e->has_items[e->depth];
	int indent = 2 * e->depth;
	e->depth--;
	if (e->json) {
		if (had)
			fprintf(e->f, "\n%*s", indent, "");
		fputc(list ? ']' : '}', e->f);
	}
}

void
emit_str(struct emit *e, const char *key, const char *label,
	const char *value)
{
	if (e->json) {
		json_key(e, key);
		json_string(e->f, value);
	} else {
		text_label(e, label);
		fprintf(e->f, "%s\n", value);
	}
}

void
emit_u64(struct emit *e, const char *key, const char *label, uint64_t value)
{
	if (e->json) {
		json_key(e, key);
		fprintf(e->f, "%" PRIu64, value);
	} else {
		text_label(e, label);
		fprintf(e->f, "%" PRIu64 "\n", value);
	}
}

void
emit_hex(struct emit *e, const char *key, const char *label, uint64_t value,
	int width)
{
	char buf[FMT_BUF];
	snprintf(buf, sizeof(buf), "0x%0*" PRIx64, width, value);
	emit_str(e, key, label, buf);
}

void
emit_offset(struct emit *e, const char *key, const char *label,
	uint64_t value)
{
	if (e->json) {
		emit_u64(e, key, label, value);
	} else {
		text_label(e, label);
		fprintf(e->f, "0x%" PRIx64 "\n", value);
	}
}

void
emit_size(struct emit *e, const char *key, const char *label, uint64_t bytes)
{
	char buf[FMT_BUF];
	if (e->json) {
		emit_u64(e, key, label, bytes);
	} else {
		text_label(e, label);
		fprintf(e->f, "%" PRIu64 " (%s)\n", bytes, fmt_size(buf, bytes));
	}
}

void
emit_double(struct emit *e, const char *key, const char *label, double value,
	const char *unit)
{
	if (e->json) {
		json_key(e, key);
		fprintf(e->f, "%.3f", value);
	} else {
		text_label(e, label);
		fprintf(e->f, "%.1f%s%s\n", value, unit[0] ? " " : "", unit);
	}
}

void
emit_ns(struct emit *e, const char *key, const char *label, double ns)
{
	char buf[FMT_BUF];
	if (e->json) {
		json_key(e, key);
		fprintf(e->f, "%.0f", ns);
	} else {
		text_label(e, label);
		fprintf(e->f, "%s\n", fmt_ns(buf, ns));
	}
}

void
emit_bool(struct emit *e, const char *key, const char *label, bool value)
{
	if (e->json) {
		json_key(e, key);
		fputs(value ? "true" : "false", e->f);
	} else {
		text_label(e, label);
		fputs(value ? "yes\n" : "no\n", e->f);
	}
}

void
emit_flags(struct emit *e, const char *key, const char *label, uint32_t value,
	const struct flag_name *names)
{
	uint32_t known = 0;
	for (const struct flag_name *n = names; n->name != NULL; n++)
		known |= n->bit;

	if (e->json) {
		json_key(e, key);
		fprintf(e->f, "{\"value\": %" PRIu32 ", \"names\": [", value);
		const char *sep = "";
		for (const struct flag_name *n = names; n->name != NULL; n++) {
			if (value & n->bit) {
				fputs(sep, e->f);
				json_string(e->f, n->name);
				sep = ", ";
			}
		}
		fprintf(e->f, "], \"unknown\": %" PRIu32 "}", value & ~known);
		return;
	}

	text_label(e, label);
	fprintf(e->f, "0x%08" PRIx32, value);
	const char *sep = " (";
	for (const struct flag_name *n = names; n->name != NULL; n++) {
		if (value & n->bit) {
			fprintf(e->f, "%s%s", sep, n->name);
			sep = ", ";
		}
	}
	if (value & ~known) {
		fprintf(e->f, "%sunknown 0x%" PRIx32, sep, value & ~known);
		sep = ", ";
	}
	fputs(sep[0] == ',' ? ")\n" : "\n", e->f);
}
