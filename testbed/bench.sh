#!/bin/bash
# make bench: one boot of the emulated POWER9 host runs bench/xive_bench
# against our kvm.ko/kvm-hv.ko and the distro's, swapping the module sets
# (rmmod/insmod) between runs and alternating which goes first each round,
# then untimed passes per set count OPAL calls per phase and profile the
# ioctls (tracefs); testbed/guest/bench-run.sh is that payload.  Its TAP
# stream and the host's (boot.sh) end in the log; bench/report.py writes
# bench/results.md and bench/results.csv from the stream's diagnostics, and
# testbed/tap-count's closing line "N passed, M failed" ends the output
# (status non-zero when a step failed).
#
# Knobs: ROUNDS (default 6), REPS per run (2), CYCLES of create/connect/
# release per repetition (10), TRACE=0 skips the OPAL call count pass,
# RESULTS=dir writes the results elsewhere (default bench/), PROFILE=0
# skips the function_graph pass (PROFILE_SCEN, PROFILE_DEPTH) whose per-function
# totals land in the log as "# P flavour scenario function calls us".
# SETS=ours measures our modules alone (testbed/bench-pages.sh, whose
# report it leaves to bench/pages.py).
# IPI=0 skips the nested guests' IPI round trips (IPI_ROUNDS rounds,
# IPI_REPS runs of IPI_LOOPS round trips per guest; one guest per module set
# and ic-mode per round).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-6}
REPS=${REPS:-2}
CYCLES=${CYCLES:-10}
TRACE=${TRACE:-1}
PROFILE=${PROFILE:-1}
IPI=${IPI:-1}
SETS=${SETS:-ours upstream}
IPI_ROUNDS=${IPI_ROUNDS:-1}
IPI_REPS=${IPI_REPS:-5}
IPI_LOOPS=${IPI_LOOPS:-200}
PROFILE_SCEN=${PROFILE_SCEN:-setup1024 lifecycle}
PROFILE_DEPTH=${PROFILE_DEPTH:-6}
PROFILE_FUNCS=${PROFILE_FUNCS:-kvm_device_ioctl kvm_vcpu_ioctl kvm_vm_ioctl kvm_device_release}
RESULTS=${RESULTS:-$TOP/bench}
PROG=${PROG:-$TOP/build/bench/xive_bench}
OURS_DIR=$TOP/build/$KVER/arch/powerpc/kvm
UP_DIR=$SYSROOT/lib/modules/$KVER/kernel/arch/powerpc/kvm

# Clock: by default QEMU 10 with -icount (the emulated CPU's time advances
# by 1 ns per instruction, whatever else runs on this machine): the same
# code path costs the same time in every run.  BENCH_CLOCK=wall keeps the
# testbed's QEMU and real time (much noisier on a shared machine).
BENCH_CLOCK=${BENCH_CLOCK:-icount}
if [ "$BENCH_CLOCK" = icount ] && [ -z "${L0_QEMU:-}" ]; then
	if q=$("$(dirname "$0")/l0-qemu-deps.sh"); then
		export L0_QEMU="$q -icount shift=0,sleep=off"
	else
		echo "testbed: bench: no QEMU 10 for -icount, timing with the wall clock" >&2
		BENCH_CLOCK=wall
	fi
fi
QEMU_VERSION=$(${L0_QEMU:-qemu-system-ppc64} --version | head -1)

[ -x "$PROG" ] || die "no $PROG: run 'make -C bench'"
pl=$(mktemp -d "$WORK/payload.XXXXXX")
trap 'rm -rf "$pl"' EXIT
mkdir -p "$pl/mods/ours" "$pl/mods/upstream"
kvm_mods "$OURS_DIR" "$pl/mods/ours" || exit 2
case " $SETS " in
*" upstream "*) kvm_mods "$UP_DIR" "$pl/mods/upstream" || exit 2 ;;
esac
cp "$PROG" "$pl/xive_bench"
cp "$TOP/testbed/guest/bench-run.sh" "$TOP/testbed/guest/ipi-run.sh" "$pl/"
extra=
if [ "$IPI" = 1 ]; then
	extra=$("$(dirname "$0")/ipi-image.sh") || die "IPI guest payload build failed"
fi
{
	echo '#!/bin/sh'
	for v in SETS ROUNDS REPS CYCLES TRACE IPI IPI_ROUNDS IPI_REPS IPI_LOOPS \
		 PROFILE PROFILE_SCEN PROFILE_DEPTH PROFILE_FUNCS; do
		printf "export %s='%s'\n" "$v" "${!v}"
	done
	echo 'exec sh ./bench-run.sh'
} > "$pl/run"
chmod +x "$pl/run"

log=${LOG:-$WORK/bench.log}
start=$(date +%s)
echo "testbed: bench: $ROUNDS rounds x $REPS repetitions, module sets: $SETS, one boot ($BENCH_CLOCK clock)"
# Progress: each step's result as it ends, and the failures inside a step.
EXTRA_INITRD=$extra "$(dirname "$0")/boot.sh" "$pl" "$log" |
	grep --line-buffered -E '^(not )?ok |^ +not ok '
rc=${PIPESTATUS[0]}
secs=$(( $(date +%s) - start ))
echo "testbed: bench boot took ${secs}s (status $rc, log: $log)"
# The payload ran to its end (1: a step failed): report.py judges what the
# log can give (a failed nested guest's cells read "failed", any other
# failed step leaves no report).  A hung host, modules that did not load or
# a bad kernel log leave none either.
st=0
if [ "$SETS" = "ours upstream" ] && { [ "$rc" = 0 ] || [ "$rc" = 1 ]; }; then
	python3 "$TOP/bench/report.py" --log "$log" --out "$RESULTS" --boot-seconds "$secs" \
		--clock "$BENCH_CLOCK" --qemu "$QEMU_VERSION" || st=1
fi
# Both module sets run in the one stream: only a host limitation may skip.
FLAVOUR=ours "$(dirname "$0")/tap-count" "$log" || st=1
[ "$rc" = 0 ] || exit "$rc"
exit "$st"
