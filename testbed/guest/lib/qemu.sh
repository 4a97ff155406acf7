# Nested guests (L2) for the scenarios: Debian's QEMU under KVM on the
# device under test, one per NAME (a, b, ...), with its console in
# $T/NAME.con, its monitor a pipe chardev ($T/NAME.mon.in / .out, logged in
# $T/NAME.mon) and its QEMU output in $T/NAME.qemu.  Every guest started
# has its kernel log checked (clean_log) for each boot: before a reset and
# when it stops.
QEMU=/usr/bin/qemu-system-ppc64
CAPS=cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
MEMOPT= HOST4K=
: "${GMEM:=512M}" "${TSCALE:=1}" "${SHOW:=}"
# A 4K host: QEMU 7.2 and 10.0 refuse their default 64K HPT page size under
# KVM-HV ("Can't support 64 kiB guest pages with 4 kiB host pages"; 10.0
# even for ic-mode=xive), so the guest gets cap-hpt-max-page-size=4k.  Its
# 64K event queues need 16 physically contiguous host pages: THP (QEMU
# aligns guest RAM to 2M; the emulated host has 2M pages with L0_HUGE),
# and RAM preallocated by one thread: an incoming migration's reads of
# zero pages map the huge zero page, whose first write splits it into lone
# 4K pages, and -mem-prealloc alone takes a thread per vCPU.  Where THP
# gives out (L0_HUGE=, or fragmented memory) the allocator hands out
# ascending runs once its small free blocks are used up: memory is
# compacted before each QEMU starts and the per-CPU free lists (freed
# pages, LIFO) are kept short.
if grep -q '^KernelPageSize: *4 kB' /proc/self/smaps 2>/dev/null; then
	CAPS=$CAPS,cap-hpt-max-page-size=4k HOST4K=1
	MEMOPT="-object memory-backend-ram,id=ram0,size=$GMEM,prealloc=on,prealloc-threads=1 -machine memory-backend=ram0"
	echo 100000 > /proc/sys/vm/percpu_pagelist_high_fraction
fi
# QEMU 10.0 (not 7.2) exits on a POWER9 whose KVM-HV lacks AIL mode 3 (the
# radix prefetch bug: POWER9 up to DD2.2, QEMU's own): "KVM implementation
# does not support cap-ail-mode-3", whatever the host page size.
case $($QEMU --version | head -1) in
*'version '[1-9][0-9].*) CAPS=$CAPS,cap-ail-mode-3=off ;;
esac
BAD_LOG=$(cat ./badlog 2>/dev/null)
# loglevel 5: warnings and worse reach the console, where they are judged
: "${GAPPEND:=loglevel=5}"
BOOT='^@@[GP]-BOOT '
GUESTS=

