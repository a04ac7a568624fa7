#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# headers.sh INCLUDE_DIR -- every public header compiles on its own, with
# and without PMEMBLK_USE_MINIASYNC, under the strict flags consumers use
# (fio builds with -Wdeclaration-after-statement), as C99 and as C++;
# then use.c, which expands the public macros and inline functions in a
# consumer's code, the same ways. Compilers: gcc and clang for C, g++ and
# clang++ for C++, each when installed (at least one of each is needed).
set -uo pipefail
INC=$1
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/pmemblk-headers.XXXXXX")
trap 'rm -rf "$T"' EXIT

STRICT=(-Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Werror)
C_FLAGS=(-std=c99 -Wdeclaration-after-statement "${STRICT[@]}")
CXX_FLAGS=(-x c++ -std=c++11 "${STRICT[@]}")

ccs=() cxxs=()
for c in gcc clang; do command -v $c >/dev/null && ccs+=($c); done
for c in g++ clang++; do command -v $c >/dev/null && cxxs+=($c); done
[ ${#ccs[@]} -gt 0 ] || { echo "FAIL: no C compiler"; exit 1; }
[ ${#cxxs[@]} -gt 0 ] || { echo "FAIL: no C++ compiler (g++ or clang++)"; exit 1; }

fail=0 n=0
# try SOURCE: compile SOURCE with every compiler, as C and as C++
try() {
	local src=$1 cc out
	for cc in "${ccs[@]}"; do
		n=$((n + 1))
		out=$($cc "${C_FLAGS[@]}" -I"$INC" -fsyntax-only "$src" 2>&1) ||
			{ echo "FAIL: $cc -std=c99 $2:"; sed 's/^/    /' <<<"$out"; fail=1; }
	done
	for cc in "${cxxs[@]}"; do
		n=$((n + 1))
		out=$($cc "${CXX_FLAGS[@]}" -I"$INC" -fsyntax-only "$src" 2>&1) ||
			{ echo "FAIL: $cc (C++) $2:"; sed 's/^/    /' <<<"$out"; fail=1; }
	done
}

headers=$(cd "$INC" && find . -name '*.h' | sed 's|^\./||' | sort)
[ -n "$headers" ] || { echo "FAIL: no headers in $INC"; exit 1; }
for h in $headers; do
	for async in 0 1; do
		src=$T/$(tr '/.' '__' <<<"$h")_$async.c
		{
			[ $async = 1 ] && echo '#define PMEMBLK_USE_MINIASYNC 1'
			echo "#include <$h>"
		} >"$src"
		try "$src" "<$h> (PMEMBLK_USE_MINIASYNC=$async)"
	done
done
try "$HERE/use.c" "use.c"
[ $fail -eq 0 ] || exit 1
echo "headers: $(wc -w <<<"$headers") public headers and use.c, $n compiles" \
	"(${ccs[*]} -std=c99, ${cxxs[*]} C++), no warning"
