#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# verdict.sh -- every pool of the hostile corpus gets the same verdict and
# reason from `pmemblk info`, `pmemblk check` and pmemblk_open (through
# `pmemblk read`), since all three apply the library's one set of validity
# rules (src/btt/btt_info.c, pool_hdr_check). The pools: each seed of
# tests/fuzz/corpus and corpus-found, patched onto its template by the
# fuzz target (FUZZ_SAVE_DIR), plus the crafted files made here.
# Prints the table; fails on any disagreement.
. "$(dirname "$0")/lib.sh"
P=$PMEMBLK
: "${FUZZ_REPLAY:?FUZZ_REPLAY must name the fuzz_replay binary}"
: "${FUZZ_CORPUS:?FUZZ_CORPUS must name the seed corpus directories}"

mkdir "$T/pools"
# shellcheck disable=SC2086
FUZZ_SAVE_DIR=$T/pools "$FUZZ_REPLAY" $FUZZ_CORPUS >/dev/null 2>&1 ||
	die "fuzz_replay failed"

n=0 refused=0
printf '%-10s %-6s %-6s %-6s %s\n' pool info check open reason
for pool in "$T"/pools/*; do
	name=$(basename "$pool")
	"$P" info "$pool" >"$T/info.out" 2>"$T/info.err"; info=$?
	"$P" check "$pool" >"$T/check.out" 2>&1; check=$?
	# open refused: "cannot open pool"; a read error is no open verdict
	"$P" read -o /dev/null "$pool" 0 >/dev/null 2>"$T/open.err"
	open=0
	! grep -q 'cannot open pool' "$T/open.err" || open=1
	n=$((n + 1))
	if [ $info -eq 3 ]; then
		# not a pmemblk pool at all (signature, header all zero): info
		# and check cannot read it, open refuses it
		[ $open -eq 1 ] || die "$name: opens, but info: $(cat "$T/info.err")"
		[ $check -eq 3 ] || die "$name: info cannot read it, check exits $check"
		refused=$((refused + 1))
		printf '%-10s %-6s %-6s %-6s %s\n' "$name" "n/a" "n/a" refuses \
			"$(sed "s|^.*$pool: ||" "$T/info.err")"
		continue
	fi
	[ $info -le 1 ] || die "$name: info exits $info: $(cat "$T/info.err")"
	reason=$(sed -n 's/^ *reason: *//p' "$T/info.out")
	if [ $open -eq 0 ]; then
		[ $info -eq 0 ] || die "$name: opens, but info says: $reason"
	else
		refused=$((refused + 1))
		[ $info -eq 1 ] || die "$name: refused ($(cat "$T/open.err")), info exits $info"
		[ $check -eq 1 ] || die "$name: refused ($(cat "$T/open.err")), check exits $check"
		# the library's message carries the reason info gives
		grep -qF -- "$reason" "$T/open.err" ||
			die "$name: open says '$(cat "$T/open.err")', info '$reason'"
		short=${reason#"$pool: "}
		grep -qF -- "$short" "$T/check.out" || {
			# check words the info-block findings its own way
			case $short in
			"BTT info blocks of arena "*" are damaged")
				grep -q 'both BTT info blocks invalid' "$T/check.out" ;;
			"invalid checksum of pool header")
				grep -q 'pool header: checksum incorrect' "$T/check.out" ;;
			*) false ;;
			esac
		} || die "$name: check says '$(cat "$T/check.out")', info '$short'"
	fi
	printf '%-10s %-6s %-6s %-6s %s\n' "$name" \
		"$([ $info -eq 0 ] && echo opens || echo refuses)" \
		"$([ $check -eq 0 ] && echo ok || echo not-ok)" \
		"$([ $open -eq 0 ] && echo opens || echo refuses)" "${reason#"$pool: "}"
done
[ $n -gt 0 ] || die "no pools"
echo "verdict: $n pools, $refused refused by all three, the rest opened by all three"
