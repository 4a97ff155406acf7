#!/bin/bash
# Fetch a ppc64el QEMU (the nested guest's VMM, run inside the emulated
# host) and its shared libraries: L1_QEMU=7.2 Debian 12's (the default),
# L1_QEMU=10.0 Debian 13's (trixie's index, read through suite-apt.sh).
# Pinned packages are downloaded and unpacked into a private folder (never
# installed), then only the binary, the libraries it links (DT_NEEDED,
# followed) and the VOF/SLOF firmware are kept: the bundle carries its own
# glibc and loader, so trixie's runs beside bookworm's kernel modules.
# A second run downloads and unpacks nothing.
# Usage: guest-deps.sh            fetch per testbed/guest/packages$L1_TAG.lock
#        guest-deps.sh --resolve  re-resolve the lock with apt (then commit it)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOCK=$TOP/testbed/guest/packages$L1_TAG.lock
DEBS=$CACHE/guest-debs$L1_TAG
XROOT=$CACHE/guest-sysroot$L1_TAG
BUNDLE=$CACHE/guest-qemu$L1_TAG
say() { echo "guest-deps: $*"; }
# sapt SUITE apt-get|apt-cache ...: "-" the system's sources
sapt() { "$TOP/testbed/suite-apt.sh" "$@"; }
# index SUITE: a private configuration's index, fetched when first needed
index() {
	[ "$1" = - ] || sapt "$1" apt-cache show qemu-system-ppc:ppc64el >/dev/null 2>&1 ||
		{ say "apt-get update ($1, private configuration in $CACHE/apt/$1)"
		  sapt "$1" apt-get update -q >/dev/null; }
}
# lockline SUITE: apt's "URI file size SHA256:sum" lines as lock lines,
# "name:arch=version sum suite" (file names escape an epoch's ':' as %3a)
lockline() {
	awk -v s="$1" '{ f = $2; sub(/\.deb$/, "", f); split(f, p, "_");
	       v = p[2]; gsub(/%3a/, ":", v); sub(/^SHA256:/, "", $4);
	       print p[1] ":" p[3] "=" v, $4, s }'
}
served() { [ "$(curl -s -o /dev/null -w '%{http_code}' -r 0-99 "$1")" = 206 ]; }

