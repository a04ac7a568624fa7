#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# citations.sh SOURCE_DIR -- every document a source file cites is in the
# repository, with the section it names.
#
# A citation is a path under doc/ ending in .md, optionally followed by
# section numbers: "doc/format.md §4.4", "doc/format.md §4.1-4.2",
# "doc/api-notes.md §4.2, §11 rows 24 and 44". Comment continuation lines
# (" * ", "# ", "// ") are joined first, so a citation may wrap. For each
# citation the file must exist; each section number N (both ends of a
# range) must have a markdown heading "N." or "N " in that file; "rows A-B"
# after a section must be rows "| A |" .. of a table in that file. Any
# mention of the upper-case spec file names that lived outside the
# repository fails too. scripts/maint/fix-citations.sh rewrites old-style
# citations.
#
# citations.sh --self-test -- shows that the check fails on a dangling
# section, a missing file, a missing row and an old-style name.
set -uo pipefail

check() {
	local src=$1
	(
		cd "$src" || exit 2
		if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git ls-files -z
		else
			find . -type f ! -path './.git/*' -printf '%P\0'
		fi
	) | SRC=$src perl -0 -e '
		use strict; use warnings;
		my $src = $ENV{SRC};
		my $sec = "\xc2\xa7";
		my $num = qr/\d+(?:\.\d+)*/;
		my $dash = qr/(?:-|\xe2\x80\x93)/;	# "-" or an en dash
		my $item = qr/$sec\s*$num(?:\s*$dash\s*$num)?/;
		my $stale = join("|", map { uc } qw(format design api miniasync));
		my (%heads, %rows, $bad, $n);

		sub load {
			my $doc = shift;
			return if exists $heads{$doc};
			$heads{$doc} = undef;
			open(my $fh, "<", "$src/$doc") or return;
			local $/ = "\n";
			$heads{$doc} = {}; $rows{$doc} = {};
			while (<$fh>) {
				$heads{$doc}{$1} = 1 if /^#{1,6}\s+($num)\.?\s/;
				$rows{$doc}{$1} = 1 if /^\|\s*(\d+)\s*\|/;
			}
		}
		sub fail { print "FAIL: $_[0]\n"; $bad++; }

		while (my $f = <STDIN>) {
			chomp $f;
			next if $f =~ m{^(?:tests/fuzz/corpus|scripts/maint/|tests/docs/)};
			next unless -f "$src/$f" && -T "$src/$f";
			open(my $fh, "<", "$src/$f") or next;
			local $/ = "\n";
			my ($text, @starts) = ("");
			while (my $line = <$fh>) {
				chomp $line;
				$line =~ s{^[ \t]*(?:\*(?!/)|//|#)?[ \t]*}{}
					if @starts;
				push @starts, length $text;
				$text .= $line . " ";
			}
			my $lineno = sub {
				my $pos = shift; my $l = 0;
				$l++ while $l + 1 < @starts && $starts[$l + 1] <= $pos;
				return $l + 1;
			};
			if ($f ne "tests/docs/citations.sh") {
				while ($text =~ /\b($stale)(?:\.md\b| $sec)/g) {
					fail("$f:" . $lineno->($-[0]) .
						": cites $1.md, which is not in the repository");
				}
			}
			while ($text =~ m{(?<![\w/.-])(doc/[\w.-]+\.md)((?:\s*$item)(?:\s*(?:,\s*and|,|and)\s*$item)*)?(\s+rows?\s+(\d+)(?:\s*$dash\s*(\d+))?)?}g) {
				my ($doc, $list, $rowpart, $r0, $r1) = ($1, $2, $3, $4, $5);
				my $where = "$f:" . $lineno->($-[0]);
				$n++;
				load($doc);
				if (!defined $heads{$doc}) {
					fail("$where: cites $doc, which does not exist");
					next;
				}
				my @secs = defined $list ? ($list =~ /($num)/g) : ();
				for my $s (@secs) {
					fail("$where: cites $doc $sec$s, which has no such heading")
						unless $heads{$doc}{$s};
				}
				if (defined $rowpart && @secs) {
					for my $r ($r0, defined $r1 ? $r1 : ()) {
						fail("$where: cites row $r of $doc, which has no such row")
							unless $rows{$doc}{$r};
					}
				}
			}
		}
		$n //= 0;
		if ($bad) { print "citations: $bad dangling of $n\n"; exit 1; }
		print "citations: all $n resolve\n";
	'
}

self_test() {
	local rc fail=0
	t=$(mktemp -d "${TMPDIR:-/tmp}/citations-selftest.XXXXXX") || exit 2
	trap 'rm -rf "$t"' EXIT
	mkdir -p "$t/doc" "$t/src"
	printf '# T\n## 1. One\n### 1.2 Two\n\n| Row | x |\n|---|---|\n| 7 | y |\n' \
		>"$t/doc/x.md"
	expect() {	# expect STATUS DESCRIPTION FILE-CONTENT
		printf '%s\n' "$3" >"$t/src/a.c"
		out=$(check "$t")
		rc=$?
		if [ "$rc" -ne "$1" ]; then
			echo "FAIL (self-test): $2: status $rc, expected $1"
			echo "$out" | sed 's/^/    /'
			fail=1
		fi
	}
	expect 0 "good citations" \
		"/* see doc/x.md $(printf '\xc2\xa7')1.2 and doc/x.md $(printf '\xc2\xa7')1, row 7 of
 * doc/x.md $(printf '\xc2\xa7')1 row 7; doc/x.md */"
	expect 1 "dangling section" "/* doc/x.md $(printf '\xc2\xa7')1.3 */"
	expect 1 "dangling range end" "/* doc/x.md $(printf '\xc2\xa7')1-2 */"
	expect 1 "dangling list item" "/* doc/x.md $(printf '\xc2\xa7')1.2, $(printf '\xc2\xa7')3 */"
	expect 1 "section on the next line" "/* doc/x.md
 * $(printf '\xc2\xa7')4 */"
	expect 1 "missing file" "/* doc/y.md $(printf '\xc2\xa7')1 */"
	expect 1 "missing row" "/* doc/x.md $(printf '\xc2\xa7')1 rows 7-8 */"
	expect 1 "old-style name" "/* FORMAT$(printf '.')md $(printf '\xc2\xa7')1 */"
	expect 1 "old-style short name" "/* DESIGN $(printf '\xc2\xa7')1 */"
	[ "$fail" -eq 0 ] && echo "citations self-test: the check catches every planted defect"
	return $fail
}

case ${1:-} in
--self-test) self_test ;;
"") echo "usage: $0 SOURCE_DIR | --self-test" >&2; exit 2 ;;
*) check "$1" ;;
esac
