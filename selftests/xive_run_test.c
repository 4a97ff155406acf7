// SPDX-License-Identifier: GPL-2.0
/*
 * XIVE native device with running vCPUs: a tiny radix, real-mode,
 * little-endian guest in a 2 MiB slot.  The guest reads its event queue,
 * takes the external interrupt of a source triggered while it was not
 * running (the escalation path), and exits through `sc 1` hcalls that
 * KVM hands to userspace.  The device is also released under a vCPU that
 * is running.
 *
 * No floating point here: see TESTBED.md (f14-f31 after KVM_RUN).
 */
#include <pthread.h>
#include "kselftest_harness.h"
#include "xive_util.h"

#define CODE_GPA	0x20000UL
#define PRTB_GPA	0x100000UL
#define EXT_VEC		0x500UL

#define H_READ_EQ	0x7f00	/* private hcall numbers: KVM returns them */
#define H_DONE		0x7f04
#define H_EXTERNAL	0x7f0c
#define H_NO_IRQ	0x7f10
#define H_VECTOR(v)	(0x7e00 | ((v) >> 6))	/* unexpected interrupt */

#define MSR_SF		(1ULL << 63)
#define MSR_ME		(1ULL << 12)
#define MSR_LE		(1ULL << 0)
#define LPCR_ILE	(1ULL << 25)

/* PowerPC instruction encodings */
#define ADDI(d, a, i)	(0x38000000 | (d) << 21 | (a) << 16 | ((i) & 0xffff))
#define LI(d, i)	ADDI(d, 0, i)
#define LIS(d, i)	(0x3c000000 | (d) << 21 | ((i) & 0xffff))
#define ORI(a, s, i)	(0x60000000 | (s) << 21 | (a) << 16 | ((i) & 0xffff))
#define LWBRX(d, a, b)	(0x7c00042c | (d) << 21 | (a) << 16 | (b) << 11)
#define MTMSRD_L1(s)	(0x7c010164 | (s) << 21)
#define MFSRR0(d)	(0x7c1a02a6 | (d) << 21)
#define MTDEC(s)	(0x7c1603a6 | (s) << 21)
#define CMPWI(a, i)	(0x2c000000 | (a) << 16 | ((i) & 0xffff))
#define BLT(off)	(0x41800000 | ((off) & 0xfffc))
#define SC1		0x44000022
#define B_SELF		0x48000000

struct guest {
	struct xvm x;
	int run_size;
	struct kvm_run *run[2];
	void *esb;
};

static void put_code(struct guest *g, __u64 gpa, const __u32 *insns, int n)
{
	memcpy(g->x.mem + gpa, insns, n * sizeof(*insns));
}

/*
 * Every interrupt vector but 0x500 reports itself with an hcall, so that
 * a stray interrupt shows up as a wrong hcall number, not as a guest
 * spinning on zeroed memory.
 */
static void put_trap_vectors(struct guest *g)
{
	__u64 v;

	for (v = 0x100; v < 0x1000; v += 0x80) {
		__u32 trap[] = { LI(3, H_VECTOR(v)), MFSRR0(4), SC1, B_SELF };

		if (v != 0x500)
			memcpy(g->x.mem + v, trap, sizeof(trap));
	}
}

static int vcpu_setup(struct guest *g, int i, __u64 pc)
{
	struct kvm_regs regs;
	__u64 lpcr;
	struct kvm_one_reg r = {
		.id = KVM_REG_PPC_LPCR_64, .addr = (uintptr_t)&lpcr,
	};

	if (ioctl(g->x.vcpu[i], KVM_GET_ONE_REG, &r))
		return -errno;
	lpcr |= LPCR_ILE;	/* interrupts run little-endian */
	put_trap_vectors(g);
	if (ioctl(g->x.vcpu[i], KVM_SET_ONE_REG, &r))
		return -errno;
	if (ioctl(g->x.vcpu[i], KVM_GET_REGS, &regs))
		return -errno;
	regs.pc = pc;
	regs.msr = MSR_SF | MSR_ME | MSR_LE;
	if (ioctl(g->x.vcpu[i], KVM_SET_REGS, &regs))
		return -errno;
	return 0;
}

