#!/bin/sh
# Runs inside the emulated POWER9 host (L1): Debian's QEMU boots the nested
# pseries guest (L2) under KVM with the XIVE device, through the phases named
# in $PHASES, and prints one TAP-like line per check:
#   ok - <check>                       asserted from what guest and host print
#   not ok - <check> # FAIL: <why>     an assertion was false / QEMU died
#   not ok - <check> # STALL: <what>   nothing happened within the timeout
# Phases: boot reboot-xive migrate reboot-dual hotplug xics show
# Env: PHASES, GMEM (guest RAM), TSCALE (multiplies every timeout),
#      SHOW=1 streams the guest console (make run).
/bin/busybox --install -s /bin 2>/dev/null
export PATH=/bin:/sbin:/usr/bin
: "${PHASES:=boot reboot-xive migrate reboot-dual hotplug xics}"
: "${GMEM:=512M}"
: "${TSCALE:=1}"
: "${SHOW:=}"
# loglevel 5: warnings and worse reach the console, where they are judged
: "${GAPPEND:=loglevel=5}"
T=/tmp/l2
mkdir -p $T
DBG=/sys/kernel/debug/kvm
BAD_LOG=$(cat ./badlog 2>/dev/null)
QEMU=/usr/bin/qemu-system-ppc64
CAPS=cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
pass=0
fail=0
stall=0

ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() {	# check kind why
	echo "not ok - $1 # $2: $3"
	if [ "$2" = STALL ]; then stall=$((stall + 1)); else fail=$((fail + 1)); fi
}
check() {	# check condition-command... (FAIL with the last "why" on false)
	c=$1
	shift
	if "$@"; then ok "$c"; else notok "$c" FAIL "${why:-$*}"; fi
	why=
}
note() { echo "# $*"; }
now() { cut -d' ' -f1 /proc/uptime; }
secs() { echo $(($1 * TSCALE)); }

# start NAME IC SMP [extra QEMU args]: the guest console goes to $T/NAME.con,
# the monitor is a pipe chardev ($T/NAME.mon.in / .out, logged in .mon).
start() {
	n=$1 ic=$2 smp=$3
	shift 3
	rm -f $T/$n.con $T/$n.mon $T/$n.mon.in $T/$n.mon.out $T/$n.qemu
	mkfifo $T/$n.mon.in $T/$n.mon.out
	touch $T/$n.con	# for tail -f
	# each QEMU its own NVRAM (SLOF-formatted); a restore takes the saved one's
	[ -e $T/$n.nvram ] || cp /l1/nvram.img $T/$n.nvram
	cat $T/$n.mon.out > $T/$n.mon &
	eval "${n}_cat=$!"
	$QEMU -M pseries,ic-mode=$ic,kernel-irqchip=on,$CAPS,x-vof=on \
		-accel kvm -cpu host -smp "$smp" -m "$GMEM" \
		-nodefaults -display none -vga none \
		-chardev file,id=con0,path=$T/$n.con -serial chardev:con0 \
		-chardev pipe,id=mon0,path=$T/$n.mon -mon chardev=mon0,mode=readline \
		-kernel /l1/vmlinux -initrd /l1/guest-initrd.cpio \
		-append "console=hvc0 $GAPPEND" \
		-drive if=none,id=d0,file=/l1/disk.img,format=raw \
		-device virtio-blk-pci,drive=d0 \
		-drive if=none,id=nv0,file=$T/$n.nvram,format=raw \
		-global spapr-nvram.drive=nv0 "$@" > $T/$n.qemu 2>&1 &
	eval "${n}_pid=$!"
	eval "${n}_t0=$(now)"
	if [ -n "$SHOW" ]; then
		tail -n +1 -f $T/$n.con 2>/dev/null | gstamp "  guest($n) | " &
		eval "${n}_tail=$!"
	fi
	note "$n: qemu pid $(pid $n), ic-mode=$ic -smp $smp $*"
}
# Guest kernel lines shown on the host console get "[g" stamps: the host's
# log check (boot.sh) judges the host's own kernel lines only; the guest's
# are judged here (clean_log).
gstamp() { awk -v p="$1" '{ sub(/^\[/, "[g"); print p $0; fflush() }'; }
pid() { eval echo "\$${1}_pid"; }
alive() { kill -0 "$(pid $1)" 2>/dev/null; }
# A fifo write with no reader would block: only to a live QEMU, bounded.
monlog() { tr -d '\r' < $T/$1.mon; }
mon() { alive $1 && timeout 5 sh -c 'echo "$1" > "$2"' _ "$2" $T/$1.mon.in; }
# Wait until FILE has >= COUNT lines matching PATTERN; 0 found, 1 timeout,
# 2 the QEMU of NAME exited.
count() { c=$(grep -cE "$2" "$1" 2>/dev/null); echo "${c:-0}"; }
waitfor() {	# name file pattern count timeout
	end=$(($(date +%s) + $(secs $5)))
	while [ "$(count "$2" "$3")" -lt "$4" ]; do
		alive "$1" || { sleep 0.2; [ "$(count "$2" "$3")" -ge "$4" ] && return 0; return 2; }
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}
# expect CHECK NAME FILE PATTERN COUNT TIMEOUT: a wait that is itself a check
# only when it fails (STALL vs FAIL); returns non-zero then.
expect() {
	waitfor "$2" "$3" "$4" "$5" "$6"
	case $? in
	0) return 0 ;;
	1) notok "$1" STALL "no '$4' (x$5) in ${6}s (x$TSCALE)"; dump "$2"; return 1 ;;
	*) notok "$1" FAIL "QEMU exited: $(tail -3 $T/$2.qemu | tr '\n' ' ')"; dump "$2"; return 1 ;;
	esac
}
dump() {
	[ -n "$SHOW" ] && return
	tail -15 $T/$1.con 2>/dev/null | gstamp "#   guest($1) | "
	tail -5 $T/$1.qemu 2>/dev/null | sed "s/^/#   qemu($1) | /"
}
stop() {	# name: quit QEMU through the monitor, kill it if it does not go
	n=$1
	alive $n && mon $n quit
	i=0
	while alive $n && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	if alive $n; then
		notok "$n: QEMU quits on 'quit'" STALL "still running after 10 s"
		kill -9 "$(pid $n)"
	fi
	wait "$(pid $n)" 2>/dev/null
	eval "c=\$${n}_cat t=\$${n}_tail"
	kill $c $t 2>/dev/null
}

