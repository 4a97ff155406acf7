// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM thread's floating-point state across KVM_RUN.
 *
 * The syscall ABI makes every FP, VMX and VSX register, FPSCR and VSCR
 * nonvolatile (Documentation/powerpc/syscall64-abi.rst).  A thread loads
 * a known image into all 64 VSRs (f0-f31 are the first doublewords of
 * VSR 0-31, v0-v31 are VSR 32-63), FPSCR and VSCR, makes one raw
 * syscall, and stores them again in the same asm block.  The guest
 * loads another known image before it runs, so that a value that comes
 * back changed can be named: the thread's own, the guest's, or zero.
 *
 * KVM_RUN is made short (the guest exits at once), long with the vCPU
 * ceded (the thread sleeps in KVM), long with the thread preempted by
 * another thread of the VMM on its CPU, and interrupted by a signal.
 * Two controls make the same blocking and signalled syscalls without
 * KVM, so that a leak cannot be blamed on the CPU (or its emulator),
 * on signal delivery or on the test itself.
 *
 * Debian's 6.1 and 6.12 kvm-hv fail the ceded, preempted and signalled
 * runs, and a short one that something else on its CPU switched out
 * (the P9 path is the same in both): kvmppc_vcpu_run_hv() gives the
 * thread's FP/VMX state up once, before its loop
 * (kvmppc_save_user_regs()).  A context switch inside the loop reloads
 * it (restore_math() in __switch_to()) and sets MSR_FP|VEC|VSX in the
 * thread's user MSR; the next guest entry (load_vcpu_state()) replaces
 * the registers, and the return to userspace, seeing those MSR bits,
 * keeps what the registers hold: the guest's.  Giving the state up again
 * before each guest entry, in kvmhv_run_single_vcpu(), passes them all.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include "kselftest_harness.h"
#include "xive_util.h"
#include "xive_guest.h"

#define EXIT_GPA	0x28000UL	/* the guest's exit routine */
#define GIMG_GPA	0x30000UL	/* the image the guest loads */
#define GOUT_GPA	0x40000UL	/* the guest's registers at its exit */
#define FLAG_GPA	0x50000UL	/* +0: set by the VMM, +4: set by the guest */
#define DEC_VEC		0x900UL

#define H_CEDE		0xe0
#define MSR_FP		BIT_ULL(13)
#define MSR_VSX		BIT_ULL(23)
#define MSR_VEC		BIT_ULL(25)

#define LXVD2X(t, a, b)	 (0x7c000698 | ((t) & 31) << 21 | (a) << 16 | (b) << 11 | (t) >> 5)
#define STXVD2X(s, a, b) (0x7c000798 | ((s) & 31) << 21 | (a) << 16 | (b) << 11 | (s) >> 5)
#define LFD(t, d, a)	(0xc8000000 | (t) << 21 | (a) << 16 | ((d) & 0xffff))
#define STFD(s, d, a)	(0xd8000000 | (s) << 21 | (a) << 16 | ((d) & 0xffff))
#define MTFSF_ALL(b)	(0xfc00058e | 0xff << 17 | (b) << 11)
#define MFFS(t)		(0xfc00048e | (t) << 21)
#define LVX(t, a, b)	(0x7c0000ce | (t) << 21 | (a) << 16 | (b) << 11)
#define STVX(s, a, b)	(0x7c0001ce | (s) << 21 | (a) << 16 | (b) << 11)
#define MTVSCR(b)	(0x10000644 | (b) << 11)
#define MFVSCR(t)	(0x10000604 | (t) << 21)
#define LWZ(t, d, a)	(0x80000000 | (t) << 21 | (a) << 16 | ((d) & 0xffff))
#define STW(s, d, a)	(0x90000000 | (s) << 21 | (a) << 16 | ((d) & 0xffff))
#define ORIS(a, s, i)	(0x64000000 | (s) << 21 | (a) << 16 | ((i) & 0xffff))
#define ANDC(a, s, b)	(0x7c000078 | (s) << 21 | (a) << 16 | (b) << 11)
#define MFMSR(t)	(0x7c0000a6 | (t) << 21)
#define MTMSRD(s)	(0x7c000164 | (s) << 21)
#define ISYNC		0x4c00012c
#define BEQ(off)	(0x41820000 | ((off) & 0xfffc))
#define BA(addr)	(0x48000002 | ((addr) & 0x3fffffc))

