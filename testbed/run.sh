#!/bin/bash
# make run: boot the emulated POWER9 host with our KVM modules (REF=1: the
# distro's), start Debian's QEMU in it and a pseries guest on the XIVE
# device, and show what happens: the guest's boot lines, its
# /proc/interrupts with XIVE sources, the device's debugfs summary; then the
# guest and the host shut down.  IC=xics|dual picks another interrupt mode.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

echo "run: [1/3] nested guest payload: Debian 12 ppc64el QEMU 7.2, guest kernel $KVER, guest initramfs"
"$(dirname "$0")/guest-image.sh" >/dev/null || die "guest payload build failed"
echo "run: [2/3] booting the emulated host (QEMU TCG $MACHINE) with the $FLAVOUR kvm.ko/kvm-hv.ko;"
echo "run:       in it: qemu-system-ppc64 -M pseries,ic-mode=${IC:-xive},kernel-irqchip=on -accel kvm -smp 2"
PHASES=show SHOW=1 GAPPEND=${GAPPEND:-loglevel=6} LOG=${LOG:-$WORK/run-$FLAVOUR.log} \
	"$(dirname "$0")/guest-check.sh"
rc=$?
echo "run: [3/3] guest stopped, emulated host powered off (status $rc; log ${LOG:-$WORK/run-$FLAVOUR.log})"
exit $rc
