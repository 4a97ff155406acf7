#!/bin/sh
# Runs inside the emulated POWER9 host (L1), which has an NVMe controller on
# a PHB (testbed/pt-check.sh): PCI passthrough of that NVMe to a nested
# pseries guest on the XIVE device, asserted from what host and guest print:
#   ok - <check>  /  not ok - <check> # FAIL|STALL: <why>
#   ok - <check> # XFAIL: <why>   an expected upstream difference (REF=1)
# Steps: the host's nvme driver reads the disk; bind to vfio-pci; guest B
# (virtio-blk, no passthrough) then guest A (the NVMe passed through);
# delivery, debugfs and zap accounting; CYCLES unbind/bind cycles of A's
# NVMe driver (its MSIs unmapped/mapped); the same with A's guest loading
# the vectors' ESB pages continuously (the fault/zap race); B's refaults;
# HPCYCLES device_del/device_add cycles with the same ESB loads running; A
# destroyed with the device passed through; the host's nvme
# driver takes the device back.
# Env: CYCLES (default 10), HPCYCLES (default 10), TSCALE (timeout multiplier), GMEM.
/bin/busybox --install -s /bin 2>/dev/null
export PATH=/bin:/sbin:/usr/bin
: "${CYCLES:=10}"
: "${HPCYCLES:=10}"
: "${TSCALE:=1}"
: "${GMEM:=512M}"
T=/tmp/pt
mkdir -p $T
: > $T/cycle_pfns	# "cycle pfn..." : the PHB pages of each replugged device
DBG=/sys/kernel/debug/kvm
TR=/sys/kernel/debug/tracing
BAD_LOG=$(cat ./badlog 2>/dev/null)
QEMU=/usr/bin/qemu-system-ppc64
CAPS=cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
FLAVOUR=${XIVE_FLAVOUR:-ours}
pass=0 fail=0 stall=0

ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() {
	echo "not ok - $1 # $2: $3"
	if [ "$2" = STALL ]; then stall=$((stall + 1)); else fail=$((fail + 1)); fi
}
check() {	# check condition-command... (FAIL with $why on false)
	c=$1
	shift
	if "$@"; then ok "$c"; else notok "$c" FAIL "${why:-$*}"; fi
	why=
}
note() { echo "# $*"; }
now() { cut -d' ' -f1 /proc/uptime; }
since() { echo "$(now) $1" | awk '{printf "%.1f", $1 - $2}'; }
secs() { echo $(($1 * TSCALE)); }
step_t0=$(now)
step() { note "--- took $(since $step_t0)s"; note "=== $* ($(now)s)"; step_t0=$(now); }

# ---- host side: the NVMe and its drivers
loadmods() {	# dir
	for m in $(cat $1/order); do
		insmod $1/$m.ko || { echo "insmod $m failed"; return 1; }
	done
}
host_intr() {	# pattern: "lirq:count" of the host's matching interrupt lines
	awk -v p="$1" 'NR == 1 { n = NF; next }
		$0 ~ p { t = 0; for (i = 2; i <= n + 1; i++) t += $i
			 sub(":", "", $1); printf "%s:%d ", $1, t }' /proc/interrupts
}
# XIVE source numbers (decimal) of the host's Linux IRQs in "lirq:count ..."
# (/proc/interrupts shows the MSI domain's hwirq, the XIVE debugfs the
# source behind each Linux IRQ)
xive_hw() {
	for l in $(echo "$1" | tr ' ' '\n' | cut -d: -f1 | grep .); do
		h=$(sed -n "s/^IRQ 0x\([0-9a-f]*\) : .* lirq=0x$(printf %x $l) .*/\1/p" \
			/sys/kernel/debug/powerpc/xive/interrupts)
		[ -n "$h" ] && echo $((0x$h))
	done | sort -n | tr '\n' ' '
}
sumcounts() { echo "$1" | tr ' ' '\n' | awk -F: '{ t += $2 } END { print t + 0 }'; }
hwlist() { echo "$1" | tr ' ' '\n' | cut -d: -f1 | grep . | sort -n | tr '\n' ' '; }
waitblk() {	# dev seconds
	i=0
	while [ ! -b $1 ] && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	[ -b $1 ]
}

