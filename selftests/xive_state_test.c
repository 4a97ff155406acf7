// SPDX-License-Identifier: GPL-2.0
/*
 * XIVE native device state: the VP_STATE one-reg, CTRL/RESET, EQ_SYNC and
 * SOURCE_SYNC, and a save/restore of a whole device as QEMU migrates it.
 */
#include "kselftest_harness.h"
#include "xive_util.h"

#define NR_IRQS		8
#define TOGGLE		0x80000000U
#define IPB_BYTE	2	/* TIMA OS ring word 0: NSR, CPPR, IPB, LSMFB */

static int st_open(struct xvm *x)
{
	return xvm_open_routed(x, NR_IRQS);
}

XIVE_FIXTURE(st, struct xvm, st_open, xvm_close)

TEST_F(st, vp_state_roundtrip)
{
	__u8 init[16], set[16], got[16];
	int i;

	ASSERT_EQ(0, vp_get(self->x.vcpu[0], init));
	ksft_print_msg("initial VP state word 0: %02x %02x %02x %02x %02x %02x %02x %02x\n",
		       init[0], init[1], init[2], init[3], init[4], init[5],
		       init[6], init[7]);
	/* nothing pending on a fresh VP */
	EXPECT_EQ(0, init[IPB_BYTE]);

	memset(set, 0, sizeof(set));
	set[1] = 0x05;		/* CPPR */
	set[7] = 0x06;		/* PIPR */
	ASSERT_EQ(0, vp_set(self->x.vcpu[0], set));
	memset(got, 0xa5, sizeof(got));
	ASSERT_EQ(0, vp_get(self->x.vcpu[0], got));
	for (i = 0; i < 8; i++)
		EXPECT_EQ(set[i], got[i]) TH_LOG("byte %d", i);

	/* an IPB set by the caller comes back */
	set[IPB_BYTE] = 0x40;
	ASSERT_EQ(0, vp_set(self->x.vcpu[0], set));
	ASSERT_EQ(0, vp_get(self->x.vcpu[0], got));
	for (i = 0; i < 8; i++)
		EXPECT_EQ(set[i], got[i]) TH_LOG("byte %d", i);
	/* the other vCPU was not touched */
	ASSERT_EQ(0, vp_get(self->x.vcpu[1], got));
	EXPECT_EQ(0, memcmp(init, got, 8));
}

TEST_F(st, vp_state_errors)
{
	__u8 buf[16] = { 0 };
	struct kvm_one_reg r = { .id = KVM_REG_PPC_VP_STATE, .addr = 0x10 };
	int vcpu = vcpu_create(self->x.vm, 5);

	ASSERT_LE(0, vcpu);
	/* a vCPU not connected to the device */
	EXPECT_EQ(-ENXIO, vp_get(vcpu, buf));
	EXPECT_EQ(-ENXIO, vp_set(vcpu, buf));
	close(vcpu);
	/* bad user buffers */
	EXPECT_EQ(-1, ioctl(self->x.vcpu[0], KVM_GET_ONE_REG, &r));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->x.vcpu[0], KVM_SET_ONE_REG, &r));
	EXPECT_EQ(EFAULT, errno);
}

/* A trigger routed to a VP that is not running lands in its IPB */
TEST_F(st, vp_state_ipb_after_trigger)
{
	__u8 got[16];

	ASSERT_EQ(0, src_cfg(self->x.dev, 2, 0, EQ_PRIO, false, 0x22));
	esb_set_pq(self->x.esb, 2, 0);
	esb_trigger(self->x.esb, 2);
	EXPECT_EQ(TOGGLE | 0x22, eq_entry(self->x.mem, EQ_GPA, 0));
	ASSERT_EQ(0, vp_get(self->x.vcpu[0], got));
	/* the big-endian TIMA image QEMU copies into its OS ring registers */
	EXPECT_EQ(0x80 >> EQ_PRIO, got[IPB_BYTE])
		TH_LOG("word 0 bytes: %02x %02x %02x %02x %02x %02x %02x %02x",
		       got[0], got[1], got[2], got[3], got[4], got[5], got[6],
		       got[7]);
	/* not on the other VP */
	ASSERT_EQ(0, vp_get(self->x.vcpu[1], got));
	EXPECT_EQ(0, got[IPB_BYTE]);
}

