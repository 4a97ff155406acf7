#!/bin/bash
# Build the inputs of the nested scenario's no-loss phase (count) as one
# uncompressed cpio archive for boot.sh's EXTRA_INITRD: the nested-guest
# archive of guest-image.sh (QEMU bundle, guest kernel, its initramfs,
# disk, NVRAM), followed by /l1/count/overlay.cpio: the test-only
# irq_count.ko (testbed/guest/irq-count, built against KVER's headers: the
# guest runs KVER's kernel) and testbed/guest/count-init, which the phase
# appends to the guest's initramfs and boots with rdinit=/count-init.
# Prints the archive's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$TOP/build/count/$KVER$L1_TAG
ARCHIVE=$OUT/count-extra.cpio
SRC=$TOP/testbed/guest/irq-count
INIT=$TOP/testbed/guest/count-init
mkdir -p "$OUT"

base=$("$(dirname "$0")/guest-image.sh")
if uptodate "$ARCHIVE" "$0" "$base" "$SRC/irq_count.c" "$SRC/Kbuild" "$INIT"; then
	echo "$ARCHIVE"
	exit 0
fi
t0=$(date +%s%N)
tmp=$(mktemp -d "$OUT/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

guest_ko "$SRC" irq_count "$tmp"
g=$tmp/overlay
mkdir -p "$g/lib/modules"
cp "$tmp/irq_count.ko" "$g/lib/modules/"
cp "$INIT" "$g/count-init"
chmod +x "$g/count-init"
r=$tmp/root
mkdir -p "$r/l1/count"
cpio_of "$g" > "$r/l1/count/overlay.cpio"

stack_cpio "$base" "$r" "$ARCHIVE"
built count-image "$ARCHIVE" "$t0"