# Guest-side facts, from the @@G-TICK lines: "@@G-TICK n online=.. ipi=.. loc=.. virtio=.."
# Only whole lines ("end" last): the console file may end in a partial one.
TICK='^@@G-TICK .* end'
# Ticks of the current boot only: those after the last @@G-BOOT line.
sinceboot() { awk -v t="$TICK" '/^@@G-BOOT /{ n = 0; l = "" } $0 ~ t { n++; l = $0 }
	END { if ("'"$2"'" == "n") print n + 0; else print l }' $T/$1.con 2>/dev/null; }
lasttick() { sinceboot $1 last; }
nticks() { sinceboot $1 n; }
# waitticks NAME WANT TIMEOUT CHECK: wait for WANT ticks in the current boot
waitticks() {
	end=$(($(date +%s) + $(secs $3)))
	while [ "$(nticks $1)" -lt "$2" ]; do
		if ! alive $1; then
			notok "$4" FAIL "QEMU exited: $(tail -3 $T/$1.qemu | tr '\n' ' ')"; dump $1; return 1
		fi
		if [ "$(date +%s)" -ge "$end" ]; then
			notok "$4" STALL "no guest tick (#$2 of this boot) in ${3}s (x$TSCALE)"; dump $1; return 1
		fi
		sleep 0.2
	done
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# rose A B: every comma-separated count of B is above A's (same CPU count)
rose() {
	awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, ","); m = split(b, y, ",")
		if (n != m || n == 0) exit 1
		for (i = 1; i <= n; i++) if (y[i] + 0 <= x[i] + 0) exit 1 }'
}
# ticks NAME K: wait for K more ticks than now; sets t1 and t2 (lines)
ticks() {
	t1=$(lasttick $1)
	waitticks $1 $(($(nticks $1) + $2)) 30 "$3" || return 1
	t2=$(lasttick $1)
}
# Interrupts keep flowing: IPIs and timers on every CPU, virtio-blk completions.
flowing() {	# name label
	ticks $1 3 "$2: guest keeps ticking" || return
	a=$(field "$t1" ipi) b=$(field "$t2" ipi)
	why="IPI counts $a -> $b"; check "$2: IPIs rise on every guest CPU ($b)" rose "$a" "$b"
	a=$(field "$t1" loc) b=$(field "$t2" loc)
	why="timer counts $a -> $b"; check "$2: timer interrupts rise on every guest CPU" rose "$a" "$b"
	a=$(field "$t1" virtio) b=$(field "$t2" virtio)
	why="virtio counts $a -> $b"; check "$2: virtio-blk interrupts rise ($a -> $b)" rose "$a" "$b"
}
# The KVM debugfs folder of NAME's VM, and its XIVE file.
vmdir() { ls -d $DBG/"$(pid $1)"-* 2>/dev/null | head -1; }
xfile() { d=$(vmdir $1); [ -n "$d" ] && [ -e "$d/xive" ] && echo "$d/xive"; }
inode() { f=$(xfile $1) && ls -i "$f" | awk '{print $1}'; }
# Two debugfs formats: ours ("kvm-xive-native: ..." header, "stats:" line,
# "  server N vp ..." per vCPU) and upstream's ("VCPU N: VP=..."); the
# XICS-on-XIVE device (ic-mode=xics) is named "xive" too but shows "Hcalls".
ours() { grep -q '^kvm-xive-native:' "$1"; }
native() {
	f=$(xfile $1) || { why="no $DBG/$(pid $1)-*/xive"; return 1; }
	{ ours "$f" || grep -q '^VCPU [0-9]*: VP=' "$f"; } && ! grep -q 'Hcalls totals' "$f" ||
		{ why="$f is not a native XIVE device's"; return 1; }
}
srclines() { grep -E '^ *[0-9a-f]{8}  [0-9a-f]{8}[/ ]' "$1"; }
nsources() { f=$(xfile $1) && srclines "$f" | wc -l; }
# sources the guest routed: not masked and an EISN set
nrouted() {
	f=$(xfile $1) || return
	if ours "$f"; then
		srclines "$f" | awk '$0 !~ / masked / && $NF != "00000000"' | wc -l
	else	# LISN HW/CHIP TYPE [PT|IPI] PQ EISN CPU/PRIO
		srclines "$f" | awk '$(NF-1) != "00000000" && $NF !~ /\/255$/' | wc -l
	fi
}
hasvcpu() {	# name server
	f=$(xfile $1) && grep -qE "^VCPU $2: |^  server $2 vp " "$f"
}
counter() { f=$(xfile $1) && sed -n "s/^stats:.* $2 \([0-9]*\).*/\1/p" "$f"; }
summary() {
	f=$(xfile $1) || return
	note "$f: $(nsources $1) sources, $(nrouted $1) routed by the guest"
	grep -E '^VCPU|^  server|^kvm-xive-native|^stats' "$f" | sed 's/^/#   /'
}

