# stress: the unbind/bind cycles again while A's guest loads its vectors'
# ESB pages continuously (esb-poke): the fault/zap race.
phase_stress() {
	local c_t0 watch i
	alive a || { notok "A: QEMU alive after the cycles" FAIL "exited"; dump a; return; }
	command a poke-on
	sleep 2
	k0=$(pokes)
	cyc_err=
	c_t0=$(now)
	# progress every 10 s, to tell a fault storm or a stall from slowness
	( while :; do
		sleep 10
		note "watch $(now)s: $(counter a esb_faults) esb_faults, $(counter a zaps) zaps; traced faults $(tcount fault), set $(tcount set); pokes $(pokes) odd=$(pokes 2); load $(cut -d' ' -f1-3 /proc/loadavg)"
	  done ) &
	watch=$!
	for i in $(seq $CYCLES); do cycle s$i; done
	kill $watch
	k1=$(pokes)
	grep '^@@P-POKE ' $T/a.con | tail -1 | sed 's/^/# guest A: /'
	alive a || { notok "A: QEMU alive through the stress" FAIL "exited"; dump a; }
	command a poke-off
	why="$cyc_err"
	check "stress: $CYCLES cycles with ESB loads racing the zaps: no stale PHB page, IRQs right ($(since $c_t0)s)" [ -z "$cyc_err" ]
	stale_check "stress"
	poke_check "stress: the guest loaded the PQ bits throughout"
	ours && grep '^stats:' "$(xfile a)" | sed 's/^/#   A /'
}
