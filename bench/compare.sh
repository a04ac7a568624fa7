#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# compare.sh -- run pmemblk_bench on our libpmemblk and on PMDK's, alternated,
# and print a markdown table of medians and ratios (issue 8).
#
# Usage: bench/compare.sh [options] BUILD_DIR
#
#   BUILD_DIR is a CMake build directory of this project: the benchmark is
#   BUILD_DIR/bench/pmemblk_bench and our library BUILD_DIR/src/libpmemblk.so.1.
#   "ours" runs with LD_LIBRARY_PATH=BUILD_DIR/src, "PMDK" with LD_LIBRARY_PATH
#   empty (the system's libpmemblk.so.1 from Debian's libpmemblk1). The same
#   binary is used for both; each run prints which file it loaded, and the
#   script stops if that is not the expected one.
#
#   For every case the runs go ours, PMDK, raw, ours, PMDK, raw, ... (--pairs
#   rounds), each on a new pool that is removed afterwards, and the table shows
#   the median of each. "raw" is the same workload on a plain pmem_map_file()
#   mapping of the same size with the matching persistence: --raw clwb (copy,
#   flush of each line, SFENCE) for the PMEM_IS_PMEM_FORCE=1 cases, --raw msync
#   for the msync case. Then --open-bench and --create-bench, alternated too.
#
# Options:
#   -d, --duration SEC      measured seconds per run (default 5)
#   -p, --pairs N           ours/PMDK rounds per case (default 3)
#   -s, --size SIZE         pool size of the forced-pmem cases (default 1G)
#       --msync-size SIZE   pool size of the msync case (default 256M)
#       --msync-duration S  duration of the msync case (default: --duration,
#                           at most 3)
#       --open-size SIZE    pool size for --open-bench (default 4G)
#       --create-size SIZE  pool size for --create-bench (default 1G)
#       --cases LIST        comma-separated case names (default: all; see
#                           --list)
#       --list              print the cases and exit
#       --libs LIST         "ours,pmdk" (default), "ours" or "pmdk"
#       --strategy LIST     metadata store(s) of our library, comma-separated:
#                           auto (default), nt, cached, or all (= auto,nt,cached,
#                           each alternated with PMDK in every round, one row
#                           each); see doc/cpu_strategies.md
#       --nt                also run --raw nt for the forced-pmem cases
#       --no-raw            skip the raw baselines
#       --no-open-create    skip the open and create benchmarks
#       --dir DIR           where pools are created (default /dev/shm)
#       --bench PATH        benchmark binary (default BUILD_DIR/bench/pmemblk_bench)
#       --ours-libdir DIR   directory of our libpmemblk.so.1 (default BUILD_DIR/src)
#       --metric M          ops (default): ops/s of the wall-clock run;
#                           cpu: cpu_ops_per_s, ops/s scaled to fully used
#                           threads -- steadier on a busy machine, but it
#                           flatters a library whose threads sleep on locks,
#                           so use it for 1-thread cases only
#       --out FILE          also write the report (markdown) to FILE
#       --log FILE          append every RESULT line to FILE
#       --quick             1 s per run, 1 pair, 256 MiB pools (CI, a few minutes)
#       --smoke             ours + raw only, one mixed case with content checks,
#                           64 MiB, 1 s (the bench_smoke ctest); exit 0 = ok
#       --async             instead of the tables above: our async API against
#                           the same thread's sync loop (issue 11): one
#                           application thread, the threads mover with the
#                           benchmark's default workers, QD 1-128, 4 KiB and
#                           512 B writes and reads, the overlap case (--crc:
#                           ~1 us of CRC32C per block before each submission),
#                           QD1 through the sync mover. Runs go sync, async,
#                           sync, async, ... on one prefilled pool per block
#                           size; the table gives medians, async/sync and the
#                           application thread's CPU time per operation.
#
# Examples:
#   bench/compare.sh build                      # full run, 15-20 minutes
#   bench/compare.sh --quick build              # smoke of the whole matrix
#   bench/compare.sh -d 3 -p 5 --cases w4k-rand,w512-rand build
#   bench/compare.sh --async -d 2 -p 3 build    # async table, ~10 minutes
#
# Exit status: 0 when every run succeeded (including its content checks).

