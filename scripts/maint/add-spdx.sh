#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# add-spdx.sh [--check] [REPO_DIR] -- give every tracked source file the
# line "SPDX-License-Identifier: BSD-3-Clause" (LICENSE holds the text).
#
# Where the line goes, by file type (the one home of these rules; the test
# tests/docs/spdx.sh runs this script with --check):
#   *.c *.h *.cpp *.map        /* SPDX-... */ on line 1 (C comment; GNU ld
#                              reads the same comments in version scripts)
#   *.sh *.py CMakeLists.txt   # SPDX-... on line 1, or on line 2 after a
#   *.cmake *.in .ci/run       "#!" line (the kernel needs "#!" first);
#   tests/fuzz/coverage_ignore.txt (clang special-case list: # comments)
#   *.md starting with "---"   # SPDX-... on line 2, a YAML comment inside
#                              the pandoc title block of the man pages
#                              (pandoc drops it; man output is unchanged)
#   other *.md                 <!-- SPDX-... --> on line 1 (an HTML comment,
#                              invisible when rendered)
#   skipped                    the fuzz corpus, any binary or empty file,
#                              *.json (no comment syntax), LICENSE,
#                              .gitignore
# Any other tracked file has no rule: --check fails on it, so a new file
# type gets a decision instead of being missed.
#
# Without --check the line is added where missing and nothing else
# changes; running it again changes nothing. With --check nothing is
# written and the exit status is 1 when a file lacks the line.
set -euo pipefail

ID='SPDX-License-Identifier: BSD-3-Clause'
check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$repo"

# style FILE -> c | hash | yaml | html | skip | unknown
style() {
	case $1 in
	tests/fuzz/corpus*/* | LICENSE | .gitignore | */.gitignore | *.json)
		echo skip ;;
	*.c | *.h | *.cpp | *.map) echo c ;;
	*.sh | *.py | */CMakeLists.txt | CMakeLists.txt | *.cmake | *.in | .ci/run)
		echo hash ;;
	tests/fuzz/coverage_ignore.txt) echo hash ;;
	*.md)
		if [ "$(head -n 1 "$1")" = "---" ]; then echo yaml; else echo html; fi ;;
	*)
		if head -n 1 "$1" | grep -q '^#!'; then echo hash; else echo unknown; fi ;;
	esac
}

has_id() {	# the line within the first two lines
	head -n 2 "$1" | grep -qF "$ID"
}

missing=0
added=0
while IFS= read -r -d '' f; do
	[ -f "$f" ] || continue
	grep -Iq . "$f" || continue	# binary or empty: no place for a comment
	s=$(style "$f")
	[ "$s" = skip ] && continue
	if [ "$s" = unknown ]; then
		echo "no SPDX rule for $f (add one to $0)"
		missing=$((missing + 1))
		continue
	fi
	has_id "$f" && continue
	if [ "$check" -eq 1 ]; then
		echo "missing SPDX line: $f"
		missing=$((missing + 1))
		continue
	fi
	case $s in
	c) line="/* $ID */" ;;
	hash | yaml) line="# $ID" ;;
	html) line="<!-- $ID -->" ;;
	esac
	# after a "#!" line or the opening "---" of a title block, else first
	LINE=$line perl -0pi -e '
		if (/\A(#![^\n]*\n|---\n)/) { substr($_, length $1, 0) = "$ENV{LINE}\n"; }
		else { $_ = "$ENV{LINE}\n" . $_; }
	' "$f"
	echo "added: $f"
	added=$((added + 1))
done < <(git ls-files -z)

if [ "$check" -eq 1 ]; then
	if [ "$missing" -ne 0 ]; then
		echo "spdx: $missing file(s) without the line; run scripts/maint/add-spdx.sh"
		exit 1
	fi
	echo "spdx: every tracked source file carries the line"
else
	echo "add-spdx: $added file(s) changed"
	[ "$missing" -eq 0 ] || exit 1
fi
