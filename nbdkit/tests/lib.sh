# SPDX-License-Identifier: BSD-3-Clause
# lib.sh -- shared by the plugin's test scripts (source it, do not run it).
#
# Environment (set by ctest, see CMakeLists.txt):
#   PLUGIN        the built nbdkit-pmemblk-plugin.so
#   POOL_DUMP     pool_dump (reads a pool back with pmemblk_read)
#   NBD_CLIENT    nbd_client (libnbd); empty when libnbd-dev was missing
#   PMEMBLK_TOOL  the pmemblk tool; empty when not built
#   OURS_LIBDIR   directory of our libpmemblk.so.1
set -euo pipefail

die() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# require_cmd NAME...: skips the test (exit 77) when one is not installed.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c not installed"
	done
}

: "${PLUGIN:?PLUGIN must name the built plugin}"
require_cmd nbdkit
MIB=$((1024 * 1024))

# Pools in /dev/shm when it exists: every write of a pool on a plain
# file system ends in an msync.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	SCRATCH=$(mktemp -d /dev/shm/nbdkit_pmemblk.XXXXXX)
else
	SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/nbdkit_pmemblk.XXXXXX")
fi
trap 'rm -rf "$SCRATCH"' EXIT

# serve ARGS... -- COMMAND: a captive nbdkit on a Unix socket serving
# the plugin with ARGS; COMMAND runs with $uri set and its status is the
# result (nbdkit --run). nbdkit's own messages go to stderr.
serve() {
	local args=()
	while [ "$1" != "--" ]; do
		args+=("$1")
		shift
	done
	shift
	nbdkit -U - -f "${NBDKIT_FLAGS[@]}" "$PLUGIN" "${args[@]}" --run "$*"
}
NBDKIT_FLAGS=()

# with_lib ours|pmdk COMMAND...: runs COMMAND with that libpmemblk.so.1.
with_lib() {
	local lib=$1
	shift
	case $lib in
	ours) LD_LIBRARY_PATH=$OURS_LIBDIR "$@" ;;
	pmdk) env -u LD_LIBRARY_PATH "$@" ;;
	esac
}

# have_pmdk_blk: PMDK's libpmemblk.so.1 is installed (Debian libpmemblk1).
have_pmdk_blk() {
	env -u LD_LIBRARY_PATH ldd "$POOL_DUMP" 2>/dev/null |
		grep -q 'libpmemblk\.so\.1 => /'
}

# dump_check LIB POOL EXPECTED: the pool read back with LIB's pmemblk_read
# begins with the bytes of EXPECTED (and the rest of it is zero).
dump_check() {
	local lib=$1 pool=$2 expected=$3 out=$SCRATCH/dump.$1
	with_lib "$lib" "$POOL_DUMP" "$pool" "$out" || die "[$lib] pool_dump $pool"
	local n
	n=$(stat -c %s "$expected")
	cmp -n "$n" "$out" "$expected" || die "[$lib] pool $pool differs from $expected"
	# beyond the data written: zeros
	cmp -i "$n:0" "$out" <(head -c $(( $(stat -c %s "$out") - n )) /dev/zero) ||
		die "[$lib] pool $pool holds data past $n bytes"
	echo "  [$lib] pmemblk_read of every block matches"
	rm -f "$out"
}

# pool_consistent POOL: pmemblk check (ours) and pmempool check (PMDK).
pool_consistent() {
	if [ -n "${PMEMBLK_TOOL:-}" ]; then
		"$PMEMBLK_TOOL" check "$1" || die "pmemblk check $1"
	fi
	if command -v pmempool >/dev/null; then
		pmempool check "$1" || die "pmempool check $1"
		echo "  pmempool check: consistent"
	fi
}
