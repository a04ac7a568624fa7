#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Sanitizer, fuzzing and valgrind runs of the test suite (issue 6).
#
# usage: scripts/ci-sanitizers.sh [asan|tsan|fuzz|valgrind|all]...
#
# Each section configures its own build directory ($BUILD_ROOT/<section>),
# builds what it needs and runs its part of ctest; any failure ends the
# script with a non-zero status. Sections:
#   asan      gcc, ASan+UBSan (-DPMEMBLK_SANITIZE=address): every test
#             except LABELS interop (those load PMDK's uninstrumented
#             library or tools into our instrumented process) and
#             packaging (consumers of an installed instrumented library
#             would need the sanitizer runtime). Includes the crash
#             simulation and the corpus replay.
#   tsan      gcc, TSan (-DPMEMBLK_SANITIZE=thread): ctest -L tsan (the
#             concurrency, async, mover and stress tests).
#   fuzz      clang, -DPMEMBLK_FUZZ=ON: fuzz_pool_run (libFuzzer with
#             ASan+UBSan for FUZZ_SECONDS, default 60) and fuzz_replay.
#   valgrind  gcc Debug build: the unit tests (unit_*, api_*, hostile_*)
#             and fuzz_replay under valgrind memcheck, leaks included
#             (any error, or a definite or indirect leak, fails the test;
#             VALGRIND_TIMEOUT per test, default 1800 s).
# Without arguments: all four.
#
# Needs: cmake, gcc, clang + libclang-rt-14-dev (fuzz), valgrind and
# python3 (valgrind), besides the build dependencies.
# Environment: BUILD_ROOT (default build-ci/ in the source tree), JOBS
# (default nproc), FUZZ_SECONDS, and for longer runs CRASH_SCALE,
# CRASH_SEEDS (crash simulation) and STRESS_SECONDS (stress test).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
root=${BUILD_ROOT:-$src/build-ci}
jobs=${JOBS:-$(nproc)}

log() { printf '\n==== %s: %s\n' "$1" "$2"; }

configure() {	# configure DIR [cmake args...]
	local dir=$1
	shift
	cmake -S "$src" -B "$dir" -DPMEMBLK_WERROR=ON "$@" >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log"; return 1; }
}

run_asan() {
	local b=$root/asan
	log asan "configure and build (gcc, ASan+UBSan) in $b"
	mkdir -p "$root"
	configure "$b" -DPMEMBLK_SANITIZE=address -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build "$b" -j "$jobs"
	log asan "ctest -LE 'interop|packaging'"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		ctest --test-dir "$b" -LE 'interop|packaging' --output-on-failure \
		-j "$jobs"
}

run_tsan() {
	local b=$root/tsan
	log tsan "configure and build (gcc, TSan) in $b"
	mkdir -p "$root"
	configure "$b" -DPMEMBLK_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build "$b" -j "$jobs"
	log tsan "ctest -L tsan"
	TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
		ctest --test-dir "$b" -L tsan --output-on-failure
}

run_fuzz() {
	local b=$root/fuzz
	log fuzz "configure and build (clang, libFuzzer, ASan+UBSan) in $b"
	mkdir -p "$root"
	configure "$b" -DCMAKE_C_COMPILER=clang -DPMEMBLK_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build "$b" -j "$jobs" --target fuzz_pool fuzz_replay
	log fuzz "fuzz_pool_run for ${FUZZ_SECONDS:-60} s, then the corpus replay"
	FUZZ_SECONDS=${FUZZ_SECONDS:-60} \
		ctest --test-dir "$b" -R '^fuzz_(pool_run|replay)$' --output-on-failure
	# the new coverage libFuzzer found stays in $b/tests/fuzz/fuzz-run/corpus
}

# Runs the tests whose names match $1 under valgrind memcheck, JOBS at a
# time, each with a generous timeout (ctest -T memcheck would keep the
# tests' own TIMEOUT, far too short under valgrind). Commands, working
# directories, environments and skip codes come from ctest's JSON.
valgrind_tests() {
	local b=$1 regex=$2
	ctest --test-dir "$b" --show-only=json-v1 >"$b/tests.json"
	python3 - "$b/tests.json" "$regex" "$jobs" "${VALGRIND_TIMEOUT:-1800}" <<'PY'
import concurrent.futures, json, os, re, subprocess, sys

tests_json, regex, jobs, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
vg = ["valgrind", "--error-exitcode=99", "--leak-check=full",
      "--show-leak-kinds=definite,indirect",
      "--errors-for-leak-kinds=definite,indirect", "--track-fds=no",
      "--num-callers=30"]

def props(t):
    return {p["name"]: p["value"] for p in t.get("properties", [])}

def run(t):
    pr = props(t)
    env = dict(os.environ)
    for kv in pr.get("ENVIRONMENT", []):
        k, _, v = kv.partition("=")
        env[k] = v
    try:
        r = subprocess.run(vg + t["command"], cwd=pr.get("WORKING_DIRECTORY"),
                           env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        out, rc = r.stdout.decode(errors="replace"), r.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode(errors="replace"), "timeout"
    skip = pr.get("SKIP_RETURN_CODE")
    status = "skipped" if skip is not None and rc == int(skip) else \
        "passed" if rc == 0 else "FAILED (%s)" % rc
    return t["name"], status, out

tests = [t for t in json.load(open(tests_json))["tests"]
         if re.search(regex, t["name"]) and "command" in t]
failed = []
with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
    for name, status, out in ex.map(run, tests):
        print("valgrind %-28s %s" % (name, status), flush=True)
        if status.startswith("FAILED"):
            failed.append(name)
            print(out[-20000:], flush=True)
if failed:
    print("valgrind failed: " + " ".join(failed))
# the same summary line as ctest, so scripts/test.sh counts these tests too
print("%d%% tests passed, %d tests failed out of %d" % (
    100 * (len(tests) - len(failed)) // max(len(tests), 1), len(failed),
    len(tests)))
sys.exit(1 if failed or not tests else 0)
PY
}

run_valgrind() {
	local b=$root/valgrind
	log valgrind "configure and build (gcc, Debug) in $b"
	mkdir -p "$root"
	configure "$b" -DCMAKE_BUILD_TYPE=Debug
	cmake --build "$b" -j "$jobs"
	log valgrind "memcheck (leaks included) of the unit tests"
	valgrind_tests "$b" '^(unit_|api_|hostile_|fuzz_replay$)'
}

sections=("$@")
if [ ${#sections[@]} -eq 0 ] || [ "${sections[0]}" = all ]; then
	sections=(asan tsan fuzz valgrind)
fi
for s in "${sections[@]}"; do
	case $s in
	asan | tsan | fuzz | valgrind) "run_$s" ;;
	*)
		echo "usage: $0 [asan|tsan|fuzz|valgrind|all]..." >&2
		exit 2
		;;
	esac
	log "$s" "passed"
done