# ---- nested guests (as testbed/guest/scenario.sh starts them)
# start NAME INITRD CONSOLE-KIND [QEMU args]: console "file" (read only) or
# "pipe" (the host writes commands to $T/NAME.con.in)
start() {
	n=$1 initrd=$2 kind=$3
	shift 3
	rm -f $T/$n.con $T/$n.con.in $T/$n.con.out $T/$n.mon $T/$n.mon.in $T/$n.mon.out $T/$n.qemu
	mkfifo $T/$n.mon.in $T/$n.mon.out
	cat $T/$n.mon.out > $T/$n.mon &
	eval "${n}_cat=$!"
	touch $T/$n.con
	if [ $kind = pipe ]; then
		mkfifo $T/$n.con.in $T/$n.con.out
		tr -d '\r' < $T/$n.con.out > $T/$n.con &
		eval "${n}_ccat=$!"
		# keep the input fifo open: the guest never sees an EOF
		sleep 100000 > $T/$n.con.in &
		eval "${n}_hold=$!"
		con="-chardev pipe,id=con0,path=$T/$n.con"
	else
		con="-chardev file,id=con0,path=$T/$n.con"
	fi
	cp /l1/nvram.img $T/$n.nvram
	$QEMU -M pseries,ic-mode=xive,kernel-irqchip=on,$CAPS,x-vof=on \
		-accel kvm -cpu host -smp 1 -m "$GMEM" \
		-nodefaults -display none -vga none $con -serial chardev:con0 \
		-chardev pipe,id=mon0,path=$T/$n.mon -mon chardev=mon0,mode=readline \
		-kernel /l1/vmlinux -initrd $initrd -append "console=hvc0 loglevel=5" \
		-drive if=none,id=nv0,file=$T/$n.nvram,format=raw \
		-global spapr-nvram.drive=nv0 "$@" > $T/$n.qemu 2>&1 &
	eval "${n}_pid=$!"
	eval "${n}_t0=$(now)"
	note "$n: qemu pid $(pid $n): $*"
}
pid() { eval echo "\$${1}_pid"; }
alive() { kill -0 "$(pid $1)" 2>/dev/null; }
mon() { alive $1 && timeout 5 sh -c 'echo "$1" > "$2"' _ "$2" $T/$1.mon.in; }
gcmd() { alive $1 && timeout 5 sh -c 'echo "$1" > "$2"' _ "$2" $T/$1.con.in; }
count() { c=$(grep -cE "$2" "$1" 2>/dev/null); echo "${c:-0}"; }
waitfor() {	# name file pattern count timeout: 0 found, 1 timeout, 2 QEMU exited
	end=$(($(date +%s) + $(secs $5)))
	while [ "$(count "$2" "$3")" -lt "$4" ]; do
		alive "$1" || { sleep 0.2; [ "$(count "$2" "$3")" -ge "$4" ] && return 0; return 2; }
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}
expect() {	# check name file pattern count timeout
	waitfor "$2" "$3" "$4" "$5" "$6"
	case $? in
	0) return 0 ;;
	1) notok "$1" STALL "no '$4' (x$5) in ${6}s (x$TSCALE)"; dump "$2"; return 1 ;;
	*) notok "$1" FAIL "QEMU exited: $(tail -3 $T/$2.qemu | tr '\n' ' ')"; dump "$2"; return 1 ;;
	esac
}
dump() {
	tail -15 $T/$1.con 2>/dev/null | sed "s/^/#   guest($1) | /"
	head -8 $T/$1.qemu 2>/dev/null | sed "s/^/#   qemu($1) | /"
}
stop() {	# name [kill]: quit through the monitor (or SIGKILL), reap
	n=$1
	if [ "${2:-}" = kill ]; then
		kill -9 "$(pid $n)" 2>/dev/null
	else
		alive $n && mon $n quit
	fi
	i=0
	while alive $n && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	if alive $n; then
		notok "$n: QEMU quits" STALL "still running after 10 s"
		kill -9 "$(pid $n)"
	fi
	wait "$(pid $n)" 2>/dev/null
	eval "kill \$${n}_cat \$${n}_ccat \$${n}_hold" 2>/dev/null
}
# command NAME CMD: send a console command, wait for its @@P-ACK; sets ack
command() {
	k=$(count $T/$1.con "^@@P-ACK $2 .*end\$")
	gcmd $1 "$2"
	# whole lines only ("end"): the console may be mid-line
	expect "$1: guest acknowledges '$2'" $1 $T/$1.con "^@@P-ACK $2 .*end\$" $((k + 1)) 60 || return 1
	ack=$(grep "^@@P-ACK $2 .*end\$" $T/$1.con | tail -1)
}
lasttick() { grep "^@@$2-TICK .* end\$" $T/$1.con | tail -1; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ticks() {	# name kind K label: wait for K more ticks; t1/t2 = first/last
	t1=$(lasttick $1 $2)
	k=$(count $T/$1.con "^@@$2-TICK .* end\$")
	expect "$4" $1 $T/$1.con "^@@$2-TICK .* end\$" $((k + $3)) 30 || return 1
	t2=$(lasttick $1 $2)
}

# ---- the host's XIVE device of a guest
xfile() { d=$(ls -d $DBG/"$(pid $1)"-* 2>/dev/null | head -1); [ -n "$d" ] && [ -e "$d/xive" ] && echo "$d/xive"; }
ours() { grep -q '^kvm-xive-native:' "$1"; }
# "irq hw IPI|PHB eisn" per source (irq decimal, hw and eisn hex), both
# debugfs formats (ours: "  irq hw IPI|PHB ... eisn", upstream:
# "irq hw/chip MSI IPI|PT PQ eisn cpu/prio")
srcmap() {
	f=$(xfile $1) || return 1
	if ours "$f"; then
		awk '$1 ~ /^[0-9a-f]+$/ && length($1) == 8 && ($3 == "IPI" || $3 == "PHB") { print $1, $2, $3, $NF }' "$f"
	else
		awk '$1 ~ /^[0-9a-f]+$/ && length($1) == 8 && $2 ~ /\// { split($2, h, "/")
			print $1, h[1], ($0 ~ / PT /) ? "PHB" : "IPI", $(NF-1) }' "$f"
	fi | while read -r i h k e; do echo "$((0x$i)) $h $k $e"; done
}
# PHB-backed sources as sorted "irq:hw"
phbs() { srcmap $1 | awk '$3 == "PHB" { print $1 ":" $2 }' | sort -n | tr '\n' ' '; }
phb_irqs() { echo "$1" | tr ' ' '\n' | cut -d: -f1 | grep . | tr '\n' ' '; }
stat() { f=$(xfile $1) && sed -n "s/^stats:.* $2 \([0-9]*\).*/\1/p" "$f"; }

