#!/bin/bash
# After 'make': prove that our kvm.ko/kvm-hv.ko fit the distro kernel they
# replace.  vermagic equal to the distro's modules'; every symbol we import
# carries the CRC the kernel (KDIR's Module.symvers) or our own kvm.ko
# exports; our exports are the distro modules' exports, CRC for CRC (other
# modules built against the distro's kvm.ko keep loading), unless no
# distro module but kvm-hv.ko depends on kvm.ko.
# Needs: KDIR, STAGE (our build), DISTRO (the distro's module dir; optional).
set -uo pipefail

: "${KDIR:?}" "${STAGE:?}"
: "${DISTRO:=}"
SYMVERS=$KDIR/Module.symvers
[ -r "$SYMVERS" ] || { echo "modcheck: no $SYMVERS" >&2; exit 2; }
fail=0
bad() { echo "modcheck: $*" >&2; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "crc symbol" pairs: the kernel's and both distro modules' exports, as
# built for this kernel (Module.symvers lists the modules' exports too).
awk '{print $1, $2}' "$SYMVERS" | sort -u > "$tmp/kernel"
awk -F'\t' '$3 ~ /^arch\/powerpc\/kvm\/kvm(-hv)?$/ {print $1, $2}' "$SYMVERS" |
	sort -u > "$tmp/distro-exports"
awk '{print $1, $2}' "$STAGE/Module.symvers" | sort -u > "$tmp/our-exports"
cat "$tmp/kernel" "$tmp/our-exports" | sort -u > "$tmp/provided"

# 7.x's Debian kernels are built without CONFIG_MODVERSIONS: no module
# carries CRCs, and modprobe --dump-modversions finds none to read.
modversions=y
grep -qx 'CONFIG_MODVERSIONS=y' "$KDIR/.config" 2>/dev/null || modversions=
nimp=0
for m in kvm kvm-hv; do
	ko=$STAGE/$m.ko
	[ -e "$ko" ] || { bad "no $ko"; continue; }
	if [ -n "$modversions" ]; then
		modprobe --dump-modversions "$ko" | awk '{print $1, $2}'
	fi | sort -u > "$tmp/$m.imp"
	nimp=$((nimp + $(wc -l < "$tmp/$m.imp")))
	# Any import whose (crc, name) pair nobody provides: name it.
	comm -23 "$tmp/$m.imp" "$tmp/provided" | while read -r crc sym; do
		have=$(awk -v s="$sym" '$2 == s {print $1}' "$tmp/provided")
		echo "modcheck: $m.ko imports $sym with CRC $crc, provided: ${have:-none}"
	done > "$tmp/$m.bad"
	[ -s "$tmp/$m.bad" ] && { cat "$tmp/$m.bad" >&2; fail=1; }
	if [ -n "$DISTRO" ]; then
		dko=$(ls "$DISTRO/$m.ko" "$DISTRO/$m.ko.xz" 2>/dev/null | head -1)
		[ -n "$dko" ] || { bad "no distro $m.ko in $DISTRO"; continue; }
		ours=$(modinfo -F vermagic "$ko")
		theirs=$(modinfo -F vermagic "$dko")
		[ "$ours" = "$theirs" ] ||
			bad "$m.ko vermagic '$ours', the distro's '$theirs'"
	fi
done
# Our kernel patches (intree/series) change book3s_xive.h, and so the CRCs
# of book3s_xive.c's exports.  That is sound only while the one distro
# module built against kvm.ko is kvm-hv.ko, which we replace with a build
# that imports our CRCs (checked above): the dependents are listed once
# per kernel (modinfo over the whole tree takes a few seconds).
if ! cmp -s "$tmp/our-exports" "$tmp/distro-exports"; then
	# kept beside the distro's modules when we may write there (the cache)
	deps=$DISTRO/.kvm-dependents
	[ -w "$DISTRO" ] || deps=$STAGE/.kvm-dependents
	if [ -n "$DISTRO" ] && [ ! -s "$deps" ]; then
		find "$DISTRO/../../.." -name '*.ko*' | while read -r f; do
			if modinfo -F depends "$f" | tr ',' '\n' | grep -x kvm >/dev/null; then
				basename "$f"
			fi
		done | sort > "$deps.new"
		mv "$deps.new" "$deps"
	fi
	others=$(grep -vxE 'kvm-hv\.ko(\.xz)?' "$deps" 2>/dev/null)
	# kvm-hv.ko itself must be found, or the scan saw nothing
	if [ -z "$DISTRO" ] || ! grep -qE '^kvm-hv\.ko' "$deps" || [ -n "$others" ]; then
		bad "exports differ from the distro's kvm.ko/kvm-hv.ko (< ours, > distro), and distro modules other than kvm-hv.ko import them: ${others:-unknown (no DISTRO)}"
		diff "$tmp/our-exports" "$tmp/distro-exports" | grep '^[<>]' | head -20 >&2
	else
		echo "modcheck: $(diff "$tmp/our-exports" "$tmp/distro-exports" | grep -c '^<') exports of ours differ from the distro's CRCs; only kvm-hv.ko (ours) depends on kvm.ko"
	fi
fi
[ "$fail" = 0 ] || exit 1
if [ -n "$modversions" ]; then
	echo "modcheck: vermagic ${DISTRO:+as the distro modules, }$nimp imports and" \
		"$(wc -l < "$tmp/our-exports") exports with the kernel's CRCs"
else
	echo "modcheck: vermagic ${DISTRO:+as the distro modules}; the kernel has" \
		"no CONFIG_MODVERSIONS, so no CRCs to compare"
fi