set -euo pipefail

die() { echo "compare.sh: $*" >&2; exit 1; }

duration=5 pairs=3 size=1G msync_size=256M msync_duration=''
open_size=4G create_size=1G cases='' libs=ours,pmdk nt=0 raw=1 open_create=1
dir=/dev/shm bench='' ours_libdir='' out='' log='' smoke=0 build='' verify=100
metric=ops strategy=auto async=0
argv_copy="$*"

while [ $# -gt 0 ]; do
	case $1 in
	-d|--duration) duration=$2; shift 2 ;;
	-p|--pairs) pairs=$2; shift 2 ;;
	-s|--size) size=$2; shift 2 ;;
	--msync-size) msync_size=$2; shift 2 ;;
	--msync-duration) msync_duration=$2; shift 2 ;;
	--open-size) open_size=$2; shift 2 ;;
	--create-size) create_size=$2; shift 2 ;;
	--cases) cases=$2; shift 2 ;;
	--libs) libs=$2; shift 2 ;;
	--strategy) strategy=$2; shift 2 ;;
	--nt) nt=1; shift ;;
	--no-raw) raw=0; shift ;;
	--no-open-create) open_create=0; shift ;;
	--dir) dir=$2; shift 2 ;;
	--bench) bench=$2; shift 2 ;;
	--ours-libdir) ours_libdir=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--metric) metric=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--quick) duration=1 pairs=1 size=256M msync_size=64M open_size=1G
		create_size=256M; shift ;;
	--smoke) smoke=1; shift ;;
	--async) async=1; shift ;;
	--list) list_only=1; shift ;;
	-h|--help) sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) [ -z "$build" ] || die "more than one BUILD_DIR"; build=$1; shift ;;
	esac
done
# msync mode is slow and steady: a shorter run is enough
if [ -z "$msync_duration" ]; then
	msync_duration=$(awk -v d="$duration" 'BEGIN { print (d > 3 ? 3 : d) }')
fi

# name | PMEM_IS_PMEM_FORCE | pool size | duration | raw mode | target ours/PMDK | bench args
# (PMEM_IS_PMEM_FORCE=0 makes both libraries treat the file as non-pmem,
# i.e. msync mode, even on a real DAX file system.)
case_table() {
	cat <<EOF
w4k-rand|1|$size|$duration|clwb|>= 1.3|--op write --pattern rand --bsize 4096 --threads 1
w512-rand|1|$size|$duration|clwb|>= 1.8|--op write --pattern rand --bsize 512 --threads 1
w512-rand-2t|1|$size|$duration|clwb||--op write --pattern rand --bsize 512 --threads 2
r4k-rand|1|$size|$duration|clwb|>= 1.0|--op read --pattern rand --bsize 4096 --threads 1
r512-rand|1|$size|$duration|clwb|>= 1.3|--op read --pattern rand --bsize 512 --threads 1
w4k-seq|1|$size|$duration|clwb||--op write --pattern seq --bsize 4096 --threads 1
mix4k-rand|1|$size|$duration|clwb||--op mix --read-pct 50 --pattern rand --bsize 4096 --threads 1
w4k-rand-msync|0|$msync_size|$msync_duration|msync|>= 1.3|--op write --pattern rand --bsize 4096 --threads 1
EOF
}

if [ "${list_only:-0}" = 1 ]; then
	case_table | awk -F'|' '{ printf "%-16s PMEM_IS_PMEM_FORCE=%s size=%s raw=%s  %s\n", $1, $2, $3, $5, $7 }'
	exit 0
fi

