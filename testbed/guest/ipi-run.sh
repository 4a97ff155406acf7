#!/bin/sh
# Runs inside the emulated POWER9 host, for make bench (testbed/bench.sh):
# one nested pseries guest with 2 vCPUs on the loaded kvm modules, booted
# on testbed/guest/ipi-init, which times IPI round trips between its CPUs.
# Usage: ipi-run.sh LABEL IC-MODE REPS LOOPS.  Prints a TAP stream of one
# result, the guest's REPS timed runs (a guest that ended early or ran
# fewer: "not ok", and why), after diagnostics for bench/report.py:
#   # B ipi_<ic>_rtps <round trips/s>         per guest run
#   # B ipi_<ic>_ipis_per_rt <IPIs>           per guest run, both CPUs
#   # B ipi_<ic>_esc_per_rt <interrupts>      the host's escalation
#                                             interrupts (kvm-* lines)
# The guest's "@@I-..." console lines (ipi-init) are read here only (its
# boot line may follow kernel output on the same line).
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
	waitcon '^@@I-END' 600 && e=$(($(esc) - e0))
fi
i=0
while kill -0 $qpid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
kill -9 $qpid 2>/dev/null
wait $qpid
echo "TAP version 13"
tr -d '\r' < $T/con | awk -v ic=$ic -v e="${e:-}" -v n=$((reps * loops)) '
	match($0, /@@I-BOOT .*/) { s = substr($0, RSTART + 9); sub(/ +$/, "", s); print "# guest: " s }
	$1 == "@@I-RUN" && $3 ~ /^ns=[0-9]+$/ && $4 ~ /^calls=[0-9]+$/ && $5 ~ /^ipis=[0-9]+$/ {
		ns = substr($3, 4) + 0; c = substr($4, 7) + 0
		if (ns > 0 && c > 0) {
			printf "# B ipi_%s_rtps %.1f\n", ic, c * 1e9 / ns
			printf "# B ipi_%s_ipis_per_rt %.4f\n", ic, substr($5, 6) / c
		}
	}
	END { if (e != "") printf "# B ipi_%s_esc_per_rt %.4f\n", ic, e / n }'
runs=$(grep -c '^@@I-RUN ' $T/con)
what="$label, ic-mode=$ic: $reps guest runs of $loops IPI round trips"
rc=0
if [ -n "${e:-}" ] && [ "$runs" -ge "$reps" ]; then
	echo "ok 1 - $what"
else
	why="$runs of $reps runs; $(tr -d '\r' < $T/con | grep -oE '@@I-(ERROR|BOOT) .*' | sed 's/^@@I-//' | tr '\n' ' ') $(tail -2 $T/qemu | tr '\n' ' ')"
	echo "not ok 1 - $what # FAIL: $(echo "$why" | sed 's/ *$//')"
	rc=1
fi
echo "1..1"
exit $rc
