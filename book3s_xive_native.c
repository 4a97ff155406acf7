// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM XIVE native exploitation device (KVM_DEV_TYPE_XIVE) for POWER9 and
 * later hosts running XIVE natively (PowerNV, HV mode).
 *
 * The guest owns its interrupt controller state: it routes sources to event
 * queues (EQs) in its own memory and manipulates each source's PQ bits by
 * loads/stores on the source's ESB pages.  Userspace (QEMU) creates the
 * sources and EQs through device attributes and maps two windows of the
 * device fd into the guest: the thread interrupt management area (TIMA) at
 * offset 0 and the ESB pages from 4 * 64K on, two per source.  Offsets are
 * counted in 64K "XIVE pages" whatever the host's page size, as QEMU does:
 * on a 4K host each is 16 host pages, all inserted by the same fault.
 *
 * Nothing is mapped at mmap time.  The fault handler turns the file page
 * offset into (source, page kind) and inserts the page of the hardware
 * source currently behind it: the IPI allocated for the source, or the
 * PHB's interrupt once VFIO passthrough mapped it.  Passthrough changes are
 * followed by zapping exactly that source's two pages in the device's own
 * address_space (a private inode on a small pseudo filesystem), so the next
 * guest access faults the right page in.
 *
 * The sequences the hardware imposes on a vCPU's connection and teardown
 * (kvmppc_xive_native_connect_vcpu(), kvmppc_xive_native_cleanup_vcpu())
 * follow those of the Linux device this one replaces, Copyright (c)
 * 2017-2019, IBM Corporation.
 *
 * Locking, outermost first:
 *
 *   kvm->lock		KVM core, around ->create and ->release (not
 *			->init); also held by kvm-hv around
 *			kvmppc_xive_{set,clr}_mapped().
 *   vcpu->mutex	vCPU ioctls: connect (ENABLE_CAP) and VP_STATE.
 *   xive->lock		this device's configuration: sources, EQs, VPs.
 *   mmap_lock		the faulting process's, around our fault handler.
 *   xn->map_sem	which page backs an ESB page offset: held for read
 *			across each fault, from choosing the hardware source
 *			to inserting its page; for write around everything
 *			that changes that choice (source creation, the
 *			passthrough remap between xn_remap_begin() and
 *			xn_remap_end(), release).
 *   sb->lock		arch spinlock per block of 1024 sources, shared
 *			with book3s_xive.c: a source's targeting and its
 *			IPI/passthrough switch (set/clr_mapped).
 *
 * The invariant the fault path relies on: a page is inserted only by a
 * fault that chose it under the same read hold of map_sem, and the hardware
 * source behind a guest source changes only under map_sem held for write,
 * with its pages zapped first.  So no page can be mapped after the source
 * it was chosen for has been switched away.  The fault path takes no other
 * lock of ours, in particular no sb->lock and no xive->lock: EQ setup
 * calls gfn_to_page() (mmap_lock) with xive->lock held, and a user buffer
 * given to an attribute could itself be a mapping of this device.
 * sb->lock is only ever taken by trylock-and-yield here (xn_lock_sb()).
 */

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/irqdomain.h>
#include <linux/interrupt.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/kvm_book3s.h>
#include <asm/kvm_ppc.h>
#include <asm/opal.h>
#include <asm/xive.h>
#include <asm/xive-regs.h>

#include "book3s_xive_native.h"

#define CREATE_TRACE_POINTS
#include "trace_xive_native.h"

#define XIVE_NATIVE_FS_MAGIC	0x58495645	/* "XIVE" */

/* ---------------------------------------------------------------------
 * ABI decoding
 */

struct xn_src_cfg {
	u8 prio;
	u32 server;
	bool masked;
	u32 eisn;
};

static void xn_decode_src_cfg(u64 val, struct xn_src_cfg *c)
{
	c->prio = (val & KVM_XIVE_SOURCE_PRIORITY_MASK) >>
		KVM_XIVE_SOURCE_PRIORITY_SHIFT;
	c->server = (val & KVM_XIVE_SOURCE_SERVER_MASK) >>
		KVM_XIVE_SOURCE_SERVER_SHIFT;
	c->masked = (val & KVM_XIVE_SOURCE_MASKED_MASK) >>
		KVM_XIVE_SOURCE_MASKED_SHIFT;
	c->eisn = (val & KVM_XIVE_SOURCE_EISN_MASK) >>
		KVM_XIVE_SOURCE_EISN_SHIFT;
}

static void xn_decode_eq_id(u64 attr, u32 *server, u8 *prio)
{
	*prio = (attr & KVM_XIVE_EQ_PRIORITY_MASK) >>
		KVM_XIVE_EQ_PRIORITY_SHIFT;
	*server = (attr & KVM_XIVE_EQ_SERVER_MASK) >> KVM_XIVE_EQ_SERVER_SHIFT;
}

/* Priorities 0-6 are the guest's; 7 is reserved for escalations. */
static bool xn_prio_valid(u8 prio)
{
	return prio == xive_prio_from_guest(prio);
}

/*
 * kvmppc_pack_vcpu_id() WARNs on server numbers it cannot pack, and server
 * numbers come from userspace: refuse them first, with the same arithmetic.
 */
static bool xn_server_packable(struct kvm *kvm, u32 server)
{
	static const u8 block_offsets[MAX_SMT_THREADS] = {0, 4, 2, 6, 1, 5, 3, 7};
	int stride = kvm->arch.emul_smt_mode;
	u32 block;

	if (server >= KVM_MAX_VCPU_IDS || !stride)
		return false;
	block = (server / KVM_MAX_VCPUS) * (MAX_SMT_THREADS / stride);
	if (block >= MAX_SMT_THREADS)
		return false;
	return server % KVM_MAX_VCPUS + block_offsets[block] < KVM_MAX_VCPUS;
}

/*
 * A server number the hardware can be pointed at: one that packs to a VP
 * of this VM's block (kvmppc_xive_vp()), whether a vCPU is connected there
 * or not.  Masked sources are held to it too: book3s_xive.c targets a
 * passed-through interrupt at kvmppc_xive_vp(act_server) whatever its
 * priority, and OPAL points even a masked EAS at that VP.
 */
static bool xn_server_in_block(struct kvmppc_xive *xive, u32 server)
{
	return xn_server_packable(xive->kvm, server) &&
	       kvmppc_pack_vcpu_id(xive->kvm, server) < xive->nr_servers;
}

/* ---------------------------------------------------------------------
 * Hardware helpers
 */

/* ESB management loads return the previous PQ in the low two bits. */
static u8 xn_esb_load(struct xive_irq_data *xd, u32 offset)
{
	return in_be64(xd->eoi_mmio + offset) & (XIVE_ESB_VAL_P | XIVE_ESB_VAL_Q);
}

/*
 * sb->lock may be held across an OPAL call that sleeps (set/clr_mapped,
 * our configuration paths).  We never spin on it without yielding
 * meanwhile: on a kernel without full preemption the holder might
 * otherwise never run.
 */
static void xn_lock_sb(struct kvmppc_xive_src_block *sb)
{
	while (!arch_spin_trylock(&sb->lock))
		cond_resched();
}

static void xn_unlock_sb(struct kvmppc_xive_src_block *sb)
{
	arch_spin_unlock(&sb->lock);
}

/* @irq is the attribute's 64-bit source number: never truncated */
static struct kvmppc_xive_src_block *
xn_find_sb(struct kvmppc_xive *xive, u64 irq, u16 *idx)
{
	u32 bid = irq >> KVMPPC_XICS_ICS_SHIFT;

	*idx = irq & KVMPPC_XICS_SRC_MASK;
	if (irq >= KVMPPC_XIVE_NR_IRQS)
		return NULL;
	/* Pairs with the release store in xn_get_sb() */
	return smp_load_acquire(&xive->src_blocks[bid]);
}

