#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# build_dirs.sh SOURCE_DIR -- the README's two commands work in either
# order, repeatedly: scripts/demo.sh and scripts/test.sh are run on a copy
# of the scripts with stand-ins for cmake, ctest and dpkg-query that keep
# a per-build-directory cache as CMake does (a -D setting stays until
# changed). test.sh must always find and run its tests; with a build
# directory shared with a BUILD_TESTING=OFF demo build it would not.
set -uo pipefail
SRC=$1
T=$(mktemp -d "${TMPDIR:-/tmp}/pmemblk-scripts.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tree/scripts" "$T/bin"
cp "$SRC/scripts/demo.sh" "$SRC/scripts/test.sh" "$SRC/scripts/deps.sh" "$T/tree/scripts/"

cat >"$T/bin/dpkg-query" <<'STUB'
#!/bin/sh
printf 'install ok installed'
STUB
# cmake -S . -B DIR [-DNAME=VALUE...]: the cache DIR/cache keeps settings;
# cmake --build DIR ...: makes the demo's tool, a stand-in that says so
cat >"$T/bin/cmake" <<'STUB'
#!/usr/bin/env bash
if [ "$1" = --build ]; then
	mkdir -p "$2/tools/pmemblk"
	printf '#!/bin/sh\necho "demo: all 7 steps passed"\n' >"$2/tools/pmemblk/pmemblk"
	chmod +x "$2/tools/pmemblk/pmemblk"
	exit 0
fi
dir=
while [ $# -gt 0 ]; do
	case $1 in
	-B) dir=$2; shift ;;
	-D*) mkdir -p "$dir"; name=${1#-D}; name=${name%%=*}
		grep -v "^$name=" "$dir/cache" 2>/dev/null >"$dir/cache.new"
		echo "${1#-D}" >>"$dir/cache.new"; mv "$dir/cache.new" "$dir/cache" ;;
	esac
	shift
done
mkdir -p "$dir"; touch "$dir/cache"
STUB
# ctest --test-dir DIR ...: no tests when DIR was configured without them
cat >"$T/bin/ctest" <<'STUB'
#!/usr/bin/env bash
dir=$2
if grep -q '^BUILD_TESTING=OFF$' "$dir/cache"; then
	echo "No tests were found!!!"
	exit 8
fi
echo "100% tests passed, 0 tests failed out of 3"
STUB
chmod +x "$T/bin/"*
export PATH=$T/bin:$PATH

fail=0
run_demo() {
	out=$(bash "$T/tree/scripts/demo.sh" 2>&1) || { echo "FAIL: demo.sh: $out"; fail=1; }
	grep -q 'demo: all 7 steps passed' <<<"$out" || { echo "FAIL: demo.sh did not run the demo: $out"; fail=1; }
}
run_test() {
	out=$(bash "$T/tree/scripts/test.sh" quick 2>&1)
	last=$(tail -1 <<<"$out")
	[ "$last" = "3 passed, 0 failed" ] || { echo "FAIL: test.sh $1 ended '$last':"; sed 's/^/    /' <<<"$out"; fail=1; }
}
run_demo; run_test "after demo.sh"
run_test "twice"
run_demo; run_test "after a second demo.sh"
rm -rf "$T/tree/build"*
run_test "first"; run_demo; run_demo; run_test "after two demo.sh runs"
[ $fail -eq 0 ] && echo "scripts: demo.sh and test.sh work in either order, repeatedly"
exit $fail
