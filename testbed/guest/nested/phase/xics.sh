# xics: for comparison, XICS emulated by KVM on top of XIVE (ic-mode=xics).
phase_xics() {
	vguest e -ic xics -smp 2
	guest_boots e xics 1 || return
	why="$(grep '^@@G-DMESG' $T/e.con | head -2 | tr '\n' ' ')"
	check "xics: guest uses XICS" grep -qi 'xics' $T/e.con
	why="no XICS-on-XIVE device"
	check "xics: host XICS-on-XIVE device exists" grep -q 'Hcalls totals' "$(xfile e)"
	cpus_ok e xics CPU0,CPU1; disk_ok e xics
	flowing e xics
}
