/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolinfo.c -- read-only parsing of a pool file (see poolinfo.h).
 *
 * Everything is read with pread() into local copies and every offset is
 * checked against the file size before use, so a truncated or corrupted
 * file gives a message, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btt_info.h"
#include "checksum.h"
#include "out.h"
#include "poolinfo.h"
#include "poolset.h"
#include "mem.h"

#define MAP_CHUNK_ENTRIES (64u * 1024)

static int
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Reads exactly len bytes at off; a short file counts as an error. */
static int
read_file_at(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * Reads len bytes at offset off of the pool: of the file, or of the
 * pool set's parts joined as the library maps them (doc/format.md §12.2).
 */
static int
read_at(const struct pool_info *pi, void *buf, size_t len, uint64_t off)
{
	if (!pi->is_set)
		return read_file_at(pi->fd, buf, len, off);
	char *p = buf;
	for (unsigned i = 0; i < pi->nparts && len > 0; i++) {
		const struct part_desc *pd = &pi->parts[i];
		if (off >= pd->pool_offset + pd->length)
			continue;
		uint64_t in = off - pd->pool_offset;
		size_t n = len < pd->length - in ? len : (size_t)(pd->length - in);
		if (read_file_at(pd->fd, p, n, pd->file_offset + in) != 0)
			return -1;
		p += n;
		len -= n;
		off += n;
	}
	if (len > 0) {
		errno = EIO;	/* past the last part */
		return -1;
	}
	return 0;
}

const char *
arena_state_name(enum arena_state s)
{
	switch (s) {
	case ARENA_OK: return "ok";
	case ARENA_BACKUP: return "primary info block invalid, backup valid";
	case ARENA_UNWRITTEN: return "layout not written";
	case ARENA_DAMAGED: return "damaged: no valid info block";
	case ARENA_BAD_FIELDS: return "damaged: info block fields invalid";
	}
	return "?";
}

const char *
layout_state_name(enum layout_state s)
{
	switch (s) {
	case LAYOUT_NOT_WRITTEN: return "not written yet (the first write lays it out)";
	case LAYOUT_WRITTEN: return "written";
	case LAYOUT_DAMAGED: return "damaged";
	case LAYOUT_NO_ROOM: return "none: pool too small for a BTT";
	case LAYOUT_PART_OF_SET: return "not shown: this file is one part of "
		"a pool set; give the pool set file";
	}
	return "?";
}

/*
 * A pool set file: parses it with the library's parser, opens every part
 * read-only and places it in the pool space. Part sizes are the files'
 * own (rounded down to 4 KiB), as the library uses them.
 */
static int
open_set(struct pool_info *pi, char *err, size_t errlen)
{
	struct poolset *set;
	if (poolset_parse(pi->fd, pi->path, &set) != 0)
		return errf(err, errlen, "%s: not a valid pool set file: %s",
			pi->path, strerror(errno));
	close(pi->fd);
	pi->fd = -1;
	pi->is_set = true;
	pi->parts = calloc(set->nparts, sizeof(*pi->parts));
	if (pi->parts == NULL) {
		poolset_free(set);
		return errf(err, errlen, "out of memory");
	}
	int ret = 0;
	uint64_t pool_off = 0;
	for (unsigned i = 0; i < set->nparts && ret == 0; i++) {
		struct part_desc *pd = &pi->parts[i];
		pd->fd = -1;
		pi->nparts = i + 1;
		pd->path = strdup(set->parts[i].path);
		pd->set_size = set->parts[i].size;
		if (pd->path == NULL) {
			ret = errf(err, errlen, "out of memory");
			break;
		}
		struct stat st;
		pd->fd = open(pd->path, O_RDONLY | O_CLOEXEC);
		if (pd->fd < 0 || fstat(pd->fd, &st) != 0) {
			ret = errf(err, errlen, "%s: part %u, %s: %s", pi->path,
				i, pd->path, strerror(errno));
			break;
		}
		pd->file_size = (uint64_t)st.st_size;
		uint64_t usable = pd->file_size / POOL_HDR_SIZE * POOL_HDR_SIZE;
		pd->has_hdr = i == 0 || !set->singlehdr;
		pd->file_offset = i == 0 || !pd->has_hdr ? 0 : POOL_HDR_SIZE;
		if (usable <= pd->file_offset) {
			ret = errf(err, errlen, "%s: part %u, %s: %llu bytes is "
				"too small for a part", pi->path, i, pd->path,
				(unsigned long long)pd->file_size);
			break;
		}
		pd->length = usable - pd->file_offset;
		pd->pool_offset = pool_off;
		pool_off += pd->length;
		if (pd->has_hdr) {
			pd->hdr_read = read_file_at(pd->fd, &pd->hdr,
				sizeof(pd->hdr), 0) == 0;
			size_t end = (pd->hdr.incompat & POOL_FEAT_CKSUM_2K) ?
				POOL_HDR_CSUM_2K_END : POOL_HDR_CSUM_OFF;
			pd->hdr_csum_ok = pd->hdr_read && checksum_valid(&pd->hdr,
				POOL_HDR_SIZE, POOL_HDR_CSUM_OFF, end);
		}
	}
	poolset_free(set);
	if (ret != 0)
		return ret;

	/* each header's part links name its neighbours (circularly) */
	const struct part_desc *p0 = &pi->parts[0];
	for (unsigned i = 0; i < pi->nparts; i++) {
		struct part_desc *pd = &pi->parts[i];
		if (!pd->has_hdr || !pd->hdr_read)
			continue;
		const struct part_desc *prev =
			&pi->parts[(i + pi->nparts - 1) % pi->nparts];
		const struct part_desc *next = &pi->parts[(i + 1) % pi->nparts];
		pd->same_set = memcmp(pd->hdr.poolset_uuid,
			p0->hdr.poolset_uuid, POOL_UUID_LEN) == 0;
		pd->links_ok = !prev->has_hdr ? true :
			memcmp(pd->hdr.prev_part_uuid, prev->hdr.uuid,
				POOL_UUID_LEN) == 0 &&
			memcmp(pd->hdr.next_part_uuid, next->hdr.uuid,
				POOL_UUID_LEN) == 0;
	}
	pi->file_size = pool_off;
	pi->pool_size = pool_off;
	if (pi->pool_size < POOL_HDR_SIZE)
		return errf(err, errlen, "%s: not a pool: the set holds %llu "
			"bytes", pi->path, (unsigned long long)pi->pool_size);
	return 0;
}

static int
open_file(struct pool_info *pi, const char *path, char *err, size_t errlen)
{
	pi->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pi->fd < 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(pi->fd, &st) != 0)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return errf(err, errlen, "%s: is a directory, not a pool", path);
	if (!S_ISREG(st.st_mode))
		return errf(err, errlen, "%s: not a regular file (only pool "
			"files are supported)", path);
	pi->file_size = (uint64_t)st.st_size;
	pi->pool_size = pi->file_size / POOL_HDR_SIZE * POOL_HDR_SIZE;

	if (poolset_is_set_file(pi->fd))
		return open_set(pi, err, errlen);
	if (pi->file_size < POOL_HDR_SIZE)
		return errf(err, errlen, "%s: not a pool: %llu bytes is smaller "
			"than a pool header", path,
			(unsigned long long)pi->file_size);
	return 0;
}

