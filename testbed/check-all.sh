#!/bin/bash
# make check's test run: the selftests in the emulated host, then the nested
# QEMU guest scenario and the PCI passthrough scenario, each in its own boot
# of the emulated host.  Every part prints its own "N passed, M failed"
# line; this adds them up into the one closing line.  All parts always run
# (a failure in one does not hide the others); exit 0 only when none failed.
# PARTS selects a subset: "selftests guest passthrough" by default.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

: "${PARTS:=selftests guest passthrough}"
total_p=0 total_f=0 total_s=0 rc=0 summary=

for part in $PARTS; do
	case $part in
	selftests)	script=check.sh ;;
	guest)		script=guest-check.sh ;;
	passthrough)	script=pt-check.sh ;;
	*)		die "unknown part '$part' (selftests, guest, passthrough)" ;;
	esac
	echo "=== $part ($script, $FLAVOUR modules)"
	t=$(date +%s)
	out=$(mktemp "$WORK/part.XXXXXX")
	"$(dirname "$0")/$script" 2>&1 | tee "$out"
	prc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	rm -f "$out"
	if [ -z "$line" ]; then
		# No summary at all: the part broke before its tests ran.
		line="0 passed, 1 failed"
		echo "not ok - $part: no result line (status $prc)"
	fi
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
	[ "$prc" != 0 ] && [ "$f" = 0 ] && f=1	# a failure outside the tests
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + ${s:-0}))
	[ "$f" = 0 ] || rc=1
	summary="$summary
  $part: $line ($(( $(date +%s) - t )) s)"
done

echo "=== summary ($FLAVOUR modules):$summary"
line="$total_p passed, $total_f failed"
[ "$total_s" = 0 ] || line="$line, $total_s skipped"
echo "$line"
exit $rc
