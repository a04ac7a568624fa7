# SPDX-License-Identifier: BSD-3-Clause
# lib.sh -- shared by the interop test scripts (source it, do not run it).
#
# Environment (set by ctest, see CMakeLists.txt):
#   BLK_TOOL     the blk_interop_tool binary (no rpath: LD_LIBRARY_PATH decides
#                which libpmemblk.so.1 it loads)
#   OURS_LIBDIR  directory holding our libpmemblk.so.1; empty while the
#                project's library does not exist yet: then "ours" runs PMDK's
#                library too, which checks the tests themselves.
#
# "pmdk" means the system's libpmemblk.so.1, found with LD_LIBRARY_PATH unset.

set -euo pipefail

die() {
	echo "FAIL: $*" >&2
	exit 1
}

: "${BLK_TOOL:?BLK_TOOL must name the blk_interop_tool binary}"
OURS_LIBDIR=${OURS_LIBDIR:-}

# Pools go to $BLK_SCRATCH_DIR, else /dev/shm (every write of a non-pmem
# pool msyncs: cheap on tmpfs, slow on a disk), else $TMPDIR or /tmp.
if [ -n "${BLK_SCRATCH_DIR:-}" ]; then
	scratch_base=$BLK_SCRATCH_DIR
elif [ -w /dev/shm ] && [ -d /dev/shm ]; then
	scratch_base=/dev/shm
else
	scratch_base=${TMPDIR:-/tmp}
fi
SCRATCH=$(mktemp -d "$scratch_base/blk_interop.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

# with_lib ours|pmdk COMMAND...: runs COMMAND with that libpmemblk.so.1.
with_lib() {
	local lib=$1
	shift
	case $lib in
	ours)
		if [ -n "$OURS_LIBDIR" ]; then
			LD_LIBRARY_PATH=$OURS_LIBDIR "$@"
		else
			env -u LD_LIBRARY_PATH "$@"
		fi ;;
	pmdk)	env -u LD_LIBRARY_PATH "$@" ;;
	*)	die "with_lib: unknown library $lib" ;;
	esac
}

# tool ours|pmdk ARGS...: blk_interop_tool with that library.
tool() {
	local lib=$1
	shift
	with_lib "$lib" "$BLK_TOOL" "$@" || die "[$lib] blk_interop_tool $*"
}

# Makes sure "ours" and "pmdk" really load the libraries they are named
# after; prints both paths.
check_libs() {
	local ours pmdk
	ours=$(realpath "$(tool ours lib)")
	pmdk=$(realpath "$(tool pmdk lib)")
	echo "ours: $ours"
	echo "pmdk: $pmdk"
	if [ -z "$OURS_LIBDIR" ]; then
		echo "NOTE: no pmemblk target built; 'ours' is PMDK's library"
		return
	fi
	[ "$(dirname "$ours")" = "$(realpath "$OURS_LIBDIR")" ] ||
		die "'ours' loaded $ours, not the one in $OURS_LIBDIR"
	[ "$ours" != "$pmdk" ] || die "'pmdk' loaded our library $pmdk"
}

# Geometry constants of PMDK's x86-64 header.
MIB=$((1024 * 1024))
PMEMBLK_MIN_POOL=$((16 * MIB + 8192))

# require_cmd NAME: skips the test (exit 77) when NAME is not installed.
require_cmd() {
	command -v "$1" >/dev/null || {
		echo "SKIP: $1 not installed"
		exit 77
	}
}

# assert_links_ours BINARY: with "ours", BINARY resolves libpmemblk.so.1 to
# our library (checked with ldd, for programs such as fio).
assert_links_ours() {
	local resolved
	resolved=$(with_lib ours ldd "$1" | sed -n 's/^\s*libpmemblk\.so\.1 => \(\S*\).*/\1/p')
	[ -n "$resolved" ] || die "$1 does not use libpmemblk.so.1"
	echo "$1 loads $(realpath "$resolved")"
	[ -z "$OURS_LIBDIR" ] ||
		[ "$(dirname "$(realpath "$resolved")")" = "$(realpath "$OURS_LIBDIR")" ] ||
		die "$1 loads $resolved, not our library"
}
