# TAP 13 for the nested scenarios (sourced by testbed/guest/scenario.sh, run
# by busybox sh in the emulated host): numbered results, diagnostics as
# "# ...", the plan last (a scenario does not know its count in advance).
#   ok N - <check>                          asserted from what guest and host print
#   not ok N - <check> # FAIL: <why>        an assertion was false / QEMU died
#   not ok N - <check> # STALL: <what>      nothing happened within the timeout
#   not ok N - <check> # TODO upstream: ..  an expected difference of the
#                                           upstream device (XIVE_FLAVOUR=upstream only)
#   ok N - <check> # SKIP upstream: <why>   a check of ours the upstream device
#                                           cannot answer (its debugfs has no counters)
# Whether the device is ours or upstream's comes from XIVE_FLAVOUR alone
# (testbed/init sets it from the modules it loaded), never from what debugfs
# shows: on ours a missing counter is a failure.
tap_n=0 tap_fail=0 tap_stall=0 tap_todo=0 tap_skip=0
FLAVOUR=${XIVE_FLAVOUR:-}
ours() { [ "$FLAVOUR" = ours ]; }

# A reason on one line; a guest kernel stamp "[  1.234567]" becomes "[g...":
# the host's kernel log check (boot.sh) judges the host's own lines only.
oneline() { echo "$*" | tr '\n' ';' | sed 's/;$//; s/\[\( *[0-9]*\.[0-9]\{6\}\]\)/[g\1/g'; }
result() { tap_n=$((tap_n + 1)); echo "$1 $tap_n - $2"; }
ok() { result ok "$1"; }
notok() {	# check FAIL|STALL why
	result "not ok" "$1 # $2: $(oneline "$3")"
	if [ "$2" = STALL ]; then tap_stall=$((tap_stall + 1)); else tap_fail=$((tap_fail + 1)); fi
}
# check CHECK COMMAND...: ok when COMMAND succeeds, else FAIL with $why (its status)
check() {
	local c=$1 r=0
	shift
	if "$@"; then ok "$c"; else r=1; notok "$c" FAIL "${why:-$*}"; fi
	why=
	return $r
}
# xcheck CHECK UPSTREAM-WHY COMMAND...: a check whose failure is an expected
# difference of the upstream device: on ours a plain check; upstream a
# failure is "TODO upstream" (a pass is an ok: the races behind most of
# them need not show in every run).
xcheck() {
	local c=$1 u=$2
	shift 2
	if ours; then check "$c" "$@"; return; fi
	if "$@"; then ok "$c"; else todo "$c" "$u; ${why:-$*}"; fi
	why=
}
# todo CHECK WHY: the upstream device's expected difference (upstream only)
todo() {
	result "not ok" "$1 # TODO upstream: $(oneline "$2")"
	tap_todo=$((tap_todo + 1))
}
# skip_upstream CHECK WHY: on upstream, a check it cannot answer is skipped
# (the caller runs it on ours); returns 0 when skipped.
skip_upstream() {
	ours && return 1
	result ok "$1 # SKIP upstream: $2"
	tap_skip=$((tap_skip + 1))
}
note() { echo "# $*"; }
now() { cut -d' ' -f1 /proc/uptime; }
since() { echo "$(now) $1" | awk '{printf "%.1f", $1 - $2}'; }
secs() { echo $(($1 * TSCALE)); }

tap_begin() {
	echo "TAP version 13"
	case $FLAVOUR in
	ours|upstream) note "device: $FLAVOUR (XIVE_FLAVOUR)" ;;
	*) FLAVOUR=ours	# judged as ours: nothing is excused
	   notok "scenario: XIVE_FLAVOUR is ours or upstream" FAIL "XIVE_FLAVOUR='${XIVE_FLAVOUR:-}'" ;;
	esac
}
# The plan, a summary diagnostic; the scenario's exit status.
tap_end() {
	echo "1..$tap_n"
	note "scenario: $((tap_n - tap_fail - tap_stall - tap_todo - tap_skip)) passed," \
	     "$((tap_fail + tap_stall)) failed ($tap_stall stalled), $tap_todo todo upstream, $tap_skip skipped"
	[ $tap_fail = 0 ] && [ $tap_stall = 0 ]
}
