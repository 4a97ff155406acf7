#!/bin/bash
# Test harness only: build a vfio.ko that binds on powerpc (see
# vfio-ppc-no-iommu-ops.patch) from a patched, staged copy of the distro's
# drivers/vfio, against the distro headers, into build/vfio/ (never
# installed).  Then prove it is a drop-in for Debian's vfio.ko: same
# vermagic, same exported symbols with the same CRCs, same imports/CRCs, so
# Debian's vfio-pci, vfio-pci-core and vfio_iommu_spapr_tce load on it.
# Prints the module's path; nothing for a kernel whose powerpc has iommu_ops
# (6.4+: spapr_tce_iommu_ops), where Debian's own vfio.ko binds.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

KDIR=$SYSROOT/usr/src/linux-headers-$KVER
KSRC=$CACHE/$(. "$CACHE/kernels/$KVER" 2>/dev/null && echo "$KSRC_NAME")
PATCH=$TOP/testbed/vfio/vfio-ppc-no-iommu-ops.patch
DEBKO=$SYSROOT/lib/modules/$KVER/kernel/drivers/vfio/vfio.ko
OUT=$TOP/build/vfio/$KVER
KO=$OUT/drivers/vfio/vfio.ko
CROSS=${CROSS_COMPILE-powerpc64le-linux-gnu-}
[ "$(uname -m)" = ppc64le ] && CROSS=
[ -e "$KDIR/Makefile" ] && [ -e "$KSRC/.unpacked" ] || die "run 'make deps' first"
grep -q spapr_tce_iommu_ops "$KSRC/arch/powerpc/kernel/iommu.c" && exit 0

if [ -e "$KO" ] && [ "$KO" -nt "$PATCH" ] && [ "$KO" -nt "$0" ]; then
	echo "$KO"
	exit 0
fi
t0=$(date +%s%N)
rm -rf "$OUT"
mkdir -p "$OUT/drivers/vfio"
cp -p "$KSRC"/drivers/vfio/{vfio_main.c,iova_bitmap.c,container.c,vfio.h} "$OUT/drivers/vfio/"
patch -s -p1 -d "$OUT" < "$PATCH" >&2
# Only vfio.ko: the other vfio modules are Debian's own, unmodified.
printf '%s\n' 'obj-m := vfio.o' 'vfio-y := vfio_main.o iova_bitmap.o container.o' \
	> "$OUT/drivers/vfio/Kbuild"
make -s -C "$KDIR" M="$OUT/drivers/vfio" ARCH=powerpc CROSS_COMPILE="$CROSS" modules >&2

# Drop-in check against Debian's vfio.ko.
mi() { /sbin/modinfo -F "$1" "$2"; }
[ "$(mi vermagic "$KO")" = "$(mi vermagic "$DEBKO")" ] || die "vermagic differs"
want=$(awk '$3 == "drivers/vfio/vfio" { print $2, $1 }' "$KDIR/Module.symvers" | sort)
got=$(awk '{ print $2, $1 }' "$OUT/drivers/vfio/Module.symvers" | sort)
[ -n "$want" ] && [ "$want" = "$got" ] ||
	die "exported CRCs differ from Debian's: $(diff <(echo "$want") <(echo "$got") | head -5)"
imp() { /sbin/modprobe --dump-modversions "$1" | sort; }
# The imports are Debian's minus the three calls the patch removes.
extra=$(comm -23 <(imp "$KO") <(imp "$DEBKO"))
[ -z "$extra" ] || die "imports not in Debian's vfio.ko (or other CRCs): $extra"
echo "vfio: built $KO in $(( ($(date +%s%N) - t0) / 1000000 )) ms;" \
     "$(echo "$got" | wc -l) exports and $(imp "$KO" | wc -l) imports with Debian's CRCs" >&2
echo "$KO"
