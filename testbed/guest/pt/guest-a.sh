# The passthrough scenario's guest A: its console commands, the sources of
# its device, its ESB loads (esb-poke), the unbind/bind cycle, and B's
# refaults while A's sources switch.
# command NAME CMD: send a console command, wait for its @@P-ACK; sets ack
command() {
	local k
	k=$(count $T/$1.con "^@@P-ACK $2 .*end\$")
	gcmd $1 "$2"
	# whole lines only ("end"): the console may be mid-line
	expect "$1: guest acknowledges '$2'" $1 $T/$1.con "^@@P-ACK $2 .*end\$" $((k + 1)) 60 || return 1
	ack=$(grep "^@@P-ACK $2 .*end\$" $T/$1.con | tail -1)
}
# PHB-backed sources as sorted "irq:hw"; their irqs
phbs() { srcmap $1 | awk '$3 == "PHB" { print $1 ":" $2 }' | sort -n | tr '\n' ' '; }
phb_irqs() { echo "$1" | tr ' ' '\n' | cut -d: -f1 | grep . | tr '\n' ' '; }
# not_on_ipis IRQ...: what keeps A's sources from being all back on their
# IPIs (nothing when they are)
not_on_ipis() {
	local left q k
	left=$(phbs a)
	[ -z "$left" ] || printf 'still-PHB(%s)' "$left"
	for q in "$@"; do
		k=$(srcmap a | awk -v q=$q '$1 == q { print $3 }')
		[ "$k" = IPI ] || printf 'irq%s-%s,' $q "$k"
	done
}
# eisns: A's PHB-backed sources as "hw:eisn " (decimal), in hw_eisn as the
# host's XIVE reads the hardware's configuration back (its debugfs lirq:
# OPAL's EAS, independent of the device), in st_eisn as the device holds
# the guest's EISN; hostlines the host's XIVE lines
eisns() {
	local h
	hostlines=$(for h in $(phbs a | tr ' ' '\n' | cut -d: -f2 | grep .); do grep "^IRQ 0x$h " $XI; done)
	hw_eisn=$(echo "$hostlines" | sed -n 's/^IRQ 0x\([0-9a-f]*\) : .* lirq=0x\([0-9a-f]*\) .*/\1 \2/p' |
		while read -r h l; do printf '%d:%d ' $((0x$h)) $((0x$l)); done)
	st_eisn=$(srcmap a | awk '$3 == "PHB" { print $2, $4 }' | while read -r h e; do printf '%d:%d ' $((0x$h)) $((0x$e)); done)
}
# not_in A B: the words of A that B lacks
not_in() {
	local x
	for x in $1; do case " $2 " in *" $x "*) ;; *) printf '%s ' "$x" ;; esac; done
}
# routed_only LIST: the "hw:eisn" of LIST whose hw the device shows routed
# (an EISN set: a masked source's hardware EISN is never delivered)
routed_only() {
	local x
	for x in $1; do
		case " $st_eisn " in *" ${x%%:*}:0 "*) ;; *) printf '%s ' "$x" ;; esac
	done
}
# eisn_check LABEL: the hardware of every PHB-backed source carries the
# guest's EISN (a Linux guest's: its own irq number, not the source number)
eisn_check() {
	eisns
	hw_eisn=$(routed_only "$hw_eisn") st_eisn=$(routed_only "$st_eisn")
	why="host XIVE config '$hw_eisn', device state '$st_eisn'; $(oneline "$hostlines")"
	xcheck "$1: every PHB-backed source A routed has the guest's EISN in the hardware (hw:eisn $st_eisn)" \
		"set/clr_mapped configure the new source with the source number as its EISN" \
		[ -n "$hw_eisn" -a "$hw_eisn" = "$st_eisn" ]
}
# dlt A B: B - A, "?" when a counter is missing
dlt() { if [ -n "$1" ] && [ -n "$2" ]; then echo $(($2 - $1)); else echo '?'; fi; }
# zapcheck Z0 P0 Z1 P1 CALLS: ours makes one zap of exactly 2 pages per
# map/unmap call; prints what is wrong (a missing counter is)
zapcheck() {
	ours || return 0
	case "$1.$2.$3.$4" in .*|*.|*..*) echo "no-zap-counters"; return ;; esac
	[ $(($3 - $1)) = "$5" ] && [ $(($4 - $2)) = $((2 * $5)) ] ||
		echo "zaps($(($3 - $1)) zaps $(($4 - $2)) pages for $5 calls)"
}

