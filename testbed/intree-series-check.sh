#!/bin/bash
# make intree-check TREE=<7.3|6.12>: prove the series of make patches.
# git am each patch of build/patches/<TREE>/ onto the imported tree
# (testbed/ktree.sh), and after every one build kvm.ko and kvm-hv.ko
# with Debian's ppc64el config (CONFIG_KVM_XIVE_NATIVE=y), and from the
# patch that adds the option on also with it off; checkpatch --strict
# every patch: an error, warning or check fails unless
# intree/checkpatch.explained names its type for that patch, with the
# reason.  The selftests' patch builds them with the tree's kselftest
# Makefile.  Each step prints its time.
# Needs: TREE, CROSS_COMPILE; CC (the cross compiler, default gcc-12's).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${TREE:=7.3}"
: "${CROSS_COMPILE=powerpc64le-linux-gnu-}"
: "${KCC:=${CROSS_COMPILE}gcc-12}"
: "${JOBS:=$(nproc)}"
P=$TOP/build/patches/$TREE
EXPLAINED=$TOP/intree/checkpatch.explained
OBJ=$TOP/build/intree/$TREE
ls "$P"/0001-*.patch >/dev/null 2>&1 ||
	die "no series in $P: run 'make patches TREE=$TREE'"
{ read -r T; read -r C; read -r CFROM; } < <("$TOP/testbed/ktree.sh" "$TREE")

say() { echo "intree: $*"; }
LAP_WHO=intree
# kmake y|n ARGS: kbuild in that configuration's object tree
kmake() {
	local o=$OBJ/$1
	shift
	make -C "$T" O="$o" -j"$JOBS" ARCH=powerpc CROSS_COMPILE="$CROSS_COMPILE" \
		CC="$KCC" KBUILD_MODPOST_WARN=1 "$@"
}
# configure y|n: Debian's config, debug info off (it only slows a
# build-only check), the option as named; then modules_prepare
configure() {
	mkdir -p "$OBJ/$1"
	cp "$C" "$OBJ/$1/.config"
	"$T/scripts/config" --file "$OBJ/$1/.config" \
		--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --enable DEBUG_INFO_NONE \
		--disable DEBUG_INFO_BTF
	[ "$1" = y ] || "$T/scripts/config" --file "$OBJ/$1/.config" --disable KVM_XIVE_NATIVE
	kmake "$1" -s olddefconfig
	kmake "$1" -s modules_prepare
	lap "configured KVM_XIVE_NATIVE=$1 ($(sed -n 's/^CONFIG_CC_VERSION_TEXT=//p' "$OBJ/$1/.config"); the config of Debian's $CFROM, olddefconfig) and modules_prepare"
}
# build y|n N: kvm.ko and kvm-hv.ko after patch N; no warning in a file
# the series touches; the device in kvm.ko, or nothing of it with =n
build() {
	local log=$OBJ/$1/kvm-$2.log d=$OBJ/$1/arch/powerpc/kvm syms
	kmake "$1" arch/powerpc/kvm/kvm.ko arch/powerpc/kvm/kvm-hv.ko > "$log" 2>&1 || {
		tail -30 "$log"
		die "patch $2: kvm.ko/kvm-hv.ko do not build (KVM_XIVE_NATIVE=$1), log: $log"
	}
	if grep -E "(^|/)($(G diff --name-only base HEAD | paste -sd'|')):[0-9]+:[0-9]+: (warning|error)" "$log"; then
		die "patch $2: warnings in the series' files (KVM_XIVE_NATIVE=$1)"
	fi
	syms=$("${CROSS_COMPILE}nm" "$d/kvm.ko")
	if [ "$1" = y ]; then
		grep -qw '[DdRr] kvm_xive_native_ops' <<< "$syms" ||
			die "patch $2: kvm.ko lacks kvm_xive_native_ops"
	elif grep -E 'kvmppc_xive_native_|kvm_xive_native_ops' <<< "$syms"; then
		die "patch $2: kvm.ko refers to the native device with KVM_XIVE_NATIVE=n"
	fi
	imports "$2" "$d"
	lap "patch $2: built kvm.ko kvm-hv.ko, KVM_XIVE_NATIVE=$1"
}
# No vmlinux here (a modules_prepare'd tree), so modpost cannot resolve the
# modules' imports (KBUILD_MODPOST_WARN above): each must be exported by
# the tree instead, by name (EXPORT_*), as a tracepoint, or by the macros
# that paste their names (bpf_trace_runN, param_{get,set,ops}_TYPE).
exports() {
	G grep -h -o -P 'EXPORT_[A-Z_]+\(\s*\w+' base -- '*.c' '*.S' '*.h' |
		sed -E 's/^[^(]*\(\s*//' |
		awk '{ print; print "__tracepoint_" $1; print "__traceiter_" $1
		       print "__SCK__tp_func_" $1; print "__SCT__tp_func_" $1 }' | sort -u
}
imports() {
	local bad
	[ -s "$OBJ/exports" ] || exports > "$OBJ/exports"
	bad=$("${CROSS_COMPILE}nm" "$2/kvm.ko" "$2/kvm-hv.ko" | awk '$1 == "U" {print $2}' | sort -u |
		comm -23 - <("${CROSS_COMPILE}nm" --defined-only "$2/kvm.ko" | awk '{print $3}' | sort -u) |
		comm -23 - "$OBJ/exports" |
		grep -vxE '\.TOC\.|bpf_trace_run[0-9]+|param_(get|set|ops)_[a-z]+' || true)
	[ -z "$bad" ] || die "patch $1: kvm.ko/kvm-hv.ko import what the tree does not export: $bad"
}
G() { git -C "$T" "$@"; }

