#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# poolset_interop.sh -- pool sets crossing between PMDK's libpmemblk and
# ours, both ways, checked by pmempool.
#
# For each set shape (two parts, three parts, SINGLEHDR, mixed sizes) and
# each direction (A, B) = (ours, pmdk), (pmdk, ours):
#   A creates the set (poolsize 0): nblock must be PMDK's observed value
#   pmempool check: consistent (no layout yet)
#   B verifies (every block zero) and fills seed 1 (B lays the BTT out)
#   A verifies seed 1 and fills seed 2
#   B verifies seeds 1 2; pmempool check -v: consistent
# The fills and verifies are the interop tool's (tests/interop): every
# block's data, zero and error state, then pmemblk_check() == 1.
. "$(dirname "$0")/../interop/lib.sh"

require_cmd pmempool
check_libs

# make_set NAME SINGLEHDR SIZE...: $SCRATCH/NAME.set naming $SCRATCH/NAME.<k>
make_set() {
	local name=$1 singlehdr=$2 k=0 size
	shift 2
	{
		echo PMEMPOOLSET
		[ "$singlehdr" = yes ] && echo "OPTION SINGLEHDR"
		for size in "$@"; do
			echo "$size $SCRATCH/$name.$k"
			k=$((k + 1))
		done
	} >"$SCRATCH/$name.set"
}

pmempool_consistent() {
	local out
	out=$(pmempool check -v "$1" 2>&1) || die "pmempool check $1: $out"
	grep -q ": consistent" <<<"$out" || die "pmempool check $1: $out"
}

verify() {
	local lib=$1 set=$2 nblock=$3 out
	shift 3
	out=$(tool "$lib" verify "$set" "$@")
	echo "  [$lib] $out"
	case $out in
	*" nblock $nblock ok"*) ;;
	*) die "[$lib] nblock of $set is not $nblock" ;;
	esac
}

# chain A B NAME SINGLEHDR BSIZE NBLOCK SIZE...
chain() {
	local a=$1 b=$2 name=$3.$1 singlehdr=$4 bsize=$5 want=$6 nblock
	shift 6
	make_set "$name" "$singlehdr" "$@"
	local set=$SCRATCH/$name.set
	echo "== $a -> $b -> $a -> $b: $* SINGLEHDR=$singlehdr bsize $bsize"
	nblock=$(tool "$a" create "$set" "$bsize" 0)
	echo "  [$a] created, nblock $nblock (PMDK observed: $want)"
	[ "$nblock" = "$want" ] || die "[$a] nblock $nblock, expected $want"
	pmempool_consistent "$set"
	verify "$b" "$set" "$nblock"
	tool "$b" fill "$set" 1
	verify "$a" "$set" "$nblock" 1
	tool "$a" fill "$set" 2
	verify "$b" "$set" "$nblock" 1 2
	pmempool_consistent "$set"
	echo "  pmempool check: consistent"
	rm -f "$SCRATCH/$name".*
}

M=$MIB
for dir in "ours pmdk" "pmdk ours"; do
	chain $dir two no 512 64692 $((16 * M)) $((16 * M))
	chain $dir three no 512 97198 $((16 * M)) $((16 * M)) $((16 * M))
	chain $dir single yes 512 129728 $((32 * M)) $((32 * M))
	chain $dir mixed no 4096 8684 $((16 * M)) $((17 * M)) $((2 * M))
done
echo PASS
