# migrate: guest a's state saved to a file (migrate "exec:"), restored in a
# second QEMU (b, -incoming), which goes on where a stopped.
# mig_wait NAME COMMAND PATTERN: poll the monitor until PATTERN shows (or
# QEMU exits, or 120 s x TSCALE); sets st to the last status line.
mig_wait() {
	local i=0
	while :; do
		mon $1 "$2"
		sleep 0.5
		monlog $1 | grep -qE "$3" && break
		alive $1 || break
		i=$((i + 1)); [ $i -ge $(secs 120) ] && break
	done
	st=$(monlog $1 | grep -E 'Migration status|VM status' | tail -1)
}
phase_migrate() {
	local last m0 n2
	a_up migrate || return
	ticks a 1 "migrate: guest ticks before saving" || return
	last=$(lasttick a | cut -d' ' -f2)
	rm -f /tmp/mig.bin
	mon a stop
	mon a 'migrate "exec:cat > /tmp/mig.bin"'
	m0=$(now)
	mig_wait a "info migrate" 'Migration status: (completed|failed|cancelled)'
	case $st in
	*completed*) ;;
	*failed*|*cancelled*) notok "migrate: state saved to a file" FAIL "$st"; return ;;
	*) alive a || { notok "migrate: state saved to a file" FAIL "$(exited a)"; return; }
	   notok "migrate: state saved to a file" STALL "'$st' after $(secs 60)s"; return ;;
	esac
	ok "migrate: state saved ($(ls -l /tmp/mig.bin | awk '{printf "%d MB", $5 / 1048576}'), $(since $m0)s)"
	stop a
	cp $T/a.nvram $T/b.nvram
	vguest b -ic xive -smp 2 -incoming "exec:cat /tmp/mig.bin"
	expect "migrate: restored QEMU loads the state" b $T/b.mon '^\(qemu\)' 1 60 || return
	mig_wait b "info status" 'VM status: (paused|running)$'
	case $st in
	*'VM status: paused'|*'VM status: running') ok "migrate: incoming state loaded ($st)" ;;
	*inmigrate*) notok "migrate: incoming state loaded" STALL "$st"; dump b; return ;;
	*) notok "migrate: incoming state loaded" FAIL "${st:-no status}"; dump b; return ;;
	esac
	mon b cont
	ticks b 1 "migrate: restored guest runs" || return
	n2=$(lasttick b | cut -d' ' -f2)
	why="last tick before $last, first after $n2, boots $(grep -c '^@@G-BOOT' $T/b.con)"
	check "migrate: restored guest continues (tick $last -> $n2, no reboot)" \
		[ "$n2" -gt "$last" -a "$(grep -c '^@@G-BOOT' $T/b.con)" = 0 ]
	device_ok b migrate
	flowing b migrate; summary b
}