static struct kvmppc_xive_src_block *
xn_get_sb(struct kvmppc_xive *xive, u32 irq, u16 *idx)
{
	struct kvmppc_xive_src_block *sb = xn_find_sb(xive, irq, idx);
	u32 bid = irq >> KVMPPC_XICS_ICS_SHIFT;
	int i;

	lockdep_assert_held(&xive->lock);

	if (sb)
		return sb;

	sb = kvzalloc_obj(*sb, GFP_KERNEL_ACCOUNT);
	if (!sb)
		return NULL;
	sb->lock = (arch_spinlock_t)__ARCH_SPIN_LOCK_UNLOCKED;
	sb->id = bid;
	for (i = 0; i < KVMPPC_XICS_IRQ_PER_ICS; i++) {
		struct kvmppc_xive_irq_state *state = &sb->irq_state[i];

		state->number = (bid << KVMPPC_XICS_ICS_SHIFT) | i;
		/*
		 * XICS masking, which this device does not use: the guest
		 * masks through PQ.  It stays MASKED, so that set/clr_mapped
		 * leave PQ alone (xn_remap_end() moves it).
		 */
		state->guest_priority = MASKED;
		state->saved_priority = MASKED;
		state->act_priority = MASKED;
	}
	if (bid > xive->max_sbid)
		xive->max_sbid = bid;
	/* Publish the initialised block to the lockless fault path */
	smp_store_release(&xive->src_blocks[bid], sb);
	return sb;
}

/*
 * The next allocated block of sources from *bid on, or NULL:
 *	for (bid = 0; (sb = xn_next_sb(xive, &bid)); bid++)
 */
static struct kvmppc_xive_src_block *xn_next_sb(struct kvmppc_xive *xive,
						u32 *bid)
{
	for (; *bid <= xive->max_sbid; (*bid)++) {
		if (xive->src_blocks[*bid])
			return xive->src_blocks[*bid];
	}
	return NULL;
}

static void xn_mask_hw(struct kvmppc_xive_irq_state *state)
{
	u32 hw_num;
	struct xive_irq_data *xd;

	kvmppc_xive_select_irq(state, &hw_num, &xd);
	xn_esb_load(xd, XIVE_ESB_SET_PQ_01);
	xive_native_configure_irq(hw_num, 0, MASKED, 0);
}

/* Back to a valid, masked and untargeted source. */
static void xn_reset_source(struct kvmppc_xive_irq_state *state)
{
	state->act_priority = MASKED;
	state->guest_priority = MASKED;
	state->act_server = 0;
	state->eisn = 0;
	xn_mask_hw(state);
}

/* ---------------------------------------------------------------------
 * Sources
 */

/*
 * Test-only: a new IPI as firmware that does not mask the IPIs it
 * allocates would hand it over, routed to server 0's priority 5 with its
 * own number as EISN and PQ 00, so that a test can see the device mask it.
 */
static void xn_stale_ipi(struct xive_native *xn,
			 struct kvmppc_xive_irq_state *state)
{
	if (atomic_dec_if_positive(&xn->stale_ipi) < 0)
		return;
	xive_native_configure_irq(state->ipi_number,
				  kvmppc_xive_vp(xn->xive, 0), 5,
				  state->number);
	xn_esb_load(&state->ipi_data, XIVE_ESB_SET_PQ_00);
}

/*
 * KVM_DEV_XIVE_GRP_SOURCE: create (or re-create) a source.  It gets an IPI
 * of its own for its lifetime in the device, and ends up masked.
 */
static int xn_set_source(struct xive_native *xn, u64 irq, u64 addr)
{
	struct kvmppc_xive *xive = xn->xive;
	u64 __user *ubufp = (u64 __user *)addr;
	struct kvmppc_xive_irq_state *state;
	struct kvmppc_xive_src_block *sb;
	struct xive_irq_data xd;
	u32 hw_num = 0;
	u64 val;
	u16 idx;
	int rc = 0;

	if (irq >= KVMPPC_XIVE_NR_IRQS)
		return -E2BIG;
	if (get_user(val, ubufp))
		return -EFAULT;

	mutex_lock(&xive->lock);
	sb = xn_get_sb(xive, irq, &idx);
	if (!sb) {
		rc = -ENOMEM;
		goto out;
	}
	state = &sb->irq_state[idx];

	if (!state->ipi_number) {
		hw_num = xive_native_alloc_irq();
		if (!hw_num) {
			rc = -ENXIO;
			goto out;
		}
		if (xive_native_populate_irq_data(hw_num, &xd)) {
			xive_cleanup_irq_data(&xd);
			xive_native_free_irq(hw_num);
			rc = -ENXIO;
			goto out;
		}
	}

	/* The page behind the source changes when it gets its IPI. */
	down_write(&xn->map_sem);
	xn_lock_sb(sb);
	state->lsi = !!(val & KVM_XIVE_LEVEL_SENSITIVE);
	state->asserted = state->lsi && (val & KVM_XIVE_LEVEL_ASSERTED);
	if (hw_num) {
		/*
		 * A new source: its targeting is still the block's initial
		 * (masked) one.  Its EAS is masked explicitly rather than
		 * trusted to be: OPAL's allocation writes it masked today,
		 * but only in memory, and nothing documents it.
		 */
		state->ipi_number = hw_num;
		state->ipi_data = xd;
		xn_stale_ipi(xn, state);
		xn_mask_hw(state);
	} else {
		xn_reset_source(state);
	}
	if (!state->valid)
		xive->src_count++;
	state->valid = true;
	xn_unlock_sb(sb);
	up_write(&xn->map_sem);
out:
	mutex_unlock(&xive->lock);
	return rc;
}

/* KVM_DEV_XIVE_GRP_SOURCE_CONFIG: route a source to (server, prio) */
static int xn_set_source_config(struct xive_native *xn, u64 irq, u64 addr)
{
	struct kvmppc_xive *xive = xn->xive;
	u64 __user *ubufp = (u64 __user *)addr;
	struct kvmppc_xive_irq_state *state;
	struct kvmppc_xive_src_block *sb;
	struct xn_src_cfg cfg;
	struct kvm_vcpu *vcpu;
	u32 hw_num, vp_id = 0;
	u64 val;
	u16 idx;
	int rc;

	sb = xn_find_sb(xive, irq, &idx);
	if (!sb)
		return -ENOENT;
	if (get_user(val, ubufp))
		return -EFAULT;
	xn_decode_src_cfg(val, &cfg);
	if (!xn_prio_valid(cfg.prio))
		return -EINVAL;

	mutex_lock(&xive->lock);
	state = &sb->irq_state[idx];
	if (!state->valid) {
		rc = -EINVAL;
		goto out;
	}
	/* Masked or not, the server stays the source's target. */
	if (!xn_server_in_block(xive, cfg.server)) {
		rc = -EINVAL;
		goto out;
	}
	if (!cfg.masked) {
		/* The target must exist and have that queue configured. */
		vcpu = kvmppc_xive_find_server(xn->kvm, cfg.server);
		if (!vcpu) {
			rc = -EINVAL;
			goto out;
		}
		if (!vcpu->arch.xive_vcpu->queues[cfg.prio].qpage) {
			rc = -ENXIO;
			goto out;
		}
		vp_id = kvmppc_xive_vp(xive, cfg.server);
	}

	xn_lock_sb(sb);
	state->act_server = cfg.server;
	state->eisn = cfg.eisn;
	state->act_priority = cfg.masked ? MASKED : cfg.prio;
	kvmppc_xive_select_irq(state, &hw_num, NULL);
	if (cfg.masked)
		rc = xive_native_configure_irq(hw_num, 0, MASKED, 0);
	else
		rc = xive_native_configure_irq(hw_num, vp_id, cfg.prio,
					       cfg.eisn);
	xn_unlock_sb(sb);
out:
	mutex_unlock(&xive->lock);
	return rc;
}

/* KVM_DEV_XIVE_GRP_SOURCE_SYNC: flush in-flight events of one source */
static int xn_source_sync(struct xive_native *xn, u64 irq)
{
	struct kvmppc_xive *xive = xn->xive;
	struct kvmppc_xive_irq_state *state;
	struct kvmppc_xive_src_block *sb;
	u32 hw_num;
	u16 idx;
	int rc = 0;

	sb = xn_find_sb(xive, irq, &idx);
	if (!sb)
		return -ENOENT;
	state = &sb->irq_state[idx];

	mutex_lock(&xive->lock);
	xn_lock_sb(sb);
	if (state->valid) {
		kvmppc_xive_select_irq(state, &hw_num, NULL);
		xive_native_sync_source(hw_num);
	} else {
		rc = -EINVAL;
	}
	xn_unlock_sb(sb);
	mutex_unlock(&xive->lock);
	return rc;
}

/* ---------------------------------------------------------------------
 * Event queues
 */

/*
 * Host pages under a queue of 2^@qshift bytes: one on a 64K host, 16 for
 * a 64K queue on a 4K host.
 */
static unsigned int xn_eq_pages(u32 qshift)
{
	return qshift > PAGE_SHIFT ? 1U << (qshift - PAGE_SHIFT) : 1;
}

