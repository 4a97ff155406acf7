#!/bin/bash
# make deb KVER=...: xive-native-modules-<KVER>_<version>_ppc64el.deb with
# dpkg-deb: our kvm.ko and kvm-hv.ko of that kernel (make modules: same
# vermagic and CRCs as the distro's, testbed/modcheck.sh) in
# <modules dir>/<KVER>/updates/, where depmod's default search order
# prefers them to the distro's kernel/ copies; depmod in postinst and
# postrm; Depends on exactly the linux-image it was built for.  Then
# lintian on it (pedantic, experimental and info tags too): a tag not in
# debian/lintian.explained fails.
# Needs: KVER, the built modules (build/<KVER>), .cache/kernels/<KVER>.
set -euo pipefail
. "$(dirname "$0")/../testbed/lib.sh"

: "${CROSS_COMPILE=powerpc64le-linux-gnu-}"
info=$CACHE/kernels/$KVER
[ -r "$info" ] || die "no $info: run 'make deps KVER=$KVER'"
# shellcheck disable=SC1090
VERSION=$(. "$info"; echo "$VERSION")
BUILT=$TOP/build/$KVER/arch/powerpc/kvm
for m in kvm kvm-hv; do
	[ -e "$BUILT/$m.ko" ] || die "no $BUILT/$m.ko: run 'make KVER=$KVER'"
done
PKG=xive-native-modules-$KVER
# Ours: the commit's count and hash; a dirty tree says so.
rev=$(git -C "$TOP" rev-list --count HEAD)+g$(git -C "$TOP" rev-parse --short=7 HEAD)
[ -z "$(git -C "$TOP" status --porcelain --untracked-files=no)" ] || rev=$rev.dirty
: "${DEB_VERSION:=0.$rev}"
: "${MAINTAINER:=$(git -C "$TOP" config user.name) <$(git -C "$TOP" config user.email)>}"
# Where the distro's linux-image keeps its modules (7.x, trixie: /usr/lib)
MODBASE=lib/modules
[ ! -L "$SYSROOT/lib/modules/$KVER" ] || MODBASE=usr/lib/modules
OUT=$TOP/build/deb
R=$OUT/$PKG
say() { echo "deb: $*"; }

umask 022
rm -rf "$R"
mkdir -p "$R/DEBIAN" "$R/$MODBASE/$KVER/updates" "$R/usr/share/doc/$PKG"
# Debian strips its modules' debug info (INSTALL_MOD_STRIP=1): so do we.
for m in kvm kvm-hv; do
	"${CROSS_COMPILE}strip" --strip-debug -o "$R/$MODBASE/$KVER/updates/$m.ko" "$BUILT/$m.ko"
	chmod 644 "$R/$MODBASE/$KVER/updates/$m.ko"
done
cp "$TOP/debian/copyright" "$R/usr/share/doc/$PKG/"
date=$(git -C "$TOP" log -1 --format=%aD)
printf '%s (%s) unstable; urgency=medium\n\n  * Built from xive-native %s\n    for linux-image-%s %s.\n\n -- %s  %s\n' \
	"$PKG" "$DEB_VERSION" "$(git -C "$TOP" rev-parse --short=12 HEAD)" "$KVER" \
	"$VERSION" "$MAINTAINER" "$date" | gzip -9n > "$R/usr/share/doc/$PKG/changelog.gz"
for s in postinst postrm; do
	sed -e "s|@KVER@|$KVER|g" -e "s|@MODDIR@|/$MODBASE/$KVER|g" \
		"$TOP/debian/$s.in" > "$R/DEBIAN/$s"
	chmod 755 "$R/DEBIAN/$s"
done
(cd "$R" && find . -type f ! -path './DEBIAN/*' -printf '%P\n' | sort |
	xargs md5sum) > "$R/DEBIAN/md5sums"
cat > "$R/DEBIAN/control" <<EOF
Package: $PKG
Source: xive-native
Version: $DEB_VERSION
Architecture: ppc64el
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$R" | cut -f1)
Depends: linux-image-$KVER (= $VERSION), kmod
Section: kernel
Priority: optional
Homepage: https://www.kernel.org/doc/html/latest/virt/kvm/devices/xive.html
Description: KVM XIVE native device modules for Linux $KVER
 Replacement kvm.ko and kvm-hv.ko for Debian's
 linux-image-$KVER ($VERSION)
 on POWER9 and POWER10 PowerNV hosts: the same modules built from that
 kernel's own sources, with the KVM_DEV_TYPE_XIVE device (XIVE
 exploitation mode for pseries guests) replaced by xive-native's, which
 keeps the ABI QEMU uses.
 .
 They are installed in
 /$MODBASE/$KVER/updates/,
 which modprobe prefers to the distro's copies; removing the package
 brings those back.  Both modules must be loaded together: stop the
 VMs, then "modprobe -r kvm-hv kvm && modprobe kvm-hv".
EOF
mkdir -p "$OUT"
deb=$OUT/${PKG}_${DEB_VERSION}_ppc64el.deb
dpkg-deb --root-owner-group -Zxz --build "$R" "$deb" >/dev/null
say "$deb ($(du -k "$deb" | cut -f1) KiB): $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -c "$deb" | awk '{print "  " $1, $6}'

command -v lintian >/dev/null || die "no lintian: run 'make deps DEB=1'"
t0=$(date +%s)
# (lintian warns when run as root: not a tag)
out=$(lintian --info --display-info --pedantic --display-experimental "$deb" 2>&1 |
	grep -v '^running with root privileges is not recommended!$' || true)
# each tag: explained in debian/lintian.explained, or fatal
bad=0
while read -r t; do
	why=$(awk -F'\t' -v t="$t" '$1 == t {print $2}' "$TOP/debian/lintian.explained")
	if [ -n "$why" ]; then
		say "lintian: $t: explained: $why"
	else
		echo "$out" | grep -A12 -F -- ": $t" | sed 's/^/  lintian: /' || true
		bad=1
	fi
done < <(echo "$out" | sed -n 's/^[EWIPX]: [^ ]*: \([a-z0-9-]*\).*/\1/p' | sort -u)
[ "$bad" = 0 ] || die "lintian: tags not in debian/lintian.explained (above)"
say "lintian $(lintian --version | cut -d' ' -f2) (pedantic, experimental, info):" \
	"$(echo "$out" | grep -cE '^[EWIPX]: ' || true) tags, all explained ($(( $(date +%s) - t0 )) s)"
