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
# save_restore FROM TO LABEL START...: FROM's state saved to a file and
# FROM stopped, then restored into TO, started by START... -incoming, and
# continued; each step a check named LABEL; non-zero when one failed.
save_restore() {
	local f=$1 to=$2 l=$3 m0
	shift 3
	rm -f /tmp/mig.bin
	mon $f stop
	mon $f 'migrate "exec:cat > /tmp/mig.bin"'
	m0=$(now)
	mig_wait $f "info migrate" 'Migration status: (completed|failed|cancelled)'
	case $st in
	*completed*) ;;
	*failed*|*cancelled*) notok "$l: state saved to a file" FAIL "$st"; return 1 ;;
	*) alive $f || { notok "$l: state saved to a file" FAIL "$(exited $f)"; return 1; }
	   notok "$l: state saved to a file" STALL "'$st' after $(secs 60)s"; return 1 ;;
	esac
	ok "$l: state saved ($(ls -l /tmp/mig.bin | awk '{printf "%d MB", $5 / 1048576}'), $(since $m0)s)"
	stop $f
	cp $T/$f.nvram $T/$to.nvram
	"$@" -incoming "exec:cat /tmp/mig.bin"
	expect "$l: restored QEMU loads the state" $to $T/$to.mon '^\(qemu\)' 1 60 || return 1
	mig_wait $to "info status" 'VM status: (paused|running)$'
	case $st in
	*'VM status: paused'|*'VM status: running') ok "$l: incoming state loaded ($st)" ;;
	*inmigrate*) notok "$l: incoming state loaded" STALL "$st"; dump $to; return 1 ;;
	*) notok "$l: incoming state loaded" FAIL "${st:-no status}"; dump $to; return 1 ;;
	esac
	mon $to cont
}
phase_migrate() {
	local last n2
	a_up migrate || return
	ticks a 1 "migrate: guest ticks before saving" || return
	last=$(lasttick a | cut -d' ' -f2)
	save_restore a b migrate vguest b -ic xive -smp 2 || return
	ticks b 1 "migrate: restored guest runs" || return
	n2=$(lasttick b | cut -d' ' -f2)
	why="last tick before $last, first after $n2, boots $(grep -c '^@@G-BOOT' $T/b.con)"
	check "migrate: restored guest continues (tick $last -> $n2, no reboot)" \
		[ "$n2" -gt "$last" -a "$(grep -c '^@@G-BOOT' $T/b.con)" = 0 ]
	device_ok b migrate
	flowing b migrate; summary b
}