/* Drop the guest pages of a queue the hardware does not use. */
static void xn_release_qpages(__be32 *qpage, u32 qshift)
{
	unsigned long pfn = page_to_pfn(virt_to_page(qpage));
	unsigned int i;

	for (i = 0; i < xn_eq_pages(qshift); i++)
		kvm_release_page_dirty(pfn_to_page(pfn + i));
}

static void xn_put_qpage(struct xive_q *q, __be32 *qpage)
{
	if (qpage)
		xn_release_qpages(qpage, q->guest_qshift);
	q->guest_qaddr = 0;
	q->guest_qshift = 0;
}

/*
 * Take the guest pages of a queue at @gpa.  The hardware writes the queue
 * by its physical address as one block: on a host whose pages are smaller
 * than the queue, its host pages must be physically contiguous (guest
 * memory backed by transparent huge pages or hugetlbfs).  Returns the
 * first page, each page holding a reference; or -EINVAL (not guest
 * memory) or -EOPNOTSUPP (not contiguous), with nothing held.
 */
static struct page *xn_get_qpages(struct kvm *kvm, u64 gpa, u32 qshift)
{
	unsigned int i, n = xn_eq_pages(qshift);
	struct page *page, *first = NULL;
	int srcu_idx, rc = 0;

	srcu_idx = srcu_read_lock(&kvm->srcu);
	for (i = 0; i < n; i++) {
		page = gfn_to_page(kvm, gpa_to_gfn(gpa) + i);
		if (xn_gfn_page_bad(page)) {
			rc = -EINVAL;
			break;
		}
		if (!first) {
			first = page;
		} else if (page_to_pfn(page) != page_to_pfn(first) + i) {
			put_page(page);
			rc = -EOPNOTSUPP;
			break;
		}
	}
	srcu_read_unlock(&kvm->srcu, srcu_idx);
	if (!rc)
		return first;
	while (i--)
		put_page(pfn_to_page(page_to_pfn(first) + i));
	if (rc == -EOPNOTSUPP)
		pr_warn_ratelimited("kvm-xive-native: EQ at guest address 0x%llx refused: its %u host pages are not physically contiguous (back guest memory with huge pages: THP or hugetlbfs)\n",
				    gpa, n);
	return ERR_PTR(rc);
}

/*
 * Leave a queue enabled without a page: events for it escalate but are
 * not enqueued.  (A queue never configured is disabled, as connect left
 * it.)  Either way SOURCE_CONFIG routes nothing to it: it has no page.
 */
static int xn_reset_queue(struct kvmppc_xive_vcpu *xc, u8 prio)
{
	struct xive_q *q = &xc->queues[prio];
	__be32 *old = q->qpage;
	int rc;

	rc = xive_native_configure_queue(xc->vp_id, q, prio, NULL, 0, true);
	if (rc)
		return rc;	/* the hardware may still use the old page */
	xn_put_qpage(q, old);
	return 0;
}

static int xn_attach_escalation(struct kvm_vcpu *vcpu, u8 prio)
{
	struct kvmppc_xive_vcpu *xc = vcpu->arch.xive_vcpu;

	/* A single escalation per VP is attached at connect time. */
	if (kvmppc_xive_has_single_escalation(xc->xive))
		return 0;
	return kvmppc_xive_attach_escalation(vcpu, prio, false);
}

/*
 * A configured queue's producer position and escalation.  Configuring
 * leaves the queue at index 0, generation 1: what a new queue is given.
 * Anything else is a restore (migration).
 */
static int xn_start_queue(struct xive_native *xn, struct kvm_vcpu *vcpu,
			  u8 prio, const struct kvm_ppc_xive_eq *eq)
{
	struct kvmppc_xive_vcpu *xc = vcpu->arch.xive_vcpu;
	int rc;

	/* Test-only: the OPAL failures no user input can cause */
	if (atomic_dec_if_positive(&xn->fail_eq_start) >= 0)
		return -EIO;
	if (eq->qtoggle != 1 || eq->qindex) {
		rc = xive_native_set_queue_state(xc->vp_id, prio, eq->qtoggle,
						 eq->qindex);
		if (rc)
			return rc;
	}
	return xn_attach_escalation(vcpu, prio);
}

/* The vCPU an EQ identifier names; connections change under xive->lock */
static struct kvm_vcpu *xn_eq_vcpu(struct xive_native *xn, u64 attr,
				   u8 *prio, int *rc)
{
	struct kvm_vcpu *vcpu;
	u32 server;

	lockdep_assert_held(&xn->xive->lock);

	xn_decode_eq_id(attr, &server, prio);
	vcpu = kvmppc_xive_find_server(xn->kvm, server);
	if (!vcpu) {
		*rc = -ENOENT;
		return NULL;
	}
	if (!xn_prio_valid(*prio)) {
		*rc = -EINVAL;
		return NULL;
	}
	return vcpu;
}

/* KVM_DEV_XIVE_GRP_EQ_CONFIG (set) */
static int xn_set_eq(struct xive_native *xn, u64 attr, u64 addr)
{
	struct kvm_ppc_xive_eq __user *ubuf = (void __user *)addr;
	struct kvmppc_xive *xive = xn->xive;
	struct kvm *kvm = xn->kvm;
	struct kvmppc_xive_vcpu *xc;
	struct kvm_ppc_xive_eq eq;
	struct kvm_vcpu *vcpu;
	struct page *page;
	__be32 *old, *qpage;
	struct xive_q *q;
	int rc;
	u8 prio;

	mutex_lock(&xive->lock);
	vcpu = xn_eq_vcpu(xn, attr, &prio, &rc);
	if (!vcpu)
		goto out;
	rc = -EFAULT;
	if (copy_from_user(&eq, ubuf, sizeof(eq)))
		goto out;
	xc = vcpu->arch.xive_vcpu;
	q = &xc->queues[prio];

	/* qshift 0 resets the queue, whatever the other fields say */
	if (!eq.qshift) {
		rc = xn_reset_queue(xc, prio);
		goto out;
	}

	/* The only flag, and a required one: unknown flags are refused. */
	rc = -EINVAL;
	if (eq.flags != KVM_XIVE_EQ_ALWAYS_NOTIFY)
		goto out;
	/* One queue size, 64K on every host */
	if (eq.qshift != XIVE_NATIVE_EQ_SHIFT)
		goto out;
	if (eq.qaddr & ((1ull << eq.qshift) - 1))
		goto out;
	/*
	 * A restored position lies in the queue: OPAL stores it unchecked,
	 * and the next event would be written at qaddr + 4 * qindex.
	 */
	if (eq.qtoggle > 1 || eq.qindex >= 1u << (eq.qshift - 2))
		goto out;

	page = xn_get_qpages(kvm, eq.qaddr, eq.qshift);
	if (IS_ERR(page)) {
		rc = PTR_ERR(page);
		goto out;
	}
	qpage = page_address(page) + offset_in_page(eq.qaddr);

	old = q->qpage;
	rc = xive_native_configure_queue(xc->vp_id, q, prio, qpage, eq.qshift,
					 true);
	if (rc) {
		xn_release_qpages(qpage, eq.qshift);
		goto out;
	}
	xn_put_qpage(q, old);
	q->guest_qaddr = eq.qaddr;
	q->guest_qshift = eq.qshift;
	rc = xn_start_queue(xn, vcpu, prio, &eq);
	/* A failed set leaves no live queue, nor its page pinned. */
	if (rc)
		xn_reset_queue(xc, prio);
out:
	mutex_unlock(&xive->lock);
	return rc;
}

/* KVM_DEV_XIVE_GRP_EQ_CONFIG (get): a queue never set reads as reset */
static int xn_get_eq(struct xive_native *xn, u64 attr, u64 addr)
{
	struct kvm_ppc_xive_eq __user *ubuf = (void __user *)addr;
	struct kvmppc_xive *xive = xn->xive;
	struct kvmppc_xive_vcpu *xc;
	struct kvm_ppc_xive_eq eq;
	struct kvm_vcpu *vcpu;
	struct xive_q *q;
	int rc = 0;
	u8 prio;

	memset(&eq, 0, sizeof(eq));
	mutex_lock(&xive->lock);
	vcpu = xn_eq_vcpu(xn, attr, &prio, &rc);
	if (!vcpu) {
		mutex_unlock(&xive->lock);
		return rc;
	}
	xc = vcpu->arch.xive_vcpu;
	q = &xc->queues[prio];
	if (q->qpage) {
		eq.flags = KVM_XIVE_EQ_ALWAYS_NOTIFY;
		eq.qshift = q->guest_qshift;
		eq.qaddr = q->guest_qaddr;
		rc = xive_native_get_queue_state(xc->vp_id, prio, &eq.qtoggle,
						 &eq.qindex);
	}
	mutex_unlock(&xive->lock);
	if (rc)
		return rc;
	if (copy_to_user(ubuf, &eq, sizeof(eq)))
		return -EFAULT;
	return 0;
}

