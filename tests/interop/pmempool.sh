#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# pmempool.sh -- PMDK's pmempool accepts pools created and written by our
# library: "pmempool check" exits 0 and says consistent (before and after the
# BTT layout exists), "pmempool info" parses the pool (before and after) and
# agrees with our library on bsize, nblock, and how many blocks are data,
# zero and error. The same checks run first on a pool made by PMDK's
# library, which shows the checks themselves are right.
. "$(dirname "$0")/lib.sh"
require_cmd pmempool

check_libs

# check_consistent POOL: pmempool check -v exits 0 and ends "POOL: consistent".
check_consistent() {
	local out rc=0
	out=$(pmempool check -v "$1" 2>&1) || rc=$?
	echo "$out" | sed 's/^/    /'
	[ $rc -eq 0 ] || die "pmempool check -v $1 exited $rc"
	[ "$(tail -n 1 <<<"$out")" = "$1: consistent" ] ||
		die "pmempool check -v $1 does not end with '$1: consistent'"
	out=$(pmempool check "$1" 2>&1) || die "pmempool check $1 failed: $out"
}

# field NAME TEXT: the value of a "Name   : value" line of pmempool info.
field() {
	sed -n "s/^$1 *: //p" <<<"$2" | head -n 1
}

# count NAME TEXT: the number of a "Name : N [p %]" statistics line.
count() {
	field "$1" "$2" | cut -d' ' -f1
}

# expect_field NAME VALUE TEXT
expect_field() {
	local got
	got=$(field "$1" "$3")
	[ "$got" = "$2" ] || die "pmempool info: '$1' is '$got', expected '$2'"
}

# pool_info POOL: pmempool info -s POOL, which must succeed.
pool_info() {
	local out rc=0
	out=$(pmempool info -s "$1" 2>&1) || rc=$?
	[ $rc -eq 0 ] || die "pmempool info -s $1 exited $rc:"$'\n'"$out"
	echo "$out"
}

test_pool() {
	local lib=$1 bsize=$2 size=$3
	local pool=$SCRATCH/pool.$lib.$bsize
	local nblock info summary bad data zeroed error never
	nblock=$(tool "$lib" create "$pool" "$bsize" "$size")
	echo "== pool by $lib: bsize $bsize, size $size, nblock $nblock"

	echo "  pmempool check -v (no BTT layout yet):"
	check_consistent "$pool"
	grep -q "BTT Layout not written" <<<"$(pmempool check -v "$pool")" ||
		die "a fresh pool should have no BTT layout"
	info=$(pool_info "$pool")
	expect_field "Block size" "$bsize" "$info"
	echo "  pmempool info (no BTT layout yet): ok"

	tool "$lib" fill "$pool" 1
	tool "$lib" fill "$pool" 2
	summary=$(tool "$lib" verify "$pool" 1 2)
	echo "  [$lib] $summary"

	echo "  pmempool check -v (after writes):"
	check_consistent "$pool"

	info=$(pool_info "$pool")
	echo "  pmempool info -s: $(wc -l <<<"$info") lines"
	expect_field Signature PMEMBLK "$info"
	expect_field "Block size" "$bsize" "$info"
	expect_field "External LBA size" "$bsize" "$info"
	expect_field "External LBA count" "$nblock" "$info"
	expect_field "Total blocks" "$nblock" "$info"
	expect_field "Last shutdown" clean "$info"
	bad=$(grep '^Checksum' <<<"$info" | grep -vc '\[OK\]' || true)
	[ "$bad" -eq 0 ] || die "pmempool info: $bad checksums not [OK]"

	# The map as pmempool decodes it matches what the library reads back:
	# "Blocks without flag" are data, "Zeroed" are set_zero + never written.
	read -r data zeroed error never <<<"$(sed -n \
		's/.*ok: \([0-9]*\) data, \([0-9]*\) zeroed, \([0-9]*\) error, \([0-9]*\) never.*/\1 \2 \3 \4/p' \
		<<<"$summary")"
	[ -n "$never" ] || die "cannot parse '$summary'"
	[ "$(count "Blocks without flag" "$info")" = "$data" ] ||
		die "pmempool: $(count "Blocks without flag" "$info") blocks without flag, $lib read $data data blocks"
	[ "$(count "Error blocks" "$info")" = "$error" ] ||
		die "pmempool: $(count "Error blocks" "$info") error blocks, $lib read $error"
	[ "$(count "Zeroed blocks" "$info")" = "$((zeroed + never))" ] ||
		die "pmempool: $(count "Zeroed blocks" "$info") zeroed blocks, $lib read $((zeroed + never))"
	echo "  pmempool info agrees: $data data, $error error, $((zeroed + never)) zero"
	rm -f "$pool"
}

for lib in pmdk ours; do
	test_pool "$lib" 4096 $((64 * MIB))
	test_pool "$lib" 512 "$PMEMBLK_MIN_POOL"
done
echo "PASS"
