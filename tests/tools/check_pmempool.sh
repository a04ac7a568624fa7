#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# check_pmempool.sh -- `pmemblk check` gives pmempool check's verdict (exit
# 0 consistent, 1 not) on the same damaged files, one line per finding,
# and `--repair` (with `--dry-run`) mends only what it can without
# guessing (issue 12).
. "$(dirname "$0")/lib.sh"
P=$PMEMBLK
command -v pmempool >/dev/null || { echo "SKIP: pmempool not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

# same_verdict FILE: both tools exit with the same status; prints it
same_verdict() {
	run "$P" check "$1"
	local ours=$RC
	pmempool check "$1" >"$T/pmempool.out" 2>&1
	local theirs=$?
	[ "$ours" -eq "$theirs" ] ||
		die "pmemblk check exits $ours, pmempool check $theirs on $1: $(cat "$T/pmempool.out")"
}

# unchanged FILE REF: the file has exactly REF's bytes
unchanged() {
	cmp -s "$1" "$2" || die "$1 was modified"
}

GOOD=$T/good
"$P" create --bsize 4096 --size 64M "$GOOD" >/dev/null || die "create"
for b in 0 1 2 7; do
	head -c 4096 /dev/urandom | "$P" write "$GOOD" "$b" >/dev/null || die "write"
done
info=$("$P" info --json "$GOOD")
arena=$(jq -r '.btt.arenas[0].file_offset' <<<"$info")
backup=$(jq -r '.btt.arenas[0].file_offset + .btt.arenas[0].infooff' <<<"$info")
flog=$(jq -r '.btt.arenas[0].file_offset + .btt.arenas[0].flogoff' <<<"$info")

same_verdict "$GOOD"; expect_rc 0; expect_out 'good: consistent$'

# a damaged primary info block, backup valid
cp "$GOOD" "$T/prim"
printf '\xff' | dd of="$T/prim" bs=1 seek=$((arena + 100)) conv=notrunc status=none
same_verdict "$T/prim"; expect_rc 1
expect_out 'prim: arena 0: primary BTT info block invalid \(bad checksum\), backup valid'
expect_out 'prim: not consistent$'
[ "$(grep -c 'prim: arena' "$T/out")" -eq 1 ] || die "one finding expected"
run "$P" check --json "$T/prim"
expect_rc 1
jq_true '.consistent == false and (.findings | length) == 1 and .findings[0].repairable == true'
cp "$T/prim" "$T/prim.ref"
run "$P" check --repair --dry-run "$T/prim"
expect_rc 1; expect_out 'would rewrite 1 primary BTT info block'
unchanged "$T/prim" "$T/prim.ref"
run "$P" check --repair --json "$T/prim"
expect_rc 0; jq_true '.consistent == true and .repair.done == true'
same_verdict "$T/prim"; expect_rc 0
cmp -s <(head -c $((arena + 4096)) "$T/prim" | tail -c 4096) \
	<(head -c $((backup + 4096)) "$T/prim" | tail -c 4096) ||
	die "primary is not the backup's copy"

# both info blocks damaged, data present: refused, repair refused
cp "$T/prim.ref" "$T/both"
printf '\xff' | dd of="$T/both" bs=1 seek=$((backup + 100)) conv=notrunc status=none
same_verdict "$T/both"; expect_rc 1
expect_out 'both: arena 0: both BTT info blocks invalid'
cp "$T/both" "$T/both.ref"
run "$P" check --repair "$T/both"
expect_rc 1; expect_out 'repair refused'
unchanged "$T/both" "$T/both.ref"
run "$P" info "$T/both"
expect_rc 1; expect_out 'BTT info blocks of arena 0 are damaged'

# a bad header checksum
cp "$GOOD" "$T/hdr"
printf '\x01' | dd of="$T/hdr" bs=1 seek=100 conv=notrunc status=none
same_verdict "$T/hdr"; expect_rc 1; expect_out 'hdr: pool header: checksum incorrect'
run "$P" check --repair "$T/hdr"
expect_rc 1; unchanged "$T/hdr" <(cat "$T/hdr")

# a map entry outside the arena
cp "$GOOD" "$T/map"
write_u32 "$T/map" "$(pool_map_offset "$T/map" 5)" $((0xC0FFFFFF))
same_verdict "$T/map"; expect_rc 1; expect_out 'map: arena 0: map\[5\] entry out of bounds'

# A flog seq out of range. pmempool check flags it only in some lane
# states (it reads seq modulo 4); the library refuses such a pool, which
# a later write would corrupt (issue 12 defect 1), so check says so.
cp "$GOOD" "$T/seq"
write_u32 "$T/seq" $((flog + 12)) 4
run "$P" check "$T/seq"; expect_rc 1
expect_out 'seq: arena 0: flog pair 0, slot 0: sequence number out of range'
cp "$T/seq" "$T/seq.ref"
run "$P" check --repair "$T/seq"
expect_rc 1; unchanged "$T/seq" "$T/seq.ref"

# an interrupted write: flog committed, map store lost. Consistent for
# both tools (open's recovery finishes it); --repair finishes it on media.
cp "$GOOD" "$T/torn"
lane=$(python3 - "$T/torn" "$flog" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb'); base = int(sys.argv[2])
for lane in range(256):
    f.seek(base + 64 * lane); s = struct.unpack('<8I', f.read(32))
    s0, s1 = s[0:4], s[4:8]
    if s1[3] == 0 or s0[3] == s1[3]:
        continue                        # never written, or corrupt
    nxt = [0, 2, 3, 1][s0[3] & 3]
    cur = s1 if s0[3] == 0 or nxt == s1[3] else s0   # doc/format.md §6
    print(lane, cur[0], cur[1], cur[2]); break
PY
)
read -r l lba old new <<<"$lane"
[ -n "$new" ] || die "no written flog pair found"
write_u32 "$T/torn" "$(pool_map_offset "$T/torn" "$lba")" "$old"
same_verdict "$T/torn"; expect_rc 0
cp "$T/torn" "$T/torn.ref"
run "$P" check --repair --dry-run "$T/torn"
expect_rc 0; expect_out 'would finish 1 interrupted write'
unchanged "$T/torn" "$T/torn.ref"
run "$P" check --repair "$T/torn"
expect_rc 0; expect_out 'finished 1 interrupted write'
[ "$(read_u32 "$T/torn" "$(pool_map_offset "$T/torn" "$lba")")" -eq "$new" ] ||
	die "map entry of block $lba not finished"
same_verdict "$T/torn"; expect_rc 0

echo "check_pmempool: all checks passed"