/* ---------------------------------------------------------------------
 * Device control
 */

/* KVM_DEV_XIVE_RESET: every queue reset, every source masked */
static int xn_reset(struct xive_native *xn)
{
	struct kvmppc_xive *xive = xn->xive;
	struct kvmppc_xive_src_block *sb;
	struct kvm_vcpu *vcpu;
	unsigned long i;
	int prio, j, rc = 0;
	u32 bid;

	mutex_lock(&xive->lock);
	kvm_for_each_vcpu(i, vcpu, xn->kvm) {
		struct kvmppc_xive_vcpu *xc = vcpu->arch.xive_vcpu;

		if (!xc)
			continue;
		for (prio = 0; prio < KVMPPC_XIVE_Q_COUNT; prio++) {
			if (xc->queues[prio].qpage)
				rc = xn_reset_queue(xc, prio) ?: rc;
		}
	}

	for (bid = 0; (sb = xn_next_sb(xive, &bid)); bid++) {
		xn_lock_sb(sb);
		for (j = 0; j < KVMPPC_XICS_IRQ_PER_ICS; j++) {
			if (sb->irq_state[j].valid)
				xn_reset_source(&sb->irq_state[j]);
		}
		xn_unlock_sb(sb);
	}
	mutex_unlock(&xive->lock);
	return rc;
}

/*
 * KVM_DEV_XIVE_EQ_SYNC: flush in-flight notifications of every source to
 * the queues, then mark the queue pages dirty for migration.
 */
static int xn_eq_sync(struct xive_native *xn)
{
	struct kvmppc_xive *xive = xn->xive;
	struct kvm *kvm = xn->kvm;
	struct kvmppc_xive_src_block *sb;
	struct kvm_vcpu *vcpu;
	unsigned long i;
	int prio, j, srcu_idx;
	u32 hw_num, bid;

	mutex_lock(&xive->lock);
	for (bid = 0; (sb = xn_next_sb(xive, &bid)); bid++) {
		xn_lock_sb(sb);
		for (j = 0; j < KVMPPC_XICS_IRQ_PER_ICS; j++) {
			struct kvmppc_xive_irq_state *state = &sb->irq_state[j];

			if (!state->valid || state->act_priority == MASKED)
				continue;
			kvmppc_xive_select_irq(state, &hw_num, NULL);
			xive_native_sync_source(hw_num);
			xive_native_sync_queue(hw_num);
		}
		xn_unlock_sb(sb);
	}

	srcu_idx = srcu_read_lock(&kvm->srcu);
	kvm_for_each_vcpu(i, vcpu, kvm) {
		struct kvmppc_xive_vcpu *xc = vcpu->arch.xive_vcpu;

		if (!xc)
			continue;
		for (prio = 0; prio < KVMPPC_XIVE_Q_COUNT; prio++) {
			struct xive_q *q = &xc->queues[prio];

			for (j = 0; q->qpage && j < xn_eq_pages(q->guest_qshift); j++)
				mark_page_dirty(kvm, gpa_to_gfn(q->guest_qaddr) + j);
		}
	}
	srcu_read_unlock(&kvm->srcu, srcu_idx);
	mutex_unlock(&xive->lock);
	return 0;
}

/* ---------------------------------------------------------------------
 * Attribute dispatch
 */

static int xn_set_attr(struct kvm_device *dev, struct kvm_device_attr *attr)
{
	struct xive_native *xn = dev->private;

	switch (attr->group) {
	case KVM_DEV_XIVE_GRP_CTRL:
		switch (attr->attr) {
		case KVM_DEV_XIVE_RESET:
			return xn_reset(xn);
		case KVM_DEV_XIVE_EQ_SYNC:
			return xn_eq_sync(xn);
		case KVM_DEV_XIVE_NR_SERVERS:
			return kvmppc_xive_set_nr_servers(xn->xive, attr->addr);
		}
		break;
	case KVM_DEV_XIVE_GRP_SOURCE:
		return xn_set_source(xn, attr->attr, attr->addr);
	case KVM_DEV_XIVE_GRP_SOURCE_CONFIG:
		return xn_set_source_config(xn, attr->attr,
						     attr->addr);
	case KVM_DEV_XIVE_GRP_EQ_CONFIG:
		return xn_set_eq(xn, attr->attr, attr->addr);
	case KVM_DEV_XIVE_GRP_SOURCE_SYNC:
		return xn_source_sync(xn, attr->attr);
	}
	return -ENXIO;
}

static int xn_get_attr(struct kvm_device *dev, struct kvm_device_attr *attr)
{
	struct xive_native *xn = dev->private;

	if (attr->group == KVM_DEV_XIVE_GRP_EQ_CONFIG)
		return xn_get_eq(xn, attr->attr, attr->addr);
	return -ENXIO;
}

static int xn_has_attr(struct kvm_device *dev, struct kvm_device_attr *attr)
{
	switch (attr->group) {
	case KVM_DEV_XIVE_GRP_CTRL:
		switch (attr->attr) {
		case KVM_DEV_XIVE_RESET:
		case KVM_DEV_XIVE_EQ_SYNC:
		case KVM_DEV_XIVE_NR_SERVERS:
			return 0;
		}
		break;
	case KVM_DEV_XIVE_GRP_SOURCE:
	case KVM_DEV_XIVE_GRP_SOURCE_CONFIG:
	case KVM_DEV_XIVE_GRP_SOURCE_SYNC:
		if (attr->attr < KVMPPC_XIVE_NR_IRQS)
			return 0;
		break;
	case KVM_DEV_XIVE_GRP_EQ_CONFIG:
		return 0;
	}
	return -ENXIO;
}

/* ---------------------------------------------------------------------
 * vCPUs
 */

/*
 * Undo kvmppc_xive_attach_escalation() for every priority that has one.
 * The escalation's ESB is in the VP's END: it can only be masked and
 * freed while the VP, and so its ENDs, are enabled (once disabled, the
 * END's ESB loads return all ones and free_irq() records a bogus state).
 */
static void xn_free_escalations(struct kvm_vcpu *vcpu,
				struct kvmppc_xive_vcpu *xc)
{
	bool single = kvmppc_xive_has_single_escalation(xc->xive);
	int prio;

	for (prio = 0; prio < KVMPPC_XIVE_Q_COUNT; prio++) {
		unsigned int virq = xc->esc_virq[prio];

		if (!virq)
			continue;
		if (single)
			xn_cleanup_single_escalation(vcpu, xc, virq);
		free_irq(virq, vcpu);
		irq_dispose_mapping(virq);
		kfree(xc->esc_virq_names[prio]);
		xc->esc_virq_names[prio] = NULL;
		xc->esc_virq[prio] = 0;
	}
}

/**
 * kvmppc_xive_native_connect_vcpu - connect a vCPU to the device
 * @dev: a device fd's device, of any type
 * @vcpu: the vCPU, whose mutex the caller holds
 * @server_num: the guest's server number for the vCPU
 *
 * Allocates the VM's VP block at the first connection, enables the VP and
 * hooks up its escalation; its queues wait for the guest to configure them.
 *
 * Return: 0, -EPERM (not our device or another VM's), -EBUSY (vCPU already
 * has an interrupt controller), -EINVAL (server beyond NR_SERVERS),
 * -ENOSPC (no VP block), -EEXIST (VP in use), -ENOMEM or -EIO.
 */
int kvmppc_xive_native_connect_vcpu(struct kvm_device *dev,
				    struct kvm_vcpu *vcpu, u32 server_num)
{
	struct kvmppc_xive_vcpu *xc;
	struct kvmppc_xive *xive;
	struct xive_native *xn;
	bool single;
	u32 vp_id;
	int rc;

	if (dev->ops != &kvm_xive_native_ops)
		return -EPERM;
	xn = dev->private;
	xive = xn->xive;
	if (xn->kvm != vcpu->kvm)
		return -EPERM;
	if (vcpu->arch.irq_type != KVMPPC_IRQ_DEFAULT)
		return -EBUSY;
	if (!xn_server_packable(vcpu->kvm, server_num))
		return -EINVAL;

