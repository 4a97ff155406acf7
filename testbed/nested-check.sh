#!/bin/bash
# The host side of the nested scenarios (testbed/guest/scenario.sh; make
# check-guest, check-passthrough, run): boot the emulated host (ours, or
# REF=1 the distro's modules) with the scenario's runner, library and
# phases as its payload, then count the scenario's TAP stream and the
# host's own (boot.sh's) with the one counter, tap-count.  Nothing is retried.
# Usage: nested-check.sh SCENARIO IMAGE-SCRIPT LOGNAME WHAT [VAR...]
#   SCENARIO      nested | pt (testbed/guest/SCENARIO/)
#   IMAGE-SCRIPT  the archive of the scenario's inputs (guest-image.sh, ...)
#   VAR...        the environment passed on to the scenario (PHASES, TSCALE, ...)
# Env: LOG, and those of boot.sh (SMP, MEM, TIMEOUT, L0_QEMU, L0_ACCEL, L0_ARGS).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
scen=$1 image=$2 name=$3 what=$4
shift 4

t0=$(date +%s)
extra=$("$here/$image") || die "$image failed"
pl=$(mktemp -d "$WORK/payload.XXXXXX") tap=$(mktemp "$WORK/tap.XXXXXX")
trap 'rm -rf "$pl" "$tap"' EXIT
cp -r "$TOP/testbed/guest/scenario.sh" "$TOP/testbed/guest/lib" "$TOP/testbed/guest/$scen" "$pl/"
printf '%s\n' "$BAD_LOG" > "$pl/badlog"
{
	echo '#!/bin/sh'
	for v; do
		[ -n "${!v:-}" ] && printf "export %s='%s'\n" "$v" "${!v}"
	done
	echo "exec sh ./scenario.sh $scen"
} > "$pl/run"
chmod +x "$pl/run"

log=${LOG:-$WORK/$name-$FLAVOUR.log}
echo "testbed: $what on the $FLAVOUR modules (L0: $(${L0_QEMU:-qemu-system-ppc64} --version | head -1 | sed 's/ (.*//'), guests' VMM: QEMU $L1_QEMU, -smp $SMP -m $MEM ${L0_ACCEL:-}; log $log)"
EXTRA_INITRD=$extra "$here/boot.sh" "$pl" "$log"

# The scenario's stream as it reached the console (result lines and plan at
# column 0, diagnostics; a failing one if it printed none), then the host's
# own, which boot.sh appended to the log last; tap-count counts both.
awk 'tail && /^TAP version 13$/ { b = ""; host = 1 }
     tail { if (host) b = b $0 "\n"; next }
     /^@@DMESG-BEGIN|^@@EXIT / { tail = 1; next }
     /^TAP version 13$/ { on = 1 }
     on && /^(TAP version 13$|1\.\.[0-9]+$|(not )?ok [0-9]+ |# )/ { print; n++ }
     END { if (!n) print "TAP version 13\n1..1\nnot ok 1 - scenario: printed its TAP stream # FAIL: none in the log"
	   printf "%s", b }' "$log" > "$tap"
FLAVOUR=$FLAVOUR "$here/tap-count" "$tap"
vrc=$?
echo "(in $(( $(date +%s) - t0 )) s)"
exit $vrc
