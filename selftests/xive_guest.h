/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tiny guest of the selftests that run vCPUs: radix, real mode,
 * little-endian, in a 2 MiB slot at GPA 0, with the device connected.
 * The guest's code is built from the instruction encodings below and
 * leaves through `sc 1` hcalls, which KVM hands to userspace.  Include
 * after xive_util.h.
 */
#ifndef XIVE_GUEST_H
#define XIVE_GUEST_H

#define CODE_GPA	0x20000UL
#define PRTB_GPA	0x100000UL
/* private hcall numbers: KVM returns them to userspace */
#define H_DONE		0x7f04
#define H_VECTOR(v)	(0x7e00 | ((v) >> 6))	/* unexpected interrupt */

#define MSR_SF		BIT_ULL(63)
#define MSR_ME		BIT_ULL(12)
#define MSR_LE		BIT_ULL(0)
#define LPCR_ILE	BIT_ULL(25)

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

static inline void put_code(struct guest *g, __u64 gpa, const __u32 *insns, int n)
{
	memcpy(g->x.mem + gpa, insns, n * sizeof(*insns));
}

/*
 * Every interrupt vector but 0x500 reports itself with an hcall, so that
 * a stray interrupt shows up as a wrong hcall number, not as a guest
 * spinning on zeroed memory.
 */
static inline void put_trap_vectors(struct guest *g)
{
	__u64 v;

	for (v = 0x100; v < 0x1000; v += 0x80) {
		__u32 trap[] = { LI(3, H_VECTOR(v)), MFSRR0(4), SC1, B_SELF };

		if (v != 0x500)
			memcpy(g->x.mem + v, trap, sizeof(trap));
	}
}

static inline int vcpu_setup_msr(struct guest *g, int i, __u64 pc, __u64 msr)
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
	regs.msr = msr;
	if (ioctl(g->x.vcpu[i], KVM_SET_REGS, &regs))
		return -errno;
	return 0;
}

static inline int vcpu_setup(struct guest *g, int i, __u64 pc)
{
	return vcpu_setup_msr(g, i, pc, MSR_SF | MSR_ME | MSR_LE);
}

static inline int guest_open(struct guest *g, int nr_vcpus)
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

static inline void guest_close(struct guest *g)
{
	int i;

	for (i = 0; i < 2; i++)
		if (g->run[i] && g->run[i] != MAP_FAILED)
			munmap(g->run[i], g->run_size);
	if (g->esb && g->esb != MAP_FAILED)
		munmap(g->esb, 16 * XIVE_PAGE);
	xvm_close(&g->x);
}

static inline int vcpu_run(struct guest *g, int i)
{
	return ioctl(g->x.vcpu[i], KVM_RUN, 0) ? -errno : 0;
}

static inline __u64 gpr(struct guest *g, int i, int n)
{
	struct kvm_regs regs;

	if (ioctl(g->x.vcpu[i], KVM_GET_REGS, &regs))
		return ~0ULL;
	return regs.gpr[n];
}

#endif /* XIVE_GUEST_H */