static int
load_header(struct pool_info *pi, char *err, size_t errlen)
{
	const char *path = pi->path;
	if (read_at(pi, &pi->hdr, sizeof(pi->hdr), 0) != 0)
		return errf(err, errlen, "%s: cannot read the pool header: %s",
			path, strerror(errno));
	if (mem_is_zero(&pi->hdr, sizeof(pi->hdr)))
		return errf(err, errlen, "%s: not a pool: the header is all "
			"zero", path);
	if (memcmp(pi->hdr.signature, BLK_SIGNATURE, POOL_HDR_SIG_LEN) != 0) {
		char sig[POOL_HDR_SIG_LEN + 1];
		pool_hdr_signature_str(&pi->hdr, sig);
		return errf(err, errlen, "%s: not a pmemblk pool: wrong pool "
			"type: \"%s\"", path, sig);
	}

	pi->hdr_csum_ok = checksum_valid(&pi->hdr, POOL_HDR_SIZE,
		POOL_HDR_CSUM_OFF, pool_hdr_csum_end(pi->hdr.incompat));
	pi->sds_zero = mem_is_zero(&pi->hdr.sds, sizeof(pi->hdr.sds));
	pi->sds_csum_ok = checksum_valid(&pi->hdr.sds, sizeof(pi->hdr.sds),
		offsetof(struct shutdown_state, checksum), sizeof(pi->hdr.sds));

	/*
	 * One part of a multi-part set: its header links to other parts (or,
	 * with SINGLEHDR, carries that flag). Its BTT spans the other parts.
	 */
	pi->part_of_set = !pi->is_set &&
		(memcmp(pi->hdr.next_part_uuid, pi->hdr.uuid,
			POOL_UUID_LEN) != 0 ||
		(pi->hdr.incompat & POOL_FEAT_SINGLEHDR) != 0);

	if (pi->pool_size >= BLK_NS_OFF &&
			read_at(pi, &pi->desc, sizeof(pi->desc),
				BLK_DESC_OFF) != 0)
		return errf(err, errlen, "%s: cannot read the descriptor: %s",
			path, strerror(errno));
	return 0;
}

