# remap-state: what the guest set in a vector's interrupt source survives
# its remaps.  The unmap/map here is the MSI-X Function Mask toggled in the
# NVMe's config space by A's guest (QEMU then takes every vector off the
# host's direct path and puts it back: clr_mapped, set_mapped), because the
# guest's driver does not touch the vectors' XIVE state then; unbind and
# unplug mask them in the guest first (PQ=01, what a later unmap must keep),
# and bind and replug reset and unmask them after the map.
#   - the admin queue's vector set masked (PQ=01), then pending (P=1, PQ=10)
#     through its ESB page reads the same on its IPI while masked and on
#     the PHB after (the device moves PQ to the new source);
#   - the guest's EISN (a Linux guest's own irq number) stays in the
#     hardware of every PHB-backed source across those remaps (the device
#     re-targets with it; set_mapped alone would put the source number);
#   - after unbind and after unplug the vectors the guest masked read 01.

# pqof OUT SRC: the PQ of source SRC (hex) in a 'pq' ack
pqof() { echo "$1" | tr ' ,' '\n\n' | sed -n "s/^$2:\([0-9?]*\)$/\1/p"; }
# kindof IRQ: IPI or PHB, what A's source IRQ (decimal) is on
kindof() { srcmap a | awk -v q=$1 '$1 == q { print $3 }'; }

# keep_pq WANT OFF: one toggle with vector 0 set to WANT by a load at OFF
keep_pq() {
	local src q c0 s0 p1 p2 p3 k1 k2 c1 s1
	c0=$(tcount clr) s0=$(tcount set)
	command a "pq $2 0" || return 1
	src=$(echo "$ack" | sed -n 's/.* \(0x[0-9a-f]*\):.*/\1/p')
	q=$((src))
	command a "pq 0x800 0" || return 1
	p1=$(pqof "$ack" $src)
	command a "msimask 1" || return 1
	sleep 1
	k1=$(kindof $q) c1=$(tcount clr)
	command a "pq 0x800 0" || return 1
	p2=$(pqof "$ack" $src)
	command a "msimask 0" || return 1
	sleep 1
	k2=$(kindof $q) s1=$(tcount set)
	command a "pq 0x800 0" || return 1
	p3=$(pqof "$ack" $src)
	eisn_check "remap-state, PQ=$1 round"
	command a "pq 0xc00 0" || return 1	# the vector works again
	why="$ack; vector 0 = source $src: set $1, read $p1; masked: on $k1, read $p2; unmasked: on $k2, read $p3; clr_mapped +$((c1 - c0)), set_mapped +$((s1 - s0))"
	xcheck "A: the guest's PQ=$1 on its admin vector ($q) stays across the MSI-X mask's unmap and map (read $p1, on the $k1 $p2, on the $k2 $p3)" \
		"set/clr_mapped do not move the guest's PQ to the new source" [ "$p1.$p2.$p3" = "$1.$1.$1" -a "$k1.$k2" = IPI.PHB -a $((c1 - c0)) -gt 0 -a $((s1 - s0)) -gt 0 ]
}

# after_unmap LABEL: every vector the guest masked before the unmap reads 01
after_unmap() {
	local r
	command a "pq 0x800" || return 1
	r=$(echo "$ack" | sed 's/^@@P-ACK pq 0x800 //; s/ end$//')
	why="$r; sources $(srcmap a | awk '$3 == "PHB"' | wc -l) PHB"
	xcheck "A: after $1 the vectors the guest masked are still masked on their IPIs ($r)" \
		"clr_mapped does not move the guest's PQ to the IPI" sh -c '[ -n "$1" ] && ! echo "$1" | tr , "\n" | grep -qv ":01$"' _ "$r"
}
# hpcycle's hook between unplug and replug
hp_unplugged() { [ -z "$pq_unplug" ] || { after_unmap "unplug $1"; pq_unplug=; }; }

phase_remap_state() {
	local n
	alive a || { notok "A: QEMU alive before remap-state" FAIL "exited"; dump a; return; }
	# Upstream (seen): after the toggle the vectors' hardware EISN is the
	# source number (4864 for the guest's 22) and a PQ=01 reads back 10;
	# the guest's next NVMe interrupt WARNs (xive/common.c:177, an EISN it
	# never configured) and its disk stops: not run there.
	if ! skip_upstream "A: the guest's PQ=01 / PQ=10 and its EISN across the MSI-X mask's unmap and map" \
		"its remaps give the vectors the source number as EISN and lose PQ=01 (read 10); the guest then WARNs and loses its NVMe"; then
		keep_pq 01 0xd00
		keep_pq 10 0xe00
	fi
	# the guest remembers its vectors while the driver has them
	command a "pq 0x800" &&
		command a unbind && after_unmap unbind
	command a bind || return
	sleep 0.5
	eisn_check "remap-state, after bind"
	. ./pt/phase/hotplug.sh	# hpcycle
	OLD_IRQS=$IRQS OLD_MAPPED=$MAPPED PHB_ALL=$PHB_PFNS un_err= re_err= pq_unplug=1
	hp_id=${hp_id:-pt0} n=${hp_id#pt}
	hpcycle $((${n:-0} + 1))
	why="$un_err $re_err"
	check "remap-state: a device_del/device_add cycle" [ -z "$un_err$re_err" ]
	eisn_check "remap-state, after replug"
}
