#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# fix-citations.sh -- point every citation of the old external spec files
# (the four upper-case *.md files kept outside this repository) at the
# project's own documents:
#
#   the on-media format spec   -> doc/format.md      (same section numbers)
#   the design spec            -> doc/design.md      (same section numbers)
#   the API contract           -> doc/api-notes.md   (same section numbers;
#                                 "row N" means doc/api-notes.md §11 row N)
#   the miniasync ABI spec     -> doc/miniasync-abi.md (§1 = the layouts)
#
# Idempotent: the new names are lower case, so a second run changes
# nothing. Meant to be re-run after merging branches that added new
# citations in the old form; tests/docs/citations.sh then fails on any
# citation left dangling. Usage: scripts/maint/fix-citations.sh [REPO_DIR]
set -euo pipefail

repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$repo"

# Tracked text files, minus the fuzz corpus and the checker and fixer
# themselves (they name the old files on purpose).
mapfile -t files < <(git ls-files -z | tr '\0' '\n' |
	grep -Ev '^tests/fuzz/corpus|^scripts/maint/|^tests/docs/' |
	while IFS= read -r f; do
		[ -f "$f" ] && grep -Iq . "$f" 2>/dev/null && printf '%s\n' "$f"
	done)

changed=0
for f in "${files[@]}"; do
	before=$(cksum <"$f")
	perl -0pi -e '
		# forms that need more than a new file name, first
		s/\bAPI\.md (rows?) (\d)/doc\/api-notes.md \xc2\xa711 $1 $2/g;
		s/\bFORMAT\.md examples/doc\/format.md \xc2\xa714 examples/g;
		s/where FORMAT\.md says/where doc\/format.md \xc2\xa74.3 says/g;
		s/\bMINIASYNC\.md section (\d)/doc\/miniasync-abi.md \xc2\xa7$1/g;
		s/\b(FORMAT|DESIGN|API)\.md (\d)/$1.md \xc2\xa7$2/g;
		s/\b(FORMAT|DESIGN|API|MINIASYNC) (\xc2\xa7)/$1.md $2/g;
		# section numbers cited without a file
		s/writes nothing \((\xc2\xa74\.4)\)/writes nothing (doc\/format.md $1)/g;
		s/The first table of (\xc2\xa714)/The first table of doc\/format.md $1/g;
		s/The two-arena pool of (\xc2\xa714)/The two-arena pool of doc\/format.md $1/g;
		s/row 6 and (\xc2\xa74\.4): too large/row 6 and doc\/api-notes.md $1: too large/g;
		# a sentence quoted from the old spec: say it in our own words
		s/(\xc2\xa79 step 1): "If either slot\x27s lba is >= the pool\x27s total nlba,(\n[ \t]*\*) the open fails"\./$1: a slot whose lba lies outside its arena$2 fails the open./g;
		# the file names
		s/\bFORMAT\.md\b/doc\/format.md/g;
		s/\bDESIGN\.md\b/doc\/design.md/g;
		s/\bAPI\.md\b/doc\/api-notes.md/g;
		s/\bMINIASYNC\.md\b/doc\/miniasync-abi.md/g;
	' "$f"
	if [ "$(cksum <"$f")" != "$before" ]; then
		echo "rewrote $f"
		changed=$((changed + 1))
	fi
done
echo "fix-citations: $changed file(s) changed"