	mutex_lock(&xive->lock);
	rc = kvmppc_xive_compute_vp_id(xive, server_num, &vp_id);
	if (rc)
		goto unlock;
	xc = kzalloc_obj(*xc, GFP_KERNEL_ACCOUNT);
	if (!xc) {
		rc = -ENOMEM;
		goto unlock;
	}
	xc->xive = xive;
	xc->vcpu = vcpu;
	xc->server_num = server_num;
	xc->vp_id = vp_id;
	xc->valid = true;
	vcpu->arch.xive_vcpu = xc;
	vcpu->arch.irq_type = KVMPPC_IRQ_XIVE;

	rc = xive_native_get_vp_info(vp_id, &xc->vp_cam, &xc->vp_chip_id);
	if (rc)
		goto free_xc;
	/*
	 * On POWER10 OPAL sets the CAM's H bit: the XIVE then checks the
	 * VP's OS ring in and out of its NVP at each pull and push, and
	 * kvm-hv stops moving it through xive_saved_state.  That copy is
	 * still what VP_STATE sets (the push would ignore a restored CPPR)
	 * and what book3s_hv.c's entry injects an external interrupt from
	 * (a restored PIPR below CPPR would inject at every entry).  Without
	 * H, push and pull keep the copy current as on POWER9.
	 */
	xc->vp_cam &= ~TM_QW1W2_HO;
	/*
	 * The VP is enabled before its escalation is looked up: in single
	 * escalation mode, enabling it is what gives the VP the one
	 * interrupt that escalates for all its queues.  Queues stay
	 * disabled until the guest configures them (nothing can be routed to
	 * them before).  The escalation is hooked up under vcpu->mutex: the
	 * entry/exit code reads what it sets.
	 */
	single = kvmppc_xive_has_single_escalation(xive);
	rc = xive_native_enable_vp(vp_id, single);
	if (rc)
		goto free_xc;
	if (single) {
		rc = xive_native_get_queue_info(vp_id, 0, NULL, NULL, NULL,
						&xc->queues[0].esc_irq, NULL);
		if (!rc)
			rc = kvmppc_xive_attach_escalation(vcpu, 0, true);
		if (rc)
			goto disable_vp;
	}

	/* Last: from now on each guest entry pushes the VP's context. */
	vcpu->arch.xive_saved_state.w01 = cpu_to_be64(0xff000000);
	vcpu->arch.xive_cam_word = cpu_to_be32(xc->vp_cam | TM_QW1W2_VO);
	mutex_unlock(&xive->lock);
	return 0;

	/* Under xive->lock: no attribute call has seen xc. */
disable_vp:
	xn_free_escalations(vcpu, xc);
	xive_native_disable_vp(vp_id);
free_xc:
	vcpu->arch.xive_vcpu = NULL;
	vcpu->arch.irq_type = KVMPPC_IRQ_DEFAULT;
	kfree(xc);
unlock:
	mutex_unlock(&xive->lock);
	return rc;
}

/**
 * kvmppc_xive_native_cleanup_vcpu - disconnect a vCPU from the device
 * @vcpu: the vCPU; it does not run (vcpu->mutex held, or VM teardown)
 *
 * The order is the hardware's: stop routing sources to the VP, free its
 * escalations while its ENDs are enabled, disable the VP (which stops the
 * hardware writing its queues), and only then release the queue pages.
 */
void kvmppc_xive_native_cleanup_vcpu(struct kvm_vcpu *vcpu)
{
	struct kvmppc_xive_vcpu *xc = vcpu->arch.xive_vcpu;
	int prio;

	if (!kvmppc_xive_enabled(vcpu) || !xc)
		return;

	/* No source may target the VP, nor be retargeted to it. */
	xc->valid = false;
	kvmppc_xive_disable_vcpu_interrupts(vcpu);
	xn_free_escalations(vcpu, xc);
	xive_native_disable_vp(xc->vp_id);
	/* The next entry must not push a context the VP no longer has */
	vcpu->arch.xive_cam_word = 0;
	for (prio = 0; prio < KVMPPC_XIVE_Q_COUNT; prio++) {
		struct xive_q *q = &xc->queues[prio];

		xive_native_disable_queue(xc->vp_id, q, prio);
		xn_put_qpage(q, q->qpage);
		q->qpage = NULL;
	}
	vcpu->arch.xive_vcpu = NULL;
	vcpu->arch.irq_type = KVMPPC_IRQ_DEFAULT;
	kfree(xc);
}

/**
 * kvmppc_xive_native_get_vp - KVM_REG_PPC_VP_STATE get
 * @vcpu: the vCPU, whose mutex the caller holds
 * @val: word 0 gets the OS ring's TIMA words 0-1, with the IPB the
 *	hardware accumulated in the NVT while the vCPU was not dispatched
 *
 * Return: 0, -EPERM (vCPU not on this device) or -EIO.
 */
int kvmppc_xive_native_get_vp(struct kvm_vcpu *vcpu, union kvmppc_one_reg *val)
{
	struct kvmppc_xive_vcpu *xc = vcpu->arch.xive_vcpu;
	u64 nvt_w01;
	u8 ipb;
	int rc;

	if (!kvmppc_xive_enabled(vcpu) || !xc)
		return -EPERM;

	rc = xive_native_get_vp_state(xc->vp_id, &nvt_w01);
	if (rc)
		return rc;
	/*
	 * The register holds the TIMA image itself (big-endian bytes NSR,
	 * CPPR, IPB, LSMFB, ACK, INC, AGE, PIPR), which QEMU copies into its
	 * OS ring registers as it is.
	 */
	ipb = nvt_w01 >> 40;
	val->xive_timaval[0] = (__force u64)(vcpu->arch.xive_saved_state.w01 |
					     cpu_to_be64((u64)ipb << 40));
	val->xive_timaval[1] = 0;
	return 0;
}

/**
 * kvmppc_xive_native_set_vp - KVM_REG_PPC_VP_STATE set
 * @vcpu: the vCPU, whose mutex the caller holds
 * @val: word 0 as returned by get; pushed to the TIMA at the next entry
 *
 * Return: 0, -EPERM (vCPU not on this device) or -EBUSY (context pushed).
 */
int kvmppc_xive_native_set_vp(struct kvm_vcpu *vcpu, union kvmppc_one_reg *val)
{
	struct kvmppc_xive_vcpu *xc = vcpu->arch.xive_vcpu;

	if (!kvmppc_xive_enabled(vcpu) || !xc)
		return -EPERM;
	if (vcpu->arch.xive_pushed)
		return -EBUSY;
	vcpu->arch.xive_saved_state.w01 = (__force __be64)val->xive_timaval[0];
	return 0;
}

/**
 * kvmppc_xive_native_supported - can this host back the device?
 *
 * Whatever the host's page size: on a 4K host the mmap space is served in
 * 64K units as on a 64K host, and whether a guest's 64K queues are
 * physically contiguous is a property of its memory, decided per queue
 * at EQ_CONFIG (-EOPNOTSUPP), not known when userspace asks.
 *
 * Return: true when OPAL can save and restore queue state (migration).
 */
bool kvmppc_xive_native_supported(void)
{
	return xive_native_has_queue_state_support();
}

/* ---------------------------------------------------------------------
 * Mappings: mmap, fault, zap
 */

static struct xive_native *xn_from_vma(struct vm_area_struct *vma)
{
	return vma->vm_file->private_data;
}

static vm_fault_t xn_sigbus(struct xive_native *xn, pgoff_t pgoff)
{
	atomic64_inc(&xn->stats.sigbus);
	trace_xive_native_sigbus(pgoff);
	return VM_FAULT_SIGBUS;
}

/* The XIVE page of a file page offset, and which of its host pages */
static pgoff_t xn_xpage(pgoff_t pgoff)
{
	return pgoff / XIVE_NATIVE_PIECES;
}

static unsigned long xn_piece(pgoff_t pgoff)
{
	return pgoff % XIVE_NATIVE_PIECES;
}

/*
 * First host pfn of an ESB, if it can be given to the guest as a whole
 * XIVE page: a smaller hardware page would let the guest reach the next
 * source's ESB through the rest of it.
 */
