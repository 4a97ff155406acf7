# destroy: A killed with the NVMe passed through (its log judged first):
# its KVM debugfs folder goes; the host's nvme driver takes both devices
# back and reads them, their MSIs delivered to the host again.
phase_destroy() {
	local sig sig2 i1 i2 n
	stop a kill
	sleep 1
	why="$(ls $DBG)"
	check "A: its KVM debugfs folder is gone" [ -z "$(ls -d $DBG/"$(pid a)"-* 2>/dev/null)" ]
	rebind "" $bdf $bdf2
	sig=$(disksig $bdf) sig2=$(disksig $bdf2)
	i1=$(sumcounts "$(host_intr nvme)")
	echo 3 > /proc/sys/vm/drop_caches
	for n in /dev/nvme?n1; do dd if=$n of=/dev/null bs=64k count=64 2>/dev/null; done
	i2=$(sumcounts "$(host_intr nvme)")
	why="drivers $(driver $bdf) $(driver $bdf2), read '$sig' '$sig2', nvme interrupts $i1 -> $i2; $(dmesg | grep -iE 'nvme|vfio' | tail -3 | tr '\n' ';')"
	check "host: nvme driver takes both devices back and reads them, their MSIs delivered to the host ($i1 -> $i2)" \
		[ "$sig" = $SIG1 -a "$sig2" = $SIG2 -a "$i2" -gt "$i1" ]
	stop b
	note "kprobe totals: set_mapped $(tcount set), clr_mapped $(tcount clr), fault $(tcount fault)"
	echo 0 > $TR/events/ptest/enable
}
