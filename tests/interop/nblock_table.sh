#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# nblock_table.sh [--check] -- pmemblk_nblock() of PMDK's library and ours,
# side by side, for the single-arena geometries of doc/format.md §14 (and the
# block size too large for 64 MiB, where create must fail: "-").
# With --check, also fail unless ours == PMDK == the documented value.
. "$(dirname "$0")/lib.sh"

check=no
[ "${1:-}" = --check ] && check=yes

GIB=$((1024 * MIB))
# label, pool size, bsize, nblock documented in doc/format.md §14
GEOMETRIES=(
	"64MiB $((64 * MIB)) 4096 16103"
	"1GiB $GIB 512 2080567"
	"MIN $PMEMBLK_MIN_POOL 512 32202"
	"64MiB $((64 * MIB)) 512 129728"
	"64MiB $((64 * MIB)) 1 129728"
	"64MiB $((64 * MIB)) 520 86624"
	"64MiB $((64 * MIB)) 100000 414"
	"64MiB+5000 $((64 * MIB + 5000)) 4096 16104"
	"1GiB $GIB 4096 261623"
	"64MiB $((64 * MIB)) 200000 -"
)

# nblock_of LIB SIZE BSIZE: nblock of a fresh pool, "-" if create fails.
nblock_of() {
	local pool=$SCRATCH/pool n
	n=$(with_lib "$1" "$BLK_TOOL" create "$pool" "$3" "$2" 2>/dev/null) || n=-
	rm -f "$pool"
	echo "$n"
}

check_libs
printf '%-12s %11s %7s | %10s %10s %10s\n' pool size bsize PMDK ours documented
failed=0
for g in "${GEOMETRIES[@]}"; do
	read -r label size bsize doc <<<"$g"
	pmdk=$(nblock_of pmdk "$size" "$bsize")
	ours=$(nblock_of ours "$size" "$bsize")
	mark=""
	if [ "$pmdk" != "$ours" ] || [ "$pmdk" != "$doc" ]; then
		mark="  <-- differs"
		failed=1
	fi
	printf '%-12s %11s %7s | %10s %10s %10s%s\n' "$label" "$size" "$bsize" \
		"$pmdk" "$ours" "$doc" "$mark"
done
if [ $check = yes ] && [ $failed -ne 0 ]; then
	die "nblock differs between PMDK, ours and doc/format.md §14"
fi
echo "PASS"
