#!/bin/bash
# Build the inputs of make bench's nested IPI metric as one uncompressed
# cpio archive for boot.sh's EXTRA_INITRD: the nested-guest archive of
# guest-image.sh (QEMU bundle, guest kernel, NVRAM), followed by
# /l1/ipi/guest-initrd.cpio: busybox, the test-only ipi_bench.ko
# (testbed/guest/ipi-bench, built against the distro headers: the guest
# runs the same kernel) and testbed/guest/ipi-init.
# Prints the archive's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$TOP/build/ipi/$KVER$L1_TAG
ARCHIVE=$OUT/ipi-extra.cpio
SRC=$TOP/testbed/guest/ipi-bench
mkdir -p "$OUT"

base=$("$(dirname "$0")/guest-image.sh")
if uptodate "$ARCHIVE" "$0" "$base" "$SRC/ipi_bench.c" "$SRC/Kbuild" \
	"$TOP/testbed/guest/ipi-init"; then
	echo "$ARCHIVE"
	exit 0
fi
t0=$(date +%s%N)
tmp=$(mktemp -d "$OUT/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

guest_ko "$SRC" ipi_bench "$tmp"
g=$tmp/guest
mkdir -p "$g"/{bin,dev,proc,sys,lib/modules}
cp "$BUSYBOX" "$g/bin/busybox"
ln -s busybox "$g/bin/sh"
cp "$tmp/ipi_bench.ko" "$g/lib/modules/"
cp "$TOP/testbed/guest/ipi-init" "$g/init"
chmod +x "$g/init"
r=$tmp/root
mkdir -p "$r/l1/ipi"
cpio_of "$g" > "$r/l1/ipi/guest-initrd.cpio"

stack_cpio "$base" "$r" "$ARCHIVE"
built ipi-image "$ARCHIVE" "$t0"
