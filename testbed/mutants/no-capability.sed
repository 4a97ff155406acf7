# The host does not report KVM_CAP_PPC_IRQ_XIVE: QEMU cannot use the device.
# must fail: host emulated host: KVM modules loaded, KVM_CAP_PPC_IRQ_XIVE reported
s/return xive_native_has_queue_state_support();/return false;/
