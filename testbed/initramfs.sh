#!/bin/bash
# Build the emulated host's initramfs: busybox, the KVM modules under test
# (ours, or the distro's with REF=1) and a payload directory whose ./run
# script /init executes.  Usage: initramfs.sh PAYLOAD_DIR OUTPUT
set -euo pipefail
. "$(dirname "$0")/lib.sh"

payload=$1
out=$2
[ -x "$BUSYBOX" ] || die "no busybox: run 'make deps'"
for m in kvm kvm-hv; do
	[ -e "$MODDIR/$m.ko" ] || [ -e "$MODDIR/$m.ko.xz" ] ||
		die "no $MODDIR/$m.ko: run 'make'"
done
CAP=$TOP/build/selftests/xive_cap
[ -x "$CAP" ] || die "no $CAP: run 'make selftests'"

root=$(mktemp -d "$WORK/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,modules,payload,run}
cp "$BUSYBOX" "$root/bin/busybox"
for a in sh mount umount insmod rmmod lsmod cat echo dmesg poweroff mkdir \
	 sleep ls grep sed awk head tail wc cut tr seq date free timeout \
	 env uname sync true false test find sort uniq mknod chmod ln rm cp; do
	ln -s busybox "$root/bin/$a"
done
kvm_mods "$MODDIR" "$root/modules" || exit 2
cp "$CAP" "$root/bin/xive_cap"
cp -a "$payload/." "$root/payload/"
cp "$(dirname "$0")/init" "$root/init"
chmod +x "$root/init"
echo "$FLAVOUR" > "$root/flavour"
cpio_of "$root" | gzip -1 > "$out"
# EXTRA_INITRD: a prebuilt (uncompressed) cpio archive appended as it is, so a
# big payload (the nested guest's QEMU and images) is neither copied nor
# compressed per boot.  The kernel unpacks concatenated archives; each must
# start 4-byte aligned.
if [ -n "${EXTRA_INITRD:-}" ]; then
	[ -r "$EXTRA_INITRD" ] || die "EXTRA_INITRD=$EXTRA_INITRD: not readable"
	truncate -s %4 "$out"
	cat "$EXTRA_INITRD" >> "$out"
fi
