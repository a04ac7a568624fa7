#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# fio.sh -- fio's pmemblk engine runs randwrite jobs with verify=crc32c on
# our libpmemblk.so.1 (picked by LD_LIBRARY_PATH) with no verify error.
# The first job creates the pool (the engine opens first and creates on
# ENOENT), the second reopens it; then pmempool check must call it
# consistent. Both block sizes of the other interop tests.
. "$(dirname "$0")/lib.sh"
require_cmd fio

fio_bin=$(command -v fio)
assert_links_ours "$fio_bin"

# run_fio NAME POOL BSIZE POOL_MIB IO_MIB SEED
run_fio() {
	local out rc=0
	out=$(with_lib ours fio --name="$1" --thread --ioengine=pmemblk \
		--filename="$2,$3,$4" --rw=randwrite --bs="$3" --size="$5m" \
		--randseed="$6" --verify=crc32c --do_verify=1 --verify_fatal=1 \
		2>&1) || rc=$?
	grep -E "err=|issued rwts|verify" <<<"$out" | sed 's/^ */    /'
	[ $rc -eq 0 ] || die "fio job $1 exited $rc:"$'\n'"$out"
	grep -q "$1: (groupid=0, jobs=1): err= 0" <<<"$out" ||
		die "fio job $1 reported an error:"$'\n'"$out"
	# Every block written was read back and verified.
	local n=$(($5 * MIB / $3))
	grep -q "issued rwts: total=$n,$n," <<<"$out" ||
		die "fio job $1 did not write and verify $n blocks:"$'\n'"$out"
}

for geometry in "4096 64 32" "512 32 8"; do
	read -r bsize pool_mib io_mib <<<"$geometry"
	pool=$SCRATCH/fio.$bsize
	echo "== fio pmemblk engine, bsize $bsize, pool $pool_mib MiB"
	run_fio create "$pool" "$bsize" "$pool_mib" "$io_mib" 1
	[ -f "$pool" ] || die "fio did not create $pool"
	run_fio reopen "$pool" "$bsize" "$pool_mib" "$io_mib" 2
	if command -v pmempool >/dev/null; then
		pmempool check "$pool" || die "pmempool check $pool after fio"
		echo "  pmempool check: consistent"
	fi
	rm -f "$pool"
done
echo "PASS"