# checkpatch N PATCH: its findings by type, each one explained or fatal
fails=0
checkpatch() {
	local out types t why n
	# Debian's python3 (python3-ply for the SPDX check), not a PATH's other one
	out=$(cd "$T" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --show-types "$2" || true)
	types=$(sed -n 's/^\(ERROR\|WARNING\|CHECK\):\([A-Z_]*\):.*/\1:\2/p' <<< "$out" | sort | uniq -c)
	say "checkpatch $2: $(grep -m1 '^total:' <<< "$out" || echo '?')"
	[ -n "$types" ] || return 0
	while read -r n t; do
		why=$(awk -F'\t' -v p="$1" -v t="$t" '$1 == p && $2 == t {print $3}' "$EXPLAINED")
		if [ -n "$why" ]; then
			say "  $n x $t: explained: $why"
		else
			say "  $n x $t: NOT EXPLAINED (intree/checkpatch.explained)"
			grep -A3 "^$t:" <<< "$out" | head -20
			fails=$((fails + 1))
		fi
	done <<< "$types"
}

say "$TREE: $(ls "$P"/0*.patch | grep -vc 0000-) patches from $P onto $T"
G checkout -q -f -B intree-check base
G clean -q -fdx
G am --abort >/dev/null 2>&1 || true
[ -e "$OBJ/y/.config" ] && cmp -s "$C" "$OBJ/y/.config.debian" ||
	{ rm -rf "$OBJ"; configure y; cp "$C" "$OBJ/y/.config.debian"; }
have_n=
for p in "$P"/0*.patch; do
	n=$(basename "$p" | cut -c1-4)
	[ "$n" != 0000 ] || continue
	checkpatch "$n" "$p"
	G am -q "$p" || die "patch $n does not apply with git am: $(basename "$p")"
	build y "$n"
	if [ -z "$have_n" ] && grep -q '^config KVM_XIVE_NATIVE' "$T/arch/powerpc/kvm/Kconfig"; then
		have_n=1
		rm -rf "$OBJ/n"
		configure n
		grep -qx '# CONFIG_KVM_XIVE_NATIVE is not set' "$OBJ/n/.config" ||
			die "could not turn CONFIG_KVM_XIVE_NATIVE off"
	fi
	[ -z "$have_n" ] || build n "$n"
	if G diff --name-only HEAD~ HEAD | grep '^tools/testing/selftests/powerpc/kvm_xive/' >/dev/null; then
		kmake y -s headers
		mkdir -p "$OBJ/kselftest"
		make -s -C "$T/tools/testing/selftests/powerpc/kvm_xive" ARCH=powerpc \
			CROSS_COMPILE="$CROSS_COMPILE" OUTPUT="$OBJ/kselftest" \
			KHDR_INCLUDES="-isystem $OBJ/y/usr/include" > "$OBJ/kselftest.log" 2>&1 || {
			tail -20 "$OBJ/kselftest.log"
			die "patch $n: the selftests do not build with the tree's kselftest Makefile"
		}
		! grep -E 'warning:' "$OBJ/kselftest.log" || die "patch $n: selftest warnings"
		lap "patch $n: built the selftests ($(ls "$OBJ/kselftest" | wc -l) programs)"
	fi
done
[ -n "$have_n" ] || die "no patch adds CONFIG_KVM_XIVE_NATIVE"
[ "$fails" = 0 ] || die "checkpatch: $fails finding types not explained"
say "PASS: $TREE: every patch applies with git am, builds kvm.ko and kvm-hv.ko" \
	"(KVM_XIVE_NATIVE=y, and =n from the option on), checkpatch --strict" \
	"clean or explained ($(( $(date +%s) - lap_t0 )) s, -j$JOBS)"