/*
 * Whether an arena without a usable info block received no write: its flog
 * and map where the layout puts them (the library's rule, btt_info.h).
 * -1 on a read error.
 */
static int
arena_never_written(const struct pool_info *pi, const struct arena_desc *a)
{
	const struct btt_geometry *g = &a->geo;
	if (!a->geo_ok)
		return 0;
	uint8_t *flog = malloc(g->flog_size);
	if (flog == NULL)
		return -1;
	int ret = -1;
	if (read_at(pi, flog, g->flog_size, a->offset + g->flogoff) != 0)
		goto out;
	switch (btt_flog_history(flog, g)) {
	case BTT_FLOG_NEVER_WRITTEN:
		ret = 1;
		break;
	case BTT_FLOG_WRITTEN:
		ret = 0;
		break;
	case BTT_FLOG_INITIAL: {
		uint32_t chunk[4096];
		uint64_t left = (uint64_t)g->external_nlba * BTT_MAP_ENTRY_SIZE;
		uint64_t off = a->offset + g->mapoff;
		ret = 1;
		while (left > 0 && ret == 1) {
			size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
			if (read_at(pi, chunk, n, off) != 0)
				ret = -1;
			else if (!mem_is_zero(chunk, n))
				ret = 0;
			left -= n;
			off += n;
		}
		break;
	}
	}
out:
	free(flog);
	return ret;
}

/* Whether the map described by the info block lies inside the arena. */
static bool
map_in_bounds(const struct pool_info *pi, const struct arena_desc *a)
{
	const struct btt_info *in = &a->info;
	uint64_t map_bytes = (uint64_t)in->external_nlba * BTT_MAP_ENTRY_SIZE;
	return in->mapoff < a->size && map_bytes <= a->size - in->mapoff &&
		a->offset + in->mapoff + map_bytes <= pi->file_size;
}

/* Reads arena `a` at a->offset of size a->size and classifies it. */
static int
load_arena(struct pool_info *pi, struct arena_desc *a, char *err,
	size_t errlen)
{
	struct btt_info *backup = malloc(sizeof(*backup));
	if (backup == NULL)
		return errf(err, errlen, "out of memory");
	int ret = -1;
	if (read_at(pi, &a->info, sizeof(a->info), a->offset) != 0 ||
			read_at(pi, backup, sizeof(*backup),
				a->offset + a->size - BTT_INFO_SIZE) != 0) {
		errf(err, errlen, "%s: cannot read the BTT info block at "
			"offset %llu: %s", pi->path,
			(unsigned long long)a->offset, strerror(errno));
		goto out;
	}
	const uint8_t *uuid = pi->hdr.poolset_uuid;
	a->geo_ok = pi->desc.bsize != 0 && btt_geometry(a->size,
		pi->desc.bsize, BTT_DEFAULT_NFREE, &a->geo);
	a->problem = btt_info_problem(&a->info, uuid);
	a->backup_problem = btt_info_problem(backup, uuid);
	if (a->problem == NULL) {
		a->state = ARENA_OK;
	} else if (btt_info_problem(backup, uuid) == NULL) {
		a->state = ARENA_BACKUP;
		a->info = *backup;
	} else {
		int never = arena_never_written(pi, a);
		if (never < 0) {
			errf(err, errlen, "%s: cannot read the BTT flog or map "
				"of the arena at offset %llu: %s", pi->path,
				(unsigned long long)a->offset, strerror(errno));
			goto out;
		}
		a->state = never ? ARENA_UNWRITTEN : ARENA_DAMAGED;
	}
	if (a->state == ARENA_OK || a->state == ARENA_BACKUP) {
		const char *why = btt_info_fields_problem(&a->info,
			pi->desc.bsize, pi->pool_size - a->offset);
		if (why != NULL) {
			a->state = ARENA_BAD_FIELDS;
			a->fields_problem = why;
		}
	}
	a->map_readable = (a->state == ARENA_OK || a->state == ARENA_BACKUP) &&
		map_in_bounds(pi, a);
	ret = 0;
out:
	free(backup);
	return ret;
}

