#!/bin/bash
# pmempool.sh -- PMDK's pmempool accepts pools created and written by our
# library: "pmempool check" exits 0 and says consistent (before and after the
# BTT layout exists), "pmempool info" parses the pool and agrees with our
# library on bsize, nblock, and how many blocks are data, zero and error.
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

# expect_field NAME VALUE TEXT
expect_field() {
	local got
	got=$(field "$1" "$3")
	[ "$got" = "$2" ] || die "pmempool info: '$1' is '$got', expected '$2'"
}

for geometry in "4096 $((64 * MIB))" "512 $PMEMBLK_MIN_POOL"; do
	read -r bsize size <<<"$geometry"
	pool=$SCRATCH/pool.$bsize
	nblock=$(tool ours create "$pool" "$bsize" "$size")
	echo "== pool by ours: bsize $bsize, size $size, nblock $nblock"

	echo "  pmempool check -v (no BTT layout yet):"
	check_consistent "$pool"
	grep -q "BTT Layout not written" <<<"$(pmempool check -v "$pool")" ||
		die "a fresh pool should have no BTT layout"

	tool ours fill "$pool" 1
	tool ours fill "$pool" 2
	summary=$(tool ours verify "$pool" 1 2)
	echo "  [ours] $summary"

	echo "  pmempool check -v (after writes):"
	check_consistent "$pool"

	info=$(pmempool info -s "$pool") || die "pmempool info $pool failed"
	echo "  pmempool info -s: $(wc -l <<<"$info") lines"
	expect_field Signature PMEMBLK "$info"
	expect_field "Block size" "$bsize" "$info"
	expect_field "External LBA size" "$bsize" "$info"
	expect_field "External LBA count" "$nblock" "$info"
	expect_field "Total blocks" "$nblock" "$info"
	expect_field "Last shutdown" clean "$info"
	bad=$(grep '^Checksum' <<<"$info" | grep -vc '\[OK\]' || true)
	[ "$bad" -eq 0 ] || die "pmempool info: $bad checksums not [OK]"

	# The map as pmempool decodes it matches what our library reads back:
	# "Blocks without flag" are data, "Zeroed" are set_zero + never written.
	read -r data zeroed error never <<<"$(sed -n \
		's/.*ok: \([0-9]*\) data, \([0-9]*\) zeroed, \([0-9]*\) error, \([0-9]*\) never.*/\1 \2 \3 \4/p' \
		<<<"$summary")"
	[ -n "$never" ] || die "cannot parse '$summary'"
	count() { field "$1" "$info" | cut -d' ' -f1; }
	[ "$(count "Blocks without flag")" = "$data" ] ||
		die "pmempool: $(count "Blocks without flag") blocks without flag, ours read $data data blocks"
	[ "$(count "Error blocks")" = "$error" ] ||
		die "pmempool: $(count "Error blocks") error blocks, ours read $error"
	[ "$(count "Zeroed blocks")" = "$((zeroed + never))" ] ||
		die "pmempool: $(count "Zeroed blocks") zeroed blocks, ours read $((zeroed + never))"
	echo "  pmempool info agrees: $data data, $error error, $((zeroed + never)) zero"
	rm -f "$pool"
done
echo "PASS"
