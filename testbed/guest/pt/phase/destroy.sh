# destroy: no NVMe request of A's timed out; A killed with the NVMe passed
# through (its log judged first):
# its KVM debugfs folder goes; the host's nvme driver takes both devices
# back and reads them, their MSIs delivered to the host again.
phase_destroy() {
	local sig sig2 i1 i2 n to l
	# every request A's nvme driver issued completed by its interrupt
	# through all the remaps above: a lost one is polled at its 30 s
	# timeout, "nvme nvme0: I/O <tag> QID <q> timeout, completion polled"
	ticks a 2 "A: guest ticks before it is destroyed"	# reading again
	to=$(grep -E 'nvme.*timeout' $T/a.con | head -3)
	l=$(lasttick a)
	why="${to:-$l}"
	check "A: every NVMe request completed by its interrupt through $(tcount set) map and $(tcount clr) unmap calls ($(field "$l" rd) reads on the last device, $(field "$l" infl) in flight, $(echo "$to" | grep -c .) timed out)" \
		[ -z "$to" -a "$(field "$l" infl)" = 0 -a "$(field "$l" rd)" -gt 0 ]
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
