/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_info.c -- `pmemblk info`: what a pool file holds, read without
 * opening it through the library (so it works on pools in use, on PMDK's
 * pools and on damaged ones).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "persist_mode.h"
#include "poolinfo.h"
#include "report.h"
#include "strategies.h"
#include "tool.h"

static const char help[] =
"Usage: pmemblk info [--json] [--blocks] POOL\n"
"\n"
"Shows what the pool file POOL holds: pool header fields (uuids, feature\n"
"flags, architecture, checksums, shutdown state), the block size, the\n"
"number of blocks and the BTT arenas with their offsets. The file is only\n"
"read; it may be a pool made by PMDK, a pool in use, or a pool whose BTT\n"
"layout has not been written yet. POOL may be a pool set file: then its\n"
"parts are listed too. Given one part file of a set, info shows that\n"
"part's header and says it is a part (the BTT needs the whole set).\n"
"\n"
"Options:\n"
"  -j, --json     print one JSON object instead of text\n"
"  -b, --blocks   also scan the map and count written, zeroed, error and\n"
"                 never-written blocks (progress shown on a terminal)\n"
"  -h, --help     show this help\n"
"\n"
"Exit status: 0 success, 1 the pool is shown but damaged: the library\n"
"would refuse to open it (the verdict says why), 2 usage error, 3 the file\n"
"cannot be read or is not a pmemblk pool.\n";

static const struct flag_name compat_names[] = {
	{ POOL_FEAT_CHECK_BAD_BLOCKS, "CHECK_BAD_BLOCKS" },
	{ 0, NULL },
};

static const struct flag_name incompat_names[] = {
	{ POOL_FEAT_SINGLEHDR, "SINGLEHDR" },
	{ POOL_FEAT_CKSUM_2K, "CKSUM_2K" },
	{ POOL_FEAT_SDS, "SDS" },
	{ 0, NULL },
};

static const struct flag_name no_names[] = {
	{ 0, NULL },
};

static const struct flag_name arena_flag_names[] = {
	{ BTT_INFO_FLAG_ERROR, "ERROR" },
	{ 0, NULL },
};

static const char *
machine_name(uint16_t machine)
{
	switch (machine) {
	case 62: return "x86-64";
	case 183: return "aarch64";
	case 243: return "riscv";
	case 21: return "ppc64";
	default: return "unknown";
	}
}

static void
emit_uuid(struct emit *e, const char *key, const char *label,
	const uint8_t uuid[16])
{
	char buf[FMT_BUF];
	emit_str(e, key, label, fmt_uuid(buf, uuid));
}

static void
emit_time(struct emit *e, const char *key, const char *label, uint64_t secs)
{
	char buf[64] = "invalid";
	struct tm tm;
	time_t t = (time_t)secs;
	if (secs <= (uint64_t)1 << 40 && gmtime_r(&t, &tm) != NULL)
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	emit_str(e, key, label, buf);
}

static void
emit_arch(struct emit *e, const struct arch_flags *a)
{
	emit_section(e, "arch", "architecture");
	emit_hex(e, "alignment_desc", "alignment desc", a->alignment_desc, 16);
	emit_u64(e, "machine_class", "machine class", a->machine_class);
	emit_u64(e, "data", "data encoding", a->data);
	emit_u64(e, "machine", "machine", a->machine);
	emit_str(e, "machine_name", "machine name", machine_name(a->machine));
	emit_end(e);
}

static void
emit_sds(struct emit *e, const struct pool_info *pi)
{
	const struct shutdown_state *sds = &pi->hdr.sds;
	emit_section(e, "shutdown_state", "shutdown state");
	emit_bool(e, "all_zero", "all zero", pi->sds_zero);
	emit_u64(e, "usc", "usc", sds->usc);
	emit_hex(e, "device_id_sum", "device id sum", sds->uuid, 16);
	emit_u64(e, "dirty", "dirty", sds->dirty);
	emit_hex(e, "checksum", "checksum", sds->checksum, 16);
	emit_bool(e, "checksum_valid", "checksum valid",
		pi->sds_zero || pi->sds_csum_ok);
	emit_end(e);
}

