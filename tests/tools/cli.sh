#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cli.sh -- every pmemblk subcommand on pools made by our library: output,
# exit codes, JSON, progress only on a terminal.
source "$(dirname "$0")/lib.sh"
P=$PMEMBLK
POOL=$T/a.blk

# --help of the tool and of every command
run "$P" --help
expect_rc 0; expect_out '^Usage: pmemblk COMMAND'
for cmd in create info check read write zero error bench demo; do
	run "$P" "$cmd" --help
	expect_rc 0; expect_out "^Usage: pmemblk $cmd"; expect_quiet_err
done
# --version: the async API is version 1.2 (README), always built in
run "$P" --version
expect_rc 0; expect_out '^pmemblk [0-9]+\.[0-9]+\.[0-9]+ \(libpmemblk API 1\.2, with the async API\)$'
version=$(cat "$T/out")
run "$P" -V
expect_rc 0; [ "$(cat "$T/out")" = "$version" ] || die "-V and --version differ"

# create
run "$P" create --bsize 4K --size 64M "$POOL"
expect_rc 0; expect_out 'bsize 4096, 16103 blocks'
[ "$(stat -c %a "$POOL")" = 644 ] || die "mode of the new pool"
run "$P" create --bsize 512 --size 64M --mode 0600 "$T/b.blk"
expect_rc 0; expect_out '129728 blocks'
[ "$(stat -c %a "$T/b.blk")" = 600 ] || die "--mode not applied"
truncate -s 20M "$T/c.blk"
run "$P" create --bsize 512 --size 0 "$T/c.blk"
expect_rc 0; expect_out 'bsize 512'

# info before the first write: no layout, the geometry's nblock
run "$P" info "$POOL"
expect_rc 0; expect_out 'layout: +not written'; expect_out 'blocks \(nblock\): +16103'
expect_out 'mapoff: +0x3fe9000'
run "$P" info --json "$POOL"
expect_rc 0
jq_true '.pool.nblock == 16103 and .pool.bsize == 4096'
jq_true '.btt.layout | startswith("not written")'
jq_true '.header.incompat.names == ["CKSUM_2K", "SDS"]'
jq_true '.header.poolset_uuid | test("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")'
python3 -m json.tool "$T/out" >/dev/null || die "python3 json.tool rejects the JSON"
# the CPU and the metadata store in force (doc/cpu_strategies.md)
model=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)
if [ -n "$model" ]; then
	jq_true ".cpu.model == \"$model\""
fi
jq_true '.cpu.metadata_store_setting == "auto" and (.cpu.metadata_store == "nt" or .cpu.metadata_store == "cached") and (.cpu.metadata_store_reason | length > 0)'
PMEMBLK_CONF=persist.metadata_store=cached run "$P" info --json "$POOL"
jq_true '.cpu.metadata_store == "cached" and .cpu.metadata_store_setting == "cached"'
run "$P" info --blocks --json "$POOL"
jq_true '.blocks.never_written == 16103 and .blocks.written == 0'

# write / read
printf 'hello, block 5' >"$T/in"
run "$P" write -i "$T/in" "$POOL" 5
expect_rc 0; expect_out 'block 5: wrote 4096 bytes \(14 from input\)'
run "$P" read -o "$T/blk" "$POOL" 5
expect_rc 0
{ cat "$T/in"; head -c $((4096 - 14)) /dev/zero; } >"$T/expected"
cmp -s "$T/blk" "$T/expected" || die "read -o gives other bytes than written"
printf 'from stdin' | "$P" write "$POOL" 6 >/dev/null || die "write from stdin"
"$P" read "$POOL" 6 >"$T/blk6" || die "read to a pipe"
[ "$(stat -c %s "$T/blk6")" = 4096 ] || die "read to a pipe: not 4096 bytes"
[ "$(head -c 10 "$T/blk6")" = "from stdin" ] || die "read: wrong data"
run "$P" read --hex "$POOL" 6
expect_rc 0; expect_out '^00000000  +66 72 6f 6d'; expect_out '\|from stdin'
head -c 4096 /dev/urandom >"$T/rand"
run "$P" write --bsize 4096 -i "$T/rand" "$POOL" 16102
expect_rc 0
"$P" read "$POOL" 16102 | cmp -s - "$T/rand" || die "last block round trip"

# zero / error
run "$P" zero "$POOL" 5
expect_rc 0; expect_out 'block 5: set to zero'
"$P" read "$POOL" 5 | cmp -s - <(head -c 4096 /dev/zero) || die "zeroed block not zero"
run "$P" error "$POOL" 6
expect_rc 0; expect_out 'error state'
run "$P" read "$POOL" 6
expect_rc 3; expect_err '^pmemblk read: cannot read block 6: .*EIO'
run "$P" write -i "$T/in" "$POOL" 6
expect_rc 0
run "$P" read -o "$T/blk" "$POOL" 6
expect_rc 0
run "$P" error "$POOL" 7
expect_rc 0

# info --blocks now that the layout exists
run "$P" info --blocks "$POOL"
expect_rc 0; expect_out 'layout: +written'; expect_out 'state: +ok'
run "$P" info --blocks --json "$POOL"
jq_true '.btt.layout == "written" and .btt.narenas == 1'
jq_true '.blocks == {"total": 16103, "written": 2, "zeroed": 1, "error": 1, "never_written": 16099, "out_of_range": 0}'
jq_true '.btt.arenas[0] | .nfree == 256 and .external_nlba == 16103 and .mapoff == 67014656 and .file_offset == 8192'
jq_true '.btt.arenas[0].parent_uuid == .header.poolset_uuid'
python3 -m json.tool "$T/out" >/dev/null || die "python3 json.tool rejects the JSON"

