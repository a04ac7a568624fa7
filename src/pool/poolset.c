/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset.c -- parsing pool set files.
 *
 * The grammar is PMDK's (doc/format.md §12.1), applied strictly: anything the
 * reference refuses is refused here too, with the same errno. One
 * difference is deliberate: sizes are plain decimal numbers with an
 * optional suffix; PMDK's sscanf also lets a leading '+' through.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "out.h"
#include "poolset.h"

/* A set file is a handful of lines; this only stops absurd inputs. */
#define POOLSET_MAX_FILE ((size_t)16 << 20)
#define MAX_TOKENS 4	/* the longest valid line has 3 */
#define SEPARATORS " \t\r"

bool
poolset_is_set_file(int fd)
{
	char sig[POOLSET_SIG_LEN];
	return pread(fd, sig, sizeof(sig), 0) == (ssize_t)sizeof(sig) &&
		memcmp(sig, POOLSET_SIG, POOLSET_SIG_LEN) == 0;
}

/* The whole file as a NUL-terminated string. */
static char *
read_text(int fd, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		err_sys("stat \"%s\"", path);
		return NULL;
	}
	size_t size = (size_t)st.st_size;
	if (size > POOLSET_MAX_FILE) {
		err_set(EINVAL, "%s: pool set file larger than %zu bytes",
			path, POOLSET_MAX_FILE);
		return NULL;
	}
	char *text = blk_malloc(size + 1);
	if (text == NULL)
		return NULL;
	size_t got = 0;
	while (got < size) {
		ssize_t n = pread(fd, text + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)	/* shrank meanwhile: take what is */
				break;
			err_sys("read \"%s\"", path);
			blk_free(text);
			return NULL;
		}
		got += (size_t)n;
	}
	text[got] = '\0';
	return text;
}

static const struct {
	const char *suffix;
	uint64_t mult;
} size_suffixes[] = {
	{"", 1}, {"B", 1},
	{"K", 1ULL << 10}, {"M", 1ULL << 20}, {"G", 1ULL << 30},
	{"T", 1ULL << 40}, {"P", 1ULL << 50},
	{"KiB", 1ULL << 10}, {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30},
	{"TiB", 1ULL << 40}, {"PiB", 1ULL << 50},
	{"kB", 1000ULL}, {"MB", 1000000ULL}, {"GB", 1000000000ULL},
	{"TB", 1000000000000ULL}, {"PB", 1000000000000000ULL},
};

/*
 * Parses "digits[suffix]". Returns 0, or -1 with errno: EINVAL for bad
 * syntax, zero, or a suffix multiplying past 2^64; EFBIG for a size no
 * file can have (beyond INT64_MAX, or digits past 2^64). These errnos are
 * PMDK's (its number parser saturates; its suffix check does not).
 */
static int
parse_size(const char *s, const char *path, unsigned lineno, size_t *sizep)
{
	uint64_t v = 0;
	bool overflow = false;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	if (p == s)
		return err_set(EINVAL, "%s:%u: incorrect format of size \"%s\"",
			path, lineno, s);
	for (size_t i = 0; i < sizeof(size_suffixes) / sizeof(size_suffixes[0]);
			i++) {
		if (strcmp(p, size_suffixes[i].suffix) != 0)
			continue;
		uint64_t mult = size_suffixes[i].mult;
		if (!overflow && v > UINT64_MAX / mult)
			break;	/* "incorrect format" below */
		if (overflow || v > INT64_MAX / mult)
			return err_set(EFBIG, "%s:%u: size %s is too large for a file",
				path, lineno, s);
		if (v == 0)
			return err_set(EINVAL, "%s:%u: size of a part cannot be 0",
				path, lineno);
		*sizep = (size_t)(v * mult);
		return 0;
	}
	return err_set(EINVAL, "%s:%u: incorrect format of size \"%s\"", path,
		lineno, s);
}

/* Splits a line (comment already cut) into at most MAX_TOKENS tokens. */
static unsigned
tokenize(char *line, char *tok[MAX_TOKENS])
{
	unsigned n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, SEPARATORS, &save); t != NULL;
			t = strtok_r(NULL, SEPARATORS, &save)) {
		if (n == MAX_TOKENS)
			return MAX_TOKENS + 1;
		tok[n++] = t;
	}
	return n;
}

struct parse_state {
	const char *path;
	unsigned lineno;
	struct poolset *set;
	unsigned nreplicas;
	unsigned replica_parts;	/* parts of the replica being read */
	bool replica_remote;	/* it is remote: it has no part lines */
	bool nohdrs;
};

static int
parse_option(struct parse_state *ps, char **tok, unsigned ntok)
{
	if (ntok < 2)
		return err_set(EINVAL, "%s:%u: OPTION without a name", ps->path,
			ps->lineno);
	for (unsigned i = 1; i < ntok; i++) {
		if (strcmp(tok[i], "SINGLEHDR") == 0)
			ps->set->singlehdr = true;
		else if (strcmp(tok[i], "NOHDRS") == 0)
			ps->nohdrs = true;
		else
			return err_set(EINVAL, "%s:%u: unknown option \"%s\"",
				ps->path, ps->lineno, tok[i]);
	}
	return 0;
}

