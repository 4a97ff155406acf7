#!/bin/bash
# make fuzz: selftests/xive_fuzz in the emulated host, one TAP subtest per
# seed, then the host's own TAP lines, counted by tap-count.
# SEED (default: the fixed CI seed and one derived from the commit, both
# printed), OPS per seed, THREADS; SMP=2 by default (races need two CPUs).
# REF=1 runs the same seeds on the upstream device, each seed in a boot of
# its own so that a host crash stops only that seed; there a fuzz failure,
# a bad kernel log, a crash or a hang is a finding, reported as an expected
# upstream failure (README lists them).  CRASHERS=1 lets the fuzzer do, on
# upstream, what README documents as crashing it (skipped otherwise).
set -uo pipefail
: "${SMP:=2}"
. "$(dirname "$0")/lib.sh"

prog=$TOP/build/selftests/xive_fuzz
[ -x "$prog" ] || die "no $prog: run 'make selftests'"
: "${OPS:=60000}" "${THREADS:=3}" "${CRASHERS:=}"
if [ -n "${SEED:-}" ]; then
	seeds=$SEED
else
	# CI: one seed that never changes, one that changes with every commit
	commit=$(git -C "$TOP" rev-parse --short=8 HEAD 2>/dev/null || echo 0)
	seeds="0x5eed 0x$commit"
fi
echo "fuzz: seeds $seeds; $OPS ops and $THREADS threads each; $FLAVOUR modules, SMP=$SMP"

pl=$(mktemp -d "$WORK/payload.XXXXXX")
out=$(mktemp "$WORK/fuzz.XXXXXX")
trap 'rm -rf "$pl" "$out"' EXIT
cp "$prog" "$pl/xive_fuzz"

# payload SEED...: a run script with one subtest per seed
payload() {
	local n=0 s
	{
		echo '#!/bin/sh'
		echo "echo 'TAP version 13'; echo '1..$#'; fail=0"
		for s; do
			n=$((n + 1))
			echo "echo '# Subtest: xive_fuzz seed $s'"
			echo "t0=\$(cut -d' ' -f1 /proc/uptime)"
			echo "{ ./xive_fuzz -s $s -n $OPS -t $THREADS ${CRASHERS:+-C} 2>&1; echo \$? > /tmp/rc; } | sed 's/^/    /'"
			echo "echo \"# seed $s: \$(cut -d' ' -f1 /proc/uptime) s uptime, from \$t0 s\""
			echo "rc=\$(cat /tmp/rc)"
			echo "if [ \"\$rc\" = 0 ]; then echo 'ok $n - xive_fuzz seed $s'"
			echo "else echo \"not ok $n - xive_fuzz seed $s # FAIL: exit status \$rc\"; fail=1; fi"
		done
		echo 'exit $fail'
	} > "$pl/run"
	chmod +x "$pl/run"
}

# On upstream, what the host's own checks find is a finding of that seed.
finding() {
	if [ "$FLAVOUR" = upstream ]; then
		sed -uE "s/^(not ok [0-9]+ - emulated host: [^#]*)# (FAIL|STALL): (.*)$/\1# TODO upstream: seed $1: \2: \3/"
	else
		cat
	fi
}

t=$(date +%s)
if [ "$FLAVOUR" = upstream ]; then
	for s in $seeds; do
		payload "$s"
		"$(dirname "$0")/boot.sh" "$pl" "${LOG:-$WORK/fuzz-$FLAVOUR-$s.log}" |
			finding "$s" | tee -a "$out"
	done
else
	# shellcheck disable=SC2086
	payload $seeds
	"$(dirname "$0")/boot.sh" "$pl" "${LOG:-$WORK/fuzz-$FLAVOUR.log}" | tee "$out"
fi
echo "fuzz: $(echo $seeds | wc -w) seed(s) x $OPS ops in $(( $(date +%s) - t )) s (boots included)"
FLAVOUR=$FLAVOUR "$(dirname "$0")/tap-count" "$out"