# check
run "$P" check "$POOL"
expect_rc 0; expect_out "^$POOL: consistent$"; expect_quiet_err
run "$P" check "$T/b.blk"
expect_rc 0; expect_out 'consistent \(BTT layout not written yet\)'
run "$P" check --quiet "$POOL"
expect_rc 0; [ ! -s "$T/out" ] || die "check --quiet printed something"
run "$P" check --bsize 512 "$POOL"
expect_rc 3; expect_err '^pmemblk check: cannot check pool: wrong bsize'

# an inconsistent pool: map entry 1 made to point at block 0's data
cp "$POOL" "$T/bad.blk"
off0=$(pool_map_offset "$T/bad.blk" 16102)
off1=$(pool_map_offset "$T/bad.blk" 16101)
write_u32 "$T/bad.blk" "$off1" "$(read_u32 "$T/bad.blk" "$off0")"
run "$P" check "$T/bad.blk"
expect_rc 1; expect_out "^$T/bad.blk: not consistent$"
expect_out "^$T/bad.blk: arena 0: block [0-9]+ referenced twice"
run "$P" info --blocks --json "$T/bad.blk"
expect_rc 0; jq_true '.blocks.written == 3'

# bench: sync on the pool, text and JSON; no progress line when piped
# (block 7 leaves the error state first: a read of it would count as an error)
run "$P" zero "$POOL" 7
expect_rc 0
run "$P" bench --duration 0.2 --op write --overwrite "$POOL"
expect_rc 0; expect_out 'ops/s: +[0-9]'; expect_out 'latency p99:'; expect_quiet_err
run "$P" bench --duration 0.2 --op mix --read-pct 70 --threads 2 --overwrite --json "$POOL"
expect_rc 0
jq_true '.bench.api == "sync" and .bench.op == "mix" and .bench.read_pct == 70'
jq_true '.bench.ops > 0 and .bench.reads > 0 and .bench.errors == 0 and .bench.p99_ns >= .bench.p50_ns'
run "$P" bench --duration 0.2 --op read --range 4 --json "$POOL"
expect_rc 0; jq_true '.bench.writes == 0 and .bench.range == 4'
run "$P" bench --duration 0.2 --op write "$POOL"
expect_rc 2; expect_err 'pass --overwrite'
# --prefill writes every block: a read run on an existing pool needs
# --overwrite too, and without it the pool's data is untouched
echo "kept by bench" | "$P" write "$POOL" 3 || die "write block 3"
run "$P" bench --duration 0.2 --op read --prefill "$POOL"
expect_rc 2; expect_err 'read run with --prefill overwrites its blocks; pass --overwrite'
run "$P" read "$POOL" 3
expect_rc 0; expect_out '^kept by bench$'
run "$P" bench --duration 0.2 --op read --prefill --overwrite --range 8 --json "$POOL"
expect_rc 0; jq_true '.bench.range == 8'
run "$P" read "$POOL" 3
expect_rc 0; grep -q 'kept by bench' "$T/out" && die "--prefill --overwrite did not write block 3"
# a pool made for the run, then removed
run "$P" bench --duration 0.2 --size 32M --bsize 512 --op read --json "$T/new.blk"
expect_rc 0; jq_true '.bench.pool_created == true and .bench.bsize == 512'
jq_true '.cpu.model | length > 0'
[ ! -e "$T/new.blk" ] || die "bench left its pool behind"
run "$P" bench --duration 0.2 --size 32M --keep "$T/kept.blk"
expect_rc 0; [ -e "$T/kept.blk" ] || die "bench --keep removed the pool"

# async (always built in)
run "$P" bench --api async --queue-depth 4 --duration 0.2 --overwrite --json "$POOL"
expect_rc 0
jq_true '.bench.api == "async" and .bench.queue_depth == 4 and .bench.ops > 0 and .bench.errors == 0'
run "$P" bench --api async --mover sync --op mix --duration 0.2 --overwrite --json "$POOL"
expect_rc 0; jq_true '.bench.mover == "sync" and .bench.ops > 0'

# the pool still checks after all that
run "$P" check "$POOL"
expect_rc 0

# progress goes to a terminal only: under script(1) stderr is a tty
if command -v script >/dev/null; then
	script -qec "$P bench --duration 0.6 --overwrite $POOL" /dev/null >"$T/tty" 2>&1 ||
		die "bench under a terminal failed"
	grep -q $'\r''bench sync write: ' "$T/tty" || { LAST="script bench"; die "no progress line on a terminal"; }
fi

# demo
run "$P" demo --duration 0.1
expect_rc 0; expect_out '^demo: all 7 steps passed'
expect_out '^\[5\] check +pmemblk_check: consistent'
expect_out 'pmemblk_read_async futures read them back: contents match'
expect_out '^ +async +write +16 '
run "$P" demo --keep --duration 0.1 --dir "$T"
expect_rc 0
kept=$(sed -n 's/^demo: .*pool kept: //p' "$T/out")
[ -f "$kept" ] || die "demo --keep: no pool at '$kept'"
run "$P" check "$kept"
expect_rc 0
echo "cli: all checks passed"