/*
 * CTRL/RESET: every routed source is masked with PQ=01, the queues are
 * gone, the sources stay valid and their pages still map.
 */
TEST_F(st, reset_masks_everything)
{
	struct kvm_ppc_xive_eq eq;
	const int pq[4] = { 0, 2, 3, 0 };
	long f0, f1;
	int i;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, src_cfg(self->x.dev, i, 0, EQ_PRIO, false, 0x10 + i));
		esb_set_pq(self->x.esb, i, pq[i]);
	}
	/* a masked source with a non-default PQ too */
	esb_set_pq(self->x.esb, 5, 2);
	esb_trigger(self->x.esb, 0);
	ASSERT_EQ(TOGGLE | 0x10, eq_entry(self->x.mem, EQ_GPA, 0));

	ASSERT_EQ(0, xive_ctrl(self->x.dev, KVM_DEV_XIVE_RESET));

	f0 = minflt();
	for (i = 0; i < 4; i++)
		EXPECT_EQ(1, esb_pq(self->x.esb, i)) TH_LOG("irq %d", i);
	f1 = minflt();
	ksft_print_msg("ESB faults re-reading 4 routed IRQs after RESET: %ld; masked irq 5 PQ after RESET: %d\n",
		       f1 - f0, esb_pq(self->x.esb, 5));

	/* the queue is gone */
	memset(&eq, 0, sizeof(eq));
	ASSERT_EQ(0, eq_get(self->x.dev, 0, EQ_PRIO, &eq));
	EXPECT_EQ(0, eq.qshift);
	EXPECT_EQ(0, eq.qaddr);
	/* and nothing is delivered to the old page any more */
	for (i = 0; i < 4; i++) {
		esb_set_pq(self->x.esb, i, 0);
		esb_trigger(self->x.esb, i);
	}
	EXPECT_EQ(0, eq_entry(self->x.mem, EQ_GPA, 1));

	/* sources are still valid: they can be configured again */
	ASSERT_EQ(0, eq_set(self->x.dev, 0, EQ_PRIO, 0x30000));
	ASSERT_EQ(0, src_cfg(self->x.dev, 3, 0, EQ_PRIO, false, 0x33));
	esb_set_pq(self->x.esb, 3, 0);
	esb_trigger(self->x.esb, 3);
	EXPECT_EQ(TOGGLE | 0x33, eq_entry(self->x.mem, 0x30000, 0));
	EXPECT_EQ(0, xive_set(self->x.dev, KVM_DEV_XIVE_GRP_SOURCE_SYNC, 7,
			      NULL));
}

TEST_F(st, source_sync)
{
	int i;

	for (i = 0; i < NR_IRQS; i++) {
		if (i & 1)
			ASSERT_EQ(0, src_cfg(self->x.dev, i, 0, EQ_PRIO, false,
					     i));
		esb_set_pq(self->x.esb, i, 0);
		esb_trigger(self->x.esb, i);
		EXPECT_EQ(0, xive_set(self->x.dev, KVM_DEV_XIVE_GRP_SOURCE_SYNC,
				      i, NULL)) TH_LOG("irq %d", i);
	}
	for (i = 0; i < NR_IRQS / 2; i++)
		EXPECT_EQ(TOGGLE | (2 * i + 1),
			  eq_entry(self->x.mem, EQ_GPA, i));
	EXPECT_EQ(0, eq_entry(self->x.mem, EQ_GPA, NR_IRQS / 2));
}

