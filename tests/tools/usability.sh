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
expect_rc 0; expect_out '129720 blocks'	# doc/format.md §12.2: 64 MiB - 4 KiB
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
# one part alone: its header, and clearly a part, no BTT read from it;
# the library refuses to open a part alone, so info's verdict does (exit 1)
for part in p0 p1; do
	run "$P" info --json "$T/$part"
	expect_rc 1
	jq_true '.verdict.opens == false'
	jq_true '.pool.part_of_set == true and (.pool | has("nblock") | not)'
	jq_true '.btt.layout_written == false and (.btt | has("arenas") | not)'
	jq_true '.btt.layout | test("one part of a pool set")'
done
run "$P" info "$T/p1"
expect_rc 1; expect_out 'one part of a pool set: +yes'
# SINGLEHDR: one header, no header in the later parts
rm -f "$T"/p0 "$T"/p1
printf 'PMEMPOOLSET\nOPTION SINGLEHDR\n32M %s/p0\n32M %s/p1\n' "$T" "$T" >"$T/h.set"
run "$P" create --bsize 512 --size 0 "$T/h.set"
expect_rc 0; expect_out '129728 blocks'
run "$P" info --json "$T/h.set"
expect_rc 0
jq_true '.pool.nblock == 129728 and [.parts[] | .has_header] == [true, false]'
run "$P" info --json "$T/p0"
expect_rc 1; jq_true '.pool.part_of_set == true and .verdict.opens == false'
rm -f "$T"/p0 "$T"/p1

# ---- messages: same problem, same words ---------------------------------
POOL=$T/a.blk
run "$P" create --bsize 512 --size 32M "$POOL"
expect_rc 0
# a pool in use: flock held by another process
exec 9<"$POOL"
flock -n 9 || die "cannot take the test's own lock"
for cmd in "read $POOL 0" "zero $POOL 0" "bench --op read --duration 0.1 $POOL"; do
	run "$P" $cmd
	expect_rc 3; expect_err 'pool is in use by another process'
done
exec 9<&-
# not a pmemblk pool, in info and in the commands that open the pool
python3 -c 'import sys; sys.stdout.buffer.write(b"PMEMLOG\0" + (1).to_bytes(4, "little") + bytes(4084))' >"$T/log.pool"
head -c $((32 << 20)) /dev/zero >>"$T/log.pool"
run "$P" info "$T/log.pool"
expect_rc 3; expect_err 'not a pmemblk pool: wrong pool type: "PMEMLOG"'
run "$P" read "$T/log.pool" 0
expect_rc 3; expect_err 'not a pmemblk pool: wrong pool type: "PMEMLOG"'
# create on a directory says so
mkdir "$T/dir"
run "$P" create --bsize 512 --size 32M "$T/dir"
expect_rc 3; expect_err 'already exists and is a directory'

# ---- read and write ranges, hex dump collapsing --------------------------
head -c $((512 * 10)) /dev/urandom >"$T/ten"
run "$P" write -i "$T/ten" "$POOL" 10-19
expect_rc 0; expect_out '^blocks 10-19: wrote 10 blocks of 512 bytes \(5120 bytes from input\)$'
"$P" read "$POOL" 10-19 | cmp -s - "$T/ten" || die "read 10-19 differs from what write 10-19 wrote"
# lists, in the order given, and from a pipe
"$P" read "$POOL" 12,10-11 >"$T/list" || die "read a list"
{ dd if="$T/ten" bs=512 skip=2 count=1 status=none; head -c 1024 "$T/ten"; } | cmp -s - "$T/list" ||
	die "read 12,10-11 gives other bytes"
printf 'short' | "$P" write "$POOL" 20-21 >/dev/null || die "write a range from a pipe"
{ printf 'short'; head -c $((1024 - 5)) /dev/zero; } | cmp -s - <("$P" read "$POOL" 20-21) ||
	die "short input: the range is not zero-padded"
# too long input: a regular file is refused before anything is written
head -c $((512 * 3 + 1)) /dev/urandom >"$T/long"
"$P" zero "$POOL" 30-32 >/dev/null || die "zero a range"
run "$P" write -i "$T/long" "$POOL" 30-32
expect_rc 2; expect_err 'input is longer than the blocks .*nothing written'
"$P" read "$POOL" 30-32 | cmp -s - <(head -c 1536 /dev/zero) || die "refused write wrote something"
run "$P" read "$POOL" 5-70000
expect_rc 2; expect_err "block 70000 is out of range"
for bad in 5-3 1,,2 1- ,1 a-b; do
	run "$P" read "$POOL" "$bad"
	expect_rc 2; expect_err "invalid block number or range '$bad'"
