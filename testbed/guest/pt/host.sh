# The passthrough scenario's host side: the NVMe, its drivers, and the
# kprobe trace of passthrough map/unmap calls and ESB faults.
loadmods() {	# dir
	local m
	for m in $(cat $1/order); do
		insmod $1/$m.ko || { echo "insmod $m failed"; return 1; }
	done
}
host_intr() {	# pattern: "lirq:count" of the host's matching interrupt lines
	awk -v p="$1" 'NR == 1 { n = NF; next }
		$0 ~ p { t = 0; for (i = 2; i <= n + 1; i++) t += $i
			 sub(":", "", $1); printf "%s:%d ", $1, t }' /proc/interrupts
}
sumcounts() { echo "$1" | tr ' ' '\n' | awk -F: '{ t += $2 } END { print t + 0 }'; }
waitblk() {	# dev seconds
	local i=0
	while [ ! -b $1 ] && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	[ -b $1 ]
}
# disksig BDF: the signature of the disk behind the host's nvme driver
disksig() {
	local n
	n=$(ls /sys/bus/pci/devices/$1/nvme 2>/dev/null | head -1)
	[ -n "$n" ] && waitblk /dev/${n}n1 20 && head -c 16 /dev/${n}n1 2>/dev/null
}
# rebind DRIVER BDF...: hand the devices to DRIVER ("" for their own)
rebind() {
	local d drv=$1
	shift
	for d; do
		echo "$d" > "$(readlink -f /sys/bus/pci/devices/$d/driver)/unbind"
		echo "$drv" > /sys/bus/pci/devices/$d/driver_override
		echo "$d" > /sys/bus/pci/drivers_probe
	done
}
driver() { basename "$(readlink /sys/bus/pci/devices/$1/driver)"; }

# kprobes: set/clr_mapped (passthrough map/unmap), the device's ESB fault
# handler (ours: xn_fault, ESB and TIMA; upstream: xive_native_esb_fault),
# page inserts, zaps, and msleep (ours: where xive-fault-hold-us holds a
# fault that chose its page); ours also its tracepoints (remap begin/end,
# ESB fault after the insert, zap)
PROBES="set clr fault ins umr zvp hold"
TPOINTS=kvm_xive_native/xive_native_remap
trace_setup() {
	if ours; then fsym=xn_fault; else fsym=xive_native_esb_fault; fi
	# 7.x renamed zap_vma_ptes (same arguments)
	zsym=zap_vma_ptes
	grep -q ' zap_vma_ptes$' /proc/kallsyms || zsym=zap_special_vma_range
	echo > $TR/trace
	{ echo "p:ptest/set kvmppc_xive_set_mapped girq=%r4:u64"
	  echo "p:ptest/clr kvmppc_xive_clr_mapped girq=%r4:u64"
	  echo "p:ptest/fault $fsym"
	  echo "p:ptest/ins vmf_insert_pfn addr=%r4:u64 pfn=%r5:u64"
	  echo "p:ptest/umr unmap_mapping_range off=%r4:u64 len=%r5:u64"
	  echo "p:ptest/zvp $zsym addr=%r4:u64 size=%r5:u64"
	  echo "p:ptest/hold msleep ms=%r3:u32"; } >> $TR/kprobe_events &&
	echo 16384 > $TR/buffer_size_kb && echo 1 > $TR/events/ptest/enable || return
	ours || return 0
	echo 1 > $TR/events/kvm_xive_native/enable
}
probes_set() {
	local p
	for p in $PROBES; do [ -e $TR/events/ptest/$p ] || return 1; done
	! ours || [ "$(cat $TR/events/$TPOINTS/enable 2>/dev/null)" = 1 ]
}
tcount() { grep -c " $1: " $TR/trace; }
# the guest sources KVM passed through: set_mapped and no clr_mapped since
kvm_mapped() {
	sed -n 's/.* \(set\|clr\): .*girq=\([0-9]*\).*/\1 \2/p' $TR/trace |
		awk '$1 == "set" { m[$2] = 1 } $1 == "clr" { delete m[$2] }
		     END { for (q in m) print q }' | sort -n | tr '\n' ' '
}
# faults taken by the threads of guest NAME's QEMU
tfaults() {
	local tids
	tids=$(ls /proc/"$(pid $1)"/task 2>/dev/null | tr '\n' '|')
	# "<comm>-<tid> [cpu] ...": comms have spaces ("CPU 0/KVM")
	sed -n 's/^.*-\([0-9][0-9]*\) *\[[0-9]*\] .* fault: .*/\1/p' $TR/trace |
		awk -v t="|${tids}" 'index(t, "|" $1 "|") { c++ } END { print c + 0 }'
}
