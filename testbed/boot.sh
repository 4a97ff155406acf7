#!/bin/bash
# Boot the emulated POWER9 PowerNV host (QEMU TCG) with a payload and judge
# the run: the payload's exit status, modules loaded, no hang, and no
# Oops/WARNING/BUG/lockdep line in the host kernel log.
# Usage: boot.sh PAYLOAD_DIR LOG        (payload output streams to stdout)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

payload=$1
log=$2
# Runs may go on side by side (other checkouts, helpers): nothing shared.
initrd=$(mktemp "$WORK/initramfs.XXXXXX")
trap 'rm -f "$initrd"' EXIT
"$(dirname "$0")/initramfs.sh" "$payload" "$initrd" || exit 2
[ -e "$VMLINUX" ] || die "no $VMLINUX: run 'make deps'"

# -nodefaults skips six PHBs' link training; the IPMI BMC lets OPAL power off.
# The console goes through a pipe: the payload's output is shown as it comes,
# the markers and the kernel log are kept for the verdict.
# L0_ACCEL (e.g. tcg,thread=single) lets the nested-guest runs compare TCG modes;
# L0_QEMU another QEMU build ("binary [args]", see testbed/l0-qemu-deps.sh);
# L0_ARGS extra L0 QEMU arguments, e.g. a PHB + NVMe (testbed/pt-check.sh).
# shellcheck disable=SC2086
timeout -k 10 "$TIMEOUT" ${L0_QEMU:-qemu-system-ppc64} -M "$MACHINE" -cpu "$L0_CPU" \
	${L0_ACCEL:+-accel "$L0_ACCEL"} \
	-smp "$SMP" -m "$MEM" -nographic -no-reboot -nodefaults \
	-serial mon:stdio -device ipmi-bmc-sim,id=bmc0 \
	-device isa-ipmi-bt,bmc=bmc0,irq=10 ${L0_ARGS:-} \
	-kernel "$VMLINUX" -initrd "$initrd" \
	-append "console=hvc0 quiet powersave=off ${APPEND:-}" </dev/null |
	tr -d '\r' | tee "$log" |
	awk '/^@@DMESG-BEGIN/{q=1} /^@@DMESG-END/{q=0; next}
	     /^\[ *[0-9.]+,[0-9]\]/{next}	# skiboot chatter: kept in the log
	     !q && !/^@@/ {print; fflush()}'
qrc=${PIPESTATUS[0]}

verdict=0
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "testbed: HANG: the emulated host did not finish in ${TIMEOUT}s" >&2
	verdict=3
fi
if grep -q '^@@MODULE-FAILED' "$log"; then
	echo "testbed: module load failed: $(grep '^@@MODULE-FAILED' "$log")" >&2
	verdict=4
fi
# The whole console is scanned: an oops before the end may stop the dmesg dump.
# Only kernel lines count (printk's "[sec.usec] " stamp, which may follow a
# payload's unterminated line): a test printing "WARNING:" is not an oops.
bad=$(grep -E "\[ *[0-9]+\.[0-9]{6}\] .*($BAD_LOG)" "$log" |
	grep -vF "$TOLERATED" || true)
if [ -n "$bad" ]; then
	echo "testbed: bad kernel log lines:" >&2
	echo "$bad" | head -20 >&2
	verdict=5
fi
prc=$(sed -n 's/^@@EXIT \([0-9]*\)$/\1/p' "$log" | tail -1)
if [ -z "$prc" ]; then
	[ "$verdict" = 0 ] && verdict=3 &&
		echo "testbed: the payload never reported its exit status" >&2
elif [ "$verdict" = 0 ]; then
	verdict=$prc
fi
exit "$verdict"
