#!/bin/bash
# Debian 12's ppc64el dpkg and kmod with every library they link, for the
# emulated host (make check-deb installs the package there with them):
# downloaded into .cache/deb-tools/debs, never installed, and unpacked
# into one tar of standard paths, without docs, manuals and translations.
# A second run downloads and unpacks nothing.  Prints the tar's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# dpkg, kmod (depmod, modprobe: what the maintainer scripts and the test
# call), dash (/bin/sh: the maintainer scripts run under Debian's shell,
# not busybox's, whose applets would shadow depmod), glibc and ldconfig,
# tar and diff (dpkg wants them in PATH), and
# what they depend on: a closed set (their Depends, followed by hand), so
# that the emulated host's dpkg database can list them all as installed;
# the bundle's ELF files are checked for unresolved DT_NEEDED below.
PKGS="dpkg=1.21.23 kmod=30+20221128-1 libkmod2=30+20221128-1
libc6=2.36-9+deb12u14 libc-bin=2.36-9+deb12u14 libmd0=1.0.4-2
libselinux1=3.4-1+b6 libpcre2-8-0=10.42-1+deb12u2 zlib1g=1:1.2.13.dfsg-1+deb12u1
libbz2-1.0=1.0.8-5+b1 liblzma5=5.4.1-1+deb12u2 libzstd1=1.5.4+dfsg2-5+deb12u1
libssl3=3.0.22-1~deb12u2 tar=1.34+dfsg-1.2+deb12u1 libacl1=2.3.1-3
diffutils=1:3.8-4 dash=0.5.12-2 debianutils=5.7-0.5~deb12u1 libgcc-s1=12.2.0-14+deb12u1 gcc-12-base=12.2.0-14+deb12u1"
D=$CACHE/deb-tools
TAR=$D/tools.tar
stamp=$(echo "$PKGS" | sha256sum | cut -c1-16)
if [ "$(cat "$D/.stamp" 2>/dev/null)" = "$stamp" ] && [ -s "$TAR" ]; then
	echo "$TAR"
	exit 0
fi
say() { echo "deb-tools: $*" >&2; }
mkdir -p "$D/debs"
chmod 777 "$D/debs" 2>/dev/null || true	# apt downloads as _apt
need=()
for p in $PKGS; do
	ls "$D/debs/${p%%=*}_${p#*=}"_ppc64el.deb >/dev/null 2>&1 ||
		ls "$D/debs/${p%%=*}_$(echo "${p#*=}" | sed 's/:/%3a/')"_ppc64el.deb >/dev/null 2>&1 ||
		need+=("${p%%=*}:ppc64el=${p#*=}")
done
if [ ${#need[@]} -gt 0 ]; then
	say "downloading ${#need[@]} packages"
	(cd "$D/debs" && apt-get download -q "${need[@]}" >&2) ||
		die "apt-get download failed (is the ppc64el index there? run 'make deps')"
fi
R=$D/root
rm -rf "$R"
mkdir -p "$R"
for deb in "$D"/debs/*.deb; do
	dpkg -x "$deb" "$R"
done
rm -rf "$R"/usr/share/{doc,man,locale,info,lintian,bug} "$R"/usr/lib/powerpc64le-linux-gnu/gconv
# Every DT_NEEDED of the bundle's programs and libraries must be in it.
missing=$(find "$R" -type f -perm -u+x -o -type f -name '*.so*' | while read -r f; do
	readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
done | sort -u | while read -r so; do
	[ -e "$R/lib/powerpc64le-linux-gnu/$so" ] || [ -e "$R/usr/lib/powerpc64le-linux-gnu/$so" ] ||
		echo "$so"
done)
[ -z "$missing" ] || die "the bundle lacks: $missing"
tar -C "$R" -cf "$TAR.new" .
mv "$TAR.new" "$TAR"
echo "$stamp" > "$D/.stamp"
say "$(du -m "$TAR" | cut -f1) MB in $TAR"
echo "$TAR"
