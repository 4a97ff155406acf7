#!/bin/bash
# make check's selftest part: boot the emulated host with the selftest
# programs, stream their TAP (one subtest per program, kselftest style),
# then the host's own TAP lines, and count it all with tap-count.
# Exit 0 only when nothing failed (a skip on ours is a failure, see
# testbed/tap-count) and the host's kernel log stayed clean.
# Programs: the selftests Makefile's TEST_GEN_PROGS, from build/selftests (a
# listed program that is missing fails; stale binaries are not run), or
# every executable of TESTS=<dir> when that is given.
# On a 4K-page kernel SMP defaults to 2: a uniprocessor 4K host's own
# XIVE queue (1023 entries) fills up with the escalations the selftests
# start and free, and the irq core ignores the failed startups (README,
# 4K-page hosts).
set -uo pipefail
smp=${SMP:-}
. "$(dirname "$0")/lib.sh"
[ -n "$smp" ] || ! host4k || export SMP=2

if [ -n "${TESTS:-}" ]; then
	dir=$TESTS
	progs=$(cd "$dir" && find . -maxdepth 1 -type f -perm -u+x | sed 's|^\./||' | sort)
else
	dir=$TOP/build/selftests
	progs=$(make -s -C "$TOP/selftests" print-progs) || die "cannot list the selftests"
fi
[ -n "$progs" ] || die "no selftest programs (TESTS=${TESTS:-})"

pl=$(mktemp -d "$WORK/payload.XXXXXX")
trap 'rm -rf "$pl"' EXIT
n=0
{
	echo '#!/bin/sh'
	echo "echo 'TAP version 13'; echo '1..$(echo "$progs" | wc -w)'"
	echo 'fail=0'
	for p in $progs; do
		n=$((n + 1))
		echo "echo '# Subtest: $p'"
		if [ -x "$dir/$p" ]; then
			cp "$dir/$p" "$pl/$p"
			# its TAP indented as a subtest; the status through a file
			echo "{ ./$p ${SELFTEST_ARGS:-} 2>&1; echo \$? > /tmp/rc; } | sed 's/^/    /'"
			echo 'rc=$(cat /tmp/rc)'
		else
			echo 'rc=missing'
		fi
		# 4 = KSFT_SKIP: its skips are judged one by one
		echo "if [ \"\$rc\" = 0 ] || [ \"\$rc\" = 4 ]; then echo 'ok $n - $p'"
		echo "else echo \"not ok $n - $p # FAIL: exit status \$rc\"; fail=1; fi"
	done
	echo 'exit $fail'
} > "$pl/run"
chmod +x "$pl/run"

log=${LOG:-$WORK/check-$FLAVOUR.log}
echo "testbed: booting the emulated host ($MACHINE, $L0_CPU) with the $FLAVOUR modules"
out=$(mktemp "$WORK/check.XXXXXX")
"$(dirname "$0")/boot.sh" "$pl" "$log" | tee "$out"
FLAVOUR=$FLAVOUR "$(dirname "$0")/tap-count" "$out"
rc=$?
rm -f "$out"
exit $rc