static int
end_replica(struct parse_state *ps)
{
	if (!ps->replica_remote && ps->replica_parts == 0)
		return err_set(EINVAL, "%s:%u: replica %u has no parts",
			ps->path, ps->lineno, ps->nreplicas - 1);
	return 0;
}

/* "REPLICA" starts a local replica, "REPLICA host descriptor" a remote one. */
static int
parse_replica(struct parse_state *ps, unsigned ntok)
{
	if (ntok != 1 && ntok != 3)
		return err_set(EINVAL, "%s:%u: invalid REPLICA line", ps->path,
			ps->lineno);
	if (end_replica(ps) != 0)
		return -1;
	ps->nreplicas++;
	ps->replica_parts = 0;
	ps->replica_remote = ntok == 3;
	return 0;
}

static int
parse_part(struct parse_state *ps, char **tok, unsigned ntok)
{
	const char *path = ps->path;
	if (ntok != 2)
		return err_set(EINVAL, "%s:%u: invalid token found in the line",
			path, ps->lineno);
	if (ps->replica_remote)
		return err_set(EINVAL, "%s:%u: a remote replica has no parts",
			path, ps->lineno);
	if (strcmp(tok[0], "AUTO") == 0)
		return err_set(EINVAL,
			"%s:%u: AUTO size needs a device DAX part, which this library does not support",
			path, ps->lineno);
	size_t size = 0;
	if (parse_size(tok[0], path, ps->lineno, &size) != 0)
		return -1;
	if (tok[1][0] != '/')
		return err_set(EINVAL,
			"%s:%u: incorrect path \"%s\" (must be an absolute one)",
			path, ps->lineno, tok[1]);

	ps->replica_parts++;
	if (ps->nreplicas > 1)
		return 0;	/* refused as a whole at the end */
	size_t len = strlen(tok[1]) + 1;
	char *copy = blk_malloc(len);
	if (copy == NULL)
		return -1;
	memcpy(copy, tok[1], len);
	struct poolset_part *part = &ps->set->parts[ps->set->nparts++];
	part->path = copy;
	part->size = size;
	return 0;
}

static int
parse_line(struct parse_state *ps, char *line)
{
	char *hash = strchr(line, '#');
	if (hash != NULL)
		*hash = '\0';
	char *tok[MAX_TOKENS];
	unsigned ntok = tokenize(line, tok);
	if (ntok == 0)
		return 0;
	if (ntok > MAX_TOKENS)
		return err_set(EINVAL, "%s:%u: invalid token found in the line",
			ps->path, ps->lineno);
	if (strcmp(tok[0], "OPTION") == 0)
		return parse_option(ps, tok, ntok);
	if (strcmp(tok[0], "REPLICA") == 0)
		return parse_replica(ps, ntok);
	return parse_part(ps, tok, ntok);
}

/* Checks the whole set once every line was accepted. */
static int
parse_finish(struct parse_state *ps)
{
	if (end_replica(ps) != 0)
		return -1;
	if (ps->set->nparts == 0)
		return err_set(EINVAL, "%s: no pool set parts", ps->path);
	if (ps->nohdrs)
		return err_set(EINVAL,
			"%s: the NOHDRS pool set option is not supported for local pool sets",
			ps->path);
	if (ps->nreplicas > 1)
		return err_set(EOPNOTSUPP, "%s: replication not supported",
			ps->path);
	return 0;
}

/* Counts lines: an upper bound for the number of parts. */
static unsigned
count_lines(const char *text)
{
	unsigned n = 1;
	for (const char *p = text; *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

int
poolset_parse(int fd, const char *path, struct poolset **setp)
{
	char *text = read_text(fd, path);
	if (text == NULL)
		return -1;
	struct parse_state ps = {
		.path = path,
		.nreplicas = 1,
	};
	ps.set = blk_zalloc(sizeof(*ps.set) +
		count_lines(text) * sizeof(ps.set->parts[0]));
	int ret = ps.set != NULL ? 0 : -1;

	char *line = text;
	while (ret == 0 && line != NULL) {
		char *next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		ps.lineno++;
		if (ps.lineno == 1) {
			size_t len = strlen(line);
			if (len > 0 && line[len - 1] == '\r')
				line[len - 1] = '\0';	/* CRLF files work */
			if (strcmp(line, POOLSET_SIG) != 0)
				ret = err_set(EINVAL,
					"%s:1: the first line must be exactly '%s'",
					path, POOLSET_SIG);
		} else {
			ret = parse_line(&ps, line);
		}
		line = next;
	}
	if (ret == 0)
		ret = parse_finish(&ps);
	blk_free(text);
	if (ret != 0) {
		int saved = errno;
		poolset_free(ps.set);
		errno = saved;
		return -1;
	}
	*setp = ps.set;
	return 0;
}

void
poolset_free(struct poolset *set)
{
	if (set == NULL)
		return;
	for (unsigned i = 0; i < set->nparts; i++)
		blk_free(set->parts[i].path);
	blk_free(set);
}