/* Arena i of the namespace, as the geometry places it. */
static void
place_arena(struct arena_desc *a, uint64_t ns_size, uint32_t i)
{
	memset(a, 0, sizeof(*a));
	a->offset = BLK_NS_OFF + (uint64_t)i * BTT_MAX_ARENA;
	a->size = btt_arena_size(ns_size, i);
}

/* No layout yet: every arena the geometry places, for display. */
static int
load_unwritten(struct pool_info *pi, uint64_t ns_size, uint32_t max,
	char *err, size_t errlen)
{
	pi->layout = LAYOUT_NOT_WRITTEN;
	for (uint32_t i = 1; i < max; i++) {
		place_arena(&pi->arenas[i], ns_size, i);
		if (load_arena(pi, &pi->arenas[i], err, errlen) != 0)
			return -1;
		pi->narenas = i + 1;
		if (pi->arenas[i].state != ARENA_UNWRITTEN)
			pi->layout = LAYOUT_DAMAGED;
	}
	return 0;
}

/*
 * A written layout is followed through nextoff: a file grown after the
 * layout was written keeps its old arenas. Every arena on the chain must
 * have a valid info block.
 */
static int
load_written(struct pool_info *pi, uint64_t ns_size, uint32_t max,
	char *err, size_t errlen)
{
	pi->layout = LAYOUT_WRITTEN;
	for (uint32_t i = 0; pi->arenas[i].info.nextoff != 0; i++) {
		if (pi->arenas[i].info.nextoff != BTT_MAX_ARENA || i + 1 >= max) {
			pi->layout = LAYOUT_DAMAGED;
			return 0;
		}
		struct arena_desc *next = &pi->arenas[i + 1];
		place_arena(next, ns_size, i + 1);
		if (load_arena(pi, next, err, errlen) != 0)
			return -1;
		pi->narenas = i + 2;
		if (next->state != ARENA_OK && next->state != ARENA_BACKUP) {
			pi->layout = LAYOUT_DAMAGED;
			return 0;
		}
	}
	return 0;
}

static int
load_arenas(struct pool_info *pi, char *err, size_t errlen)
{
	if (pi->pool_size < BLK_NS_OFF + BTT_MIN_SIZE) {
		pi->layout = LAYOUT_NO_ROOM;
		return 0;
	}
	uint64_t ns_size = pi->pool_size - BLK_NS_OFF;
	uint32_t max = btt_narenas(ns_size);
	pi->arenas = calloc(max, sizeof(*pi->arenas));
	if (pi->arenas == NULL)
		return errf(err, errlen, "out of memory");

	place_arena(&pi->arenas[0], ns_size, 0);
	if (load_arena(pi, &pi->arenas[0], err, errlen) != 0)
		return -1;
	pi->narenas = 1;
	switch (pi->arenas[0].state) {
	case ARENA_UNWRITTEN:
		return load_unwritten(pi, ns_size, max, err, errlen);
	case ARENA_DAMAGED:
	case ARENA_BAD_FIELDS:
		pi->layout = LAYOUT_DAMAGED;
		return 0;
	default:
		return load_written(pi, ns_size, max, err, errlen);
	}
}

static void
sum_nblock(struct pool_info *pi)
{
	pi->nblock = 0;
	for (uint32_t i = 0; i < pi->narenas; i++) {
		const struct arena_desc *a = &pi->arenas[i];
		if (pi->layout == LAYOUT_WRITTEN)
			pi->nblock += a->info.external_nlba;
		else if (a->geo_ok)
			pi->nblock += a->geo.external_nlba;
	}
}