/* The register image, as lxvd2x/stxvd2x and stfd/stvx lay it out */
struct fpimg {
	__u64 vsr[64][2];
	__u64 fpscr;
	__u64 pad;
	__u32 vscr[4];
} __attribute__((aligned(16)));

#define IMG_FPSCR	1024
#define IMG_VSCR	1040

/* RN and FPRF bits only: no enabled exception can fire */
#define HOST_FPSCR	0x0000a001ULL
#define GUEST_FPSCR	0x00005002ULL
#define HOST_VSCR	0x00000001	/* SAT */
#define GUEST_VSCR	0x00010000	/* NJ */

static __u64 host_val(int i, int h)
{
	return 0x484f535400000000ULL | i << 8 | h;	/* "HOST" */
}

static __u64 guest_val(int i, int h)
{
	return 0x4755455300000000ULL | i << 8 | h;	/* "GUES" */
}

static void fill(struct fpimg *m, __u64 (*val)(int, int), __u64 fpscr,
		 __u32 vscr)
{
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 64; i++) {
		m->vsr[i][0] = val(i, 0);
		m->vsr[i][1] = val(i, 1);
	}
	m->fpscr = fpscr;
	/* VSCR is one word of the vector: whichever one mtvscr takes */
	m->vscr[0] = vscr;
	m->vscr[3] = vscr;
}

