#!/bin/bash
# make check's test run: the selftests in the emulated host, then the nested
# QEMU guest scenario and the PCI passthrough scenario, each in its own boot
# of the emulated host.  Every part prints its own "N passed, M failed"
# line; this adds them up into the one closing line.  All parts always run
# (a failure in one does not hide the others); exit 0 only when none failed.
# PARTS selects a subset: "host pins selftests fuzz mutants guest
# guest-qemu10 passthrough" by default (host: make host-checks, the style
# gates and the testbed's own judges; pins: the pins' fallbacks against
# the mirror, testbed/pins-check.sh; fuzz: testbed/fuzz.sh, its fixed seed
# and the commit's; mutants: broken builds of ours that the suite must fail on;
# guest-qemu10: the nested guest scenario with Debian 13's QEMU 10.0 as the
# guests' VMM, guest with Debian 12's 7.2).
set -uo pipefail
# Each part picks its own SMP/MEM/TIMEOUT defaults: pass on only the caller's
# (lib.sh below would export its own defaults to them).
caller="SMP=${SMP:-} MEM=${MEM:-} TIMEOUT=${TIMEOUT:-}"
. "$(dirname "$0")/lib.sh"

: "${PARTS:=host pins selftests fuzz mutants guest guest-qemu10 passthrough}"
# mutants break ours only; the pins are the testbed's, not a module's
[ -z "$REF" ] ||
	PARTS=$(for p in $PARTS; do case $p in mutants|pins) ;; *) echo "$p" ;; esac; done)
total_p=0 total_f=0 total_s=0 rc=0 summary=

for part in $PARTS; do
	penv=
	case $part in
	host)		script="make -s --no-print-directory -C $TOP host-checks" ;;
	pins)		script=pins-check.sh ;;
	selftests)	script=check.sh ;;
	fuzz)		script=fuzz.sh ;;
	guest)		script=guest-check.sh ;;
	guest-qemu10)	script=guest-check.sh penv=L1_QEMU=10.0 ;;
	passthrough)	script=pt-check.sh ;;
	mutants)	script=check-mutants.sh ;;
	*)		die "unknown part '$part' (host, pins, selftests, fuzz, mutants, guest, guest-qemu10, passthrough)" ;;
	esac
	echo "=== $part ($script, $FLAVOUR modules)"
	t=$(date +%s)
	out=$(mktemp "$WORK/part.XXXXXX")
	# shellcheck disable=SC2086
	case $script in make*) cmd=$script ;; *) cmd=$(dirname "$0")/$script ;; esac
	env $caller $penv $cmd 2>&1 | tee "$out"
	prc=${PIPESTATUS[0]}
	# No closing line at all: the part broke before its tests ran.
	line=$(closing_line "$out") ||
		echo "check-all: $part printed no result line (status $prc)"
	rm -f "$out"
	tally "$line"
	# a failure outside the tests
	[ "$prc" != 0 ] && [ "$tally_f" = 0 ] && total_f=$((total_f + 1)) tally_f=1
	[ "$tally_f" = 0 ] || rc=1
	summary="$summary
  $part: $line ($(( $(date +%s) - t )) s)"
done

echo "=== summary ($FLAVOUR modules):$summary"
line="$total_p passed, $total_f failed"
[ "$total_s" = 0 ] || line="$line, $total_s skipped"
echo "$line"
exit $rc
