#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# io.sh -- the plugin serves what a block device client expects:
#  - --help and --dump-plugin describe it;
#  - create=true makes a pool; nbdinfo shows nblock * bsize and the
#    advertised block sizes (bsize for a power of two; 1 and 4096 else);
#  - nbdcopy of 64 MiB of random data in and back out is byte-identical,
#    and after the server exits our pmemblk_read and PMDK's read the same
#    bytes, and pmemblk check / pmempool check call the pool consistent;
#  - unaligned writes, zeros and trims match a model (bsize 4096 and 520),
#    and two connections patching one block lose no write (nbd_client).
. "$(dirname "$0")/lib.sh"
require_cmd nbdinfo nbdcopy jq

echo "== --help and --dump-plugin"
nbdkit "$PLUGIN" --help | grep -q "file=<POOL>" || die "--help lacks file="
nbdkit "$PLUGIN" --help | grep -q "bsize=" || die "--help lacks bsize="
nbdkit "$PLUGIN" --dump-plugin | grep -q "^thread_model=parallel$" ||
	die "--dump-plugin: thread model is not parallel"
nbdkit "$PLUGIN" --dump-plugin | grep -q "^pmemblk_library_compatible=yes$" ||
	die "--dump-plugin: library not compatible"

pool=$SCRATCH/pool
data=$SCRATCH/data
head -c $((64 * MIB)) /dev/urandom >"$data"

echo "== create=true, nbdinfo, nbdcopy in and out"
serve file="$pool" create=true bsize=4K size=72M -- \
	"nbdinfo --json \"\$uri\" >$SCRATCH/info.json &&
	 nbdcopy $data \"\$uri\" && nbdcopy \"\$uri\" $SCRATCH/back" ||
	die "nbdkit create + nbdinfo + nbdcopy"
jq -c '.exports[0] | {"export-size", block_size_minimum, block_size_preferred,
	can_multi_conn, can_fua, can_zero, can_fast_zero, can_trim, is_read_only}' \
	"$SCRATCH/info.json"
"$POOL_DUMP" "$pool" "$SCRATCH/dump" 2>/dev/null || die "pool_dump"
size=$(stat -c %s "$SCRATCH/dump")	# nblock * bsize, as the library reads it
q() { jq -r ".exports[0].$1" "$SCRATCH/info.json"; }
[ "$(q '"export-size"')" = "$size" ] || die "export size $(q '"export-size"') != nblock * bsize $size"
[ "$(q block_size_minimum)" = 4096 ] || die "minimum block size $(q block_size_minimum)"
[ "$(q block_size_preferred)" = 4096 ] || die "preferred block size $(q block_size_preferred)"
for f in can_multi_conn can_fua can_zero can_fast_zero can_trim; do
	[ "$(q $f)" = true ] || die "$f is $(q $f)"
done
[ "$(q is_read_only)" = false ] || die "export is read-only"
[ "$(stat -c %s "$SCRATCH/back")" = "$size" ] || die "copied back $(stat -c %s "$SCRATCH/back") bytes, not $size"
dump_check ours "$pool" "$data"
cmp -n $((64 * MIB)) "$SCRATCH/back" "$data" || die "nbdcopy out differs from what went in"
cmp "$SCRATCH/back" "$SCRATCH/dump" || die "nbdcopy out differs from pmemblk_read"
echo "  nbdcopy: 64 MiB in and out byte-identical"
if have_pmdk_blk; then
	dump_check pmdk "$pool" "$data"
else
	echo "  PMDK's libpmemblk.so.1 not installed: its read-back skipped"
fi
pool_consistent "$pool"
rm -f "$SCRATCH/back" "$SCRATCH/dump"

echo "== serving an existing pool: bsize checked, file as the bare parameter"
serve "$pool" bsize=4096 -- "nbdinfo --size \"\$uri\" >$SCRATCH/size" ||
	die "nbdkit on the existing pool"
[ "$(cat "$SCRATCH/size")" = "$size" ] || die "size $(cat "$SCRATCH/size") on reopen"

if [ -z "${NBD_CLIENT:-}" ]; then
	echo "SKIP (partly): nbd_client not built (libnbd-dev missing)"
	exit 0
fi

echo "== unaligned requests and racing partial writes, bsize 4096"
serve "$pool" -- "$NBD_CLIENT unaligned \"\$uri\" 4096 1 &&
	$NBD_CLIENT race \"\$uri\" 4096" || die "nbd_client on bsize 4096"
pool_consistent "$pool"
rm -f "$pool"

echo "== bsize 520 (not a power of two): block sizes 1/4096, unaligned requests"
serve file="$pool" create=true bsize=520 size=17M -- \
	"nbdinfo --json \"\$uri\" >$SCRATCH/info.json &&
	 $NBD_CLIENT unaligned \"\$uri\" 520 2" || die "nbd_client on bsize 520"
[ "$(q block_size_minimum)" = 1 ] || die "bsize 520: minimum block size $(q block_size_minimum)"
[ "$(q block_size_preferred)" = 4096 ] || die "bsize 520: preferred block size $(q block_size_preferred)"
pool_consistent "$pool"
echo "PASS"