# ---- kprobes: passthrough map/unmap calls and ESB faults, for both flavours
trace_setup() {
	fsym=xive_native_esb_fault	# upstream's ESB fault handler
	grep -q ' xn_fault' /proc/kallsyms && fsym=xn_fault	# ours (ESB + TIMA)
	echo > $TR/trace
	{ echo "p:ptest/set kvmppc_xive_set_mapped girq=%r4:u64"
	  echo "p:ptest/clr kvmppc_xive_clr_mapped girq=%r4:u64"
	  echo "p:ptest/fault $fsym"
	  echo "p:ptest/ins vmf_insert_pfn addr=%r4:u64 pfn=%r5:u64"
	  echo "p:ptest/umr unmap_mapping_range off=%r4:u64 len=%r5:u64"
	  echo "p:ptest/zvp zap_vma_ptes addr=%r4:u64 size=%r5:u64"; } >> $TR/kprobe_events &&
	echo 16384 > $TR/buffer_size_kb && echo 1 > $TR/events/ptest/enable
}
tcount() { grep -c " $1: " $TR/trace; }
# faults taken by the threads of guest NAME's QEMU
tfaults() {
	tids=$(ls /proc/"$(pid $1)"/task 2>/dev/null | tr '\n' '|')
	# "<comm>-<tid> [cpu] ...": comms have spaces ("CPU 0/KVM")
	sed -n 's/^.*-\([0-9][0-9]*\) *\[[0-9]*\] .* fault: .*/\1/p' $TR/trace |
		awk -v t="|${tids}" 'index(t, "|" $1 "|") { c++ } END { print c + 0 }'
}

# ---- the stale-page check, from the kprobe trace (pagemap skips PFN maps):
# every page inserted into A's ESB mapping (vmf_insert_pfn), every zap
# (unmap_mapping_range of the device file, zap_vma_ptes of a withdrawn
# fault) and every switch (set/clr_mapped), in order.  A page of a
# passed-through IRQ is stale when a PHB page is inserted while the IRQ is
# on its IPI, or an IPI page while it is on the PHB, and no zap removes it
# before the next switch or the end.
esbvma() {	# "start end" (decimal) of guest NAME's ESB mapping (file page 4 at start)
	awk '$3 == "00040000" && $6 ~ /xive/ { split($1, a, "-"); print a[1], a[2]; exit }' \
		/proc/"$(pid $1)"/maps | while read -r x y; do echo $((0x$x)) $((0x$y)); done
}
# PFNs of the ESB pages of the PHB sources behind A's vectors (the host's
# XIVE debugfs shows each source's trigger and EOI page)
phb_pfns() {
	for h in $(phbs a | tr ' ' '\n' | cut -d: -f2 | grep .); do
		sed -n "s/^IRQ 0x$h : .* 0x\([0-9a-f]*\) 0x\([0-9a-f]*\)$/\1 \2/p" \
			/sys/kernel/debug/powerpc/xive/interrupts
	done | tr ' ' '\n' | grep . | while read -r x; do echo $((0x$x >> 16)); done | sort -u | tr '\n' ' '
}
# stale_pages: "ins=N phb=M stale=K withdrawn=W" over the whole trace so far
stale_pages() {
	set -- $(esbvma a)
	tids=$(ls /proc/"$(pid a)"/task 2>/dev/null | tr '\n' '|')
	awk -v lo="$1" -v hi="$2" -v t="|$tids" -v irqs=" $IRQS " -v phb=" $PHB_PFNS " '
	function tid(   m) { m = $0; sub(/ +\[[0-9]+\] .*/, "", m); sub(/.*-/, "", m); return m }
	function arg(k,   m) { m = $0; sub(".* " k "=", "", m); sub(/ .*/, "", m); return m + 0 }
	function flush(q,   p) { for (p = 0; p < 2; p++) if ((q "_" p) in pend) { stale++; print "#   stale: " pend[q "_" p]; delete pend[q "_" p] } }
	FILENAME != "-" && FILENAME != trace { cp[$1] = " " substr($0, length($1) + 2) " "; next }
	/tracing_mark_write: ptcycle / { nxt = cp[$NF]; next }
	/ set: / { q = arg("girq"); flush(q); st[q] = "PHB"; if (nxt != "") { cur = nxt; nxt = "" }; next }
	/ clr: / { q = arg("girq"); flush(q); st[q] = "IPI"; next }
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
		   if (isphb && st[q] != "PHB") pend[q "_" pg] = "PHB page " arg("pfn") " of irq " q " inserted while on its IPI"
		   else if (isphb && cur != "" && !index(cur, " " arg("pfn") " ")) pend[q "_" pg] = "PHB page " arg("pfn") " of irq " q ": not the current device'"'"'s"
		   else if (!isphb && st[q] == "PHB") pend[q "_" pg] = "IPI page " arg("pfn") " of irq " q " inserted while on the PHB"
		   else delete pend[q "_" pg]
		   next }
	END { for (k in pend) { stale++; print "#   stale at the end: " pend[k] }
	      printf "ins=%d phb=%d stale=%d withdrawn=%d\n", ins, nphb, stale, w }' trace=$TR/trace \
		$T/cycle_pfns $TR/trace
}

