# hotplug: HPCYCLES hot-unplug (device_del) / replug (device_add) cycles of
# A's NVMe, the two NVMe in turn, under guest load.  pseries PCI hot-plug
# needs drmgr's part in the guest (there is no drmgr in it): its "unplug"
# removes the device and its device-tree node and isolates the slot, which
# completes QEMU's device_del; its "plug", after device_add, unisolates the
# slot, adds the nodes configure-connector describes and rescans
# (testbed/guest/drc.c).  All along, the guest reads its disk every second
# and loads the vectors' ESB pages (esb-poke): the fault/zap race through
# real hot-plug.  The stale-page check knows each cycle's device: a page of
# the previous one after the switch is stale.

# hpcycle INDEX: one hot-unplug/replug cycle; sets un_err / re_err
hpcycle() {
	local e i hv z0 p0 s0 c0 z1 p1 s1 c1 z2 s2 dev want P pf g1 g2
	alive a || { un_err="$un_err $1:QEMU-A-exited"; return 1; }
	z0=$(counter a zaps) p0=$(counter a zapped_pages) s0=$(tcount set) c0=$(tcount clr)
	# the trace's cycle boundary for stale_pages (cycle_pfns)
	echo "ptcycle $1" > $TR/trace_marker
	mon a "device_del $hp_id"
	sleep 0.5
	command a unplug || { un_err="$un_err $1:unplug-stall"; return 1; }
	echo "$ack" | grep -q 'rc=0 node=0 ' || un_err="$un_err $1:unplug($ack)"
	# QEMU completes device_del once the guest isolated the slot
	i=0
	while [ $i -lt $(secs 30) ]; do
		: > $T/a.mon
		mon a 'info pci'
		sleep 1
		tr -d '\r' < $T/a.mon | grep -q 'NVMe\|Class 0108' || break
		i=$((i + 1))
	done
	[ $i -lt $(secs 30) ] || un_err="$un_err $1:QEMU-kept-the-device"
	e=$(not_on_ipis $OLD_MAPPED)
	[ -z "$e" ] || un_err="$un_err $1:$e"
	# a phase's look at the unplugged state (remap-state)
	! type hp_unplugged >/dev/null 2>&1 || hp_unplugged $1
	hv=$(host_intr vfio)
	[ -z "$hv" ] || un_err="$un_err $1:host-vfio-lines($hv)"
	z1=$(counter a zaps) p1=$(counter a zapped_pages) s1=$(tcount set) c1=$(tcount clr)
	[ $((c1 - c0)) -gt 0 ] || un_err="$un_err $1:no-clr_mapped"
	e=$(zapcheck "$z0" "$p0" "$z1" "$p1" $((s1 - s0 + c1 - c0)))
	[ -z "$e" ] || un_err="$un_err $1:$e"
	hp_id=pt$1
	if [ $(($1 % 2)) = 1 ]; then dev=$bdf2 want=$SIG2; else dev=$bdf want=$SIG1; fi
	mon a "device_add vfio-pci,host=$dev,id=$hp_id"
	sleep 0.5
	command a plug || { re_err="$re_err $1:plug-stall"; return 1; }
	echo "$ack" | grep -q " rc=0 .* nodes .*disk=$want" || re_err="$re_err $1:plug($dev: $ack)"
	[ "$(field "$ack" irqs | tr , ' ')" = "$(echo $OLD_IRQS)" ] ||
		re_err="$re_err $1:irqs($(field "$ack" irqs))"
	sleep 0.5
	P=$(phbs a)
	[ "$(echo $(phb_irqs "$P"))" = "$(echo $OLD_MAPPED)" ] || re_err="$re_err $1:PHB($P)"
	pf=$(phb_pfns)
	PHB_ALL="$PHB_ALL $pf"
	echo "$1 $pf" >> $T/cycle_pfns
	ticks a 2 "A: guest ticks after replug $1" || { re_err="$re_err $1:no-ticks"; return 1; }
	g1=$(field "$t1" nvme) g2=$(field "$t2" nvme)
	[ "${g2:-0}" -gt "${g1:-0}" ] || re_err="$re_err $1:msix($g1->$g2)"
	z2=$(counter a zaps) s2=$(tcount set)
	note "hot-plug $1 ($dev): unplug ${i}s, $((c1 - c0)) clr, zaps +$(dlt "$z0" "$z1"); replug $((s2 - s1)) set, zaps +$(dlt "$z1" "$z2"), PHB $P, MSI-X $g1 -> $g2"
}

phase_hotplug() {
	local c_t0 hp_s i
	OLD_IRQS=$IRQS OLD_MAPPED=$MAPPED
	PHB_ALL=$PHB_PFNS
	b_mark
	command a poke-on
	sleep 1
	k0=$(pokes)
	un_err= re_err= hp_id=pt0
	c_t0=$(now)
	for i in $(seq $HPCYCLES); do hpcycle $i; done
	hp_s=$(since $c_t0)
	k1=$(pokes)
	alive a || { notok "A: QEMU alive through the hot-plug cycles" FAIL "exited"; dump a; }
	command a poke-off
	grep '^@@P-ACK plug' $T/a.con | tail -1 | sed 's/^/# guest A: /'
	why="$un_err"
	check "unplug x$HPCYCLES: QEMU released the NVMe each time, its vectors went back to their IPIs, the host freed its vfio MSIs$(ours && echo ", one 2-page zap per map/unmap call") (${hp_s}s in all)" \
		[ -z "$un_err" ]
	why="$re_err"
	check "replug x$HPCYCLES, the two NVMe in turn: the guest brought the new device up at run time, the same IRQ numbers reused and backed by the new device's PHB, MSI-X interrupts rise ($(echo $OLD_IRQS))" \
		[ -z "$re_err" ]
	PHB_PFNS=$(echo $PHB_ALL | tr ' ' '\n' | sort -un | tr '\n' ' ')
	stale_check "hot-plug"
	poke_check "hot-plug: the guest loaded the vectors' PQ bits throughout, always a PQ value back, IPI or PHB"
	b_refaults "while A's devices were unplugged and replugged"
}
