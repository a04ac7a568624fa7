#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# badinput.sh -- the tool refuses bad input with one line on stderr and the
# documented exit status (2 usage, 3 failure), and never crashes, on bad
# arguments and on files that are not (whole) pools.
source "$(dirname "$0")/lib.sh"
P=$PMEMBLK
POOL=$T/a.blk
"$P" create --bsize 512 --size 32M "$POOL" >/dev/null || die "create"
printf 'data' | "$P" write "$POOL" 0 >/dev/null || die "first write"

# usage errors: exit 2, one line naming the command
run "$P"
expect_rc 2
run "$P" frobnicate
expect_rc 2; expect_err "^pmemblk: unknown command 'frobnicate'"
run "$P" info --bogus "$POOL"
expect_rc 2; expect_err "^pmemblk info: unknown option '--bogus'"
run "$P" info
expect_rc 2; expect_err '^pmemblk info: missing argument: expected POOL'
run "$P" info "$POOL" extra
expect_rc 2; expect_err "unexpected argument 'extra'"
run "$P" create --size 32M "$T/x.blk"
expect_rc 2; expect_err 'missing --bsize'
run "$P" create --bsize 512 "$T/x.blk"
expect_rc 2; expect_err 'missing --size'
run "$P" create --bsize 512 --size
expect_rc 2; expect_err "option '--size' needs a value"
for size in 12Q 1.3K 1. .5G -- -1M '' 99999999999999999999 20000000P; do
	run "$P" create --bsize 512 --size "$size" "$T/x.blk"
	expect_rc 2; expect_err '^pmemblk create: --size: '
done
for bsize in 0 5G abc 4096x; do
	run "$P" create --bsize "$bsize" --size 32M "$T/x.blk"
	expect_rc 2; expect_err '^pmemblk create: --bsize: '
done
run "$P" create --bsize 512 --size 32M --mode 0999 "$T/x.blk"
expect_rc 2; expect_err 'invalid mode'
[ ! -e "$T/x.blk" ] || die "a refused create left a file"

# block numbers
for cmd in read zero error; do
	for blk in abc 1.5 99999999999999999999 ''; do
		run "$P" "$cmd" "$POOL" "$blk"
		expect_rc 2; expect_err "^pmemblk $cmd: invalid block number"
	done
	run "$P" "$cmd" "$POOL" -1
	expect_rc 2; expect_err 'cannot be negative'
	run "$P" "$cmd" "$POOL" 64700
	expect_rc 2; expect_err 'block 64700 is out of range: .* has 64700 blocks \(0\.\.64699\)'
	run "$P" "$cmd" "$POOL"
	expect_rc 2; expect_err 'missing argument: expected POOL BLOCKS'
done
head -c 513 /dev/zero >"$T/big"
run "$P" write -i "$T/big" "$POOL" 1
expect_rc 2; expect_err 'input is longer than the block size \(512 bytes.*nothing written'
run "$P" write -i "$T/missing" "$POOL" 1
expect_rc 3; expect_err 'missing: No such file or directory'
run "$P" read -o "$T/nodir/out" "$POOL" 0
expect_rc 3; expect_err 'No such file or directory'
run "$P" read --bsize 4096 "$POOL" 0
expect_rc 3; expect_err 'cannot open pool: wrong bsize'

# bench arguments
run "$P" bench --duration 0 "$POOL"
expect_rc 2; expect_err 'invalid duration'
run "$P" bench --threads 0 "$POOL"
expect_rc 2; expect_err '--threads: 0 is out of range'
run "$P" bench --op scan "$POOL"
expect_rc 2; expect_err "--op: unknown value 'scan'"
run "$P" bench --read-pct 101 "$POOL"
expect_rc 2; expect_err '--read-pct'
run "$P" demo extra
expect_rc 2; expect_err "unexpected argument 'extra'"

# missing files: exit 3, one line
for cmd in info check; do
	run "$P" "$cmd" "$T/missing.blk"
	expect_rc 3; expect_err "^pmemblk $cmd: .*missing.blk.*No such file or directory"
done
for cmd in read zero error; do
	run "$P" "$cmd" "$T/missing.blk" 0
	expect_rc 3; expect_err "^pmemblk $cmd: cannot open pool: .*No such file or directory"
