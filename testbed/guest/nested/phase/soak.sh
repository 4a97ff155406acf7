# soak (make soak): phase count's round (boot, two migrations, a vCPU
# hot-plug, a reset: sent == received after each) again and again until
# SOAK seconds have passed, then the emulated host's memory against its
# level after the first round, each time with every guest stopped: the
# kernel's share of it (neither free, page cache nor anonymous), its
# unreclaimable slab, slab objects and vmalloc areas.
. ./nested/phase/count.sh
# Bounds, per round after the first (3 VMs created and destroyed in each):
# a leaked 64K queue page a round, or 64 objects, is over them.
: "${SOAK:=600}" "${SOAK_KB:=64}" "${SOAK_OBJS:=64}"
# memsnap FILE: the host's memory once its caches are dropped, the LRU
# batches and per-CPU page lists drained (compact_memory) and every slab
# cache shrunk, as "kernel_kb sunreclaim_kb free_kb vmalloc_areas
# stack_kb pagetables_kb percpu_kb"; free counts the per-CPU lists, the
# kernel's share is what is neither free, page cache nor anonymous.  FILE
# gets /proc/slabinfo's "cache active_objs objsize".
memsnap() {
	local c
	rm -f /tmp/mig.bin
	sync
	echo 3 > /proc/sys/vm/drop_caches
	sleep 2	# RCU-freed objects
	echo 1 > /proc/sys/vm/compact_memory
	for c in /sys/kernel/slab/*/shrink; do echo 1 > "$c"; done 2>/dev/null
	echo 1 > /proc/sys/vm/stat_refresh
	awk 'NR > 2 { print $1, $2, $4 }' /proc/slabinfo > "$1"
	awk -v va="$(grep -vc unpurged /proc/vmallocinfo)" \
	    -v pcp="$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)" \
	    -v pk="$(awk '/^KernelPageSize:/ { print $2; exit }' /proc/self/smaps)" '
		{ m[$1] = $2 }
		END { f = m["MemFree:"] + pcp * pk
		      print m["MemTotal:"] - f - m["Buffers:"] - m["Cached:"] - m["AnonPages:"],
			    m["SUnreclaim:"], f, va, m["KernelStack:"], m["PageTables:"], m["Percpu:"] }' /proc/meminfo
}
# grown A B: "objects bytes cache" of the slab cache that grew most, by
# objects; vmap_area left out (it holds the freed, unpurged vmalloc areas)
grown() {
	awk 'NR == FNR { a[$1] = $2; next }
	     $1 == "vmap_area" { next }
	     { d = $2 - a[$1]; if (c == "" || d > best) { best = d; c = $1; b = d * $3 } }
	     END { printf "%d %d %s\n", best, b, c }' "$1" "$2"
}
phase_soak() {
	local r=1 t0 end m0 m1 n k0 k1 u0 u1 f0 f1 v0 v1 lim
	t0=$(now)
	end=$(echo "$t0 $SOAK" | awk '{ print $1 + $2 }')
	count_round "soak round 1"
	stop_all
	m0=$(memsnap /tmp/soak.slab0)
	note "soak: after round 1 (the warm-up, $(since $t0)s): kernel_kb sunreclaim_kb free_kb vmalloc_areas stack_kb pagetables_kb percpu_kb: $m0, $(wc -l < /tmp/soak.slab0) slab caches"
	# one round at least, then until the time is up or a round failed
	while :; do
		r=$((r + 1))
		count_round "soak round $r"
		stop_all
		[ $((tap_fail + tap_stall)) = 0 ] || break
		awk -v n="$(now)" -v e="$end" 'BEGIN { exit !(n >= e) }' && break
	done
	m1=$(memsnap /tmp/soak.slab1)
	n=$((r - 1))
	note "soak: after round $r ($(since $t0)s): kernel_kb sunreclaim_kb free_kb vmalloc_areas stack_kb pagetables_kb percpu_kb: $m1"
	ok "soak: $r rounds in $(since $t0)s; ipi $sum_ipi_sent sent, $sum_ipi_recv received; esb $sum_esb_sent sent, $sum_esb_recv received"
	set -- $m0; k0=$1 u0=$2 f0=$3 v0=$4
	set -- $m1; k1=$1 u1=$2 f1=$3 v1=$4
	lim=$((n * SOAK_KB))
	why="kernel memory $k0 -> $k1 kB, free $f0 -> $f1 kB"
	check "soak: host kernel memory grew $((k1 - k0)) kB over $n rounds (bound $lim kB)" \
		[ $((k1 - k0)) -le $lim ]
	why="SUnreclaim $u0 -> $u1 kB"
	check "soak: unreclaimable slab grew $((u1 - u0)) kB over $n rounds (bound $lim kB)" \
		[ $((u1 - u0)) -le $lim ]
	set -- $(grown /tmp/soak.slab0 /tmp/soak.slab1)
	lim=$((n * SOAK_OBJS))
	why="$3: +$1 objects, $2 bytes"
	check "soak: most grown slab cache $3: $1 objects over $n rounds (bound $lim)" \
		[ "$1" -le $lim ]
	why="vmalloc areas $v0 -> $v1"
	check "soak: vmalloc areas $v0 -> $v1 (none more)" [ "$v1" -le "$v0" ]
}