stale_check() {	# label
	r=$(stale_pages)
	echo "$r" | grep '^#' | head -5
	r=$(echo "$r" | tail -1)
	if [ "$(field "$r" stale)" = 0 ]; then
		ok "$1: no stale page in A's ESB mapping ($r)"
	elif [ "$FLAVOUR" = upstream ]; then
		ok "$1: stale pages in A's ESB mapping ($r) # XFAIL: upstream picks IPI vs PHB outside the lock the switch holds"
	else
		notok "$1: no stale page in A's ESB mapping" FAIL "$r"
	fi
}

# ---- B's ESB faults (ours: its debugfs; both: B's threads in the fault
# trace) since bz0/bt0, while A's IRQs switched: none is the goal
b_refaults() {	# while-what
	bz1=$(stat b esb_faults) bt1=$(tfaults b)
	if [ -n "$bz0" ]; then
		why="B esb_faults $bz0 -> $bz1, fault handler calls from B's threads $bt0 -> $bt1"
		check "B: zero refaults of its ESB pages $1 (esb_faults $bz0 -> $bz1, traced $bt0 -> $bt1)" \
			[ "$bz0" = "$bz1" -a "$bt0" = "$bt1" ]
	elif [ "$bt0" = "$bt1" ]; then
		ok "B: zero refaults of its ESB pages $1 (traced $bt0 -> $bt1)"
	else
		ok "B: refaults $1: $((bt1 - bt0)) # XFAIL: upstream zaps the shared anon-inode mapping of every VM (traced $bt0 -> $bt1)"
	fi
}

# ---- esb-poke in guest A: rounds so far (whole "@@P-POKES <rounds> odd=<n>"
# lines only: the console may be mid-line)
pokes() { grep -E '^@@P-POKES [0-9]+ odd=[0-9]+$' $T/a.con | tail -1 | sed -n "s/.* \([0-9]*\) odd=\([0-9]*\)$/\\${1:-1}/p"; }
poke_check() {	# label: rounds went k0 -> k1, every load read a PQ value
	perr=$(grep -c '^@@P-ERROR' $T/a.con)
	odd=$(pokes 2)
	why="pokes ${k0:-0} -> ${k1:-0}, odd values ${odd:-?}, errors: $(grep '^@@P-ERROR' $T/a.con | tail -2 | tr '\n' ' ')"
	check "$1 (${k0:-0} -> ${k1:-0} rounds, ${odd:-?} non-PQ values, $perr errors)" \
		[ "${k1:-0}" -gt "${k0:-0}" -a "$perr" = 0 -a "${odd:-x}" = 0 ]
}

# not_on_ipis IRQ...: what keeps A's sources from being all back on their
# IPIs (nothing when they are)
not_on_ipis() {
	left=$(phbs a)
	[ -z "$left" ] || printf 'still-PHB(%s)' "$left"
	for q in "$@"; do
		k=$(srcmap a | awk -v q=$q '$1 == q { print $3 }')
		[ "$k" = IPI ] || printf 'irq%s-%s,' $q "$k"
	done
}

