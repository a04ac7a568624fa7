#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# man.sh MAN_BUILD_DIR SOURCE_DIR -- every markdown page was built by
# pandoc, and every built page renders with `man -l` (or groff, when man
# is not installed) without a warning and has the NAME, SYNOPSIS and
# DESCRIPTION sections, and the rendered text is plain ASCII: no en-dash
# for "--", no typographic quote, no U+2010 hyphen (copied from a terminal,
# those make options fail with "unexpected argument").
set -uo pipefail
OUT=$1
SRC=$2
if command -v man >/dev/null; then
	render() { MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null; }
	text() { LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$1" 2>/dev/null; }
elif command -v groff >/dev/null; then
	render() { groff -t -man -Tutf8 -ww -z "$1" 2>&1; }
	text() { groff -t -man -Tutf8 "$1" 2>/dev/null | sed "s/.\x08//g"; }
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
	nonascii=$(text "$f" | LC_ALL=C grep -n '[^[:print:][:space:]]' | head -5)
	if [ -n "$nonascii" ]; then
		echo "FAIL: $page: non-ASCII characters in the rendered text:"
		echo "$nonascii" | sed 's/^/    /'
		fail=1
	fi
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
