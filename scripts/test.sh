#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test.sh -- builds everything with warnings as errors and runs the whole
# test suite: the normal build (unit, API, interop with PMDK/pmempool/fio,
# miniasync, tools), then the sanitizer builds (ASan+UBSan over the suite,
# TSan over the concurrent tests), the 60-second fuzz run and valgrind.
#
#   scripts/test.sh            everything
#   scripts/test.sh quick      only the normal build's suite
#
# The last line is the total: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
need_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" || exit 1

passed=0
failed=0
# Runs a command that ends in a ctest summary and adds its counts.
run_counted() {
	local log line nfail total
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "$* gave no test summary" >&2
		failed=$((failed + 1))
		return
	fi
	nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
	total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
	passed=$((passed + total - nfail))
	failed=$((failed + nfail))
}

jobs=$(nproc)
echo "== normal build (gcc, -Werror)"
# BUILD_TESTING=ON explicitly: a build/ configured without tests (by hand,
# or by an older demo.sh) must not leave ctest with nothing to run.
if cmake -S . -B build -DPMEMBLK_WERROR=ON -DBUILD_TESTING=ON >/dev/null &&
		cmake --build build -j"$jobs" >/dev/null; then
	run_counted ctest --test-dir build --output-on-failure -j"$jobs"
else
	cmake --build build 2>&1 | tail -40
	failed=$((failed + 1))
fi

if [ "${1:-all}" = all ] && [ -x scripts/ci-sanitizers.sh ]; then
	for stage in asan tsan fuzz valgrind; do
		echo "== $stage"
		run_counted scripts/ci-sanitizers.sh "$stage"
	done
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