# start NAME [-ic MODE] [-smp N] [-initrd FILE] [-con file|pipe] [-ticks G|P]
#       [QEMU args...]: a pseries guest on ic-mode MODE (xive), -smp N (1),
# the guest kernel with FILE (the virtio guest's initramfs) whose tick
# lines are @@G-TICK (G) or @@P-TICK (P); a "pipe" console also takes
# commands (gcmd).  Each QEMU has its own SLOF-formatted NVRAM; a restore
# reuses the saved guest's copy.
start() {
	local n=$1 ic=xive smp=1 initrd=/l1/guest-initrd.cpio kind=file tk=G
	local con
	shift
	while :; do
		case $1 in
		-ic) ic=$2 ;; -smp) smp=$2 ;; -initrd) initrd=$2 ;;
		-con) kind=$2 ;; -ticks) tk=$2 ;;
		*) break ;;
		esac
		shift 2
	done
	rm -f $T/$n.con $T/$n.con.in $T/$n.con.out $T/$n.mon $T/$n.mon.in $T/$n.mon.out $T/$n.qemu
	mkfifo $T/$n.mon.in $T/$n.mon.out
	cat $T/$n.mon.out > $T/$n.mon &
	eval "${n}_cat=$! ${n}_tk=$tk ${n}_logged=0 ${n}_ccat= ${n}_hold= ${n}_tail="
	touch $T/$n.con	# for tail -f
	if [ $kind = pipe ]; then
		mkfifo $T/$n.con.in $T/$n.con.out
		tr -d '\r' < $T/$n.con.out > $T/$n.con &
		eval "${n}_ccat=$!"
		# keep the input fifo open: the guest never sees an EOF
		sleep 100000 > $T/$n.con.in &
		eval "${n}_hold=$!"
		con="pipe,id=con0,path=$T/$n.con"
	else
		con="file,id=con0,path=$T/$n.con"
	fi
	[ -e $T/$n.nvram ] || cp /l1/nvram.img $T/$n.nvram
	[ -z "$HOST4K" ] || echo 1 > /proc/sys/vm/compact_memory
	$QEMU -M pseries,ic-mode=$ic,kernel-irqchip=on,$CAPS,x-vof=on \
		-accel kvm -cpu host -smp "$smp" -m "$GMEM" $MEMOPT \
		-nodefaults -display none -vga none \
		-chardev $con -serial chardev:con0 \
		-chardev pipe,id=mon0,path=$T/$n.mon -mon chardev=mon0,mode=readline \
		-kernel /l1/vmlinux -initrd $initrd -append "console=hvc0 $GAPPEND" \
		-drive if=none,id=nv0,file=$T/$n.nvram,format=raw \
		-global spapr-nvram.drive=nv0 "$@" > $T/$n.qemu 2>&1 &
	eval "${n}_pid=$! ${n}_t0=$(now)"
	GUESTS="$GUESTS $n"
	if [ -n "$SHOW" ]; then
		tail -n +1 -f $T/$n.con 2>/dev/null | gstamp "  guest($n) | " &
		eval "${n}_tail=$!"
	fi
	note "$n: qemu pid $(pid $n), ic-mode=$ic -smp $smp $*"
}
# vguest NAME [start options]: a guest with the virtio-blk disk
vguest() {
	local n=$1
	shift
	start $n "$@" -drive if=none,id=d0,file=/l1/disk.img,format=raw \
		-device virtio-blk-pci,drive=d0
}
# Guest kernel lines shown on the host console get "[g" stamps: the host's
# log check (boot.sh) judges the host's own kernel lines only.
gstamp() { awk -v p="$1" '{ sub(/\r$/, ""); sub(/^\[/, "[g"); print p $0; fflush() }'; }
pid() { eval echo "\$${1}_pid"; }
alive() { kill -0 "$(pid $1)" 2>/dev/null; }
# A fifo write with no reader would block: only to a live QEMU, bounded.
tofifo() { alive $1 && timeout 5 sh -c 'echo "$1" > "$2"' _ "$3" "$2"; }
mon() { tofifo $1 $T/$1.mon.in "$2"; }
gcmd() { tofifo $1 $T/$1.con.in "$2"; }
monlog() { tr -d '\r' < $T/$1.mon; }
exited() { echo "QEMU exited: $(tail -3 $T/$1.qemu | tr '\n' ' ')"; }
# died CHECK NAME: NAME's QEMU exited, a FAIL; on upstream on a 4K host, if
# QEMU's mmap of the device was refused, the expected difference: QEMU maps
# the ESB space at 4 x 64K (host page 64) and upstream takes page 4 there.
died() {
	local m
	m=$(grep -m1 'XIVE: unable to set memory mapping' $T/$2.qemu)
	if ! ours && [ -n "$HOST4K" ] && [ -n "$m" ]; then
		todo "$1" "4096-byte host pages: the device refuses QEMU's 64K-unit mmap: $m"
	else
		notok "$1" FAIL "$(exited $2)"
	fi
}

# waitfor NAME FILE PATTERN COUNT TIMEOUT: until FILE has COUNT lines
# matching PATTERN; 0 found, 1 timeout, 2 the QEMU of NAME exited.
count() { local c; c=$(grep -cE "$2" "$1" 2>/dev/null); echo "${c:-0}"; }
waitfor() {
	local end c
	end=$(($(date +%s) + $(secs $5)))
	while [ "$(count "$2" "$3")" -lt "$4" ]; do
		alive "$1" || { sleep 0.2; [ "$(count "$2" "$3")" -ge "$4" ] && return 0; return 2; }
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}
# expect CHECK NAME FILE PATTERN COUNT TIMEOUT: a wait that is itself a
# check only when it fails (STALL vs FAIL); returns non-zero then.
expect() {
	waitfor "$2" "$3" "$4" "$5" "$6"
	case $? in
	0) return 0 ;;
	1) notok "$1" STALL "no '$4' (x$5) in ${6}s (x$TSCALE)" ;;
	*) died "$1" "$2" ;;
	esac
	dump "$2"
	return 1
}
dump() {
	[ -n "$SHOW" ] && return
	tail -15 $T/$1.con 2>/dev/null | gstamp "#   guest($1) | "
	# a report line that did not start a line (merged into another)
	grep -n '.@@[A-Z]-' $T/$1.con 2>/dev/null | tail -3 | sed "s/^/#   guest($1), merged: /"
	# QEMU's first lines (a device that failed) and its last
	awk '{ l[NR] = $0 } END { for (i = 1; i <= NR; i++) if (i <= 5 || i > NR - 3) print l[i] }' \
		$T/$1.qemu 2>/dev/null | sed "s/^/#   qemu($1) | /"
}

