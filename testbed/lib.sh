# Common settings of the testbed scripts (sourced, not run).
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${CACHE:=$TOP/.cache}"
: "${KVER:=6.1.0-50-powerpc64le}"
# A KVER the mirror no longer serves: the one 'make deps' fell back to
fallback=$(awk -v k="$KVER" '$1 == k {print $2}' "$CACHE/kver-fallback" 2>/dev/null || true)
KVER=${fallback:-$KVER}
: "${SMP:=1}"
: "${MEM:=2G}"
: "${REF:=}"
: "${TIMEOUT:=900}"
# The emulated host: powernv9 (POWER9, XIVE) or powernv10 (POWER10, XIVE2)
: "${MACHINE:=powernv9}"
case $MACHINE in
powernv9|powernv10) L0_CPU=power${MACHINE#powernv} ;;
*) echo "testbed: MACHINE=$MACHINE: powernv9 or powernv10" >&2; exit 2 ;;
esac
# The nested guests' VMM, run inside the emulated host (guest-deps.sh):
# Debian 12's QEMU 7.2, or Debian 13's own 10.0 (trixie's packages); the
# image scripts keep one archive per VMM (build/*/$KVER$L1_TAG).
: "${L1_QEMU:=7.2}"
case $L1_QEMU in
7.2) L1_SUITE=- L1_FALLBACK= L1_TAG= ;;
10.0) L1_SUITE=trixie L1_FALLBACK=sid L1_TAG=-qemu10.0 ;;
*) echo "testbed: L1_QEMU=$L1_QEMU: 7.2 or 10.0" >&2; exit 2 ;;
esac
SYSROOT=$CACHE/sysroot
VMLINUX=$SYSROOT/boot/vmlinux-$KVER
# KVER's config: the image's /boot/config, else (7.2's image carries none)
# its headers' .config, which adds the build's signing settings.
KCONFIG=$SYSROOT/boot/config-$KVER
[ -e "$KCONFIG" ] || KCONFIG=$SYSROOT/usr/src/linux-headers-$KVER/.config
# KVER has 4K pages (Debian's -powerpc64le flavour from 6.12 on).
host4k() { grep -qx 'CONFIG_PPC_4K_PAGES=y' "$KCONFIG" 2>/dev/null; }
# The emulated host's QEMU: the system's 7.2, or L0_QEMU ("binary [args]").
# L0_HUGE (boot.sh): its device tree lists radix 2M/1G pages, as real
# firmware's does; on by default for 4K kernels, whose 64K event queues
# need contiguous host pages (THP).  It takes -dtb: QEMU 10.0 from
# bookworm-backports (l0-qemu-deps.sh) unless L0_QEMU says otherwise.
L0_QEMU10_ROOT=$CACHE/l0-qemu/root
L0_QEMU10="$L0_QEMU10_ROOT/usr/bin/qemu-system-ppc64 -L $L0_QEMU10_ROOT/usr/share/qemu"
[ -n "${L0_HUGE+set}" ] || { host4k && L0_HUGE=1 || L0_HUGE=; }
[ -z "$L0_HUGE" ] || [ -n "${L0_QEMU:-}" ] || L0_QEMU=$L0_QEMU10
BUSYBOX=$SYSROOT/bin/busybox
if [ -n "$REF" ]; then
	MODDIR=$SYSROOT/lib/modules/$KVER/kernel/arch/powerpc/kvm
	FLAVOUR=upstream
else
	# OURS_MODDIR: another build of ours (testbed/check-mutants.sh)
	MODDIR=${OURS_MODDIR:-$TOP/build/$KVER/arch/powerpc/kvm}
	FLAVOUR=ours
fi
WORK=$TOP/build/testbed
mkdir -p "$WORK"

die() { echo "testbed: $*" >&2; exit 2; }

