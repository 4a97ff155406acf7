#!/bin/bash
# Write the emulated host's device tree with the radix page sizes of a real
# POWER9/POWER10: QEMU's own tree for the given command line, plus
# ibm,processor-radix-AP-encodings (4K, 64K, 2M, 1G) in every CPU node.
# QEMU's powernv leaves that property out, so its Linux has no 2M pages:
# no THP, no hugetlbfs, and a 4K host's 64K event queues are contiguous
# only by chance (README, 4K-page hosts).  On real machines skiboot adds it
# from the firmware's HDAT; the values are the architecture's (ISA 3.0
# radix AP encodings), the same there.  The tree goes to QEMU with -dtb
# (QEMU 9.0 and later: bookworm-backports' 10.0, testbed/l0-qemu-deps.sh),
# which takes it as is: the kernel command line and the initrd's place come
# from this dump, made with the same arguments.
# Usage: host-dtb.sh OUT QEMU [ARGS...]   (ARGS: those of the boot itself)
set -euo pipefail

out=$1
shift
rm -f "$out"
# -S: the machine is built and reset (which writes its tree) but not run;
# the monitor's dumpdtb writes the tree the firmware would get.
printf 'dumpdtb %s\nquit\n' "$out" |
	"$@" -S -display none -monitor stdio -serial none >/dev/null
[ -s "$out" ] || { echo "host-dtb: QEMU dumped no device tree ($*)" >&2; exit 2; }
n=0
for cpu in $(fdtget -l "$out" /cpus); do
	[ "$(fdtget "$out" "/cpus/$cpu" device_type 2>/dev/null)" = cpu ] || continue
	# AP << 29 | page shift: 4K AP 0, 64K AP 5, 2M AP 1, 1G AP 2
	fdtput -t x "$out" "/cpus/$cpu" ibm,processor-radix-AP-encodings \
		0xc 0xa0000010 0x20000015 0x4000001e
	n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "host-dtb: no CPU node in $out" >&2; exit 2; }