guest_boots() {	# name label bootcount
	expect "$2: guest boots" $1 $T/$1.con '^@@G-BOOT ' $3 60 || return 1
	el=$(echo "$(now) $(eval echo \$${1}_t0)" | awk '{printf "%.1f", $1 - $2}')
	ok "$2: guest boots ($(grep '^@@G-BOOT ' $T/$1.con | tail -1 | cut -d' ' -f2-), ${el}s after QEMU start)"
	waitticks $1 1 60 "$2: guest ticks" || return 1
	grep '^@@G-DMESG ' $T/$1.con | grep -iE 'initialized|xics|icp|ics' | tail -1 |
		sed 's/^@@G-DMESG /#   guest dmesg: /'
}
xive_mode() {	# name label
	why="guest log: $(grep '^@@G-DMESG' $T/$1.con | tail -1)"
	check "$2: guest uses XIVE exploitation mode" \
		grep -q 'xive: Interrupt handling initialized with spapr backend' $T/$1.con
}
device_ok() {	# name label
	check "$2: host XIVE device exists (debugfs)" native $1 || return
	s=$(nsources $1) r=$(nrouted $1)
	why="$s sources, $r routed"
	check "$2: device shows sources ($s) and guest-routed ones ($r)" \
		[ "${s:-0}" -gt 0 -a "${r:-0}" -gt 0 ]
	if ours "$(xfile $1)"; then	# our counters: the guest faulted pages in
		e=$(counter $1 esb_faults) t=$(counter $1 tima_faults)
		why="esb_faults $e tima_faults $t"
		check "$2: ESB and TIMA pages faulted in ($e, $t)" \
			[ "${e:-0}" -gt 0 -a "${t:-0}" -gt 0 ]
	fi
}
cpus_ok() {	# name label want
	t=$(lasttick $1)
	why="online=$(field "$t" online)"
	check "$2: guest CPUs online ($3)" [ "$(field "$t" online)" = "$3" ]
}
disk_ok() {
	why="$(grep '^@@G-DISK' $T/$1.con | tail -1)"
	check "$2: guest reads the virtio-blk disk" grep -q '^@@G-DISK XIVE-NATIVE-DISK' $T/$1.con
}
clean_log() {	# name label: the guest kernel log stays clean
	bad=$(grep -E "$BAD_LOG" $T/$1.con | head -3)
	why=$(echo "$bad" | head -1 | sed 's/^\[/[g/'); check "$2: guest kernel log clean" [ -z "$bad" ]
}
phase() { note "=== phase $1 ($(now)s)"; ph_t0=$(now); }
phase_end() { note "--- phase $1 took $(echo "$(now) $ph_t0" | awk '{printf "%.1f", $1 - $2}')s"; }

