#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# fio.sh -- fio's nbd engine through the plugin: a randwrite job with
# verify=crc32c reads back every block it wrote; a second server on the
# same pool then verifies it all again (verify_only: the data outlived the
# server); pmemblk check and pmempool check call the pool consistent.
. "$(dirname "$0")/lib.sh"
require_cmd fio
fio --enghelp=nbd >/dev/null 2>&1 || skip "this fio has no nbd engine"

pool=$SCRATCH/pool
cd "$SCRATCH"	# fio's verify state files land here
job=(--name=nbdverify --thread --ioengine=nbd --uri='$uri' --rw=randwrite --bs=4k
	--size=32m --iodepth=16 --randseed=14 --verify=crc32c --verify_fatal=1)

# run_fio ARGS...: one fio job against a captive server; it must write (or
# verify) every one of the 8192 blocks without an error.
run_fio() {
	local expect=$1
	shift
	local out
	out=$(serve file="$pool" "${server_args[@]}" -- fio "${job[@]}" "$@" 2>&1) ||
		die "fio $*:"$'\n'"$out"
	grep -E "err=|issued rwts" <<<"$out" | sed 's/^ */  /'
	grep -q "nbdverify: (groupid=0, jobs=1): err= 0" <<<"$out" ||
		die "fio $* reported an error:"$'\n'"$out"
	grep -q "$expect" <<<"$out" || die "fio $* did not do all its I/O:"$'\n'"$out"
}

echo "== randwrite + verify (crc32c), iodepth 16, creating the pool"
server_args=(create=true bsize=4K size=48M)
run_fio "issued rwts: total=8192,8192," --do_verify=1
echo "== verify_only on a new server"
server_args=()
# (fio counts the writes it replays, so the totals match the first job's)
run_fio "issued rwts: total=8192,8192," --verify_only
pool_consistent "$pool"
# The control: each fio block carries its offset and a crc32c, which
# verify_only checks; a block set to zero behind fio's back must fail it.
if [ -n "${PMEMBLK_TOOL:-}" ]; then
	"$PMEMBLK_TOOL" zero "$pool" 5 >/dev/null || die "pmemblk zero"
	if serve file="$pool" -- fio "${job[@]}" --verify_only >"$SCRATCH/out" 2>&1; then
		die "fio verify_only passed with block 5 zeroed: it checks nothing"
	fi
	grep -q "verify: bad" "$SCRATCH/out" || { cat "$SCRATCH/out"; die "no verify failure for the zeroed block"; }
	echo "  control: block 5 zeroed -> $(grep -m1 -o "verify: bad[^,]*" "$SCRATCH/out")"
fi
echo "PASS"
