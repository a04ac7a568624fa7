#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# pmdk.sh -- the tool on pools made by PMDK 1.12.1: `pmempool create blk`
# (no BTT layout yet) and PMDK's libpmemblk (layout written, blocks in
# every state). Then pmempool check accepts what our tool wrote.
# Needs PMDK_POOL (the pmdk_pool helper) and pmempool; else skipped (77).
source "$(dirname "$0")/lib.sh"
P=$PMEMBLK
command -v pmempool >/dev/null || { echo "pmempool missing: skipped"; exit 77; }
[ -x "${PMDK_POOL:-}" ] || { echo "pmdk_pool helper missing: skipped"; exit 77; }

# a pool from pmempool: header only
run pmempool create blk 512 "$T/pm1"
expect_rc 0
run "$P" info "$T/pm1"
expect_rc 0; expect_out 'layout: +not written'; expect_out 'blocks \(nblock\): +32202'
run "$P" info --json --blocks "$T/pm1"
expect_rc 0
jq_true '.pool.nblock == 32202 and .pool.bsize == 512 and .btt.narenas == 1'
jq_true '.header.compat.names == ["CHECK_BAD_BLOCKS"] and .header.checksum_valid'
jq_true '.blocks.never_written == 32202'
run "$P" check "$T/pm1"
expect_rc 0; expect_out 'consistent \(BTT layout not written yet\)'
pm_uuid=$(pmempool info "$T/pm1" | sed -n 's/^Pool set UUID *: *//p')
tool_uuid=$("$P" info --json "$T/pm1" | jq -r .header.poolset_uuid)
[ -n "$pm_uuid" ] && [ "$pm_uuid" = "$tool_uuid" ] ||
	die "poolset uuid: pmempool says '$pm_uuid', pmemblk info '$tool_uuid'"

# a pool written by PMDK's libpmemblk
run "$PMDK_POOL" "$T/pm2" 4096 $((64 << 20))
expect_rc 0; expect_out 'nblock: 16103'
if grep -q "^lib: $(dirname "$P")" "$T/out"; then
	die "pmdk_pool ran our libpmemblk, not PMDK's"
fi
run "$P" info --blocks "$T/pm2"
expect_rc 0; expect_out 'layout: +written'; expect_out 'mapoff: +0x3fe9000'
run "$P" info --json --blocks "$T/pm2"
expect_rc 0
jq_true '.blocks == {"total": 16103, "written": 8, "zeroed": 1, "error": 1, "never_written": 16093, "out_of_range": 0}'
jq_true '.btt.arenas[0] | .state == "ok" and .version == "1.1" and .internal_nlba == 16359 and .flogoff == 67080192'
jq_true '.btt.arenas[0].parent_uuid == .header.poolset_uuid'
python3 -m json.tool "$T/out" >/dev/null || die "python3 json.tool rejects the JSON"
pm_btt=$(pmempool info "$T/pm2" | sed -n 's/^UUID of BTT *: *//p' | head -1)
tool_btt=$(jq -r '.btt.arenas[0].uuid' "$T/out")
[ -z "$pm_btt" ] || [ "$pm_btt" = "$tool_btt" ] ||
	die "btt uuid: pmempool says '$pm_btt', pmemblk info '$tool_btt'"
run "$P" check "$T/pm2"
expect_rc 0; expect_out 'consistent$'

# blocks PMDK wrote, read by our library through the tool
run "$P" read "$T/pm2" 7
expect_rc 0; expect_out '^pmdk block 7'
run "$P" read "$T/pm2" 3
expect_rc 0
run "$P" read "$T/pm2" 4
expect_rc 3; expect_err 'cannot read block 4'

# our tool writes into PMDK's pool; PMDK's checker agrees it is fine
printf 'written by the pmemblk tool' | "$P" write "$T/pm2" 20 >/dev/null || die "write"
run "$P" zero "$T/pm2" 7
expect_rc 0
run "$P" error "$T/pm2" 8
expect_rc 0
run pmempool check "$T/pm2"
expect_rc 0
run "$P" info --json --blocks "$T/pm2"
jq_true '.blocks.written == 7 and .blocks.zeroed == 2 and .blocks.error == 2'

# the same for pmempool's pool after our first write lays out the BTT
printf 'x' | "$P" write "$T/pm1" 32201 >/dev/null || die "write to pm1"
run pmempool check "$T/pm1"
expect_rc 0
run "$P" info --json "$T/pm1"
jq_true '.btt.layout == "written" and .btt.arenas[0].external_nlba == 32202'
# two arenas: a sparse file of 512 GiB + 64 MiB laid out by PMDK (its
# fallocate.at_create off, 64 KiB blocks keep the map small)
truncate -s $(( (512 << 30) + 8192 + (64 << 20) )) "$T/big"
run env PMEMBLK_CONF=fallocate.at_create=0 "$PMDK_POOL" "$T/big" 65536 0
expect_rc 0; expect_out 'nblock: 8388606'
run "$P" info --json --blocks "$T/big"
expect_rc 0
jq_true '.btt.narenas == 2 and .pool.nblock == 8388606 and .blocks.written == 8 and .blocks.error == 1'
jq_true '.btt.arenas[0].nextoff == 549755813888 and .btt.arenas[1].file_offset == 549755822080'
jq_true '.btt.arenas[1] | .state == "ok" and .external_nlba == 767 and .nextoff == 0'
rm -f "$T/big"
echo "pmdk: all checks passed"