static void
emit_header(struct emit *e, const struct pool_info *pi)
{
	const struct pool_hdr *h = &pi->hdr;
	emit_section(e, "header", "pool header");
	emit_str(e, "signature", "signature", "PMEMBLK");
	emit_u64(e, "major", "major", h->major);
	emit_flags(e, "compat", "compat features", h->compat, compat_names);
	emit_flags(e, "incompat", "incompat features", h->incompat,
		incompat_names);
	emit_flags(e, "ro_compat", "ro_compat features", h->ro_compat,
		no_names);
	emit_uuid(e, "poolset_uuid", "poolset uuid", h->poolset_uuid);
	emit_uuid(e, "uuid", "uuid", h->uuid);
	emit_uuid(e, "prev_part_uuid", "prev part uuid", h->prev_part_uuid);
	emit_uuid(e, "next_part_uuid", "next part uuid", h->next_part_uuid);
	emit_uuid(e, "prev_repl_uuid", "prev replica uuid", h->prev_repl_uuid);
	emit_uuid(e, "next_repl_uuid", "next replica uuid", h->next_repl_uuid);
	emit_u64(e, "crtime", "crtime", h->crtime);
	emit_time(e, "created", "created", h->crtime);
	emit_arch(e, &h->arch);
	emit_hex(e, "checksum", "checksum", h->checksum, 16);
	emit_bool(e, "checksum_valid", "checksum valid", pi->hdr_csum_ok);
	emit_sds(e, pi);
	emit_end(e);
}

/* The fields of a valid info block (arena offsets). */
static void
emit_info_block(struct emit *e, const struct btt_info *in)
{
	char buf[FMT_BUF];
	emit_uuid(e, "uuid", "btt uuid", in->uuid);
	emit_uuid(e, "parent_uuid", "parent uuid", in->parent_uuid);
	emit_flags(e, "flags", "flags", in->flags, arena_flag_names);
	snprintf(buf, sizeof(buf), "%u.%u", in->major, in->minor);
	emit_str(e, "version", "version", buf);
	emit_u64(e, "external_lbasize", "external lbasize",
		in->external_lbasize);
	emit_u64(e, "external_nlba", "external nlba", in->external_nlba);
	emit_u64(e, "internal_lbasize", "internal lbasize",
		in->internal_lbasize);
	emit_u64(e, "internal_nlba", "internal nlba", in->internal_nlba);
	emit_u64(e, "nfree", "nfree", in->nfree);
	emit_u64(e, "infosize", "infosize", in->infosize);
	emit_offset(e, "nextoff", "nextoff", in->nextoff);
	emit_offset(e, "dataoff", "dataoff", in->dataoff);
	emit_offset(e, "mapoff", "mapoff", in->mapoff);
	emit_offset(e, "flogoff", "flogoff", in->flogoff);
	emit_offset(e, "infooff", "infooff", in->infooff);
	emit_hex(e, "checksum", "checksum", in->checksum, 16);
}

/* What the first write will lay out (no info block yet). */
static void
emit_geometry(struct emit *e, const struct arena_desc *a)
{
	if (!a->geo_ok) {
		emit_str(e, "geometry", "geometry", "block size does not fit");
		return;
	}
	const struct btt_geometry *g = &a->geo;
	emit_u64(e, "external_nlba", "external nlba", g->external_nlba);
	emit_u64(e, "internal_lbasize", "internal lbasize",
		g->internal_lbasize);
	emit_u64(e, "internal_nlba", "internal nlba", g->internal_nlba);
	emit_u64(e, "nfree", "nfree", g->nfree);
	emit_offset(e, "dataoff", "dataoff", g->dataoff);
	emit_offset(e, "mapoff", "mapoff", g->mapoff);
	emit_offset(e, "flogoff", "flogoff", g->flogoff);
	emit_offset(e, "infooff", "infooff", g->infooff);
}