/* EQ_SYNC marks the queue pages dirty for migration */
TEST(eq_sync_marks_dirty)
{
	const long ps = XIVE_PAGE, n = xive_pieces();
	__u64 bitmap[GUEST_MEM_SIZE / 4096 / 64], want[GUEST_MEM_SIZE / 4096 / 64];
	struct kvm_dirty_log log = { .slot = 0, .dirty_bitmap = bitmap };
	struct xvm x;
	long i;

	REQUIRE_XIVE();
	ASSERT_EQ(0, xvm_open_mem(&x, 2, GUEST_MEM_SIZE,
				  KVM_MEM_LOG_DIRTY_PAGES));
	ASSERT_EQ(0, eq_set(x.dev, 0, EQ_PRIO, 3 * ps));
	ASSERT_EQ(0, eq_set(x.dev, 1, EQ_PRIO, 9 * ps));
	ASSERT_EQ(0, xvm_map_esb(&x, 1));
	ASSERT_EQ(0, src_set(x.dev, 0, 0));
	ASSERT_EQ(0, src_cfg(x.dev, 0, 1, EQ_PRIO, false, 0x5));

	/* start from a clean log */
	ASSERT_EQ(0, ioctl(x.vm, KVM_GET_DIRTY_LOG, &log));
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, ioctl(x.vm, KVM_GET_DIRTY_LOG, &log));
	for (i = 0; i < ARRAY_SIZE(bitmap); i++)
		EXPECT_EQ(0, bitmap[i]);

	esb_set_pq(x.esb, 0, 0);
	esb_trigger(x.esb, 0);
	EXPECT_EQ(TOGGLE | 5, eq_entry(x.mem, 9 * ps, 0));
	ASSERT_EQ(0, xive_ctrl(x.dev, KVM_DEV_XIVE_EQ_SYNC));
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, ioctl(x.vm, KVM_GET_DIRTY_LOG, &log));
	/* exactly the host pages of the two queues */
	memset(want, 0, sizeof(want));
	for (i = 0; i < n; i++) {
		want[(3 * n + i) / 64] |= 1ULL << (3 * n + i) % 64;
		want[(9 * n + i) / 64] |= 1ULL << (9 * n + i) % 64;
	}
	for (i = 0; i < ARRAY_SIZE(bitmap); i++) {
		if (bitmap[i] || want[i])
			ksft_print_msg("dirty bitmap word %ld after EQ_SYNC: %#llx\n",
				       i, bitmap[i]);
		EXPECT_EQ(want[i], bitmap[i]) TH_LOG("word %ld", i);
	}
	xvm_close(&x);
}

/*
 * Save a running device the way QEMU migrates it and restore it into a
 * new VM: queue positions, routing, PQ states and VP state survive, and
 * the restored device goes on delivering where the old one stopped.
 */
