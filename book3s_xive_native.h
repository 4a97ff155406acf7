/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM XIVE native exploitation device (KVM_DEV_TYPE_XIVE): private state.
 *
 * The per-VM struct kvmppc_xive is shared with book3s_xive.c (irq bypass,
 * vCPU push/pull, escalations) and keeps its layout.  What only this device
 * needs lives beside it in struct xive_native, which is reference counted
 * because the VMAs of the device's private file may outlive the device.
 */
#ifndef _KVM_PPC_BOOK3S_XIVE_NATIVE_H
#define _KVM_PPC_BOOK3S_XIVE_NATIVE_H

#include <linux/atomic.h>
#include <linux/irqdomain.h>
#include <linux/kref.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/version.h>

#include "book3s_xive.h"

/*
 * XN-COMPAT: the kernels this file is built for (6.1, 6.12, 7.2).  This section
 * is the only place that knows kernel versions (make host-checks enforces
 * it): the code uses the newest API, older kernels get it from here.
 */
#if KERNEL_VERSION(6, 3, 0) > LINUX_VERSION_CODE
/* vma->vm_flags is read-only from 6.3 on */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * xive_cleanup_single_escalation() lost its unused xc argument in 6.2
 * ("powerpc/xive: remove unused parameter", in powerpc-6.2-1)
 */
static inline void xn_cleanup_single_escalation(struct kvm_vcpu *vcpu,
						struct kvmppc_xive_vcpu *xc,
						int irq)
{
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
	xive_cleanup_single_escalation(vcpu, xc, irq);
#else
	xive_cleanup_single_escalation(vcpu, irq);
#endif
}

/* gfn_to_page() returns NULL on failure from 6.13, an error page before */
static inline bool xn_gfn_page_bad(struct page *page)
{
#if KERNEL_VERSION(6, 13, 0) > LINUX_VERSION_CODE
	return is_error_page(page);
#else
	return !page;
#endif
}

#if KERNEL_VERSION(6, 15, 0) > LINUX_VERSION_CODE
/* irq_get_default_host() is irq_get_default_domain() from 6.15 on */
static inline struct irq_domain *irq_get_default_domain(void)
{
	return irq_get_default_host();
}
#endif

/*
 * kzalloc_obj() and kvzalloc_obj() came with 7.0 and were taken into the
 * 6.12 and 6.18 stable trees (6.12.107 has them, 6.1.176 not): tested by
 * name, not by version.
 */
#ifndef kzalloc_obj
#define kzalloc_obj(p, gfp)	kzalloc(sizeof(p), gfp)
#endif
#ifndef kvzalloc_obj
#define kvzalloc_obj(p, gfp)	kvzalloc(sizeof(p), gfp)
#endif

/* XN-COMPAT end */

/*
 * The device's mmap space is counted in 64K "XIVE pages" on every host, as
 * QEMU computes its offsets (see Documentation/): on a host with smaller
 * pages each XIVE page is XIVE_NATIVE_PIECES host pages, and the hardware
 * pages behind them (ESB, TIMA) are 64K too.
 */
#define XIVE_NATIVE_XPAGE_SHIFT		16
#define XIVE_NATIVE_XPAGE_SIZE		BIT(XIVE_NATIVE_XPAGE_SHIFT)
#define XIVE_NATIVE_PIECES		(1UL << (XIVE_NATIVE_XPAGE_SHIFT - PAGE_SHIFT))

/* XIVE page offsets of the device's mmap space */
#define XIVE_NATIVE_TIMA_PAGES		4
#define XIVE_NATIVE_TIMA_OS_PAGE	2
#define XIVE_NATIVE_ESB_PAGES_PER_IRQ	2

/* The one EQ size: 64K, the only one QEMU's pseries guests are offered */
#define XIVE_NATIVE_EQ_SHIFT		16

/**
 * struct xive_native_stats - event counters, shown in debugfs
 * @esb_faults: ESB faults handled (each maps up to two pages)
 * @esb_pages: ESB pages inserted, in XIVE pages (one however many of its
 *	host pages a fault inserted)
 * @tima_faults: TIMA faults handled
 * @sigbus: faults refused (unset source, unbacked page, released device)
 * @zaps: per-IRQ zaps requested by the passthrough path
 * @zapped_pages: XIVE pages those zaps covered
 */
struct xive_native_stats {
	atomic64_t esb_faults;
	atomic64_t esb_pages;
	atomic64_t tima_faults;
	atomic64_t sigbus;
	atomic64_t zaps;
	atomic64_t zapped_pages;
};

/**
 * struct xive_native - one KVM_DEV_TYPE_XIVE device
 * @xive: the per-VM XIVE state shared with book3s_xive.c
 * @kvm: the VM; only used while the device is alive
 * @kref: held by the device and by the private file
 * @map_sem: held for read across every fault (the page is chosen and
 *	inserted under it); for write while the page behind a source may
 *	change: source creation, a passthrough remap, release
 * @released: set under @map_sem (write) by release; faults then SIGBUS
 * @remap_irq: the source being remapped, under @map_sem (write)
 * @remap_pq: its PQ bits when the remap began, given to the new source
 * @fault_hold_us: test-only (debugfs): a fault sleeps this long between
 *	choosing its page and inserting it, to widen any window there
 * @fail_eq_start: test-only (debugfs): how many of the next EQ_CONFIG sets
 *	fail, with -EIO, once their queue is configured, as when OPAL refuses
 *	the queue state or the escalation (unreachable from userspace)
 * @stale_ipi: test-only (debugfs): how many of the next new IPIs are
 *	handed over routed (server 0, priority 5, PQ 00), as by firmware
 *	that does not mask the IPIs it allocates
 * @inode: private inode whose address_space holds every mapping of the
 *	device, so that zapping one IRQ touches no other device's pages
 * @file: private file the VMAs are switched to, backed by @inode
 * @dentry: debugfs file
 * @hold_dentry: debugfs file of @fault_hold_us
 * @stats: counters
 */
struct xive_native {
	struct kvmppc_xive *xive;
	struct kvm *kvm;
	struct kref kref;
	struct rw_semaphore map_sem;
	bool released;
	u32 remap_irq;
	u8 remap_pq;
	u32 fault_hold_us;
	atomic_t fail_eq_start;
	atomic_t stale_ipi;
	struct inode *inode;
	struct file *file;
	struct dentry *dentry;
	struct dentry *hold_dentry;
	struct xive_native_stats stats;
};

#endif /* _KVM_PPC_BOOK3S_XIVE_NATIVE_H */