done
run "$P" error "$POOL" 40-41
expect_rc 0; expect_out '^blocks 40-41: set to the error state'
run "$P" read "$POOL" 41
expect_rc 3
# hex: equal lines collapse into one '*', the dump ends with the length
"$P" zero "$POOL" 50-51 >/dev/null || die "zero 50-51"
printf 'abc' | "$P" write "$POOL" 51 >/dev/null || die "write 51"
run "$P" read --hex "$POOL" 50-51
expect_rc 0
cat >"$T/hex.expected" <<'HEX'
00000000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000200  61 62 63 00 00 00 00 00  00 00 00 00 00 00 00 00  |abc.............|
00000210  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
*
00000400
HEX
diff "$T/hex.expected" "$T/out" >/dev/null || die "read --hex: not the collapsed dump expected"
# the same bytes through hexdump -C, when installed
if command -v hexdump >/dev/null; then
	"$P" read "$POOL" 50-51 | hexdump -C | diff - "$T/out" >/dev/null ||
		die "read --hex differs from hexdump -C"
fi

# ---- help, version, sizes -------------------------------------------------
for cmd in create info check read write zero error bench demo; do
	run "$P" help "$cmd"
	expect_rc 0; expect_out "^Usage: pmemblk $cmd"
	help_out=$(cat "$T/out")
	# every option of the Options list is in the Usage lines
	usage=$(sed '/^$/q' <<<"$help_out")
	opts=$(sed -n '/^Options:/,/^$/p' <<<"$help_out" |
		grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -v -- '--help')
	while read -r line; do
		[ -n "$line" ] || continue
		short=$(grep -oE '^-[a-zA-Z]' <<<"$line" || true)
		long=$(grep -oE -- '--[a-z-]+' <<<"$line")
		grep -qE -- "\[$long[] ]|\[$short[] ]|(^| )$long |(^| )$short " <<<"$usage" ||
			die "pmemblk $cmd --help: option $long is not in the Usage line"
	done <<<"$opts"
done
run "$P" help nosuch
expect_rc 2; expect_err "unknown command 'nosuch'"
run "$P" -V
expect_rc 0; expect_out '^pmemblk [0-9]'
run "$P" --help
expect_rc 0; expect_out 'powers of 1024'; expect_out 'powers of 1000'
run "$P" create --bsize 512 --size 32.5M "$T/dec.blk"
expect_rc 0
[ "$(stat -c %s "$T/dec.blk")" = $((65 << 19)) ] || die "--size 32.5M: not 34078720 bytes"
run "$P" create --bsize 512 --size 33.3M "$T/dec2.blk"
expect_rc 2; expect_err 'not a whole number of bytes'
run "$P" create --bsize 512 --size 40MB "$T/mb.blk"
expect_rc 0
[ "$(stat -c %s "$T/mb.blk")" = 40000000 ] || die "--size 40MB: not 40000000 bytes"
run "$P" info --json=yes "$POOL"
expect_rc 2; expect_err "option '--json' takes no value"

# ---- bench: range, --op, persistence --------------------------------------
run "$P" bench --op read -n 100000 --duration 0.1 "$POOL"
expect_rc 2; expect_err '--range 100000 is beyond the pool: .* has 64[0-9]+ blocks'
run "$P" bench --op scan "$POOL"
expect_rc 2; expect_err "unknown value 'scan' \(valid: read, write, mix\)"
# /dev/shm and /tmp are not DAX here: msync, said with the reason, unless forced
run env -u PMEM_IS_PMEM_FORCE "$P" bench --op read --range 30 --duration 0.1 --json "$POOL"
expect_rc 0
dax=0
python3 - "$POOL" <<'PY' && dax=1
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
try:
    mmap.mmap(fd, 4096, flags=0x03 | 0x80000, prot=mmap.PROT_READ)  # MAP_SHARED_VALIDATE|MAP_SYNC
except OSError:
    sys.exit(1)
PY
if [ $dax = 0 ]; then
	jq_true '.bench.persistence == "msync" and (.bench.persistence_reason | test("not on DAX"))'
	run env -u PMEM_IS_PMEM_FORCE "$P" info --json "$POOL"
	jq_true '.persistence.mode == "msync" and .persistence.cache_flushes == false'
fi
run env PMEM_IS_PMEM_FORCE=1 "$P" bench --op read --range 30 --duration 0.1 --json "$POOL"
expect_rc 0; jq_true '.bench.persistence == "pmem" and (.bench.persistence_reason | test("PMEM_IS_PMEM_FORCE=1"))'
run env PMEM_IS_PMEM_FORCE=0 "$P" info --json "$POOL"
expect_rc 0; jq_true '.persistence.mode == "msync" and (.persistence.reason | test("PMEM_IS_PMEM_FORCE=0"))'
run env PMEM_IS_PMEM_FORCE=1 "$P" info "$POOL"
expect_rc 0; expect_out '^  mode: +pmem$'

# ---- JSON types -----------------------------------------------------------
run "$P" info --json "$POOL"
expect_rc 0
jq_true '(.descriptor.is_zeroed | type) == "boolean" and (.btt.layout_written | type) == "boolean"'
jq_true '(.header.shutdown_state | has("device_id_sum")) and (.header.shutdown_state | has("uuid") | not)'

echo "PASS"