static unsigned long xn_esb_pfn(struct xive_irq_data *xd, bool eoi)
{
	u64 addr = eoi ? xd->eoi_page : xd->trig_page;

	if (!addr || xd->esb_shift < XIVE_NATIVE_XPAGE_SHIFT ||
	    (addr & (XIVE_NATIVE_XPAGE_SIZE - 1)))
		return 0;
	return addr >> PAGE_SHIFT;
}

/*
 * Insert every host page of one XIVE page that the VMA covers: @start is
 * where its first host page is (or would be) mapped, @pfn the first host
 * pfn of its hardware page.  *ret gets the result for @fault_addr when
 * that insertion failed.  Returns how many host pages were inserted.
 */
static unsigned int xn_insert_xpage(struct vm_area_struct *vma,
				    unsigned long start, unsigned long pfn,
				    unsigned long fault_addr, vm_fault_t *ret)
{
	unsigned int i, n = 0;

	for (i = 0; i < XIVE_NATIVE_PIECES; i++) {
		unsigned long addr = start + i * PAGE_SIZE;
		vm_fault_t r;

		if (addr < vma->vm_start || addr >= vma->vm_end)
			continue;
		r = vmf_insert_pfn(vma, addr, pfn + i);
		if (r == VM_FAULT_NOPAGE)
			n++;
		else if (addr == fault_addr)
			*ret = r;
	}
	return n;
}

static vm_fault_t xn_tima_fault(struct xive_native *xn, struct vm_fault *vmf)
{
	vm_fault_t ret = VM_FAULT_NOPAGE;

	atomic64_inc(&xn->stats.tima_faults);
	if (xn_xpage(vmf->pgoff) !=
	    KVM_XIVE_TIMA_PAGE_OFFSET + XIVE_NATIVE_TIMA_OS_PAGE)
		return xn_sigbus(xn, vmf->pgoff);
	xn_insert_xpage(vmf->vma,
			vmf->address - xn_piece(vmf->pgoff) * PAGE_SIZE,
			xive_tima_os >> PAGE_SHIFT, vmf->address, &ret);
	return ret;
}

/* Test-only: how long a fault waits between choosing and inserting. */
static void xn_fault_hold(struct xive_native *xn)
{
	u32 us = READ_ONCE(xn->fault_hold_us);

	if (unlikely(us))
		fsleep(us);
}

/*
 * Both pages of the source are inserted on the first fault of either, as
 * far as the VMA covers them: on a host with pages smaller than 64K, every
 * host page of both XIVE pages.  Which hardware source backs the guest
 * source (its IPI, or a passed-through interrupt) only changes between
 * xn_remap_begin() and xn_remap_end(), with @map_sem held for write; the
 * page is chosen and inserted under @map_sem held for read: a page chosen
 * before a switch can never be inserted after it.
 */
static vm_fault_t xn_esb_fault(struct xive_native *xn, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pgoff_t rel = xn_xpage(vmf->pgoff) - KVM_XIVE_ESB_PAGE_OFFSET;
	u32 irq = rel / XIVE_NATIVE_ESB_PAGES_PER_IRQ;
	bool eoi = rel % XIVE_NATIVE_ESB_PAGES_PER_IRQ;
	unsigned long first = vmf->address - xn_piece(vmf->pgoff) * PAGE_SIZE -
			      (eoi ? XIVE_NATIVE_XPAGE_SIZE : 0);
	struct kvmppc_xive_irq_state *state;
	struct kvmppc_xive_src_block *sb;
	unsigned long pfn[XIVE_NATIVE_ESB_PAGES_PER_IRQ];
	unsigned int i, pages = 0;
	struct xive_irq_data *xd;
	vm_fault_t ret = VM_FAULT_NOPAGE;
	u32 hw_num;
	u16 idx;

	lockdep_assert_held(&xn->map_sem);
	atomic64_inc(&xn->stats.esb_faults);
	if (rel / XIVE_NATIVE_ESB_PAGES_PER_IRQ >= KVMPPC_XIVE_NR_IRQS)
		return xn_sigbus(xn, vmf->pgoff);
	sb = xn_find_sb(xn->xive, irq, &idx);
	if (!sb)
		return xn_sigbus(xn, vmf->pgoff);
	state = &sb->irq_state[idx];
	if (!state->valid)
		return xn_sigbus(xn, vmf->pgoff);
	kvmppc_xive_select_irq(state, &hw_num, &xd);
	for (i = 0; i < XIVE_NATIVE_ESB_PAGES_PER_IRQ; i++)
		pfn[i] = xn_esb_pfn(xd, i);
	if (!pfn[eoi])
		return xn_sigbus(xn, vmf->pgoff);
	xn_fault_hold(xn);

	for (i = 0; i < XIVE_NATIVE_ESB_PAGES_PER_IRQ; i++) {
		if (pfn[i])
			pages += !!xn_insert_xpage(vma,
						   first + i * XIVE_NATIVE_XPAGE_SIZE,
						   pfn[i], vmf->address, &ret);
	}
	atomic64_add(pages, &xn->stats.esb_pages);
	trace_xive_native_esb_fault(irq, eoi, hw_num, !!state->pt_number,
				    pages);
	return ret;
}

static vm_fault_t xn_fault(struct vm_fault *vmf)
{
	struct xive_native *xn = xn_from_vma(vmf->vma);
	vm_fault_t ret;

	down_read(&xn->map_sem);
	if (xn->released)
		ret = xn_sigbus(xn, vmf->pgoff);
	else if (xn_xpage(vmf->pgoff) < KVM_XIVE_ESB_PAGE_OFFSET)
		ret = xn_tima_fault(xn, vmf);
	else
		ret = xn_esb_fault(xn, vmf);
	up_read(&xn->map_sem);
	return ret;
}

static const struct vm_operations_struct xn_vm_ops = {
	.fault = xn_fault,
};

/*
 * The VMA is moved from the KVM device file (whose anon inode, and so
 * address_space, every anon-inode file in the system shares) to the
 * device's private file.  Switching the device file's f_mapping instead
 * would unbalance the writable-mapping count mmap_region() takes on it.
 */
