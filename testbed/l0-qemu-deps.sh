#!/bin/bash
# Fetch a newer QEMU for the emulated host (L0) without installing it:
# Debian's bookworm-backports qemu-system-ppc 10.0 (amd64, built against
# bookworm's libraries, so it runs from its unpacked folder).  A 4K
# kernel's emulated host runs on it (L0_HUGE, lib.sh: it takes -dtb), so
# does check-debug's guest part; for a 64K one it is opt-in:
# L0_QEMU="$(testbed/l0-qemu-deps.sh)" make check-guest.  The backports
# index is read through a private apt configuration; the system's apt
# sources are not touched.  Prints the L0_QEMU value to use.
# --if-4k (deps.sh): only when KVER has 4K pages.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "${1:-}" != --if-4k ] || host4k || exit 0
VER=1:10.0.2+ds-2+deb13u1~bpo12+1
PKGS="qemu-system-ppc qemu-system-data qemu-system-common"
D=$CACHE/l0-qemu
OUT=$L0_QEMU10_ROOT
if [ ! -e "$OUT/.done-$VER" ]; then
	mkdir -p "$D/lists/partial" "$D/cache/archives/partial" "$D/debs"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main" \
		> "$D/sources.list"
	APT=(-o Dir::Etc::SourceList="$D/sources.list" -o Dir::Etc::SourceParts=/dev/null
	     -o Dir::State::Lists="$D/lists" -o Dir::Cache="$D/cache"
	     -o APT::Architectures=amd64)
	echo "l0-qemu: fetching $PKGS $VER" >&2
	apt-get "${APT[@]}" update -q >/dev/null
	cd "$D/debs"
	chmod 777 . 2>/dev/null || true	# apt downloads as _apt
	apt-get "${APT[@]}" download -q $(for p in $PKGS; do echo "$p=$VER"; done) >/dev/null
	rm -rf "$OUT"
	mkdir -p "$OUT"
	for p in $PKGS; do dpkg -x "${p}"_*.deb "$OUT"; done
	missing=$(ldd "$OUT/usr/bin/qemu-system-ppc64" | grep 'not found' || true)
	[ -z "$missing" ] || die "libraries missing for $OUT/usr/bin/qemu-system-ppc64: $missing"
	touch "$OUT/.done-$VER"
fi
echo "$L0_QEMU10"
