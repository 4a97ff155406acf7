#!/bin/bash
# make bench-pages KVER=<a 4K flavour>: our modules on a 4K-page kernel
# against the same kernel's 64K flavour (KVER-64k), one make-bench boot of
# each with our modules alone (SETS=ours: upstream's mmap refuses QEMU's
# offsets on 4K, so there is no upstream row there), then bench/pages.py
# writes bench/results-pages.md and .csv: each metric on 64K and on 4K and
# their ratio.  -icount (bench.sh's default clock) makes the two boots'
# times comparable: each costs what its instructions do.  Knobs: ROUNDS,
# REPS, CYCLES as for make bench (default 4 rounds here); RESULTS=dir.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

case $KVER in
*-64k) die "bench-pages: KVER must be a 4K flavour (its -64k twin is the baseline), not $KVER" ;;
esac
K4=$KVER K64=$KVER-64k
RESULTS=${RESULTS:-$TOP/bench}
st=0
for k in "$K64" "$K4"; do
	echo "=== bench-pages: $k, our modules"
	make --no-print-directory -C "$TOP" KVER="$k" deps modules selftests || exit 2
	make --no-print-directory -C "$TOP/bench" CROSS_COMPILE="${CROSS_COMPILE:-powerpc64le-linux-gnu-}" ||
		exit 2
	KVER=$k SETS=ours IPI=0 TRACE=0 PROFILE=0 ROUNDS=${ROUNDS:-4} \
		LOG=$WORK/bench-pages-$k.log "$TOP/testbed/bench.sh" || st=1
done
python3 "$TOP/bench/pages.py" --log64 "$WORK/bench-pages-$K64.log" \
	--log4 "$WORK/bench-pages-$K4.log" --kver "$K4" --out "$RESULTS" || st=1
exit $st