#define VSR_OP(op, n, img)	"li 9, " #n "*16\n\t" op " " #n ", %[" img "], 9\n\t"
#define VSR_10(op, img, n)	VSR_OP(op, n##0, img) VSR_OP(op, n##1, img) \
	VSR_OP(op, n##2, img) VSR_OP(op, n##3, img) VSR_OP(op, n##4, img) \
	VSR_OP(op, n##5, img) VSR_OP(op, n##6, img) VSR_OP(op, n##7, img) \
	VSR_OP(op, n##8, img) VSR_OP(op, n##9, img)
#define VSR_ALL(op, img)	VSR_OP(op, 0, img) VSR_OP(op, 1, img) \
	VSR_OP(op, 2, img) VSR_OP(op, 3, img) VSR_OP(op, 4, img) \
	VSR_OP(op, 5, img) VSR_OP(op, 6, img) VSR_OP(op, 7, img) \
	VSR_OP(op, 8, img) VSR_OP(op, 9, img) VSR_10(op, img, 1) \
	VSR_10(op, img, 2) VSR_10(op, img, 3) VSR_10(op, img, 4) \
	VSR_10(op, img, 5) VSR_OP(op, 60, img) VSR_OP(op, 61, img) \
	VSR_OP(op, 62, img) VSR_OP(op, 63, img)

#define FP_CLOBBERS \
	"fr0", "fr1", "fr2", "fr3", "fr4", "fr5", "fr6", "fr7", "fr8", \
	"fr9", "fr10", "fr11", "fr12", "fr13", "fr14", "fr15", "fr16", \
	"fr17", "fr18", "fr19", "fr20", "fr21", "fr22", "fr23", "fr24", \
	"fr25", "fr26", "fr27", "fr28", "fr29", "fr30", "fr31", \
	"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", \
	"v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", \
	"v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", \
	"v28", "v29", "v30", "v31", "vs0", "vs1", "vs2", "vs3", "vs4", \
	"vs5", "vs6", "vs7", "vs8", "vs9", "vs10", "vs11", "vs12", "vs13", \
	"vs14", "vs15", "vs16", "vs17", "vs18", "vs19", "vs20", "vs21", \
	"vs22", "vs23", "vs24", "vs25", "vs26", "vs27", "vs28", "vs29", \
	"vs30", "vs31"

/*
 * One raw syscall with @in loaded: FPSCR and VSCR as the CPU took them
 * go to @set, everything after the syscall to @out.  Nothing but the
 * kernel (and, when signalled, an empty handler) runs in this thread
 * between the loads and the stores.  The thread's own FPSCR and VSCR
 * are put back.  Returns the syscall's result or -errno.
 */
static long fp_syscall(long nr, long a0, long a1, long a2,
		       const struct fpimg *in, struct fpimg *set,
		       struct fpimg *out)
{
	register long r0 asm("r0") = nr;
	register long r3 asm("r3") = a0;
	register long r4 asm("r4") = a1;
	register long r5 asm("r5") = a2;
	struct fpimg save;

	asm volatile("mffs 0\n\tstfd 0, 1024(%[save])\n\t"
		     "li 9, 1040\n\tmfvscr 0\n\tstvx 0, %[save], 9\n\t"
		     "lfd 0, 1024(%[in])\n\tmtfsf 0xff, 0\n\t"
		     "mffs 0\n\tstfd 0, 1024(%[set])\n\t"
		     "lvx 0, %[in], 9\n\tmtvscr 0\n\t"
		     "mfvscr 0\n\tstvx 0, %[set], 9\n\t"
		     VSR_ALL("lxvd2x", "in")
		     "sc\n\t"
		     "bns+ 1f\n\t"
		     "neg 3, 3\n"
		     "1:\n\t"
		     VSR_ALL("stxvd2x", "out")
		     "mffs 0\n\tstfd 0, 1024(%[out])\n\t"
		     "li 9, 1040\n\tmfvscr 0\n\tstvx 0, %[out], 9\n\t"
		     "lfd 0, 1024(%[save])\n\tmtfsf 0xff, 0\n\t"
		     "lvx 0, %[save], 9\n\tmtvscr 0\n\t"
		     : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5)
		     : [in] "b"(in), [set] "b"(set), [out] "b"(out),
		       [save] "b"(&save)
		     : "r6", "r7", "r8", "r9", "r10", "r11", "r12", "ctr", "lr",
		       "xer", "cr0", "cr1", "cr5", "cr6", "cr7", "memory",
		       FP_CLOBBERS);
	return r3;
}

/* A syscall made by a thread of its own, its context switches counted */
struct call {
	struct fpimg in, set, out;
	long nr, a[3];
	char buf[8];
	int (*prep)(void *arg);	/* run by the thread first, not measured */
	void *arg;
	int prep_rc;
	long ret;
	long switches;
	pid_t tid;
	volatile int done;
};

static long thread_switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void *call_fn(void *arg)
{
	struct call *c = arg;
	long s0;

	c->tid = gettid();
	c->prep_rc = c->prep ? c->prep(c->arg) : 0;
	if (c->prep_rc) {
		c->done = 1;
		return NULL;
	}
	s0 = thread_switches();
	c->ret = fp_syscall(c->nr, c->a[0], c->a[1], c->a[2], &c->in, &c->set,
			    &c->out);
	c->switches = thread_switches() - s0;
	c->done = 1;
	return NULL;
}

/* c->prep and c->arg are the caller's to set */
static void call_start(struct call *c, pthread_t *t, long nr, long a0,
		       long a1, long a2)
{
	fill(&c->in, host_val, HOST_FPSCR, HOST_VSCR);
	c->nr = nr;
	c->a[0] = a0;
	c->a[1] = a1;
	c->a[2] = a2;
	c->done = 0;
	c->tid = 0;
	if (pthread_create(t, NULL, call_fn, c))
		c->done = -1;
}

/* Whose value each doubleword holds */
struct tally {
	int host, guest, zero, other;
};

static void count(struct tally *t, __u64 v, int i, int h)
{
	if (v == host_val(i, h))
		t->host++;
	else if (v == guest_val(i, h))
		t->guest++;
	else if (!v)
		t->zero++;
	else
		t->other++;
}

static const char *whose(__u64 v, __u64 host, __u64 guest)
{
	return v == host ? "own" : v == guest ? "guest's" : !v ? "zero" :
	       "other";
}

/*
 * The thread's f14-f31, all 64 VSRs, FPSCR and VSCR after the call are
 * the ones it loaded: print whose they are, then assert.  On the distro's
 * kvm-hv, a run whose thread was switched out fails in the documented
 * way (the header): an expected upstream failure, nothing else is.
 */
static void check_kept(struct __test_metadata *_metadata,
		       const struct call *c, const char *what, bool xfail)
{
	struct tally f = { 0 }, all = { 0 };
	int i;

	for (i = 0; i < 64; i++) {
		if (i >= 14 && i < 32)
			count(&f, c->out.vsr[i][0], i, 0);
		count(&all, c->out.vsr[i][0], i, 0);
		count(&all, c->out.vsr[i][1], i, 1);
	}
	ksft_print_msg("%s: returned %ld after %ld context switches; f14-f31: %d own, %d guest's, %d zero, %d other; VSR doublewords: %d own, %d guest's, %d zero, %d other; FPSCR %#llx (%s), VSCR %#x (%s)\n",
		       what, c->ret, c->switches, f.host, f.guest, f.zero,
		       f.other, all.host, all.guest, all.zero, all.other,
		       c->out.fpscr & 0xffffffff,
		       whose(c->out.fpscr & 0xffffffff,
			     c->set.fpscr & 0xffffffff, GUEST_FPSCR),
		       c->out.vscr[0] | c->out.vscr[3],
		       whose(c->out.vscr[0] | c->out.vscr[3],
			     c->set.vscr[0] | c->set.vscr[3], GUEST_VSCR));
	if (xfail)
		XFAIL_ON_UPSTREAM(f.host == 18 && all.host == 128 &&
				  c->set.fpscr == c->out.fpscr,
				  "kvm-hv gives the VMM thread's FP/VMX/VSX state up once per KVM_RUN: after a switch in its run loop the thread got %d of 18 f14-f31 and %d of 128 VSR doublewords back from the guest (ours carries intree/series/0001)",
				  f.guest, all.guest);
	EXPECT_EQ(18, f.host);
	EXPECT_EQ(128, all.host);
	EXPECT_EQ(c->set.fpscr, c->out.fpscr);
	EXPECT_EQ(0, memcmp(c->set.vscr, c->out.vscr, sizeof(c->set.vscr)));
}

static void on_usr1(int sig)
{
}

static int catch_usr1(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL);
}

/* Both threads on one CPU: the other thread runs only when this one is off */
static int pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* The thread is asleep in the kernel ('S' in /proc/.../stat) */
static bool thread_sleeping(pid_t tid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

/* Wait up to 10 s for @cond, 10 ms at a time; true when it held */
#define WAIT_FOR(cond) ({						\
	int __i;							\
	for (__i = 0; __i < 1000 && !(cond); __i++)			\
		usleep(10 * 1000);					\
	(bool)(cond);							\
})

