#!/bin/bash
# make host-checks: the kernel-style gates on our own files, run on the
# build host.  checkpatch --strict (sources, uapi headers, the in-tree
# patch), sparse (through kbuild, C=2) and a W=1 compile must report
# nothing about our files; diagnostics about the tree's headers are
# counted, not judged (not ours).  Then the testbed's own judges
# (harness-test.sh).  Prints TAP, counted by tap-count.
# Needs: KDIR, KSRC, STAGE (a private stage, see the Makefile), CROSS_COMPILE.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

: "${KDIR:?}" "${KSRC:?}" "${STAGE:?}"
: "${CROSS_COMPILE=}"
CHECKPATCH=$KSRC/scripts/checkpatch.pl
OUT=${STAGE%/arch/powerpc/kvm}
mkdir -p "$OUT"
[ -e "$CHECKPATCH" ] || die "no $CHECKPATCH: run 'make deps'"
command -v perl >/dev/null || die "perl missing: run 'make deps'"
command -v sparse >/dev/null || die "sparse missing: run 'make deps'"

cd "$TOP" || exit 2
# Our kernel files: everything at the top level (the device, its private
# header, any trace header) and the uapi headers.
kfiles=$(ls ./*.[ch] 2>/dev/null | sed 's|^\./||')
ufiles=$(ls uapi/*.h 2>/dev/null)
pfiles=$(ls intree/*.patch intree/series/*.patch 2>/dev/null)
[ -n "$kfiles" ] || die "no kernel sources at $TOP"
# A kbuild diagnostic is ours when its file is one of ours (the stage
# links them under their own names).
names=$(for f in $kfiles; do basename "$f"; done | sed 's/\./\\./g' |
	paste -sd'|')
OURS_RE="^([^: ]*/)?($names):[0-9]+(:[0-9]+)?: "
DIAG_RE='^[^ :]+:[0-9]+(:[0-9]+)?: (warning|error)'

tap=$(mktemp "$WORK/host-checks.XXXXXX")
n=0
result() {		# name status detail
	n=$((n + 1))
	if [ "$2" = PASS ]; then
		echo "ok $n - $1: $3"
	else
		echo "not ok $n - $1: $3"
	fi | tee -a "$tap"
}
finish() {
	echo "1..$n" | tee -a "$tap"
	"$(dirname "$0")/harness-test.sh" | tee -a "$tap"
	FLAVOUR=ours "$(dirname "$0")/tap-count" "$tap"
	local rc=$?
	rm -f "$tap"
	exit $rc
}
echo "TAP version 13" | tee -a "$tap"
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

