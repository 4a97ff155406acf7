#!/bin/bash
# make intree-check: prove the in-tree variant.  Make a fresh
# linux-source-6.1 tree, drop our files into arch/powerpc/kvm, apply
# intree/series/*.patch (our fixes to the tree's KVM code) and
# intree/kvm-xive-native.patch (the Kconfig option, Makefile line and the
# kvm_ppc.h stubs), configure with Debian's config and build kvm.ko twice:
# with CONFIG_KVM_XIVE_NATIVE=y (our device linked in) and =n (stubs only).
# Needs: KSRC (the unpacked pristine tree), CROSS_COMPILE.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${KSRC:=$CACHE/linux-source-6.1}"
: "${CROSS_COMPILE=}"
: "${JOBS:=$(nproc)}"
PATCH=$TOP/intree/kvm-xive-native.patch
CONFIG=$KCONFIG
SRC=$TOP/build/intree/src
OBJ=$TOP/build/intree/obj
[ -e "$KSRC/.unpacked" ] || [ -e "$KSRC/Makefile" ] || die "no $KSRC: run 'make deps'"
[ -e "$CONFIG" ] || die "no $CONFIG: run 'make deps'"

say() { echo "intree: $*"; }
LAP_WHO=intree
kmake() {
	make -C "$SRC" O="$OBJ" -j"$JOBS" ARCH=powerpc \
		CROSS_COMPILE="$CROSS_COMPILE" "$@"
}

# The Kconfig entry lives twice (top-level Kconfig, the patch): keep them
# equal (blank lines aside).
diff <(grep -v -e '^#' -e '^$' "$TOP/Kconfig") \
     <(sed -n '\|^+++ b/arch/powerpc/kvm/Kconfig|,/^diff /p' "$PATCH" |
	sed -n 's/^+\([^+]\|$\)/\1/p' | grep -v '^$') ||
	die "Kconfig and $(basename "$PATCH") disagree on KVM_XIVE_NATIVE"

# A fresh source tree made of hard links to the pristine one (creating
# files is what costs here), without what a kvm.ko build never reads: the
# docs and the sources of the other architectures and of
# drivers/sound/net/fs (their Kconfig files stay: the configuration sources
# them).  Nothing writes through the links: kbuild writes only into $OBJ
# (O=), and every file we change is replaced, not edited in place.
rm -rf "$SRC" "$OBJ"
mkdir -p "$SRC/Documentation" "$OBJ"
excl=(--exclude=./Documentation --exclude=./tools/testing
      --exclude=./tools/perf --exclude=./.unpacked)
for d in "$KSRC"/arch/*/; do
	d=$(basename "$d")
	[ "$d" = powerpc ] ||
		excl+=("--exclude=./arch/$d/*.[chS]" "--exclude=./arch/$d/boot")
done
for d in drivers sound net fs; do
	excl+=("--exclude=./$d/*.[ch]")
done
cd "$KSRC"
tar -cvf /dev/null "${excl[@]}" . > "$OBJ/.files"
echo ./Documentation/Kconfig >> "$OBJ/.files"
# cpio copies instead where it cannot link (another file system).
cpio -pdlm --quiet "$SRC" < "$OBJ/.files"
rm -f "$OBJ/.files"
lap "fresh source tree at $SRC ($(find "$SRC" -type f | wc -l) files)"

# Our files replace the tree's; then the option, Makefile line and stubs.
cd "$TOP"
ours=$(ls ./*.[ch] | sed 's|^\./||')
for f in $ours; do
	cp --remove-destination "$f" "$SRC/arch/powerpc/kvm/"
done
# The tree is made of hard links to the cache: a file is copied before a
# patch changes it.  First our fixes to the tree's own code (intree/series,
# which the out-of-tree build applies too), then the option.
applied=
for p in "$TOP"/intree/series/*.patch "$PATCH"; do
	[ -e "$p" ] || continue
	for f in $(sed -n 's|^+++ b/||p' "$p"); do
		# once: a later patch must see what the earlier ones changed
		if [ "$SRC/$f" -ef "$KSRC/$f" ]; then
			cp --remove-destination "$KSRC/$f" "$SRC/$f"
		fi
	done
	patch -d "$SRC" -p1 --batch --forward --no-backup-if-mismatch --quiet < "$p"
	applied="$applied $(basename "$p")"
done
say "dropped in: $(echo $ours), applied$applied"

# Debian's config; debug info off: it only slows a build-only check.
cp "$CONFIG" "$OBJ/.config"
"$SRC/scripts/config" --file "$OBJ/.config" \
	--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --enable DEBUG_INFO_NONE
kmake -s olddefconfig
grep -qx 'CONFIG_KVM_XIVE_NATIVE=y' "$OBJ/.config" ||
	die "olddefconfig did not enable CONFIG_KVM_XIVE_NATIVE"
lap "configured (Debian's config, olddefconfig: KVM_XIVE_NATIVE=y)"
kmake -s modules_prepare
lap "modules_prepare"

KVMDIR=$OBJ/arch/powerpc/kvm
NM=${CROSS_COMPILE}nm
SYMVERS=$SYSROOT/usr/src/linux-headers-$KVER/Module.symvers
# build Y|N: kvm.ko, then check that our device is in it, or that
# nothing refers to it (the stubs took over).
build() {
	local log=$OBJ/../kvm-$1.log
	kmake arch/powerpc/kvm/kvm.ko > "$log" 2>&1 || {
		tail -30 "$log"
		die "kvm.ko build failed (KVM_XIVE_NATIVE=$1), log: $log"
	}
	grep -E ': (warning|error):' "$log" | head -20 || true
	syms=$("$NM" "$KVMDIR/kvm.ko")
	if [ "$1" = y ]; then
		grep -qw '[DdRr] kvm_xive_native_ops' <<< "$syms" ||
			die "kvm.ko lacks kvm_xive_native_ops"
	else
		[ ! -e "$KVMDIR/book3s_xive_native.o" ] ||
			die "book3s_xive_native.o built with KVM_XIVE_NATIVE=n"
		! grep -E 'kvmppc_xive_native_|kvm_xive_native_ops' <<< "$syms" ||
			die "kvm.ko refers to the native device with KVM_XIVE_NATIVE=n"
	fi
	# No vmlinux here, so modpost cannot resolve imports: check them
	# against what Debian's vmlinux exports (.TOC. is the loader's).
	unres=$(comm -23 <(awk '$1 == "U" {print $2}' <<< "$syms" | sort -u) \
		<(awk '$3 == "vmlinux" {print $2}' "$SYMVERS" | sort -u) |
		grep -vx '\.TOC\.' || true)
	[ -z "$unres" ] ||
		die "kvm.ko imports symbols Debian's vmlinux does not export: $unres"
	lap "built kvm.ko with CONFIG_KVM_XIVE_NATIVE=$1"
}
build y

"$SRC/scripts/config" --file "$OBJ/.config" --disable KVM_XIVE_NATIVE
kmake -s olddefconfig
grep -qx '# CONFIG_KVM_XIVE_NATIVE is not set' "$OBJ/.config" ||
	die "could not turn CONFIG_KVM_XIVE_NATIVE off"
rm -f "$KVMDIR/book3s_xive_native.o"
build n

say "PASS: kvm.ko builds in-tree with KVM_XIVE_NATIVE=y and =n" \
	"($(( $(date +%s) - lap_t0 )) s, -j$JOBS)"
