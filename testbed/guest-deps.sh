#!/bin/bash
# Fetch Debian 12's ppc64el QEMU (the nested guest's VMM, run inside the
# emulated host) and its shared libraries: pinned packages are downloaded and
# unpacked into a private folder (never installed), then only the binary, the
# libraries it links (DT_NEEDED, followed) and the VOF/SLOF firmware are kept.
# A second run downloads and unpacks nothing.
# Usage: guest-deps.sh            fetch per testbed/guest/packages.lock
#        guest-deps.sh --resolve  re-resolve the lock with apt (then commit it)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

LOCK=$TOP/testbed/guest/packages.lock
DEBS=$CACHE/guest-debs
XROOT=$CACHE/guest-sysroot
BUNDLE=$CACHE/guest-qemu
say() { echo "guest-deps: $*"; }

if [ "${1:-}" = --resolve ]; then
	# apt resolves the closure; keep the real ppc64el packages (virtual
	# ones print as <name>) plus the arch-all firmware package.
	pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances \
		qemu-system-ppc:ppc64el | grep -E '^[a-z0-9][^ ]*:ppc64el$' | sort -u)
	# Filenames carry name_version_arch (epoch ':' escaped as %3a).
	apt-get download --print-uris $pkgs qemu-system-data |
	awk '{ f = $2; sub(/\.deb$/, "", f); n = split(f, p, "_");
	       v = p[2]; gsub(/%3a/, ":", v); sub(/^SHA256:/, "", $4);
	       print p[1] ":" p[3] "=" v, $4 }' | sort > "$LOCK.new"
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
# Download what is missing in one apt call; check every file's hash.
need=()
while read -r spec sum; do
	name=${spec%%:*}
	f=$(ls "${name}"_*.deb 2>/dev/null | head -1 || true)
	if [ -n "$f" ] && echo "$sum  $f" | sha256sum -c --quiet - 2>/dev/null; then
		continue
	fi
	rm -f "${name}"_*.deb
	need+=("$spec")
done < "$LOCK"
if [ ${#need[@]} -gt 0 ]; then
	say "downloading ${#need[@]} packages"
	chmod 777 . 2>/dev/null || true	# apt downloads as _apt
	apt-get download -q "${need[@]}" >/dev/null ||
		die "apt-get download failed (is the ppc64el index there? run 'make deps')"
fi
while read -r spec sum; do
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
