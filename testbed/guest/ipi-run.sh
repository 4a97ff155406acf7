#!/bin/sh
# Runs inside the emulated POWER9 host, for make bench (testbed/bench.sh):
# one nested pseries guest with 2 vCPUs on the loaded kvm modules, booted
# on testbed/guest/ipi-init, which times IPI round trips between its CPUs.
# Usage: ipi-run.sh LABEL IC-MODE REPS LOOPS.  Prints, for bench/report.py:
#   @@I LABEL IC-MODE REP NS CALLS IPIS    one line per guest run
#   @@I-ESC LABEL IC-MODE N                the host's escalation interrupts
#                                          (kvm-* lines) during the runs
#   @@FAIL ...                             no result (and why)
label=$1 ic=$2 reps=$3 loops=$4
T=/tmp/ipi-$label-$ic
CAPS=cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
mkdir -p $T
rm -f $T/con
touch $T/con
cp /l1/nvram.img $T/nvram	# SLOF-formatted: no NVRAM warning in the guest
# the host's escalation interrupts: the per-CPU counts of the "kvm-..." lines
esc() {
	awk 'NR == 1 { n = NF; next }
	     / kvm-/ { for (i = 2; i <= n + 1; i++) t += $i }
	     END { print t + 0 }' /proc/interrupts
}
# polls once a second: the guest's vCPUs share this host's one CPU with
# it (the guest idles 2 s after each line waited for)
waitcon() {	# pattern seconds
	i=0
	while ! grep -q "$1" $T/con && [ $i -lt $2 ]; do
		kill -0 $qpid 2>/dev/null || break
		sleep 1
		i=$((i + 1))
	done
	grep -q "$1" $T/con
}
/usr/bin/qemu-system-ppc64 -M pseries,ic-mode=$ic,kernel-irqchip=on,$CAPS,x-vof=on \
	-accel kvm -cpu host -smp 2 -m 512M -nodefaults -display none -vga none \
	-serial file:$T/con -kernel /l1/vmlinux -initrd /l1/ipi/guest-initrd.cpio \
	-append "console=hvc0 loglevel=5 ipi_reps=$reps ipi_loops=$loops" \
	-drive if=none,id=nv0,file=$T/nvram,format=raw -global spapr-nvram.drive=nv0 \
	> $T/qemu 2>&1 &
qpid=$!
if waitcon '^@@I-READY' 300; then
	e0=$(esc)
	waitcon '^@@I-END' 600 && echo "@@I-ESC $label $ic $(($(esc) - e0))"
fi
i=0
while kill -0 $qpid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
kill -9 $qpid 2>/dev/null
wait $qpid
tr -d '\r' < $T/con | sed -n "s/^@@I-RUN \([0-9]*\) ns=\([0-9]*\) calls=\([0-9]*\) ipis=\([0-9]*\)$/@@I $label $ic \1 \2 \3 \4/p"
# a guest that ended early, or ran fewer timed runs than asked, is a failure
runs=$(grep -c '^@@I-RUN ' $T/con)
if ! grep -q '^@@I-END' $T/con || [ "$runs" -lt "$reps" ]; then
	echo "@@FAIL ipi guest $label $ic: $runs of $reps runs; $(tr -d '\r' < $T/con | grep -E '^@@I-(ERROR|BOOT)' | tr '\n' ' ') $(tail -2 $T/qemu | tr '\n' ' ')"
fi
