#!/bin/bash
# The verdict of a nested scenario run (check-guest, check-passthrough):
# counts the scenario's "ok - " / "not ok - " lines in the console LOG,
# adds one line for the emulated host itself from boot.sh's STATUS, and
# prints "N passed, M failed[ (K stalled)][, X expected upstream
# difference(s)] in S s".  A lockup or RCU stall in the emulated host is
# named as such: a hang (in the emulator's timers, or ours), never retried.
# Usage: nested-verdict.sh LOG STATUS START_EPOCH_SECONDS
set -uo pipefail
log=$1 rc=$2 t0=$3

lockup=$(grep -m1 -E 'soft lockup|hard LOCKUP|rcu: INFO: rcu_sched detected stalls' "$log" |
	 sed 's/^\[ *[0-9.]*\] //')
awk -v rc="$rc" -v secs="$(( $(date +%s) - t0 ))" -v lockup="$lockup" '
	/^@@DMESG-BEGIN/	{ exit }
	/^ok - .*# XFAIL/	{ xfail++; passed++; next }
	/^ok - /		{ passed++; next }
	/^not ok - .*# STALL/	{ stalled++; failed++; next }
	/^not ok - /		{ failed++; next }
	END {
		if (rc == 3) { print "not ok - emulated host finished # STALL: hung (status 3)"; stalled++; failed++ }
		else if (rc == 5 && lockup != "") { print "not ok - emulated host kernel log clean # FAIL: LOCKUP: " lockup; failed++ }
		else if (rc == 5) { print "not ok - emulated host kernel log clean # FAIL"; failed++ }
		else if (rc != 0 && failed == 0) { print "not ok - run # FAIL: status " rc; failed++ }
		else if (rc == 0) { print "ok - emulated host kernel log clean"; passed++ }
		line = passed + 0 " passed, " failed + 0 " failed"
		if (stalled) line = line " (" stalled " stalled)"
		if (xfail) line = line ", " xfail " expected upstream difference(s)"
		print line " in " secs " s"
		exit failed > 0
	}' "$log"