static int xn_mmap(struct kvm_device *dev, struct vm_area_struct *vma)
{
	struct xive_native *xn = dev->private;
	unsigned long pages = vma_pages(vma);

	/* A private (COW) mapping cannot hold PFN-mapped MMIO. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	/* Offsets and lengths in XIVE pages, vm_pgoff in host pages */
	BUILD_BUG_ON(PAGE_SHIFT > XIVE_NATIVE_XPAGE_SHIFT);
	switch (vma->vm_pgoff) {
	case KVM_XIVE_TIMA_PAGE_OFFSET * XIVE_NATIVE_PIECES:
		if (pages > XIVE_NATIVE_TIMA_PAGES * XIVE_NATIVE_PIECES)
			return -EINVAL;
		break;
	case KVM_XIVE_ESB_PAGE_OFFSET * XIVE_NATIVE_PIECES:
		if (pages > (unsigned long)KVMPPC_XIVE_NR_IRQS *
			    XIVE_NATIVE_ESB_PAGES_PER_IRQ * XIVE_NATIVE_PIECES)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	/*
	 * Cache-inhibited and guarded, as the host's own ioremap() of the
	 * same pages (Linux's device uses the unguarded _wc variant).  ESB
	 * loads have side effects (set PQ, EOI) and each trigger store
	 * counts: storage that is not guarded may be loaded speculatively
	 * and its stores gathered.  KVM copies these attributes into the
	 * guest's partition-scoped PTE.  bench/xive_esb_cost measured no
	 * difference to choose on (TCG models neither attribute).
	 */
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &xn_vm_ops;
	vma_set_file(vma, xn->file);
	return 0;
}

/* Unmap both ESB pages of @irq from every mapping of this device. */
static void xn_zap_irq(struct xive_native *xn, u32 irq)
{
	loff_t start = ((loff_t)KVM_XIVE_ESB_PAGE_OFFSET +
			(loff_t)irq * XIVE_NATIVE_ESB_PAGES_PER_IRQ) <<
		       XIVE_NATIVE_XPAGE_SHIFT;

	lockdep_assert_held_write(&xn->map_sem);
	unmap_mapping_range(xn->inode->i_mapping, start,
			    XIVE_NATIVE_ESB_PAGES_PER_IRQ <<
			    XIVE_NATIVE_XPAGE_SHIFT, 1);
	atomic64_inc(&xn->stats.zaps);
	atomic64_add(XIVE_NATIVE_ESB_PAGES_PER_IRQ, &xn->stats.zapped_pages);
	trace_xive_native_zap(irq);
}

static struct kvmppc_xive_irq_state *xn_remap_state(struct kvm *kvm,
						    unsigned long guest_irq)
{
	struct kvmppc_xive_src_block *sb;
	u16 idx;

	sb = xn_find_sb(kvm->arch.xive, guest_irq, &idx);
	return sb ? &sb->irq_state[idx] : NULL;
}

/*
 * kvmppc_xive_{set,clr}_mapped() switch a source between its IPI and a
 * passed-through interrupt between these two calls, with kvm->lock held.
 * Until the end, faults wait on @map_sem and the source has no page
 * mapped.  The guest owns the source's PQ bits (its ESB loads and
 * stores); they go to the new hardware source as they were, so that a
 * masked source stays masked and a pending one pending.
 */
static void xn_remap_begin(struct kvm *kvm, unsigned long guest_irq)
{
	struct xive_native *xn = kvm->arch.xive->dev->private;
	struct kvmppc_xive_irq_state *state = xn_remap_state(kvm, guest_irq);
	struct xive_irq_data *xd;
	u32 hw_num;

	lockdep_assert_held(&kvm->lock);
	down_write(&xn->map_sem);
	xn_zap_irq(xn, guest_irq);
	xn->remap_irq = guest_irq;
	xn->remap_pq = 0;
	if (state && state->valid) {
		kvmppc_xive_select_irq(state, &hw_num, &xd);
		xn->remap_pq = xn_esb_load(xd, XIVE_ESB_GET);
		trace_xive_native_remap(guest_irq, false, hw_num, xn->remap_pq);
	}
}

static void xn_remap_end(struct kvm *kvm, unsigned long guest_irq)
{
	struct xive_native *xn = kvm->arch.xive->dev->private;
	struct kvmppc_xive_irq_state *state = xn_remap_state(kvm, guest_irq);
	struct xive_irq_data *xd;
	u32 hw_num;
	u8 pending;

	lockdep_assert_held(&kvm->lock);
	lockdep_assert_held_write(&xn->map_sem);
	WARN_ON_ONCE(xn->remap_irq != guest_irq);
	if (state && state->valid) {
		kvmppc_xive_select_irq(state, &hw_num, &xd);
		/*
		 * set/clr_mapped target the new source with the source number
		 * as its event number, XICS's; here the guest chose the EISN
		 * its queue entries carry (Linux: its own irq number).
		 */
		if (state->act_priority != MASKED)
			xive_native_configure_irq(hw_num,
						  kvmppc_xive_vp(xn->xive,
								 state->act_server),
						  state->act_priority,
						  state->eisn);
		/*
		 * Q set on the new source: an event came while the switch
		 * held it masked (irq_set_vcpu_affinity() leaves PQ=11 for a
		 * pending MSI).  It is the guest's: it goes through the
		 * guest's PQ state as a trigger would.
		 */
		pending = xn_esb_load(xd, XIVE_ESB_SET_PQ_00 +
				      (xn->remap_pq << 8)) & XIVE_ESB_VAL_Q;
		if (pending && xn->remap_pq == XIVE_ESB_VAL_P)
			xn_esb_load(xd, XIVE_ESB_SET_PQ_11);
		else if (pending && !xn->remap_pq && xd->trig_mmio)
			out_be64(xd->trig_mmio, 0);
		trace_xive_native_remap(guest_irq, true, hw_num, xn->remap_pq);
	}
	up_write(&xn->map_sem);
}

static struct kvmppc_xive_ops xn_xive_ops = {
	.remap_begin = xn_remap_begin,
	.remap_end = xn_remap_end,
};

/* ---------------------------------------------------------------------
 * Private inode and file
 */

static struct vfsmount *xn_mnt;
static int xn_mnt_count;

static int xn_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, XIVE_NATIVE_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type xn_fs_type = {
	.name = "kvm-xive-native",
	.owner = THIS_MODULE,
	.init_fs_context = xn_init_fs_context,
	.kill_sb = kill_anon_super,
};

static void xn_free(struct kref *kref)
{
	kfree(container_of(kref, struct xive_native, kref));
	simple_release_fs(&xn_mnt, &xn_mnt_count);
}

static int xn_file_release(struct inode *inode, struct file *file)
{
	struct xive_native *xn = file->private_data;

	kref_put(&xn->kref, xn_free);
	return 0;
}

/* Only ever reached through VMAs: it has no open, read or mmap. */
static const struct file_operations xn_file_fops = {
	.owner = THIS_MODULE,
	.release = xn_file_release,
};

static int xn_create_file(struct xive_native *xn)
{
	struct inode *inode;
	struct file *file;
	int rc;

	rc = simple_pin_fs(&xn_fs_type, &xn_mnt,
			   &xn_mnt_count);
	if (rc)
		return rc;

	inode = alloc_anon_inode(xn_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		rc = PTR_ERR(inode);
		goto unpin;
	}
	/* The file's final fput drops the module through its f_op. */
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(inode, xn_mnt, "kvm-xive-native",
				 O_RDWR, &xn_file_fops);
	if (IS_ERR(file)) {
		rc = PTR_ERR(file);
		module_put(THIS_MODULE);
		iput(inode);
		goto unpin;
	}
	kref_get(&xn->kref);
	file->private_data = xn;
	xn->inode = inode;
	xn->file = file;
	return 0;

unpin:
	simple_release_fs(&xn_mnt, &xn_mnt_count);
	return rc;
}

/* ---------------------------------------------------------------------
 * Device lifecycle
 */

/* Called with kvm->lock held. */
static int xn_create(struct kvm_device *dev, u32 type)
{
	struct kvm *kvm = dev->kvm;
	struct kvmppc_xive *xive;
	struct xive_native *xn;
	int rc;

	lockdep_assert_held(&kvm->lock);
	if (kvm->arch.xive || kvm->arch.xics)
		return -EEXIST;

	xn = kzalloc_obj(*xn, GFP_KERNEL_ACCOUNT);
	if (!xn)
		return -ENOMEM;
	kref_init(&xn->kref);
	init_rwsem(&xn->map_sem);
	xn->kvm = kvm;

	/*
	 * The per-VM struct kvmppc_xive outlives the device: book3s.c frees
	 * it with the VM, so that code of book3s_xive.c that loaded
	 * kvm->arch.xive before release cleared it never reads freed memory.
	 */
	xive = kvmppc_xive_get_device(kvm, type);
	if (!xive) {
		kfree(xn);
		return -ENOMEM;
	}
	xive->kvm = kvm;
	xive->dev = dev;
	mutex_init(&xive->lock);
	xive->vp_base = XIVE_INVALID_VP;
	xive->nr_servers = KVM_MAX_VCPUS;
	xive->q_order = xive_native_default_eq_shift();
	xive->q_page_order = 0;
	if (xive_native_has_single_escalation())
		xive->flags |= KVMPPC_XIVE_FLAG_SINGLE_ESCALATION;
	xive->ops = &xn_xive_ops;

	rc = xn_create_file(xn);
	if (rc) {
		kfree(xn);
		return rc;
	}
	xn->xive = xive;
	dev->private = xn;
	kvm->arch.xive = xive;
	return 0;
}

static void xn_free_sources(struct kvmppc_xive *xive)
{
	struct kvmppc_xive_src_block *sb;
	u32 bid;
	int j;

	for (bid = 0; (sb = xn_next_sb(xive, &bid)); bid++) {
		for (j = 0; j < KVMPPC_XICS_IRQ_PER_ICS; j++) {
			struct kvmppc_xive_irq_state *state = &sb->irq_state[j];

			if (!state->ipi_number)
				continue;
			/* A passed-through PHB interrupt is only masked. */
			if (state->valid)
				xn_mask_hw(state);
			xive_cleanup_irq_data(&state->ipi_data);
			xive_native_free_irq(state->ipi_number);
			state->ipi_number = 0;
			state->valid = false;
		}
		xive->src_blocks[bid] = NULL;
		kvfree(sb);
	}
}

/*
 * PHB interrupts still passed through to the guest go back to the host
 * now, as kvmppc_xive_clr_mapped() does when VFIO lets go of them: once
 * kvm->arch.xive is cleared, that later call can no longer find us, and
 * the host driver would never see its interrupt again.
 */
static void xn_return_passthrough(struct kvm *kvm, struct kvmppc_xive *xive)
{
	struct kvmppc_xive_src_block *sb;
	unsigned int virq;
	u32 bid;
	int j;

	lockdep_assert_held(&kvm->lock);	/* excludes set/clr_mapped */

	for (bid = 0; (sb = xn_next_sb(xive, &bid)); bid++) {
		for (j = 0; j < KVMPPC_XICS_IRQ_PER_ICS; j++) {
			struct kvmppc_xive_irq_state *state = &sb->irq_state[j];

			if (!state->pt_number)
				continue;
			virq = irq_find_mapping(irq_get_default_domain(),
						state->pt_number);
			if (virq)
				kvmppc_xive_clr_mapped(kvm, state->number, virq);
		}
	}
}

/*
 * Called with kvm->lock held when the last reference to the device fd is
 * gone.  vCPUs may still exist and run, mappings may still exist.
 */
static void xn_release(struct kvm_device *dev)
{
	struct xive_native *xn = dev->private;
	struct kvmppc_xive *xive = xn->xive;
	struct kvm *kvm = xn->kvm;
	struct kvm_vcpu *vcpu;
	unsigned long i;

	lockdep_assert_held(&kvm->lock);

	/* Waits for readers of the debugfs files. */
	debugfs_remove(xn->dentry);
	debugfs_remove(xn->hold_dentry);
	debugfs_lookup_and_remove("xive-fail-eq-start", kvm->debugfs_dentry);
	debugfs_lookup_and_remove("xive-stale-ipi", kvm->debugfs_dentry);

	/* From now on every fault SIGBUSes; then drop what was mapped. */
	down_write(&xn->map_sem);
	xn->released = true;
	up_write(&xn->map_sem);
	unmap_mapping_range(xn->inode->i_mapping, 0, 0, 1);

	xn_return_passthrough(kvm, xive);

	/* vcpu->mutex: no KVM_RUN nor VP_STATE access while we tear down */
	kvm_for_each_vcpu(i, vcpu, kvm) {
		mutex_lock(&vcpu->mutex);
		kvmppc_xive_native_cleanup_vcpu(vcpu);
		mutex_unlock(&vcpu->mutex);
	}

	kvm->arch.xive = NULL;
	xn_free_sources(xive);
	xive_native_free_vp_block(xive->vp_base);
	xive->vp_base = XIVE_INVALID_VP;

	/* VMAs may keep the file, and so xn, alive a while longer. */
	fput(xn->file);
	kref_put(&xn->kref, xn_free);
	kfree(dev);
}

/* ---------------------------------------------------------------------
 * debugfs
 */

static void xn_show_sources(struct seq_file *m, struct kvmppc_xive *xive)
{
	struct kvmppc_xive_src_block *sb;
	u32 bid;
	int j;

	seq_puts(m, "sources:\n  irq       hw        src  pq  type   server prio eisn\n");
	for (bid = 0; (sb = xn_next_sb(xive, &bid)); bid++) {
		xn_lock_sb(sb);
		for (j = 0; j < KVMPPC_XICS_IRQ_PER_ICS; j++) {
			struct kvmppc_xive_irq_state *state = &sb->irq_state[j];
			struct xive_irq_data *xd;
			u32 hw_num;
			u8 pq;

			if (!state->valid)
				continue;
			kvmppc_xive_select_irq(state, &hw_num, &xd);
			pq = xn_esb_load(xd, XIVE_ESB_GET);
			seq_printf(m, "  %08x  %08x  %s  %c%c  %s  ",
				   state->number, hw_num,
				   state->pt_number ? "PHB" : "IPI",
				   pq & XIVE_ESB_VAL_P ? 'P' : '-',
				   pq & XIVE_ESB_VAL_Q ? 'Q' : '-',
				   state->lsi ? (state->asserted ? "LSI^ " : "LSI  ") :
						"MSI  ");
			if (state->act_priority == MASKED)
				seq_printf(m, "%6u masked %08x\n",
					   state->act_server, state->eisn);
			else
				seq_printf(m, "%6u %4u   %08x\n",
					   state->act_server,
					   state->act_priority, state->eisn);
		}
		xn_unlock_sb(sb);
	}
}

static void xn_show_vps(struct seq_file *m, struct xive_native *xn)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;
	int prio;

	seq_puts(m, "vps:\n");
	kvm_for_each_vcpu(i, vcpu, xn->kvm) {
		struct kvmppc_xive_vcpu *xc = vcpu->arch.xive_vcpu;
		u64 nvt_w01 = 0;

		if (!xc)
			continue;
		xive_native_get_vp_state(xc->vp_id, &nvt_w01);
		seq_printf(m, "  server %u vp 0x%x cam 0x%08x saved w01 %016llx nvt w01 %016llx%s\n",
			   xc->server_num, xc->vp_id, xc->vp_cam,
			   be64_to_cpu(vcpu->arch.xive_saved_state.w01),
			   nvt_w01, vcpu->arch.xive_pushed ? " pushed" : "");
		for (prio = 0; prio < KVMPPC_XIVE_Q_COUNT; prio++) {
			struct xive_q *q = &xc->queues[prio];
			u32 toggle = 0, index = 0;

			if (!q->qpage && !xc->esc_virq[prio])
				continue;
			seq_printf(m, "    prio %d", prio);
			if (q->qpage) {
				xive_native_get_queue_state(xc->vp_id, prio,
							    &toggle, &index);
				seq_printf(m, " eq 0x%llx shift %u index %u toggle %u",
					   q->guest_qaddr, q->guest_qshift,
					   index, toggle);
			}
			if (xc->esc_virq[prio])
				seq_printf(m, " escalation irq %u",
					   xc->esc_virq[prio]);
			seq_putc(m, '\n');
		}
	}
}

