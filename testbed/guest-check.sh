#!/bin/bash
# make check-guest: boot the emulated host (ours, or REF=1 the distro's
# modules), run the nested-guest scenario (testbed/guest/scenario.sh) in it
# and print its TAP-like lines, then "N passed, M failed[, K stalled]".
# A STALL (nothing happened within a phase's timeout) is reported apart from
# a FAIL (an assertion was false); both fail the run.  Nothing is retried.
# Env: PHASES (default: all), TSCALE (timeout multiplier), LOG.
set -uo pipefail
# The emulated host gets ONE CPU (L0 -smp 1; the guest still has 2 vCPUs):
# with -smp 2 (two MTTCG threads on the 2 host cores) an emulated host CPU
# stops making progress in most nested runs (hard/soft lockups, RCU stalls,
# a timebase jump), with the distro's modules as well as ours, under QEMU
# 7.2 and, less often, 10.0.  With -smp 1: 10 runs, no lockup, and faster.
# SMP=2 keeps the stress variant; L0_QEMU="$(testbed/l0-qemu-deps.sh)" runs
# the emulated host on QEMU 10.0.  A whole run takes 60-120 s (280 s on a
# loaded machine); a hung host ends at TIMEOUT.
: "${SMP:=1}" "${MEM:=4G}" "${TIMEOUT:=600}"
export SMP MEM TIMEOUT
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
extra=$("$(dirname "$0")/guest-image.sh") || die "guest image build failed"
pl=$(mktemp -d "$WORK/payload.XXXXXX")
trap 'rm -rf "$pl"' EXIT
cp "$TOP/testbed/guest/scenario.sh" "$pl/scenario.sh"
printf '%s\n' "$BAD_LOG" > "$pl/badlog"
{
	echo '#!/bin/sh'
	for v in PHASES TSCALE GMEM SHOW IC GAPPEND; do
		[ -n "${!v:-}" ] && printf "export %s='%s'\n" "$v" "${!v}"
	done
	echo 'exec sh ./scenario.sh'
} > "$pl/run"
chmod +x "$pl/run"

log=${LOG:-$WORK/check-guest-$FLAVOUR.log}
echo "testbed: nested guest scenario on the $FLAVOUR modules (L0: $(${L0_QEMU:-qemu-system-ppc64} --version | head -1 | sed 's/ (.*//'), -smp $SMP -m $MEM ${L0_ACCEL:-}; log $log)"
EXTRA_INITRD=$extra "$(dirname "$0")/boot.sh" "$pl" "$log"

# (not exec: the EXIT trap removes the payload)
"$(dirname "$0")/nested-verdict.sh" "$log" "$t0"
