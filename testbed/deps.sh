#!/bin/bash
# Fetch the pinned Debian inputs of the testbed and the out-of-tree build.
# Host tools are installed with apt; foreign (ppc64el) packages are only
# downloaded and unpacked into a private sysroot, never installed.
set -euo pipefail

: "${CACHE:?CACHE must be set}"
KVER_DEB=6.1.176-1
ABI=6.1.0-50
FLAVOUR=powerpc64le

HOST_PKGS="gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross qemu-system-ppc
	   kmod cpio xz-utils sparse perl python3 e2fsprogs
	   make gcc libc6-dev flex bison bc libssl-dev libelf-dev patch"
FOREIGN_PKGS="linux-image-$ABI-$FLAVOUR:ppc64el=$KVER_DEB
	      linux-headers-$ABI-$FLAVOUR:ppc64el=$KVER_DEB
	      linux-headers-$ABI-common=$KVER_DEB
	      linux-kbuild-6.1:amd64=$KVER_DEB
	      linux-source-6.1=$KVER_DEB
	      busybox-static:ppc64el=1:1.35.0-4+deb12u1+b1"

say() { echo "deps: $*"; }
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

missing=
for p in $HOST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
need_update=
[ -n "$missing" ] && need_update=1
dpkg --print-foreign-architectures | grep -qx ppc64el || {
	say "enabling the ppc64el architecture (indexes only; nothing is installed)"
	$SUDO dpkg --add-architecture ppc64el
	need_update=1
}
apt-cache show "linux-image-$ABI-$FLAVOUR:ppc64el=$KVER_DEB" >/dev/null 2>&1 ||
	need_update=1

if [ -n "$need_update" ]; then
	say "apt-get update"
	# The bookworm-security ppc64el index sometimes fails mid-sync; the
	# pinned versions come from bookworm main, so a partial update is fine.
	$SUDO apt-get update -q || say "apt-get update reported errors (ignored)"
fi
if [ -n "$missing" ]; then
	say "installing host packages:$missing"
	$SUDO env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $missing
fi

mkdir -p "$CACHE/debs" "$CACHE/sysroot"
cd "$CACHE/debs"
for spec in $FOREIGN_PKGS; do
	name=${spec%%=*}
	name=${name%%:*}
	if ls "${name}"_*.deb >/dev/null 2>&1; then
		continue
	fi
	say "downloading $spec"
	# apt drops privileges to _apt for downloads; it needs to write here.
	chmod 777 . 2>/dev/null || true
	apt-get download -q "$spec"
done

cd "$CACHE"
for deb in debs/*.deb; do
	stamp="sysroot/.$(basename "$deb").x"
	[ -e "$stamp" ] && continue
	say "unpacking $(basename "$deb")"
	dpkg -x "$deb" sysroot
	touch "$stamp"
done

HDR=sysroot/usr/src/linux-headers-$ABI-$FLAVOUR
# The arch headers include the common ones by absolute /usr/src path.
sed -i "s|^include /usr/src/|include $CACHE/sysroot/usr/src/|" "$HDR/Makefile"

if [ ! -e linux-source-6.1/.unpacked ]; then
	say "unpacking linux-source-6.1"
	rm -rf linux-source-6.1
	tar -xf sysroot/usr/src/linux-source-6.1.tar.xz
	touch linux-source-6.1/.unpacked
fi
say "ready in $CACHE"
