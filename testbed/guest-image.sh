#!/bin/bash
# Build the nested guest's inputs as one uncompressed cpio archive that
# boot.sh appends to the emulated host's initramfs (EXTRA_INITRD): the QEMU
# bundle at its standard paths, and under /l1 the guest kernel (the same
# Debian vmlinux), the guest's initramfs (busybox, virtio modules,
# testbed/guest/init) and a small raw disk for virtio-blk.
# Usage: guest-image.sh   (prints the archive's path; rebuilt only when an
# input changed)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$TOP/build/guest
ARCHIVE=$OUT/l1-extra.cpio
MODS=$SYSROOT/lib/modules/$KVER/kernel/drivers
GMODS="virtio/virtio virtio/virtio_ring virtio/virtio_pci_legacy_dev
       virtio/virtio_pci_modern_dev virtio/virtio_pci block/virtio_blk"
BUNDLE=$CACHE/guest-qemu
mkdir -p "$OUT"

"$(dirname "$0")/guest-deps.sh" >&2
[ -e "$VMLINUX" ] || die "no $VMLINUX: run 'make deps'"

inputs="$0 $TOP/testbed/guest/init $BUNDLE/.lock.sha256 $VMLINUX $BUSYBOX"
stale=
[ -e "$ARCHIVE" ] || stale=1
for f in $inputs; do [ "$f" -nt "$ARCHIVE" ] && stale=1; done
if [ -z "$stale" ]; then
	echo "$ARCHIVE"
	exit 0
fi

t0=$(date +%s%N)
tmp=$(mktemp -d "$OUT/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The guest's initramfs (uncompressed: nothing to inflate in the guest).
g=$tmp/guest
mkdir -p "$g"/{bin,dev,proc,sys,lib/modules}
cp "$BUSYBOX" "$g/bin/busybox"
ln -s busybox "$g/bin/sh"
for m in $GMODS; do cp "$MODS/$m.ko" "$g/lib/modules/"; done
cp "$TOP/testbed/guest/init" "$g/init"
chmod +x "$g/init"

r=$tmp/root
mkdir -p "$r/l1"
cp -a "$BUNDLE/." "$r/"
rm -f "$r/.lock.sha256"
(cd "$g" && find . | cpio -o -H newc --quiet) > "$r/l1/guest-initrd.cpio"
cp "$VMLINUX" "$r/l1/vmlinux"
# 4 MiB disk: a signature the guest prints, then data for reads.
{ printf 'XIVE-NATIVE-DISK'; head -c $((4 * 1024 * 1024 - 16)) /dev/urandom; } \
	> "$r/l1/disk.img"
(cd "$r" && find . | cpio -o -H newc --quiet) > "$ARCHIVE.new"
mv "$ARCHIVE.new" "$ARCHIVE"
echo "guest-image: $ARCHIVE, $(du -m "$ARCHIVE" | cut -f1) MB, built in" \
     "$(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
echo "$ARCHIVE"
