# reboot-xive: a system_reset; QEMU keeps the device and resets it in place.
phase_reboot_xive() {
	local i1 i2
	KEEP=a
	a_up reboot-xive || return
	i1=$(inode a)
	reset a
	guest_boots a reboot-xive 2 || return
	xive_mode a reboot-xive
	i2=$(inode a)
	why="debugfs inode $i1 -> $i2"
	check "reboot-xive: device kept across reset (same device)" [ -n "$i1" -a "$i1" = "$i2" ]
	device_ok a reboot-xive; cpus_ok a reboot-xive CPU0,CPU1
	flowing a reboot-xive
}
