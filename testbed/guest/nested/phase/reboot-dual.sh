# reboot-dual: ic-mode=dual; each boot's CAS closes the device and creates
# a new one.
phase_reboot_dual() {
	local i1 i2
	vguest c -ic dual -smp 2
	guest_boots c reboot-dual 1 || return
	xive_mode c reboot-dual
	check "reboot-dual: XIVE device created at CAS" native c
	i1=$(inode c)
	reset c
	guest_boots c reboot-dual 2 || return
	xive_mode c reboot-dual
	i2=$(inode c)
	why="debugfs inode $i1 -> $i2"
	check "reboot-dual: device re-created at the second CAS" [ -n "$i1" -a -n "$i2" -a "$i1" != "$i2" ]
	device_ok c reboot-dual; cpus_ok c reboot-dual CPU0,CPU1
	disk_ok c reboot-dual
	flowing c reboot-dual
}
