#!/bin/bash
# Boot the emulated POWER9 PowerNV host (QEMU TCG) with a payload and judge
# the run: modules loaded and the capability reported, no hang, the
# payload's exit status, and no Oops/WARNING/BUG/lockdep line in the host
# kernel log.  The payload's output streams to stdout, then the host's own
# verdict as a TAP stream (also appended to LOG); the exit status is 0, or
# 3 hang, 4 module/capability failure, 5 bad kernel log, else the payload's.
# Usage: boot.sh PAYLOAD_DIR LOG
set -uo pipefail
. "$(dirname "$0")/lib.sh"

payload=$1
log=$2
# Runs may go on side by side (other checkouts, helpers): nothing shared.
initrd=$(mktemp "$WORK/initramfs.XXXXXX")
trap 'rm -f "$initrd"' EXIT
"$(dirname "$0")/initramfs.sh" "$payload" "$initrd" || exit 2
L0_VMLINUX=${L0_VMLINUX:-$VMLINUX}
[ -e "$L0_VMLINUX" ] || die "no $L0_VMLINUX: run 'make deps'"

# -nodefaults skips six PHBs' link training; the IPMI BMC lets OPAL power off.
# loglevel=5: warnings and worse reach the console as they happen (judged
# even if the final dmesg dump is lost); log_buf_len: the dump never wraps.
# The console goes through a pipe: the payload's output is shown as it comes,
# the markers and the kernel log are kept for the verdict.
# L0_ACCEL (e.g. tcg,thread=single) lets the nested-guest runs compare TCG modes;
# L0_QEMU another QEMU build ("binary [args]", see testbed/l0-qemu-deps.sh);
# L0_HUGE (1 by default on 4K kernels, lib.sh) the radix 2M/1G page sizes;
# L0_ARGS extra L0 QEMU arguments, e.g. a PHB + NVMe (testbed/pt-check.sh);
# L0_VMLINUX another kernel for the emulated host only (make check-debug's:
# the nested guests keep KVER's).
append="console=hvc0 loglevel=5 log_buf_len=8M powersave=off ${APPEND:-}"
# shellcheck disable=SC2206
q=(${L0_QEMU:-qemu-system-ppc64} -M "$MACHINE" -cpu "$L0_CPU"
   ${L0_ACCEL:+-accel "$L0_ACCEL"}
   -smp "$SMP" -m "$MEM" -nographic -no-reboot -nodefaults
   -device ipmi-bmc-sim,id=bmc0 -device isa-ipmi-bt,bmc=bmc0,irq=10 ${L0_ARGS:-}
   -kernel "$L0_VMLINUX" -initrd "$initrd")
# L0_HUGE: the host's device tree lists radix 2M/1G pages (host-dtb.sh);
# the command line then lives in that tree (QEMU refuses -dtb with -append).
if [ -n "$L0_HUGE" ]; then
	dtb=$initrd.dtb
	trap 'rm -f "$initrd" "$dtb"' EXIT
	"$(dirname "$0")/host-dtb.sh" "$dtb" "${q[@]}" -append "$append" || exit 2
	q+=(-dtb "$dtb")
else
	q+=(-append "$append")
fi
timeout -k 10 "$TIMEOUT" "${q[@]}" -serial mon:stdio </dev/null |
	tr -d '\r' | tee "$log" |
	awk '/^@@DMESG-BEGIN/{q=1} /^@@DMESG-END/{q=0; next}
	     /^\[ *[0-9.]+,[0-9]\]/{next}	# skiboot chatter: kept in the log
	     !q && !/^@@/ {print; fflush()}'
qrc=${PIPESTATUS[0]}

# The host's own checks, each a TAP line; boot.sh's status names the first.
verdict=0 n=0 tap=
res() {	# verdict-if-failed description [reason]
	n=$((n + 1))
	if [ -z "${3:-}" ]; then
		tap="$tap"$'\n'"ok $n - emulated host: $2"
	else
		tap="$tap"$'\n'"not ok $n - emulated host: $2 # $3"
		[ "$verdict" = 0 ] && verdict=$1
	fi
}
failed=$(sed -n 's/^@@MODULE-FAILED //p' "$log" | tr '\n' ' ')
res 4 "KVM modules loaded, KVM_CAP_PPC_IRQ_XIVE reported" "${failed:+FAIL: $failed}"
hung=
[ "$qrc" = 124 ] || [ "$qrc" = 137 ] && hung="STALL: did not finish in ${TIMEOUT}s"
res 3 "finished within ${TIMEOUT}s" "$hung"
if [ -n "$L0_HUGE" ]; then
	grep -qE 'radix-mmu: Page size s(h)?ift = 21 ' "$log" && huge= ||
		huge="FAIL: the kernel did not take the 2M page size from the device tree"
	res 5 "radix 2M pages (L0_HUGE)" "$huge"
fi
prc=$(sed -n 's/^@@EXIT \([0-9]*\)$/\1/p' "$log" | tail -1)
if [ -z "$prc" ]; then
	res 3 "payload reported its exit status" "${hung:-FAIL: no @@EXIT line}"
else
	res "$prc" "payload exit status 0" "$([ "$prc" = 0 ] || echo "FAIL: status $prc")"
fi
# The whole console is scanned: an oops before the end may stop the dump.
bad=$(bad_log "$log")
lockup=$(echo "$bad" | grep -m1 -E 'soft lockup|hard LOCKUP|detected stalls' | sed 's/^.*\] //')
first=${lockup:-$(echo "$bad" | head -1 | sed 's/^.*\] //')}
res 5 "kernel log clean" "${bad:+FAIL: ${lockup:+LOCKUP: }$first}"
if [ -n "$bad" ]; then
	echo "testbed: bad kernel log lines:" >&2
	echo "$bad" | head -20 >&2
fi
tap="TAP version 13"$'\n'"1..$n$tap"
echo "$tap"
echo "$tap" >> "$log"
exit "$verdict"
