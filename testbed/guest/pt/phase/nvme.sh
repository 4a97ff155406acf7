# nvme: two NVMe controllers, each on a PHB; the host's nvme driver reads
# both disks.  Sets bdf, bdf2 and their iommu groups.
phase_nvme() {
	local out sig sig2
	set -- $(for d in /sys/bus/pci/devices/*; do
		[ "$(cat $d/class)" = 0x010802 ] && basename $d
	done | sort)
	bdf=$1 bdf2=${2:-}
	why="NVMe class devices: '$*' in $(ls /sys/bus/pci/devices | tr '\n' ' ')"
	check "host: two NVMe controllers on their PHBs ($bdf $bdf2)" [ -n "$bdf2" ] || return 2
	group=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
	group2=$(basename "$(readlink /sys/bus/pci/devices/$bdf2/iommu_group)")
	out=$(loadmods /l1/pt/nvme 2>&1)
	why="$out"; check "host: nvme modules load" [ -z "$out" ]
	sig=$(disksig $bdf) sig2=$(disksig $bdf2)
	why="read '$sig' '$sig2'"
	check "host: nvme driver reads both disks" [ "$sig" = $SIG1 -a "$sig2" = $SIG2 ]
	note "host nvme interrupts: $(host_intr nvme)"
}