static int guest_open(struct guest *g, int nr_vcpus)
{
	struct kvm_ppc_mmuv3_cfg mmu = {
		.flags = KVM_PPC_MMUV3_RADIX | KVM_PPC_MMUV3_GTSE,
		.process_table = (1ULL << 63) | PRTB_GPA,
	};
	int kvm, i, r;

	memset(g, 0, sizeof(*g));
	r = xvm_open(&g->x, nr_vcpus, true);
	if (r)
		return r;
	if (ioctl(g->x.vm, KVM_PPC_CONFIGURE_V3_MMU, &mmu))
		return -errno;
	kvm = kvm_open();
	if (kvm < 0)
		return kvm;
	g->run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	close(kvm);
	if (g->run_size <= 0)
		return -EINVAL;
	for (i = 0; i < nr_vcpus; i++) {
		g->run[i] = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, g->x.vcpu[i], 0);
		if (g->run[i] == MAP_FAILED)
			return -errno;
	}
	g->esb = esb_map(g->x.dev, 8);
	if (g->esb == MAP_FAILED)
		return -errno;
	return 0;
}

static void guest_close(struct guest *g)
{
	int i;

	for (i = 0; i < 2; i++)
		if (g->run[i] && g->run[i] != MAP_FAILED)
			munmap(g->run[i], g->run_size);
	if (g->esb && g->esb != MAP_FAILED)
		munmap(g->esb, 16 * page_size());
	xvm_close(&g->x);
}

static int vcpu_run(struct guest *g, int i)
{
	return ioctl(g->x.vcpu[i], KVM_RUN, 0) ? -errno : 0;
}

static __u64 gpr(struct guest *g, int i, int n)
{
	struct kvm_regs regs;

	if (ioctl(g->x.vcpu[i], KVM_GET_REGS, &regs))
		return ~0ULL;
	return regs.gpr[n];
}

/* Route source @irq to server 0 / EQ_PRIO and trigger it once */
static int fire(struct guest *g, int irq, __u32 eisn)
{
	int r = src_set(g->x.dev, irq, 0);

	if (!r)
		r = src_cfg(g->x.dev, irq, 0, EQ_PRIO, false, eisn);
	if (r)
		return r;
	esb_set_pq(g->esb, irq, 0);
	esb_trigger(g->esb, irq);
	return 0;
}

/* One vCPU, its EQ_PRIO queue at EQ_GPA */
static int run_open(struct guest *g)
{
	int r = guest_open(g, 1);

	return r ? r : eq_set(g->x.dev, 0, EQ_PRIO, EQ_GPA);
}

XIVE_FIXTURE(run, struct guest, run_open, guest_close)

/* The guest reads the queue entry of a source fired before it ran */
TEST_F(run, guest_reads_queue)
{
	const __u32 code[] = {
		LIS(5, EQ_GPA >> 16),
		LWBRX(4, 0, 5),
		LI(3, H_READ_EQ),
		SC1,
		LI(3, H_DONE),
		SC1,
		B_SELF,
	};
	struct guest *g = &self->x;
	struct kvm_ppc_xive_eq eq;

	put_code(g, CODE_GPA, code, sizeof(code) / sizeof(code[0]));
	ASSERT_EQ(0, vcpu_setup(g, 0, CODE_GPA));
	ASSERT_EQ(0, fire(g, 3, 0x1234));

	ASSERT_EQ(0, vcpu_run(g, 0));
	ASSERT_EQ(KVM_EXIT_PAPR_HCALL, g->run[0]->exit_reason)
		TH_LOG("exit reason %u", g->run[0]->exit_reason);
	EXPECT_EQ(H_READ_EQ, g->run[0]->papr_hcall.nr);
	EXPECT_EQ(0x80001234, gpr(g, 0, 4));

	g->run[0]->papr_hcall.ret = 0;
	ASSERT_EQ(0, vcpu_run(g, 0));
	ASSERT_EQ(KVM_EXIT_PAPR_HCALL, g->run[0]->exit_reason);
	EXPECT_EQ(H_DONE, g->run[0]->papr_hcall.nr);

	/* the queue did not move while the guest ran */
	ASSERT_EQ(0, eq_get(g->x.dev, 0, EQ_PRIO, &eq));
	EXPECT_EQ(1, eq.qindex);
	EXPECT_EQ(1, eq.qtoggle);
}

