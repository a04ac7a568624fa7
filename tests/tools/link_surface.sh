#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# link_surface.sh INTERNAL_A FORMAT_A TOOL_OBJECT... -- the pmemblk tool
# uses the library only through its public API (pmemblk_*) and the format
# module (libpmemblk_format.a): no name the tool's objects need may come
# from the library's internals (libpmemblk_internal.a) otherwise.
set -euo pipefail
INTERNAL=$1
FORMAT=$2
shift 2
die() { echo "FAIL: $*" >&2; exit 1; }

defined() { nm -g --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }

T=$(mktemp -d "${TMPDIR:-/tmp}/pmemblk-link.XXXXXX")
trap 'rm -rf "$T"' EXIT
defined "$INTERNAL" >"$T/internal"
defined "$FORMAT" >"$T/format"
nm -u "$@" | awk 'NF == 2 { print $2 }' | sort -u >"$T/needed"
[ -s "$T/internal" ] && [ -s "$T/format" ] && [ -s "$T/needed" ] ||
	die "no symbols read (nm)"
grep -q '^btt_info_problem$' "$T/format" || die "format module lacks btt_info_problem"

# names the tool needs that the internals define, minus public and format
comm -12 "$T/needed" "$T/internal" | grep -v '^pmemblk_' |
	comm -23 - "$T/format" >"$T/bad" || true
if [ -s "$T/bad" ]; then
	echo "the tool uses library internals outside the format module:" >&2
	sed 's/^/    /' "$T/bad" >&2
	exit 1
fi
echo "link_surface: $(comm -12 "$T/needed" "$T/format" | wc -l) format-module names, no other internals"