[ -n "$build" ] || die "usage: compare.sh [options] BUILD_DIR (see --help)"
[ -n "$bench" ] || bench=$build/bench/pmemblk_bench
[ -n "$ours_libdir" ] || ours_libdir=$build/src
[ -x "$bench" ] || die "no benchmark binary at $bench (build the pmemblk_bench target)"
[[ $pairs =~ ^[1-9][0-9]*$ ]] || die "bad --pairs $pairs"
case $metric in
ops) metric_field=ops_per_s metric_name="kops/s" ;;
cpu) metric_field=cpu_ops_per_s metric_name="kops/CPU-s" ;;
*) die "bad --metric $metric (ops or cpu)" ;;
esac

[ "$strategy" != all ] || strategy=auto,nt,cached
strategies=${strategy//,/ }
for s in $strategies; do
	case $s in auto|nt|cached) ;; *) die "bad --strategy $strategy (auto, nt, cached, all)" ;; esac
done
nstrat=$(wc -w <<<"$strategies")
ours_runs=$(for s in $strategies; do printf 'ours@%s ' "$s"; done)

if [ "$smoke" = 1 ]; then
	libs=ours pairs=1 nt=0 raw=1 open_create=0
	verify=10
	smoke_case="smoke-mix4k|1|64M|1|clwb||--op mix --pattern rand --bsize 4096 --threads 2"
fi

want_ours=0 want_pmdk=0
case ",$libs," in *,ours,*) want_ours=1 ;; esac
case ",$libs," in *,pmdk,*) want_pmdk=1 ;; esac
[ $want_ours = 1 ] || [ $want_pmdk = 1 ] || die "bad --libs '$libs'"
if [ $want_ours = 1 ]; then
	[ -e "$ours_libdir/libpmemblk.so.1" ] ||
		die "our library is not at $ours_libdir/libpmemblk.so.1 (use --libs pmdk to run PMDK only)"
	ours_libdir=$(cd "$ours_libdir" && pwd -P)
fi
if [ ! -d "$dir" ] || [ ! -w "$dir" ]; then
	[ "$smoke" = 1 ] || die "pool directory $dir is not writable"
	dir=${TMPDIR:-/tmp}
fi

pool=$dir/pmemblk_compare.$$.pool
trap 'rm -f "$pool"' EXIT

# one RESULT key from a RESULT line
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR == 0) print "";
		      else if (NR % 2) print v[(NR + 1) / 2];
		      else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio a/b with 2 decimals, "-" when either is missing
