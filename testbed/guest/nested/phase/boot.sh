# boot: a first boot on ic-mode=xive, 2 vCPUs; the same QEMU goes on in
# reboot-xive and migrate.
phase_boot() {
	KEEP=a
	vguest a -ic xive -smp 2
	guest_boots a boot 1 || return
	xive_mode a boot; disk_ok a boot
	device_ok a boot; cpus_ok a boot CPU0,CPU1
	flowing a boot; summary a
}
