# The nested guest scenario (testbed/guest/scenario.sh nested): Debian's
# QEMU boots pseries guests (L2) on the XIVE device through the phases
# below; what the guest and the host print is asserted.  The guest
# (testbed/guest/init) prints @@G-BOOT, @@G-DISK, then a @@G-TICK line a
# second with its per-CPU IPI and timer counts and its virtio count.
# Env: SHOW=1 streams the guest console (make run), IC (show's ic-mode),
#      GAPPEND (guest kernel arguments).
: "${PHASES:=boot reboot-xive migrate reboot-dual hotplug count xics}"
T=/tmp/l2
mkdir -p $T
# The phase that leaves guest a running for the next (boot, reboot-xive)
# says so in KEEP; every other guest stops (its log judged) after its phase.
KEEP=
phase_done() { stop_all $KEEP; KEEP=; }

guest_boots() {	# name label bootcount
	local el
	expect "$2: guest boots" $1 $T/$1.con "$BOOT" $3 60 || return 1
	el=$(since "$(eval echo \$${1}_t0)")
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
	local s r e t
	check "$2: host XIVE device exists (debugfs)" native $1 || return
	s=$(nsources $1) r=$(nrouted $1)
	why="$s sources, $r routed"
	check "$2: device shows sources ($s) and guest-routed ones ($r)" \
		[ "${s:-0}" -gt 0 -a "${r:-0}" -gt 0 ]
	# our counters: the guest faulted pages in (a missing counter fails)
	skip_upstream "$2: ESB and TIMA pages faulted in" "its debugfs has no fault counters" && return
	e=$(counter $1 esb_faults) t=$(counter $1 tima_faults)
	why="esb_faults '$e' tima_faults '$t' in $(grep '^stats:' "$(xfile $1)")"
	check "$2: ESB and TIMA pages faulted in ($e, $t)" [ "${e:-0}" -gt 0 -a "${t:-0}" -gt 0 ]
}
cpus_ok() {	# name label want
	local t
	t=$(lasttick $1)
	why="online=$(field "$t" online)"
	check "$2: guest CPUs online ($3)" [ "$(field "$t" online)" = "$3" ]
}
disk_ok() {
	why="$(grep '^@@G-DISK' $T/$1.con | tail -1)"
	check "$2: guest reads the virtio-blk disk" grep -q '^@@G-DISK XIVE-NATIVE-DISK' $T/$1.con
}
# rose A B: every comma-separated count of B is above A's (same CPU count)
rose() {
	awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, ","); m = split(b, y, ",")
		if (n != m || n == 0) exit 1
		for (i = 1; i <= n; i++) if (y[i] + 0 <= x[i] + 0) exit 1 }'
}
# Interrupts keep flowing: IPIs and timers on every CPU, virtio-blk completions.
flowing() {	# name label
	local a b
	ticks $1 3 "$2: guest keeps ticking" || return
	a=$(field "$t1" ipi) b=$(field "$t2" ipi)
	why="IPI counts $a -> $b"; check "$2: IPIs rise on every guest CPU ($b)" rose "$a" "$b"
	a=$(field "$t1" loc) b=$(field "$t2" loc)
	why="timer counts $a -> $b"; check "$2: timer interrupts rise on every guest CPU" rose "$a" "$b"
	a=$(field "$t1" virtio) b=$(field "$t2" virtio)
	why="virtio counts $a -> $b"; check "$2: virtio-blk interrupts rise ($a -> $b)" rose "$a" "$b"
}
# a_up LABEL: guest a runs (the one boot left running), started if not
a_up() {
	alive a && return
	stop a
	vguest a -ic xive -smp 2
	guest_boots a "$1" 1
}
# reboots NAME LABEL: system_reset, the second boot in XIVE mode; i1 and i2
# are the device's debugfs inode before and after
reboots() {
	i1=$(inode $1)
	reset $1
	guest_boots $1 $2 2 || return
	xive_mode $1 $2
	i2=$(inode $1)
	why="debugfs inode $i1 -> $i2"
}