/* Signal @t until the call returns (a vCPU that never exits, a read) */
static void kick_until_done(struct call *c, pthread_t t)
{
	while (!c->done) {
		pthread_kill(t, SIGUSR1);
		usleep(10 * 1000);
	}
}

/* Controls: the same syscall sequence with no KVM involved */
TEST(control_blocking_read)
{
	struct call c = { 0 };
	pthread_t t;
	int p[2];

	ASSERT_EQ(0, pin_to_one_cpu());
	ASSERT_EQ(0, pipe(p));
	call_start(&c, &t, __NR_read, p[0], (long)c.buf, 1);
	ASSERT_LE(0, c.done);
	ASSERT_TRUE(WAIT_FOR(c.tid && thread_sleeping(c.tid)));
	ASSERT_EQ(1, write(p[1], "x", 1));
	ASSERT_EQ(0, pthread_join(t, NULL));
	check_kept(_metadata, &c, "read() that slept", false);
	EXPECT_EQ(1, c.ret);
	EXPECT_LT(0, c.switches);
	close(p[0]);
	close(p[1]);
}

TEST(control_signalled_read)
{
	struct call c = { 0 };
	pthread_t t;
	int p[2];

	ASSERT_EQ(0, pin_to_one_cpu());
	ASSERT_EQ(0, catch_usr1());
	ASSERT_EQ(0, pipe(p));
	call_start(&c, &t, __NR_read, p[0], (long)c.buf, 1);
	ASSERT_LE(0, c.done);
	ASSERT_TRUE(WAIT_FOR(c.tid && thread_sleeping(c.tid)));
	kick_until_done(&c, t);
	ASSERT_EQ(0, pthread_join(t, NULL));
	check_kept(_metadata, &c, "read() interrupted by a signal", false);
	EXPECT_EQ(-EINTR, c.ret);
	EXPECT_LT(0, c.switches);
	close(p[0]);
	close(p[1]);
}

