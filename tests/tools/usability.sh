#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# usability.sh -- what a new user trips over (issue 13): info on pool sets
# and on one part of a set, messages that say what happened, block ranges,
# help and version, sizes, persistence mode, JSON types.
source "$(dirname "$0")/lib.sh"
P=$PMEMBLK

# ---- info on a pool set and on one of its parts --------------------------
printf 'PMEMPOOLSET\n32M %s/p0\n32M %s/p1\n' "$T" "$T" >"$T/s.set"
run "$P" create --bsize 512 --size 0 "$T/s.set"
expect_rc 0; expect_out '129720 blocks'	# FORMAT.md §12.2: 64 MiB - 4 KiB
echo "in a set" | "$P" write "$T/s.set" 5 >/dev/null || die "write to the set"
run "$P" info --blocks --json "$T/s.set"
expect_rc 0
jq_true '.pool.pool_set == true and .pool.part_of_set == false and .pool.nparts == 2'
jq_true '.pool.nblock == 129720 and .pool.pool_size == 67104768'
jq_true '[.parts[] | .pool_offset] == [0, 33554432] and [.parts[] | .pool_bytes] == [33554432, 33550336]'
jq_true '[.parts[] | .checksum_valid and .part_links_ok and .same_poolset_uuid] == [true, true]'
jq_true '.parts[0].uuid == .header.uuid and .parts[1].uuid == .header.next_part_uuid'
jq_true '.btt.layout_written == true and .btt.arenas[0].state == "ok"'
jq_true '.blocks.written == 1 and .blocks.total == 129720'
run "$P" info "$T/s.set"
expect_rc 0; expect_out '^  part 1$'; expect_out 'pool set file: +yes'
# one part alone: its header, and clearly a part, no BTT read from it
for part in p0 p1; do
	run "$P" info --json "$T/$part"
	expect_rc 0
	jq_true '.pool.part_of_set == true and (.pool | has("nblock") | not)'
	jq_true '.btt.layout_written == false and (.btt | has("arenas") | not)'
	jq_true '.btt.layout | test("one part of a pool set")'
done
run "$P" info "$T/p1"
expect_rc 0; expect_out 'one part of a pool set: +yes'
# SINGLEHDR: one header, no header in the later parts
rm -f "$T"/p0 "$T"/p1
printf 'PMEMPOOLSET\nOPTION SINGLEHDR\n32M %s/p0\n32M %s/p1\n' "$T" "$T" >"$T/h.set"
run "$P" create --bsize 512 --size 0 "$T/h.set"
expect_rc 0; expect_out '129728 blocks'
run "$P" info --json "$T/h.set"
expect_rc 0
jq_true '.pool.nblock == 129728 and [.parts[] | .has_header] == [true, false]'
run "$P" info --json "$T/p0"
expect_rc 0; jq_true '.pool.part_of_set == true'
rm -f "$T"/p0 "$T"/p1

echo "PASS"