static void
emit_counts(struct emit *e, const struct block_counts *c)
{
	emit_u64(e, "written", "written", c->written);
	emit_u64(e, "zeroed", "zeroed", c->zeroed);
	emit_u64(e, "error", "error", c->error);
	emit_u64(e, "never_written", "never written", c->never_written);
	emit_u64(e, "out_of_range", "out of range", c->out_of_range);
}

static void
emit_arena(struct emit *e, const struct pool_info *pi, uint32_t i)
{
	const struct arena_desc *a = &pi->arenas[i];
	char title[32];
	snprintf(title, sizeof(title), "arena %u", i);
	emit_item(e, title);
	emit_u64(e, "index", "index", i);
	emit_offset(e, "file_offset", "file offset", a->offset);
	emit_size(e, "size", "size", a->size);
	emit_str(e, "state", "state", arena_state_name(a->state));
	if (a->state != ARENA_OK && a->problem != NULL &&
			a->state != ARENA_UNWRITTEN)
		emit_str(e, "primary_problem", "primary info block",
			a->problem);
	if (a->fields_problem != NULL)
		emit_str(e, "fields_problem", "info block fields",
			a->fields_problem);
	if (a->flog_problem[0] != '\0')
		emit_str(e, "flog_problem", "flog", a->flog_problem);
	if (a->state == ARENA_OK || a->state == ARENA_BACKUP ||
			a->state == ARENA_BAD_FIELDS)
		emit_info_block(e, &a->info);
	else if (a->state == ARENA_UNWRITTEN)
		emit_geometry(e, a);
	if (pi->counted && pi->layout == LAYOUT_WRITTEN) {
		emit_section(e, "blocks", "blocks");
		emit_counts(e, &a->counts);
		emit_end(e);
	}
	emit_end(e);
}

static void
emit_btt(struct emit *e, const struct pool_info *pi)
{
	emit_section(e, "btt", "btt");
	emit_str(e, "layout", "layout", layout_state_name(pi->layout));
	emit_bool(e, "layout_written", "layout written",
		pi->layout == LAYOUT_WRITTEN);
	if (pi->layout == LAYOUT_PART_OF_SET) {
		emit_end(e);
		return;
	}
	emit_u64(e, "nblock", "blocks (nblock)", pi->nblock);
	emit_u64(e, "narenas", "arenas", pi->narenas);
	emit_list(e, "arenas", NULL);
	for (uint32_t i = 0; i < pi->narenas; i++)
		emit_arena(e, pi, i);
	emit_end(e);
	emit_end(e);
}

/* How the library will make writes durable, and why. */
static void
emit_persistence(struct emit *e, const struct pool_info *pi)
{
	bool dax = pi->is_set ? pi->nparts > 0 : persist_mode_is_dax(pi->fd);
	for (unsigned i = 0; pi->is_set && i < pi->nparts; i++)
		dax = dax && persist_mode_is_dax(pi->parts[i].fd);
	struct persist_mode pm;
	persist_mode_explain(dax, &pm);
	emit_section(e, "persistence", "persistence");
	emit_str(e, "mode", "mode", pm.pmem ? "pmem" : "msync");
	emit_bool(e, "cache_flushes", "cache flushes", pm.pmem);
	emit_str(e, "reason", "why", pm.why);
	emit_end(e);
}