# ---- one unmap/map cycle of A's NVMe vectors; sets cyc_err on a failure
cycle() {	# index
	alive a || { cyc_err="$cyc_err $1:QEMU-A-exited"; return 1; }
	z0=$(stat a zaps) p0=$(stat a zapped_pages) s0=$(tcount set) c0=$(tcount clr)
	command a unbind || { cyc_err="$cyc_err $1:unbind-stall"; return 1; }
	sleep 0.5
	e=$(not_on_ipis $IRQS)
	[ -z "$e" ] || cyc_err="$cyc_err $1:$e"
	z1=$(stat a zaps) p1=$(stat a zapped_pages) s1=$(tcount set) c1=$(tcount clr)
	command a bind || { cyc_err="$cyc_err $1:bind-stall"; return 1; }
	echo "$ack" | grep -q 'rc=0' || cyc_err="$cyc_err $1:bind($ack)"
	sleep 0.5
	now_phb=$(phbs a)
	[ "$(phb_irqs "$now_phb")" = "$IRQS" ] || cyc_err="$cyc_err $1:irqs($(phb_irqs "$now_phb"))"
	z2=$(stat a zaps) p2=$(stat a zapped_pages) s2=$(tcount set) c2=$(tcount clr)
	if [ -n "$z0" ]; then	# ours: one zap of two pages per map/unmap call
		calls=$((s2 - s0 + c2 - c0))
		[ $((z2 - z0)) = $calls ] && [ $((p2 - p0)) = $((2 * calls)) ] ||
			cyc_err="$cyc_err $1:zaps($((z2 - z0)) zaps $((p2 - p0)) pages for $calls calls)"
	fi
	sets=$((sets + s2 - s0)) clrs=$((clrs + c2 - c0))
	note "cycle $1: unmapped: $((c1 - c0)) clr, $((s1 - s0)) set, zaps +$((z1 - ${z0:-0}))/pages +$((p1 - ${p0:-0}));" \
	     "mapped: $((s2 - s1)) set, $((c2 - c1)) clr, zaps +$((z2 - ${z1:-0}))/pages +$((p2 - ${p1:-0})); PHB $now_phb"
}

# =====================================================================
note "=== host: two NVMe controllers, each on a PHB ($(now)s)"
# the first (disk SIG1) is passed through at start, the hot-plug cycles
# alternate the second (SIG2) and the first
SIG1=XIVE-PT-DISK-L0. SIG2=XIVE-PT-DISK2L0.
set -- $(for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/class)" = 0x010802 ] && basename $d
done | sort)
bdf=$1 bdf2=${2:-}
why="NVMe class devices: '$*' in $(ls /sys/bus/pci/devices | tr '\n' ' ')"
check "host: two NVMe controllers on their PHBs ($bdf $bdf2)" [ -n "$bdf2" ] || exit 1
group=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")
group2=$(basename "$(readlink /sys/bus/pci/devices/$bdf2/iommu_group)")
out=$(loadmods /l1/pt/nvme 2>&1)
why="$out"; check "host: nvme modules load" [ -z "$out" ]
# disksig BDF: the signature of the disk behind the host's nvme driver
disksig() {
	n=$(ls /sys/bus/pci/devices/$1/nvme 2>/dev/null | head -1)
	[ -n "$n" ] && waitblk /dev/${n}n1 20 && head -c 16 /dev/${n}n1 2>/dev/null
}
sig=$(disksig $bdf) sig2=$(disksig $bdf2)
why="read '$sig' '$sig2'"
check "host: nvme driver reads both disks" [ "$sig" = $SIG1 -a "$sig2" = $SIG2 ]
note "host nvme interrupts: $(host_intr nvme)"

step "host: bind to vfio-pci"
out=$(loadmods /l1/pt/vfio 2>&1)
why="$out"; check "host: test-only vfio.ko and Debian's vfio-pci, vfio_iommu_spapr_tce load" [ -z "$out" ]
for d in $bdf $bdf2; do
	echo "$d" > /sys/bus/pci/drivers/nvme/unbind
	echo vfio-pci > /sys/bus/pci/devices/$d/driver_override
	echo "$d" > /sys/bus/pci/drivers_probe
done
drv=$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")
drv2=$(basename "$(readlink /sys/bus/pci/devices/$bdf2/driver)")
why="drivers $drv $drv2, /dev/vfio: $(ls /dev/vfio 2>&1 | tr '\n' ' '); $(dmesg | grep -i vfio | tail -2)"
check "host: $bdf and $bdf2 bound to vfio-pci (iommu groups $group, $group2)" \
	[ "$drv" = vfio-pci -a -e /dev/vfio/$group -a "$drv2" = vfio-pci -a -e /dev/vfio/$group2 ]
trace_setup
why="kprobe_events: $(cat $TR/kprobe_events 2>&1 | tr '\n' ';')"
check "host: kprobes on set/clr_mapped, the ESB fault handler ($fsym), page inserts and zaps" [ -e $TR/events/ptest/zvp ]

step "guests: B (virtio-blk only), then A (the NVMe passed through)"
start b /l1/guest-initrd.cpio file \
	-drive if=none,id=d0,file=/l1/disk.img,format=raw -device virtio-blk-pci,drive=d0
expect "B: guest boots and ticks" b $T/b.con '^@@G-TICK ' 2 150 && ok "B: guest boots and reads its virtio disk ($(since $b_t0)s)"
start a /l1/pt/guest-initrd.cpio pipe -device vfio-pci,host=$bdf,id=pt0
if ! expect "A: guest boots with the NVMe" a $T/a.con '^@@P-TICK ' 2 150; then
	note "scenario: $pass passed, $((fail + stall)) failed ($stall stalled)"
	exit 1
