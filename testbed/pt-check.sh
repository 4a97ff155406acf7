#!/bin/bash
# make check-passthrough: the passthrough scenario (testbed/guest/pt/) in
# the emulated host with two NVMe controllers on PHBs, counted as TAP
# (testbed/nested-check.sh).  Nothing is retried; a STALL (timeout) is
# reported apart from a FAIL.
# Env: PHASES, CYCLES (unmap/map cycles per phase), HPCYCLES (hot-plug
# cycles), WCYCLES, WEXTRA and HOLD (the window phase), TSCALE, GMEM, LOG.
set -uo pipefail
# The emulated host gets one CPU (L0 -smp 1) on the system's QEMU 7.2, as
# check-guest: with -smp 2 an emulated host CPU stops making progress in
# some nested runs (seen here: soft lockups under 7.2, 1 stall in 4 runs
# under QEMU 10.0).  SMP=2 and L0_QEMU="$(testbed/l0-qemu-deps.sh)" select
# the other configurations.  TIMEOUT is a watchdog for a hung host: a
# 4K row's run took 1405 s beside three other emulated hosts on 2 cores.
: "${SMP:=1}" "${MEM:=4G}" "${TIMEOUT:=2400}"
export SMP MEM TIMEOUT
. "$(dirname "$0")/lib.sh"

disk=$(mktemp "$WORK/nvme.XXXXXX") disk2=$(mktemp "$WORK/nvme.XXXXXX")
trap 'rm -f "$disk" "$disk2"' EXIT
# 8 MiB each: a signature the hosts and the guest check, then data for reads.
{ printf 'XIVE-PT-DISK-L0.'; head -c $((8 * 1024 * 1024 - 16)) /dev/urandom; } > "$disk"
{ printf 'XIVE-PT-DISK2L0.'; head -c $((8 * 1024 * 1024 - 16)) /dev/urandom; } > "$disk2"
# Two PHB4s, each with a root port and an NVMe (the hot-plug cycles
# alternate them); snapshot=on: the images are never written.  An MSI-X
# table of 8 (QEMU's default 65): a 7.x nested guest has KVM pass every
# entry through, and QEMU 7.2 re-enables all of them for each vector it
# adds (65 x 66 set_mapped calls a bind, 10 minutes of cycles).
export L0_ARGS="-device pnv-phb,chip-id=0,index=0,id=pcie.0
 -device pnv-phb-root-port,bus=pcie.0,id=rp0,chassis=1,slot=1
 -drive if=none,id=nvd0,file=$disk,format=raw,snapshot=on
 -device nvme,bus=rp0,drive=nvd0,serial=xive-pt,msix_qsize=8
 -device pnv-phb,chip-id=0,index=1,id=pcie.1
 -device pnv-phb-root-port,bus=pcie.1,id=rp1,chassis=2,slot=1
 -drive if=none,id=nvd1,file=$disk2,format=raw,snapshot=on
 -device nvme,bus=rp1,drive=nvd1,serial=xive-pt2,msix_qsize=8"
# (not exec: the EXIT trap removes the disks)
"$(dirname "$0")/nested-check.sh" pt pt-image.sh check-passthrough \
	"passthrough scenario (two NVMe on PHBs)" PHASES CYCLES HPCYCLES WCYCLES WEXTRA HOLD TSCALE GMEM