TEST(save_restore)
{
	struct kvm_ppc_xive_eq eq_saved;
	struct xvm a, b;
	__u8 vp_saved[16], got[16];
	int pq_saved[NR_IRQS];
	void *ea, *eb;
	int i;

	REQUIRE_XIVE();
	ASSERT_EQ(0, xvm_open(&a, 1, true));
	ea = esb_map(a.dev, NR_IRQS);
	ASSERT_NE(MAP_FAILED, ea);
	ASSERT_EQ(0, eq_set(a.dev, 0, EQ_PRIO, EQ_GPA));
	for (i = 0; i < NR_IRQS; i++) {
		ASSERT_EQ(0, src_set(a.dev, i, i == 7 ? KVM_XIVE_LEVEL_SENSITIVE
							: 0));
		ASSERT_EQ(0, src_cfg(a.dev, i, 0, EQ_PRIO, false, 0x40 + i));
		esb_set_pq(ea, i, 0);
	}
	for (i = 0; i < 5; i++)
		esb_trigger(ea, i);
	esb_trigger(ea, 1);		/* PQ 11 */
	esb_set_pq(ea, 0, 0);		/* EOIed */

	/* save: stop the sources (PQ 10), sync, read the state */
	for (i = 0; i < NR_IRQS; i++)
		pq_saved[i] = esb_set_pq(ea, i, 2);
	ASSERT_EQ(0, xive_ctrl(a.dev, KVM_DEV_XIVE_EQ_SYNC));
	ASSERT_EQ(0, eq_get(a.dev, 0, EQ_PRIO, &eq_saved));
	EXPECT_EQ(5, eq_saved.qindex);
	EXPECT_EQ(1, eq_saved.qtoggle);
	ASSERT_EQ(0, vp_get(a.vcpu[0], vp_saved));
	EXPECT_EQ(0x80 >> EQ_PRIO, vp_saved[IPB_BYTE]);

	/* restore in a new VM with a copy of the guest memory */
	ASSERT_EQ(0, xvm_open(&b, 1, true));
	memcpy(b.mem, a.mem, GUEST_MEM_SIZE);
	eb = esb_map(b.dev, NR_IRQS);
	ASSERT_NE(MAP_FAILED, eb);
	ASSERT_EQ(0, eq_set_full(b.dev, 0, EQ_PRIO, eq_saved.flags,
				 eq_saved.qshift, eq_saved.qaddr,
				 eq_saved.qtoggle, eq_saved.qindex));
	for (i = 0; i < NR_IRQS; i++) {
		ASSERT_EQ(0, src_set(b.dev, i, i == 7 ? KVM_XIVE_LEVEL_SENSITIVE
							: 0));
		ASSERT_EQ(0, src_cfg(b.dev, i, 0, EQ_PRIO, false, 0x40 + i));
	}
	ASSERT_EQ(0, vp_set(b.vcpu[0], vp_saved));
	for (i = 0; i < NR_IRQS; i++)
		esb_set_pq(eb, i, pq_saved[i]);

	for (i = 0; i < NR_IRQS; i++)
		EXPECT_EQ(pq_saved[i], esb_pq(eb, i)) TH_LOG("irq %d", i);
	EXPECT_EQ(0, pq_saved[0]);
	EXPECT_EQ(3, pq_saved[1]);
	EXPECT_EQ(2, pq_saved[2]);
	ASSERT_EQ(0, vp_get(b.vcpu[0], got));
	EXPECT_EQ(0, memcmp(vp_saved, got, 8));

	/* the restored device appends after the restored index */
	esb_trigger(eb, 0);
	esb_set_pq(eb, 6, 0);
	esb_trigger(eb, 6);
	EXPECT_EQ(TOGGLE | 0x40, eq_entry(b.mem, EQ_GPA, 5));
	EXPECT_EQ(TOGGLE | 0x46, eq_entry(b.mem, EQ_GPA, 6));
	EXPECT_EQ(TOGGLE | 0x44, eq_entry(b.mem, EQ_GPA, 4));
	/* the old VM's memory was not written by the new device */
	EXPECT_EQ(0, eq_entry(a.mem, EQ_GPA, 5));

	munmap(ea, NR_IRQS * 2 * XIVE_PAGE);
	munmap(eb, NR_IRQS * 2 * XIVE_PAGE);
	xvm_close(&a);
	xvm_close(&b);
}

/*
 * Entries in flight at EQ_SYNC time: sources triggered right before the
 * save (stores, no load in between), then SOURCE_SYNC and EQ_SYNC as QEMU
 * does, the queue state read and the guest memory copied after them.  The
 * restored queues hold each triggered source's entry exactly once, below
 * the restored index and nothing at it; the restored sources are still
 * pending, so a new trigger only sets Q, and the EOI then re-fires it
 * once, at the restored index.
 */
#define IF_IRQS		16
#define EQ2_GPA		0x30000UL
#define ESB_LOAD_EOI	0x000	/* the management page's EOI load */

static int if_count(void *mem, __u64 qaddr, unsigned int n, __u32 eisn)
{
	unsigned int i;
	int c = 0;

	for (i = 0; i < n; i++)
		c += eq_entry(mem, qaddr, i) == (TOGGLE | eisn);
	return c;
}

