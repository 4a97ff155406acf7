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
#include <linux/kref.h>
#include <linux/rwsem.h>

#include "book3s_xive.h"

/* File page offsets of the device's mmap space (see Documentation/) */
#define XIVE_NATIVE_TIMA_PAGES		4
#define XIVE_NATIVE_TIMA_OS_PAGE	2
#define XIVE_NATIVE_ESB_PAGES_PER_IRQ	2

/**
 * struct xive_native_block - a block of 1024 sources
 * @sb: the block as book3s_xive.c knows it (its lock guards @map_gen too)
 * @map_gen: per source, bumped whenever the hardware source behind the
 *	guest source changes (passthrough map/unmap); the fault handler
 *	re-checks it after inserting pages so that a page chosen before the
 *	change is never left mapped.
 */
struct xive_native_block {
	struct kvmppc_xive_src_block sb;
	u32 map_gen[KVMPPC_XICS_IRQ_PER_ICS];
};

/**
 * struct xive_native_stats - event counters, shown in debugfs
 * @esb_faults: ESB faults handled (each maps up to two pages)
 * @esb_pages: ESB pages inserted
 * @tima_faults: TIMA faults handled
 * @sigbus: faults refused (unset source, unbacked page, released device)
 * @stale: faults whose pages were withdrawn because the source changed
 * @zaps: per-IRQ zaps requested by the passthrough path
 * @zapped_pages: pages those zaps covered
 */
struct xive_native_stats {
	atomic64_t esb_faults;
	atomic64_t esb_pages;
	atomic64_t tima_faults;
	atomic64_t sigbus;
	atomic64_t stale;
	atomic64_t zaps;
	atomic64_t zapped_pages;
};

/**
 * struct xive_native - one KVM_DEV_TYPE_XIVE device
 * @xive: the per-VM XIVE state shared with book3s_xive.c
 * @kvm: the VM; only used while the device is alive
 * @kref: held by the device and by the private file
 * @teardown: read by the fault path, written once when the device goes
 * @released: set under @teardown (write) by release; faults then SIGBUS
 * @inode: private inode whose address_space holds every mapping of the
 *	device, so that zapping one IRQ touches no other device's pages
 * @file: private file the VMAs are switched to, backed by @inode
 * @dentry: debugfs file
 * @stats: counters
 */
struct xive_native {
	struct kvmppc_xive *xive;
	struct kvm *kvm;
	struct kref kref;
	struct rw_semaphore teardown;
	bool released;
	struct inode *inode;
	struct file *file;
	struct dentry *dentry;
	struct xive_native_stats stats;
};

static inline struct xive_native_block *
xive_native_block(struct kvmppc_xive_src_block *sb)
{
	return container_of(sb, struct xive_native_block, sb);
}

#endif /* _KVM_PPC_BOOK3S_XIVE_NATIVE_H */
