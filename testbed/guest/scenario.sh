#!/bin/sh
# Runs inside the emulated POWER9 host (L1): the runner of a nested
# scenario.  Sources the library (lib/: TAP 13 results, guests and their
# monitors, debugfs readers), the scenario's setup (SCENARIO/setup.sh: its
# settings, helpers and default PHASES), then each phase named in PHASES
# (SCENARIO/phase/NAME.sh, which defines phase_NAME, dashes as
# underscores), and prints one TAP 13 stream, its plan last.
# A new phase: write SCENARIO/phase/NAME.sh with phase_NAME in it; run it
# with PHASES=NAME (or add NAME to the default in setup.sh).
# Usage: scenario.sh nested|pt   Env: PHASES, TSCALE (multiplies every
# timeout), GMEM, XIVE_FLAVOUR (ours|upstream, set by testbed/init).
/bin/busybox --install -s /bin 2>/dev/null
export PATH=/bin:/sbin:/usr/bin
cd "$(dirname "$0")" || exit 1
S=$1
for f in lib/tap.sh lib/qemu.sh lib/debugfs.sh "$S/setup.sh"; do
	. "./$f" || { echo "scenario: cannot source $f"; exit 1; }
done
# Hooks a setup may redefine: after a phase (PH its name) and at the end.
type phase_done >/dev/null 2>&1 || phase_done() { :; }

tap_begin
note "L2 VMM: $($QEMU --version | head -1)"
for PH in $PHASES; do
	note "=== phase $PH ($(now)s)"
	ph_t0=$(now)
	fn=phase_$(echo "$PH" | tr - _)
	if [ -r "./$S/phase/$PH.sh" ] && . "./$S/phase/$PH.sh" && type "$fn" >/dev/null 2>&1; then
		"$fn"
		r=$?
	else
		notok "phase $PH" FAIL "no $fn in $S/phase/$PH.sh"
		r=0
	fi
	phase_done
	note "--- phase $PH took $(since "$ph_t0")s"
	# 2: what the later phases build on is missing (they would only fail)
	if [ $r = 2 ]; then
		note "phase $PH: the later phases need what it failed to set up; not run"
		break
	fi
done
PH=end
stop_all
tap_end
