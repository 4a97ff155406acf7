#!/bin/bash
# Fetch the Debian inputs of the testbed and the out-of-tree build for one
# kernel (KVER, the kernel ABI name).  Host tools are installed with apt;
# foreign (ppc64el) packages are only downloaded and unpacked into a private
# sysroot, never installed.  Every kernel's files have ABI-named paths, so
# all kernels share one sysroot.
set -euo pipefail

: "${CACHE:?CACHE must be set}"
: "${KVER:=6.1.0-50-powerpc64le}"

# The one table of pins: series, default KVER, Debian version of src:linux.
# A pin the mirror no longer serves falls back to the newest version of the
# same kernel package that downloads (said in one line).
PINS=${PINS:-"6.1	6.1.0-50-powerpc64le		6.1.176-1
6.12	6.12.117+deb12-powerpc64le-64k	6.12.117-1~deb12u1"}

SERIES=$(echo "$KVER" | cut -d. -f1-2)
HOSTARCH=$(dpkg --print-architecture)
BUSYBOX_PKG="busybox-static:ppc64el=1:1.35.0-4+deb12u1+b1"

# dwarves: pahole, for the BTF of modules (6.12: DEBUG_INFO_BTF_MODULES).
HOST_PKGS="gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross qemu-system-ppc
	   kmod cpio xz-utils sparse perl python3 e2fsprogs dwarves
	   make gcc libc6-dev flex bison bc libssl-dev libelf-dev patch"

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
mkdir -p "$CACHE/debs" "$CACHE/sysroot"
cd "$CACHE/debs"
ls "linux-image-${KVER}"_*.deb >/dev/null 2>&1 ||
	apt-cache show "linux-image-$KVER:ppc64el" >/dev/null 2>&1 || need_update=1

if [ -n "$need_update" ]; then
	say "apt-get update"
	# An index that fails mid-sync (seen on bookworm-security's ppc64el)
	# must not stop a kernel whose packages come from another suite.
	$SUDO apt-get update -q || say "apt-get update reported errors (ignored)"
fi
if [ -n "$missing" ]; then
	say "installing host packages:$missing"
	$SUDO env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $missing
fi

# apt drops privileges to _apt for downloads; it needs to write here.
chmod 777 . 2>/dev/null || true
# fetch NAME[:ARCH] VERSION: download unless that .deb is here already
# (the file name spells an epoch's colon %3a).
fetch() {
	local name=${1%%:*}
	ls "${name}_${2/:/%3a}"_*.deb >/dev/null 2>&1 && return 0
	say "downloading $1=$2"
	apt-get download -q "$1=$2"
}

# image_version KVER: the version of linux-image-KVER: the one downloaded
# already, else the pin, else the newest the mirror serves and downloads
# (madison lists newest first).  Prints it; fails when none downloads.
image_version() {
	local img=linux-image-$1 have vers v pin
	have=$(ls "${img}"_*.deb 2>/dev/null | head -1 || true)
	[ -z "$have" ] || { dpkg-deb -f "$have" Version; return 0; }
	pin=$(echo "$PINS" | awk -v k="$1" '$2 == k {print $3}')
	vers=$(apt-cache madison "$img:ppc64el" 2>/dev/null | awk '{print $3}' | uniq)
	for v in $pin $(echo "$vers" | grep -vxF "${pin:-@}"); do
		echo "$vers" | grep -qxF "$v" || continue
		fetch "$img:ppc64el" "$v" >&2 2>/dev/null || continue
		[ -z "$pin" ] || [ "$v" = "$pin" ] ||
			say "pinned $1 $pin is not served; falling back to $v" >&2
		echo "$v"
		return 0
	done
	return 1
}

# A KVER whose ABI the mirror dropped falls back to the newest ABI of the
# same row (series, +debNN tag, flavour) that downloads; the Makefile reads
# the choice from kver-fallback, so that every later step uses it.
if ! VER=$(image_version "$KVER"); then
	row=$(echo "$KVER" | sed -E 's/\+/\\+/g; s/^([^-]*)-[0-9]+-/\1-[0-9]+-/;
		s/^([0-9]+\.[0-9]+)\.[0-9]+/\1.[0-9]+/')
	for k in $(apt-cache pkgnames linux-image- | sed -n 's/^linux-image-//p' |
		   grep -xE "$row" | grep -vxF "$KVER" | sort -rV); do
		VER=$(image_version "$k") || continue
		say "$KVER is not served; falling back to $k ($VER)"
		awk -v k="$KVER" '$1 != k' "$CACHE/kver-fallback" 2>/dev/null > "$CACHE/kver-fallback.new" || true
		echo "$KVER $k" >> "$CACHE/kver-fallback.new"
		mv "$CACHE/kver-fallback.new" "$CACHE/kver-fallback"
		KVER=$k
		break
	done
	[ -n "$VER" ] || { say "the mirror serves no kernel like $KVER"; exit 1; }
fi

# The headers name the rest: their -common package and kbuild (6.1 names
# kbuild by series, 6.12 by ABI).
fetch "linux-headers-$KVER:ppc64el" "$VER"
deps=$(dpkg-deb -f "linux-headers-${KVER}_"*.deb Depends | tr ',|' '\n\n' |
	sed 's/^ *//; s/ .*//')
COMMON=$(echo "$deps" | grep -m1 '^linux-headers-.*-common$')
KBUILD=$(echo "$deps" | grep -m1 '^linux-kbuild-')
CC_PKG=$(echo "$deps" | grep -m1 '^gcc-[0-9]*$' || true)
fetch "$COMMON" "$VER"
fetch "$KBUILD:$HOSTARCH" "$VER"
fetch "linux-source-$SERIES" "$VER"
fetch "${BUSYBOX_PKG%%=*}" "${BUSYBOX_PKG#*=}"

cd "$CACHE"
ROOT=$(pwd -P)
for deb in debs/*.deb; do
	stamp="sysroot/.$(basename "$deb").x"
	[ -e "$stamp" ] && continue
	say "unpacking $(basename "$deb")"
	dpkg -x "$deb" sysroot
	touch "$stamp"
done

HDR=sysroot/usr/src/linux-headers-$KVER
# The arch headers include the common ones by absolute /usr/src path.
sed -i "s|^include /usr/src/|include $ROOT/sysroot/usr/src/|" "$HDR/Makefile"

SRC=linux-source-$SERIES
# The tree's own Makefile says which release it is (one tree per series: a
# fallback to another release of the series replaces it).
upstream=${VER%%-*}
tree=$(awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
	END {print v "." p "." s}' "$SRC/Makefile" 2>/dev/null)
if [ ! -e "$SRC/.unpacked" ] || [ "$tree" != "$upstream" ]; then
	say "unpacking $SRC ($VER)"
	rm -rf "$SRC"
	tar -xf "sysroot/usr/src/$SRC.tar.xz"
	echo "$VER" > "$SRC/.unpacked"
fi
want=${CC_PKG#gcc-}
have=$("${CROSS_COMPILE:-powerpc64le-linux-gnu-}gcc" -dumpversion 2>/dev/null || echo none)
[ -z "$want" ] || [ "${have%%.*}" = "$want" ] ||
	say "warning: $KVER was built with $CC_PKG, the cross compiler is gcc $have"
say "ready in $CACHE: $KVER $VER (kernel built with ${CC_PKG:-?})"