# Tick lines ("@@G-TICK n ... end", "@@P-TICK n ... end"), whole lines only
# (the console file may end in a partial one), of the current boot only:
# those after the last @@G-BOOT / @@P-BOOT line.
sinceboot() {
	local t
	eval "t=\"^@@\${${1}_tk}-TICK .* end\""
	awk -v t="$t" -v b="$BOOT" -v w="$2" '$0 ~ b { n = 0; l = "" } $0 ~ t { n++; l = $0 }
		END { if (w == "n") print n + 0; else print l }' $T/$1.con 2>/dev/null
}
lasttick() { sinceboot $1 last; }
nticks() { sinceboot $1 n; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# waitticks NAME WANT TIMEOUT CHECK: until WANT ticks in the current boot
waitticks() {
	local end
	end=$(($(date +%s) + $(secs $3)))
	while [ "$(nticks $1)" -lt "$2" ]; do
		if ! alive $1; then
			died "$4" $1; dump $1; return 1
		fi
		if [ "$(date +%s)" -ge "$end" ]; then
			notok "$4" STALL "no guest tick (#$2 of this boot) in ${3}s (x$TSCALE)"; dump $1; return 1
		fi
		sleep 0.2
	done
}
# ticks NAME K CHECK: K more ticks than now; t1 and t2 the first and last
ticks() {
	t1=$(lasttick $1)
	waitticks $1 $(($(nticks $1) + $2)) 30 "$3" || return 1
	t2=$(lasttick $1)
}

# clean_log NAME: the guest kernel lines NAME printed since the last check
# hold no Oops/WARNING/BUG/lockdep line (BAD_LOG, as for the host).
clean_log() {
	local from to k bad
	eval "from=\$${1}_logged"
	to=$(wc -l < $T/$1.con)
	k=$(grep -cE "$BOOT" $T/$1.con)
	bad=$(sed -n "$((from + 1)),\$p" $T/$1.con | grep -E "${BAD_LOG:-.}" | head -3)
	eval "${1}_logged=$to"
	why=${BAD_LOG:+$bad}
	[ "$k" = 0 ] && k="none: restored" || k="boot $k"
	check "$PH: guest $1 kernel log clean ($k, console lines $((from + 1))-$to)" \
		[ -n "$BAD_LOG" -a -z "$bad" ]
}
# reset NAME: system_reset through the monitor, the boot so far judged
reset() {
	clean_log $1
	mon $1 system_reset
	eval "${1}_t0=$(now)"
}
# stop NAME [kill]: its log judged, quit through the monitor (or SIGKILL),
# killed if it does not go, reaped
stop() {
	local n=$1 i
	case " $GUESTS " in *" $n "*) ;; *) return ;; esac
	GUESTS=$(echo " $GUESTS " | sed "s/ $n / /")
	clean_log $n
	if [ "${2:-}" = kill ]; then kill -9 "$(pid $n)" 2>/dev/null; else mon $n quit; fi
	i=0
	while alive $n && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	if alive $n; then
		notok "$n: QEMU quits" STALL "still running after 10 s"
		kill -9 "$(pid $n)"
	fi
	wait "$(pid $n)" 2>/dev/null
	eval "kill \$${n}_cat \$${n}_ccat \$${n}_hold \$${n}_tail" 2>/dev/null
}
# stop_all [KEEP...]: every guest started and not stopped, but KEEP
stop_all() {
	local g
	for g in $GUESTS; do
		case " $* " in *" $g "*) ;; *) stop $g ;; esac
	done
}
