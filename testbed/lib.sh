# Common settings of the testbed scripts (sourced, not run).
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CACHE:=$TOP/.cache}"
: "${KVER:=6.1.0-50-powerpc64le}"
: "${SMP:=1}"
: "${MEM:=2G}"
: "${REF:=}"
: "${TIMEOUT:=900}"
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