/*
 * Guest code at CODE_GPA that turns external interrupts on, then runs
 * @tail (at EE_TAIL_GPA); the 0x500 vector reports H_EXTERNAL with SRR0 in
 * r4.
 */
#define EE_HEAD		6
#define EE_TAIL_GPA	(CODE_GPA + 4 * EE_HEAD)

static void put_ee_guest(struct guest *g, const __u32 *tail, int n)
{
	const __u32 head[EE_HEAD] = {
		LIS(8, 0x7fff),		/* no decrementer interrupt for a while */
		MTDEC(8),
		LI(9, 0),
		ORI(9, 9, 0x8002),	/* MSR_EE | MSR_RI */
		LI(7, 0),		/* the tail's loop counter */
		MTMSRD_L1(9),
	};
	const __u32 vec[] = { LI(3, H_EXTERNAL), MFSRR0(4), SC1, B_SELF };

	put_code(g, CODE_GPA, head, EE_HEAD);
	put_code(g, EE_TAIL_GPA, tail, n);
	put_code(g, EXT_VEC, vec, sizeof(vec) / sizeof(vec[0]));
}

/*
 * A source fired while the vCPU is not running reaches it through the
 * escalation path: once the vCPU runs with CPPR 0xff and enables
 * external interrupts, it takes the interrupt at 0x500.  With CPPR 0 it
 * does not.
 */
static void external_irq(struct __test_metadata *_metadata, struct guest *g,
			 __u8 cppr, __u64 want_hcall, int spins)
{
	const __u32 tail[] = {
		ADDI(7, 7, 1),		/* spin a little with EE on */
		CMPWI(7, spins),
		BLT(-8),
		LI(3, H_NO_IRQ),
		SC1,
		B_SELF,
	};
	__u8 vp[16] = { 0 };
	struct kvm_ppc_xive_eq eq;
	long t0, t1;

	put_ee_guest(g, tail, sizeof(tail) / sizeof(tail[0]));
	ASSERT_EQ(0, vcpu_setup(g, 0, CODE_GPA));

	/* OS ring word 0 as the TIMA holds it: NSR, CPPR, IPB, ... */
	vp[1] = cppr;
	ASSERT_EQ(0, vp_set(g->x.vcpu[0], vp));
	ASSERT_EQ(0, fire(g, 5, 0x55));
	EXPECT_EQ(0x80000055, eq_entry(g->x.mem, EQ_GPA, 0));

	t0 = now_ms();
	ASSERT_EQ(0, vcpu_run(g, 0));
	t1 = now_ms();
	ASSERT_EQ(KVM_EXIT_PAPR_HCALL, g->run[0]->exit_reason)
		TH_LOG("exit reason %u", g->run[0]->exit_reason);
	EXPECT_EQ(want_hcall, g->run[0]->papr_hcall.nr)
		TH_LOG("guest made hcall %#llx, srr0 %#llx",
		       g->run[0]->papr_hcall.nr, gpr(g, 0, 4));
	if (want_hcall == H_EXTERNAL)
		/* interrupted inside its loop, after mtmsrd */
		EXPECT_TRUE(gpr(g, 0, 4) >= EE_TAIL_GPA &&
			    gpr(g, 0, 4) <= EE_TAIL_GPA + 12)
			TH_LOG("srr0 %#llx", gpr(g, 0, 4));
	ASSERT_EQ(0, eq_get(g->x.dev, 0, EQ_PRIO, &eq));
	EXPECT_EQ(1, eq.qindex);
	ASSERT_EQ(0, vp_get(g->x.vcpu[0], vp));
	ksft_print_msg("CPPR %#x, %d guest loop iterations: hcall %#llx after %ld ms; VP word 0 after run: %02x %02x %02x %02x %02x %02x %02x %02x\n",
		       cppr, spins, g->run[0]->papr_hcall.nr, t1 - t0, vp[0],
		       vp[1], vp[2], vp[3], vp[4], vp[5], vp[6], vp[7]);
}

