// SPDX-License-Identifier: GPL-2.0
/*
 * xive_fuzz: a seeded fuzzer of the KVM XIVE native device.
 *
 *   xive_fuzz [-s SEED (0x5eed)] [-n OPS (10000)] [-t THREADS (2)] [-v] [-C]
 *
 * THREADS threads (OPS shared out between them) each draw random and
 * boundary operations from their own generator, seeded from SEED and the
 * thread number: VM/device/vCPU lifecycle, vCPU connect, every attribute
 * group with valid, boundary and garbage values and bad pointers,
 * VP_STATE, mmap/munmap/mprotect/mremap/fork of the TIMA and ESB windows,
 * loads and stores on the mapped pages, memslot changes and KVM_RUN of a
 * tiny guest.  Each thread has a VM of its own and all share one more VM
 * (its sources split between the threads, a rwlock around the calls that
 * change what other threads model).
 *
 * What is checked, per call: the errno is in the documented set of that
 * call (the table below, from Documentation/xive-native.rst), and in the
 * set a model of the VM allows (the errnos whose documented condition
 * holds, in any order, or success when none does); SIGBUS exactly where
 * documented; PQ bits of the thread's own sources (set-PQ, trigger); EQ
 * get after set; and, after rejected calls, that the device still works.
 * The kernel log is judged by the testbed.
 *
 * Output: TAP 13, one result per thread and op class, the plan last.
 * A failure prints the seed, thread, op index and the op, and how to
 * reproduce it.  With -t 1 a run is exactly reproducible; with more
 * threads each thread's draws are, the shared VM's state less so.
 */
#include <pthread.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include "xive_util.h"
#include "xive_guest.h"

#define NV		4		/* vCPUs per VM */
#define NSRC		64		/* sources 0..NSRC-1 modelled ... */
static const __u32 far_src[] = { 1023, 1024, 2047, 0x80000, 0xfffff };
#define NFAR		ARRAY_SIZE(far_src)
#define NTRK		(NSRC + NFAR)	/* ... and these */
#define NBLK		1024		/* blocks of 1024 sources */
#define NMAP		8		/* extra mappings per VM */
#define NR_IRQS		0x100000UL
#define ESB_PAGES	(2 * NR_IRQS)
#define SLOT1_GPA	0x10000000UL
#define KADDR		0xc000000000000000ULL
#define SHOW_FAILS	3		/* printed per thread and class */
#define MAX_FAILS	5000		/* then the thread stops */
#define DEFAULT_SEED	0x5eedULL	/* make fuzz's fixed CI seed */

/*
 * A result's bit in the masks: its errno; EOPNOTSUPP (95) on bit 62 (ETIME,
 * never a device result); any other errno past 63 on bit 63.
 */
#define EB_OPNOTSUPP	62
#define EBIT(e)		((e) == EOPNOTSUPP ? EB_OPNOTSUPP : (e))
#define B(e)		(1ULL << EBIT(e))
#define OK		B(0)
#define ANY		(~0ULL)

/* The documented errnos of each call (plus 0) */
#define T_CTRL		(OK | B(EIO))
#define T_NRSERV	(OK | B(EINVAL) | B(EFAULT) | B(EBUSY))
#define T_SOURCE	(OK | B(E2BIG) | B(ENOMEM) | B(EFAULT) | B(ENXIO))
#define T_CONFIG	(OK | B(ENOENT) | B(EINVAL) | B(EFAULT) | B(ENXIO))
#define T_EQ		(OK | B(ENOENT) | B(EINVAL) | B(EFAULT) | B(EIO) | \
			 B(EOPNOTSUPP))	/* 4K hosts: scattered queue */
#define T_SYNC		(OK | B(ENOENT) | B(EINVAL))
#define T_HAS		(OK | B(ENXIO))
#define T_CONNECT	(OK | B(EBADF) | B(ENXIO) | B(EPERM) | B(EBUSY) | \
			 B(EINVAL) | B(ENOSPC) | B(EEXIST) | B(EIO))
/* one-reg: ENXIO from KVM itself for a vCPU without interrupt controller */
#define T_VP		(OK | B(EPERM) | B(EIO) | B(EBUSY) | B(ENXIO) | B(EFAULT))
#define T_DEV		(OK | B(EEXIST) | B(ENOMEM) | B(ENODEV))
#define T_VCPU		(OK | B(EEXIST) | B(EINVAL) | B(ENOMEM))
#define T_MMAP		(OK | B(EINVAL) | B(ENOMEM))
#define T_MREMAP	(OK | B(EFAULT) | B(EINVAL) | B(ENOMEM))
#define T_SLOT		(OK | B(EINVAL) | B(EEXIST) | B(ENOMEM) | B(EFAULT))

enum cls {
	C_VM, C_VCPU, C_CONNECT, C_CTRL, C_SOURCE, C_CONFIG, C_EQ, C_SYNC,
	C_ATTR, C_VP, C_MMAP, C_FORK, C_ACCESS, C_PQ, C_SLOT, C_RUN,
	C_USABLE, NCLS
};

static const char *const cls_name[NCLS] = {
	"vm", "vcpu", "connect", "ctrl", "source", "config", "eq", "sync",
	"attr", "vp", "mmap", "fork", "access", "pq", "memslot", "run",
	"usable",
};

struct map {
	char *addr;
	unsigned long npages, pgoff;	/* file page of the first page */
	int prot, gen;			/* the device incarnation it maps */
};

struct src {
	__u8 made;			/* 0 no, 1 yes, 2 unknown */
	__u8 lsi;			/* 1: LSI or unknown: no PQ checks */
	__s8 pq;			/* -1 unknown */
	__s8 who;			/* the thread that last set pq */
	unsigned int when;		/* at its op number */
};

/* A VM with the device, and what the fuzzer knows of it */
struct vmctx {
	pthread_rwlock_t lock;
	bool shared, open, dev_open, vp_block;
	struct guest g;			/* g.x.vm, .dev, .vcpu[], .mem */
	struct kvm_run *run[NV];
	int server[NV];			/* -1: not connected */
	__u32 nr_servers;		/* effective */
	__u8 eq[NV][8];			/* 0 off, 1 set, 2 unknown */
	__u64 eq_addr[NV][8];
	__u8 blk[NBLK];			/* 0 none, 1 exists, 2 unknown */
	struct src s[NTRK];
	bool slot0, slot1;
	__u64 slot1_gpa;
	void *slot1_mem;
	size_t slot1_size;
	int gen;
	char *esb, *tima;		/* whole windows, of device gen */
	struct map m[NMAP];
};

struct stat_cls {
	unsigned long ops, err[64], sigbus, sigsegv, fails;
	char first[160];
};

/* An op as say() described it, for history() */
struct hent {
	double t;
	bool shared;
	char desc[100];
};

struct fz {
	int tid;
	__u64 rng;
	unsigned long op, nops, rejects;
	int fails;
	struct vmctx own;
	struct vmctx *c;		/* the VM of the current op */
	bool excl;			/* holding c's lock for write */
	char desc[256];
	struct stat_cls st[NCLS];
	char *buf, *ro, *none;		/* payload pages */
	struct hent *log;		/* op -> what it did, nops of them */
	int hist_who;			/* first model failure: who set ... */
	unsigned long hist_since, hist_fail;	/* ... when, and its op */
	__u32 hist_irq;			/* its source, ... */
	bool hist_shared;		/* ... on the shared VM, ... */
	long hist_hw;			/* ... and its hardware IPI, or -1 */
	pid_t task;			/* the thread's id, as traces name it */
};

static __u64 seed;
static int nthreads = 2;
static bool verbose, upstream, crashers;
static long pgsz;
static int max_vcpus, max_vcpu_id;
static struct vmctx shared_vm;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
/*
 * A fork child holds every fd of the process until it exits: a device
 * closed meanwhile is released only then (its mappings still work, its
 * re-creation rightly gets EEXIST).  Forks hold this for read, device and
 * VM closes for write.
 */
static pthread_rwlock_t fork_lock = PTHREAD_RWLOCK_INITIALIZER;

