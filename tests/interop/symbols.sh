#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# symbols.sh -- our libpmemblk.so.1 exports exactly the expected dynamic
# symbols (nm -D --defined-only): each version node as an absolute symbol
# and every function under its node, nothing else. The LIBPMEMBLK_1.0 list
# is checked against PMDK's library too, so the list itself is right.
. "$(dirname "$0")/lib.sh"

# The 16 functions of doc/api-notes.md §3, exported by PMDK 1.12.1.
SYMBOLS_1_0=(
	pmemblk_bsize pmemblk_check pmemblk_check_version pmemblk_close
	pmemblk_create pmemblk_ctl_exec pmemblk_ctl_get pmemblk_ctl_set
	pmemblk_errormsg pmemblk_nblock pmemblk_open pmemblk_read
	pmemblk_set_error pmemblk_set_funcs pmemblk_set_zero pmemblk_write
)
# Ours only: the async API under its own node (doc/design.md §7). Leave the
# array empty for a library without a LIBPMEMBLK_1.1 node.
SYMBOLS_1_1=(
	pmemblk_read_async pmemblk_write_async pmemblk_xcreate pmemblk_xopen
)

# expected_list NODE SYMBOLS...: "A NODE" and "T SYM@@NODE" lines.
expected_list() {
	local node=$1 sym
	shift
	echo "A $node"
	for sym in "$@"; do
		echo "T $sym@@$node"
	done
}

# compare LIBRARY EXPECTED: nm's defined dynamic symbols must equal EXPECTED.
compare() {
	local got diff_out
	got=$(nm -D --defined-only "$1" | awk '{ print $(NF-1), $NF }' | sort)
	echo "nm -D --defined-only $1:"
	sed 's/^/    /' <<<"$got"
	diff_out=$(diff <(sort <<<"$2") <(cat <<<"$got")) ||
		die "exported symbols of $1 differ (< expected, > exported):"$'\n'"$diff_out"
}

pmdk=$(realpath "$(tool pmdk lib)")
compare "$pmdk" "$(expected_list LIBPMEMBLK_1.0 "${SYMBOLS_1_0[@]}")"

if [ -z "${OURS_LIB:-}" ]; then
	echo "SKIP: our library (target pmemblk) is not built"
	exit 77
fi
expected=$(expected_list LIBPMEMBLK_1.0 "${SYMBOLS_1_0[@]}")
if [ ${#SYMBOLS_1_1[@]} -gt 0 ]; then
	expected+=$'\n'$(expected_list LIBPMEMBLK_1.1 "${SYMBOLS_1_1[@]}")
fi
compare "$(realpath "$OURS_LIB")" "$expected"
readelf -d "$OURS_LIB" | grep -q 'SONAME.*\[libpmemblk\.so\.1\]' ||
	die "$OURS_LIB has no SONAME libpmemblk.so.1"
echo "PASS"
