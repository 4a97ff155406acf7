#!/bin/bash
# Fetch a newer QEMU for the emulated host (L0) without installing it:
# Debian's bookworm-backports qemu-system-ppc 10.0 (amd64, built against
# bookworm's libraries, so it runs from its unpacked folder).  A 4K
# kernel's emulated host runs on it (L0_HUGE, lib.sh: it takes -dtb), so
# does check-debug's guest part; for a 64K one it is opt-in:
# L0_QEMU="$(testbed/l0-qemu-deps.sh)" make check-guest.  The backports
# index is read through suite-apt.sh's private configuration; the system's
# apt sources are not touched.  Prints the L0_QEMU value to use.
# A pin that backports no longer serves falls back to the newest 10.0.x it
# does (one line); L0_QEMU_PIN overrides the pin (testbed/pins-check.sh).
# --if-4k (deps.sh): only when KVER has 4K pages.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "${1:-}" != --if-4k ] || host4k || exit 0
PIN=${L0_QEMU_PIN:-1:10.0.2+ds-2+deb13u1~bpo12+1}
SERIES=${PIN%.*}.	# 1:10.0.
PKGS="qemu-system-ppc qemu-system-data qemu-system-common"
D=$CACHE/l0-qemu
OUT=$L0_QEMU10_ROOT
say() { echo "l0-qemu: $*" >&2; }
bpo() { ARCHS=$(dpkg --print-architecture) "$TOP/testbed/suite-apt.sh" bookworm-backports "$@"; }
# .done holds "pin version": the pin that was asked and what it got
if [ "$(cut -d' ' -f1 "$OUT/.done" 2>/dev/null)" != "$PIN" ]; then
	bpo apt-get update -q >/dev/null
	served=$(bpo apt-cache madison qemu-system-ppc | awk '{print $3}')
	VER=$PIN
	if ! grep -qxF "$PIN" <<< "$served"; then
		VER=$(awk -v s="$SERIES" 'index($0, s) == 1' <<< "$served" | sort -V | tail -1)
		[ -n "$VER" ] || die "bookworm-backports serves no qemu-system-ppc $SERIES*"
		say "pinned qemu-system-ppc $PIN is not served; falling back to $VER"
	fi
	rm -rf "$D/debs"
	mkdir -p "$D/debs"
	cd "$D/debs"
	chmod 777 . 2>/dev/null || true	# apt downloads as _apt
	say "fetching $PKGS $VER"
	bpo apt-get download -q $(for p in $PKGS; do echo "$p=$VER"; done) >/dev/null
	rm -rf "$OUT"
	mkdir -p "$OUT"
	for p in $PKGS; do dpkg -x "${p}"_*.deb "$OUT"; done
	missing=$(ldd "$OUT/usr/bin/qemu-system-ppc64" | grep 'not found' || true)
	[ -z "$missing" ] || die "libraries missing for $OUT/usr/bin/qemu-system-ppc64: $missing"
	echo "$PIN $VER" > "$OUT/.done"
fi
echo "$L0_QEMU10"
