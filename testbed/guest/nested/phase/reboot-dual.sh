# reboot-dual: ic-mode=dual; each boot's CAS closes the device and creates
# a new one.
phase_reboot_dual() {
	vguest c -ic dual -smp 2
	guest_boots c reboot-dual 1 || return
	xive_mode c reboot-dual
	check "reboot-dual: XIVE device created at CAS" native c
	reboots c reboot-dual || return
	check "reboot-dual: device re-created at the second CAS" [ -n "$i1" -a -n "$i2" -a "$i1" != "$i2" ]
	device_ok c reboot-dual; cpus_ok c reboot-dual CPU0,CPU1
	disk_ok c reboot-dual
	flowing c reboot-dual
}
