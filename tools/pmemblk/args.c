/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * args.c -- option loop and value parsers (see args.h).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "report.h"
#include "tool.h"

void
opts_init(struct opts *o, int argc, char *argv[], const char *shortopts,
	const struct option *longopts, const char *help)
{
	memset(o, 0, sizeof(*o));
	o->argc = argc;
	o->argv = argv;
	o->help = help;
	/* ':' first: a missing argument returns ':' instead of printing */
	snprintf(o->shortbuf, sizeof(o->shortbuf), ":h%s", shortopts);

	size_t n = 0;
	for (; longopts != NULL && longopts[n].name != NULL &&
			n + 2 < sizeof(o->longbuf) / sizeof(o->longbuf[0]); n++)
		o->longbuf[n] = longopts[n];
	o->longbuf[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	o->longbuf[n] = (struct option){ NULL, 0, NULL, 0 };
	optind = 1;
	opterr = 0;
}

/* The option as the user wrote it, for messages. */
static const char *
opt_text(struct opts *o, char buf[8], bool use_optopt)
{
	if (use_optopt && optopt != 0) {
		snprintf(buf, 8, "-%c", optopt);
		return buf;
	}
	const char *arg = o->argv[optind - 1];
	return arg != NULL ? arg : "?";
}

int
opts_next(struct opts *o)
{
	char buf[8];
	int c = getopt_long(o->argc, o->argv, o->shortbuf, o->longbuf, NULL);
	switch (c) {
	case 'h':
		fputs(o->help, stdout);
		o->exit = EXIT_OK;
		return OPTS_EXIT;
	case '?': {
		/* "--json=yes": a flag given a value */
		const char *arg = o->argv[optind - 1];
		const char *eq = arg != NULL && strncmp(arg, "--", 2) == 0 ?
			strchr(arg, '=') : NULL;
		if (eq != NULL && optopt != 0) {
			o->exit = usage_error("option '%.*s' takes no value "
				"(write '%.*s' alone)", (int)(eq - arg), arg,
				(int)(eq - arg), arg);
			return OPTS_EXIT;
		}
		if (optopt >= '0' && optopt <= '9')
			o->exit = usage_error("unknown option '%s': numbers "
				"cannot be negative", opt_text(o, buf, true));
		else
			o->exit = usage_error("unknown option '%s'",
				opt_text(o, buf, true));
		return OPTS_EXIT;
	}
	case ':':
		o->exit = usage_error("option '%s' needs a value",
			opt_text(o, buf, false));
		return OPTS_EXIT;
	default:
		return c;
	}
}

char **
opts_positional(struct opts *o, int min, int max, const char *names)
{
	int n = o->argc - optind;
	if (n < min) {
		o->exit = usage_error("missing argument: expected %s", names);
		return NULL;
	}
	if (n > max) {
		o->exit = usage_error("unexpected argument '%s'",
			o->argv[optind + max]);
		return NULL;
	}
	return &o->argv[optind];
}

/* Digits only (no sign, no spaces), no overflow. */
static int
digits(const char *s, uint64_t *out, const char **end)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	uint64_t v = 0;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*out = v;
	*end = s;
	return 0;
}

int
parse_u64(const char *s, const char *what, uint64_t *out)
{
	const char *end;
	int ret = digits(s, out, &end);
	if (ret == -2) {
		fail(EXIT_USAGE, "%s: number '%s' is too large", what, s);
		return -1;
	}
	if (ret != 0 || *end != '\0') {
		fail(EXIT_USAGE, "%s: '%s' is not a non-negative integer",
			what, s);
		return -1;
	}
	return 0;
}