static int xn_debug_show(struct seq_file *m, void *private)
{
	struct xive_native *xn = m->private;
	struct kvmppc_xive *xive = xn->xive;
	struct xive_native_stats *s = &xn->stats;

	seq_printf(m, "kvm-xive-native: vp_base 0x%x nr_servers %u sources %u flags%s\n",
		   xive->vp_base, xive->nr_servers, xive->src_count,
		   kvmppc_xive_has_single_escalation(xive) ? " single-escalation" : "");
	seq_printf(m, "stats: esb_faults %lld esb_pages %lld tima_faults %lld sigbus %lld zaps %lld zapped_pages %lld\n",
		   atomic64_read(&s->esb_faults), atomic64_read(&s->esb_pages),
		   atomic64_read(&s->tima_faults), atomic64_read(&s->sigbus),
		   atomic64_read(&s->zaps), atomic64_read(&s->zapped_pages));

	mutex_lock(&xive->lock);
	xn_show_vps(m, xn);
	xn_show_sources(m, xive);
	mutex_unlock(&xive->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xn_debug);

static int xn_hold_get(void *data, u64 *val)
{
	struct xive_native *xn = data;

	*val = READ_ONCE(xn->fault_hold_us);
	return 0;
}

/* At most a second: a test widens a window, it does not stall faults. */
static int xn_hold_set(void *data, u64 val)
{
	struct xive_native *xn = data;

	if (val > USEC_PER_SEC)
		return -EINVAL;
	WRITE_ONCE(xn->fault_hold_us, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(xn_hold_fops, xn_hold_get, xn_hold_set, "%llu\n");

/*
 * Called after a successful create, without kvm->lock, before the device
 * fd exists: only book3s_xive.c's passthrough calls, through
 * kvm->arch.xive, can reach the device meanwhile, and they do not use
 * what is set up here.
 */
static void xn_dev_init(struct kvm_device *dev)
{
	struct xive_native *xn = dev->private;

	xn->dentry = debugfs_create_file("xive", 0444, dev->kvm->debugfs_dentry,
					 xn, &xn_debug_fops);
	xn->hold_dentry = debugfs_create_file_unsafe("xive-fault-hold-us", 0600,
						     dev->kvm->debugfs_dentry,
						     xn, &xn_hold_fops);
	debugfs_create_atomic_t("xive-fail-eq-start", 0600,
				dev->kvm->debugfs_dentry, &xn->fail_eq_start);
	debugfs_create_atomic_t("xive-stale-ipi", 0600,
				dev->kvm->debugfs_dentry, &xn->stale_ipi);
}

struct kvm_device_ops kvm_xive_native_ops = {
	.name = "kvm-xive-native",
	.create = xn_create,
	.init = xn_dev_init,
	.release = xn_release,
	.set_attr = xn_set_attr,
	.get_attr = xn_get_attr,
	.has_attr = xn_has_attr,
	.mmap = xn_mmap,
};