/* How the guest goes on after loading its image */
enum tail { EXIT_NOW, CEDE, SPIN };

FIXTURE(kvm_run) {
	struct guest g;
	struct call c;
};

FIXTURE_VARIANT(kvm_run) {
	enum tail tail;
	bool kick;		/* SPIN: end it with a signal, not the flag */
	const char *what;
};

FIXTURE_VARIANT_ADD(kvm_run, short) {
	.tail = EXIT_NOW, .what = "KVM_RUN, guest exits at once",
};

FIXTURE_VARIANT_ADD(kvm_run, ceded) {
	.tail = CEDE, .what = "KVM_RUN, vCPU ceded until its decrementer",
};

FIXTURE_VARIANT_ADD(kvm_run, preempted) {
	.tail = SPIN,
	.what = "KVM_RUN, thread preempted by the VMM's other thread",
};

FIXTURE_VARIANT_ADD(kvm_run, signalled) {
	.tail = SPIN, .kick = true,
	.what = "KVM_RUN, thread preempted, then signalled",
};

FIXTURE_SETUP(kvm_run)
{
	REQUIRE_XIVE();
	ASSERT_EQ(0, pin_to_one_cpu());
	ASSERT_EQ(0, catch_usr1());
	ASSERT_EQ(0, guest_open(&self->g, 1));
}

FIXTURE_TEARDOWN(kvm_run)
{
	guest_close(&self->g);
}

#define GUEST_MSR	(MSR_SF | MSR_ME | MSR_LE | MSR_FP | MSR_VEC | MSR_VSX)

/*
 * The guest: load the image at GIMG_GPA, then the variant's tail; the
 * exit routine (also the decrementer vector) stores what the guest's
 * registers hold at GOUT_GPA and makes the H_DONE hcall.  SPIN sets
 * FLAG+4 over and over until the VMM sets FLAG+0.
 */
