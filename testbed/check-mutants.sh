#!/bin/bash
# make check's mutants part: the suite must fail on a broken device.  Each
# testbed/mutants/NAME.sed breaks book3s_xive_native.c in one way a user
# would notice; this builds that copy of the modules (a stage of its own
# under build/testbed/mutants), runs the one check the mutant names on it
# and passes only when that check fails.  Prints TAP, counted by tap-count.
# MUTANTS selects some by name (default: all).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ -z "$REF" ] || die "mutants break our device: not with REF=1"
dir=$TOP/testbed/mutants
: "${MUTANTS:=$(cd "$dir" && ls ./*.sed | sed 's|^\./||; s|\.sed$||')}"
tap=$(mktemp "$WORK/mutants.XXXXXX")
trap 'rm -f "$tap"' EXIT
n=0
res() {	# ok|not-ok description [reason]
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2 # FAIL: $3"; fi |
		tee -a "$tap"
}

echo "TAP version 13" | tee -a "$tap"
for m in $MUTANTS; do
	what=$(sed -n '1s/^# //p' "$dir/$m.sed")
	must=$(sed -n '2s/^# must fail: //p' "$dir/$m.sed")
	prog=${must%% *} check=${must#* }
	# per kernel: its stage (.staged) must not serve another kernel
	w=$WORK/mutants/$KVER/$m
	mkdir -p "$w/src"
	cp -p "$TOP"/*.[ch] "$TOP/Kbuild" "$w/src/"
	# the Makefile stages with the patches of its own tree's intree/series
	rm -rf "$w/src/intree"
	cp -rp "$TOP/intree" "$w/src/"
	sed -f "$dir/$m.sed" "$TOP/book3s_xive_native.c" > "$w/src/book3s_xive_native.c"
	if cmp -s "$TOP/book3s_xive_native.c" "$w/src/book3s_xive_native.c"; then
		res not-ok "mutant $m: breaks the device" "its sed script changes nothing"
		continue
	fi
	if ! make -s --no-print-directory -C "$w/src" -f "$TOP/Makefile" \
		CACHE="$CACHE" BUILD="$w/kbuild" modules > "$w/build.log" 2>&1; then
		res not-ok "mutant $m: builds" "see $w/build.log"
		continue
	fi
	tests=$w/tests
	rm -rf "$tests"
	mkdir -p "$tests"
	[ "$prog" = host ] || cp "$TOP/build/selftests/$prog" "$tests/"
	[ "$prog" = host ] && cp "$TOP/build/selftests/xive_cap" "$tests/"
	OURS_MODDIR=$w/kbuild/arch/powerpc/kvm TESTS=$tests LOG=$w/console.log \
		"$(dirname "$0")/check.sh" > "$w/run.log" 2>&1
	# the named check, as a TAP result line that did not pass
	if grep -qE "^ *not ok [0-9]+ (- )?$check( |$)" "$w/run.log"; then
		res ok "mutant $m ($what): '$check' fails"
	else
		res not-ok "mutant $m ($what): '$check' fails" \
			"the suite did not catch it (see $w/run.log)"
	fi
done
echo "1..$n" | tee -a "$tap"
FLAVOUR=ours "$(dirname "$0")/tap-count" "$tap"
