# delivery: A's guest MSI-X counts rise while it reads; the host's handlers
# of the passed-through MSIs (vfio-msix) never run.
phase_delivery() {
	local h1 h2 g1 g2
	h1=$(host_intr vfio)
	ticks a 4 "A: guest keeps ticking" || return
	h2=$(host_intr vfio)
	g1=$(field "$t1" nvme) g2=$(field "$t2" nvme)
	why="nvme interrupts $g1 -> $g2"
	check "A: guest NVMe MSI-X interrupts rise while it reads ($g1 -> $g2)" [ "${g2:-0}" -gt "${g1:-0}" ]
	note "host vfio interrupts before: $h1"
	note "host vfio interrupts after:  $h2"
	why="host counts $(sumcounts "$h1") -> $(sumcounts "$h2") over the lines '$h2'"
	check "host: handlers of the passed-through MSIs do not run ($(echo "$h2" | wc -w) vfio-msix lines, $(sumcounts "$h1") -> $(sumcounts "$h2"))" \
		[ -n "$h2" -a "$(sumcounts "$h1")" = "$(sumcounts "$h2")" ]
}
