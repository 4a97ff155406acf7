#!/bin/bash
# Build make check-debug's kernel once: KVER's linux-source with Debian's
# config of KVER reduced to the modules the emulated host loads (kvm.ko,
# kvm-hv.ko: every other =m dropped) plus testbed/debug/config (lockdep,
# KASAN, KFENCE, UBSAN, ...).  Cached in $CACHE/debug-kernel/<source
# version>-<config hash>: a second run with the same source and config
# builds nothing.  Prints the build directory (vmlinux, Module.symvers: the
# KDIR our modules build against); the build time goes to stderr.
# Env: JOBS (2), NICE (19).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

info=$CACHE/kernels/$KVER
[ -r "$info" ] || die "no $info: run 'make deps KVER=$KVER'"
KSRC_NAME='' VERSION='' CC_PKG=''
# shellcheck disable=SC1090
. "$info"
SRC=$CACHE/${KSRC_NAME:-linux-source-${KVER%.*}}
BASE=$KCONFIG
FRAG=$TOP/testbed/debug/config
[ -e "$SRC/Makefile" ] || die "no $SRC: run 'make deps KVER=$KVER'"
[ -r "$BASE" ] || die "no $BASE: run 'make deps KVER=$KVER'"
say() { echo "debug-kernel: $*" >&2; }
# The kernel's own compiler (Debian names it: gcc-NN), in its build root
# when it is not this host's release (testbed/buildroot.sh).
KM=("$TOP/testbed/buildroot.sh" make -C "$SRC" ARCH=powerpc
    CROSS_COMPILE=powerpc64le-linux-gnu- CC="powerpc64le-linux-gnu-${CC_PKG:-gcc}")

mkdir -p "$CACHE/debug-kernel"
tmp=$(mktemp -d "$CACHE/debug-kernel/.cfg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sed -E '/^CONFIG_KVM_BOOK3S_64(_HV)?=m$/b
	s/^(CONFIG_[A-Za-z0-9_]+)=m$/# \1 is not set/' "$BASE" > "$tmp/.config"
cat "$FRAG" >> "$tmp/.config"
"${KM[@]}" -s O="$tmp" olddefconfig 2>&1 | grep -v 'override: reassigning' >&2 || true
# Every line of the fragment holds: a value as given, "not set" as unset or
# gone (a symbol whose dependencies are off).
bad=
while read -r l; do
	case $l in
	'# CONFIG_'*' is not set')
		s=${l#\# }; s=${s%% *}
		grep -q "^$s=" "$tmp/.config" && bad="$bad $s" ;;
	CONFIG_*) grep -qxF "$l" "$tmp/.config" || bad="$bad ${l%%=*}" ;;
	esac
done < "$FRAG"
[ -z "$bad" ] || die "testbed/debug/config does not hold for:$bad"

key=$VERSION-$(grep -v '^#' "$tmp/.config" | sha256sum | cut -c1-12)
OUT=$CACHE/debug-kernel/$KVER-$key
if [ -e "$OUT/.built" ]; then
	say "cached: $OUT ($(cat "$OUT/.built"))"
	echo "$OUT"
	exit 0
fi
# An unfinished build of the same source under another config is taken
# over: kbuild rebuilds only what the changed options touch.
if [ ! -d "$OUT" ]; then
	old=$(ls -dt "$CACHE/debug-kernel/$KVER-$VERSION-"* 2>/dev/null | head -1)
	[ -n "$old" ] && [ ! -e "$old/.built" ] && mv "$old" "$OUT" &&
		say "continuing the unfinished build of $(basename "$old")"
fi
mkdir -p "$OUT"
cmp -s "$tmp/.config" "$OUT/.config" || cp "$tmp/.config" "$OUT/.config"
say "building $KVER's source $VERSION into $OUT" \
    "($(grep -c '=y$' "$OUT/.config") options =y, $(grep -c '=m$' "$OUT/.config") =m;" \
    "log: $OUT/build.log)"
t0=$(date +%s)
# vmlinux and the tree's own kvm.ko/kvm-hv.ko (REF=1 on this kernel); the
# modules step writes Module.symvers, which our build needs.
if ! nice -n "${NICE:-19}" "${KM[@]}" O="$OUT" -j"${JOBS:-2}" vmlinux modules \
	> "$OUT/build.log" 2>&1; then
	tail -20 "$OUT/build.log" >&2
	die "kernel build failed (log: $OUT/build.log)"
fi
t=$(( $(date +%s) - t0 ))
echo "built in ${t}s with -j${JOBS:-2} on $(nproc) cores, $(date -u +%F)" > "$OUT/.built"
say "built in ${t}s ($(( t / 60 )) min): $OUT"
echo "$OUT"
