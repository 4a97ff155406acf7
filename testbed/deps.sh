#!/bin/bash
# Fetch the Debian inputs of the testbed and the out-of-tree build for one
# kernel (KVER, the kernel ABI name).  Host tools are installed with apt;
# foreign (ppc64el) packages are only downloaded and unpacked into a private
# sysroot, never installed.  Every kernel's files have ABI-named paths, so
# all kernels share one sysroot.
set -euo pipefail

: "${CACHE:?CACHE must be set}"
: "${KVER:=6.1.0-50-powerpc64le}"

# The one table of pins: row (a regex of the kernel's major.minor), default
# KVER, Debian version of src:linux, and the suite when it is not in this
# host's apt sources ("-" when it is).  A KVER belongs to the row of its
# series and +debNN tag.  A pin the mirror no longer serves falls back to the
# newest version of the same kernel package that downloads (said in one
# line).  A foreign suite's packages come through a private apt
# configuration (.cache/apt/<suite>); its modules are built in a build root
# of that release (testbed/buildroot.sh).
PINS=${PINS:-"6\.1	6.1.0-50-powerpc64le		6.1.176-1	-
6\.12	6.12.117+deb12-powerpc64le-64k	6.12.117-1~deb12u1	-
6\.12	6.12.117+deb12-powerpc64le	6.12.117-1~deb12u1	-
6\.12	6.12.107+deb13-powerpc64le-64k	6.12.107-1	trixie
6\.12	6.12.107+deb13-powerpc64le	6.12.107-1	trixie
7\.[0-9]+	7.2.13+deb14-powerpc64le-64k	7.2.13-1	sid
7\.[0-9]+	7.2.13+deb14-powerpc64le	7.2.13-1	sid"}

SERIES=$(echo "$KVER" | cut -d. -f1-2)
# row_of KVER: its PINS line (same series regex, same +debNN tag, or none)
row_of() {
	echo "$PINS" | awk -v k="$1" '
		function tag(s) { return match(s, /\+deb[0-9]+/) ? substr(s, RSTART, RLENGTH) : "" }
		{ split(k, v, "."); if (v[1] "." v[2] ~ "^(" $1 ")$" && tag($2) == tag(k)) { print; exit } }'
}
ROW=$(row_of "$KVER")
SUITE=$(echo "$ROW" | awk '{print $4}')
SUITE=${SUITE:--}
# apt on the kernel's suite (the system's, or a private configuration)
HERE=$(cd "$(dirname "$0")" && pwd)
sapt() { "$HERE/suite-apt.sh" "$SUITE" "$@"; }
HOSTARCH=$(dpkg --print-architecture)
BUSYBOX_PKG="busybox-static:ppc64el=1:1.35.0-4+deb12u1+b1"

# dwarves: pahole, for the BTF of modules (6.12: DEBUG_INFO_BTF_MODULES).
HOST_PKGS="gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross qemu-system-ppc
	   kmod cpio xz-utils sparse perl python3 e2fsprogs dwarves curl
	   make gcc libc6-dev flex bison bc libssl-dev libelf-dev patch
	   device-tree-compiler"
# make deb: the package is checked with Debian's lintian.
[ -z "${DEB:-}" ] || HOST_PKGS="$HOST_PKGS lintian"
# make patches: git, and the SPDX check of checkpatch (python3-ply)
[ -z "${PATCHES:-}" ] || HOST_PKGS="$HOST_PKGS git python3-ply"
# A foreign suite's kernel is built in a root of that release.
[ "$SUITE" = - ] || HOST_PKGS="$HOST_PKGS mmdebstrap"

say() { echo "deps: $*"; }
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# The host's package setup runs one make deps at a time: two clones' at
# once (check-matrix halves side by side) raced in dpkg --add-architecture
# ("error installing new file '/var/lib/dpkg/arch'").  A read-only fd
# holds flock as well, whoever created the file.
lock=/run/lock/xive-native-deps.lock
[ -e "$lock" ] || : > "$lock"
exec 9< "$lock"
flock 9
missing=
for p in $HOST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep 'ok installed' >/dev/null ||
		missing="$missing $p"
done
need_update=
[ -n "$missing" ] && need_update=1
dpkg --print-foreign-architectures | grep -x ppc64el >/dev/null || {
	say "enabling the ppc64el architecture (indexes only; nothing is installed)"
	$SUDO dpkg --add-architecture ppc64el
	need_update=1
}
mkdir -p "$CACHE/debs" "$CACHE/sysroot"
cd "$CACHE/debs"
cached=
ls "linux-image-${KVER}"_*.deb >/dev/null 2>&1 && cached=1
if [ -z "$cached" ] && [ "$SUITE" != - ]; then
	sapt apt-cache show "linux-image-$KVER:ppc64el" >/dev/null 2>&1 || {
		say "apt-get update ($SUITE, private configuration in $CACHE/apt/$SUITE)"
		sapt apt-get update -q >/dev/null
	}
fi
[ -n "$cached" ] || apt-cache show "linux-image-$KVER:ppc64el" >/dev/null 2>&1 ||
	[ "$SUITE" != - ] || need_update=1

if [ -n "$need_update" ]; then
	say "apt-get update"
	# An index that fails mid-sync (seen on bookworm-security's ppc64el)
	# must not stop a kernel whose packages come from another suite.
	$SUDO apt-get update -q -o DPkg::Lock::Timeout=600 ||
		say "apt-get update reported errors (ignored)"
fi
if [ -n "$missing" ]; then
	say "installing host packages:$missing"
	# another apt (not one of ours: those wait on the lock above) may
	# hold dpkg's lock: wait for it
	$SUDO env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 $missing
fi
exec 9<&-

# apt drops privileges to _apt for downloads; it needs to write here.
chmod 777 . 2>/dev/null || true
# fetch NAME[:ARCH] VERSION: download unless that .deb is here already
# (the file name spells an epoch's colon %3a).
fetch() {
	local name=${1%%:*}
	ls "${name}_${2/:/%3a}"_*.deb >/dev/null 2>&1 && return 0
	say "downloading $1=$2$([ "$SUITE" = - ] || echo " ($SUITE)")"
	sapt apt-get download -q "$1=$2" || fetch_locked "$1" "$2"
}
# locked NAME:ARCH VERSION: its "sha256 url" in testbed/kernels.lock
LOCK=$HERE/kernels.lock
locked() { awk -v p="$1=$2" '$1 == p { print $2, $3 }' "$LOCK"; }
# fetch_locked NAME:ARCH VERSION: a suite's index can fail to download (out
# of sync with its Release mid-sync): a locked package comes by its URL.
# The lock names deb.debian.org: each archive (debian, debian-security) comes
# from the mirror this host's apt sources name for it, where they name one.
fetch_locked() {
	local sum url f base mirror
	read -r sum url < <(locked "$1" "$2") || { say "apt cannot download $1=$2"; return 1; }
	f=${url##*/}
	base=${url%%/pool/*}/
	mirror=$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null |
		 awk -v a="$(basename "$base")" 'substr($0, length($0) - length(a) - 1) == "/" a "/" { print; exit }')
	url=${mirror:-$base}${url#"$base"}
	say "apt cannot download $1=$2: fetching it from testbed/kernels.lock ($url)"
	if ! curl -fsS -o "$f.part" "$url" ||
	   ! echo "$sum  $f.part" | sha256sum -c --quiet -; then
		rm -f "$f.part"
		return 1
	fi
	mv "$f.part" "$f"
}

# image_version KVER: the version of linux-image-KVER: the one downloaded
# already, else the pin, else the newest the mirror serves and downloads
# (madison lists newest first).  Prints it; fails when none downloads.
image_version() {
	local img=linux-image-$1 have vers v pin
	have=$(ls "${img}"_*.deb 2>/dev/null | head -1 || true)
	[ -z "$have" ] || { dpkg-deb -f "$have" Version; return 0; }
	pin=$(echo "$PINS" | awk -v k="$1" '$2 == k {print $3}')
	vers=$(sapt apt-cache madison "$img:ppc64el" 2>/dev/null | awk '{print $3}' | uniq)
	for v in $pin $(echo "$vers" | grep -vxF "${pin:-@}"); do
		echo "$vers" | grep -xF "$v" >/dev/null || [ -n "$(locked "$img:ppc64el" "$v")" ] || continue
		fetch "$img:ppc64el" "$v" >&2 2>/dev/null || continue
		[ -z "$pin" ] || [ "$v" = "$pin" ] ||
			say "pinned $1 $pin is not served; falling back to $v" >&2
		echo "$v"
		return 0
	done
	return 1
}

# row_abis: the ABI names of KVER's row (series, +debNN tag, flavour) that
# the index lists, newest first
row_abis() {
	local rest series
	series=$(echo "$ROW" | awk '{print $1}')
	series=${series:-$(echo "$SERIES" | sed 's/\./\\./')}
	# (the +debNN tag's '+' escaped before the ABI number becomes [0-9]+)
	rest=$(echo "$KVER" | sed -E 's/^[0-9]+\.[0-9]+\.[0-9]+//; s/\+/\\+/g; s/^-[0-9]+-/-[0-9]+-/')
	sapt apt-cache pkgnames linux-image- | sed -n 's/^linux-image-//p' |
		grep -xE "($series)\.[0-9]+$rest" | sort -rV
}

# A KVER whose ABI the mirror dropped falls back to the newest ABI of the
# same row that downloads; the Makefile reads the choice from kver-fallback,
# so that every later step uses it.
if ! VER=$(image_version "$KVER"); then
	for k in $(row_abis | grep -vxF "$KVER"); do
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
# RESOLVE_ONLY=1 (testbed/pins-check.sh): stop once the kernel is chosen.
[ -z "${RESOLVE_ONLY:-}" ] || { say "resolved $KVER $VER"; exit 0; }
# Newer ABIs of the row that the index lists: a range request (206/200 =
# served) tells; one line each, down to the first served, on the first
# download.
if [ -z "$cached" ]; then
	for k in $(row_abis); do
		[ "$(printf '%s\n' "$k" "$KVER" | sort -V | tail -1)" = "$KVER" ] && break
		v=$(sapt apt-cache madison "linux-image-$k:ppc64el" | awk 'NR == 1 {print $3}')
		url=$(sapt apt-get download --print-uris "linux-image-$k:ppc64el=$v" |
			awk -F"'" 'NR == 1 {print $2}')
		code=$(curl -s -o /dev/null -r 0-99 -w '%{http_code}' "$url" || true)
		case $code in
		200|206) say "note: the mirror serves a newer $k ($v) than $KVER: KVER=$k selects it"
			 break ;;
		*) say "the index lists $k ($v) but the mirror answers $code: using $KVER ($VER), the newest that downloads" ;;
		esac
	done
fi

# 7.x: linux-image is a meta package over linux-binary (the kernel),
# linux-modules and linux-base (System.map, config).
for part in $(dpkg-deb -f "linux-image-${KVER}_${VER/:/%3a}"_*.deb Depends |
	      tr ',' '\n' | sed 's/^ *//; s/ .*//' |
	      grep -xE "linux-(binary|modules|base)-$(echo "$KVER" | sed 's/[.+]/\\&/g')"); do
	fetch "$part:ppc64el" "$VER"
done

# The headers name the rest: their -common package and kbuild (6.1 names
# kbuild by series, 6.12 by ABI).
fetch "linux-headers-$KVER:ppc64el" "$VER"
deps=$(dpkg-deb -f "linux-headers-${KVER}_"*.deb Depends | tr ',|' '\n\n' |
	sed 's/^ *//; s/ .*//')
COMMON=$(echo "$deps" | grep -m1 '^linux-headers-.*-common$')
KBUILD=$(echo "$deps" | grep -m1 '^linux-kbuild-')
# the compiler: gcc-NN, 7.x names gcc-NN-for-host
CC_PKG=$(echo "$deps" | grep -m1 -E '^gcc-[0-9]+(-for-host)?$' | sed 's/-for-host$//' || true)
fetch "$COMMON" "$VER"
fetch "$KBUILD:$HOSTARCH" "$VER"
fetch "linux-source-$SERIES" "$VER"
# busybox is bookworm's whatever the kernel's suite (the testbed's userland)
SUITE=- fetch "${BUSYBOX_PKG%%=*}" "${BUSYBOX_PKG#*=}"

cd "$CACHE"
ROOT=$(pwd -P)
# linux-source-<series> of two suites share their file names: the tree is
# unpacked from its own .deb (below), never through the sysroot.
for deb in debs/*.deb; do
	case $deb in debs/linux-source-*) continue ;; esac
	stamp="sysroot/.$(basename "$deb").x"
	[ -e "$stamp" ] && continue
	say "unpacking $(basename "$deb")"
	dpkg -x "$deb" sysroot
	touch "$stamp"
done

HDR=sysroot/usr/src/linux-headers-$KVER
# The arch headers include the common ones by absolute /usr/src path (7.x
# names its output directory so too).
sed -i -E "s#^(include |KBUILD_OUTPUT=)/usr/src/#\1$ROOT/sysroot/usr/src/#" "$HDR/Makefile"
# 7.x and trixie keep the modules (7.x the kernel too, an ELF that skiboot
# loads) under usr/lib/modules: linked where the testbed looks.
M=sysroot/usr/lib/modules/$KVER
[ -e "sysroot/lib/modules/$KVER" ] || [ ! -d "$M/kernel" ] || {
	mkdir -p sysroot/lib/modules
	ln -s "../../usr/lib/modules/$KVER" "sysroot/lib/modules/$KVER"
}
[ -e "sysroot/boot/vmlinux-$KVER" ] || [ ! -e "$M/vmlinuz" ] || {
	mkdir -p sysroot/boot
	ln -s "../usr/lib/modules/$KVER/vmlinuz" "sysroot/boot/vmlinux-$KVER"
}

# One tree per series and suite (bookworm-security's and trixie's 6.12 differ)
SRC=linux-source-$SERIES
[ "$SUITE" = - ] || SRC=$SRC-$SUITE
# The tree's own Makefile says which release it is (one tree per series: a
# fallback to another release of the series replaces it).
upstream=${VER%%-*}
tree=$(awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
	END {print v "." p "." s}' "$SRC/Makefile" 2>/dev/null || true)
if [ ! -e "$SRC/.unpacked" ] || [ "$tree" != "$upstream" ]; then
	say "unpacking $SRC ($VER)"
	rm -rf "$SRC" "$SRC.new"
	mkdir "$SRC.new"
	dpkg-deb --fsys-tarfile "debs/linux-source-${SERIES}_${VER/:/%3a}_all.deb" |
		tar -xO "./usr/src/linux-source-$SERIES.tar.xz" |
		tar -xJ -C "$SRC.new" --strip-components=1
	mv "$SRC.new" "$SRC"
	echo "$VER" > "$SRC/.unpacked"
fi
# 7.2's linux-kbuild lacks the script its Makefile runs to validate sparse
# (C=2 would then check nothing): the tree's own copy (unpacked above: a
# fresh cache's first run had none to copy).
KB=sysroot/usr/lib/$KBUILD/scripts
[ ! -d "$KB" ] || [ -e "$KB/checker-valid.sh" ] ||
	[ ! -e "$SRC/scripts/checker-valid.sh" ] ||
	cp "$SRC/scripts/checker-valid.sh" "$KB/checker-valid.sh"
# What make and the build root need to know of this kernel
mkdir -p kernels
cat > "kernels/$KVER.new" <<EOT
SUITE=$SUITE
KSRC_NAME=$SRC
VERSION=$VER
CC_PKG=$CC_PKG
KBUILD_PKG=$KBUILD
EOT
mv "kernels/$KVER.new" "kernels/$KVER"
want=${CC_PKG#gcc-}
have=$("${CROSS_COMPILE:-powerpc64le-linux-gnu-}gcc" -dumpversion 2>/dev/null || echo none)
if [ "$SUITE" != - ]; then
	"$HERE/buildroot.sh" --create
elif [ -n "$want" ] && [ "${have%%.*}" != "$want" ]; then
	say "warning: $KVER was built with $CC_PKG, the cross compiler is gcc $have"
fi
# A 4K kernel's emulated host boots with radix 2M pages (L0_HUGE, lib.sh):
# on bookworm-backports' QEMU 10.0, which takes a device tree (-dtb).
"$HERE/l0-qemu-deps.sh" --if-4k >/dev/null
say "ready in $CACHE: $KVER $VER (kernel built with ${CC_PKG:-?})"
