#!/usr/bin/env bash
# man.sh MAN_BUILD_DIR SOURCE_DIR -- every markdown page was built by
# pandoc, and every built page renders with `man -l` (or groff, when man
# is not installed) without a warning and has the NAME, SYNOPSIS and
# DESCRIPTION sections.
set -uo pipefail
OUT=$1
SRC=$2
if command -v man >/dev/null; then
	render() { MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null; }
elif command -v groff >/dev/null; then
	render() { groff -t -man -Tutf8 -ww -z "$1" 2>&1; }
else
	echo "neither man nor groff installed: skipped"
	exit 77
fi
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
	warnings=$(render "$f")
	if [ -n "$warnings" ]; then
		echo "FAIL: $page: rendering reports:"
		echo "$warnings" | sed 's/^/    /'
		fail=1
	fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no man page sources in $SRC"; exit 1; }
[ "$fail" -eq 0 ] && echo "man: $n pages build and render cleanly"
exit $fail
