#!/bin/bash
# make check-debug: the selftests, the fuzzer and the nested guest scenario
# with the emulated host on a debug build of KVER's kernel (lockdep, KASAN,
# KFENCE, UBSAN, DEBUG_LIST, SLUB debugging: testbed/debug-kernel.sh, built
# once and cached) and our modules built against that tree.  Any report of
# those checks fails the part it shows in (boot.sh's kernel log check).  Not
# part of make check: the kernel takes about an hour to build on 2 cores.
# The nested guests keep a distro kernel (GUEST_KVER, default 6.1's): only
# the emulated host's kernel matters to our modules.
# Env: PARTS (selftests fuzz guest), OPS (fuzz, per seed), TSCALE, TIMEOUT,
# L0_QEMU (the guest part's emulator: QEMU 10.0 unless given).
set -uo pipefail
# before lib.sh, which sets its own TIMEOUT
: "${PARTS:=selftests fuzz guest}" "${GUEST_KVER:=6.1.0-50-powerpc64le}"
: "${OPS:=20000}" "${TSCALE:=3}" "${TIMEOUT:=3600}"
. "$(dirname "$0")/lib.sh"

[ -z "$REF" ] || die "check-debug runs ours (the distro's modules do not fit this kernel)"
t0=$(date +%s)
kdir=$("$TOP/testbed/debug-kernel.sh") || die "debug kernel build failed"
CC_PKG=
# shellcheck disable=SC1090
. "$CACHE/kernels/$KVER"
# Our modules against the debug tree: its Module.symvers for the CRCs, and
# the tree's own kvm modules as the ones we replace (vermagic, exports).
# Debian's modules and CRCs have nothing to do with this kernel.
build=$TOP/build/debug/$(basename "$kdir")
make -s --no-print-directory -C "$TOP" modules KDIR="$kdir" BUILD="$build" \
	DISTRO_KVM="$kdir/arch/powerpc/kvm" CC="powerpc64le-linux-gnu-${CC_PKG:-gcc}" ||
	die "our modules do not build against $kdir"
make -s --no-print-directory -C "$TOP" selftests >/dev/null || die "selftests build failed"

# slub_debug: red zones, poisoning, sanity checks and owner tracking on
# every cache (KFENCE samples every 100 ms: the config)
export OURS_MODDIR=$build/arch/powerpc/kvm L0_VMLINUX=$kdir/vmlinux
export APPEND="slub_debug=FZPU ${APPEND:-}" OPS TSCALE TIMEOUT
# one file per run: two runs at once must not add up each other's lines
log=$(mktemp "$WORK/check-debug.XXXXXX")
trap 'rm -f "$log"' EXIT
# check-all's closing line of each run (its parts' own lines come before it)
run() {
	local out
	out=$(mktemp "$WORK/check-debug.XXXXXX")
	"$TOP/testbed/check-all.sh" 2>&1 | tee "$out"
	grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 >> "$log"
	rm -f "$out"
}
guest=
case " $PARTS " in *" guest "*) guest=guest ;; esac
host_parts=$(echo " $PARTS " | sed 's/ guest / /; s/^ *//; s/ *$//')
[ -z "$host_parts" ] || PARTS=$host_parts run
# The nested guests' emulated host runs on QEMU 10.0 (testbed/l0-qemu-deps.sh):
# under 7.2, one bit of freed init memory was set in each of 3 runs, with
# the kernel's own kvm modules too, and 10.0 ran clean (README, "The debug
# kernel").  L0_QEMU= (empty) keeps the system's 7.2.
if [ -n "$guest" ]; then
	[ -n "${L0_QEMU+set}" ] || L0_QEMU=$("$TOP/testbed/l0-qemu-deps.sh") ||
		die "no QEMU 10.0 for the emulated host"
	KVER=$GUEST_KVER PARTS=guest L0_QEMU=$L0_QEMU run
fi

line=$(awk '
	{ p += $1; f += $3; for (i = 1; i < NF; i++) if ($(i + 1) ~ /^skipped/) s += $i; n++ }
	END { if (!n) f = 1; printf "%d passed, %d failed", p, f; if (s) printf ", %d skipped", s }' "$log")
echo "check-debug: $(basename "$kdir"), commit $(git -C "$TOP" rev-parse --short HEAD)," \
     "parts: $PARTS, $(( $(date +%s) - t0 )) s ($(cat "$kdir/.built"))"
echo "$line"
case $line in *" 0 failed"*) exit 0 ;; *) exit 1 ;; esac