/* ---- random numbers: splitmix64, one stream per thread ---- */
static __u64 rnd(struct fz *f)
{
	__u64 z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 rn(struct fz *f, __u64 n)
{
	return n ? rnd(f) % n : 0;
}

static bool pct(struct fz *f, int p)
{
	return rn(f, 100) < (__u64)p;
}

/* A boundary or random 64-bit value */
static __u64 rval(struct fz *f)
{
	static const __u64 v[] = {
		0, 1, 2, 3, 6, 7, 8, 0x3ff, 0x400, 0x7ff, 0xfffff, 0x100000,
		0x100001, 0x7fffffff, 0xffffffff, 1ULL << 32, 1ULL << 33,
		0x8000000000000000ULL, ~0ULL,
	};

	return pct(f, 60) ? v[rn(f, ARRAY_SIZE(v))] : rnd(f);
}

/* ---- signals: a load or store that may fault ---- */
static __thread sigjmp_buf *jb;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	if (jb)
		siglongjmp(*jb, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* *p (8 bytes) loaded into *v, or stored when @store: 0 or the signal */
static int guarded(volatile __u64 *p, bool store, __u64 *v)
{
	sigjmp_buf b;
	int sig = sigsetjmp(b, 0);

	if (sig) {
		jb = NULL;
		return sig;
	}
	jb = &b;
	if (store)
		*p = 0;
	else
		*v = be64toh(*p);
	__sync_synchronize();
	jb = NULL;
	return 0;
}

/* ---- results ---- */
static const char *ename(int e)
{
	static const char *const n[64] = {
		[0] = "0", [EPERM] = "EPERM", [ENOENT] = "ENOENT",
		[EINTR] = "EINTR", [EIO] = "EIO", [ENXIO] = "ENXIO",
		[E2BIG] = "E2BIG", [EBADF] = "EBADF", [ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST", [ENODEV] = "ENODEV", [EINVAL] = "EINVAL",
		[ENOTTY] = "ENOTTY", [ENOSPC] = "ENOSPC", [ENOSYS] = "ENOSYS",
	};
	static __thread char s[24];

	if (e == EOPNOTSUPP)
		return "EOPNOTSUPP";
	if (e >= 0 && e < 64 && n[e])
		return n[e];
	snprintf(s, sizeof(s), "errno %d", e);
	return s;
}

static int bit_errno(int b)
{
	return b == EB_OPNOTSUPP ? EOPNOTSUPP : b;
}

static void mask_str(__u64 m, char *s, size_t n)
{
	int e;

	*s = 0;
	for (e = 0; e < 64; e++)
		if (m & (1ULL << e))
			snprintf(s + strlen(s), n - strlen(s), "%s%s",
				 *s ? "|" : "", ename(bit_errno(e)));
}

/* What the op about to run does: in failure reports, printed with -v */
static void __attribute__((format(printf, 2, 3))) say(struct fz *f,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->desc, sizeof(f->desc), fmt, ap);
	va_end(ap);
	if (f->log && f->op < f->nops) {
		f->log[f->op].t = now_s();
		f->log[f->op].shared = f->c && f->c->shared;
		/* f->desc is longer: its head, always terminated */
		memcpy(f->log[f->op].desc, f->desc, sizeof(f->log[0].desc) - 1);
	}
	if (!verbose)
		return;
	pthread_mutex_lock(&out_lock);
	printf("# t%d op %lu (%s VM): %s\n", f->tid, f->op,
	       f->c && f->c->shared ? "shared" : "own", f->desc);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/*
 * A model failure names the op that last set what it expected.  The first
 * one of a thread is remembered; after the run, history() prints every
 * thread's ops from that op to the failing one, in time order, and
 * trace_hw() each fault that mapped the source's hardware IPI: one mapped
 * by another thread's device too would say which accesses reached it.
 */
static void model_failed(struct fz *f, int who, unsigned long when,
			 __u32 irq)
{
	char path[128], line[160];
	unsigned int i, hw;
	FILE *fp;

	if (f->hist_who >= 0 || who < 0 || who >= nthreads)
		return;
	f->hist_who = who;
	f->hist_since = when;
	f->hist_fail = f->op;
	f->hist_irq = irq;
	f->hist_shared = f->c->shared;
	/*
	 * Our debugfs table: "  <irq>  <hw>  IPI ...".  A VM whose fd number
	 * an older VM's directory still holds has none: trace_hw() then
	 * looks for the thread's own faults of the source (on its own VM
	 * only: on the shared one another thread's may be newer).
	 */
	vm_debugfs_path(path, sizeof(path), f->c->g.x.vm, "xive");
	fp = fopen(path, "r");
	while (fp && f->hist_hw < 0 && fgets(line, sizeof(line), fp))
		if (sscanf(line, " %x %x IPI", &i, &hw) == 2 && i == irq)
			f->hist_hw = hw;
	if (fp)
		fclose(fp);
}

/* Our ESB faults, in the trace buffer for trace_hw() (not on upstream) */
#define TRACING "/sys/kernel/debug/tracing/"
static bool traced;

static void trace_esb_faults(void)
{
	int fd = upstream ? -1 : open(TRACING "trace", O_WRONLY | O_TRUNC);

	if (fd >= 0)
		close(fd);	/* opened O_TRUNC: cleared */
	/* the clock of now_s(), which history() prints */
	traced = fd >= 0 &&
		 !write_str(TRACING "trace_clock", "mono") &&
		 !write_str(TRACING "buffer_size_kb", "8192") &&
		 !write_str(TRACING "events/kvm_xive_native/xive_native_esb_fault/enable", "1");
	printf("# ESB faults traced for a model failure: %s\n",
	       traced ? "yes" : "no");
}

/* The hardware IPI of the thread's last traced fault of its own source */
static long own_hw(struct fz *f)
{
	char task[32], irq[32], line[256];
	unsigned long hw;
	long last = -1;
	const char *p;
	FILE *fp;

	snprintf(task, sizeof(task), "-%d ", (int)f->task);
	snprintf(irq, sizeof(irq), " irq %#x ", f->hist_irq);
	fp = fopen(TRACING "trace", "r");
	while (fp && fgets(line, sizeof(line), fp))
		if (strstr(line, task) && strstr(line, irq) &&
		    (p = strstr(line, "-> IPI ")) &&
		    sscanf(p, "-> IPI %lx", &hw) == 1)
			last = hw;
	if (fp)
		fclose(fp);
	return last;
}

static void trace_hw(struct fz *fz, int t)
{
	struct fz *f = &fz[t];
	char want[32], line[256];
	int k, n = 0;
	FILE *fp;

	if (!traced || f->hist_who < 0)
		return;
	if (f->hist_hw < 0 && !f->hist_shared)
		f->hist_hw = own_hw(f);
	if (f->hist_hw < 0)
		return;
	printf("# t%d's irq %#x is hardware IPI %#lx; threads t0..t%d are tasks",
	       t, f->hist_irq, f->hist_hw, nthreads - 1);
	for (k = 0; k < nthreads; k++)
		printf(" %d", (int)fz[k].task);
	printf("; the faults that mapped it:\n");
	snprintf(want, sizeof(want), "IPI %#lx,", f->hist_hw);
	fp = fopen(TRACING "trace", "r");
	while (fp && fgets(line, sizeof(line), fp))
		if (strstr(line, want) && n++ < 100)
			printf("#   %s", line);
	if (fp)
		fclose(fp);
	printf("# %d such fault(s)%s\n", n, n > 100 ? ", the first 100 shown" : "");
}

static int by_time(const void *a, const void *b)
{
	const struct hent *x = *(const struct hent * const *)a;
	const struct hent *y = *(const struct hent * const *)b;

	return x->t < y->t ? -1 : x->t > y->t;
}

static void history(struct fz *fz, int t)
{
	struct fz *f = &fz[t], *w = &fz[f->hist_who];
	struct hent **ev;
	double t0, t1;
	unsigned long o;
	int k, n = 0;

	if (f->hist_who < 0 || !f->log || !w->log ||
	    f->hist_fail >= f->nops || f->hist_since >= w->nops)
		return;
	t0 = w->log[f->hist_since].t;
	t1 = f->log[f->hist_fail].t;
	for (k = 0; k < nthreads; k++)
		n += fz[k].nops;
	ev = calloc(n, sizeof(*ev));
	n = 0;
	if (!ev)
		return;
	for (k = 0; k < nthreads; k++)
		for (o = 0; fz[k].log && o < fz[k].nops; o++)
			if (fz[k].log[o].desc[0] && fz[k].log[o].t >= t0 &&
			    fz[k].log[o].t <= t1)
				ev[n++] = &fz[k].log[o];
	qsort(ev, n, sizeof(*ev), by_time);
	printf("# t%d's failure at op %lu: every thread's ops since t%d op %lu (at %.6f s)\n",
	       t, f->hist_fail, f->hist_who, f->hist_since, t0);
	for (k = 0; k < n; k++) {
		struct fz *g = &fz[0];

		while (g < &fz[nthreads - 1] && !(ev[k] >= g->log &&
						  ev[k] < g->log + g->nops))
			g++;
		printf("#   +%.6f t%d op %ld (%s VM): %s\n", ev[k]->t - t0,
		       g->tid, (long)(ev[k] - g->log),
		       ev[k]->shared ? "shared" : "own", ev[k]->desc);
	}
	free(ev);
}

static void failf(struct fz *f, enum cls c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f->st[c].fails++;
	if (!f->st[c].first[0])
		snprintf(f->st[c].first, sizeof(f->st[c].first), "op %lu: %.140s",
			 f->op, msg);
	f->fails++;
	if (f->st[c].fails > SHOW_FAILS)
		return;
	pthread_mutex_lock(&out_lock);
	printf("# FAIL seed %#llx thread %d op %lu (%s VM): %s: %s\n",
	       (unsigned long long)seed, f->tid, f->op,
	       f->c && f->c->shared ? "shared" : "own", f->desc, msg);
	printf("# reproduce: make fuzz SEED=%#llx OPS=%lu THREADS=%d\n",
	       (unsigned long long)seed, (f->op + 1) * nthreads, nthreads);
	pthread_mutex_unlock(&out_lock);
}

/*
 * Count @rc (0 or -errno) of a call in class @c: it must be in @table,
 * the call's documented errnos, and in @model, what the VM's state allows.
 */
static int check(struct fz *f, enum cls c, int rc, __u64 table, __u64 model)
{
	int e = EBIT(-rc);
	char a[160];

	if (e < 0 || e >= 64)
		e = 63;
	f->st[c].err[e]++;
	if (!(table & (1ULL << e))) {
		mask_str(table, a, sizeof(a));
		failf(f, c, "%s is not a documented result (%s)", ename(-rc), a);
	} else if (!(model & (1ULL << e))) {
		mask_str(model, a, sizeof(a));
		failf(f, c, "got %s, expected %s", ename(-rc), a);
	}
	if (rc)
		f->rejects++;
	return rc;
}

static void count_sig(struct fz *f, enum cls c, int sig)
{
	if (sig == SIGBUS)
		f->st[c].sigbus++;
	else if (sig == SIGSEGV)
		f->st[c].sigsegv++;
}

static int sys(long r)
{
	return r < 0 ? -errno : (int)r;
}

/* ---- the model ---- */
static int sidx(__u64 irq)
{
	unsigned int i;

	if (irq < NSRC)
		return irq;
	for (i = 0; i < NFAR; i++)
		if (irq == far_src[i])
			return NSRC + i;
	return -1;
}

static __u32 sirq(int i)
{
	return i < NSRC ? (__u32)i : far_src[i - NSRC];
}

/* Sources a thread may touch: on the shared VM, every THREADS'th one */
static bool owned(struct fz *f, __u64 irq)
{
	return !f->c->shared || irq % nthreads == (__u64)f->tid;
}

/* A tracked source of this thread */
static __u32 pick_src(struct fz *f)
{
	for (;;) {
		__u32 irq = sirq(pct(f, 85) ? rn(f, NSRC) : NSRC + rn(f, NFAR));

		if (owned(f, irq))
			return irq;
	}
}

static int vcpu_of_server(struct vmctx *c, __u64 server)
{
	int i;

	for (i = 0; i < NV; i++)
		if (c->server[i] >= 0 && (__u64)c->server[i] == server)
			return i;
	return -1;
}

/* The model's PQ of a source, and who set it (for failure reports) */
static void set_pq(struct fz *f, struct src *s, int pq)
{
	s->pq = pq;
	s->who = f ? f->tid : -1;
	s->when = f ? f->op : 0;
}

static void pq_after_trigger(struct fz *f, struct src *s)
{
	static const __s8 next[4] = { 2, 1, 3, 3 };	/* 00 01 10 11 */

	if (s->pq >= 0)
		set_pq(f, s, next[s->pq]);
}

static void srcs_masked(struct vmctx *c)
{
	int i;

	for (i = 0; i < NTRK; i++)
		if (c->s[i].made)
			set_pq(NULL, &c->s[i], c->s[i].made == 1 ? 1 : -1);
}

/* ---- VM lifecycle ---- */
/* re-entrant: every KVM_RUN, whatever the PC was left at, ends in H_DONE */
static const __u32 guest_code[] = { LI(3, H_DONE), SC1, 0x4bfffff8 /* b -8 */ };

static int vm_slot0(struct vmctx *c, bool on)
{
	struct kvm_userspace_memory_region r = {
		.slot = 0, .memory_size = on ? GUEST_MEM_SIZE : 0,
		.userspace_addr = (uintptr_t)c->g.x.mem,
	};

	return sys(ioctl(c->g.x.vm, KVM_SET_USER_MEMORY_REGION, &r));
}

/* Map both windows whole, as QEMU would; 0 or -errno */
static int map_windows(struct vmctx *c)
{
	c->esb = mmap(NULL, ESB_PAGES * pgsz, PROT_READ | PROT_WRITE,
		      MAP_SHARED, c->g.x.dev, KVM_XIVE_ESB_PAGE_OFFSET * pgsz);
	if (c->esb == MAP_FAILED)
		return c->esb = NULL, -errno;
	c->tima = tima_map(c->g.x.dev);
	if (c->tima == MAP_FAILED)
		return c->tima = NULL, -errno;
	return 0;
}

static void dev_model_reset(struct vmctx *c)
{
	int i;

	c->vp_block = false;
	c->nr_servers = max_vcpus;
	for (i = 0; i < NV; i++)
		c->server[i] = -1;
	memset(c->eq, 0, sizeof(c->eq));
	memset(c->blk, 0, sizeof(c->blk));
	memset(c->s, 0, sizeof(c->s));
	c->gen++;
}

static void unmap_windows(struct vmctx *c)
{
	if (c->esb)
		munmap(c->esb, ESB_PAGES * pgsz);
	if (c->tima)
		munmap(c->tima, 4 * pgsz);
	c->esb = NULL;
	c->tima = NULL;
}

static void unmap_gen(struct vmctx *c, int gen)
{
	int i;

	for (i = 0; i < NMAP; i++)
		if (c->m[i].addr && (gen < 0 || c->m[i].gen == gen)) {
			munmap(c->m[i].addr, c->m[i].npages * pgsz);
			c->m[i].addr = NULL;
		}
}

/* The device fd closed: its mappings SIGBUS from now on (ours) */
static void dev_close(struct vmctx *c)
{
	int i;

	/* upstream keeps a mapped device alive (README): unmap first */
	if (upstream && !crashers)
		unmap_gen(c, c->gen);
	unmap_windows(c);
	close(c->g.x.dev);
	c->g.x.dev = -1;
	c->dev_open = false;
	for (i = 0; i < NV; i++)
		c->server[i] = -1;
	c->gen++;
}

static int dev_open(struct vmctx *c, __u32 nr)
{
	int r = xive_create(c->g.x.vm);

	if (r < 0)
		return r;
	dev_model_reset(c);
	c->g.x.dev = r;
	c->dev_open = true;
	if (nr) {
		r = xive_nr_servers(c->g.x.dev, nr);
		if (r)
			return r;
		c->nr_servers = nr < (__u32)max_vcpus ? nr : (__u32)max_vcpus;
	}
	return map_windows(c);
}

static void vm_close(struct vmctx *c, int order)
{
	int i;

	if (!c->open)
		return;
	if (c->dev_open && order == 0)
		dev_close(c);
	if (upstream && !crashers)
		unmap_gen(c, -1);
	unmap_windows(c);
	for (i = 0; i < NV; i++) {
		if (c->run[i])
			munmap(c->run[i], c->g.run_size);
		c->run[i] = NULL;
		if (c->g.x.vcpu[i] >= 0)
			close(c->g.x.vcpu[i]);
		c->g.x.vcpu[i] = -1;
		c->server[i] = -1;
	}
	close(c->g.x.vm);
	if (c->dev_open)
		dev_close(c);
	if (c->slot1_mem)
		munmap(c->slot1_mem, c->slot1_size);
	c->slot1_mem = NULL;
	munmap(c->g.x.mem, GUEST_MEM_SIZE);
	c->g.x.mem = NULL;
	c->open = false;
	c->dev_open = false;
	c->slot0 = false;
	c->slot1 = false;
	c->gen++;
}

/* A new VM: guest memory and code, radix MMU, the device; 0 or -errno */
static int vm_open(struct vmctx *c, __u32 nr)
{
	struct kvm_ppc_mmuv3_cfg mmu = {
		.flags = KVM_PPC_MMUV3_RADIX | KVM_PPC_MMUV3_GTSE,
		.process_table = (1ULL << 63) | PRTB_GPA,
	};
	int i, kvm;

	memset(&c->g, 0, sizeof(c->g));
	for (i = 0; i < 8; i++)
		c->g.x.vcpu[i] = -1;
	c->g.x.dev = -1;
	c->g.x.vm = vm_create();
	if (c->g.x.vm < 0)
		return c->g.x.vm;
	c->open = true;
	c->g.x.mem = guest_mem_add(c->g.x.vm, 0, 0, GUEST_MEM_SIZE, 0);
	if (!c->g.x.mem)
		return -errno;
	c->g.x.mem_size = GUEST_MEM_SIZE;
	c->slot0 = true;
	put_code(&c->g, CODE_GPA, guest_code, 3);
	if (ioctl(c->g.x.vm, KVM_PPC_CONFIGURE_V3_MMU, &mmu))
		return -errno;
	kvm = kvm_open();
	c->g.run_size = ioctl_once(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (c->g.run_size <= 0)
		return -EINVAL;
	return dev_open(c, nr);
}

/* vCPU @id (fd @fd) in PAPR mode, its kvm_run mapped, at the guest code */
static int vcpu_ready(struct vmctx *c, int id, int fd)
{
	int r = vcpu_enable_cap(fd, KVM_CAP_PPC_PAPR, 0, 0);

	c->g.x.vcpu[id] = fd;
	if (r)
		return r;
	c->run[id] = mmap(NULL, c->g.run_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED, fd, 0);
	if (c->run[id] == MAP_FAILED) {
		c->run[id] = NULL;
		return -errno;
	}
	return vcpu_setup(&c->g, id, CODE_GPA);
}

/* Two vCPUs connected as servers 0 and 1, server 0's EQ_PRIO queue */
static int vm_populate(struct vmctx *c)
{
	int i, r;

	for (i = 0; i < 2; i++) {
		r = sys(ioctl(c->g.x.vm, KVM_CREATE_VCPU, i));
		if (r < 0)
			return r;
		r = vcpu_ready(c, i, r);
		if (r)
			return r;
		r = vcpu_connect(c->g.x.vcpu[i], c->g.x.dev, i);
		if (r)
			return r;
		c->server[i] = i;
		c->vp_block = true;
	}
	r = eq_set(c->g.x.dev, 0, EQ_PRIO, EQ_GPA);
	if (!r) {
		c->eq[0][EQ_PRIO] = 1;
		c->eq_addr[0][EQ_PRIO] = EQ_GPA;
	}
	return r;
}

/* ---- locking of the shared VM ---- */
static void ctx_enter(struct fz *f, bool excl)
{
	f->excl = excl;
	if (!f->c->shared)
		return;
	if (excl)
		pthread_rwlock_wrlock(&f->c->lock);
	else
		pthread_rwlock_rdlock(&f->c->lock);
}

static void ctx_leave(struct fz *f)
{
	if (f->c->shared)
		pthread_rwlock_unlock(&f->c->lock);
}

/* ---- payload pointers ---- */
enum ptr { P_GOOD, P_RO, P_NULL, P_NONE, P_KADDR, P_HIGH, P_ESB, NPTR };
static const char *const ptr_name[NPTR] = {
	"good", "read-only", "NULL", "PROT_NONE", "kernel", "high", "ESB",
};

/*
 * Whether this kernel's copy_from_user() reads P_KADDR's and P_HIGH's
 * addresses instead of refusing them: 7.2 on powerpc64 masks a kernel
 * pointer to 0x8000000000000000, which in some boots of the emulated host
 * reads its physical page 0 (README, Kernels: xive_abi_test's
 * eq_efault_kaddr).  Not the device's doing: those boots get a PROT_NONE
 * page for them instead.  Asked of the kernel itself, SO_LINGER.
 */
static bool kernel_reads[NPTR];

static void probe_kernel_reads(void)
{
	/* ptr_addr()'s first address of each kind */
	static const struct { enum ptr p; __u64 a; } at[] = {
		{ P_KADDR, KADDR }, { P_HIGH, ~0ULL - 7 },
		{ P_HIGH, ~0ULL - 7 - 0x1000 },
	};
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	unsigned int i;

	for (i = 0; s >= 0 && i < ARRAY_SIZE(at); i++) {
		if (setsockopt(s, SOL_SOCKET, SO_LINGER, (void *)(uintptr_t)at[i].a,
			       sizeof(struct linger)))
			continue;
		kernel_reads[at[i].p] = true;
		printf("# this kernel's copy_from_user() reads %#llx: %s pointers are a PROT_NONE page\n",
		       (unsigned long long)at[i].a, ptr_name[at[i].p]);
	}
	if (s >= 0)
		close(s);
}

static enum ptr usable_ptr(enum ptr p)
{
	return kernel_reads[p] ? P_NONE : p;
}

static enum ptr pick_ptr(struct fz *f)
{
	return pct(f, 75) ? (pct(f, 80) ? P_GOOD : P_RO) :
	       usable_ptr((enum ptr)rn(f, NPTR));
}

/*
 * The address of @len bytes holding @val for a call that reads (!@wr)
 * or writes them, of kind @p.  *fault: 1 the access must fail, 0 it
 * succeeds with @val, -1 unknown (the value read from an ESB page).
 */
static __u64 ptr_addr(struct fz *f, enum ptr p, const void *val, size_t len,
		      bool wr, int *fault)
{
	struct vmctx *c = f->c;
	__u32 irq;
	int i;

	*fault = 1;
	switch (p) {
	case P_GOOD:
		*fault = 0;
		memcpy(f->buf, val, len);
		return (uintptr_t)f->buf;
	case P_RO:
		mprotect(f->ro, pgsz, PROT_READ | PROT_WRITE);
		memcpy(f->ro, val, len);
		mprotect(f->ro, pgsz, PROT_READ);
		*fault = wr;
		return (uintptr_t)f->ro;
	case P_NULL:
		return rn(f, 2) * 8;
	case P_NONE:
		return (uintptr_t)f->none + rn(f, pgsz / 8) * 8;
	case P_KADDR:
		return KADDR + rn(f, 4) * pgsz;
	case P_HIGH:
		return ~0ULL - 7 - rn(f, 2) * 0x1000;
	default:
		break;
	}
	/* a page of the device's own mapping */
	if (!c->esb || !c->tima)
		return 0;
	if (pct(f, 30))
		return (uintptr_t)c->tima + (rn(f, 2) ? 3 : rn(f, 2)) * pgsz;
	irq = pick_src(f);
	i = sidx(irq);
	/*
	 * ESB loads are defined as 8-byte accesses: QEMU 10's model answers
	 * any other size with a machine check, which a kernel get_user() of
	 * a u32 does not survive.  A narrower payload gets NULL instead.
	 */
	if (c->s[i].made == 1 && !wr && len % 8 == 0) {
		*fault = -1;	/* the PQ load: value unknown to the model */
		return (uintptr_t)esb_page(c->esb, irq, 1) + XIVE_ESB_GET;
	}
	if (c->s[i].made)
		return 0;
	/* never created: the kernel's access raises SIGBUS, i.e. EFAULT */
	return (uintptr_t)esb_page(c->esb, irq, pct(f, 50));
}

/* errnos a bad payload pointer allows: EFAULT, or anything when unknown */
static __u64 ptr_mask(int fault, __u64 value_errs)
{
	return fault > 0 ? B(EFAULT) : fault < 0 ? (value_errs | OK) : 0;
}

/* ---- op classes ---- */

/* A ctrl attr, NR_SERVERS, an unknown ctrl attr */
static void op_ctrl(struct fz *f)
{
	struct vmctx *c = f->c;
	int fault, rc, k = rn(f, 10);
	__u64 attr, a, m;
	__u32 nr;
	enum ptr p;

	if (k < 3) {
		attr = k < 2 ? KVM_DEV_XIVE_EQ_SYNC : KVM_DEV_XIVE_RESET;
		say(f, "SET CTRL %s", k < 2 ? "EQ_SYNC" : "RESET");
		rc = xive_ctrl(c->g.x.dev, attr);
		check(f, C_CTRL, rc, T_CTRL, OK);
		if (!rc && attr == KVM_DEV_XIVE_RESET) {
			memset(c->eq, 0, sizeof(c->eq));
			srcs_masked(c);
		}
		return;
	}
	if (k < 9) {
		static const __u32 nv[] = { 0, 1, 2, 4, 8, 64 };

		nr = rn(f, 2) ? nv[rn(f, 6)] : (__u32)rval(f);
		if (pct(f, 10))
			nr = pct(f, 50) ? max_vcpu_id : max_vcpu_id + 1;
		p = pick_ptr(f);
		a = ptr_addr(f, p, &nr, 4, false, &fault);
		say(f, "SET CTRL NR_SERVERS %u ptr %s", nr, ptr_name[p]);
		rc = xive_attr(c->g.x.dev, KVM_SET_DEVICE_ATTR,
			       KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS,
			       a);
		/* book3s_xive.c's order: EFAULT, EINVAL, then EBUSY */
		m = ptr_mask(fault, B(EINVAL) | B(EBUSY));
		if (!fault && (!nr || nr > (__u32)max_vcpu_id))
			m = B(EINVAL);
		else if (!fault && c->vp_block)
			m = B(EBUSY);
		check(f, C_CTRL, rc, T_NRSERV, m ?: OK);
		if (!rc && !fault)
			c->nr_servers = nr < (__u32)max_vcpus ? nr : max_vcpus;
		if (!rc && fault < 0)
			c->nr_servers = 0;	/* unknown: no connect then */
		return;
	}
	attr = pct(f, 50) ? rn(f, 8) + 4 : rval(f);
	if (attr >= 1 && attr <= 3)
		attr = 0;
	say(f, "SET CTRL attr %#llx", (unsigned long long)attr);
	check(f, C_CTRL, xive_ctrl(c->g.x.dev, attr), B(ENXIO), B(ENXIO));
}

/* GRP_SOURCE: create a source */
static void op_source(struct fz *f)
{
	struct vmctx *c = f->c;
	__u64 irq, val, a, m;
	int fault, rc, i;
	enum ptr p;

	irq = pct(f, 85) ? pick_src(f) : rval(f);
	if (irq < NR_IRQS && (sidx(irq) < 0 || !owned(f, irq)))
		irq = pick_src(f);
	i = sidx(irq);
	val = pct(f, 80) ? 0 : pct(f, 50) ? rn(f, 4) : rval(f);
	p = pick_ptr(f);
	a = ptr_addr(f, p, &val, 8, false, &fault);
	say(f, "SET SOURCE irq %#llx val %#llx ptr %s",
	    (unsigned long long)irq, (unsigned long long)val, ptr_name[p]);
	rc = xive_attr(c->g.x.dev, KVM_SET_DEVICE_ATTR, KVM_DEV_XIVE_GRP_SOURCE,
		       irq, a);
	if (irq >= NR_IRQS)
		m = B(E2BIG);
	else
		m = ptr_mask(fault, 0) | (fault ? B(ENOMEM) : 0);
	check(f, C_SOURCE, rc, T_SOURCE, m ?: OK);
	if (i < 0)
		return;
	if (!rc) {
		c->blk[irq / 1024] = 1;
		c->s[i].made = 1;
		set_pq(f, &c->s[i], 1);
		c->s[i].lsi = fault || (val & KVM_XIVE_LEVEL_SENSITIVE);
	} else if (c->blk[irq / 1024] == 0) {
		c->blk[irq / 1024] = 2;	/* upstream creates it first */
	}
}

/*
 * Whether the block of @irq < NR_IRQS exists: 0 no, 1 yes, 2 unknown.  On
 * the shared VM another thread's GRP_SOURCE may create it at any time.
 */
static int blk_state(struct vmctx *c, __u64 irq)
{
	int b = c->blk[irq / 1024];

	return c->shared && !b ? 2 : b;
}

/* The errnos of a SOURCE_CONFIG of @irq to @v, as the model sees it */
static __u64 config_mask(struct vmctx *c, __u64 irq, __u64 v, int fault)
{
	__u64 m = 0, prio = v & 7, server = (v >> 3) & 0x1fffffff;
	int i = sidx(irq), vc;
	bool masked = v & KVM_XIVE_SOURCE_MASKED_MASK;

	if (irq >= NR_IRQS || !blk_state(c, irq))
		return B(ENOENT);
	if (blk_state(c, irq) == 2)
		m |= B(ENOENT);
	if (i >= 0 && c->s[i].made == 2)
		return T_CONFIG;
	if (i < 0 || !c->s[i].made)
		m |= B(EINVAL);
	if (fault)
		return m | ptr_mask(fault, B(EINVAL) | B(ENXIO));
	if (prio == 7)
		return m | B(EINVAL);
	/* masked or not, a server of the VP block; Linux: any when masked */
	if (!c->nr_servers)
		m |= B(EINVAL) | (masked ? OK : 0);
	else if (server >= c->nr_servers && (!masked || !upstream))
		return m | B(EINVAL);
	if (masked)
		return m ?: OK;
	vc = vcpu_of_server(c, server);
	if (vc < 0)
		return m | B(EINVAL);
	if (c->eq[vc][prio] != 1)
		m |= B(ENXIO) | (c->eq[vc][prio] == 2 ? OK : 0);
	return m ?: OK;
}

static void op_config(struct fz *f)
{
	struct vmctx *c = f->c;
	__u64 irq, v, a, m;
	int fault, rc, vc;
	enum ptr p;

	irq = pct(f, 90) ? pick_src(f) : rval(f);
	if (irq < NR_IRQS && (sidx(irq) < 0 || !owned(f, irq)))
		irq = pick_src(f);
	vc = rn(f, NV);
	if (pct(f, 80) && c->server[vc] >= 0)
		v = src_cfg_val(c->server[vc], pct(f, 85) ? EQ_PRIO : rn(f, 8),
				pct(f, 40), rnd(f));
	else
		v = rval(f);
	/* upstream WARNs routing to a priority without a queue (README) */
	if (upstream && !crashers && !(v & KVM_XIVE_SOURCE_MASKED_MASK) &&
	    (v & 7) != 7) {
		vc = vcpu_of_server(c, (v >> 3) & 0x1fffffff);
		if (vc >= 0 && c->eq[vc][v & 7] != 1)
			v |= KVM_XIVE_SOURCE_MASKED_MASK;
	}
	p = pick_ptr(f);
	if (p == P_ESB && upstream && !crashers)
		p = P_NONE;	/* an unknown value may route anywhere */
	a = ptr_addr(f, p, &v, 8, false, &fault);
	say(f, "SET SOURCE_CONFIG irq %#llx val %#llx ptr %s",
	    (unsigned long long)irq, (unsigned long long)v, ptr_name[p]);
	/*
	 * The model before the call: on the shared VM another thread's
	 * GRP_SOURCE may create the block while it runs (ENOENT, then 1).
	 */
	m = config_mask(c, irq, v, fault);
	rc = xive_attr(c->g.x.dev, KVM_SET_DEVICE_ATTR,
		       KVM_DEV_XIVE_GRP_SOURCE_CONFIG, irq, a);
	check(f, C_CONFIG, rc, T_CONFIG | (upstream ? B(EBUSY) : 0), m);
}

static void op_sync(struct fz *f)
{
	struct vmctx *c = f->c;
	__u64 irq = pct(f, 85) ? pick_src(f) : rval(f), m;
	int i;

	if (irq < NR_IRQS && (sidx(irq) < 0 || !owned(f, irq)))
		irq = pick_src(f);
	i = sidx(irq);
	say(f, "SET SOURCE_SYNC irq %#llx", (unsigned long long)irq);
	if (irq >= NR_IRQS || !blk_state(c, irq))
		m = B(ENOENT);
	else
		m = (blk_state(c, irq) == 2 ? B(ENOENT) : 0) |
		    (i < 0 || c->s[i].made != 1 ? B(EINVAL) : 0) |
		    (i >= 0 && c->s[i].made == 2 ? OK : 0);
	check(f, C_SYNC, xive_attr(c->g.x.dev, KVM_SET_DEVICE_ATTR,
				   KVM_DEV_XIVE_GRP_SOURCE_SYNC, irq, 0),
	      T_SYNC, m ?: OK);
}

static int c_server_or(struct fz *f, int v)
{
	return f->c->server[v] >= 0 ? f->c->server[v] : (int)rn(f, 2 * NV);
}

/* An EQ identifier: mostly a connected server's, prio 6 */
static __u64 pick_eq(struct fz *f, int *vc, __u8 *prio)
{
	int v = rn(f, NV);
	__u64 server = c_server_or(f, v);

	*prio = pct(f, 70) ? EQ_PRIO : rn(f, 8);
	/* upstream oopses with two queues on one vCPU (README) */
	if (upstream && !crashers && *prio != 7)
		*prio = EQ_PRIO;
	if (pct(f, 10))
		server = rval(f) & 0x1fffffff;
	*vc = vcpu_of_server(f->c, server);
	return eq_id(server, *prio);
}

/*
 * Whether the host pages behind a 64K queue at guest address @qaddr of a
 * memslot are not physically contiguous (a 4K host; never on 64K): the
 * device must then refuse it with EOPNOTSUPP, and only then (seen so
 * before and after the call; a page that moved in between allows both).
 */
static bool eq_scattered(struct vmctx *c, __u64 qaddr)
{
	char *hva = NULL;

	if (xive_pieces() == 1 || qaddr & 0xffff)
		return false;
	if (c->slot0 && qaddr < GUEST_MEM_SIZE)
		hva = (char *)c->g.x.mem + qaddr;
	else if (c->slot1 && qaddr >= c->slot1_gpa &&
		 qaddr < c->slot1_gpa + c->slot1_size)
		hva = (char *)c->slot1_mem + (qaddr - c->slot1_gpa);
	return hva && !pfns_consecutive(hva, xive_pieces());
}

static void op_eq(struct fz *f)
{
	struct vmctx *c = f->c;
	struct kvm_ppc_xive_eq eq = { 0 }, got;
	int fault, rc, vc;
	__u64 id, a, m = 0;
	bool get = pct(f, 35), scattered;
	__u8 prio;
	enum ptr p;

	id = pick_eq(f, &vc, &prio);
	if (!get && pct(f, 80)) {
		bool s1 = c->slot1 && pct(f, 20);

		eq.flags = KVM_XIVE_EQ_ALWAYS_NOTIFY;
		eq.qshift = pct(f, 15) ? 0 : EQ_SHIFT;
		eq.qaddr = s1 ? c->slot1_gpa : rn(f, GUEST_MEM_SIZE >> 16) << 16;
		if (eq.qaddr == 0 || eq.qaddr == CODE_GPA || eq.qaddr == PRTB_GPA)
			eq.qaddr = EQ_GPA;	/* the guest's vectors, code, MMU */
		eq.qtoggle = pct(f, 80) ? 1 : rn(f, 2);
		eq.qindex = pct(f, 80) ? 0 : rn(f, 1 << 14);
		/* one field just off: misaligned, past memory, a bad flag */
		if (pct(f, 10))
			eq.qaddr += 1ULL << rn(f, 16);
		else if (pct(f, 5))
			eq.qaddr = pct(f, 50) ? GUEST_MEM_SIZE : 1ULL << 30;
		else if (pct(f, 5))
			eq.flags = rn(f, 2) ? 0 : 3;
	} else if (!get) {
		__u64 w[2] = { rval(f), rval(f) };

		memcpy(&eq, w, sizeof(w));
		if (pct(f, 50))
			eq.qshift = rn(f, 2) ? EQ_SHIFT : rn(f, 64);
		if (pct(f, 50))
			eq.flags = rn(f, 2);
	}
	if (!get && eq.qshift && upstream && !crashers)
		eq.qtoggle = 1;	/* keep to what upstream's selftests do */
	p = pick_ptr(f);
	a = ptr_addr(f, p, &eq, sizeof(eq), get, &fault);
	scattered = !get && eq_scattered(c, eq.qaddr);
	if (get) {
		memset(f->buf, 0xa5, sizeof(eq));
		say(f, "GET EQ_CONFIG id %#llx ptr %s", (unsigned long long)id,
		    ptr_name[p]);
	} else {
		say(f,
		    "SET EQ_CONFIG id %#llx flags %#x qshift %u qaddr %#llx toggle %u index %u ptr %s",
		    (unsigned long long)id, eq.flags, eq.qshift,
		    (unsigned long long)eq.qaddr, eq.qtoggle, eq.qindex,
		    ptr_name[p]);
	}
	rc = xive_attr(c->g.x.dev, get ? KVM_GET_DEVICE_ATTR :
		       KVM_SET_DEVICE_ATTR, KVM_DEV_XIVE_GRP_EQ_CONFIG, id, a);
	if (vc < 0)
		m |= B(ENOENT);
	if (prio == 7)
		m |= B(EINVAL);
	/* no documented order between EFAULT and the id's errors */
	if (fault > 0)
		m |= B(EFAULT);
	if (vc >= 0 && prio != 7) {
		if (fault < 0)		/* an unknown value */
			m |= OK | B(EINVAL);
		else if (!fault && !get && eq.qshift) {
			bool in0 = c->slot0 && eq.qaddr < GUEST_MEM_SIZE;
			bool in1 = c->slot1 && eq.qaddr >= c->slot1_gpa &&
				   eq.qaddr < c->slot1_gpa + c->slot1_size;

			if (eq.flags != KVM_XIVE_EQ_ALWAYS_NOTIFY ||
			    eq.qshift != EQ_SHIFT || eq.qaddr & 0xffff ||
			    !(in0 || in1))
				m |= B(EINVAL);
			else if (scattered != eq_scattered(c, eq.qaddr))
				m |= OK | B(EOPNOTSUPP);	/* moved */
			else if (scattered)
				m |= B(EOPNOTSUPP);
		}
	}
	check(f, C_EQ, rc, T_EQ, m ?: OK);
	if (rc || vc < 0)
		return;
	if (!get) {
		c->eq[vc][prio] = fault ? 2 : eq.qshift ? 1 : 0;
		c->eq_addr[vc][prio] = eq.qaddr;
		return;
	}
	if (p != P_GOOD || c->eq[vc][prio] == 2)
		return;
	memcpy(&got, f->buf, sizeof(got));
	if (c->eq[vc][prio] == 0) {
		static const struct kvm_ppc_xive_eq zero;

		if (memcmp(&got, &zero, sizeof(got)))
			failf(f, C_EQ,
			      "a reset queue reads flags %#x qshift %u qaddr %#llx toggle %u index %u, not zeroes",
			      got.flags, got.qshift,
			      (unsigned long long)got.qaddr, got.qtoggle,
			      got.qindex);
	} else if (got.flags != KVM_XIVE_EQ_ALWAYS_NOTIFY ||
		   got.qshift != EQ_SHIFT ||
		   got.qaddr != c->eq_addr[vc][prio] || got.qtoggle > 1 ||
		   got.qindex >= 1 << 14) {
		failf(f, C_EQ,
		      "queue set at %#llx reads flags %#x qshift %u qaddr %#llx toggle %u index %u",
		      (unsigned long long)c->eq_addr[vc][prio], got.flags,
		      got.qshift, (unsigned long long)got.qaddr, got.qtoggle,
		      got.qindex);
	}
}

/* HAS_ATTR, GET on groups without get, unknown groups, bad attr struct */
static void op_attr(struct fz *f)
{
	struct vmctx *c = f->c;
	__u32 grp = pct(f, 80) ? rn(f, 7) : (__u32)rval(f);
	__u64 attr = pct(f, 60) ? rn(f, 8) : rval(f), m;
	int k = rn(f, 10), rc;

	if (k < 6) {
		say(f, "HAS group %u attr %#llx", grp, (unsigned long long)attr);
		rc = xive_has(c->g.x.dev, grp, attr);
		switch (grp) {
		case KVM_DEV_XIVE_GRP_CTRL:
			m = attr >= 1 && attr <= 3 ? OK : B(ENXIO);
			break;
		case KVM_DEV_XIVE_GRP_SOURCE:
		case KVM_DEV_XIVE_GRP_SOURCE_CONFIG:
		case KVM_DEV_XIVE_GRP_SOURCE_SYNC:
			m = attr < NR_IRQS ? OK : B(ENXIO);
			break;
		case KVM_DEV_XIVE_GRP_EQ_CONFIG:
			m = OK;
			break;
		default:
			m = B(ENXIO);
		}
		check(f, C_ATTR, rc, T_HAS, m);
	} else if (k < 8) {
		if (grp == KVM_DEV_XIVE_GRP_EQ_CONFIG)
			grp = 0;
		say(f, "GET group %u attr %#llx", grp, (unsigned long long)attr);
		rc = xive_attr(c->g.x.dev, KVM_GET_DEVICE_ATTR, grp, attr,
			       (uintptr_t)f->buf);
		check(f, C_ATTR, rc, B(ENXIO), B(ENXIO));
	} else if (k < 9) {
		if (grp >= 1 && grp <= 5)
			grp += 5;
		say(f, "SET group %u attr %#llx", grp, (unsigned long long)attr);
		rc = xive_attr(c->g.x.dev, KVM_SET_DEVICE_ATTR, grp, attr,
			       (uintptr_t)f->buf);
		check(f, C_ATTR, rc, B(ENXIO), B(ENXIO));
	} else {
		static const unsigned long req[] = {
			KVM_SET_DEVICE_ATTR, KVM_GET_DEVICE_ATTR,
			KVM_HAS_DEVICE_ATTR,
		};
		int fault;
		enum ptr p = pct(f, 50) ? P_NULL : usable_ptr((enum ptr)rn(f, NPTR));
		__u64 a;

		if (p == P_GOOD || p == P_RO || p == P_ESB)
			p = P_NONE;
		a = ptr_addr(f, p, f->buf, 8, false, &fault);
		say(f, "device attr ioctl %d with the struct at a %s pointer",
		    k, ptr_name[p]);
		rc = sys(ioctl(c->g.x.dev, req[rn(f, 3)], a));
		check(f, C_ATTR, rc, B(EFAULT), B(EFAULT));
	}
}

/* Create a vCPU (new, duplicate or out-of-range id) */
static void op_vcpu(struct fz *f)
{
	struct vmctx *c = f->c;
	int id = pct(f, 90) ? (int)rn(f, NV) :
		 pct(f, 50) ? max_vcpu_id : (int)rval(f);
	int rc;
	__u64 m;

	say(f, "KVM_CREATE_VCPU id %d", id);
	rc = sys(ioctl(c->g.x.vm, KVM_CREATE_VCPU, id));
	/* a taken id: EINVAL from POWER9 HV's vcore collision, or EEXIST */
	if (id >= 0 && id < NV)
		m = c->g.x.vcpu[id] >= 0 ? B(EEXIST) | B(EINVAL) : OK;
	else
		m = id < 0 || id >= max_vcpu_id ? B(EINVAL) :
		    OK | B(EEXIST) | B(EINVAL);
	check(f, C_VCPU, rc < 0 ? rc : 0, T_VCPU, m);
	if (rc < 0)
		return;
	if (id < 0 || id >= NV) {
		close(rc);
		return;
	}
	say(f, "vCPU %d: PAPR, kvm_run mapped, registers for KVM_RUN", id);
	check(f, C_VCPU, vcpu_ready(c, id, rc), OK, OK);
}

/* Connect a vCPU: good and bad servers, bad and foreign fds */
static void op_connect(struct fz *f)
{
	struct vmctx *c = f->c, *other = c->shared ? &f->own : &shared_vm;
	int v = rn(f, NV), k = rn(f, 20), fd = c->g.x.dev, rc, vc;
	__u64 server, m = 0;
	const char *what = "the device";

	if (c->g.x.vcpu[v] < 0)
		return;
	server = pct(f, 70) ? (__u64)v : pct(f, 50) ? rn(f, 2 * NV) :
		 pct(f, 50) ? c->nr_servers + rn(f, 2) : rval(f) & 0xffffffff;
	/* upstream WARNs packing a server >= KVM_MAX_VCPU_IDS (README) */
	if (upstream && !crashers && server >= (__u64)max_vcpus)
		server = rn(f, 2 * NV);
	if (k == 0) {
		fd = pct(f, 50) ? -1 : 1000 + rn(f, 24);
		what = "a bad fd";
	} else if (k == 1) {
		fd = c->g.x.vm;
		what = "the VM fd";
	} else if (k == 2) {
		fd = c->g.x.vcpu[v];
		what = "the vCPU fd";
	} else if (k == 3) {
		what = "another VM's device";
	}
	say(f, "connect vCPU %d to %s (fd %d) as server %llu", v, what, fd,
	    (unsigned long long)server);
	/*
	 * The call holds the other device's file: the shared VM's lock
	 * keeps its owner from closing and re-creating it meanwhile (EEXIST).
	 */
	if (k == 3 && other->shared)
		pthread_rwlock_rdlock(&other->lock);
	if (k == 3)
		fd = other->g.x.dev;
	rc = vcpu_connect(c->g.x.vcpu[v], fd, server);
	if (k == 3 && other->shared)
		pthread_rwlock_unlock(&other->lock);
	vc = vcpu_of_server(c, server);
	if (k == 0) {
		m = B(EBADF) | (fd >= 1000 ? B(EPERM) : 0);
	} else if (k == 3) {
		m = fd < 0 ? B(EBADF) : B(EPERM);
	} else if (k == 1 || k == 2) {
		m = B(EPERM);
	} else if (!c->dev_open) {
		m = B(EBADF) | B(EPERM);
	} else if (!c->nr_servers) {	/* NR_SERVERS set from an unknown value */
		m = OK | B(EBUSY) | B(EINVAL) | B(EEXIST) | B(ENOSPC);
	} else {
		if (c->server[v] >= 0)
			m |= B(EBUSY);
		if (server >= c->nr_servers)
			m |= B(EINVAL);
		if (vc >= 0 && vc != v)
			m |= B(EEXIST);
		/* the first connection allocates the VP block */
		if (!m && !c->vp_block)
			m = OK | B(ENOSPC);
	}
	check(f, C_CONNECT, rc, T_CONNECT, m ?: OK);
	if (!rc && k >= 4) {
		c->server[v] = server;
		c->vp_block = true;
	}
}

/* VP_STATE get, set, or set then get (the value comes back) */
static void op_vp(struct fz *f)
{
	struct vmctx *c = f->c;
	int v = rn(f, NV), fd = c->g.x.vcpu[v], rc, fault;
	__u64 w[2] = { rnd(f), rnd(f) }, got[2], a, m;
	enum ptr p = pick_ptr(f);
	bool set = pct(f, 50);
	struct kvm_one_reg r = { .id = KVM_REG_PPC_VP_STATE };

	if (fd < 0)
		return;
	if (pct(f, 50))
		w[0] = htobe64(0x00ff000000000000ULL | rn(f, 256) << 40);
	a = ptr_addr(f, p, w, 16, !set, &fault);
	r.addr = a;
	say(f, "%s_ONE_REG VP_STATE vCPU %d %#llx ptr %s", set ? "SET" : "GET",
	    v, (unsigned long long)w[0], ptr_name[p]);
	rc = sys(ioctl(fd, set ? KVM_SET_ONE_REG : KVM_GET_ONE_REG, &r));
	m = (c->server[v] < 0 ? B(ENXIO) | B(EPERM) : 0) | ptr_mask(fault, 0);
	check(f, C_VP, rc, T_VP, m ?: OK);
	if (rc || !set || fault || c->server[v] < 0)
		return;
	say(f, "GET_ONE_REG VP_STATE vCPU %d after set %#llx", v,
	    (unsigned long long)w[0]);
	r.addr = (uintptr_t)got;
	rc = sys(ioctl(fd, KVM_GET_ONE_REG, &r));
	check(f, C_VP, rc, T_VP, OK);
	/* the IPB (byte 2) may gain the bits the hardware accumulated */
	if (!rc && ((got[0] ^ w[0]) & ~htobe64(0xffULL << 40) ||
		    (got[0] & w[0] & htobe64(0xffULL << 40)) !=
		    (w[0] & htobe64(0xffULL << 40)) || got[1]))
		failf(f, C_VP, "set %#llx, got %#llx %#llx",
		      (unsigned long long)be64toh(w[0]),
		      (unsigned long long)be64toh(got[0]),
		      (unsigned long long)got[1]);
}

/* ---- mappings ---- */
static struct map *free_map(struct vmctx *c)
{
	int i;

	for (i = 0; i < NMAP; i++)
		if (!c->m[i].addr)
			return &c->m[i];
	return NULL;
}

static struct map *pick_map(struct fz *f)
{
	int i, n = rn(f, NMAP);

	for (i = 0; i < NMAP; i++) {
		struct map *m = &f->c->m[(n + i) % NMAP];

		if (m->addr)
			return m;
	}
	return NULL;
}

/* mmap at the windows' offsets (and bad ones), munmap/mprotect/mremap */
static void op_mmap(struct fz *f)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE, PROT_NONE,
	};
	struct vmctx *c = f->c;
	struct map *mp = pick_map(f), *fr = free_map(c);
	int k = rn(f, 10), prot = prots[rn(f, 4)], rc;
	unsigned long s, n, pgoff, len;
	__u64 m;

	if (k < 4 || !mp) {
		bool tima = pct(f, 30), priv = pct(f, 5);
		void *p;

		if (!fr) {
			unmap_gen(c, -1);
			return;
		}
		pgoff = tima ? KVM_XIVE_TIMA_PAGE_OFFSET : KVM_XIVE_ESB_PAGE_OFFSET;
		if (pct(f, 10))
			pgoff = pct(f, 50) ? rn(f, 16) : rval(f) & 0xffffff;
		len = tima ? 1 + rn(f, 5) : pct(f, 80) ? 1 + rn(f, 4 * NSRC) :
		      ESB_PAGES - 1 + rn(f, 3);
		if (priv && pct(f, 80))	/* huge ones: overcommit, console */
			len = 1 + rn(f, 8);
		/* upstream BUGs on a private mapping's first fault (README) */
		if (upstream && !crashers)
			priv = false;
		say(f, "mmap %lu pages at pgoff %#lx prot %d %s", len, pgoff,
		    prot, priv ? "MAP_PRIVATE" : "MAP_SHARED");
		p = mmap(NULL, len * pgsz, prot, priv ? MAP_PRIVATE : MAP_SHARED,
			 c->g.x.dev, pgoff * pgsz);
		rc = p == MAP_FAILED ? -errno : 0;
		if (!c->dev_open)
			m = B(EBADF);
		else if (priv)	/* overcommit may refuse a huge one first */
			m = B(EINVAL) | B(ENOMEM);
		else if ((pgoff != 0 && pgoff != 4) ||
			 (pgoff == 0 && len > 4) || (pgoff == 4 && len > ESB_PAGES))
			m = B(EINVAL);
		else
			m = OK;
		check(f, C_MMAP, rc, T_MMAP | B(EBADF), m);
		if (rc)
			return;
		if (m != OK) {
			munmap(p, len * pgsz);
			return;
		}
		*fr = (struct map){ p, len, pgoff, prot, c->gen };
		return;
	}
	s = rn(f, mp->npages);
	n = 1 + rn(f, mp->npages - s);
	if (k < 6) {
		say(f, "munmap pages %lu-%lu of %lu at pgoff %#lx", s, s + n - 1,
		    mp->npages, mp->pgoff);
		rc = sys(munmap(mp->addr + s * pgsz, n * pgsz));
		check(f, C_MMAP, rc, OK | B(EINVAL), OK);
		if (rc)
			return;
		if (s + n < mp->npages) {
			if (s && fr) {
				*fr = (struct map){ mp->addr + (s + n) * pgsz,
					mp->npages - s - n, mp->pgoff + s + n,
					mp->prot, mp->gen };
			} else if (s) {	/* no room to track it: drop it */
				munmap(mp->addr + (s + n) * pgsz,
				       (mp->npages - s - n) * pgsz);
			} else {
				mp->addr += n * pgsz;
				mp->pgoff += n;
				mp->npages -= n;
				return;
			}
		}
		mp->npages = s;
		if (!s)
			mp->addr = NULL;
		return;
	}
	if (k < 8) {
		/* the whole tail from s: one VMA per tracked map */
		say(f, "mprotect pages %lu-%lu of %lu at pgoff %#lx to %d", s,
		    mp->npages - 1, mp->npages, mp->pgoff, prot);
		if (s && !fr)
			s = 0;
		rc = sys(mprotect(mp->addr + s * pgsz, (mp->npages - s) * pgsz,
				  prot));
		check(f, C_MMAP, rc, OK | B(ENOMEM) | B(EACCES), OK);
		if (rc)
			return;
		if (s) {
			*fr = (struct map){ mp->addr + s * pgsz, mp->npages - s,
				mp->pgoff + s, prot, mp->gen };
			mp->npages = s;
		} else {
			mp->prot = prot;
		}
		return;
	}
	/* mremap: shrink, move, grow (VM_DONTEXPAND: EFAULT), duplicate */
	{
		static const char *const kind_name[] = {
			"shrink", "move", "grow", "dup"
		};
		int kind = rn(f, 4);
		unsigned long nl = kind == 0 ? n : kind == 2 ? mp->npages + n :
				   mp->npages;
		void *q, *dst = NULL;

		if (kind == 1) {
			dst = mmap(NULL, nl * pgsz, PROT_NONE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				   -1, 0);
			if (dst == MAP_FAILED)
				return;
		}
		say(f, "mremap %s %lu pages at pgoff %#lx to %lu",
		    kind_name[kind], mp->npages, mp->pgoff, nl);
		if (kind == 1)
			q = mremap(mp->addr, mp->npages * pgsz, nl * pgsz,
				   MREMAP_MAYMOVE | MREMAP_FIXED, dst);
		else if (kind == 3)
			q = mremap(mp->addr, 0, nl * pgsz, MREMAP_MAYMOVE);
		else
			q = mremap(mp->addr, mp->npages * pgsz, nl * pgsz, 0);
		rc = q == MAP_FAILED ? -errno : 0;
		m = kind >= 2 ? B(EFAULT) | (kind == 2 ? B(ENOMEM) : 0) : OK;
		check(f, C_MMAP, rc, T_MREMAP, m);
		if (rc) {
			if (dst)
				munmap(dst, nl * pgsz);
			return;
		}
		if (kind >= 2) {
			munmap(q, nl * pgsz);
			return;
		}
		mp->addr = q;	/* shrunk in place, or moved */
		mp->npages = nl;
	}
}

/*
 * What an access to file page @pg of a mapping of device gen @gen with
 * @prot must give: 0, SIGBUS or SIGSEGV; -1 when it may change another
 * thread's source (not done).
 */
static int expect_access(struct fz *f, unsigned long pg, int gen, int prot,
			 bool store, int *src)
{
	struct vmctx *c = f->c;
	unsigned long irq;
	int i;

	*src = -1;
	/* powerpc: a writable page is readable too */
	if (!(prot & (store ? PROT_WRITE : PROT_READ | PROT_WRITE)))
		return SIGSEGV;
	if (gen != c->gen || !c->dev_open)
		return SIGBUS;			/* released */
	if (pg < KVM_XIVE_ESB_PAGE_OFFSET)
		return pg == 2 ? (store ? -1 : 0) : SIGBUS;
	irq = (pg - KVM_XIVE_ESB_PAGE_OFFSET) / 2;
	if (!owned(f, irq))
		return -1;
	i = sidx(irq);
	if (i < 0)
		return SIGBUS;		/* never created */
	if (c->s[i].made == 2)
		return -1;
	*src = i;
	return c->s[i].made ? 0 : SIGBUS;
}

/*
 * One access through a fuzzed mapping: a PQ load or set-PQ load on a
 * management page, a trigger store on a trigger page, a TIMA load, or
 * the same on pages that must SIGBUS.
 */
static void do_access(struct fz *f, char *addr, unsigned long pg, int gen,
		      int prot)
{
	struct vmctx *c = f->c;
	bool mgmt = pg >= KVM_XIVE_ESB_PAGE_OFFSET && (pg & 1), store;
	unsigned int off = 0x10;
	int want, sig, i;
	__u64 v = 0;

	store = pg >= KVM_XIVE_ESB_PAGE_OFFSET ? !mgmt : pct(f, 20);
	if (mgmt)
		off = pct(f, 50) ? XIVE_ESB_GET : XIVE_ESB_SET_PQ_00 + (rn(f, 4) << 8);
	else if (store)
		off = 0;
	want = expect_access(f, pg, gen, prot, store, &i);
	if (want < 0)
		return;
	say(f, "%s at file page %#lx +%#x (prot %d, device gen %d of %d)",
	    store ? "store" : "load", pg, off, prot, gen, c->gen);
	sig = guarded((volatile __u64 *)(addr + off), store, &v);
	f->st[C_ACCESS].ops++;
	f->st[C_ACCESS].err[0] += !sig;
	count_sig(f, C_ACCESS, sig);
	if (sig != want) {
		failf(f, C_ACCESS, "signal %d, expected %d", sig, want);
		if (i >= 0)
			set_pq(f, &c->s[i], -1);
		return;
	}
	if (sig || i < 0)
		return;
	if (store) {
		pq_after_trigger(f, &c->s[i]);
		return;
	}
	if (!c->s[i].lsi && c->s[i].pq >= 0 && (int)(v & 3) != c->s[i].pq) {
		failf(f, C_ACCESS, "irq %u PQ %llu, expected %d (set by t%d op %u)",
		      sirq(i), (unsigned long long)(v & 3), c->s[i].pq,
		      c->s[i].who, c->s[i].when);
		model_failed(f, c->s[i].who, c->s[i].when, sirq(i));
	}
	if (off >= XIVE_ESB_SET_PQ_00)
		set_pq(f, &c->s[i], (off - XIVE_ESB_SET_PQ_00) >> 8);
}

static void op_access(struct fz *f)
{
	struct vmctx *c = f->c;
	struct map *mp = pick_map(f);
	unsigned long pg;

	if (!mp || pct(f, 30)) {
		/* the whole windows */
		if (!c->esb)
			return;
		if (pct(f, 20)) {
			pg = rn(f, 4);
			do_access(f, c->tima + pg * pgsz, pg, c->gen,
				  PROT_READ | PROT_WRITE);
			return;
		}
		pg = 2 * pick_src(f) + rn(f, 2);
		do_access(f, c->esb + pg * pgsz, pg + KVM_XIVE_ESB_PAGE_OFFSET,
			  c->gen, PROT_READ | PROT_WRITE);
		return;
	}
	pg = rn(f, mp->npages);
	if (mp->pgoff >= KVM_XIVE_ESB_PAGE_OFFSET && mp->npages > 4 * NSRC)
		pg = rn(f, 4 * NSRC);	/* modelled sources, mostly */
	do_access(f, mp->addr + pg * pgsz, mp->pgoff + pg, mp->gen, mp->prot);
}

/* The PQ state machine on one of the thread's sources */
static void op_pq(struct fz *f)
{
	static const __u8 next[4] = { 2, 1, 3, 3 };
	struct vmctx *c = f->c;
	__u32 irq = pick_src(f);
	int i = sidx(irq), pq = rn(f, 4), got, n;

	if (!c->esb || c->s[i].made != 1 || c->s[i].lsi)
		return;
	say(f, "PQ irq %u: set %d, get, trigger x2", irq, pq);
	f->st[C_PQ].ops++;
	got = esb_set_pq(c->esb, irq, pq);
	if (c->s[i].pq >= 0 && got != c->s[i].pq) {
		failf(f, C_PQ, "set-PQ returned %d, expected %d (set by t%d op %u)",
		      got, c->s[i].pq, c->s[i].who, c->s[i].when);
		model_failed(f, c->s[i].who, c->s[i].when, irq);
	}
	set_pq(f, &c->s[i], pq);
	for (n = 0; n < 3; n++) {
		got = esb_pq(c->esb, irq);
		if (got != c->s[i].pq) {
			failf(f, C_PQ,
			      "PQ %d after %d triggers from %d, expected %d (set by t%d op %u)",
			      got, n, pq, c->s[i].pq, c->s[i].who,
			      c->s[i].when);
			set_pq(f, &c->s[i], -1);
			return;
		}
		if (n < 2) {
			esb_trigger(c->esb, irq);
			set_pq(f, &c->s[i], next[c->s[i].pq]);
		}
	}
	f->st[C_PQ].err[0]++;
}

/* A child shares the mappings: its loads work, its KVM ioctls get EIO */
static void op_fork(struct fz *f)
{
	struct vmctx *c = f->c;
	__u32 irq = pick_src(f);
	int i = sidx(irq), st, want, code;
	pid_t pid, rc;

	if (!c->esb)
		return;
	want = c->s[i].made == 1 ? 0 : c->s[i].made ? -1 : SIGBUS;
	say(f, "fork: child loads irq %u PQ, HAS_ATTR on the device", irq);
	fflush(stdout);
	pthread_rwlock_rdlock(&fork_lock);
	pid = fork();
	if (pid < 0) {
		pthread_rwlock_unlock(&fork_lock);
		failf(f, C_FORK, "fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		__u64 v;
		int sig = guarded((volatile __u64 *)(esb_page(c->esb, irq, 1) +
						      XIVE_ESB_GET), false, &v);
		int r = xive_has(c->g.x.dev, KVM_DEV_XIVE_GRP_CTRL,
				 KVM_DEV_XIVE_RESET);

		_exit((sig & 0x3f) | (r == -EIO ? 0 : 0x40));
	}
	rc = waitpid(pid, &st, 0);
	pthread_rwlock_unlock(&fork_lock);
	if (rc != pid || !WIFEXITED(st)) {
		failf(f, C_FORK, "child status %#x", st);
		return;
	}
	code = WEXITSTATUS(st);
	f->st[C_FORK].ops++;
	f->st[C_FORK].err[0] += !(code & 0x40);
	if (code & 0x40)
		failf(f, C_FORK, "the child's HAS_ATTR did not get EIO");
	if (want >= 0 && (code & 0x3f) != want)
		failf(f, C_FORK, "child's load gave signal %d, expected %d",
		      code & 0x3f, want);
	count_sig(f, C_FORK, code & 0x3f);
}

/* Memslot 1 added, moved, deleted, bad flags; slot 0 away and back */
static void op_slot(struct fz *f)
{
	struct vmctx *c = f->c;
	struct kvm_userspace_memory_region r = { .slot = 1 };
	int k = rn(f, 10), rc;
	__u64 m;

	if (k == 0) {
		say(f, "memslot 0 %s", c->slot0 ? "deleted" : "added back");
		m = !c->slot0 && c->slot1 && c->slot1_gpa < GUEST_MEM_SIZE ?
		    B(EEXIST) : OK;
		rc = check(f, C_SLOT, vm_slot0(c, !c->slot0), T_SLOT, m);
		if (!rc)
			c->slot0 = !c->slot0;
		return;
	}
	if (!c->slot1_mem) {
		c->slot1_size = (1 + rn(f, 4)) << 16;
		c->slot1_mem = mmap(NULL, c->slot1_size, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (c->slot1_mem == MAP_FAILED) {
			c->slot1_mem = NULL;
			return;
		}
		/* 64K queues there too on a 4K host: contiguous frames */
		madvise(c->slot1_mem, c->slot1_size, MADV_DONTFORK);
		memset(c->slot1_mem, 0, c->slot1_size);
		if (mem_make_contiguous(c->slot1_mem, c->slot1_size)) {
			munmap(c->slot1_mem, c->slot1_size);
			c->slot1_mem = NULL;
			return;
		}
	}
	r.userspace_addr = (uintptr_t)c->slot1_mem;
	r.memory_size = c->slot1_size;
	r.guest_phys_addr = SLOT1_GPA + (rn(f, 16) << 16);
	/* slot 1 keeps its size: a set is a create, a move or nothing */
	m = OK;
	if (k < 4) {
		r.memory_size = 0;
		m = c->slot1 ? OK : B(EINVAL);
	} else if (k == 4) {
		/* no KVM_MEM_READONLY on powerpc */
		r.flags = pct(f, 50) ? 2 : 1U << (1 + rn(f, 31));
		m = B(EINVAL);
	} else if (k == 5) {
		r.guest_phys_addr = rn(f, GUEST_MEM_SIZE >> 16) << 16;
		m = c->slot0 ? B(EEXIST) : OK;
	} else if (k == 6) {
		r.memory_size += page_size() / 2;	/* off the host page */
		m = B(EINVAL);
	}
	say(f, "memslot 1 gpa %#llx size %#llx flags %#x",
	    (unsigned long long)r.guest_phys_addr,
	    (unsigned long long)r.memory_size, r.flags);
	rc = sys(ioctl(c->g.x.vm, KVM_SET_USER_MEMORY_REGION, &r));
	check(f, C_SLOT, rc, T_SLOT, m);
	if (rc)
		return;
	c->slot1 = r.memory_size;
	c->slot1_gpa = r.guest_phys_addr;
}

/*
 * KVM_RUN of the tiny guest: straight to its H_DONE hcall.  On the shared
 * VM two threads may run one vCPU, and its kvm_run is one page: the
 * second run's start (exit reason 0) must not be read as the first's
 * exit (7.2 4K, SMP=2: "exit reason 0 hcall 0x7f04"), so each vCPU's
 * run and its reading hold that vCPU's lock.
 */
static pthread_mutex_t run_lock[NV] = {
	[0 ... NV - 1] = PTHREAD_MUTEX_INITIALIZER,
};

static void op_run(struct fz *f)
{
	struct vmctx *c = f->c;
	int v = rn(f, NV), rc;

	if (c->g.x.vcpu[v] < 0 || !c->run[v] || !c->slot0)
		return;
	say(f, "KVM_RUN vCPU %d (server %d)", v, c->server[v]);
	if (c->shared)
		pthread_mutex_lock(&run_lock[v]);
	rc = vcpu_run(&c->g, v);
	check(f, C_RUN, rc, OK, OK);
	if (!rc && (c->run[v]->exit_reason != KVM_EXIT_PAPR_HCALL ||
		    c->run[v]->papr_hcall.nr != H_DONE))
		failf(f, C_RUN, "exit reason %u hcall %#llx", c->run[v]->exit_reason,
		      (unsigned long long)c->run[v]->papr_hcall.nr);
	if (c->shared)
		pthread_mutex_unlock(&run_lock[v]);
}

/* VM and device lifecycle */
static void op_vm(struct fz *f)
{
	struct vmctx *c = f->c;
	int k = rn(f, 10), rc;
	__u32 nr = pct(f, 80) ? NV + rn(f, 2 * NV) : 0;

	if (k < 2 || !c->open) {
		say(f, "close the VM (%s first), open a new one (NR_SERVERS %u)",
		    k ? "VM" : "device", nr);
		pthread_rwlock_wrlock(&fork_lock);
		vm_close(c, k);
		pthread_rwlock_unlock(&fork_lock);
		rc = vm_open(c, nr);
		/* mostly with vCPUs 0, 1 connected and a queue, as at start */
		if (!rc && pct(f, 70))
			rc = vm_populate(c);
		check(f, C_VM, rc, T_DEV | B(ENOSPC), OK | (nr ? 0 : B(ENOSPC)));
		return;
	}
	if (k < 5 && c->dev_open) {
		say(f, "close the device, create a new one (NR_SERVERS %u)", nr);
		pthread_rwlock_wrlock(&fork_lock);
		dev_close(c);
		rc = dev_open(c, nr);
		pthread_rwlock_unlock(&fork_lock);
		check(f, C_VM, rc, T_DEV, OK);
		return;
	}
	if (k < 7) {
		/* a second device, XICS beside it, a bad type, a TEST create */
		struct kvm_create_device cd = { .type = KVM_DEV_TYPE_XIVE };
		int v = rn(f, 4);
		__u64 m;

		if (!c->dev_open && v < 2)
			v = 3;
		if (v == 1)
			cd.type = KVM_DEV_TYPE_XICS;
		else if (v == 2)
			cd.type = 1000 + rn(f, 9);
		else if (v == 3)
			cd.flags = KVM_CREATE_DEVICE_TEST;
		m = v < 2 ? B(EEXIST) : v == 2 ? B(ENODEV) : OK;
		say(f, "KVM_CREATE_DEVICE type %u flags %u", cd.type, cd.flags);
		rc = sys(ioctl(c->g.x.vm, KVM_CREATE_DEVICE, &cd));
		check(f, C_VM, rc, T_DEV, m);
		if (!rc && !cd.flags) {
			close(cd.fd);
			failf(f, C_VM, "a second device was created");
		}
		return;
	}
	if (!c->dev_open) {
		say(f, "create the device (NR_SERVERS %u)", nr);
		pthread_rwlock_wrlock(&fork_lock);
		rc = dev_open(c, nr);
		pthread_rwlock_unlock(&fork_lock);
		check(f, C_VM, rc, T_DEV, OK);
	}
}

/* After rejected calls: the device still does what it must */
static void usable(struct fz *f)
{
	struct vmctx *c = f->c;
	int i, rc;

	if (!c->dev_open)
		return;
	say(f, "known-good calls after %lu rejected ones", f->rejects);
	rc = xive_has(c->g.x.dev, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_RESET);
	check(f, C_USABLE, rc, OK, OK);
	for (i = 0; i < NTRK; i++) {
		__u32 irq = sirq(i);

		if (!owned(f, irq) || c->s[i].made != 1)
			continue;
		check(f, C_USABLE, xive_attr(c->g.x.dev, KVM_SET_DEVICE_ATTR,
					     KVM_DEV_XIVE_GRP_SOURCE_SYNC, irq,
					     0), OK, OK);
		if (c->esb && !c->s[i].lsi && c->s[i].pq >= 0 &&
		    esb_pq(c->esb, irq) != c->s[i].pq)
			failf(f, C_USABLE, "irq %u PQ %d, expected %d (set by t%d op %u)",
			      irq, esb_pq(c->esb, irq), c->s[i].pq,
			      c->s[i].who, c->s[i].when);
		break;
	}
}

/* The op mix: per mille weights, cheap calls often, lifecycle rarely */
static const struct {
	void (*fn)(struct fz *f);
	int weight;
	bool excl;		/* changes what other threads model */
	bool dev;		/* a device attribute call */
} ops[] = {
	{ op_vm, 4, true }, { op_vcpu, 10, true }, { op_connect, 25, true },
	{ op_ctrl, 30, true, true }, { op_source, 140, false, true },
	{ op_config, 130, false, true }, { op_eq, 90, true, true },
	{ op_sync, 50, false, true }, { op_attr, 110, false, true },
	{ op_vp, 40, true }, { op_mmap, 60, true }, { op_fork, 4, false },
	{ op_access, 170, false }, { op_pq, 100, false }, { op_slot, 12, true },
	{ op_run, 25, false },
};

static void one_op(struct fz *f)
{
	int w = rn(f, 1000), k;
	bool excl;

	for (k = 0; w >= ops[k].weight && k < (int)ARRAY_SIZE(ops) - 1; k++)
		w -= ops[k].weight;
	f->c = pct(f, 40) ? &shared_vm : &f->own;
	excl = ops[k].excl;
	/* upstream soft-locks faults against source creation (README) */
	if (upstream && !crashers && ops[k].fn == op_source)
		excl = true;
	ctx_enter(f, excl);
	if (!f->c->open && ops[k].fn != op_vm) {
		ctx_leave(f);
		return;
	}
	f->desc[0] = 0;
	if (ops[k].dev && !f->c->dev_open) {
		/* no device now (closed, re-creation failed): its fd is gone */
		say(f, "HAS_ATTR on the closed device fd %d", f->c->g.x.dev);
		check(f, C_ATTR, xive_has(f->c->g.x.dev, KVM_DEV_XIVE_GRP_CTRL,
					  KVM_DEV_XIVE_RESET), B(EBADF), B(EBADF));
	} else {
		ops[k].fn(f);
	}
	if (f->rejects >= 8 && f->c->open) {
		f->rejects = 0;
		usable(f);
	}
	ctx_leave(f);
}

static void *thread_fn(void *arg)
{
	struct fz *f = arg;
	int rc;

	f->task = syscall(SYS_gettid);
	f->rng = seed ^ (0x5851f42d4c957f2dULL * (f->tid + 1));
	f->buf = mmap(NULL, 3 * pgsz, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->ro = f->buf + pgsz;
	f->none = f->buf + 2 * pgsz;
	mprotect(f->none, pgsz, PROT_NONE);
	f->c = &f->own;
	say(f, "open the thread's VM");
	rc = vm_open(&f->own, NV);
	check(f, C_VM, rc ?: vm_populate(&f->own), OK, OK);
	for (f->op = 0; f->op < f->nops && f->fails < MAX_FAILS; f->op++)
		one_op(f);
	f->c = &f->own;
	vm_close(&f->own, 1);
	unmap_gen(&f->own, -1);
	return NULL;
}

/* TAP directive of a failed class when testing the upstream device */
#define TODO_UPSTREAM " # TODO upstream: a fuzz finding, see README"

static void report(struct fz *fz)
{
	int t, c, e, n = 0;

	for (t = 0; t < nthreads; t++) {
		for (c = 0; c < NCLS; c++) {
			struct stat_cls *s = &fz[t].st[c];
			unsigned long tot = 0;
			char d[512] = "";

			for (e = 0; e < 64; e++) {
				tot += s->err[e];
				if (s->err[e])
					snprintf(d + strlen(d), sizeof(d) - strlen(d),
						 "%s%s x%lu", *d ? ", " : "",
						 ename(bit_errno(e)), s->err[e]);
			}
			if (s->ops > tot)
				tot = s->ops;
			if (!tot && !s->fails)
				continue;
			if (s->sigbus || s->sigsegv)
				snprintf(d + strlen(d), sizeof(d) - strlen(d),
					 ", SIGBUS x%lu, SIGSEGV x%lu",
					 s->sigbus, s->sigsegv);
			printf("# t%d/%s: %s\n", t, cls_name[c], d);
			n++;
			if (!s->fails)
				printf("ok %d - t%d/%s: %lu ops, errnos as documented\n",
				       n, t, cls_name[c], tot);
			else
				printf("not ok %d - t%d/%s: %lu ops, %lu failed (first: %s)%s\n",
				       n, t, cls_name[c], tot, s->fails, s->first,
				       upstream ? TODO_UPSTREAM : "");
		}
	}
	printf("1..%d\n", n);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	unsigned long nops = 10000;
	pthread_t th[64];
	struct fz *fz;
	double t0;
	int opt, t, fails = 0;
	const char *why;

	seed = DEFAULT_SEED;
	while ((opt = getopt(argc, argv, "s:n:t:vC")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			nops = strtoul(optarg, NULL, 0);
			break;
		case 't':
			nthreads = atoi(optarg);
			break;
		case 'v':
			verbose = true;
			break;
		case 'C':	/* on upstream: also what README says crashes it */
			crashers = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n OPS] [-t THREADS] [-v] [-C]\n",
				argv[0]);
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > 64)
		nthreads = 1;
	printf("TAP version 13\n");
	printf("# xive_fuzz: seed %#llx, %lu ops, %d threads\n",
	       (unsigned long long)seed, nops, nthreads);
	upstream = xive_upstream();
	crashers |= xive_run_known_crashers();
	why = xive_unavailable();
	if (why) {
		printf("1..0 # SKIP %s\n", why);
		return 4;
	}
	pgsz = XIVE_PAGE;
	max_vcpus = kvm_check_cap(KVM_CAP_MAX_VCPUS);
	max_vcpu_id = kvm_check_cap(KVM_CAP_MAX_VCPU_ID);
	printf("# flavour %s%s, page size %ld, KVM_MAX_VCPUS %d, KVM_MAX_VCPU_IDS %d\n",
	       upstream ? "upstream" : "ours",
	       crashers ? " (known crashers on)" : "", pgsz, max_vcpus,
	       max_vcpu_id);
	probe_kernel_reads();
	trace_esb_faults();
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	fz = calloc(nthreads, sizeof(*fz));
	pthread_rwlock_init(&shared_vm.lock, NULL);
	shared_vm.shared = true;
	t = vm_open(&shared_vm, NV);
	if (!t)
		t = vm_populate(&shared_vm);
	if (t) {
		printf("not ok 1 - open the shared VM: %s\n1..1\n", strerror(-t));
		return 1;
	}
	t0 = now_s();
	for (t = 0; t < nthreads; t++) {
		fz[t].tid = t;
		fz[t].nops = nops / nthreads + (t < (int)(nops % nthreads));
		fz[t].log = calloc(fz[t].nops, sizeof(*fz[t].log));
		fz[t].hist_who = -1;
		fz[t].hist_hw = -1;
		pthread_create(&th[t], NULL, thread_fn, &fz[t]);
	}
	for (t = 0; t < nthreads; t++) {
		pthread_join(th[t], NULL);
		fails += fz[t].fails;
	}
	printf("# %lu ops in %.1f s: %.0f ops/s\n", nops, now_s() - t0,
	       nops / (now_s() - t0));
	vm_close(&shared_vm, 0);
	for (t = 0; t < nthreads; t++) {
		history(fz, t);
		trace_hw(fz, t);
	}
	report(fz);
	/* upstream: every failure is a finding, marked TODO in the TAP */
	return fails && !upstream ? 1 : 0;
}
