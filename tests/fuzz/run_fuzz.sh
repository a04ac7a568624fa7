#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs the libFuzzer target for FUZZ_SECONDS (default 60) seconds.
# usage: run_fuzz.sh FUZZER WORK_DIR SEED_DIR...
# New inputs go to WORK_DIR/corpus, crashes to WORK_DIR/artifacts/; the
# seed directories in the source tree are only read. Exit status:
# libFuzzer's (non-zero when it found a crash, a leak or a timeout).
set -e
fuzzer=$1 work=$2
shift 2
mkdir -p "$work/corpus" "$work/artifacts"
exec "$fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -timeout=30 \
	-rss_limit_mb=4096 -max_len=256 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" "$@"