TEST_F(run, escalated_irq_taken)
{
	external_irq(_metadata, &self->x, 0xff, H_EXTERNAL, 0x4000);
}

TEST_F(run, escalated_irq_held_by_cppr)
{
	external_irq(_metadata, &self->x, 0, H_NO_IRQ, 0x4000);
}

/*
 * A source fired while the vCPU is running in the guest: the guest spins
 * with external interrupts enabled and only the interrupt gets it out.
 */
struct runner {
	struct guest *g;
	int rc;
	__u32 exit_reason;
	int fp_changed;		/* f14-f31 that changed across KVM_RUN */
};

/*
 * TESTBED.md saw f14-f31 zeroed after a KVM_RUN long enough to be
 * interrupted: load known patterns there before the run, compare after,
 * and report (diagnostic only: that is not the device's code).
 */
#define FP_LOAD(n)	"lfd " #n ", " #n "*8(%0)\n"
#define FP_STORE(n)	"stfd " #n ", " #n "*8(%0)\n"
#define FP_ALL(op)	op(14) op(15) op(16) op(17) op(18) op(19) op(20) \
			op(21) op(22) op(23) op(24) op(25) op(26) op(27) \
			op(28) op(29) op(30) op(31)

static void *runner_fn(void *arg)
{
	struct runner *r = arg;
	__u64 in[32], out[32];
	int i;

	for (i = 0; i < 32; i++)
		in[i] = 0x0123456789abcdefULL ^ ((__u64)i << 56);
	memcpy(out, in, sizeof(out));
	asm volatile(FP_ALL(FP_LOAD) : : "b"(in) : "memory");
	r->rc = vcpu_run(r->g, 0);
	asm volatile(FP_ALL(FP_STORE) : : "b"(out) : "memory");
	r->exit_reason = r->g->run[0]->exit_reason;
	for (i = 14; i < 32; i++)
		r->fp_changed += in[i] != out[i];
	return NULL;
}

static void on_usr1(int sig)
{
}

/*
 * Wait for the vCPU thread; when @kick, SIGUSR1 it out of KVM_RUN every
 * 10 ms.  Returns the milliseconds it took (a diagnostic, never asserted),
 * or -1 when it hung for HANG_MS: then it is kicked out before the test
 * fails, so that the failure is reported rather than the harness timeout.
 */
#define HANG_MS		40000	/* a hang, not a slow emulator: under the 60 s */

static long join_vcpu(pthread_t t, bool kick)
{
	long t0 = now_ms(), ms;

	while (pthread_tryjoin_np(t, NULL)) {
		ms = now_ms() - t0;
		if (ms > HANG_MS) {
			while (pthread_tryjoin_np(t, NULL)) {
				pthread_kill(t, SIGUSR1);
				usleep(10 * 1000);
			}
			return -1;
		}
		if (kick)
			pthread_kill(t, SIGUSR1);
		usleep(10 * 1000);
	}
	return now_ms() - t0;
}

