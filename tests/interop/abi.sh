#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# abi.sh -- a binary built against PMDK's header and library
# (blk_abi_pmdk_header) runs unchanged with our libpmemblk.so.1 first on
# LD_LIBRARY_PATH; it runs with PMDK's library too, as the reference.
. "$(dirname "$0")/lib.sh"
: "${BLK_ABI:?BLK_ABI must name the blk_abi_pmdk_header binary}"

check_libs
for lib in pmdk ours; do
	mkdir "$SCRATCH/$lib"
	out=$(with_lib "$lib" "$BLK_ABI" "$SCRATCH/$lib") ||
		die "[$lib] blk_abi_pmdk_header failed: $out"
	echo "[$lib] $out"
	loaded=$(realpath "$(sed -n 's/^loaded: //p' <<<"$out")")
	[ "$loaded" = "$(realpath "$(tool "$lib" lib)")" ] ||
		die "[$lib] the ABI binary loaded $loaded"
done
echo "PASS"
