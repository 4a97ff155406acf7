# Common settings of the testbed scripts (sourced, not run).
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CACHE:=$TOP/.cache}"
: "${KVER:=6.1.0-50-powerpc64le}"
# A KVER the mirror no longer serves: the one 'make deps' fell back to
fallback=$(awk -v k="$KVER" '$1 == k {print $2}' "$CACHE/kver-fallback" 2>/dev/null || true)
KVER=${fallback:-$KVER}
: "${SMP:=1}"
: "${MEM:=2G}"
: "${REF:=}"
: "${TIMEOUT:=900}"
# The emulated host: powernv9 (POWER9, XIVE) or powernv10 (POWER10, XIVE2)
: "${MACHINE:=powernv9}"
case $MACHINE in
powernv9|powernv10) L0_CPU=power${MACHINE#powernv} ;;
*) echo "testbed: MACHINE=$MACHINE: powernv9 or powernv10" >&2; exit 2 ;;
esac
SYSROOT=$CACHE/sysroot
VMLINUX=$SYSROOT/boot/vmlinux-$KVER
BUSYBOX=$SYSROOT/bin/busybox
if [ -n "$REF" ]; then
	MODDIR=$SYSROOT/lib/modules/$KVER/kernel/arch/powerpc/kvm
	FLAVOUR=upstream
else
	MODDIR=$TOP/build/$KVER/arch/powerpc/kvm
	FLAVOUR=ours
fi
WORK=$TOP/build/testbed
mkdir -p "$WORK"

die() { echo "testbed: $*" >&2; exit 2; }

# Kernel log lines that fail a run.  Foreign warnings we knowingly tolerate
# must be listed by file:line in TOLERATED, never by a broad pattern.
BAD_LOG='Oops|WARNING:|BUG[: ]|lockdep|possible recursive locking|circular locking|refcount_t|kernel BUG|Unable to handle kernel|Call Trace:|general protection|stack-protector'
TOLERATED='virt/kvm/vfio.c:103'

# The image scripts (guest-image.sh, pt-image.sh, ipi-image.sh):
# uptodate ARCHIVE INPUT...: ARCHIVE exists and no input is newer than it.
uptodate() {
	local a=$1 f
	shift
	[ -e "$a" ] || return 1
	for f; do [ "$f" -nt "$a" ] && return 1; done
	return 0
}
# stack_cpio BASE ROOT ARCHIVE: BASE's archive, then ROOT's tree as a second
# archive (the kernel unpacks concatenated cpio archives, 4-byte aligned).
stack_cpio() {
	cp "$1" "$3.new"
	truncate -s %4 "$3.new"
	(cd "$2" && find . | cpio -o -H newc --quiet) >> "$3.new"
	mv "$3.new" "$3"
}
# built NAME ARCHIVE T0: report the build (since T0, date +%s%N), print ARCHIVE.
built() {
	echo "$1: $2, $(du -m "$2" | cut -f1) MB, built in" \
	     "$(( ($(date +%s%N) - $3) / 1000000 )) ms" >&2
	echo "$2"
}
