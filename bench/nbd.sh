#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# nbd.sh -- the pmemblk nbdkit plugin against nbdkit's file plugin (same
# size file, no atomicity) and memory plugin (a malloc array in RAM, the
# ceiling of the protocol path), through fio's nbd engine (issue 14).
# Prints a markdown table of medians.
#
# Usage: bench/nbd.sh [options] BUILD_DIR
#
#   BUILD_DIR is a CMake build directory of this project (the plugin is
#   BUILD_DIR/nbdkit/nbdkit-pmemblk-plugin.so).
#   Every case is 4 KiB random I/O, 2 connections (fio jobs) of iodepth 16
#   each, on a Unix socket. For each round the three servers are run in
#   turn (pmemblk, file, memory, pmemblk, ...), each one: a new backing
#   store in /dev/shm, a sequential fill of the area (so that reads read
#   written blocks), then randwrite and randread for --duration seconds.
#   The pool runs with PMEM_IS_PMEM_FORCE=1 (cache flushes, as on real
#   persistent memory). Run it through /work/bin/quiet or on an idle
#   machine; medians of --rounds rounds.
#
# Options:
#   -d, --duration SEC   seconds per measured run (default 5)
#   -r, --rounds N       rounds (default 3)
#   -s, --size MIB       area in MiB; the pool is made 16 MiB larger so
#                        that nblock * bsize covers it (default 1024)
#       --dir DIR        where the backing files go (default /dev/shm)
#       --log FILE       append each run's figures to FILE
#
# Exit status: 0 when every run succeeded.
set -euo pipefail

die() { echo "nbd.sh: $*" >&2; exit 1; }

duration=5 rounds=3 size=1024 dir=/dev/shm log=/dev/null build=''
while [ $# -gt 0 ]; do
	case $1 in
	-d|--duration) duration=$2; shift 2 ;;
	-r|--rounds) rounds=$2; shift 2 ;;
	-s|--size) size=$2; shift 2 ;;
	--dir) dir=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	-h|--help) sed -n '3,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) build=$1; shift ;;
	esac
done
[ -n "$build" ] || die "usage: bench/nbd.sh [options] BUILD_DIR"
plugin=$(realpath "$build/nbdkit/nbdkit-pmemblk-plugin.so")
[ -f "$plugin" ] || die "$plugin not built (needs nbdkit-plugin-dev)"
for c in nbdkit fio jq; do
	command -v $c >/dev/null || die "$c not installed"
done
fio --enghelp=nbd >/dev/null 2>&1 || die "this fio has no nbd engine"

work=$(mktemp -d "$dir/nbd_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# fio_run RW URI: IOPS of one measured fio run (2 jobs = 2 connections).
fio_run() {
	fio --name="$1" --ioengine=nbd --uri="$2" --thread --rw="$1" --bs=4k \
		--iodepth=16 --numjobs=2 --group_reporting --size="${size}m" \
		--time_based --runtime="$duration" --randrepeat=0 \
		--output-format=json >"$work/fio.out" 2>"$work/fio.err" ||
		{ cat "$work/fio.err" >&2; die "fio $1 on $2 failed"; }
	# the nbd engine prints "fio: connected to NBD server" first
	sed -n '/^{/,$p' "$work/fio.out" >"$work/fio.json"
	local key=write
	[ "$1" = randread ] && key=read
	jq -e ".jobs[0].error == 0" "$work/fio.json" >/dev/null ||
		die "fio $1 on $2 reported an error"
	jq -r ".jobs[0].$key.iops" "$work/fio.json"
}

# one_server NAME: fill, randwrite, randread against a fresh server NAME;
# prints "NAME write_iops read_iops".
one_server() {
	local name=$1 args=() env=()
	local sock=$work/sock
	rm -f "$work/store" "$sock"
	case $name in
	pmemblk)
		args=("$plugin" file="$work/store" create=true bsize=4K
			size=$((size + 16))M)
		env=(PMEM_IS_PMEM_FORCE=1) ;;
	file)
		truncate -s "${size}M" "$work/store"
		args=(file file="$work/store") ;;
	memory)
		# a flat malloc array: the sparse default measured slower here
		args=(memory size="${size}M" allocator=malloc) ;;
	esac
	env "${env[@]}" nbdkit -U "$sock" -f "${args[@]}" &
	local server=$!
	local uri="nbd+unix:///?socket=$sock"
	for _ in $(seq 600); do [ -S "$sock" ] && break; sleep 0.05; done
	[ -S "$sock" ] || die "$name: nbdkit did not start"
	fio --name=fill --ioengine=nbd --uri="$uri" --rw=write --bs=1m \
		--iodepth=4 --size="${size}m" >/dev/null 2>&1 || die "$name: fill failed"
	local w r
	w=$(fio_run randwrite "$uri")
	r=$(fio_run randread "$uri")
	kill $server
	wait $server || true
	rm -f "$work/store" "$sock"
	printf '%s %.0f %.0f\n' "$name" "$w" "$r"
}

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "# nbd.sh: $cpu, $(nproc) vCPUs; $rounds rounds x $duration s, ${size} MiB, 4 KiB random, 2 connections x iodepth 16" >&2
: >"$work/results"
for round in $(seq "$rounds"); do
	for name in pmemblk file memory; do
		line=$(one_server $name)
		echo "round $round: $line" >&2
		echo "$line" >>"$work/results"
		echo "$(date -u +%FT%TZ) $line" >>"$log"
	done
done

med() { awk -v n="$1" -v c="$2" '$1 == n {print $c}' "$work/results" | median; }
pw=$(med pmemblk 2) pr=$(med pmemblk 3)
fw=$(med file 2) fr=$(med file 3)
mw=$(med memory 2) mr=$(med memory 3)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "CPU: $cpu ($(nproc) vCPUs). fio nbd engine, 4 KiB random, 2 connections x iodepth 16, ${size} MiB, medians of $rounds alternated rounds of $duration s."
echo
echo "| case | pmemblk kIOPS | file kIOPS | memory kIOPS | pmemblk/file | pmemblk/memory |"
echo "|---|---:|---:|---:|---:|---:|"
k() { awk -v a="$1" 'BEGIN {printf "%.1f", a / 1000}'; }
echo "| randwrite | $(k "$pw") | $(k "$fw") | $(k "$mw") | $(ratio "$pw" "$fw") | $(ratio "$pw" "$mw") |"
echo "| randread | $(k "$pr") | $(k "$fr") | $(k "$mr") | $(ratio "$pr" "$fr") | $(ratio "$pr" "$mr") |"
