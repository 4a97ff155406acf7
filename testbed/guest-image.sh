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

OUT=$TOP/build/guest/$KVER$L1_TAG
ARCHIVE=$OUT/l1-extra.cpio
BUNDLE=$CACHE/guest-qemu$L1_TAG
mkdir -p "$OUT"

"$(dirname "$0")/guest-deps.sh" >&2
[ -e "$VMLINUX" ] || die "no $VMLINUX: run 'make deps'"

if uptodate "$ARCHIVE" "$0" "$TOP/testbed/guest/init" \
	"$BUNDLE/.lock.sha256" "$VMLINUX" "$BUSYBOX"; then
	echo "$ARCHIVE"
	exit 0
fi

t0=$(date +%s%N)
tmp=$(mktemp -d "$OUT/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The guest's initramfs (uncompressed: nothing to inflate in the guest).
g=$tmp/guest
mkdir -p "$g"/{bin,dev,proc,sys}
cp "$BUSYBOX" "$g/bin/busybox"
ln -s busybox "$g/bin/sh"
# virtio-pci and virtio-blk (6.12+ build virtio-pci in)
copy_mods "$g/lib/modules" virtio_pci virtio_blk
cp "$TOP/testbed/guest/init" "$g/init"
chmod +x "$g/init"

r=$tmp/root
mkdir -p "$r/l1"
cp -a "$BUNDLE/." "$r/"
rm -f "$r/.lock.sha256"
cpio_of "$g" > "$r/l1/guest-initrd.cpio"
cp "$VMLINUX" "$r/l1/vmlinux"
# 4 MiB disk: a signature the guest prints, then data for reads.
{ printf 'XIVE-NATIVE-DISK'; head -c $((4 * 1024 * 1024 - 16)) /dev/urandom; } \
	> "$r/l1/disk.img"
# NVRAM formatted by SLOF once (host QEMU, TCG): VOF leaves QEMU's NVRAM
# zero-filled and the guest kernel then warns "nvram corruption detected".
nv=$r/l1/nvram.img
truncate -s 65536 "$nv"
qemu-system-ppc64 -M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off \
	-accel tcg -m 256M -nodefaults -display none -vga none \
	-serial "file:$tmp/slof.con" -global spapr-nvram.drive=nv0 \
	-drive "if=none,id=nv0,file=$nv,format=raw" </dev/null >"$tmp/slof.err" 2>&1 &
qpid=$!
for _ in $(seq 300); do
	grep -q 'Ready!' "$tmp/slof.con" 2>/dev/null && break
	sleep 0.1
done
kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null
grep -q 'Ready!' "$tmp/slof.con" && [ "$(head -c 1 "$nv" | od -An -tx1 | tr -d ' ')" != 00 ] ||
	die "SLOF did not format the guest NVRAM: $(tail -3 "$tmp/slof.err")"
cpio_of "$r" > "$ARCHIVE.new"
mv "$ARCHIVE.new" "$ARCHIVE"
built guest-image "$ARCHIVE" "$t0"