done
run "$P" create --bsize 512 --size 32M "$POOL"
expect_rc 3; expect_err 'cannot create pool: .*already exists'
run "$P" create --bsize 512 --size 1M "$T/small.blk"
expect_rc 3; expect_err 'cannot create pool: '
run "$P" create --bsize 512 --size 0 "$T/missing.blk"
expect_rc 3; expect_err 'cannot create pool: '

# files that are not pools: nothing crashes, exit 3 with a reason
: >"$T/empty"
head -c 100 /dev/urandom >"$T/tiny"
head -c $((20 << 20)) /dev/zero >"$T/zeros"
head -c $((20 << 20)) /dev/urandom >"$T/random"
for f in "$T/empty" "$T/tiny" "$T/zeros" "$T/random" "$T"; do
	for cmd in info check; do
		run "$P" "$cmd" "$f"
		expect_rc 3; expect_err "^pmemblk $cmd: "
	done
	run "$P" read "$f" 0
	expect_rc 3; expect_err '^pmemblk read: cannot open pool: '
done
# control bytes in the signature (major version 1 after it) stay out of
# the one-line message
{ printf 'P\nM\033[2J\000\001\000\000\000'; head -c $((20 << 20)) /dev/zero; } >"$T/ctrl"
for cmd in info check; do
	run "$P" "$cmd" "$T/ctrl"
	expect_rc 3; expect_err '"P\.M\.\[2J"'
done
run "$P" info "$T/zeros"
expect_err 'not a pool: the header is all zero'
run "$P" info "$T/empty"
expect_err 'smaller than a pool header'

# a pool file cut short after its layout was written: info still
# describes what is there and never reads past the end
cp "$POOL" "$T/cut.blk"
truncate -s 20M "$T/cut.blk"
run "$P" info --blocks "$T/cut.blk"
[ "$RC" -eq 0 ] || [ "$RC" -eq 3 ] || die "info on a truncated pool"
run "$P" check "$T/cut.blk"
[ "$RC" -eq 1 ] || [ "$RC" -eq 3 ] || die "check on a truncated pool"
run "$P" read "$T/cut.blk" 0
[ "$RC" -eq 0 ] || [ "$RC" -eq 3 ] || die "read on a truncated pool"

# a damaged header: info shows the bad checksum, the library refuses it
cp "$POOL" "$T/hdr.blk"
printf '\x55' | dd of="$T/hdr.blk" bs=1 seek=100 conv=notrunc status=none
run "$P" info --json "$T/hdr.blk"
expect_rc 1; jq_true '.header.checksum_valid == false'
jq_true '.verdict.opens == false and (.verdict.reason | contains("invalid checksum of pool header"))'
run "$P" check "$T/hdr.blk"
expect_rc 1; expect_out 'hdr.blk: pool header: checksum incorrect$'
expect_out 'hdr.blk: not consistent$'

# a damaged BTT info block: reported, both copies
cp "$POOL" "$T/btt.blk"
printf 'XX' | dd of="$T/btt.blk" bs=1 seek=8192 conv=notrunc status=none
run "$P" info --json "$T/btt.blk"
expect_rc 0; jq_true '.btt.arenas[0].state | startswith("primary info block invalid")'
infooff=$(jq -r '.btt.arenas[0].file_offset + .btt.arenas[0].infooff' "$T/out")
printf 'XX' | dd of="$T/btt.blk" bs=1 seek="$infooff" conv=notrunc status=none
run "$P" info --blocks "$T/btt.blk"
expect_rc 3; expect_err 'cannot count blocks: the BTT layout is damaged'
expect_out 'state: +damaged'

# a pool set file whose part is missing, and a malformed one: the reason
printf 'PMEMPOOLSET\n32M %s\n' "$T/part" >"$T/set"
run "$P" info "$T/set"
expect_rc 3; expect_err "set: part 0, $T/part: No such file or directory"
printf 'PMEMPOOLSET\n32M relative/part\n' >"$T/set"
run "$P" info "$T/set"
expect_rc 3; expect_err 'set: not a valid pool set file'
echo "badinput: all checks passed"
