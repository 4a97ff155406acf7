#!/bin/bash
# make check-pins: the pins that must outlive the mirror, tested against
# the mirror itself.  In a scratch CACHE: a kernel pin whose version the
# mirror does not serve, a kernel ABI it dropped and a series it never had
# (testbed/deps.sh, RESOLVE_ONLY=1: stop once the kernel is chosen), then
# the emulated host's QEMU pin served, not served and of a series that
# backports lacks (testbed/l0-qemu-deps.sh).  Each fallback must say so in
# one line, name what it took, and what it took must be what the mirror
# serves; a pin with nothing to fall back to must fail and say why.
# Prints TAP, counted by tap-count.  Downloads one 6.1 linux-image and
# bookworm-backports' qemu-system-ppc (about 60 MB).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
S=$(mktemp -d "$WORK/pins.XXXXXX")
trap 'rm -rf "$S"' EXIT
tap=$S/tap
n=0
ok() {	# description condition...
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $what"; else echo "not ok $n - $what"; fi
}
# has FILE REGEX: FILE holds exactly one line matching REGEX
has() {
	[ "$(grep -cE -e "$2" "$1")" = 1 ] && return 0
	echo "#   want one line like '$2' in:"; sed 's/^/#     /' "$1"
	return 1
}
# deps OUT ARGS...: deps.sh in the scratch cache, output to OUT, its status
deps() {
	local o=$1
	shift
	env CACHE="$S/cache" RESOLVE_ONLY=1 "$@" "$TOP/testbed/deps.sh" > "$o" 2>&1
}
# re S: S as an extended regex that matches S only
re() { sed 's/[][\\.*+?^$(){}|]/\\&/g' <<< "$1"; }
served_image() {	# ABI: the versions of its linux-image the index lists
	apt-cache madison "linux-image-$1:ppc64el" | awk '{print $3}'
}

{
echo 'TAP version 13'
# A pin the mirror no longer serves: the 6.1 row pinned to a version that
# never existed.
K=6.1.0-50-powerpc64le
pins=$(sed -n '/^PINS=/,/"}$/p' "$TOP/testbed/deps.sh" | sed '1s/^PINS=\${PINS:-"//; $s/"}$//')
deps "$S/pin" KVER=$K PINS="$(sed "s/	6\.1\.176-1	/	6.1.176-0	/" <<< "$pins")"
rc=$?
v=$(sed -n "s/^deps: resolved $K //p" "$S/pin")
ok "unserved kernel pin: deps succeeds" test "$rc" = 0
ok "unserved kernel pin: one line says it falls back" \
	has "$S/pin" "^deps: pinned $K 6\.1\.176-0 is not served; falling back to $(re "$v")\$"
ok "unserved kernel pin: it takes a version the index lists" \
	grep -qxF -e "${v:-@}" <(served_image "$K")
ok "unserved kernel pin: that version's image is downloaded" \
	test -s "$(ls "$S/cache/debs/linux-image-${K}_${v/:/%3a}_"*.deb 2>/dev/null | head -1)"

# An ABI the mirror dropped: the newest ABI of the same series and flavour.
D=6.1.0-1-powerpc64le
deps "$S/abi" KVER=$D
rc=$?
k=$(sed -n 's/^deps: resolved \([^ ]*\) .*/\1/p' "$S/abi")
ok "dropped kernel ABI: deps succeeds" test "$rc" = 0
ok "dropped kernel ABI: one line names the ABI it takes" \
	has "$S/abi" "^deps: $D is not served; falling back to $(re "${k:-@}") \\("
ok "dropped kernel ABI: it is a 6.1 powerpc64le ABI the index lists" \
	eval '[[ $k =~ ^6\.1\.[0-9]+-[0-9]+-powerpc64le$ ]] && [ -n "$(served_image "$k")" ]'
ok "dropped kernel ABI: the rest of the run uses it (lib.sh)" \
	test "$(CACHE="$S/cache" KVER=$D bash -c '. "$1"; echo "$KVER"' - "$TOP/testbed/lib.sh")" = "$k"

# A series the mirror never had: a failure that says so.
deps "$S/none" KVER=5.10.0-1-powerpc64le
rc=$?
ok "unknown kernel series: deps fails" test "$rc" != 0
ok "unknown kernel series: and says why" \
	has "$S/none" '^deps: the mirror serves no kernel like 5\.10\.0-1-powerpc64le$'

# The emulated host's QEMU (bookworm-backports): the pin, an unserved pin
# of its series, a series backports lacks.
l0() { env CACHE="$S/cache" "$@" "$TOP/testbed/l0-qemu-deps.sh"; }
pin=$(sed -n 's/^PIN=${L0_QEMU_PIN:-\(.*\)}$/\1/p' "$TOP/testbed/l0-qemu-deps.sh")
Q=$S/cache/l0-qemu/root
l0 > "$S/q0" 2>&1
rc=$?
ok "QEMU pin $pin: fetched, no fallback" \
	eval '[ "$rc" = 0 ] && ! grep -q "falling back" "$S/q0" && [ "$(cat "$Q/.done")" = "$pin $pin" ]'
l0 L0_QEMU_PIN=1:10.0.0+ds-0~bpo12+1 > "$S/q1" 2>&1
rc=$?
got=$(cut -d' ' -f2 "$Q/.done" 2>/dev/null)
ok "unserved QEMU pin: succeeds" test "$rc" = 0
ok "unserved QEMU pin: one line says it falls back" \
	has "$S/q1" "^l0-qemu: pinned qemu-system-ppc 1:10\.0\.0\+ds-0~bpo12\+1 is not served; falling back to $(re "${got:-@}")\$"
ok "unserved QEMU pin: it takes a 10.0 the index lists, and it runs" \
	eval '[[ $got == 1:10.0.* ]] && "$Q/usr/bin/qemu-system-ppc64" --version | grep -F "(Debian $got)" >/dev/null'
l0 L0_QEMU_PIN=1:9.9.0+ds-1 > "$S/q2" 2>&1
rc=$?
ok "QEMU pin of a series backports lacks: fails and says why" \
	eval '[ "$rc" != 0 ] && has "$S/q2" "serves no qemu-system-ppc 1:9\.9\.\*"'
echo "1..$n"
} | tee "$tap"
FLAVOUR=ours "$(dirname "$0")/tap-count" "$tap"
