# debugfs: the sources KVM passed through, and only they, are PHB-backed,
# A's NVMe vectors among them (host PHB MSIs routed with the guest's EISN),
# the rest on IPIs; ours zaps 2 pages per
# map/unmap call; the PHB's ESB pages were inserted, none stale.
phase_debugfs() {
	local f P nphb nsrc nipi z zp r
	f=$(xfile a)
	why="no debugfs xive file for A"; check "A: XIVE device debugfs ($f)" [ -n "$f" ]
	P=$(phbs a)
	nphb=$(echo "$P" | wc -w) nsrc=$(srcmap a | wc -l)
	nipi=$(srcmap a | awk '$3 == "IPI"' | wc -l)
	note "A: $nsrc sources: $nphb PHB ($P), $nipi IPI"
	why="PHB-backed sources '$(phb_irqs "$P")', set_mapped '$MAPPED', guest NVMe vectors '$IRQS'"
	check "A: exactly the sources KVM passed through are PHB-backed, the guest's NVMe vectors among them ($(phb_irqs "$P"))" \
		[ -n "$IRQS" -a "$(phb_irqs "$P")" = "$MAPPED" -a -z "$(not_in "$IRQS" "$MAPPED")" ]
	# On the host those sources are PHB MSIs routed to the guest: the host's
	# XIVE debugfs shows them with lirq = the guest's EISN (the guest's Linux
	# IRQ) instead of a host Linux IRQ.
	# (a source the guest never configured keeps EISN 0 and stays masked)
	eisns
	echo "$hostlines" | sed 's/^/#   host xive: /'
	hw_eisn=$(routed_only "$hw_eisn") st_eisn=$(routed_only "$st_eisn")
	why="host source:EISN from the device's debugfs '$st_eisn', host XIVE config '$hw_eisn'"
	check "A: their hardware numbers are host PHB MSIs, routed with the guest's EISN (source:eisn $st_eisn)" \
		[ -n "$hw_eisn" -a "$hw_eisn" = "$st_eisn" ]
	why="$nipi IPI + $nphb PHB != $nsrc"
	check "A: every other source is on its IPI ($nipi)" [ $((nipi + nphb)) = "$nsrc" -a "$nipi" -gt 0 ]
	sets=$(tcount set) clrs=$(tcount clr)
	if ! skip_upstream "A: one zap of exactly 2 pages per map/unmap call" \
		"its debugfs has no zap counters (set_mapped $sets, clr_mapped $clrs calls)"; then
		z=$(counter a zaps) zp=$(counter a zapped_pages)
		why="zaps '$z' zapped_pages '$zp', set_mapped $sets + clr_mapped $clrs calls"
		check "A: one zap of exactly 2 pages per map/unmap call (zaps $z = $sets set + $clrs clr, pages $zp)" \
			[ -n "$z" -a "$z" = $((sets + clrs)) -a "$zp" = $((2 * ${z:-0})) ]
		grep '^stats:' "$f" | sed 's/^/#   A /'
	fi
	PHB_PFNS=$(phb_pfns)
	r=$(stale_pages)
	echo "$r" | grep '^#'
	r=$(echo "$r" | tail -1)
	note "A: ESB mapping $(esbvma a); PHB ESB page frames $PHB_PFNS; pages inserted for the vectors: $r"
	why="$r, PHB pfns '$PHB_PFNS'"
	check "A: the PHB's ESB pages are inserted for the vectors, no stale page ($r)" \
		[ -n "$PHB_PFNS" -a "$(field "$r" phb)" -gt 0 -a "$(field "$r" stale)" = 0 ]
}
