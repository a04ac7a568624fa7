#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# crossopen.sh -- pools cross between PMDK's libpmemblk and ours, both ways.
#
# For each block size and each direction (A, B) = (ours, pmdk), (pmdk, ours):
#   A creates the pool (no BTT layout yet)
#   B opens it: same nblock, every block reads zero; B fills seed 1 (so B
#     writes the layout into A's pool)
#   A verifies seed 1, fills seed 2
#   B verifies seeds 1 2, fills seed 3
#   A verifies seeds 1 2 3
# Every verify checks every block's data, zero and error state and ends
# with pmemblk_check() == 1 (blk_interop_tool verify).
. "$(dirname "$0")/lib.sh"

check_libs

# verify LIB POOL NBLOCK SEEDS...: verify with LIB, and nblock must match.
verify() {
	local lib=$1 pool=$2 nblock=$3 out
	shift 3
	out=$(tool "$lib" verify "$pool" "$@")
	echo "  [$lib] $out"
	case $out in
	*" nblock $nblock ok"*) ;;
	*) die "[$lib] nblock of $pool is not $nblock (created with it)" ;;
	esac
}

fill() {
	echo "  [$1] fill seed $3"
	tool "$1" fill "$2" "$3"
}

chain() {
	local a=$1 b=$2 bsize=$3 size=$4
	local pool=$SCRATCH/pool.$a-$b.$bsize nblock
	echo "== $a -> $b -> $a -> $b -> $a, bsize $bsize, pool size $size"
	nblock=$(tool "$a" create "$pool" "$bsize" "$size")
	echo "  [$a] created, nblock $nblock"
	verify "$b" "$pool" "$nblock"
	fill "$b" "$pool" 1
	verify "$a" "$pool" "$nblock" 1
	fill "$a" "$pool" 2
	verify "$b" "$pool" "$nblock" 1 2
	fill "$b" "$pool" 3
	verify "$a" "$pool" "$nblock" 1 2 3
	rm -f "$pool"
}

for geometry in "4096 $((64 * MIB))" "512 $PMEMBLK_MIN_POOL"; do
	chain ours pmdk $geometry
	chain pmdk ours $geometry
done
echo "PASS"