TEST_F_TIMEOUT(run, irq_while_running, 60)
{
	const __u32 spin[] = { B_SELF };
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct guest *g = &self->x;
	struct runner r = { .g = g };
	__u8 vp[16] = { 0 };
	pthread_t rt;
	long ms;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	put_ee_guest(g, spin, 1);
	ASSERT_EQ(0, vcpu_setup(g, 0, CODE_GPA));
	vp[1] = 0xff;		/* CPPR */
	ASSERT_EQ(0, vp_set(g->x.vcpu[0], vp));
	ASSERT_EQ(0, src_set(g->x.dev, 6, 0));
	ASSERT_EQ(0, src_cfg(g->x.dev, 6, 0, EQ_PRIO, false, 0x66));
	esb_set_pq(g->esb, 6, 0);

	ASSERT_EQ(0, pthread_create(&rt, NULL, runner_fn, &r));
	usleep(300 * 1000);
	/* still spinning: nothing was pending */
	EXPECT_NE(0, pthread_tryjoin_np(rt, NULL));
	esb_trigger(g->esb, 6);
	ms = join_vcpu(rt, false);
	ksft_print_msg("interrupt taken %ld ms after the trigger; f14-f31 changed across the %d+ ms KVM_RUN: %d of 18\n",
		       ms, 300, r.fp_changed);
	ASSERT_LE(0, ms) TH_LOG("the guest never took the interrupt (hung)");
	ASSERT_EQ(0, r.rc);
	ASSERT_EQ(KVM_EXIT_PAPR_HCALL, r.exit_reason);
	EXPECT_EQ(H_EXTERNAL, g->run[0]->papr_hcall.nr);
	EXPECT_EQ(EE_TAIL_GPA, gpr(g, 0, 4));
	EXPECT_EQ(0x80000066, eq_entry(g->x.mem, EQ_GPA, 0));
}

/* The device is released while its vCPU runs a guest that never exits */
struct closer {
	int fd;
	int rc;
	volatile int done;
};

static void *closer_fn(void *arg)
{
	struct closer *c = arg;

	c->rc = close(c->fd);
	c->done = 1;
	return NULL;
}

TEST_F_TIMEOUT(run, release_under_running_vcpu, 60)
{
	const __u32 spin[] = { B_SELF };
	const __u32 code[] = { LI(3, H_DONE), SC1, B_SELF };
	struct guest *g = &self->x;
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct runner r = { .g = g };
	struct closer c;
	pthread_t rt, ct;
	long ms;
	int dev;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	put_code(g, CODE_GPA, spin, 1);
	put_code(g, CODE_GPA + 0x100, code, 3);
	ASSERT_EQ(0, vcpu_setup(g, 0, CODE_GPA));
	ASSERT_EQ(0, fire(g, 1, 0x11));

	/* the mapping would keep the device alive past the close */
	munmap(g->esb, 16 * page_size());
	g->esb = NULL;
	ASSERT_EQ(0, pthread_create(&rt, NULL, runner_fn, &r));
	usleep(300 * 1000);
	c.fd = g->x.dev;
	c.done = 0;
	g->x.dev = -1;
	ASSERT_EQ(0, pthread_create(&ct, NULL, closer_fn, &c));
	usleep(300 * 1000);
	ksft_print_msg("device close %s while the vCPU ran\n",
		       c.done ? "completed" : "was still waiting");
	/* kick the vCPU out of the guest until KVM_RUN returns */
	ms = join_vcpu(rt, true);
	ksft_print_msg("KVM_RUN returned %ld ms after the first kick\n", ms);
	ASSERT_LE(0, ms) TH_LOG("KVM_RUN did not return (hung)");
	ASSERT_EQ(0, pthread_join(ct, NULL));
	EXPECT_EQ(0, c.rc);
	EXPECT_EQ(-EINTR, r.rc);
	EXPECT_EQ(KVM_EXIT_INTR, r.exit_reason);

	/* a new device, the vCPU reconnects and runs again */
	dev = xive_create(g->x.vm);
	ASSERT_LE(0, dev);
	g->x.dev = dev;
	ASSERT_EQ(0, vcpu_connect(g->x.vcpu[0], dev, 0));
	ASSERT_EQ(0, vcpu_setup(g, 0, CODE_GPA + 0x100));
	ASSERT_EQ(0, vcpu_run(g, 0));
	ASSERT_EQ(KVM_EXIT_PAPR_HCALL, g->run[0]->exit_reason);
	EXPECT_EQ(H_DONE, g->run[0]->papr_hcall.nr);
}

TEST_HARNESS_MAIN
