#!/bin/bash
# make vm-run RUN=prog [ARGS=...]: run one static ppc64le program in the
# emulated POWER9 host with the KVM modules loaded (ours, or REF=1 the
# distro's).  Exit status: the program's, or non-zero when the host's kernel
# log shows an Oops/WARNING/BUG, a module did not load or the run hung.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

prog=${1:-}
shift || true
[ -n "$prog" ] && [ -f "$prog" ] || die "usage: make vm-run RUN=<static ppc64le program> [ARGS=...]"
# The emulated host has busybox and no libc: catch a wrong binary before
# an 8 s boot (a #! script for busybox sh is fine).
if [ "$(head -c4 "$prog")" = $'\x7fELF' ] && command -v readelf >/dev/null; then
	hdr=$(readelf -h "$prog")
	grep -q 'Machine: *PowerPC64' <<< "$hdr" &&
		grep -q 'little endian' <<< "$hdr" ||
		die "$prog is not a ppc64le program"
	! readelf -lW "$prog" | grep 'program interpreter' >/dev/null ||
		die "$prog is dynamically linked: build it with -static"
fi

pl=$(mktemp -d "$WORK/payload.XXXXXX")
trap 'rm -rf "$pl"' EXIT
cp "$prog" "$pl/prog"
chmod +x "$pl/prog"
{
	echo '#!/bin/sh'
	printf 'exec ./prog'
	for a in "$@"; do printf " '%s'" "$(printf %s "$a" | sed "s/'/'\\\\''/g")"; done
	echo
} > "$pl/run"
chmod +x "$pl/run"
set +e
"$(dirname "$0")/boot.sh" "$pl" "${LOG:-$WORK/vm-run-$FLAVOUR.log}"
rc=$?
echo "testbed: $FLAVOUR modules, exit status $rc (log: ${LOG:-$WORK/vm-run-$FLAVOUR.log})" >&2
exit $rc
