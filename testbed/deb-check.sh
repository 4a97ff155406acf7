#!/bin/bash
# make check-deb: the package of make deb, end to end in the emulated
# host (testbed/guest/deb-run.sh): installed with Debian's dpkg, loaded by
# name with Debian's modprobe, the selftests on it, removed, purged, the
# distro's modules loaded again.  The host boots with the distro's modules
# (REF=1); the payload brings dpkg and kmod (testbed/deb-tools.sh), the
# distro's kvm modules in their tree (the rest of linux-image's modules
# are left out: nothing here loads them) and a dpkg database in which
# linux-image-<KVER> and kmod are installed, from their own control files.
# Counted like make check: tap-count, on ours.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

PKG=xive-native-modules-$KVER
deb=$(ls -t "$TOP/build/deb/${PKG}"_*_ppc64el.deb 2>/dev/null | head -1)
[ -n "$deb" ] || die "no $PKG package: run 'make deb KVER=$KVER'"
tools=$("$TOP/testbed/deb-tools.sh") || exit 2
info=$CACHE/kernels/$KVER
# shellcheck disable=SC1090
VERSION=$(. "$info"; echo "$VERSION")
image=$(ls "$CACHE/debs/linux-image-${KVER}_${VERSION/:/%3a}"_ppc64el.deb) || exit 2
MODBASE=lib/modules
[ ! -L "$SYSROOT/lib/modules/$KVER" ] || MODBASE=usr/lib/modules
K=$SYSROOT/lib/modules/$KVER

pl=$(mktemp -d "$WORK/payload.XXXXXX")
trap 'rm -rf "$pl"' EXIT
cp "$TOP/testbed/guest/deb-run.sh" "$pl/run"
cp "$deb" "$tools" "$pl/"
echo "$KVER" > "$pl/kver"
echo "/$MODBASE/$KVER" > "$pl/moddir"
mkdir -p "$pl/selftests"
progs=$(make -s -C "$TOP/selftests" print-progs) || die "cannot list the selftests"
echo "$progs" > "$pl/selftests/progs"
for p in $progs; do
	cp "$TOP/build/selftests/$p" "$pl/selftests/" || die "no selftest $p: run 'make selftests'"
done

# The distro's side, as linux-image-$KVER installed it (modules.dep is
# depmod's, made in the emulated host)
d=$pl/distro
mkdir -p "$d/$MODBASE/$KVER/kernel/arch/powerpc/kvm" "$d/var/log" \
	"$d"/var/lib/dpkg/{info,updates,triggers,alternatives}
for f in "$K"/kernel/arch/powerpc/kvm/*; do
	case $f in
	*.xz) xz -dc "$f" > "$d/$MODBASE/$KVER/kernel/arch/powerpc/kvm/$(basename "$f" .xz)" ;;
	*) cp "$f" "$d/$MODBASE/$KVER/kernel/arch/powerpc/kvm/" ;;
	esac
done
cp "$K"/modules.order "$K"/modules.builtin "$K"/modules.builtin.modinfo "$d/$MODBASE/$KVER/"
# installed DEB: its control with an installed status.  The image's own
# relations go (its Depends name the initramfs tools and linux-base of a
# full system, not in this one): dpkg checks the installed packages'
# dependencies too, and ours are what is tested.
installed() {
	dpkg-deb -f "$1" | awk -v norel="${2:-}" '
		/^[^ ]/ { skip = norel && $1 ~ /^(Depends|Recommends|Suggests|Breaks):$/ }
		skip { next }
		NR == 1 { print; print "Status: install ok installed"; next } { print }'
	echo
}
# the image's files here, and the tools' (all of their packages)
installed "$image" norel > "$d/var/lib/dpkg/status"
(cd "$d" && echo /. && find "$MODBASE" | sed 's|^|/|') > "$d/var/lib/dpkg/info/linux-image-$KVER.list"
for t in "$CACHE"/deb-tools/debs/*.deb; do
	installed "$t" >> "$d/var/lib/dpkg/status"
	dpkg-deb -c "$t" | awk '{ print $6 }' | sed 's|^\./$|/.|; s|^\.||; s|/$||' \
		> "$d/var/lib/dpkg/info/$(dpkg-deb -f "$t" Package).list"
done
: > "$d/var/lib/dpkg/available"
tar -C "$d" -cf "$pl/distro.tar" .
rm -rf "$d"

log=${LOG:-$WORK/check-deb.log}
echo "testbed: booting the emulated POWER9 host to install $(basename "$deb")"
out=$(mktemp "$WORK/check.XXXXXX")
REF=1 "$(dirname "$0")/boot.sh" "$pl" "$log" | tee "$out"
FLAVOUR=ours "$(dirname "$0")/tap-count" "$out"
rc=$?
rm -f "$out"
exit $rc