/* Sets pi->verdict (unless already set) and returns -1. */
static int
refuse(struct pool_info *pi, const char *fmt, ...)
{
	if (pi->verdict[0] != '\0')
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pi->verdict, sizeof(pi->verdict), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The flog pairs of the lanes the library uses (the smallest nfree of the
 * arenas), judged by the library's rule.
 */
static int
check_flogs(struct pool_info *pi, char *err, size_t errlen)
{
	uint32_t nlane = BTT_DEFAULT_NFREE;
	for (uint32_t i = 0; i < pi->narenas; i++)
		if (pi->arenas[i].info.nfree < nlane)
			nlane = pi->arenas[i].info.nfree;
	struct btt_flog *pairs = malloc((size_t)nlane * BTT_FLOG_PAIR_SIZE);
	if (pairs == NULL)
		return errf(err, errlen, "out of memory");
	uint32_t owners[BTT_DEFAULT_NFREE];
	int ret = 0;
	for (uint32_t i = 0; i < pi->narenas && ret == 0; i++) {
		struct arena_desc *a = &pi->arenas[i];
		uint32_t nown = 0;
		if (read_at(pi, pairs, (size_t)nlane * BTT_FLOG_PAIR_SIZE,
				a->offset + a->info.flogoff) != 0) {
			ret = errf(err, errlen, "%s: arena %u: cannot read the "
				"flog: %s", pi->path, i, strerror(errno));
			break;
		}
		for (uint32_t l = 0; l < nlane; l++) {
			const struct btt_flog *p = (const void *)
				((uint8_t *)pairs + l * BTT_FLOG_PAIR_SIZE);
			int cur, slot;
			const char *why;
			enum btt_flog_verdict v = btt_flog_pair_check(p,
				a->info.external_nlba, a->info.internal_nlba,
				&cur, &slot, &why);
			if (v == BTT_FLOG_OK)
				owners[nown++] = p[cur].old_map &
					BTT_MAP_BLOCK_MASK;
			if (v != BTT_FLOG_BAD)
				continue;
			snprintf(a->flog_problem, sizeof(a->flog_problem),
				"flog pair %u, slot %d: %s", l, slot, why);
			break;
		}
		uint32_t shared;
		if (a->flog_problem[0] == '\0' &&
				btt_free_blocks_shared(owners, nown, &shared))
			snprintf(a->flog_problem, sizeof(a->flog_problem),
				"two flog pairs own free block %u", shared);
	}
	free(pairs);
	return ret;
}

/* The header part of judge(): false (and pi->verdict) if open refuses. */
static bool
judge_header(struct pool_info *pi)
{
	bool rdonly;
	if (pi->is_set) {
		/* the parts' headers, checked together as open checks them */
		unsigned n = 0;
		bool singlehdr = false;
		struct pool_hdr *hdrs = calloc(pi->nparts, sizeof(*hdrs));
		const char **paths = calloc(pi->nparts, sizeof(*paths));
		int ret = -1;
		if (hdrs != NULL && paths != NULL) {
			for (unsigned i = 0; i < pi->nparts; i++) {
				const struct part_desc *p = &pi->parts[i];
				if (!p->has_hdr) {
					singlehdr = true;
					continue;
				}
				if (!p->hdr_read)
					break;
				hdrs[n] = p->hdr;
				paths[n++] = p->path;
			}
			ret = n == 0 ? -1 : pool_hdr_check_set(hdrs, n,
				singlehdr, BLK_SIGNATURE, paths, &rdonly);
		}
		bool checked = n > 0;
		free(hdrs);
		free(paths);
		if (ret != 0) {
			refuse(pi, "%s", checked ? err_last() :
				"cannot read the parts' headers");
			return false;
		}
	} else {
		const char *paths[1] = {pi->path};
		if (pool_hdr_check_set(&pi->hdr, 1, false, BLK_SIGNATURE,
				paths, &rdonly) != 0) {
			refuse(pi, "%s", err_last());
			return false;
		}
	}
	return true;
}

/* What the library's open would say of this pool (pi->verdict). */
static void
judge(struct pool_info *pi)
{
	if (!judge_header(pi))
		return;
	if (pi->desc.bsize == 0) {
		refuse(pi, "%s: block size 0 in the pool descriptor", pi->path);
		return;
	}
	for (uint32_t i = 0; i < pi->narenas; i++) {
		const struct arena_desc *a = &pi->arenas[i];
		if (a->state == ARENA_DAMAGED)
			refuse(pi, "%s: BTT info blocks of arena %u are damaged",
				pi->path, i);
		else if (a->state == ARENA_BAD_FIELDS)
			refuse(pi, "%s: arena %u: BTT info block: %s",
				pi->path, i, a->fields_problem);
		else if (a->flog_problem[0] != '\0')
			refuse(pi, "%s: arena %u: %s", pi->path, i,
				a->flog_problem);
	}
}

int
poolinfo_load(struct pool_info *pi, const char *path, char *err,
	size_t errlen)
{
	memset(pi, 0, sizeof(*pi));
	pi->path = path;
	pi->fd = -1;
	if (open_file(pi, path, err, errlen) != 0 ||
			load_header(pi, err, errlen) != 0)
		return -1;
	if (pi->part_of_set) {
		pi->layout = LAYOUT_PART_OF_SET;
		/* open refuses a part on its own, by its header */
		if (judge_header(pi))
			refuse(pi, "%s: one part of a pool set: open the set file",
				path);
		return 0;
	}
	if (load_arenas(pi, err, errlen) != 0)
		return -1;
	if (pi->layout == LAYOUT_WRITTEN && check_flogs(pi, err, errlen) != 0)
		return -1;
	sum_nblock(pi);
	judge(pi);
	return 0;
}

static void
count_entry(struct block_counts *c, uint32_t entry, uint32_t internal_nlba)
{
	uint32_t flags = entry & BTT_MAP_FLAGS_MASK;
	if (flags == BTT_MAP_INITIAL) {
		c->never_written++;
		return;
	}
	if ((entry & BTT_MAP_BLOCK_MASK) >= internal_nlba)
		c->out_of_range++;
	if (flags == BTT_MAP_NORMAL)
		c->written++;
	else if (flags == BTT_MAP_ZERO)
		c->zeroed++;
	else
		c->error++;
}

static void
add_counts(struct block_counts *to, const struct block_counts *from)
{
	to->written += from->written;
	to->zeroed += from->zeroed;
	to->error += from->error;
	to->never_written += from->never_written;
	to->out_of_range += from->out_of_range;
}

static int
count_arena(struct pool_info *pi, struct arena_desc *a, uint32_t *chunk,
	struct progress *progress, uint64_t *done, char *err, size_t errlen)
{
	uint32_t n = a->info.external_nlba;
	uint64_t base = a->offset + a->info.mapoff;
	for (uint32_t i = 0; i < n; ) {
		uint32_t k = n - i < MAP_CHUNK_ENTRIES ? n - i : MAP_CHUNK_ENTRIES;
		if (read_at(pi, chunk, (size_t)k * BTT_MAP_ENTRY_SIZE,
				base + (uint64_t)i * BTT_MAP_ENTRY_SIZE) != 0)
			return errf(err, errlen, "%s: cannot read the map: %s",
				pi->path, strerror(errno));
		for (uint32_t j = 0; j < k; j++)
			count_entry(&a->counts, chunk[j], a->info.internal_nlba);
		i += k;
		*done += k;
		progress_count(progress, "counting blocks", *done, pi->nblock);
	}
	return 0;
}

int
poolinfo_count_blocks(struct pool_info *pi, struct progress *progress,
	char *err, size_t errlen)
{
	memset(&pi->total, 0, sizeof(pi->total));
	if (pi->layout == LAYOUT_NOT_WRITTEN) {
		/* no map yet: every block reads as zeros */
		pi->total.never_written = pi->nblock;
		pi->counted = true;
		return 0;
	}
	if (pi->layout != LAYOUT_WRITTEN)
		return errf(err, errlen, "%s: cannot count blocks: the BTT "
			"layout is %s", pi->path, layout_state_name(pi->layout));

	uint32_t *chunk = malloc(MAP_CHUNK_ENTRIES * BTT_MAP_ENTRY_SIZE);
	if (chunk == NULL)
		return errf(err, errlen, "out of memory");
	uint64_t done = 0;
	int ret = 0;
	for (uint32_t i = 0; i < pi->narenas && ret == 0; i++) {
		struct arena_desc *a = &pi->arenas[i];
		if (!a->map_readable) {
			ret = errf(err, errlen, "%s: arena %u: the map lies "
				"outside the arena or the file", pi->path, i);
			break;
		}
		ret = count_arena(pi, a, chunk, progress, &done, err, errlen);
		add_counts(&pi->total, &a->counts);
	}
	free(chunk);
	progress_clear(progress);
	pi->counted = ret == 0;
	return ret;
}

void
poolinfo_free(struct pool_info *pi)
{
	if (pi->fd >= 0)
		close(pi->fd);
	for (unsigned i = 0; i < pi->nparts; i++) {
		if (pi->parts[i].fd >= 0)
			close(pi->parts[i].fd);
		free(pi->parts[i].path);
	}
	free(pi->parts);
	pi->parts = NULL;
	pi->nparts = 0;
	free(pi->arenas);
	pi->arenas = NULL;
	pi->fd = -1;
}