if [ "${1:-}" = --resolve ]; then
	index "$L1_SUITE"
	# apt resolves the closure; keep the real ppc64el packages (virtual
	# ones print as <name>) plus the arch-all firmware package.
	pkgs=$(sapt "$L1_SUITE" apt-cache depends --recurse --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances \
		qemu-system-ppc:ppc64el | grep -E '^[a-z0-9][^ ]*:ppc64el$' | sort -u)
	# The mirror's index can list a point-release version whose file it
	# does not serve (404, seen on trixie): that package comes from
	# L1_FALLBACK's index instead (sid; same soname, newer), said in a line.
	sapt "$L1_SUITE" apt-get download --print-uris $pkgs qemu-system-data |
	while read -r uri rest; do
		uri=${uri//\'/}
		if served "$uri"; then
			echo "$uri $rest" | lockline "$L1_SUITE"
			continue
		fi
		[ -n "$L1_FALLBACK" ] || die "not served: $uri"
		index "$L1_FALLBACK"
		name=${rest%%_*}
		arch=${rest#*_*_}; arch=${arch%%.deb*}
		alt=$(sapt "$L1_FALLBACK" apt-get download --print-uris "$name:$arch" | tr -d "'")
		served "${alt%% *}" || die "not served in $L1_SUITE or $L1_FALLBACK: $name"
		say "$name: $L1_SUITE's file is not served, $L1_FALLBACK's $(echo "$alt" | lockline - | cut -d' ' -f1)" >&2
		echo "$alt" | lockline "$L1_FALLBACK"
	done | sort > "$LOCK.new"
	mv "$LOCK.new" "$LOCK"
	say "$(wc -l < "$LOCK") packages pinned in $LOCK"
	exit 0
fi
[ -s "$LOCK" ] || die "no $LOCK: run '$0 --resolve'"

stamp=$BUNDLE/.lock.sha256
want=$(sha256sum < "$LOCK" | cut -d' ' -f1)
if [ -e "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	say "ready in $BUNDLE (cached)"
	exit 0
fi

t0=$(date +%s)
mkdir -p "$DEBS"
cd "$DEBS"
# Download what is missing, one apt call per suite; check every file's hash.
need=()
while read -r spec sum suite; do
	name=${spec%%:*}
	f=$(ls "${name}"_*.deb 2>/dev/null | head -1 || true)
	if [ -n "$f" ] && echo "$sum  $f" | sha256sum -c --quiet - 2>/dev/null; then
		continue
	fi
	rm -f "${name}"_*.deb
	need+=("${suite:--} $spec")
done < "$LOCK"
if [ ${#need[@]} -gt 0 ]; then
	say "downloading ${#need[@]} packages"
	chmod 777 . 2>/dev/null || true	# apt downloads as _apt
	for suite in $(printf '%s\n' "${need[@]}" | cut -d' ' -f1 | sort -u); do
		index "$suite"
		# shellcheck disable=SC2046 # one package spec a word
		sapt "$suite" apt-get download -q $(printf '%s\n' "${need[@]}" |
			awk -v s="$suite" '$1 == s { print $2 }') >/dev/null ||
			die "apt-get download failed (is the ppc64el index there? run 'make deps')"
	done
fi
while read -r spec sum _; do
	f=$(ls "${spec%%:*}"_*.deb)
	echo "$sum  $f" | sha256sum -c --quiet - || die "hash mismatch: $f"
done < "$LOCK"
t1=$(date +%s)

mkdir -p "$XROOT"
for deb in *.deb; do
	[ -e "$XROOT/.$deb.x" ] && continue
	dpkg -x "$deb" "$XROOT"
	touch "$XROOT/.$deb.x"
done
t2=$(date +%s)

# The bundle: standard paths, so that it runs as it is once unpacked at / of
# the emulated host (whose only other program is a static busybox).
rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/usr/bin" "$BUNDLE/lib64" "$BUNDLE/lib/powerpc64le-linux-gnu" \
	 "$BUNDLE/usr/share/qemu"
cp "$XROOT/usr/bin/qemu-system-ppc64" "$BUNDLE/usr/bin/"
cp "$XROOT/usr/share/qemu/vof.bin" "$XROOT/usr/share/qemu/slof.bin" \
   "$BUNDLE/usr/share/qemu/"
find_lib() {
	local d
	for d in lib/powerpc64le-linux-gnu usr/lib/powerpc64le-linux-gnu; do
		[ -e "$XROOT/$d/$1" ] && { echo "$XROOT/$d/$1"; return; }
	done
	die "library $1 not found in $XROOT"
}
todo=("$BUNDLE/usr/bin/qemu-system-ppc64")
while [ ${#todo[@]} -gt 0 ]; do
	elf=${todo[0]}
	todo=("${todo[@]:1}")
	for so in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		dst=$BUNDLE/lib/powerpc64le-linux-gnu/$so
		[ -e "$dst" ] && continue
		cp -L "$(find_lib "$so")" "$dst"
		todo+=("$dst")
	done
done
interp=$(readelf -l "$BUNDLE/usr/bin/qemu-system-ppc64" |
	 sed -n 's/.*interpreter: \(.*\)\]/\1/p')
# lib64/ld64.so.2 is an absolute symlink: take the file it names.
cp -L "$(find_lib "$(basename "$interp")")" "$BUNDLE$interp"
echo "$want" > "$stamp"
t3=$(date +%s)
say "ready in $BUNDLE: $(ls "$BUNDLE/lib/powerpc64le-linux-gnu" | wc -l) libraries," \
    "$(du -sm "$BUNDLE" | cut -f1) MB (download $((t1 - t0)) s, unpack $((t2 - t1)) s," \
    "bundle $((t3 - t2)) s)"