int
parse_uint_range(const char *s, const char *what, uint64_t min, uint64_t max,
	uint64_t *out)
{
	if (parse_u64(s, what, out) != 0)
		return -1;
	if (*out < min || *out > max) {
		fail(EXIT_USAGE, "%s: %s is out of range (%llu..%llu)", what, s,
			(unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	return 0;
}

struct size_suffix {
	const char *text;
	uint64_t mult;
	bool any_case;
};

static const struct size_suffix suffixes[] = {
	{ "", 1, false },
	{ "B", 1, false },
	{ "K", 1ULL << 10, true }, { "KiB", 1ULL << 10, false },
	{ "M", 1ULL << 20, true }, { "MiB", 1ULL << 20, false },
	{ "G", 1ULL << 30, true }, { "GiB", 1ULL << 30, false },
	{ "T", 1ULL << 40, true }, { "TiB", 1ULL << 40, false },
	{ "P", 1ULL << 50, true }, { "PiB", 1ULL << 50, false },
	{ "kB", 1000ULL, false }, { "MB", 1000000ULL, false },
	{ "GB", 1000000000ULL, false }, { "TB", 1000000000000ULL, false },
	{ "PB", 1000000000000000ULL, false },
};

static const struct size_suffix *
find_suffix(const char *s)
{
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		const struct size_suffix *x = &suffixes[i];
		if (strcmp(s, x->text) == 0 ||
				(x->any_case && strcasecmp(s, x->text) == 0))
			return x;
	}
	return NULL;
}

int
parse_size(const char *s, const char *what, uint64_t *out)
{
	uint64_t v, frac = 0, scale = 1;
	const char *end;
	int ret = digits(s, &v, &end);
	if (ret == 0 && *end == '.') {
		/* a decimal: exact, in integers (1.5G = 1610612736) */
		const char *f = end + 1;
		if (!isdigit((unsigned char)*f))
			ret = -1;
		for (; ret == 0 && isdigit((unsigned char)*f); f++) {
			if (scale >= 1000000000000ULL) {
				ret = -1;	/* more decimals than make sense */
				break;
			}
			frac = frac * 10 + (uint64_t)(*f - '0');
			scale *= 10;
		}
		end = f;
	}
	const struct size_suffix *x = ret == 0 ? find_suffix(end) : NULL;
	if (x == NULL) {
		fail(EXIT_USAGE, "%s: invalid size '%s' (examples: 4096, 4K, "
			"1.5G, 64MB; see 'pmemblk --help')", what, s);
		return -1;
	}
	if (v > UINT64_MAX / x->mult ||
			(frac != 0 && frac > UINT64_MAX / x->mult)) {
		fail(EXIT_USAGE, "%s: size '%s' is too large", what, s);
		return -1;
	}
	uint64_t part = frac * x->mult;
	if (part % scale != 0) {
		fail(EXIT_USAGE, "%s: size '%s' is not a whole number of bytes",
			what, s);
		return -1;
	}
	if (v * x->mult > UINT64_MAX - part / scale) {
		fail(EXIT_USAGE, "%s: size '%s' is too large", what, s);
		return -1;
	}
	*out = v * x->mult + part / scale;
	return 0;
}

int
parse_bsize(const char *s, const char *what, uint64_t *out)
{
	if (parse_size(s, what, out) != 0)
		return -1;
	if (*out == 0 || *out > UINT32_MAX) {
		fail(EXIT_USAGE, "%s: block size %s out of range (1 to %u bytes)",
			what, s, UINT32_MAX);
		return -1;
	}
	return 0;
}

int
parse_blockno(const char *s, long long *out)
{
	uint64_t v;
	const char *end;
	int ret = digits(s, &v, &end);
	if (ret != 0 || *end != '\0' || v > (uint64_t)LLONG_MAX) {
		fail(EXIT_USAGE, "invalid block number '%s': expected an integer "
			"from 0 to the pool's block count - 1", s);
		return -1;
	}
	*out = (long long)v;
	return 0;
}

int
parse_block_list(const char *s, uint64_t nmax, struct block_list *out)
{
	memset(out, 0, sizeof(*out));
	const char *p = s;
	for (;;) {
		uint64_t first, last;
		const char *end;
		if (out->n == BLOCK_LIST_MAX)
			goto bad;
		if (digits(p, &first, &end) != 0)
			goto bad;
		last = first;
		if (*end == '-' && digits(end + 1, &last, &end) != 0)
			goto bad;
		if (last < first || last > (uint64_t)LLONG_MAX)
			goto bad;
		out->r[out->n].first = first;
		out->r[out->n].last = last;
		out->n++;
		out->count += last - first + 1;
		if (out->count > nmax)
			goto bad;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
bad:
	fail(EXIT_USAGE, "invalid block number or range '%s': expected N, "
		"N-M or a comma-separated list of them (at most %u), counted "
		"from 0", s, BLOCK_LIST_MAX);
	return -1;
}

int
parse_duration(const char *s, const char *what, double *seconds)
{
	char *end;
	errno = 0;
	double v = isdigit((unsigned char)s[0]) || s[0] == '.' ?
		strtod(s, &end) : NAN;
	if (!isnan(v) && strcmp(end, "ms") == 0)
		v /= 1000.0;
	else if (!isnan(v) && *end != '\0' && strcmp(end, "s") != 0)
		v = NAN;
	if (isnan(v) || errno != 0 || !(v > 0.0) || v > 86400.0) {
		fail(EXIT_USAGE, "%s: invalid duration '%s' (examples: 5, 2.5s, "
			"500ms; at most one day)", what, s);
		return -1;
	}
	*seconds = v;
	return 0;
}
