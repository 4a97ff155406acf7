#!/bin/bash
# A linux-source tree as a git tree (make patches, make intree-check
# TREE=...): linux-source-<TREE> is downloaded into .cache/debs with apt
# (a suite outside this host's sources through testbed/suite-apt.sh),
# unpacked into build/ktree/<TREE> and committed there once, tagged
# "base"; never part of this repository.  Also fetches the Debian ppc64el
# config the tree is built with (build/ktree/<TREE>.config): the
# tree's own when the mirror serves its headers, else the nearest
# release's (trixie-backports' ppc64el binaries answer 404).
# Usage: ktree.sh TREE      prints the tree's path, its config's, and
#                           the package the config comes from
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TREE=${1:?usage: ktree.sh TREE}
# TREE, its suite ("-": this host's), the pinned linux-source version, and
# the headers package (suite:name=version) whose .config it is built with.
TREES="7.3	trixie-backports	7.3.4-1~bpo13+1	sid:linux-headers-7.2.13+deb14-powerpc64le-64k=7.2.13-1
6.12	-	6.12.117-1~deb12u1	-:linux-headers-6.12.117+deb12-powerpc64le-64k=6.12.117-1~deb12u1
6.1	-	6.1.176-1	-:linux-headers-6.1.0-50-powerpc64le=6.1.176-1"
row=$(echo "$TREES" | awk -v t="$TREE" '$1 == t')
[ -n "$row" ] || die "TREE=$TREE: one of $(echo "$TREES" | awk '{printf "%s ", $1}')"
read -r _ suite pin cfg <<< "$row"
say() { echo "ktree: $*" >&2; }
sapt() { "$TOP/testbed/suite-apt.sh" "$1" "${@:2}"; }

mkdir -p "$CACHE/debs" "$TOP/build/ktree"
chmod 777 "$CACHE/debs" 2>/dev/null || true	# apt downloads as _apt
# fetch SUITE NAME VERSION: the .deb's path (downloaded once)
fetch() {
	local f
	f=$(ls "$CACHE/debs/${2%%:*}_${3/:/%3a}"_*.deb 2>/dev/null | head -1 || true)
	if [ -z "$f" ]; then
		sapt "$1" apt-cache show "$2=$3" >/dev/null 2>&1 ||
			sapt "$1" apt-get update -q >/dev/null
		say "downloading $2=$3 ($1)"
		(cd "$CACHE/debs" && sapt "$1" apt-get download -q "$2=$3" >&2) ||
			return 1
		f=$(ls "$CACHE/debs/${2%%:*}_${3/:/%3a}"_*.deb | head -1)
	fi
	echo "$f"
}

# The pinned source, else the newest the suite lists (one line saying so)
ver=$pin
if ! deb=$(fetch "$suite" "linux-source-$TREE" "$pin" 2>/dev/null); then
	ver=$(sapt "$suite" apt-cache madison "linux-source-$TREE" | awk 'NR == 1 {print $3}')
	[ -n "$ver" ] || die "no linux-source-$TREE in ${suite/-/this host\'s suites}"
	say "pinned linux-source-$TREE $pin is not served; falling back to $ver"
	deb=$(fetch "$suite" "linux-source-$TREE" "$ver")
fi

T=$TOP/build/ktree/$TREE
if [ "$(cat "$T/.git/xive-native-base" 2>/dev/null)" != "$ver" ]; then
	t0=$(date +%s)
	rm -rf "$T" "$T.new"
	mkdir -p "$T.new"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/linux-source-$TREE.tar.xz" |
		tar -xJ -C "$T.new" --strip-components=1
	# Debian's top-level .gitignore ignores the whole tree (/*): -f.
	git -C "$T.new" init -q
	git -C "$T.new" add -A -f
	git -C "$T.new" -c user.name=linux-source -c user.email=linux-source@invalid \
		commit -q -m "linux-source-$TREE $ver (Debian)"
	git -C "$T.new" tag base
	echo "$ver" > "$T.new/.git/xive-native-base"
	mv "$T.new" "$T"
	say "imported linux-source-$TREE $ver as a git tree in $T ($(( $(date +%s) - t0 )) s)"
fi

# The config: ./usr/src/<headers>/.config of that headers package
hsuite=${cfg%%:*} hpkg=${cfg#*:}
C=$T.config
if [ ! -s "$C" ]; then
	hdeb=$(fetch "$hsuite" "${hpkg%%=*}:ppc64el" "${hpkg#*=}") ||
		die "cannot download ${hpkg%%=*} for $TREE's config"
	dpkg-deb --fsys-tarfile "$hdeb" | tar -xO "./usr/src/${hpkg%%=*}/.config" > "$C.new"
	mv "$C.new" "$C"
	say "config: ${hpkg%%=*}'s (Debian ppc64el, $(sed -n 's/^CONFIG_CC_VERSION_TEXT=//p' "$C"))"
fi
echo "$T"
echo "$C"
echo "${hpkg%%=*} ${hpkg#*=}"
