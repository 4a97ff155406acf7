# reboot-xive: a system_reset; QEMU keeps the device and resets it in place.
phase_reboot_xive() {
	KEEP=a
	a_up reboot-xive || return
	reboots a reboot-xive || return
	check "reboot-xive: device kept across reset (same device)" [ -n "$i1" -a "$i1" = "$i2" ]
	device_ok a reboot-xive; cpus_ok a reboot-xive CPU0,CPU1
	flowing a reboot-xive
}
