# hotplug: a vCPU added at run time (device_add) connects and takes IPIs.
phase_hotplug() {
	local h0
	vguest d -ic xive -smp 1,maxcpus=2
	guest_boots d hotplug 1 || return
	cpus_ok d hotplug CPU0
	mon d 'device_add host-spapr-cpu-core,core-id=1,id=c1'
	h0=$(now)
	expect "hotplug: guest onlines the new CPU" d $T/d.con \
		'^@@G-TICK .* online=CPU0,CPU1 .* end' 1 60 || return
	ok "hotplug: guest onlines the new CPU ($(since $h0)s)"
	why="no server 1 in $(xfile d)"
	check "hotplug: new vCPU connected to the device" hasvcpu d 1
	flowing d hotplug
}