# --- checkpatch --------------------------------------------------------
# uapi headers are checked where they would live in a tree, so that
# checkpatch applies its include/uapi/ rules (no BIT_ULL() for userspace).
t=$(date +%s)
log=$OUT/checkpatch.log
uroot=$(mktemp -d "$WORK/uapi.XXXXXX")
trap 'rm -rf "$uroot" "$tap"' EXIT
mkdir -p "$uroot/include/uapi/linux"
for f in $ufiles; do ln -s "$TOP/$f" "$uroot/include/uapi/linux/"; done
{
	# Version guards are an out-of-tree necessity: checkpatch's rule
	# against them is replaced by ours (one compat section, below).
	perl "$CHECKPATCH" --strict --no-tree --show-types \
		--ignore LINUX_VERSION_CODE -f $kfiles
	r1=$?
	# LINUX_VERSION_CODE only inside book3s_xive_native.h's XN-COMPAT section
	stray=$(grep -n LINUX_VERSION_CODE $kfiles | grep -v '^book3s_xive_native\.h:')
	stray="$stray$(awk '/XN-COMPAT:/{c=1} /XN-COMPAT end/{c=0}
		/LINUX_VERSION_CODE/ && !c {print FILENAME ":" FNR ": " $0}' \
		book3s_xive_native.h)"
	if [ -n "$stray" ]; then
		echo "$stray" | sed 's/^/ERROR: version guard outside XN-COMPAT: /'
		echo "total: 1 errors, 0 warnings, 0 checks"
		r1=1
	fi
	if [ -n "$ufiles" ]; then
		(cd "$uroot" && perl "$CHECKPATCH" --strict --no-tree \
			--show-types -f include/uapi/linux/*.h) |
			sed 's|include/uapi/linux/|uapi/|g'
		r2=${PIPESTATUS[0]}
	else
		r2=0
	fi
	# The in-tree patch is a kernel patch too (signed off on submission).
	# Fed on stdin: checkpatch reads a git-tracked file as a whole file.
	r3=0
	for p in $pfiles; do
		echo "--- $p"
		perl "$CHECKPATCH" --strict --no-tree --show-types \
			--no-signoff - < "$p" || r3=1
	done
	echo "@@rc $r1 $r2 $r3"
} > "$log" 2>&1
totals=$(awk '/^total: /{e += $2; w += $4; c += $6}
	END {printf "%d errors, %d warnings, %d checks", e, w, c}' "$log")
if grep -qx '@@rc 0 0 0' "$log" && [ "$totals" = "0 errors, 0 warnings, 0 checks" ]; then
	result checkpatch PASS "$(echo $kfiles $ufiles $pfiles | wc -w) files, $totals ($(elapsed $t))"
else
	grep -E '^(ERROR|WARNING|CHECK):|^#[0-9]+: FILE:' "$log" | head -40
	result checkpatch FAIL "$totals (full output: $log)"
fi

# --- sparse and W=1, through kbuild on a private stage -----------------
# (in the kernel's build root when it has one: testbed/buildroot.sh), with
# kbuild's own output even under make -s: the sparse pass is judged by it
kmake() {
	MAKEFLAGS= "$TOP/testbed/buildroot.sh" make -C "$KDIR" M="$STAGE" ARCH=powerpc \
		CROSS_COMPILE="$CROSS_COMPILE" "$@" book3s_xive_native.o
}
# diagnostics LOG NAME: show ours, count the tree's, set $ours
diagnostics() {
	local all
	all=$(grep -E "$DIAG_RE" "$1")
	ours=$(echo "$all" | grep -E "$OURS_RE")
	nours=$(echo -n "$ours" | grep -c . || true)
	ntree=$(( $(echo -n "$all" | grep -c . || true) - nours ))
	[ -n "$ours" ] && echo "$ours" | sed "s|^$STAGE/||" | head -40
	detail="$nours ours, $ntree in the tree's headers (not ours)"
}

# An up-to-date object first, so that the C=2 pass only runs the checker.
t=$(date +%s)
log=$OUT/compile.log
if ! kmake > "$log" 2>&1; then
	cat "$log"
	result compile FAIL "book3s_xive_native.o does not build (log: $log)"
	finish
fi

log=$OUT/sparse.log
kmake C=2 CHECK=sparse > "$log" 2>&1
rc=$?
diagnostics "$log"
# kbuild skips the checker it finds unusable with a mere warning
if ! grep -qE '^ +CHECK +.*book3s_xive_native\.c$' "$log"; then
	result sparse FAIL "sparse did not check book3s_xive_native.c (log: $log)"
elif [ $rc != 0 ] || [ "$nours" != 0 ]; then
	[ $rc != 0 ] && tail -20 "$log"
	result sparse FAIL "$detail (log: $log)"
else
	result sparse PASS "$detail ($(elapsed $t))"
fi

# The flags change, so kbuild recompiles the object with W=1.
t=$(date +%s)
log=$OUT/w1.log
kmake W=1 > "$log" 2>&1
rc=$?
diagnostics "$log"
if [ $rc != 0 ] || [ "$nours" != 0 ]; then
	[ $rc != 0 ] && tail -20 "$log"
	result W=1 FAIL "$detail (log: $log)"
else
	result W=1 PASS "$detail ($(elapsed $t))"
fi

finish
