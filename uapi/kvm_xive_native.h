/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Userspace ABI of the KVM XIVE native device (KVM_DEV_TYPE_XIVE).
 *
 * Every number here is Linux's (arch/powerpc/include/uapi/asm/kvm.h and
 * include/uapi/linux/kvm.h): QEMU binaries in the field depend on them.
 * Each block is guarded so that this header can be included after a
 * <linux/kvm.h> that already defines the same names.
 */
#ifndef _UAPI_KVM_XIVE_NATIVE_H
#define _UAPI_KVM_XIVE_NATIVE_H

#include <linux/types.h>

#ifndef KVM_CAP_PPC_IRQ_XIVE
#define KVM_CAP_PPC_IRQ_XIVE		169
#endif

/* enum kvm_device_type: KVM_DEV_TYPE_XIVE is the 10th entry */
#ifndef KVM_DEV_TYPE_XIVE
#define KVM_DEV_TYPE_XIVE		9
#endif

#ifndef KVM_REG_PPC_VP_STATE
#define KVM_REG_PPC_VP_STATE		(0x1000000000000000ULL | \
					 0x0040000000000000ULL | 0x8d)
#endif

#ifndef KVM_DEV_XIVE_GRP_CTRL
/* Device attribute groups */
#define KVM_DEV_XIVE_GRP_CTRL		1
#define   KVM_DEV_XIVE_RESET		1
#define   KVM_DEV_XIVE_EQ_SYNC		2
#define   KVM_DEV_XIVE_NR_SERVERS	3
#define KVM_DEV_XIVE_GRP_SOURCE		2	/* 64-bit source identifier */
#define KVM_DEV_XIVE_GRP_SOURCE_CONFIG	3	/* 64-bit source identifier */
#define KVM_DEV_XIVE_GRP_EQ_CONFIG	4	/* 64-bit EQ identifier */
#define KVM_DEV_XIVE_GRP_SOURCE_SYNC	5	/* 64-bit source identifier */

/* GRP_SOURCE payload */
#define KVM_XIVE_LEVEL_SENSITIVE	(1ULL << 0)
#define KVM_XIVE_LEVEL_ASSERTED		(1ULL << 1)

/* GRP_SOURCE_CONFIG payload */
#define KVM_XIVE_SOURCE_PRIORITY_SHIFT	0
#define KVM_XIVE_SOURCE_PRIORITY_MASK	0x7
#define KVM_XIVE_SOURCE_SERVER_SHIFT	3
#define KVM_XIVE_SOURCE_SERVER_MASK	0xfffffff8ULL
#define KVM_XIVE_SOURCE_MASKED_SHIFT	32
#define KVM_XIVE_SOURCE_MASKED_MASK	0x100000000ULL
#define KVM_XIVE_SOURCE_EISN_SHIFT	33
#define KVM_XIVE_SOURCE_EISN_MASK	0xfffffffe00000000ULL

/* GRP_EQ_CONFIG attribute */
#define KVM_XIVE_EQ_PRIORITY_SHIFT	0
#define KVM_XIVE_EQ_PRIORITY_MASK	0x7
#define KVM_XIVE_EQ_SERVER_SHIFT	3
#define KVM_XIVE_EQ_SERVER_MASK		0xfffffff8ULL

/* GRP_EQ_CONFIG payload */
struct kvm_ppc_xive_eq {
	__u32 flags;
	__u32 qshift;
	__u64 qaddr;
	__u32 qtoggle;
	__u32 qindex;
	__u8  pad[40];
};

#define KVM_XIVE_EQ_ALWAYS_NOTIFY	0x00000001

/* mmap page offsets of the device fd */
#define KVM_XIVE_TIMA_PAGE_OFFSET	0
#define KVM_XIVE_ESB_PAGE_OFFSET	4
#endif /* KVM_DEV_XIVE_GRP_CTRL */

/* ESB management page offsets (loads), hardware-defined */
#ifndef XIVE_ESB_GET
#define XIVE_ESB_GET			0x800
#define XIVE_ESB_SET_PQ_00		0xc00
#define XIVE_ESB_SET_PQ_01		0xd00
#define XIVE_ESB_SET_PQ_10		0xe00
#define XIVE_ESB_SET_PQ_11		0xf00
#endif

#endif /* _UAPI_KVM_XIVE_NATIVE_H */