static void put_guest(struct guest *g, enum tail tail)
{
	__u32 code[256], ex[256];
	int n = 0, e = 0, i;

	code[n++] = LIS(5, GIMG_GPA >> 16);
	code[n++] = LFD(0, IMG_FPSCR, 5);
	code[n++] = MTFSF_ALL(0);
	code[n++] = LI(9, IMG_VSCR);
	code[n++] = LVX(0, 5, 9);
	code[n++] = MTVSCR(0);
	for (i = 0; i < 64; i++) {
		code[n++] = LI(9, i * 16);
		code[n++] = LXVD2X(i, 5, 9);
	}
	code[n++] = LIS(6, FLAG_GPA >> 16);
	switch (tail) {
	case EXIT_NOW:
		break;
	case CEDE:
		code[n++] = LIS(8, 0x100);	/* 32 ms of a 512 MHz timebase */
		code[n++] = MTDEC(8);
		code[n++] = LI(9, 0);
		code[n++] = ORI(9, 9, 0x8002);	/* MSR_EE | MSR_RI */
		code[n++] = MTMSRD_L1(9);
		code[n++] = LI(3, H_CEDE);
		code[n++] = SC1;
		break;
	case SPIN:
		code[n++] = LI(7, 1);
		code[n++] = STW(7, 4, 6);
		code[n++] = LWZ(7, 0, 6);
		code[n++] = CMPWI(7, 0);
		code[n++] = BEQ(-16);
		break;
	}
	code[n++] = BA(EXIT_GPA);

	/* FP/VEC/VSX back on, EE off: the decrementer vector comes here too */
	ex[e++] = MFMSR(10);
	ex[e++] = ORI(10, 10, MSR_FP);
	ex[e++] = ORIS(10, 10, (MSR_VEC | MSR_VSX) >> 16);
	ex[e++] = LI(11, 0);
	ex[e++] = ORI(11, 11, 0x8000);
	ex[e++] = ANDC(10, 10, 11);
	ex[e++] = MTMSRD(10);
	ex[e++] = ISYNC;
	ex[e++] = LIS(5, GOUT_GPA >> 16);
	for (i = 0; i < 64; i++) {
		ex[e++] = LI(9, i * 16);
		ex[e++] = STXVD2X(i, 5, 9);
	}
	ex[e++] = MFFS(0);
	ex[e++] = STFD(0, IMG_FPSCR, 5);
	ex[e++] = LI(9, IMG_VSCR);
	ex[e++] = MFVSCR(0);
	ex[e++] = STVX(0, 5, 9);
	ex[e++] = LI(3, H_DONE);
	ex[e++] = SC1;
	ex[e++] = B_SELF;

	put_code(g, CODE_GPA, code, n);
	put_code(g, EXIT_GPA, ex, e);
	fill((struct fpimg *)(g->x.mem + GIMG_GPA), guest_val, GUEST_FPSCR,
	     GUEST_VSCR);
}

static int dec_vector(struct guest *g)
{
	const __u32 vec[] = { BA(EXIT_GPA) };

	put_code(g, DEC_VEC, vec, 1);
	return 0;
}

/*
 * In the calling thread, before the measured run: a first KVM_RUN of
 * the exit routine touches the guest's pages and moves the vCPU to this
 * thread, so that the measured run takes no page fault and no RCU wait
 * (both may sleep) of its own.
 */
static int warm_up(void *arg)
{
	struct guest *g = arg;
	volatile __u32 *flag = (void *)(g->x.mem + FLAG_GPA);
	int r;

	flag[2] = flag[0];	/* the host's first touch of that page */
	r = vcpu_setup_msr(g, 0, EXIT_GPA, GUEST_MSR);
	if (!r)
		r = dec_vector(g);
	if (!r)
		r = vcpu_run(g, 0);
	if (r)
		return r;
	if (g->run[0]->exit_reason != KVM_EXIT_PAPR_HCALL ||
	    g->run[0]->papr_hcall.nr != H_DONE)
		return -EPROTO;
	memset(g->x.mem + GOUT_GPA, 0, sizeof(struct fpimg));
	r = vcpu_setup_msr(g, 0, CODE_GPA, GUEST_MSR);
	return r ? r : dec_vector(g);
}

/* The guest's own registers reached its exit untouched by the VMM's */
static void check_guest_kept(struct __test_metadata *_metadata,
			     struct guest *g)
{
	const struct fpimg *o = (void *)(g->x.mem + GOUT_GPA);
	struct tally all = { 0 };
	int i;