fi
ok "A: guest boots ($(since $a_t0)s after QEMU start)"
why="$(grep -E '^@@P-(DISK|ERROR|NVME)' $T/a.con | tr '\n' ' ')"
check "A: guest reads the passed-through NVMe disk" grep -q "^@@P-DISK $SIG1" $T/a.con
grep '^@@P-INTR' $T/a.con | grep -E 'CPU|nvme' | sed 's/^@@P-INTR /#   guest A: /'
IRQS=$(field "$(lasttick a P)" irqs | tr , ' ' | tr ' ' '\n' | sort -n | tr '\n' ' ')
note "A's NVMe vectors (guest sources): $IRQS"

step "delivery: guest MSI-X counts rise, host's vfio handlers stay flat"
h1=$(host_intr vfio)
ticks a P 4 "A: guest keeps ticking"
h2=$(host_intr vfio)
g1=$(field "$t1" nvme) g2=$(field "$t2" nvme)
why="nvme interrupts $g1 -> $g2"
check "A: guest NVMe MSI-X interrupts rise while it reads ($g1 -> $g2)" [ "${g2:-0}" -gt "${g1:-0}" ]
note "host vfio interrupts before: $h1"
note "host vfio interrupts after:  $h2"
why="host counts $(sumcounts "$h1") -> $(sumcounts "$h2") over the lines '$h2'"
check "host: handlers of the passed-through MSIs do not run ($(echo "$h2" | wc -w) vfio-msix lines, $(sumcounts "$h1") -> $(sumcounts "$h2"))" \
	[ -n "$h2" -a "$(sumcounts "$h1")" = "$(sumcounts "$h2")" ]

step "debugfs: A's NVMe vectors bound to the PHB, the rest to IPIs"
f=$(xfile a)
why="no debugfs xive file for A"; check "A: XIVE device debugfs ($f)" [ -n "$f" ]
P=$(phbs a)
nphb=$(echo "$P" | wc -w) nsrc=$(srcmap a | wc -l)
nipi=$(srcmap a | awk '$3 == "IPI"' | wc -l)
note "A: $nsrc sources: $nphb PHB ($P), $nipi IPI"
why="PHB-backed sources '$(phb_irqs "$P")', guest NVMe vectors '$IRQS'"
check "A: exactly the guest's NVMe vectors are PHB-backed ($(phb_irqs "$P"))" \
	[ -n "$IRQS" -a "$(phb_irqs "$P")" = "$IRQS" ]
hw_dbg=$(echo "$P" | tr ' ' '\n' | cut -d: -f2 | grep . | while read -r h; do echo $((0x$h)); done | sort -n | tr '\n' ' ')
# On the host those sources are PHB MSIs routed to the guest: the host's
# XIVE debugfs shows them with lirq = the guest's EISN (the guest's Linux
# IRQ) instead of a host Linux IRQ.
XI=/sys/kernel/debug/powerpc/xive/interrupts
hostlines=$(for h in $(echo "$P" | tr ' ' '\n' | cut -d: -f2 | grep .); do grep "^IRQ 0x$h " $XI; done)
echo "$hostlines" | sed 's/^/#   host xive: /'
routed=$(echo "$hostlines" | sed -n 's/^IRQ 0x\([0-9a-f]*\) : .* lirq=0x\([0-9a-f]*\) .*/\1 \2/p' |
	while read -r h l; do printf '%d:%d ' $((0x$h)) $((0x$l)); done)
want=$(srcmap a | awk '$3 == "PHB" { print $2, $4 }' | while read -r h e; do printf '%d:%d ' $((0x$h)) $((0x$e)); done)
why="host source:EISN from our debugfs '$want', host XIVE config '$routed'"
check "A: their hardware numbers are host PHB MSIs, routed with the guest's EISN (source:eisn $want)" \
	[ -n "$routed" -a "$routed" = "$want" ]
why="$nipi IPI + $nphb PHB != $nsrc"
check "A: every other source is on its IPI ($nipi)" [ $((nipi + nphb)) = "$nsrc" -a "$nipi" -gt 0 ]
sets=$(tcount set) clrs=$(tcount clr)
if ours "$f"; then
	z=$(stat a zaps) zp=$(stat a zapped_pages)
	why="zaps $z zapped_pages $zp, set_mapped $sets + clr_mapped $clrs calls"
	check "A: one zap of exactly 2 pages per map/unmap call (zaps $z = $sets set + $clrs clr, pages $zp)" \
		[ "$z" = $((sets + clrs)) -a "$zp" = $((2 * z)) ]
	grep '^stats:' "$f" | sed 's/^/#   A /'
else
	note "A: upstream debugfs has no zap counters; set_mapped $sets, clr_mapped $clrs calls"
