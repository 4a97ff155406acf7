#!/bin/bash
# The testbed's judges judged: tap-count and the kernel-log check (lib.sh
# bad_log) on small made-up inputs whose verdicts are known, so that a
# change that lets a skip, a stale XFAIL, a short run or a tolerated
# warning's Call Trace slip through fails here.  Prints TAP; runs in a
# second on the build machine (make host-checks runs it).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
count=$(dirname "$0")/tap-count
d=$(mktemp -d "$WORK/harness.XXXXXX")
trap 'rm -rf "$d"' EXIT
n=0 bad=0

ok() {	# description condition...
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $what"; else echo "not ok $n - $what"; bad=1; fi
}
# verdict FLAVOUR 'TAP lines' 'closing line wanted' status-wanted
verdict() {
	local out got rc
	printf '%b\n' "$2" > "$d/in"
	out=$(FLAVOUR=$1 "$count" "$d/in")
	rc=$?
	got=$(tail -n 1 <<< "$out")
	[ "$got" = "$3" ] && [ "$rc" = "$4" ] ||
		{ echo "#   got '$got' (status $rc), want '$3' ($4)"; return 1; }
}
H='TAP version 13\n'
echo 'TAP version 13'
ok "all passed: 0 failed, status 0" verdict ours "${H}1..2\nok 1 - a\nok 2 - b" "2 passed, 0 failed" 0
ok "a skip on ours fails" verdict ours "${H}1..2\nok 1 - a\nok 2 # SKIP no device" "1 passed, 1 failed" 1
ok "a skip upstream is a skip" verdict upstream "${H}1..2\nok 1 - a\nok 2 # SKIP would WARN" "1 passed, 0 failed, 1 skipped" 0
ok "a host skip is a skip on ours" verdict ours "${H}1..1\nok 1 # SKIP host: no SMT 8" "0 passed, 0 failed, 1 skipped" 0
ok "SKIP XFAIL fails on ours" verdict ours "${H}1..1\nok 1 # SKIP XFAIL: split VMA" "0 passed, 1 failed" 1
ok "SKIP XFAIL is expected upstream" verdict upstream "${H}1..1\nok 1 # SKIP XFAIL: split VMA" "0 passed, 0 failed, 1 skipped" 0
ok "not ok with TODO fails on ours" verdict ours "${H}1..1\nnot ok 1 - x # TODO upstream: y" "0 passed, 1 failed" 1
ok "not ok with TODO is expected upstream" verdict upstream "${H}1..1\nnot ok 1 - x # TODO upstream: y" "0 passed, 0 failed, 1 skipped" 0
ok "ok with TODO (a stale expectation) fails" verdict upstream "${H}1..1\nok 1 - x # TODO upstream: y" "0 passed, 1 failed" 1
ok "a STALL is a failure" verdict ours "${H}1..1\nnot ok 1 - x # STALL: no tick" "0 passed, 1 failed" 1
ok "fewer results than the plan fail" verdict ours "${H}1..3\nok 1 - a\nok 2 - b" "2 passed, 1 failed" 1
ok "results without a plan fail" verdict ours "${H}ok 1 - a" "1 passed, 1 failed" 1
ok "1..0 (nothing run) fails on ours" verdict ours "${H}1..0 # SKIP no device" "0 passed, 1 failed" 1
ok "no TAP at all fails" verdict ours "hello" "0 passed, 1 failed" 1
ok "a failed program whose subtests passed fails" verdict ours \
	"${H}1..1\n# Subtest: p\n    ${H}    1..1\n    ok 1 a\nnot ok 1 - p # exit 139" "1 passed, 1 failed" 1
ok "subtests are counted one by one" verdict ours \
	"${H}1..1\n# Subtest: p\n    ${H}    1..2\n    ok 1 a\n    not ok 2 b\nnot ok 1 - p" "1 passed, 1 failed" 1
ok "two streams, the second short" verdict ours "${H}1..1\nok 1 - a\n${H}1..2\nok 1 - b" "2 passed, 1 failed" 1

# The kernel-log check: what it must flag, what it must let through.
log() { printf '%s\n' "$@" > "$d/log"; [ -n "$(bad_log "$d/log")" ]; }
warn() {	# file:line: a whole WARN report
	echo "[   11.000000] ------------[ cut here ]------------"
	echo "[   11.000001] WARNING: CPU: 0 PID: 1 at $1 f+0x10/0x20 [kvm]"
	echo "[   11.000002] Call Trace:"
	echo "[   11.000003] ---[ end trace 0000000000000000 ]---"
}
ok "a tolerated warning is dropped, Call Trace and all" \
	eval '! log "$(warn virt/kvm/vfio.c:103)" "[   12.000000] fine"'
ok "another warning fails the run" log "$(warn book3s_xive_native.c:300)"
ok "a warning after a tolerated one fails" log "$(warn virt/kvm/vfio.c:103)" "$(warn virt/kvm/vfio.c:104)"
ok "'DEBUG ' is not a BUG" eval '! log "[    1.000000] DEBUG pagealloc enabled"'
ok "BUG: fails" log "[    1.000000] BUG: Bad page state in process x"
ok "a soft lockup fails" log "[   30.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s!"
ok "an RCU stall fails" log "[   30.000000] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:"
ok "lockdep's boot banner is not a report" eval '! log "[    0.000000] rcu: RCU lockdep checking is enabled."'
ok "a lockdep report's tail fails" log "[   40.000000] INFO: lockdep is turned off."
ok "a test printing WARNING: is not the kernel" eval '! log "WARNING: from a test"'
ok "a kernel line after a test's unterminated line counts" log "ok 3 x[    5.000000] Oops: Kernel access of bad area"
echo "1..$n"
exit $bad