	for (i = 0; i < 64; i++) {
		count(&all, o->vsr[i][0], i, 0);
		count(&all, o->vsr[i][1], i, 1);
	}
	ksft_print_msg("guest's VSR doublewords at its exit: %d guest's, %d VMM's, %d zero, %d other; FPSCR %#llx, VSCR %#x\n",
		       all.guest, all.host, all.zero, all.other,
		       o->fpscr & 0xffffffff, o->vscr[0] | o->vscr[3]);
	EXPECT_EQ(128, all.guest);
	EXPECT_EQ(GUEST_FPSCR, o->fpscr & 0xffffffff);
	EXPECT_EQ(GUEST_VSCR, o->vscr[0] | o->vscr[3]);
}

/* The vCPU's OS ring (TIMA word 0: NSR, CPPR, IPB, ...), printed */
static __u8 vp_ipb(struct guest *g, const char *when)
{
	__u8 vp[16] = { 0 };
	int r = vp_get(g->x.vcpu[0], vp);

	ksft_print_msg("VP word 0 %s (vp_get %d): NSR %02x CPPR %02x IPB %02x LSMFB %02x ACK %02x INC %02x AGE %02x PIPR %02x\n",
		       when, r, vp[0], vp[1], vp[2], vp[3], vp[4], vp[5],
		       vp[6], vp[7]);
	return vp[2];
}

TEST_F_TIMEOUT(kvm_run, vmm_fp_state_kept, 60)
{
	volatile __u32 *flag = (void *)(self->g.x.mem + FLAG_GPA);
	struct guest *g = &self->g;
	struct call *c = &self->c;
	pthread_t t;

	/* nothing routed to this VM: nothing may become pending for it */
	EXPECT_EQ(0, vp_ipb(g, "before the run"));
	put_guest(g, variant->tail);
	c->prep = warm_up;
	c->arg = g;
	call_start(c, &t, __NR_ioctl, g->x.vcpu[0], KVM_RUN, 0);
	ASSERT_LE(0, c->done);
	if (variant->tail == SPIN) {
		/*
		 * One CPU: the guest running again after this thread ran
		 * means its thread was switched out and back in inside
		 * KVM_RUN, and then entered the guest again.
		 */
		bool ran = WAIT_FOR(flag[1]);

		flag[1] = 0;
		ran = ran && WAIT_FOR(flag[1]);
		if (variant->kick || !ran)
			kick_until_done(c, t);
		else
			flag[0] = 1;
		ASSERT_TRUE(ran) TH_LOG("the guest did not run again");
	}
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, c->prep_rc);
	/* a short run the scheduler switched out meets the same upstream bug */
	check_kept(_metadata, c, variant->what,
		   variant->tail != EXIT_NOW || c->switches > 0);

	if (variant->kick) {
		EXPECT_EQ(-EINTR, c->ret);
		EXPECT_EQ(KVM_EXIT_INTR, g->run[0]->exit_reason);
	} else {
		EXPECT_EQ(0, c->ret);
		ASSERT_EQ(KVM_EXIT_PAPR_HCALL, g->run[0]->exit_reason);
		/*
		 * Upstream on POWER10, after other tests' VMs (7 of 12 runs,
		 * none on a fresh boot): the ceded vCPU wakes at once to an
		 * interrupt of priority 6 this VM never routed, its guest
		 * takes vector 0x500.  Named only when the VP shows it.
		 */
		if (g->run[0]->papr_hcall.nr != H_DONE) {
			__u8 ipb = vp_ipb(g, "after the run");

			XFAIL_ON_UPSTREAM(!ipb || !host_is_power10(),
					  "POWER10: a ceded vCPU woke to a priority its VM never routed (IPB %#x after the run, 0 before): an earlier VM's routing left behind",
					  ipb);
		}
		EXPECT_EQ(H_DONE, g->run[0]->papr_hcall.nr)
			TH_LOG("hcall %#llx, srr0 %#llx",
			       g->run[0]->papr_hcall.nr, gpr(g, 0, 4));
		check_guest_kept(_metadata, g);
	}
	/* a long run that was never switched out tested nothing */
	if (variant->tail != EXIT_NOW)
		EXPECT_LT(0, c->switches);
}

TEST_HARNESS_MAIN