/* The parts of a pool set, in pool order. */
static void
emit_parts(struct emit *e, const struct pool_info *pi)
{
	emit_list(e, "parts", "parts");
	for (unsigned i = 0; i < pi->nparts; i++) {
		const struct part_desc *pd = &pi->parts[i];
		char title[32];
		snprintf(title, sizeof(title), "part %u", i);
		emit_item(e, title);
		emit_u64(e, "index", "index", i);
		emit_str(e, "path", "path", pd->path);
		emit_size(e, "file_size", "file size", pd->file_size);
		emit_size(e, "set_size", "size in the set file", pd->set_size);
		emit_offset(e, "pool_offset", "pool offset", pd->pool_offset);
		emit_size(e, "pool_bytes", "pool bytes", pd->length);
		emit_bool(e, "has_header", "own header", pd->has_hdr);
		if (pd->has_hdr) {
			char buf[FMT_BUF];
			emit_bool(e, "header_readable", "header readable",
				pd->hdr_read);
			emit_str(e, "uuid", "uuid", fmt_uuid(buf, pd->hdr.uuid));
			emit_bool(e, "checksum_valid", "checksum valid",
				pd->hdr_csum_ok);
			emit_bool(e, "same_poolset_uuid", "same poolset uuid",
				pd->same_set);
			emit_bool(e, "part_links_ok", "part links ok",
				pd->links_ok);
		}
		emit_end(e);
	}
	emit_end(e);
}

static void
emit_pool(struct emit *e, const struct pool_info *pi)
{
	emit_section(e, "pool", "pool");
	emit_str(e, "path", "path", pi->path);
	emit_str(e, "type", "type", "pmemblk");
	emit_bool(e, "pool_set", "pool set file", pi->is_set);
	emit_bool(e, "part_of_set", "one part of a pool set", pi->part_of_set);
	if (pi->is_set)
		emit_u64(e, "nparts", "parts", pi->nparts);
	else
		emit_size(e, "file_size", "file size", pi->file_size);
	if (!pi->part_of_set) {
		emit_size(e, "pool_size", "pool size", pi->pool_size);
		emit_u64(e, "bsize", "block size (bsize)", pi->desc.bsize);
		emit_u64(e, "nblock", "blocks (nblock)", pi->nblock);
	}
	emit_end(e);

	if (pi->is_set)
		emit_parts(e, pi);
	emit_persistence(e, pi);
	emit_header(e, pi);

	if (!pi->part_of_set) {
		emit_section(e, "descriptor", "descriptor");
		emit_u64(e, "bsize", "bsize", pi->desc.bsize);
		emit_bool(e, "is_zeroed", "is_zeroed", pi->desc.is_zeroed != 0);
		emit_end(e);
	}

	emit_btt(e, pi);

	emit_section(e, "verdict", "verdict");
	emit_bool(e, "opens", "the library opens it", pi->verdict[0] == '\0');
	if (pi->verdict[0] != '\0')
		emit_str(e, "reason", "reason", pi->verdict);
	emit_end(e);

	if (pi->counted) {
		emit_section(e, "blocks", "blocks");
		emit_u64(e, "total", "total", pi->nblock);
		emit_counts(e, &pi->total);
		emit_end(e);
	}
	emit_strategies(e);	/* what this library would use on this CPU */
}

int
cmd_info(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "blocks", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, blocks = false;
	struct opts o;
	opts_init(&o, argc, argv, "jb", longopts, help);
	for (int c; (c = opts_next(&o)) != OPTS_END; ) {
		switch (c) {
		case 'j': json = true; break;
		case 'b': blocks = true; break;
		default: return o.exit;
		}
	}
	char **pos = opts_positional(&o, 1, 1, "POOL");
	if (pos == NULL)
		return o.exit;

	struct pool_info pi;
	char err[512];
	int ret = EXIT_OK;
	if (poolinfo_load(&pi, pos[0], err, sizeof(err)) != 0) {
		poolinfo_free(&pi);
		return fail(EXIT_FAIL, "%s", err);
	}
	if (blocks) {
		struct progress progress;
		progress_init(&progress, true);
		if (poolinfo_count_blocks(&pi, &progress, err, sizeof(err)) != 0)
			ret = EXIT_FAIL;
	}

	struct emit e;
	emit_begin(&e, stdout, json);
	emit_pool(&e, &pi);
	emit_finish(&e);
	bool damaged = pi.verdict[0] != '\0';
	poolinfo_free(&pi);
	if (ret != EXIT_OK)
		return fail(ret, "%s", err);
	/* everything was shown; the status says the pool will not open */
	return damaged ? EXIT_INCONSISTENT : EXIT_OK;
}
