#!/bin/bash
# apt-get / apt-cache on a Debian suite that is not in this host's apt
# sources (trixie, sid), through a private configuration in
# $CACHE/apt/<suite> that leaves the system's alone.  Only update, download
# and queries: nothing is ever installed through it.
# Usage: [ARCHS=a,b] suite-apt.sh SUITE apt-get|apt-cache ARGS...
#        (SUITE "-": the system's own sources, the command as it is)
set -euo pipefail
: "${CACHE:?CACHE must be set}"

suite=$1
shift
[ "$suite" = - ] && exec "$@"
case ${1:-} in
apt-get|apt-cache) ;;
*) echo "suite-apt: '${1:-}': apt-get or apt-cache" >&2; exit 2 ;;
esac
cmd=$1
shift
A=$CACHE/apt/$suite
MIRROR=${MIRROR:-http://deb.debian.org/debian}
mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
# ARCHS: the indexes to read (l0-qemu-deps.sh wants only the host's)
line="deb [arch=${ARCHS:-ppc64el,$(dpkg --print-architecture)}] $MIRROR $suite main"
if [ "$(cat "$A/sources.list" 2>/dev/null)" != "$line" ]; then
	echo "$line" > "$A/sources.list.$$"
	mv "$A/sources.list.$$" "$A/sources.list"
fi
opts=(-o Dir::Etc::SourceList="$A/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists="$A/lists" -o Dir::Cache="$A/cache")
if [ "$cmd" = apt-get ] && [ "${1:-}" = update ]; then
	# The mirror's ppc64el indexes have failed mid-sync before (a size
	# mismatch against InRelease): a few tries before giving up.
	for try in 1 2 3; do
		apt-get "${opts[@]}" "$@" && exit 0
		echo "suite-apt: $suite: apt-get update failed (try $try of 3)" >&2
		[ "$try" = 3 ] || sleep 10
	done
	exit 1
fi
exec "$cmd" "${opts[@]}" "$@"