fi
PHB_PFNS=$(phb_pfns)
r=$(stale_pages)
echo "$r" | grep '^#'
r=$(echo "$r" | tail -1)
note "A: ESB mapping $(esbvma a); PHB ESB page frames $PHB_PFNS; pages inserted for the vectors: $r"
why="$r, PHB pfns '$PHB_PFNS'"
check "A: the PHB's ESB pages are inserted for the vectors, no stale page ($r)" \
	[ -n "$PHB_PFNS" -a "$(field "$r" phb)" -gt 0 -a "$(field "$r" stale)" = 0 ]

step "unmap/map cycles under guest load ($CYCLES)"
bz0=$(stat b esb_faults) bt0=$(tfaults b)
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
ticks a P 2 "A: guest ticks after the cycles"
why="$(lasttick a P)"
check "A: guest reads the NVMe after the cycles" [ -n "$(field "$t2" irqs)" ]

step "B: refaults caused by A's map/unmap calls"
b_refaults "while A's IRQs were mapped/unmapped"

alive a || { notok "A: QEMU alive after the cycles" FAIL "exited"; dump a; }
step "stress: A's guest loads its vectors' ESB pages while the cycles run ($CYCLES)"
st0=$(stat a stale)
command a poke-on
sleep 2
k0=$(pokes)
cyc_err=
c_t0=$(now)
# progress every 10 s, to tell a fault storm or a stall from slowness
( while :; do
	sleep 10
	note "watch $(now)s: $(stat a esb_faults) esb_faults, $(stat a stale) stale, $(stat a zaps) zaps; traced faults $(tcount fault), set $(tcount set); pokes $(pokes) odd=$(pokes 2); load $(cut -d' ' -f1-3 /proc/loadavg)"
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
[ -n "$st0" ] && note "A: faults withdrawn as stale during the stress: $(($(stat a stale) - st0))"
[ -n "$st0" ] && grep '^stats:' "$(xfile a)" | sed 's/^/#   A /'

# ---- one hot-unplug/replug cycle of A's NVMe; sets un_err / re_err
hpcycle() {	# index
	alive a || { un_err="$un_err $1:QEMU-A-exited"; return 1; }
	z0=$(stat a zaps) p0=$(stat a zapped_pages) s0=$(tcount set) c0=$(tcount clr)
	# the trace's cycle boundary for stale_pages (cycle_pfns)
	echo "ptcycle $1" > $TR/trace_marker
	mon a "device_del $hp_id"
	sleep 0.5
	command a unplug || { un_err="$un_err $1:unplug-stall"; return 1; }
	echo "$ack" | grep -q 'rc=0 node=0 ' || un_err="$un_err $1:unplug($ack)"
	# QEMU completes device_del once the guest isolated the slot
	i=0
	while [ $i -lt $(secs 30) ]; do
		: > $T/a.mon
		mon a 'info pci'
		sleep 1
		tr -d '\r' < $T/a.mon | grep -q 'NVMe\|Class 0108' || break
		i=$((i + 1))
	done
	[ $i -lt $(secs 30) ] || un_err="$un_err $1:QEMU-kept-the-device"
	e=$(not_on_ipis $OLD_IRQS)
	[ -z "$e" ] || un_err="$un_err $1:$e"
	hv=$(host_intr vfio)
	[ -z "$hv" ] || un_err="$un_err $1:host-vfio-lines($hv)"
	z1=$(stat a zaps) p1=$(stat a zapped_pages) s1=$(tcount set) c1=$(tcount clr)
	[ $((c1 - c0)) -gt 0 ] || un_err="$un_err $1:no-clr_mapped"
	if [ -n "$z0" ]; then	# ours: one zap of two pages per map/unmap call
		calls=$((s1 - s0 + c1 - c0))
		[ $((z1 - z0)) = $calls ] && [ $((p1 - p0)) = $((2 * calls)) ] ||
			un_err="$un_err $1:zaps($((z1 - z0)) zaps $((p1 - p0)) pages for $calls calls)"
	fi
	hp_id=pt$1
	if [ $(($1 % 2)) = 1 ]; then dev=$bdf2 want=$SIG2; else dev=$bdf want=$SIG1; fi
	mon a "device_add vfio-pci,host=$dev,id=$hp_id"
	sleep 0.5
	command a plug || { re_err="$re_err $1:plug-stall"; return 1; }
	echo "$ack" | grep -q " rc=0 .* nodes .*disk=$want" || re_err="$re_err $1:plug($dev: $ack)"
	[ "$(field "$ack" irqs | tr , ' ')" = "$(echo $OLD_IRQS)" ] ||
		re_err="$re_err $1:irqs($(field "$ack" irqs))"
	sleep 0.5
	P=$(phbs a)
	[ "$(echo $(phb_irqs "$P"))" = "$(echo $OLD_IRQS)" ] || re_err="$re_err $1:PHB($P)"
	pf=$(phb_pfns)
	PHB_ALL="$PHB_ALL $pf"
	echo "$1 $pf" >> $T/cycle_pfns
	ticks a P 2 "A: guest ticks after replug $1" || { re_err="$re_err $1:no-ticks"; return 1; }
	g1=$(field "$t1" nvme) g2=$(field "$t2" nvme)
	[ "${g2:-0}" -gt "${g1:-0}" ] || re_err="$re_err $1:msix($g1->$g2)"
	z2=$(stat a zaps) s2=$(tcount set) c2=$(tcount clr)
	note "hot-plug $1 ($dev): unplug ${i}s, $((c1 - c0)) clr, zaps +$((z1 - ${z0:-0})); replug $((s2 - s1)) set, zaps +$((z2 - ${z1:-0})), PHB $P, MSI-X $g1 -> $g2"
}

step "hot-unplug (device_del) and replug (device_add), $HPCYCLES times, the two NVMe in turn, under guest load"
# pseries PCI hot-plug needs drmgr's part in the guest (there is no drmgr
# in it): its "unplug" removes the device and its device-tree node and
# isolates the slot, which completes QEMU's device_del; its "plug", after
# device_add, unisolates the slot, adds the nodes configure-connector
# describes and rescans (testbed/guest/drc.c).  All along, the guest reads
# its disk every second and loads the vectors' ESB pages (esb-poke): the
# fault/zap race through real hot-plug.  The stale-page check knows each
# cycle's device: a page of the previous one after the switch is stale.
OLD_IRQS=$IRQS
PHB_ALL=$PHB_PFNS
bz0=$(stat b esb_faults) bt0=$(tfaults b)
st0=$(stat a stale)
command a poke-on
sleep 1
k0=$(pokes)
un_err= re_err= hp_id=pt0
c_t0=$(now)
for i in $(seq $HPCYCLES); do hpcycle $i; done
hp_s=$(since $c_t0)
k1=$(pokes)
alive a || { notok "A: QEMU alive through the hot-plug cycles" FAIL "exited"; dump a; }
command a poke-off
grep '^@@P-ACK plug' $T/a.con | tail -1 | sed 's/^/# guest A: /'
why="$un_err"
check "unplug x$HPCYCLES: QEMU released the NVMe each time, its vectors went back to their IPIs, the host freed its vfio MSIs$(ours "$(xfile a)" && echo ", one 2-page zap per map/unmap call") (${hp_s}s in all)" \
	[ -z "$un_err" ]
why="$re_err"
check "replug x$HPCYCLES, the two NVMe in turn: the guest brought the new device up at run time, the same IRQ numbers reused and backed by the new device's PHB, MSI-X interrupts rise ($(echo $OLD_IRQS))" \
	[ -z "$re_err" ]
PHB_PFNS=$(echo $PHB_ALL | tr ' ' '\n' | sort -un | tr '\n' ' ')
stale_check "hot-plug"
poke_check "hot-plug: the guest loaded the vectors' PQ bits throughout, always a PQ value back, IPI or PHB"
[ -n "$st0" ] && note "A: faults withdrawn as stale during the hot-plug cycles: $(($(stat a stale) - st0))"
b_refaults "while A's devices were unplugged and replugged"

step "destroy A with the NVMe passed through"
bad=$(grep -E "$BAD_LOG" $T/a.con | head -3)
why="$bad"; check "A: guest kernel log clean" [ -z "$bad" ]
stop a kill
sleep 1
why="$(ls $DBG)"
check "A: its KVM debugfs folder is gone" [ -z "$(ls -d $DBG/"$(pid a)"-* 2>/dev/null)" ]
for d in $bdf $bdf2; do
	echo "$d" > /sys/bus/pci/drivers/vfio-pci/unbind
	echo > /sys/bus/pci/devices/$d/driver_override
	echo "$d" > /sys/bus/pci/drivers_probe
done
sig=$(disksig $bdf) sig2=$(disksig $bdf2)
i1=$(sumcounts "$(host_intr nvme)")
echo 3 > /proc/sys/vm/drop_caches
for n in /dev/nvme?n1; do dd if=$n of=/dev/null bs=64k count=64 2>/dev/null; done
i2=$(sumcounts "$(host_intr nvme)")
why="drivers $(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)") $(basename "$(readlink /sys/bus/pci/devices/$bdf2/driver)"), read '$sig' '$sig2', nvme interrupts $i1 -> $i2; $(dmesg | grep -iE 'nvme|vfio' | tail -3 | tr '\n' ';')"
check "host: nvme driver takes both devices back and reads them, their MSIs delivered to the host ($i1 -> $i2)" \
	[ "$sig" = $SIG1 -a "$sig2" = $SIG2 -a "$i2" -gt "$i1" ]
bad=$(grep -E "$BAD_LOG" $T/b.con | head -3)
why="$bad"; check "B: guest kernel log clean" [ -z "$bad" ]
stop b
note "kprobe totals: set_mapped $(tcount set), clr_mapped $(tcount clr), fault $(tcount fault)"
echo 0 > $TR/events/ptest/enable
step "end"
note "scenario: $pass passed, $((fail + stall)) failed ($stall stalled)"
[ $fail = 0 ] && [ $stall = 0 ]
