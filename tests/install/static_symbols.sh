#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# static_symbols.sh PMEMBLK_A MINIASYNC_A SRC_DIR -- the static libraries
# define as global symbols exactly the names their shared libraries export
# (the version scripts src/libpmemblk.map and src/libminiasync.map), so
# the internals (err_set, checksum_compute, persist_*, mpmc_queue_*, ...)
# cannot clash with a program's own names; then a program that defines
# some of those names itself links against both archives and runs.
set -uo pipefail
PMEMBLK_A=$1
MINIASYNC_A=$2
SRC=$3
T=$(mktemp -d "${TMPDIR:-/tmp}/pmemblk-static.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail=0

# names listed in a version script (the lines "name;" outside "local:")
map_names() {
	sed -n 's/^[[:space:]]*\([a-z_][a-z0-9_]*\);[[:space:]]*$/\1/p' "$1" | sort
}
# global symbols an archive defines
archive_globals() {
	nm -g --defined-only "$1" | awk 'NF == 3 { print $3 }' | sort
}

for pair in "$PMEMBLK_A:$SRC/src/libpmemblk.map" "$MINIASYNC_A:$SRC/src/libminiasync.map"; do
	a=${pair%%:*} map=${pair#*:}
	expected=$(map_names "$map")
	got=$(archive_globals "$a")
	echo "global symbols of $(basename "$a"):"
	sed 's/^/    /' <<<"$got"
	[ -n "$expected" ] || { echo "FAIL: no names in $map"; fail=1; continue; }
	if [ "$got" != "$expected" ]; then
		echo "FAIL: $(basename "$a") differs from $(basename "$map") (< map, > archive):"
		diff <(cat <<<"$expected") <(cat <<<"$got") | grep '^[<>]' | sed 's/^/    /'
		fail=1
	fi
done
[ $fail -eq 0 ] || exit 1

# A program with its own err_set, checksum_compute, persist_pmem and
# mpmc_queue_new: with internals global in the archives this would fail
# to link (multiple definition) or call the wrong function.
cat >"$T/clash.c" <<'PROG'
#define PMEMBLK_USE_MINIASYNC 1
#include <libpmemblk.h>
#include <libminiasync.h>
#include <stdio.h>
int err_set(int e) { return e + 1; }
int checksum_compute(int x) { return x * 2; }
int persist_pmem(void) { return 7; }
int mpmc_queue_new(void) { return 9; }
int main(int argc, char *argv[])
{
	static char buf[4096] = "own names";
	struct data_mover_sync *dms = data_mover_sync_new();
	PMEMblkpool *pbp = argc > 1 ? pmemblk_xcreate(argv[1], 4096,
		PMEMBLK_MIN_POOL, 0600, data_mover_sync_get_vdm(dms)) : NULL;
	if (pbp == NULL) {
		fprintf(stderr, "%s\n", pmemblk_errormsg());
		return 1;
	}
	struct pmemblk_write_async_future w = pmemblk_write_async(pbp, buf, 3);
	FUTURE_BUSY_POLL(&w);
	int ok = FUTURE_OUTPUT(&w)->return_value == 0 &&
		pmemblk_read(pbp, buf, 3) == 0 && err_set(1) == 2 &&
		checksum_compute(2) == 4 && persist_pmem() == 7 &&
		mpmc_queue_new() == 9;
	pmemblk_close(pbp);
	data_mover_sync_delete(dms);
	printf("%s: %s\n", ok ? "ok" : "FAILED", buf);
	return !ok;
}
PROG
cc -Wall -I"$SRC/include" -o "$T/clash" "$T/clash.c" "$PMEMBLK_A" "$MINIASYNC_A" \
	$(pkg-config --libs libpmem) -pthread >"$T/cc.log" 2>&1 ||
	{ echo "FAIL: a program with its own internal-looking names does not link:"; sed 's/^/    /' "$T/cc.log"; exit 1; }
out=$("$T/clash" "$T/pool" 2>&1)
[ "$out" = "ok: own names" ] || { echo "FAIL: the program says: $out"; exit 1; }
echo "static libraries: only the public names are global; a program's own err_set etc. link and run"
