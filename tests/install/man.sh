#!/usr/bin/env bash
# man.sh MAN_BUILD_DIR SOURCE_DIR -- every markdown page was built by
# pandoc, and every built page renders with `man -l` without a warning
# and has the NAME, SYNOPSIS and DESCRIPTION sections.
set -uo pipefail
OUT=$1
SRC=$2
command -v man >/dev/null || { echo "man missing: skipped"; exit 77; }
fail=0
n=0
for md in "$SRC"/*.[137].md; do
	page=$(basename "$md" .md)
	f=$OUT/$page
	n=$((n + 1))
	if [ ! -s "$f" ]; then
		echo "FAIL: $page was not built"
		fail=1
		continue
	fi
	for section in NAME SYNOPSIS DESCRIPTION; do
		grep -q "^\.SH $section\$" "$f" || { echo "FAIL: $page has no $section"; fail=1; }
	done
	warnings=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
	if [ -n "$warnings" ]; then
		echo "FAIL: $page: man reports:"
		echo "$warnings" | sed 's/^/    /'
		fail=1
	fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no man page sources in $SRC"; exit 1; }
[ "$fail" -eq 0 ] && echo "man: $n pages build and render cleanly"
exit $fail
