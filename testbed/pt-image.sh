#!/bin/bash
# Build the inputs of the passthrough scenario as one uncompressed cpio
# archive for boot.sh's EXTRA_INITRD: the nested-guest archive of
# guest-image.sh (QEMU bundle, guest kernel, NVRAM, virtio guest), followed
# by /l1/pt/: the test-only vfio.ko (testbed/vfio) with Debian's other vfio
# modules and the host's nvme modules, each set with its load order, and the
# passthrough guest's initramfs (nvme modules, testbed/guest/pt-init,
# drc, esb-poke).
# Prints the archive's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$TOP/build/pt
ARCHIVE=$OUT/pt-extra.cpio
KMODS=$SYSROOT/lib/modules/$KVER/kernel
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

# modpath NAME: the distro module file (names may use - or _)
modpath() {
	local f
	f=$(find "$KMODS" \( -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" \
		-o -name "$(echo "$1" | tr - _).ko" \) | head -1)
	[ -n "$f" ] || die "module $1 not found"
	echo "$f"
}
# order NAME...: the modules and their dependencies, dependencies first
# (no modules.dep in the initramfs: insmod in this order)
order() {
	local m d
	for m in "$@"; do
		case " $seen " in *" $m "*) continue ;; esac
		for d in $(/sbin/modinfo -F depends "$(modpath "$m")" | tr , ' '); do
			order "$d"
		done
		seen="$seen $m"
		echo "$m"
	done
}
# copy DIR NAME...: the modules in DIR and DIR/order
copy() {
	local dir=$1 m
	shift
	mkdir -p "$dir"
	seen=
	order "$@" > "$dir/order"
	for m in $(cat "$dir/order"); do cp "$(modpath "$m")" "$dir/$m.ko"; done
}
r=$tmp/root
copy "$r/l1/pt/vfio" vfio-pci vfio_iommu_spapr_tce
cp "$vfio" "$r/l1/pt/vfio/vfio.ko"	# ours replaces Debian's
copy "$r/l1/pt/nvme" nvme

g=$tmp/guest
mkdir -p "$g"/{bin,dev,proc,sys,tmp}
cp "$BUSYBOX" "$g/bin/busybox"
ln -s busybox "$g/bin/sh"
copy "$g/lib/modules" nvme
# drmgr's part of PCI hot-plug (there is no drmgr in the guest)
${CROSS_COMPILE-powerpc64le-linux-gnu-}gcc -O2 -static -Wall -o "$g/bin/drc" \
	"$TOP/testbed/guest/drc.c"
${CROSS_COMPILE-powerpc64le-linux-gnu-}gcc -O2 -static -Wall -o "$g/bin/esb-poke" \
	"$TOP/testbed/guest/esb-poke.c"
cp "$TOP/testbed/guest/pt-init" "$g/init"
chmod +x "$g/init"
(cd "$g" && find . | cpio -o -H newc --quiet) > "$r/l1/pt/guest-initrd.cpio"

# The disk's contents are the L0 NVMe's (pt-check.sh): nothing else here.
stack_cpio "$base" "$r" "$ARCHIVE"
built pt-image "$ARCHIVE" "$t0"
