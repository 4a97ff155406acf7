# The stale-page check of the passthrough scenario, from the kprobe trace
# (pagemap skips PFN maps; testbed/guest/pt/host.sh sets the probes).
# Every page inserted into A's ESB mapping (vmf_insert_pfn), every zap
# (unmap_mapping_range of the device file, zap_vma_ptes of a withdrawn
# fault) and every switch (set/clr_mapped), in order.  A page of a
# passed-through IRQ is stale when a PHB page is inserted while the IRQ is
# on its IPI, or an IPI page while it is on the PHB, and no zap removes it
# before the next switch or the end.  On ours the device's tracepoints
# bracket each switch (xive_native_remap begins/done, under its map_sem
# held for write): a source is switching from begin to done and on its new
# hardware source after; any page of it inserted while switching, or of
# the other kind than its source's outside, is stale at once (no later zap
# excuses it), and so is an ESB fault (xive_native_esb_fault, after its
# inserts) whose hardware source is not the one the last switch ended on.
esbvma() {	# "start end" (decimal) of guest NAME's ESB mapping (file page 4 at start)
	awk '$3 == "00040000" && $6 ~ /xive/ { split($1, a, "-"); print a[1], a[2]; exit }' \
		/proc/"$(pid $1)"/maps | while read -r x y; do echo $((0x$x)) $((0x$y)); done
}
# PFNs of the ESB pages of the PHB sources behind A's vectors (the host's
# XIVE debugfs shows each source's trigger and EOI page): on a 4K host the
# 16 host pages of each 64K ESB page, as the device inserts them
phb_pfns() {
	local shift=16 n=1 i x
	[ -z "$HOST4K" ] || shift=12 n=16
	for h in $(phbs a | tr ' ' '\n' | cut -d: -f2 | grep .); do
		sed -n "s/^IRQ 0x$h : .* 0x\([0-9a-f]*\) 0x\([0-9a-f]*\)$/\1 \2/p" \
			/sys/kernel/debug/powerpc/xive/interrupts
	done | tr ' ' '\n' | grep . | while read -r x; do
		i=0
		while [ $i -lt $n ]; do echo $(((0x$x >> shift) + i)); i=$((i + 1)); done
	done | sort -u | tr '\n' ' '
}
# stale_pages: "ins=N phb=M stale=K withdrawn=W" over the whole trace so far
stale_pages() {
	set -- $(esbvma a)
	tids=$(ls /proc/"$(pid a)"/task 2>/dev/null | tr '\n' '|')
	ours && ev=1 || ev=0
	awk -v lo="$1" -v hi="$2" -v t="|$tids" -v irqs=" $IRQS " -v phb=" $PHB_PFNS " -v ev=$ev '
	function tid(   m) { m = $0; sub(/ +\[[0-9]+\] .*/, "", m); sub(/.*-/, "", m); return m }
	function arg(k,   m) { m = $0; sub(".* " k "=", "", m); sub(/[ ,].*/, "", m); return m + 0 }
	function hex(s,   i, n) { n = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return n }
	function harg(k,   m) { m = $0; sub(".* " k " ", "", m); sub(/[ ,].*/, "", m); return hex(m) }
	function flush(q,   p) { for (p = 0; p < 2; p++) if ((q "_" p) in pend) { stale++; print "#   stale: " pend[q "_" p]; delete pend[q "_" p] } }
	function bad(m) { if (ev) { stale++; print "#   stale: " m } else pend[q "_" pg] = m }
	FILENAME != "-" && FILENAME != trace { cp[$1] = " " substr($0, length($1) + 2) " "; next }
	/tracing_mark_write: ptcycle / { nxt = cp[$NF]; next }
	/ set: / { q = arg("girq"); if (nxt != "") { cur = nxt; nxt = "" }; if (ev) { dir[q] = "PHB"; next }; flush(q); st[q] = "PHB"; next }
	/ clr: / { q = arg("girq"); if (ev) { dir[q] = "IPI"; next }; flush(q); st[q] = "IPI"; next }
	/ xive_native_remap: / { q = harg("irq"); if (/ begins: /) { sw[q] = 1; next }
		   sw[q] = 0; if (q in dir) st[q] = dir[q]; hw[q] = harg("hw"); next }
	/ xive_native_esb_fault: / { q = harg("irq"); if (!index(irqs, " " q " ") || !index(t, "|" tid() "|") || /, 0 page/) next
		   h = $0; sub(/.* -> (PHB|IPI) /, "", h); sub(/,.*/, "", h); h = hex(h)
		   if (sw[q]) { stale++; print "#   stale: irq " q " faulted in (hw " h ") while switching" }
		   else if ((q in hw) && h != hw[q]) { stale++; print "#   stale: irq " q " faulted in hw " h ", its source is on hw " hw[q] }
		   next }
	/ umr: / { b = arg("off") / 65536 - 4; if (b < 0) next
		   for (p = b; p < b + arg("len") / 65536; p++) { q = int(p / 2); if ((q "_" p % 2) in pend) { delete pend[q "_" p % 2]; w++ } }
		   next }
	/ zvp: / { if (!index(t, "|" tid() "|")) next
		   for (a = arg("addr"); a < arg("addr") + arg("size"); a += 65536) {
			if (a < lo || a >= hi) continue
			p = (a - lo) / 65536; q = int(p / 2); if ((q "_" p % 2) in pend) { delete pend[q "_" p % 2]; w++ } }
		   next }
	/ ins: / { a = arg("addr"); if (a < lo || a >= hi || !index(t, "|" tid() "|")) next
		   p = (a - lo) / 65536; q = int(p / 2); pg = p % 2
		   if (!index(irqs, " " q " ")) next
		   ins++; isphb = index(phb, " " arg("pfn") " ") > 0; nphb += isphb
		   if (sw[q]) bad("page " arg("pfn") " of irq " q " inserted while switching")
		   else if (isphb && st[q] != "PHB") bad("PHB page " arg("pfn") " of irq " q " inserted while on its IPI")
		   else if (isphb && cur != "" && !index(cur, " " arg("pfn") " ")) bad("PHB page " arg("pfn") " of irq " q ": not the current device'"'"'s")
		   else if (!isphb && st[q] == "PHB") bad("IPI page " arg("pfn") " of irq " q " inserted while on the PHB")
		   else delete pend[q "_" pg]
		   next }
	END { for (k in pend) { stale++; print "#   stale at the end: " pend[k] }
	      printf "ins=%d phb=%d stale=%d withdrawn=%d\n", ins, nphb, stale, w }' trace=$TR/trace \
		$T/cycle_pfns $TR/trace
}

stale_check() {	# label
	local r
	r=$(stale_pages)
	echo "$r" | grep '^#' | head -5
	r=$(echo "$r" | tail -1)
	why=$r
	xcheck "$1: no stale page in A's ESB mapping ($r)" \
		"upstream picks IPI vs PHB outside the lock the switch holds" [ "$(field "$r" stale)" = 0 ]
}