ratio() {
	if [ -z "$1" ] || [ -z "$2" ]; then echo "-"; return; fi
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

kops() {
	if [ -z "$1" ]; then echo "-"; return; fi
	awk -v a="$1" 'BEGIN { printf "%.1f", a / 1000 }'
}

# run_bench WHICH FORCE ARGS... -> sets $result (the RESULT line)
# WHICH is ours, pmdk or raw; FORCE the PMEM_IS_PMEM_FORCE value.
run_bench() {
	local which=$1 force=$2 libpath errfile conf=()
	shift 2
	case $which in
	ours*) libpath=$ours_libdir
		# ours@S: our library with persist.metadata_store=S
		[[ $which != ours@* ]] ||
			conf=("PMEMBLK_CONF=persist.metadata_store=${which#ours@}") ;;
	*) libpath= ;;
	esac
	errfile=$(mktemp)
	rm -f "$pool"
	if ! result=$(env LD_LIBRARY_PATH="$libpath" PMEM_IS_PMEM_FORCE="$force" \
			"${conf[@]}" "$bench" --pool "$pool" --fresh --cleanup "$@" 2>"$errfile"); then
		echo "compare.sh: run failed: $which PMEM_IS_PMEM_FORCE=$force $bench $*" >&2
		cat "$errfile" >&2
		rm -f "$errfile"
		exit 1
	fi
	rm -f "$errfile" "$pool"
	result=$(grep '^RESULT ' <<<"$result" || true)
	[ -n "$result" ] || die "no RESULT line from: $which $bench $*"
	[ -z "$log" ] || echo "$which $result" >>"$log"

	local lib
	lib=$(field lib "$result")
	case $which in
	ours*) [[ $lib == "$ours_libdir"/* ]] ||
		die "ours run loaded $lib, not a library in $ours_libdir" ;;
	pmdk) [[ $lib != "$ours_libdir"/* && $lib != unknown ]] ||
		die "PMDK run loaded $lib (is LD_LIBRARY_PATH or ld.so.conf pointing at our build?)" ;;
	esac
	if [ "$(field verify_fail "$result")" != "" ] &&
			[ "$(field verify_fail "$result")" != 0 ]; then
		die "content check failed: $which $*"
	fi
}

declare -A ops p50 p99 cpus store
report=$(mktemp)
trap 'rm -f "$pool" "$report"' EXIT

# name | bsize | target async/sync | sync args | async args
async_table() {
	local q
	for q in 1 4 8 32 128; do
		echo "w4k-qd$q|4096|$([ $q = 32 ] && echo '>= 1.3' || echo '>= 0.9')|--op write|--op write --qd $q"
	done
	for q in 1 4 8 32 128; do
		echo "w512-qd$q|512|$([ $q = 32 ] && echo '>= 1.2' || echo '>= 0.9')|--op write|--op write --qd $q"
	done
	for q in 1 32; do
		echo "r4k-qd$q|4096|$([ $q = 32 ] && echo '>= 1.0' || echo '>= 0.9')|--op read|--op read --qd $q"
		echo "r512-qd$q|512|$([ $q = 32 ] && echo '>= 1.0' || echo '>= 0.9')|--op read|--op read --qd $q"
	done
	echo "w4k-crc-qd32|4096|>= 1.5|--op write --crc|--op write --crc --qd 32"
	echo "w4k-qd1-syncmover|4096|>= 0.9|--op write|--op write --qd 1 --mover sync"
}

# arun BSIZE ARGS... -> $result: one run on the prefilled pool of BSIZE
arun() {
	local bs=$1 errfile
	shift
	errfile=$(mktemp)
	if ! result=$(env LD_LIBRARY_PATH="$ours_libdir" PMEM_IS_PMEM_FORCE=1 \
			"$bench" --pool "$pool.$bs" --size "$size" --bsize "$bs" \
			--no-prefill --duration "$duration" --warmup 0.3 "$@" \
			2>"$errfile"); then
		echo "compare.sh: run failed: $bench $*" >&2
		cat "$errfile" >&2
		rm -f "$errfile"
		exit 1
	fi
	rm -f "$errfile"
	result=$(grep '^RESULT ' <<<"$result" || true)
	[ -n "$result" ] || die "no RESULT line from: $bench $*"
	[ -z "$log" ] || echo "async $result" >>"$log"
}

if [ "$async" = 1 ]; then
	[ $want_ours = 1 ] || die "--async runs our library only"
	trap 'rm -f "$pool" "$pool.4096" "$pool.512" "$report"' EXIT
	atable=$(async_table)
	if [ -n "$cases" ]; then
		atable=$(awk -F'|' -v want=",$cases," 'index(want, "," $1 ",")' <<<"$atable")
		[ -n "$atable" ] || die "no async case matches --cases $cases"
	fi
	for bs in 4096 512; do	# every block written once, as in the other cases
		env LD_LIBRARY_PATH="$ours_libdir" PMEM_IS_PMEM_FORCE=1 "$bench" \
			--pool "$pool.$bs" --fresh --size "$size" --bsize "$bs" \
			--op write --duration 0.1 >/dev/null ||
			die "cannot prefill $pool.$bs"
	done
	declare -A cpuop
	started=$(date +%s)
	for ((round = 1; round <= pairs; round++)); do
		while IFS='|' read -r name bs target sargs aargs; do
			[ -n "$name" ] || continue
			for which in sync async; do
				if [ $which = sync ]; then a=$sargs; else a=$aargs; fi
				# shellcheck disable=SC2086
				arun "$bs" $a
				ops[$name,$which]+=" $(field ops_per_s "$result")"
				cpus[$name,$which]+=" $(field cpu_util "$result")"
				cpuop[$name,$which]+=" $(field cpu_ns_per_op "$result")"
				printf '%-18s %-5s round %d: %9.0f ops/s  %s ns CPU/op\n' \
					"$name" "$which" "$round" "$(field ops_per_s "$result")" \
					"$(field cpu_ns_per_op "$result")" >&2
			done
		done <<<"$atable"
	done
	amed() { local -n arr=$1; median ${arr[$2,$3]:-}; } # shellcheck disable=SC2086
	{
		echo "## pmemblk_bench: async API against the same thread's sync loop"
		echo
		commit=$(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo unknown)
		echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $size pools in $dir, PMEM_IS_PMEM_FORCE=1"
		echo "Command: \`bench/compare.sh $argv_copy\` -- $pairs alternated round(s), medians; one application thread; threads mover with the benchmark's 2 workers unless the case says otherwise."
		echo "CPU ns/op: the application (polling) thread's CPU time per operation (CLOCK_THREAD_CPUTIME_ID); the movers' workers are not counted."
		echo
		echo "| case | sync kops/s | async kops/s | async/sync | target | sync CPU ns/op | async poller CPU ns/op | CPU use s/a |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|"
		while IFS='|' read -r name bs target sargs aargs; do
			[ -n "$name" ] || continue
			s_=$(amed ops "$name" sync) a_=$(amed ops "$name" async)
			printf '| %s | %s | %s | %s | %s | %.0f | %.0f | %.2f/%.2f |\n' \
				"$name" "$(kops "$s_")" "$(kops "$a_")" "$(ratio "$a_" "$s_")" \
				"$target" "$(amed cpuop "$name" sync)" "$(amed cpuop "$name" async)" \
				"$(amed cpus "$name" sync)" "$(amed cpus "$name" async)"
		done <<<"$atable"
		echo
		echo "Total time: $(( $(date +%s) - started )) s."
	} >"$report"
	cat "$report"
	[ -z "$out" ] || cp "$report" "$out"
	exit 0
fi

if [ "$smoke" = 1 ]; then
	table=$smoke_case
else
	table=$(case_table)
	if [ -n "$cases" ]; then
		table=$(awk -F'|' -v want=",$cases," 'index(want, "," $1 ",")' <<<"$table")
		[ -n "$table" ] || die "no case matches --cases $cases (see --list)"
	fi
fi

ncases=$(grep -c . <<<"$table")
nforced=$(grep -c '^[^|]*|1|' <<<"$table" || true)
total=$(( pairs * (ncases * (want_ours * nstrat + want_pmdk + raw) + raw * nt * nforced) ))
n=0 min_cpu=9 min_cpu_run=''
started=$(date +%s)

while IFS='|' read -r name force psize dur rawmode target args; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086 # args is a word list on purpose
	for ((round = 1; round <= pairs; round++)); do
		for which in $ours_runs pmdk raw nt; do
			case $which in
			ours@*) [ $want_ours = 1 ] || continue
				# msync mode has no metadata store choice: one run
				[ "$force" = 1 ] || [ "$which" = "ours@${strategies%% *}" ] || continue
				set -- ;;
			pmdk) [ $want_pmdk = 1 ] || continue
				set -- ;;
			raw) [ $raw = 1 ] || continue
				set -- --raw "$rawmode" ;;
			nt) if [ $raw = 0 ] || [ $nt = 0 ] || [ "$force" != 1 ]; then
					continue
				fi
				set -- --raw nt ;;
			esac
			n=$((n + 1))
			run_bench "$which" "$force" "$@" $args --size "$psize" \
				--duration "$dur" --verify-sample="$verify"
			ops[$name,$which]+=" $(field "$metric_field" "$result")"
			p50[$name,$which]+=" $(field p50_us "$result")"
			p99[$name,$which]+=" $(field p99_us "$result")"
			cpu=$(field cpu_util "$result")
			cpus[$name,$which]+=" $cpu"
			[[ $which != ours@* ]] || store[$name,$which]=$(field metadata_store "$result")
			if awk -v c="$cpu" -v m="$min_cpu" 'BEGIN { exit !(c < m) }'; then
				min_cpu=$cpu min_cpu_run="$name $which round $round"
			fi
			printf '[%d/%d] %-15s %-4s round %d: %9.0f ops/s  p50 %s us  p99 %s us\n' \
				"$n" "$total" "$name" "$which" "$round" \
				"$(field ops_per_s "$result")" "$(field p50_us "$result")" \
				"$(field p99_us "$result")" >&2
		done
	done
done <<<"$table"

med() { # med ARRAY CASE WHICH
	local -n arr=$1
	# shellcheck disable=SC2086
	median ${arr[$2,$3]:-}
}

lat() { # lat CASE WHICH -> "p50 / p99" medians
	local a b
	a=$(med p50 "$1" "$2") b=$(med p99 "$1" "$2")
	if [ -n "$a" ]; then printf '%.2f / %.2f' "$a" "$b"; else echo "-"; fi
}

rawcell() { # rawcell OPS MODE ARGS: raw reads are a plain memcpy in every mode
	local mode=$2
	[[ $3 == *"--op read"* ]] && mode=memcpy
	if [ -n "$1" ]; then echo "$(kops "$1") ($mode)"; else echo "-"; fi
}

cpucell() { # CASE OURS: median cpu_util of ours / PMDK / raw: below ~0.9 the row is noise
	local w v out=''
	for w in "$2" pmdk raw; do
		v=$(med cpus "$1" "$w")
		if [ -n "$v" ]; then v=$(printf '%.2f' "$v"); else v=-; fi
		out+="${out:+/}$v"
	done
	echo "$out"
}

scale() { # 2-thread / 1-thread throughput of the 512 B write case
	ratio "$(med ops w512-rand-2t "$1")" "$(med ops w512-rand "$1")"
}

first=ours@${strategies%% *}	# the strategy the summaries below use
cpu_model=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)

{
	echo "## pmemblk_bench: ours vs PMDK 1.12.1"
	echo
	commit=$(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo unknown)
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit, $(nproc) CPUs, pools in $dir"
	echo
	echo "**CPU: $cpu_model** ($(sed -n 's/^vendor_id[^:]*: //p' /proc/cpuinfo | head -1), family $(sed -n 's/^cpu family[^:]*: //p' /proc/cpuinfo | head -1), model $(sed -n 's/^model\s*: //p' /proc/cpuinfo | head -1)). Figures hold for this CPU only (doc/cpu_strategies.md)."
	echo "Our library's metadata store (column \"store\"): setting -> store in force, set per run with PMEMBLK_CONF=persist.metadata_store=...; PMDK always uses cached stores. msync rows have no such choice."
	echo "Command: \`bench/compare.sh $argv_copy\` -- $pairs alternated round(s) per case, medians; throughput in thousands of ops (metric: $metric_field), latency p50/p99 in us;"
	echo "CPU use = thread CPU time / wall time (ours/PMDK/raw), well below 1 when other processes competed for the CPUs."
	echo
	echo "| case | store | ours $metric_name | PMDK $metric_name | ours/PMDK | target | raw $metric_name | ours/raw | PMDK/raw | ours p50/p99 | PMDK p50/p99 | CPU use o/P/r |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	while IFS='|' read -r name force psize dur rawmode target args; do
		[ -n "$name" ] || continue
		for ow in $ours_runs; do
			o=$(med ops "$name" "$ow") p=$(med ops "$name" pmdk) r=$(med ops "$name" raw)
			# a strategy that did not run this case (msync) has no row
			[ -n "$o" ] || [ "$ow" = "$first" ] || continue
			st=${store[$name,$ow]:-}
			if [ "$force" != 1 ]; then st="msync"
			else st="${ow#ours@} -> ${st:-?}"; fi
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
				"$name" "$st" "$(kops "$o")" "$(kops "$p")" "$(ratio "$o" "$p")" \
				"${target:--}" "$(rawcell "$r" "$rawmode" "$args")" \
				"$(ratio "$o" "$r")" "$(ratio "$p" "$r")" "$(lat "$name" "$ow")" "$(lat "$name" pmdk)" \
				"$(cpucell "$name" "$ow")"
		done
	done <<<"$table"
	echo
	if [ "$nt" = 1 ]; then
		echo "Non-temporal raw limit (--raw nt), $metric_name:"
		while IFS='|' read -r name force psize dur rawmode target args; do
			t=$(med ops "$name" nt)
			[ -n "$t" ] || continue
			echo "- $name: $(kops "$t"); ours/nt $(ratio "$(med ops "$name" "$first")" "$t"), PMDK/nt $(ratio "$(med ops "$name" pmdk)" "$t")"
		done <<<"$table"
		echo
	fi
	if [ -n "$min_cpu_run" ]; then
		echo "Lowest CPU use of a run (cpu_util: thread CPU time / wall time): $min_cpu ($min_cpu_run)." \
			"Well below 1, other processes took the CPU and ops/s understate; compare p50 or rerun."
		echo
	fi
	if grep -q '^w512-rand|' <<<"$table" && grep -q '^w512-rand-2t|' <<<"$table"; then
		echo "Scaling, 512 B random write, 2 threads / 1 thread: ours (${first#ours@}) $(scale "$first")x, PMDK $(scale pmdk)x, raw $(scale raw)x (target: ours >= 1.8x)."
		echo
	fi
} >"$report"

if [ "$open_create" = 1 ]; then
	declare -A open_us rss_kib create_ratio create_ms falloc_ms
	for ((round = 1; round <= pairs; round++)); do
		for which in ours pmdk; do
			[ "$which" = ours ] && [ $want_ours = 0 ] && continue
			[ "$which" = pmdk ] && [ $want_pmdk = 0 ] && continue
			run_bench "$which" 1 --open-bench --size "$open_size" --iterations 10
			open_us[$which]+=" $(field open_us "$result")"
			rss_kib[$which]+=" $(field rss_open_kib "$result")"
			echo "open  $which round $round: $(field open_us "$result") us, VmRSS +$(field rss_open_kib "$result") KiB" >&2
			run_bench "$which" 1 --create-bench --size "$create_size" --iterations 5
			create_ratio[$which]+=" $(field create_over_fallocate "$result")"
			create_ms[$which]+=" $(field create_ms "$result")"
			falloc_ms[$which]+=" $(field fallocate_ms "$result")"
			echo "create $which round $round: $(field create_ms "$result") ms vs fallocate $(field fallocate_ms "$result") ms" >&2
		done
	done
	m() { # m ARRAY WHICH [DECIMALS]: formatted median
		local -n a=$1
		local v
		# shellcheck disable=SC2086
		v=$(median ${a[$2]:-})
		if [ -n "$v" ]; then printf "%.${3:-1}f" "$v"; else echo "-"; fi
	}
	{
		echo "| open / create (PMEM_IS_PMEM_FORCE=1) | ours | PMDK | target |"
		echo "|---|---:|---:|---:|"
		echo "| pmemblk_open of a $open_size pool, us | $(m open_us ours) | $(m open_us pmdk) | <= 1000 |"
		echo "| VmRSS growth at open, KiB | $(m rss_kib ours 0) | $(m rss_kib pmdk 0) | independent of pool size |"
		echo "| pmemblk_create of $create_size, ms | $(m create_ms ours) | $(m create_ms pmdk) | |"
		echo "| open + posix_fallocate of $create_size, ms | $(m falloc_ms ours) | $(m falloc_ms pmdk) | |"
		echo "| create / posix_fallocate | $(m create_ratio ours 2) | $(m create_ratio pmdk 2) | <= 1.10 |"
		echo
	} >>"$report"
fi

echo "Total time: $(( $(date +%s) - started )) s." >>"$report"
cat "$report"
[ -z "$out" ] || cp "$report" "$out"
exit 0
