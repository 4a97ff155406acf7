#!/bin/bash
# make check's final step: boot the emulated host with every selftest
# binary, stream their TAP, and print "N passed, M failed[, K skipped]".
# Exit 0 only when nothing failed and the host's kernel log stayed clean.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

TESTS=${TESTS:-$TOP/build/selftests}
progs=$(cd "$TESTS" 2>/dev/null && find . -maxdepth 1 -type f -perm -u+x | sort)
[ -n "$progs" ] || die "no selftest binaries in $TESTS: run 'make selftests'"

pl=$(mktemp -d "$WORK/payload.XXXXXX")
trap 'rm -rf "$pl"' EXIT
{
	echo '#!/bin/sh'
	echo '# Each program prints its own TAP; @@PROG frames it for the host.'
	echo 'fail=0'
	for p in $progs; do
		p=${p#./}
		cp "$TESTS/$p" "$pl/$p"
		echo "echo '@@PROG-BEGIN $p'"
		echo "./$p ${SELFTEST_ARGS:-}; rc=\$?"
		echo "echo \"@@PROG-END $p \$rc\""
		echo "[ \$rc = 0 ] || [ \$rc = 4 ] || fail=1"
	done
	echo 'exit $fail'
} > "$pl/run"
chmod +x "$pl/run"

log=${LOG:-$WORK/check-$FLAVOUR.log}
echo "testbed: booting the emulated POWER9 host with the $FLAVOUR modules"
"$(dirname "$0")/boot.sh" "$pl" "$log"
rc=$?

# Count from the kept console log (TAP lines are not indented there).
# REF-mode expected failures are reported by the tests as SKIP "XFAIL: ...".
awk -v rc="$rc" -v flavour="$FLAVOUR" '
	/^@@PROG-BEGIN /	{ prog = $2; seen = 0; next }
	/^@@PROG-END /		{
		if ($3 != 0 && $3 != 4 && !bad[prog]) {
			print "not ok - " prog " exited with status " $3
			failed++
		}
		next
	}
	/^@@DMESG-BEGIN/	{ exit }
	/^not ok [0-9]+ /	{ failed++; bad[prog] = 1; names = names "\n  " prog ": " $0; next }
	/^ok [0-9]+ .*# SKIP XFAIL/ { xfail++; xnames = xnames "\n  " prog ": " $0; next }
	/^ok [0-9]+ .*# SKIP/	{ skipped++; next }
	/^ok [0-9]+ /		{ passed++; next }
	END {
		if (names != "") print "failed tests:" names
		if (xnames != "") print "expected failures (" flavour "):" xnames
		if (rc != 0 && failed == 0) {
			print "testbed: the run failed (status " rc ") outside the tests"
			failed++
		}
		line = passed + 0 " passed, " failed + 0 " failed"
		if (skipped + xfail > 0) line = line ", " skipped + xfail " skipped"
		print line
		exit failed > 0
	}' "$log"
