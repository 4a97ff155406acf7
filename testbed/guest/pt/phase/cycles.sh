# cycles: CYCLES unbind/bind cycles of A's nvme driver under guest load:
# the IRQs go back to their IPIs, the PHB pages leave QEMU's mapping, the
# same IRQ numbers are remapped to the PHB; then B's refaults (none).
phase_cycles() {
	local bsrc shared q c_t0 i
	b_mark
	bsrc=$(srcmap b | awk '{ printf "%s ", $1 }')
	shared=
	for q in $IRQS; do case " $bsrc " in *" $q "*) shared="$shared $q" ;; esac; done
	note "B has sources with the same numbers as A's vectors:${shared:- none}"
	cyc_err= sets=0 clrs=0
	c_t0=$(now)
	for i in $(seq $CYCLES); do cycle $i; done
	why="$cyc_err"
	check "A: $CYCLES unmap/map cycles: IRQs back on their IPIs, PHB pages gone from QEMU, same IRQ numbers remapped to the PHB ($clrs clr, $sets set calls, $(since $c_t0)s)" \
		[ -z "$cyc_err" ]
	stale_check "cycles"
	ticks a 2 "A: guest ticks after the cycles" || return
	why="$(lasttick a)"
	check "A: guest reads the NVMe after the cycles" [ -n "$(field "$t2" irqs)" ]
	b_refaults "while A's IRQs were mapped/unmapped"
}
