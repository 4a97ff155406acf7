# vfio: both NVMe bound to vfio-pci (the test-only vfio.ko, testbed/vfio);
# kprobes on the passthrough map/unmap calls, the ESB fault handler, page
# inserts and zaps.
phase_vfio() {
	local out drv drv2
	out=$(loadmods /l1/pt/vfio 2>&1)
	why="$out"; check "host: test-only vfio.ko and Debian's vfio-pci, vfio_iommu_spapr_tce load" [ -z "$out" ]
	rebind vfio-pci $bdf $bdf2
	drv=$(driver $bdf) drv2=$(driver $bdf2)
	why="drivers $drv $drv2, /dev/vfio: $(ls /dev/vfio 2>&1 | tr '\n' ' '); $(dmesg | grep -i vfio | tail -2)"
	check "host: $bdf and $bdf2 bound to vfio-pci (iommu groups $group, $group2)" \
		[ "$drv" = vfio-pci -a -e /dev/vfio/$group -a "$drv2" = vfio-pci -a -e /dev/vfio/$group2 ]
	trace_setup
	why="kprobe_events: $(cat $TR/kprobe_events 2>&1 | tr '\n' ';')"
	check "host: kprobes on set/clr_mapped, the ESB fault handler ($fsym), page inserts, zaps and msleep$(ours && echo "; the device's tracepoints")" probes_set
}
