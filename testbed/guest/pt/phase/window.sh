# window: remaps forced into the fault window made wide.  On ours A's
# xive-fault-hold-us holds every ESB fault HOLD us between choosing its page
# and inserting it; then WCYCLES unbind/bind cycles and one device_del/
# device_add run while A's vCPUs load the vectors' PQ (esb-poke) and QEMU's
# main thread reads every source's PQ through its ESB mapping (a loop of
# 'info pic' on A's monitor).  From the trace: no stale page (the remap
# begin/done events as the switch), remaps that had to wait for a held
# fault, no remap event while a fault held its chosen page, and QEMU's own
# faults.  Upstream has no hold knob: the same forcing without it, its
# stale pages reported (an expected difference when there are some).
# Whether a remap meets a held fault is up to timing: 2 to 17 of ~180 did
# (a held fault seems to stop A's other vCPU as well, so only a remap
# already under way meets one); so is whether 'info pic' finds a page
# unmapped (0 to 7 of its faults).  On ours, while either has not
# happened, up to WEXTRA more cycles run: neither check fails by chance.
. ./pt/phase/hotplug.sh	# hpcycle
: "${HOLD:=100000}" "${WCYCLES:=4}" "${WEXTRA:=8}"

# pic_loop: 'info pic' on A's monitor every 2 s until $T/pic-stop exists
# (QEMU holds its big lock across the command: a faster loop starves the
# vCPUs' exits, the remaps' callers among them, of it)
pic_loop() {
	rm -f $T/pic-stop
	( n=0
	  while [ ! -e $T/pic-stop ] && alive a; do
		mon a 'info pic' && n=$((n + 1))
		sleep 2
	  done
	  echo $n > $T/pic-n ) &
	pic_pid=$!
}
holdfile() { echo "$(vmdir a)/xive-fault-hold-us"; }
sethold() {	# us: ours only (upstream has no such file)
	ours || return 0
	echo "$1" > "$(holdfile)" && [ "$(cat "$(holdfile)")" = "$1" ]
}

# exercised: a remap has waited for a held fault and QEMU's main thread has
# faulted a page in (the trace after the begin marker: no end marker yet)
exercised() {
	local r
	r=$(window_stats "ptwindow begin" "ptwindow end")
	[ "$(field "$r" waited)" -gt 0 -a "$(field "$r" qemu)" -gt 0 ]
}

phase_window() {
	local c_t0 i n s r e hw
	alive a || { notok "A: QEMU alive before the window" FAIL "exited"; dump a; return; }
	if ours; then
		why="$(holdfile): $(cat "$(holdfile)" 2>&1)"
		check "A: xive-fault-hold-us set to $HOLD" sethold "$HOLD" || return
	else
		note "upstream: no xive-fault-hold-us; the same forcing, faults not held"
	fi
	echo "ptwindow begin" > $TR/trace_marker
	b_mark
	pic_loop
	# k0 from this esb-poke's first line, not the last of an earlier one
	n=$(count $T/a.con '^@@P-POKES ')
	command a poke-on
	waitfor a $T/a.con '^@@P-POKES ' $((n + 1)) 20
	k0=$(pokes)
	cyc_err= sets=0 clrs=0 un_err= re_err=
	OLD_IRQS=$IRQS OLD_MAPPED=$MAPPED PHB_ALL=$PHB_PFNS
	c_t0=$(now)
	i=0
	for i in $(seq $WCYCLES); do cycle w$i; done
	hp_id=${hp_id:-pt0} n=${hp_id#pt}
	hpcycle $((${n:-0} + 1))
	while ours && [ $i -lt $((WCYCLES + WEXTRA)) ] && ! exercised; do
		i=$((i + 1))
		cycle w$i
	done
	s=$(since $c_t0)
	k1=$(pokes)
	command a poke-off
	touch $T/pic-stop
	wait $pic_pid
	echo "ptwindow end" > $TR/trace_marker
	ours && { sethold 0 || notok "A: xive-fault-hold-us back to 0" FAIL "$(cat "$(holdfile)" 2>&1)"; }
	PHB_PFNS=$(echo $PHB_ALL | tr ' ' '\n' | sort -un | tr '\n' ' ')
	why="$cyc_err $un_err $re_err"
	check "window: $i unbind/bind cycles and a device_del/device_add with faults held ${HOLD}us: IRQs right each time ($clrs clr, $sets set calls, ${s}s)" \
		[ -z "$cyc_err$un_err$re_err" ]
	stale_check "window"
	r=$(window_stats "ptwindow begin" "ptwindow end")
	note "window: $r; 'info pic' x$(cat $T/pic-n 2>/dev/null)"
	# Without a hold the guest refaults a zapped page within microseconds,
	# long before the next 'info pic' can find it unmapped
	if ! skip_upstream "window: QEMU's main thread ('info pic') faulted in A's ESB pages" \
		"no hold: A's vCPUs refault each page first ($r)"; then
		why="$r"
		check "window: QEMU's main thread ('info pic') faulted in A's ESB pages ($(field "$r" qemu) of $(field "$r" faults) faults)" \
			[ "$(field "$r" qemu)" -gt 0 ]
	fi
	if ! skip_upstream "window: remaps waited for held faults, none began or ended inside one" \
		"no xive-fault-hold-us, no remap events ($r)"; then
		why="$r"
		check "window: remaps had to wait for a held fault ($(field "$r" waited) of $(field "$r" remaps) remaps, longest call-to-begin $(field "$r" maxwait)s, $(field "$r" held) faults held)" \
			[ "$(field "$r" waited)" -gt 0 ]
		why="$r"
		check "window: no remap began or ended while a fault held its chosen page ($(field "$r" inside) of $(field "$r" held) held faults)" \
			[ "$(field "$r" held)" -gt 0 -a "$(field "$r" inside)" = 0 ]
	fi
	poke_check "window: the guest loaded the vectors' PQ bits throughout"
	eisn_check "window"
	b_refaults "while A's IRQs were remapped with faults held"
}
