#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# spdx.sh SOURCE_DIR -- every tracked source file carries the SPDX line
# (the rules live in scripts/maint/add-spdx.sh, which this runs with
# --check). Skipped (77) outside a git checkout: "tracked" needs git.
#
# spdx.sh --self-test SOURCE_DIR -- in a scratch repository: the check
# fails on files without the line and on a file type without a rule; the
# script adds the line after a "#!" line and inside a man page's title
# block; a second run changes nothing; pandoc renders the man page the
# same with the line as without it.
set -uo pipefail

if [ "${1:-}" != "--self-test" ]; then
	src=${1:?usage: $0 SOURCE_DIR | --self-test SOURCE_DIR}
	if ! git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		echo "not a git checkout: skipped"
		exit 77
	fi
	exec bash "$src/scripts/maint/add-spdx.sh" --check "$src"
fi

src=$(cd "${2:?usage: $0 --self-test SOURCE_DIR}" && pwd) || exit 2
tool=$src/scripts/maint/add-spdx.sh
t=$(mktemp -d "${TMPDIR:-/tmp}/spdx-selftest.XXXXXX") || exit 2
trap 'rm -rf "$t"' EXIT
fail=0
no() { echo "FAIL (self-test): $*"; fail=1; }

cd "$t" || exit 2
git init -q . && git config user.email t@t && git config user.name t
mkdir -p doc src
printf 'int x;\n' >src/a.c
printf '#!/usr/bin/env bash\necho hi\n' >run.sh
printf -- '---\ntitle: X\nsection: 3\nheader: h\n---\n\n# NAME\n\nx - y\n\n# SYNOPSIS\n\nz\n\n# DESCRIPTION\n\nw\n' >doc/x.3.md
printf '# Title\n\ntext\n' >README.md
printf '\001\000\002' >blob.bin	# binary and JSON: skipped, untouched
printf '{"a": 1}\n' >data.json
git add -A

bash "$tool" --check . >out 2>&1 && no "--check passed on files without the line"
grep -q 'missing SPDX line: src/a.c' out || no "--check did not name src/a.c"

man_before=
if command -v pandoc >/dev/null; then
	man_before=$(pandoc --standalone --from markdown --to man doc/x.3.md)
fi
bash "$tool" . >/dev/null || no "adding failed"
bash "$tool" --check . >/dev/null || no "--check fails after adding"
cmp -s blob.bin <(printf '\001\000\002') || no "a binary file was changed"
[ "$(cat data.json)" = '{"a": 1}' ] || no "a JSON file was changed"
[ "$(head -n 1 run.sh)" = '#!/usr/bin/env bash' ] || no "shebang moved"
sed -n 2p run.sh | grep -q SPDX || no "no SPDX on line 2 of a script"
[ "$(head -n 1 doc/x.3.md)" = '---' ] || no "title block moved"
head -n 1 src/a.c | grep -qF '/* SPDX-License-Identifier: BSD-3-Clause */' ||
	no "C file: wrong line"
head -n 1 README.md | grep -qF '<!-- SPDX' || no "markdown: wrong line"
if [ -n "$man_before" ]; then
	[ "$(pandoc --standalone --from markdown --to man doc/x.3.md)" = "$man_before" ] ||
		no "pandoc renders the man page differently with the line"
fi
sum=$(cat src/a.c run.sh doc/x.3.md README.md | cksum)
bash "$tool" . >/dev/null
[ "$(cat src/a.c run.sh doc/x.3.md README.md | cksum)" = "$sum" ] ||
	no "a second run changed files"

printf 'data\n' >odd.xyz
git add odd.xyz
bash "$tool" --check . >out 2>&1 && no "--check passed a file type without a rule"
grep -q 'no SPDX rule for odd.xyz' out || no "--check did not name odd.xyz"

[ "$fail" -eq 0 ] && echo "spdx self-test: check, placement and idempotence hold"
exit $fail
