#!/bin/bash
# Run a kbuild command for KVER in a build root of the Debian release that
# built the kernel, when that is not this host's: trixie's and sid's kbuild
# tools (fixdep, modpost, objtool) need their own glibc, and their modules
# their own compiler (gcc-14, gcc-16).  The root is a minimal amd64
# mmdebstrap of that suite with its cross compiler, the kernel's
# linux-kbuild, pahole and sparse, made once per machine in
# $CACHE/buildroot/<suite>; the command runs there through chroot in a
# private mount namespace, with this checkout and the cache bind-mounted at
# their own paths (so every path means the same inside).  A kernel of this
# host's release (6.1, 6.12+deb12) runs the command here, unchanged.
# Usage: buildroot.sh CMD...     run CMD (in the root, if the kernel needs one)
#        buildroot.sh --create   make the root (deps.sh)
#        buildroot.sh --where    say where kbuild runs: "the host", "the trixie build root"
set -euo pipefail
. "$(dirname "$0")/lib.sh"

info=$CACHE/kernels/$KVER
SUITE=- CC_PKG= KBUILD_PKG=
# shellcheck disable=SC1090
[ -r "$info" ] && . "$info"
if [ "$SUITE" = - ]; then
	case ${1:-} in
	--create) exit 0 ;;
	--where) echo "the host"; exit 0 ;;
	esac
	exec "$@"
fi

MIRROR=${MIRROR:-http://deb.debian.org/debian}
BR=$CACHE/buildroot/$SUITE
say() { echo "buildroot: $*" >&2; }

# The kernel's kbuild tools and its compiler, in the root: added to an
# existing root when another kernel of the suite needs other ones.
want="$KBUILD_PKG${CC_PKG:+ $CC_PKG-powerpc64le-linux-gnu}"
missing() {
	local p
	for p in $want; do
		chroot "$BR" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'ok installed' || echo "$p"
	done
}

create() {
	local t0 tmp add opt try
	mkdir -p "$CACHE/buildroot"
	exec 9> "$BR.lock"
	flock 9			# other checkouts share the cache
	if [ ! -e "$BR/.complete" ]; then
		command -v mmdebstrap >/dev/null || die "no mmdebstrap: run 'make deps KVER=$KVER'"
		t0=$(date +%s)
		tmp=$BR.new
		rm -rf "$tmp" "$BR"
		say "creating the $SUITE build root in $BR (once per machine)"
		# The host's apt may accept a snapshot mirror's expired Release
		# (sid's is valid for a week): so does the root's, as the host's.
		# Not grep -q: leaving the pipe early SIGPIPEs apt-config, a
		# failed pipeline under pipefail (7 in 50 here, each a root
		# built without the option, on an expired sid Release).
		opt=()
		apt-config dump | grep -x 'Acquire::Check-Valid-Until "false";' >/dev/null &&
			opt=(--aptopt='Acquire::Check-Valid-Until "false"')
		# Five tries, 30 s to 4 min apart: a mirror between two index
		# updates fails apt-get update (seen on sid: twice 30 s apart,
		# fine minutes later; once for about 12 minutes).  The output
		# goes to $BR.log: --quiet hid apt's reason.
		for try in 1 2 3 4 5; do
			rm -rf "$tmp"
			mmdebstrap --variant=apt --architectures=amd64 "${opt[@]}" \
				--include="make,gcc-powerpc64le-linux-gnu,pahole,sparse,${want// /,}" \
				"$SUITE" "$tmp" "$MIRROR" > "$BR.log" 2>&1 && break
			grep -E '^(E:|W:|Err:)' "$BR.log" | tail -n 6 >&2
			[ $try = 5 ] && die "mmdebstrap $SUITE failed 5 times ($BR.log)"
			say "mmdebstrap $SUITE failed; again in $((15 << try)) s"
			sleep $((15 << try))
		done
		touch "$tmp/.complete"
		mv "$tmp" "$BR"
		say "$SUITE build root created in $(( $(date +%s) - t0 )) s," \
		    "$(du -sm "$BR" | cut -f1) MB"
	fi
	add=$(missing)
	if [ -n "$add" ]; then
		say "adding to the $SUITE build root:" $add
		chroot "$BR" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive sh -c \
			"apt-get update -q && apt-get install -y -q --no-install-recommends $(echo $add)" >&2 ||
			die "cannot install $add in $BR"
	fi
	exec 9>&-
}

case ${1:-} in
--create)
	create
	# The kernel's own compiler text (.config) against the root's
	cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' \
		"$CACHE/sysroot/usr/src/linux-headers-$KVER/.config")
	ours=$(chroot "$BR" "powerpc64le-linux-gnu-$CC_PKG" --version | head -1)
	if [ "$cc" = "$ours" ]; then
		say "$SUITE build root: $ours, as the kernel's CONFIG_CC_VERSION_TEXT"
	else
		say "$SUITE build root: $ours; the kernel was built with $cc"
	fi
	exit 0 ;;
--where) echo "the $SUITE build root"; exit 0 ;;
esac
[ -e "$BR/.complete" ] && [ -z "$(missing)" ] || create

# Bind the checkout, the cache (read-only) and the working directory at
# their own paths; the mounts vanish with the namespace.
top=$(cd "$TOP" && pwd -P)
cache=$(cd "$CACHE" && pwd -P)
cwd=$(pwd -P)
binds="$top $cache:ro"
case $cwd/ in "$top"/*|"$cache"/*) ;; *) binds="$binds $cwd" ;; esac
# shellcheck disable=SC2016
exec unshare --mount --propagation private -- sh -c '
	br=$1 cwd=$2 binds=$3
	shift 3
	for b in $binds; do
		p=${b%:ro}
		mkdir -p "$br$p"
		mount --bind "$p" "$br$p"
		[ "$p" = "$b" ] || mount -o remount,bind,ro "$br$p"
	done
	mount --rbind /dev "$br/dev"
	mount -t proc proc "$br/proc"
	exec chroot "$br" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
' buildroot "$BR" "$cwd" "$binds" "$@"
