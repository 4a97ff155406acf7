#!/bin/bash
# The verdict of a nested scenario run (check-guest, check-passthrough),
# until the scenarios print TAP 13 themselves: numbers the scenario's
# "ok - " / "not ok - " lines of the console LOG into a TAP stream (an
# "ok - ... # XFAIL: why" becomes "not ok # TODO upstream: why" on the
# upstream device and a failure on ours), adds the host's own stream that
# boot.sh appended to LOG, and counts both with tap-count.
# Usage: nested-verdict.sh LOG START_EPOCH_SECONDS
set -uo pipefail
. "$(dirname "$0")/lib.sh"
log=$1 t0=$2

tap=$(mktemp "$WORK/verdict.XXXXXX")
trap 'rm -f "$tap"' EXIT
{
	awk -v flavour="$FLAVOUR" '
	BEGIN			{ print "TAP version 13" }
	/^@@DMESG-BEGIN/	{ exit }
	/^ok - .*# XFAIL: /	{
		i = index($0, "# XFAIL: "); what = substr($0, 6, i - 7); why = substr($0, i + 9)
		if (flavour == "upstream") print "not ok " ++n " - " what " # TODO upstream: " why
		else print "not ok " ++n " - " what " # FAIL: an expected upstream difference, on ours: " why
		next
	}
	/^(not )?ok - /		{ sub(/ok - /, "ok " ++n " - "); print }
	END			{ print "1.." n + 0 }' "$log"
	# boot.sh appends the host stream last
	awk '/^TAP version 13$/ { b = "" } { b = b $0 "\n" } END { printf "%s", b }' "$log"
} > "$tap"
grep -E '^(not )?ok [0-9]+ - .*# (TODO|FAIL: an expected)' "$tap"
FLAVOUR=$FLAVOUR "$(dirname "$0")/tap-count" "$tap"
rc=$?
echo "(in $(( $(date +%s) - t0 )) s)"
exit $rc