# Kernel log lines that fail a run.  Foreign warnings we knowingly tolerate
# are listed by file:line in TOLERATED (one per line), never by a broad
# pattern; a tolerated warning's whole report (its Call Trace up to "end
# trace") is dropped, nothing else.
BAD_LOG='Oops|WARNING:|(^|[^[:alnum:]_])BUG[: ]|lockdep is turned off|DEBUG_LOCKS_WARN_ON|possible recursive locking|circular locking|refcount_t|kernel BUG|Unable to handle kernel|Call Trace:|general protection|stack-protector|soft lockup|hard LOCKUP|rcu_sched detected stalls'
TOLERATED='virt/kvm/vfio.c:103'
# bad_log LOG: print the kernel lines of a console LOG that fail the run.
# Kernel lines carry printk's "[sec.usec] " stamp (possibly after a
# payload's unterminated line): a test printing "WARNING:" is not an oops.
bad_log() {
	grep -aE '\[ *[0-9]+\.[0-9]{6}\] ' "$1" |
	awk -v tol="$TOLERATED" '
		BEGIN { n = split(tol, t, "\n") }
		/WARNING: |cut here/ { skip = 0 }	# a report ends where the next begins
		/WARNING: / { for (i = 1; i <= n; i++) if (index($0, "at " t[i] " ")) skip = 1 }
		skip { if (/---\[ end trace/) skip = 0; next }
		{ print }' | grep -E "$BAD_LOG" || true
}
# The image scripts (guest-image.sh, pt-image.sh, ipi-image.sh):
KMODS=$SYSROOT/lib/modules/$KVER
# modfile NAME: KVER's module file of NAME (- and _ alike; 6.1 ships .ko,
# 6.12+ .ko.xz); nothing when NAME is built into the kernel.
modfile() {
	local b c f
	b=$(tr _ - <<< "$1") c=$(tr - _ <<< "$1")
	f=$(find "$KMODS/kernel" \( -name "$b.ko" -o -name "$b.ko.xz" \
		-o -name "$c.ko" -o -name "$c.ko.xz" \) | head -1)
	[ -n "$f" ] && { echo "$f"; return 0; }
	grep -qE "/($b|$c)\.ko\$" "$KMODS/modules.builtin" && return 0
	echo "testbed: module $1 not found in $KMODS" >&2
	return 1
}
# mod_order NAME...: the modules NAME and their dependencies, dependencies
# first, built-in ones left out (global: seen)
mod_order() {
	local m d f
	for m; do
		case " $seen " in *" $m "*) continue ;; esac
		seen="$seen $m"
		f=$(modfile "$m") || return 1
		[ -n "$f" ] || continue
		for d in $(/sbin/modinfo -F depends "$f" | tr , ' '); do
			mod_order "$d" || return 1
		done
		echo "$m"
	done
}
# copy_mods DIR NAME...: those modules as plain .ko in DIR (where they load
# nothing decompresses), their load order in DIR/order (no modules.dep there)
copy_mods() {
	local dir=$1 m f
	shift
	mkdir -p "$dir"
	seen=
	mod_order "$@" > "$dir/order" || return 1
	for m in $(cat "$dir/order"); do
		f=$(modfile "$m")
		case $f in
		*.xz) xz -dc "$f" > "$dir/$m.ko" ;;
		*) cp "$f" "$dir/$m.ko" ;;
		esac
	done
}
# kvm_mods SRC DIR: SRC's kvm.ko and kvm-hv.ko as plain .ko in DIR (the
# distro's 6.12+ ship .ko.xz; insmod in the emulated host takes .ko)
kvm_mods() {
	local m
	for m in kvm kvm-hv; do
		if [ -e "$1/$m.ko" ]; then
			cp "$1/$m.ko" "$2/"
		elif [ -e "$1/$m.ko.xz" ]; then
			xz -dc "$1/$m.ko.xz" > "$2/$m.ko"
		else
			echo "testbed: no $1/$m.ko(.xz)" >&2
			return 1
		fi
	done
}
# uptodate ARCHIVE INPUT...: ARCHIVE exists and no input is newer than it.
uptodate() {
	local a=$1 f
	shift
	[ -e "$a" ] || return 1
	for f; do [ "$f" -nt "$a" ] && return 1; done
	return 0
}
# cpio_of DIR: DIR's tree as a newc cpio archive (the initramfs format)
cpio_of() { (cd "$1" && find . | cpio -o -H newc --quiet); }
# stack_cpio BASE ROOT ARCHIVE: BASE's archive, then ROOT's tree as a second
# archive (the kernel unpacks concatenated cpio archives, 4-byte aligned).
stack_cpio() {
	cp "$1" "$3.new"
	truncate -s %4 "$3.new"
	cpio_of "$2" >> "$3.new"
	mv "$3.new" "$3"
}
# built NAME ARCHIVE T0: report the build (since T0, date +%s%N), print ARCHIVE.
built() {
	echo "$1: $2, $(du -m "$2" | cut -f1) MB, built in" \
	     "$(( ($(date +%s%N) - $3) / 1000000 )) ms" >&2
	echo "$2"
}

# closing_line FILE: the last "N passed, M failed[, K skipped]" line a part
# printed into FILE; "0 passed, 1 failed" and status 1 when it printed none.
closing_line() {
	grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1 | grep . ||
		{ echo "0 passed, 1 failed"; return 1; }
}
# tally LINE: add a closing line to total_p, total_f and total_s; sets
# tally_f to its failures.
tally() {
	local p s
	p=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<< "$1")
	tally_f=$(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p' <<< "$1")
	s=$(sed -nE 's/.*, ([0-9]+) skipped.*/\1/p' <<< "$1")
	tally_f=${tally_f:-1}
	total_p=$((total_p + ${p:-0})) total_f=$((total_f + tally_f)) total_s=$((total_s + ${s:-0}))
}
# lap TEXT: "$LAP_WHO: TEXT (N s)", N the seconds since the previous lap,
# or since this file was sourced (lap_t0): the steps of a long check
lap_t0=$(date +%s)
lap_t=$lap_t0
lap() {
	local now
	now=$(date +%s)
	echo "${LAP_WHO:-testbed}: $1 ($(( now - lap_t )) s)"
	lap_t=$now
}
# guest_ko SRC NAME DIR: build the test-only guest module NAME.ko (SRC has
# NAME.c and its Kbuild) in DIR, against KVER's headers: the nested guests
# run KVER's kernel (ipi-image.sh, count-image.sh).
guest_ko() {
	local cross=${CROSS_COMPILE-powerpc64le-linux-gnu-}
	[ "$(uname -m)" = ppc64le ] && cross=
	cp "$1/$2.c" "$1/Kbuild" "$3/"
	"$TOP/testbed/buildroot.sh" make -s -C "$SYSROOT/usr/src/linux-headers-$KVER" \
		M="$3" ARCH=powerpc CROSS_COMPILE="$cross" modules >&2
}
