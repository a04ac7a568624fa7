#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# kill.sh -- kill -9 of the server in the middle of a write job:
#  1. fio (nbd engine) fills 32 MiB with verifiable 4 KiB blocks (seed 1);
#  2. a second job (seed 2, other data) rewrites them at a limited rate,
#     and the server is killed with SIGKILL once the pool file shows that
#     writing has begun;
#  3. the pool opens, pmemblk check and pmempool check call it consistent,
#     and fio's verify pass finds every block whole: each one carries its
#     offset and a crc32c of its data, so a block mixing two versions
#     (or never written) fails it. Blocks of both jobs must be present.
. "$(dirname "$0")/lib.sh"
require_cmd fio
fio --enghelp=nbd >/dev/null 2>&1 || skip "this fio has no nbd engine"

pool=$SCRATCH/pool
sock=$SCRATCH/sock
cd "$SCRATCH"	# fio's verify state files land here
job=(--name=kill9 --thread --ioengine=nbd --rw=randwrite --bs=4k --size=32m
	--iodepth=16 --verify=crc32c --do_verify=0)

echo "== fill (seed 1)"
serve file="$pool" create=true bsize=4K size=48M -- \
	fio "${job[@]}" --uri='$uri' --randseed=1 >"$SCRATCH/fill.log" 2>&1 ||
	{ cat "$SCRATCH/fill.log"; die "fill"; }
cp "$pool" "$SCRATCH/before"

echo "== rewrite (seed 2), server killed with SIGKILL meanwhile"
server='' fio_pid=''
trap 'kill -9 $server $fio_pid 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT
nbdkit -U "$sock" -f "$PLUGIN" file="$pool" &
server=$!
for _ in $(seq 300); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || die "nbdkit did not create $sock"
# 1500 writes/s: the whole job would take more than 5 s
fio "${job[@]}" --uri="nbd+unix:///?socket=$sock" --randseed=2 \
	--rate_iops=1500 >"$SCRATCH/rewrite.log" 2>&1 &
fio_pid=$!
# wait (without a deadline of ours) until the pool file has changed
until ! cmp -s "$pool" "$SCRATCH/before"; do
	kill -0 $fio_pid 2>/dev/null || { cat "$SCRATCH/rewrite.log"; die "fio ended before writing"; }
	sleep 0.1
done
sleep 0.5
kill -9 $server
wait $server 2>/dev/null || true
# fio (one process: --thread) can wait forever on a dead server; it is
# not under test
kill -9 $fio_pid 2>/dev/null || true
wait $fio_pid 2>/dev/null || true
rm -f "$sock"

echo "== after the kill"
pool_consistent "$pool"
# how many blocks each job's data holds now
"$POOL_DUMP" "$pool" "$SCRATCH/after" 2>/dev/null || die "pool_dump after the kill"
"$POOL_DUMP" "$SCRATCH/before" "$SCRATCH/before.dump" 2>/dev/null || die "pool_dump before"
changed=$({ cmp -l "$SCRATCH/after" "$SCRATCH/before.dump" || true; } | awk '{print int(($1 - 1) / 4096)}' |
	sort -u | awk '$1 < 8192' | wc -l)
echo "  blocks holding the second job's data: $changed of 8192"
[ "$changed" -gt 0 ] || die "no block holds the second job's data"
out=$(serve file="$pool" -- fio "${job[@]}" --uri='$uri' --randseed=1 --verify_only 2>&1) ||
	die "fio verify after the kill:"$'\n'"$out"
grep -q "kill9: (groupid=0, jobs=1): err= 0" <<<"$out" || die "fio verify after the kill:"$'\n'"$out"
echo "  fio verify_only: all 8192 blocks whole (offset and crc32c match)"
echo "PASS"