# esb-poke in guest A: rounds so far (whole "@@P-POKES <rounds> odd=<n>"
# lines only: the console may be mid-line)
pokes() { grep -E '^@@P-POKES [0-9]+ odd=[0-9]+$' $T/a.con | tail -1 | sed -n "s/.* \([0-9]*\) odd=\([0-9]*\)$/\\${1:-1}/p"; }
poke_check() {	# label: rounds went k0 -> k1, every load read a PQ value
	local perr odd
	perr=$(grep -c '^@@P-ERROR' $T/a.con)
	odd=$(pokes 2)
	why="pokes ${k0:-0} -> ${k1:-0}, odd values ${odd:-?}, errors: $(grep '^@@P-ERROR' $T/a.con | tail -2 | tr '\n' ' ')"
	check "$1 (${k0:-0} -> ${k1:-0} rounds, ${odd:-?} non-PQ values, $perr errors)" \
		[ "${k1:-0}" -gt "${k0:-0}" -a "$perr" = 0 -a "${odd:-x}" = 0 ]
}

# B's ESB faults since bz0/bt0 (ours: its debugfs counter and B's threads in
# the fault trace; upstream: the trace), while A's IRQs switched: none
b_mark() { bz0=$(counter b esb_faults) bt0=$(tfaults b); }
b_same() { [ "$bt0" = "$bt1" ] && { ! ours || [ -n "$bz0" -a "$bz0" = "$bz1" ]; }; }
b_refaults() {	# while-what
	local d
	bz1=$(counter b esb_faults) bt1=$(tfaults b)
	d="traced $bt0 -> $bt1"
	ours && d="esb_faults '$bz0' -> '$bz1', $d"
	why="B $d (fault handler calls from B's threads)"
	xcheck "B: zero refaults of its ESB pages $1 ($d)" \
		"upstream zaps the shared anon-inode mapping of every VM" b_same
}

# cycle INDEX: one unmap/map cycle of A's NVMe vectors; sets cyc_err on a failure
cycle() {
	local e z0 p0 s0 c0 z1 p1 s1 c1 z2 p2 s2 c2
	alive a || { cyc_err="$cyc_err $1:QEMU-A-exited"; return 1; }
	z0=$(counter a zaps) p0=$(counter a zapped_pages) s0=$(tcount set) c0=$(tcount clr)
	command a unbind || { cyc_err="$cyc_err $1:unbind-stall"; return 1; }
	sleep 0.5
	e=$(not_on_ipis $MAPPED)
	[ -z "$e" ] || cyc_err="$cyc_err $1:$e"
	z1=$(counter a zaps) p1=$(counter a zapped_pages) s1=$(tcount set) c1=$(tcount clr)
	command a bind || { cyc_err="$cyc_err $1:bind-stall"; return 1; }
	echo "$ack" | grep -q 'rc=0' || cyc_err="$cyc_err $1:bind($ack)"
	sleep 0.5
	now_phb=$(phbs a)
	[ "$(phb_irqs "$now_phb")" = "$MAPPED" ] || cyc_err="$cyc_err $1:irqs($(phb_irqs "$now_phb"))"
	z2=$(counter a zaps) p2=$(counter a zapped_pages) s2=$(tcount set) c2=$(tcount clr)
	e=$(zapcheck "$z0" "$p0" "$z2" "$p2" $((s2 - s0 + c2 - c0)))
	[ -z "$e" ] || cyc_err="$cyc_err $1:$e"
	sets=$((sets + s2 - s0)) clrs=$((clrs + c2 - c0))
	note "cycle $1: unmapped: $((c1 - c0)) clr, $((s1 - s0)) set, zaps +$(dlt "$z0" "$z1")/pages +$(dlt "$p0" "$p1");" \
	     "mapped: $((s2 - s1)) set, $((c2 - c1)) clr, zaps +$(dlt "$z1" "$z2")/pages +$(dlt "$p1" "$p2"); PHB $now_phb"
}
