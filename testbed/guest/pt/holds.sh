# The passthrough scenario's view of the fault/remap window, from the trace
# between two markers (testbed/guest/pt/host.sh sets the probes): each
# fault of A's threads is xn_fault's entry, then (ours, with
# xive-fault-hold-us set) the msleep that holds it between choosing its
# page and inserting it, its inserts, and the device's esb_fault event;
# each remap a set/clr_mapped call, then the device's remap begin and done.
# window_stats BEGIN-MARK END-MARK: one line
#   remaps=N waited=W maxwait=S held=H inside=I qemu=Q faults=F
#   remaps   set/clr_mapped calls that began a remap (ours) or were made
#   waited   remaps whose begin came after a held fault ended that was
#            still held when the call was made: the remap waited for it
#   maxwait  the longest call-to-begin time, seconds
#   held     faults held (hold between entry and insert)
#   inside   remap begin/done events while another thread held a fault
#            (its page chosen, not yet inserted): the device forbids it
#   qemu     A's ESB faults taken by QEMU's main thread (info pic)
#   faults   A's ESB faults (ours: the esb_fault event; upstream: entries)
window_stats() {
	local tids
	tids=$(ls /proc/"$(pid a)"/task 2>/dev/null | tr '\n' '|')
	ours && ev=1 || ev=0
	awk -v t="|$tids" -v main="$(pid a)" -v b="$1" -v e="$2" -v ev=$ev '
	function tid(   m) { m = $0; sub(/ +\[[0-9]+\] .*/, "", m); sub(/.*-/, "", m); return m }
	function ts(   m) { m = $0; sub(/: [a-z_]+: .*/, "", m); sub(/.* /, "", m); return m + 0 }
	index($0, "tracing_mark_write: " b) { on = 1; next }
	index($0, "tracing_mark_write: " e) { on = 0; next }
	!on { next }
	{ me = tid() }
	/ (set|clr): / { call[me] = ts(); delete wt[me]; next }
	/ xive_native_remap: / {
		for (o in held) if (held[o] && o != me) inside++
		if (!/ begins: / || !(me in call)) next
		remaps++; w = ts() - call[me]; if (w > maxw) maxw = w
		if (me in wt) waited++
		delete call[me]; delete wt[me]; next }
	!index(t, "|" me "|") { next }
	/ fault: / { open[me] = 1; held[me] = 0; if (!ev) { faults++; if (me == main) qemu++ }; next }
	/ hold: / { if (open[me] == 1) { open[me] = 2; held[me] = 1; hstart[me] = ts(); nheld++ }; next }
	/ ins: / { if (open[me] == 1) open[me] = 0; next }
	/ xive_native_esb_fault: / { faults++; if (me == main) qemu++
		if (held[me]) for (c in call) if (hstart[me] <= call[c]) wt[c] = 1
		open[me] = 0; held[me] = 0; next }
	END { printf "remaps=%d waited=%d maxwait=%.3f held=%d inside=%d qemu=%d faults=%d\n",
		remaps, waited, maxw, nheld, inside, qemu, faults }' $TR/trace
}
