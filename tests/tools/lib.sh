# SPDX-License-Identifier: BSD-3-Clause
# lib.sh -- sourced by the pmemblk tool tests.
#
# Environment: PMEMBLK = path of the pmemblk binary. Each test gets a
# fresh directory $T (removed on exit) and these helpers:
#   run CMD...         runs CMD, keeping stdout in $T/out, stderr in $T/err
#                      and the exit status in $RC
#   expect_rc N        the last run exited with N
#   expect_out RE      stdout of the last run matches the regex RE
#   expect_err RE      stderr of the last run is exactly one line matching RE
#   expect_quiet_err   stderr of the last run is empty
#   jq_true FILTER     the last stdout, as JSON, makes FILTER true
# A failed expectation prints the command and its output and exits 1.
set -u

PMEMBLK=${PMEMBLK:?set PMEMBLK to the pmemblk binary}
T=$(mktemp -d "${TMPDIR:-/tmp}/pmemblk-tooltest.XXXXXX")
trap 'rm -rf "$T"' EXIT
RC=0
LAST=""

run() {
	LAST="$*"
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
}

die() {
	echo "FAIL: $*" >&2
	echo "  command: $LAST (exit $RC)" >&2
	echo "  stdout:" >&2
	head -c 3000 "$T/out" | sed 's/^/    /' >&2
	echo "  stderr:" >&2
	sed 's/^/    /' "$T/err" >&2
	exit 1
}

expect_rc() {
	[ "$RC" -eq "$1" ] || die "expected exit status $1"
}

expect_out() {
	grep -Eq -- "$1" "$T/out" || die "stdout does not match /$1/"
}

expect_err() {
	[ "$(wc -l <"$T/err")" -eq 1 ] || die "stderr is not exactly one line"
	grep -Eq -- "$1" "$T/err" || die "stderr does not match /$1/"
}

expect_quiet_err() {
	[ ! -s "$T/err" ] || die "stderr is not empty"
}

jq_true() {
	jq -e "$1" "$T/out" >/dev/null || die "JSON check failed: $1"
}

# pool_map_offset POOL ENTRY: file offset of map entry ENTRY of arena 0.
pool_map_offset() {
	"$PMEMBLK" info --json "$1" |
		jq -r ".btt.arenas[0].file_offset + .btt.arenas[0].mapoff + 4 * $2"
}

# read_u32 FILE OFFSET / write_u32 FILE OFFSET VALUE: little-endian words.
read_u32() {
	od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}

write_u32() {
	python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<I", int(sys.argv[1])))' "$3" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
