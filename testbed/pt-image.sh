#!/bin/bash
# Build the inputs of the passthrough scenario as one uncompressed cpio
# archive for boot.sh's EXTRA_INITRD: the nested-guest archive of
# guest-image.sh (QEMU bundle, guest kernel, NVRAM, virtio guest), followed
# by /l1/pt/: Debian's vfio modules (on 6.1 with testbed/vfio's test-only
# vfio.ko) and nvme modules, each set with its load order, and the
# passthrough guest's initramfs (nvme modules, testbed/guest/pt-init,
# drc, esb-poke).
# Prints the archive's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$TOP/build/pt/$KVER$L1_TAG
ARCHIVE=$OUT/pt-extra.cpio
mkdir -p "$OUT"

base=$("$(dirname "$0")/guest-image.sh")
vfio=$("$(dirname "$0")/vfio/build.sh")
if uptodate "$ARCHIVE" "$0" "$base" "$vfio" "$TOP/testbed/guest/pt-init" \
	"$TOP/testbed/guest/drc.c" "$TOP/testbed/guest/esb-poke.c"; then
	echo "$ARCHIVE"
	exit 0
fi
t0=$(date +%s%N)
tmp=$(mktemp -d "$OUT/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

r=$tmp/root
copy_mods "$r/l1/pt/vfio" vfio-pci vfio_iommu_spapr_tce
# 6.1: ours replaces Debian's (see testbed/vfio/build.sh)
[ -z "$vfio" ] || cp "$vfio" "$r/l1/pt/vfio/vfio.ko"
copy_mods "$r/l1/pt/nvme" nvme

g=$tmp/guest
mkdir -p "$g"/{bin,dev,proc,sys,tmp}
cp "$BUSYBOX" "$g/bin/busybox"
ln -s busybox "$g/bin/sh"
copy_mods "$g/lib/modules" nvme
# drmgr's part of PCI hot-plug (there is no drmgr in the guest)
${CROSS_COMPILE-powerpc64le-linux-gnu-}gcc -O2 -static -Wall -o "$g/bin/drc" \
	"$TOP/testbed/guest/drc.c"
${CROSS_COMPILE-powerpc64le-linux-gnu-}gcc -O2 -static -Wall -o "$g/bin/esb-poke" \
	"$TOP/testbed/guest/esb-poke.c"
cp "$TOP/testbed/guest/pt-init" "$g/init"
chmod +x "$g/init"
cpio_of "$g" > "$r/l1/pt/guest-initrd.cpio"

# The disk's contents are the L0 NVMe's (pt-check.sh): nothing else here.
stack_cpio "$base" "$r" "$ARCHIVE"
built pt-image "$ARCHIVE" "$t0"