TEST(eq_sync_in_flight)
{
	const __u64 qaddr[2] = { EQ_GPA, EQ2_GPA };
	struct kvm_ppc_xive_eq saved[2], got;
	int pq[IF_IRQS], i, s;
	struct xvm a, b;

	REQUIRE_XIVE();
	ASSERT_EQ(0, xvm_open(&a, 2, true));
	ASSERT_EQ(0, xvm_map_esb(&a, IF_IRQS));
	for (s = 0; s < 2; s++)
		ASSERT_EQ(0, eq_set(a.dev, s, EQ_PRIO, qaddr[s]));
	for (i = 0; i < IF_IRQS; i++) {
		ASSERT_EQ(0, src_set(a.dev, i, 0));
		ASSERT_EQ(0, src_cfg(a.dev, i, i % 2, EQ_PRIO, false, 0x100 + i));
		esb_set_pq(a.esb, i, 0);
	}
	for (i = 0; i < IF_IRQS; i++)
		esb_trigger(a.esb, i);
	for (i = 0; i < IF_IRQS; i++)
		ASSERT_EQ(0, xive_set(a.dev, KVM_DEV_XIVE_GRP_SOURCE_SYNC, i, NULL));
	ASSERT_EQ(0, xive_ctrl(a.dev, KVM_DEV_XIVE_EQ_SYNC));
	for (s = 0; s < 2; s++) {
		ASSERT_EQ(0, eq_get(a.dev, s, EQ_PRIO, &saved[s]));
		EXPECT_EQ(IF_IRQS / 2, saved[s].qindex) TH_LOG("server %d", s);
	}
	for (i = 0; i < IF_IRQS; i++)
		pq[i] = esb_pq(a.esb, i);

	ASSERT_EQ(0, xvm_open(&b, 2, true));
	memcpy(b.mem, a.mem, GUEST_MEM_SIZE);
	ASSERT_EQ(0, xvm_map_esb(&b, IF_IRQS));
	for (s = 0; s < 2; s++)
		ASSERT_EQ(0, eq_set_full(b.dev, s, EQ_PRIO, saved[s].flags,
					 saved[s].qshift, saved[s].qaddr,
					 saved[s].qtoggle, saved[s].qindex));
	for (i = 0; i < IF_IRQS; i++) {
		ASSERT_EQ(0, src_set(b.dev, i, 0));
		ASSERT_EQ(0, src_cfg(b.dev, i, i % 2, EQ_PRIO, false, 0x100 + i));
		esb_set_pq(b.esb, i, pq[i]);
	}
	for (s = 0; s < 2; s++) {
		ASSERT_EQ(0, eq_get(b.dev, s, EQ_PRIO, &got));
		EXPECT_EQ(saved[s].qindex, got.qindex) TH_LOG("server %d", s);
		EXPECT_EQ(0, eq_entry(b.mem, qaddr[s], saved[s].qindex));
	}
	for (i = 0; i < IF_IRQS; i++) {
		EXPECT_EQ(2, pq[i]) TH_LOG("irq %d", i);
		EXPECT_EQ(1, if_count(b.mem, qaddr[i % 2], saved[i % 2].qindex,
				      0x100 + i)) TH_LOG("irq %d", i);
	}

	/* pending: a trigger only sets Q; the EOI re-fires it, once */
	esb_trigger(b.esb, 3);
	EXPECT_EQ(3, esb_pq(b.esb, 3));
	EXPECT_EQ(0, eq_entry(b.mem, qaddr[1], saved[1].qindex));
	esb_load(b.esb, 3, ESB_LOAD_EOI);
	EXPECT_EQ(TOGGLE | 0x103, eq_entry(b.mem, qaddr[1], saved[1].qindex));
	EXPECT_EQ(0, eq_entry(b.mem, qaddr[1], saved[1].qindex + 1));
	EXPECT_EQ(2, if_count(b.mem, qaddr[1], saved[1].qindex + 1, 0x103));
	xvm_close(&a);
	xvm_close(&b);
}

TEST_HARNESS_MAIN
