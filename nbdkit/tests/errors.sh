#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# errors.sh -- failures reach nbdkit's log and the client as errors, never
# a crash:
#  - a missing pool stops nbdkit at start-up; create=true on an existing
#    file, size= without create=true are refused;
#  - a wrong bsize and a pool in use by another process refuse the client;
#  - a read-only pool file refuses the client (checked with the
#    permission-override capabilities dropped, as root ignores modes);
#  - -r: the export is read-only, writes, zeros and trims are refused and
#    the pool file is not changed by a byte;
#  - a block in the error state reads as EIO (nbd_client eio).
. "$(dirname "$0")/lib.sh"
require_cmd nbdinfo

pool=$SCRATCH/pool
log=$SCRATCH/log

# expect_fail WHAT PATTERN ARGS... -- COMMAND: the run fails and nbdkit's
# messages include PATTERN.
expect_fail() {
	local what=$1 pattern=$2
	shift 2
	if serve "$@" 2>"$log"; then
		cat "$log" >&2
		die "$what: succeeded"
	fi
	grep -q -- "$pattern" "$log" || { cat "$log" >&2; die "$what: no '$pattern' in the messages"; }
	echo "  $what: $(grep -m1 -- "$pattern" "$log")"
}

echo "== configuration errors"
expect_fail "missing pool" "No such file or directory" file="$SCRATCH/none" -- 'nbdinfo "$uri"'
expect_fail "no file=" "file=POOL" -- 'nbdinfo "$uri"'
expect_fail "size= without create" "only used with create=true" file="$pool" size=64M -- true
expect_fail "create without bsize" "needs bsize= and size=" file="$pool" create=true size=64M -- true
expect_fail "create too small" "at least" file="$pool" create=true bsize=4K size=1M -- true
expect_fail "bad size" "could not parse size" file="$pool" create=true bsize=4K size=12X -- true

serve file="$pool" create=true bsize=4K size=17M -- true || die "create"
expect_fail "create on an existing pool" "exists" file="$pool" create=true bsize=4K size=17M -- true

echo "== errors when the first client connects"
expect_fail "wrong bsize" "wrong bsize" file="$pool" bsize=512 -- 'nbdinfo --size "$uri"'
# The first nbdkit opens the pool on its first client and keeps it open;
# a second nbdkit on the same pool must refuse its client.
inner="nbdkit -U - $PLUGIN file=$pool --run 'nbdinfo --size \"\$uri\"'"
expect_fail "pool in use" "in use by another process" file="$pool" -- \
	"nbdinfo --size \"\$uri\" >/dev/null && $inner"
# ... and once the first server has exited the pool serves again.
serve file="$pool" -- 'nbdinfo --size "$uri" >/dev/null' || die "pool still locked after the server exited"

if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	NBDKIT_FLAGS=()
	chmod 0444 "$pool"
	# root opens any file read-write unless it drops these capabilities
	drop=-dac_override,-dac_read_search
	if setpriv --inh-caps=$drop --bounding-set=$drop true 2>/dev/null; then
		if setpriv --inh-caps=$drop --bounding-set=$drop \
			nbdkit -U - "$PLUGIN" file="$pool" --run 'nbdinfo "$uri"' 2>"$log"; then
			die "read-only pool file: served"
		fi
		grep -q "Permission denied" "$log" || { cat "$log" >&2; die "read-only file: no Permission denied"; }
		echo "  read-only pool file: $(grep -m1 "Permission denied" "$log")"
	else
		echo "  read-only pool file: setpriv cannot drop capabilities here: skipped"
	fi
	chmod 0644 "$pool"
elif [ "$(id -u)" -ne 0 ]; then
	chmod 0444 "$pool"
	expect_fail "read-only pool file" "Permission denied" file="$pool" -- 'nbdinfo "$uri"'
	chmod 0644 "$pool"
fi

[ -n "${NBD_CLIENT:-}" ] || skip "nbd_client not built (libnbd-dev missing): -r and EIO cases"

echo "== -r"
# some data and a used BTT first, so that the pool is not all zeros
serve file="$pool" -- "$NBD_CLIENT unaligned \"\$uri\" 4096 3 >/dev/null" || die "fill"
sum=$(md5sum <"$pool")
NBDKIT_FLAGS=(-r)
serve file="$pool" -- "nbdinfo --json \"\$uri\" >$SCRATCH/info.json &&
	$NBD_CLIENT readonly \"\$uri\"" || die "-r"
NBDKIT_FLAGS=()
[ "$(jq -r '.exports[0].is_read_only' "$SCRATCH/info.json")" = true ] || die "-r: export not read-only"
[ "$(md5sum <"$pool")" = "$sum" ] || die "-r changed the pool file"
echo "  -r: pool file unchanged"

echo "== error-state block"
if [ -n "${PMEMBLK_TOOL:-}" ]; then
	"$PMEMBLK_TOOL" error "$pool" 7 || die "pmemblk error"
	serve file="$pool" -- "$NBD_CLIENT eio \"\$uri\" 4096 7" || die "EIO"
	pool_consistent "$pool"
else
	echo "  pmemblk tool not built: skipped"
fi
echo "PASS"
