#!/bin/bash
# make check-passthrough: boot the emulated host (ours, or REF=1 the
# distro's modules) with two NVMe controllers on PHBs, run the passthrough
# scenario (testbed/guest/pt-scenario.sh) in it and print its TAP-like
# lines, then "N passed, M failed[, K stalled][, X xfail]".  Nothing is
# retried; a STALL (timeout) is reported apart from a FAIL.
# Env: CYCLES (unmap/map cycles per phase), HPCYCLES (hot-plug cycles),
# TSCALE, LOG.
set -uo pipefail
# The emulated host gets one CPU (L0 -smp 1) on the system's QEMU 7.2, as
# check-guest: with -smp 2 an emulated host CPU stops making progress in
# some nested runs (seen here: soft lockups under 7.2, 1 stall in 4 runs
# under QEMU 10.0).  SMP=2 and L0_QEMU="$(testbed/l0-qemu-deps.sh)" select
# the other configurations.
: "${SMP:=1}" "${MEM:=4G}" "${TIMEOUT:=1500}"
export SMP MEM TIMEOUT
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
extra=$("$(dirname "$0")/pt-image.sh") || die "passthrough payload build failed"
pl=$(mktemp -d "$WORK/payload.XXXXXX")
disk=$(mktemp "$WORK/nvme.XXXXXX") disk2=$(mktemp "$WORK/nvme.XXXXXX")
trap 'rm -rf "$pl" "$disk" "$disk2"' EXIT
# 8 MiB each: a signature the hosts and the guest check, then data for reads.
{ printf 'XIVE-PT-DISK-L0.'; head -c $((8 * 1024 * 1024 - 16)) /dev/urandom; } > "$disk"
{ printf 'XIVE-PT-DISK2L0.'; head -c $((8 * 1024 * 1024 - 16)) /dev/urandom; } > "$disk2"
cp "$TOP/testbed/guest/pt-scenario.sh" "$pl/scenario.sh"
printf '%s\n' "$BAD_LOG" > "$pl/badlog"
{
	echo '#!/bin/sh'
	for v in CYCLES HPCYCLES TSCALE GMEM; do
		[ -n "${!v:-}" ] && printf "export %s='%s'\n" "$v" "${!v}"
	done
	echo 'exec sh ./scenario.sh'
} > "$pl/run"
chmod +x "$pl/run"

# Two PHB4s, each with a root port and an NVMe (the hot-plug cycles
# alternate them); snapshot=on: the images are never written.
export L0_ARGS="-device pnv-phb,chip-id=0,index=0,id=pcie.0
 -device pnv-phb-root-port,bus=pcie.0,id=rp0,chassis=1,slot=1
 -drive if=none,id=nvd0,file=$disk,format=raw,snapshot=on
 -device nvme,bus=rp0,drive=nvd0,serial=xive-pt
 -device pnv-phb,chip-id=0,index=1,id=pcie.1
 -device pnv-phb-root-port,bus=pcie.1,id=rp1,chassis=2,slot=1
 -drive if=none,id=nvd1,file=$disk2,format=raw,snapshot=on
 -device nvme,bus=rp1,drive=nvd1,serial=xive-pt2"
log=${LOG:-$WORK/check-passthrough-$FLAVOUR.log}
echo "testbed: passthrough scenario on the $FLAVOUR modules (L0: ${L0_QEMU:-qemu-system-ppc64} -smp $SMP -m $MEM, two NVMe on PHBs; log $log)"
EXTRA_INITRD=$extra "$(dirname "$0")/boot.sh" "$pl" "$log"

# (not exec: the EXIT trap removes the payload)
"$(dirname "$0")/nested-verdict.sh" "$log" "$t0"