for p in $PHASES; do
	phase $p
	case $p in
	boot)	# a first boot, then the same QEMU goes on in reboot-xive/migrate
		start a xive 2
		if guest_boots a boot 1; then
			xive_mode a boot; disk_ok a boot
			device_ok a boot; cpus_ok a boot CPU0,CPU1
			flowing a boot; summary a
		fi ;;
	reboot-xive)	# QEMU keeps the device and resets it in place
		if ! alive a; then
			start a xive 2
			guest_boots a reboot-xive 1 || continue
		fi
		i1=$(inode a)
		mon a system_reset
		a_t0=$(now)
		if guest_boots a reboot-xive 2; then
			xive_mode a reboot-xive
			i2=$(inode a)
			why="debugfs inode $i1 -> $i2"
			check "reboot-xive: device kept across reset (same device)" \
				[ -n "$i1" -a "$i1" = "$i2" ]
			device_ok a reboot-xive; cpus_ok a reboot-xive CPU0,CPU1
			flowing a reboot-xive
		fi ;;
	migrate)	# save to a file, restore in a second QEMU
		if ! alive a; then
			start a xive 2
			guest_boots a migrate 1 || { stop a; continue; }
		fi
		ticks a 1 "migrate: guest ticks before saving" || continue
		last=$(lasttick a | cut -d' ' -f2)
		rm -f /tmp/mig.bin
		mon a stop
		mon a 'migrate "exec:cat > /tmp/mig.bin"'
		m0=$(now)
		i=0
		while :; do
			mon a "info migrate"
			sleep 0.5
			monlog a | grep -q 'Migration status: completed' && break
			monlog a | grep -qE 'Migration status: (failed|cancelled)' && break
			i=$((i + 1)); [ $i -ge $(secs 120) ] && break
		done
		st=$(monlog a | grep 'Migration status' | tail -1)
		if ! echo "$st" | grep -q completed; then
			if echo "$st" | grep -qE 'failed|cancelled'; then
				notok "migrate: state saved to a file" FAIL "$st"
			else
				notok "migrate: state saved to a file" STALL "'$st' after $(secs 60)s"
			fi
			stop a; continue
		fi
		ok "migrate: state saved ($(ls -l /tmp/mig.bin | awk '{printf "%d MB", $5 / 1048576}'), $(echo "$(now) $m0" | awk '{printf "%.1f", $1 - $2}')s)"
		stop a
		cp $T/a.nvram $T/b.nvram
		start b xive 2 -incoming "exec:cat /tmp/mig.bin"
		expect "migrate: restored QEMU loads the state" b $T/b.mon '^\(qemu\)' 1 60 || { stop b; continue; }
		i=0
		while :; do
			mon b "info status"
			sleep 0.5
			monlog b | grep -qE 'VM status: (paused|running)$' && break
			alive b || break
			i=$((i + 1)); [ $i -ge $(secs 120) ] && break
		done
		st=$(monlog b | grep 'VM status' | tail -1)
		case $st in
		*'VM status: paused'|*'VM status: running') ok "migrate: incoming state loaded ($st)" ;;
		*inmigrate*) notok "migrate: incoming state loaded" STALL "$st"; dump b; stop b; continue ;;
		*) notok "migrate: incoming state loaded" FAIL "${st:-no status}"; dump b; stop b; continue ;;
		esac
		mon b cont
		if ticks b 1 "migrate: restored guest runs"; then
			n2=$(lasttick b | cut -d' ' -f2)
			why="last tick before $last, first after $n2, boots $(grep -c '^@@G-BOOT' $T/b.con)"
			check "migrate: restored guest continues (tick $last -> $n2, no reboot)" \
				[ "$n2" -gt "$last" -a "$(grep -c '^@@G-BOOT' $T/b.con)" = 0 ]
			device_ok b migrate
			flowing b migrate; summary b
		fi
		stop b ;;
	reboot-dual)	# each boot's CAS closes the device and creates a new one
		start c dual 2
		if guest_boots c reboot-dual 1; then
			xive_mode c reboot-dual
			check "reboot-dual: XIVE device created at CAS" native c
			i1=$(inode c)
			mon c system_reset
			c_t0=$(now)
			if guest_boots c reboot-dual 2; then
				xive_mode c reboot-dual
				i2=$(inode c)
				why="debugfs inode $i1 -> $i2"
				check "reboot-dual: device re-created at the second CAS" \
					[ -n "$i1" -a -n "$i2" -a "$i1" != "$i2" ]
				device_ok c reboot-dual; cpus_ok c reboot-dual CPU0,CPU1
				disk_ok c reboot-dual
				flowing c reboot-dual
			fi
		fi
		clean_log c reboot-dual
		stop c ;;
	hotplug)	# a vCPU added at run time connects and takes IPIs
		start d xive 1,maxcpus=2
		if guest_boots d hotplug 1; then
			cpus_ok d hotplug CPU0
			mon d 'device_add host-spapr-cpu-core,core-id=1,id=c1'
			h0=$(now)
			if expect "hotplug: guest onlines the new CPU" d $T/d.con \
				'^@@G-TICK .* online=CPU0,CPU1 .* end' 1 60; then
				ok "hotplug: guest onlines the new CPU ($(echo "$(now) $h0" | awk '{printf "%.1f", $1 - $2}')s)"
				why="no server 1 in $(xfile d)"
				check "hotplug: new vCPU connected to the device" hasvcpu d 1
				flowing d hotplug
			fi
		fi
		clean_log d hotplug
		stop d ;;
	xics)	# for comparison: XICS, emulated by KVM on top of XIVE
		start e xics 2
		if guest_boots e xics 1; then
			why="$(grep '^@@G-DMESG' $T/e.con | head -2 | tr '\n' ' ')"
			check "xics: guest uses XICS" grep -qi 'xics' $T/e.con
			f=$(xfile e)
			why="no XICS-on-XIVE device"
			check "xics: host XICS-on-XIVE device exists" grep -q 'Hcalls totals' "$f"
			cpus_ok e xics CPU0,CPU1; disk_ok e xics
			flowing e xics
		fi
		clean_log e xics
		stop e ;;
	show)	# make run: show the user what happens, briefly
		start a "${IC:-xive}" 2
		if guest_boots a guest 1; then
			xive_mode a guest
			device_ok a guest
			ticks a 2 "guest ticks" && {
				note "guest /proc/interrupts:"
				grep '^@@G-INTR' $T/a.con | cut -d' ' -f2- | sed 's/^/#   /'
				note "host debugfs $(xfile a):"
				sed 's/^/#   /' "$(xfile a)" | head -40
				summary a
				flowing a guest
			}
		fi
		clean_log a guest
		stop a ;;
	*) notok "phase $p" FAIL "unknown phase" ;;
	esac
	case $p in
	boot|reboot-xive) ;;	# the next phases go on with this guest
	*) alive a && { clean_log a "$p"; stop a; } ;;
	esac
	phase_end $p
done
alive a && { clean_log a end; stop a; }
note "scenario: $pass passed, $fail failed, $stall stalled"
[ $fail = 0 ] && [ $stall = 0 ]
