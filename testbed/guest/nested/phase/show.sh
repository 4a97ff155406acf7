# show (make run): show the user what happens, briefly: the guest's boot,
# its /proc/interrupts, the host's debugfs view of the device.
phase_show() {
	vguest a -ic "${IC:-xive}" -smp 2
	guest_boots a guest 1 || return
	xive_mode a guest
	device_ok a guest
	ticks a 2 "guest ticks" || return
	note "guest /proc/interrupts:"
	grep '^@@G-INTR' $T/a.con | cut -d' ' -f2- | sed 's/^/#   /'
	note "host debugfs $(xfile a):"
	sed 's/^/#   /' "$(xfile a)" | head -40
	summary a
	flowing a guest
}
