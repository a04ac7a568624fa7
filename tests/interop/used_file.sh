#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# used_file.sh -- pools created with poolsize 0 on a file that held other
# data (its first 8 KiB zero, then 0x5A bytes): PMDK's libpmemblk creates
# them and sees no BTT layout; ours must too (doc/design.md §5), both ways:
#   A creates the pool on the used file
#   B opens it: same nblock, every block reads zero; B fills seed 1
#   A verifies seed 1
. "$(dirname "$0")/lib.sh"

check_libs

# used_file PATH SIZE: SIZE bytes, 8 KiB of zeros then 'Z' (0x5A).
used_file() {
	head -c 8192 /dev/zero >"$1"
	head -c $(($2 - 8192)) /dev/zero | tr '\0' 'Z' >>"$1"
}

for pair in "pmdk ours" "ours pmdk"; do
	set -- $pair
	a=$1 b=$2
	pool=$SCRATCH/used.$a-$b
	echo "== $a creates on a used file, $b opens"
	used_file "$pool" $((20 * MIB))
	nblock=$(tool "$a" create "$pool" 4096 0)
	echo "  [$a] created, nblock $nblock"
	out=$(tool "$b" verify "$pool")
	echo "  [$b] $out"
	case $out in
	*" nblock $nblock ok"*) ;;
	*) die "[$b] nblock of $pool is not $nblock" ;;
	esac
	tool "$b" fill "$pool" 1
	out=$(tool "$a" verify "$pool" 1)
	echo "  [$a] $out"
	rm -f "$pool"
done
echo "PASS"
