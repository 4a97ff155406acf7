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
file -L "$prog" 2>/dev/null | grep -q 'PowerPC' ||
	echo "testbed: warning: $prog does not look like a ppc64le binary" >&2

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
