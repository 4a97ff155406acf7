#!/bin/bash
# Measure the nested scenario's reliability: run guest-check.sh N times in
# one configuration and tabulate each run's outcome and time.  Outcomes:
# pass, fail (an assertion), stall (a phase timed out), lockup (a soft or
# hard lockup / RCU stall in the emulated host's log), hang (the emulated
# host never finished).  Usage: guest-soak.sh N [label]   (env as for
# guest-check.sh: REF, SMP, L0_ACCEL, PHASES, TSCALE...)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
n=${1:-5}
label=${2:-smp${SMP:-2}-${L0_ACCEL:-default}}
out=$WORK/soak-$label-$$
mkdir -p "$out"
for i in $(seq "$n"); do
	t0=$(date +%s)
	LOG=$out/run$i.log "$(dirname "$0")/guest-check.sh" > "$out/run$i.out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	if grep -qE 'soft lockup|hard LOCKUP|rcu_sched self-detected|rcu: INFO|hung_task' "$out/run$i.log"; then
		what=lockup
	elif grep -q '^testbed: HANG' "$out/run$i.out"; then what=hang
	elif grep -q '# STALL' "$out/run$i.out"; then what=stall
	elif [ $rc = 0 ]; then what=pass
	else what=fail
	fi
	echo "soak $label run $i: $what rc=$rc ${secs}s $(grep -E "^[0-9]+ passed" "$out/run$i.out" | tail -1)" | tee -a "$out/summary"
done
echo "soak $label: $(cut -d' ' -f5 "$out/summary" | sort | uniq -c | tr '\n' ' ') (logs in $out)"
