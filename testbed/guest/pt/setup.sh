# The passthrough scenario (testbed/guest/scenario.sh pt): the emulated
# host has two NVMe controllers, each on a PHB (testbed/pt-check.sh).  One
# is passed through to a nested pseries guest A on the XIVE device
# (testbed/guest/pt-init: @@P-TICK lines with its MSI-X counts, commands
# on its console), next to a guest B with virtio-blk only, which watches
# for refaults.  The phases build on each other, in this order:
#   nvme      the host's nvme driver reads both disks
#   vfio      both bound to vfio-pci; kprobes on the map/unmap calls,
#             the ESB fault handler, page inserts and zaps
#   guests    B, then A with the first NVMe
#   delivery  A's MSI-X interrupts rise, the host's vfio handlers stay flat
#   debugfs   A's NVMe vectors are PHB-backed, the rest on IPIs; zaps
#   cycles    CYCLES unbind/bind cycles of A's nvme driver; B's refaults
#   stress    the same while A's guest loads the vectors' ESB pages
#   hotplug   HPCYCLES device_del/device_add cycles, the two NVMe in turn
#   window    WCYCLES unbind/bind cycles and a device_del/device_add with
#             A's faults held HOLD us (ours) between choosing and inserting
#             their page, while A's vCPUs and QEMU's main thread touch the
#             pages: no stale page, remaps waited for held faults
#   remap-state  the guest's masked / pending PQ and its EISN kept across
#             MSI-X mask/unmask remaps; masked vectors after unbind, unplug
#   destroy   A killed with the device passed through; the host's nvme
#             driver takes both back
# Env: CYCLES (default 10), HPCYCLES (default 10), WCYCLES (4), HOLD (100000).
: "${PHASES:=nvme vfio guests delivery debugfs cycles stress hotplug window remap-state destroy}"
: "${CYCLES:=10}" "${HPCYCLES:=10}"
T=/tmp/pt
mkdir -p $T
: > $T/cycle_pfns	# "cycle pfn...": the PHB pages of each replugged device
TR=/sys/kernel/debug/tracing
XI=/sys/kernel/debug/powerpc/xive/interrupts
# the first NVMe (disk SIG1) is passed through at start, the hot-plug
# cycles alternate the second (SIG2) and the first
SIG1=XIVE-PT-DISK-L0. SIG2=XIVE-PT-DISK2L0.
for f in host stale holds guest-a; do . ./pt/$f.sh; done
