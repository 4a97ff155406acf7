// SPDX-License-Identifier: GPL-2.0-only
/* Placeholder: the device is not registered until it is implemented. */
#include <linux/kvm_host.h>
#include <asm/kvm_ppc.h>
#include "book3s_xive.h"

struct kvm_device_ops kvm_xive_native_ops = {
	.name = "kvm-xive-native",
};

int kvmppc_xive_native_connect_vcpu(struct kvm_device *dev,
				    struct kvm_vcpu *vcpu, u32 server_num)
{
	return -ENXIO;
}

void kvmppc_xive_native_cleanup_vcpu(struct kvm_vcpu *vcpu)
{
}

int kvmppc_xive_native_get_vp(struct kvm_vcpu *vcpu, union kvmppc_one_reg *val)
{
	return -ENOENT;
}

int kvmppc_xive_native_set_vp(struct kvm_vcpu *vcpu, union kvmppc_one_reg *val)
{
	return -ENOENT;
}

bool kvmppc_xive_native_supported(void)
{
	return false;
}
