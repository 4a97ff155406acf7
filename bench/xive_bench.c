// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of a KVM XIVE native device (KVM_DEV_TYPE_XIVE): whichever
 * kvm.ko/kvm-hv.ko are loaded.  testbed/bench.sh runs it against ours and
 * the distro's in one boot of the emulated host and bench/report.py turns
 * the output into bench/results.md.
 *
 * Output: a TAP 13 stream, one result per scenario run, its measurements
 * before it as diagnostics, one value per line and repetition:
 *	# B <metric> <value>		a measurement (ms, KiB, or a count)
 *	# C <metric> <value>		a deterministic count (ioctls, faults)
 *	# M <slab cache> <KiB>		slab growth per cache, 16384-source setup
 *	# S <scenario> <seconds>	time a scenario took, repetitions included
 *	ok N - <scenario>		it ran to its end
 *	not ok N - <scenario> # FAIL: <what>: <strerror>
 *					and the program stops (status 1)
 *	1..N				the plan, last (also after a failure)
 * Only failures are judged, no value is: the numbers stay diagnostics.
 * With XIVE_BENCH_MARKERS set, "@@T <phase> begin|end" lines go to the
 * ftrace buffer (trace_marker), never to stdout: testbed/bench.sh reads
 * them back from the trace to count OPAL calls per phase.
 * On ours (XIVE_FLAVOUR, never guessed from debugfs) the device's debugfs
 * "stats:" line is read too; its absence fails the scenario.
 *
 * Usage: xive_bench [-r reps] [-c cycles] [-p scenario] [-X]
 *	-r	repetitions of each scenario (default 1)
 *	-c	create/connect/release cycles per repetition (default 10)
 *	-p	run only the scenarios whose name starts with this: faults,
 *		setup1024, s4096, setup16384, split, lifecycle, xvm
 *	-X	skip the 16384-source setup
 */
#include "xive_util.h"

#include <dirent.h>
#include <getopt.h>
#include <stdarg.h>

#define NR_VCPUS	4
#define SLOT_SIZE	(8UL << 20)
#define EQ_BASE		0x10000UL		/* vCPU i: EQ_BASE * (i + 1) */
#define FAULT_IRQS	4096
#define XVM_IRQS	1024

static long ioctls;		/* ioctls of the phase being counted */
static int tap_n;		/* TAP results printed */
static const char *scenario = "KVM XIVE device available";

/* The running scenario's "not ok" result and the plan: the stream ends. */
static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	printf("not ok %d - %s # FAIL: ", ++tap_n, scenario);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n1..%d\n", tap_n);
	fflush(stdout);
	exit(1);
}

static void die(const char *what, int err)
{
	fail("%s: %s", what, strerror(err < 0 ? -err : err));
}

#define CHECK(expr) do {						\
	int __r = (expr);						\
	if (__r < 0)							\
		die(#expr, __r);					\
} while (0)

static void result(const char *metric, double v)
{
	printf("# B %s %.3f\n", metric, v);
	fflush(stdout);
}

static void count(const char *metric, long v)
{
	printf("# C %s %ld\n", metric, v);
	fflush(stdout);
}

static void phase(const char *name, const char *what)
{
	if (getenv("XIVE_BENCH_MARKERS")) {
		int fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);

		if (fd >= 0) {
			dprintf(fd, "@@T %s %s\n", name, what);
			close(fd);
		}
	}
}

/*
 * Free memory in KiB, pages on the per-CPU free lists included: MemFree
 * alone moves by whole pcp batches (63 pages of 64 KiB) or not at all.
 */
static long free_kb(void)
{
	char line[256];
	long pages = 0, v;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " pages free %ld", &v) == 1 ||
		    sscanf(line, " count: %ld", &v) == 1)
			pages += v;
	}
	fclose(f);
	return pages * (page_size() / 1024);
}

/*
 * Let every slab cache give its empty slabs back, so that the next
 * allocations take fresh pages instead of whatever earlier runs left.
 */
static void slabs_shrink(void)
{
	struct dirent *d;
	DIR *dir = opendir("/sys/kernel/slab");
	char path[300];

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		int fd;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 d->d_name);
		fd = open(path, O_WRONLY);
		if (fd >= 0) {
			/* best effort: a cache that cannot shrink is fine */
			ssize_t n = write(fd, "1", 1);

			(void)n;
			close(fd);
		}
	}
	closedir(dir);
}

/* /proc/slabinfo: KiB of slab pages per cache */
#define MAX_CACHES	512

struct slabs {
	int n;
	char name[MAX_CACHES][64];
	long kb[MAX_CACHES];
};

static void slabs_read(struct slabs *s)
{
	char line[512], name[64];
	long active, num, size, perslab, pages, tun[3], sactive, nslabs;
	FILE *f = fopen("/proc/slabinfo", "r");

	s->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && s->n < MAX_CACHES) {
		if (sscanf(line,
			   "%63s %ld %ld %ld %ld %ld : tunables %ld %ld %ld : slabdata %ld %ld",
			   name, &active, &num, &size, &perslab, &pages, &tun[0],
			   &tun[1], &tun[2], &sactive, &nslabs) != 11)
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s", name);
		s->kb[s->n++] = nslabs * pages * (page_size() / 1024);
	}
	fclose(f);
}

/* "# M <cache> <KiB>" per cache that grew or shrank, scaled to 4096 */
static void slabs_delta(struct slabs *a, struct slabs *b, unsigned int nr)
{
	int i, j;

	for (i = 0; i < b->n; i++) {
		long before = 0;

		for (j = 0; j < a->n; j++) {
			if (!strcmp(a->name[j], b->name[i])) {
				before = a->kb[j];
				break;
			}
		}
		if (b->kb[i] != before)
			printf("# M %s %.1f\n", b->name[i],
			       (b->kb[i] - before) * 4096.0 / nr);
	}
}

/* A VM with guest memory, the device and NR_VCPUS vCPUs */
struct bvm {
	int vm;
	int dev;
	int vcpu[NR_VCPUS];
	void *mem;
};

/*
 * Guest memory as the selftests make it (xive_util.h): on a 4K host each
 * 64K queue gets physically contiguous host pages, as a 4K-host VMM's
 * huge pages give (the same code on 64K hosts, for a 4K vs 64K row).
 */
static void *slot_add(int vm)
{
	void *mem = guest_mem_add(vm, 0, 0, SLOT_SIZE, 0);

	if (!mem)
		die("guest memory", errno);
	return mem;
}

/* @nr_vcpus created with PAPR; connected and EQs set when @eqs */
static void bvm_open(struct bvm *b, int nr_vcpus, bool mem, bool eqs)
{
	int i;

	memset(b, 0, sizeof(*b));
	b->vm = vm_create();
	CHECK(b->vm);
	b->mem = mem ? slot_add(b->vm) : NULL;
	b->dev = xive_create(b->vm);
	CHECK(b->dev);
	for (i = 0; i < NR_VCPUS; i++)
		b->vcpu[i] = -1;
	for (i = 0; i < nr_vcpus; i++) {
		b->vcpu[i] = vcpu_create(b->vm, i);
		CHECK(b->vcpu[i]);
		CHECK(vcpu_connect(b->vcpu[i], b->dev, i));
		if (eqs)
			CHECK(eq_set(b->dev, i, EQ_PRIO, EQ_BASE * (i + 1)));
	}
}

static void bvm_close(struct bvm *b)
{
	int i;

	if (b->dev >= 0)
		close(b->dev);
	for (i = 0; i < NR_VCPUS; i++)
		if (b->vcpu[i] >= 0)
			close(b->vcpu[i]);
	close(b->vm);
	if (b->mem)
		munmap(b->mem, SLOT_SIZE);
}

static void sources_create(int dev, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		CHECK(src_set(dev, i, 0));
	ioctls += nr;
}

/* GRP_SOURCE + SOURCE_CONFIG, spread over the vCPUs' prio 6 queues */
static void sources_setup(int dev, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		CHECK(src_set(dev, i, 0));
		CHECK(src_cfg(dev, i, i % NR_VCPUS, EQ_PRIO, false, i + 16));
	}
	ioctls += 2 * nr;
}

/*
 * The device's own counters (ours only): the "stats:" line of its debugfs
 * file.  Returns false when there is none.
 */
struct xstats {
	long long esb_faults, esb_pages, tima_faults, sigbus, zaps,
		  zapped_pages;
};

static bool xstats_file(int vm, struct xstats *s)
{
	char path[128], line[512];
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/xive",
		 getpid(), vm);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line,
			   "stats: esb_faults %lld esb_pages %lld tima_faults %lld sigbus %lld zaps %lld zapped_pages %lld",
			   &s->esb_faults, &s->esb_pages, &s->tima_faults,
			   &s->sigbus, &s->zaps, &s->zapped_pages) == 6) {
			ok = true;
			break;
		}
	}
	fclose(f);
	return ok;
}

/* Ours has the line (a scenario without it fails), upstream has not. */
static bool xstats_read(int vm, struct xstats *s)
{
	if (xive_upstream())
		return false;
	if (!xstats_file(vm, s))
		fail("no \"stats:\" line in the device's debugfs file on ours");
	return true;
}

/*
 * Touch both pages of each source: the management page by a PQ read
 * (+0x800), the trigger page by a load, which is harmless there (reads all
 * ones; only stores trigger).  Returns the minor faults taken.
 */
static long esb_touch(void *esb, unsigned int nr, __u64 *sum)
{
	long ps = XIVE_PAGE, f0;
	unsigned int i;
	__u64 s = 0;

	f0 = minflt();
	for (i = 0; i < nr; i++) {
		char *p = (char *)esb + 2UL * i * ps;

		s += *(volatile __u64 *)(p + ps + XIVE_ESB_GET);
		s += *(volatile __u64 *)(p + XIVE_ESB_GET);
	}
	*sum += s;
	return minflt() - f0;
}

/* ------------------------------------------------------------------ */

/* Faults and time to touch both ESB pages of FAULT_IRQS sources */
static void bench_faults(int reps)
{
	struct xstats s0, s1;
	struct bvm b;
	__u64 sum = 0;
	bool stats;
	int r;

	bvm_open(&b, 0, false, false);
	sources_create(b.dev, FAULT_IRQS);
	for (r = 0; r < reps; r++) {
		void *esb = esb_map(b.dev, FAULT_IRQS);
		double t0, t1;
		long f;

		if (esb == MAP_FAILED)
			die("mmap ESB", errno);
		stats = xstats_read(b.vm, &s0);
		phase("faults", "begin");
		t0 = now_s();
		f = esb_touch(esb, FAULT_IRQS, &sum);
		t1 = now_s();
		phase("faults", "end");
		result("fault_touch_ms", (t1 - t0) * 1e3);
		result("fault_count", f);
		result("fault_per_irq", (double)f / FAULT_IRQS);
		/* Touching again must not fault: everything stays mapped. */
		result("fault_retouch_count", esb_touch(esb, FAULT_IRQS, &sum));
		if (stats && xstats_read(b.vm, &s1)) {
			count("dbg_esb_faults", s1.esb_faults - s0.esb_faults);
			count("dbg_esb_pages", s1.esb_pages - s0.esb_pages);
		}
		munmap(esb, 2UL * FAULT_IRQS * XIVE_PAGE);
	}
	bvm_close(&b);
	if (sum == 42)
		printf("\n");
}

/* GRP_SOURCE + SOURCE_CONFIG of @nr sources on a fresh device */
static void bench_setup(int reps, unsigned int nr)
{
	char name[32];
	int r;

	for (r = 0; r < reps; r++) {
		struct bvm b;
		double t0;

		static struct slabs s0, s1;
		long free0;

		bvm_open(&b, NR_VCPUS, true, true);
		snprintf(name, sizeof(name), "setup_%u", nr);
		slabs_shrink();
		slabs_read(&s0);
		free0 = free_kb();
		phase(name, "begin");
		ioctls = 0;
		t0 = now_s();
		sources_setup(b.dev, nr);
		result(strcat(name, "_ms"), (now_s() - t0) * 1e3);
		phase(name, "end");
		/* kernel memory, scaled to 4096 sources */
		snprintf(name, sizeof(name), "mem_free_kb_%u", nr);
		result(name, (free0 - free_kb()) * 4096.0 / nr);
		if (nr == 16384) {
			slabs_read(&s1);
			slabs_delta(&s0, &s1, nr);
		}
		snprintf(name, sizeof(name), "setup_%u_ioctls", nr);
		count(name, ioctls);
		bvm_close(&b);
	}
}

struct mig_state {
	struct kvm_ppc_xive_eq eq[NR_VCPUS];
	__u64 vp[NR_VCPUS][2];
};

static void vp_state(int vcpu, __u64 *v, bool set)
{
	struct kvm_one_reg reg = {
		.id = KVM_REG_PPC_VP_STATE, .addr = (uintptr_t)v,
	};

	if (ioctl(vcpu, set ? KVM_SET_ONE_REG : KVM_GET_ONE_REG, &reg))
		die(set ? "VP_STATE set" : "VP_STATE get", errno);
}

/*
 * Save: EQ_SYNC, every configured EQ and every VP state.  The sources' PQ
 * is saved by ESB loads, not ioctls: the fault benchmark covers those.
 */
static void mig_save(struct bvm *b, struct mig_state *m)
{
	int i;

	CHECK(xive_ctrl(b->dev, KVM_DEV_XIVE_EQ_SYNC));
	ioctls++;
	for (i = 0; i < NR_VCPUS; i++) {
		CHECK(eq_get(b->dev, i, EQ_PRIO, &m->eq[i]));
		vp_state(b->vcpu[i], m->vp[i], false);
		ioctls += 2;
	}
}

/* Restore into a fresh device: EQs, sources, VP states */
static void mig_restore(struct bvm *b, struct mig_state *m, unsigned int nr)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++) {
		struct kvm_ppc_xive_eq *q = &m->eq[i];

		CHECK(eq_set_full(b->dev, i, EQ_PRIO, q->flags, q->qshift,
				  q->qaddr, q->qtoggle, q->qindex));
		ioctls++;
	}
	sources_setup(b->dev, nr);
	for (i = 0; i < NR_VCPUS; i++) {
		vp_state(b->vcpu[i], m->vp[i], true);
		ioctls++;
	}
}

/*
 * 4096 sources on 4 vCPUs: the setup time and kernel memory, a migration
 * cycle to a second VM, then CTRL/RESET of the first one.
 */
static void bench_4096(int reps)
{
	const unsigned int nr = 4096;
	int r;

	for (r = 0; r < reps; r++) {
		long free0, slab0, vm0, pcp0, free1, slab1, vm1, pcp1;
		struct bvm a, b;
		struct mig_state m;
		double t0, t1, t2;

		bvm_open(&a, NR_VCPUS, true, true);
		bvm_open(&b, NR_VCPUS, true, false);

		/* Setup, and the kernel memory it takes */
		slabs_shrink();
		free0 = meminfo_kb("MemFree");
		slab0 = meminfo_kb("Slab");
		vm0 = meminfo_kb("VmallocUsed");
		pcp0 = free_kb();
		phase("setup_4096", "begin");
		ioctls = 0;
		t0 = now_s();
		sources_setup(a.dev, nr);
		result("setup_4096_ms", (now_s() - t0) * 1e3);
		phase("setup_4096", "end");
		count("setup_4096_ioctls", ioctls);
		free1 = meminfo_kb("MemFree");
		slab1 = meminfo_kb("Slab");
		vm1 = meminfo_kb("VmallocUsed");
		pcp1 = free_kb();
		result("mem_memfree_kb", free0 - free1);
		result("mem_free_kb", pcp0 - pcp1);
		result("mem_slab_kb", slab1 - slab0);
		result("mem_vmalloc_kb", vm1 - vm0);

		/* Migration cycle */
		memset(&m, 0, sizeof(m));
		phase("migration", "begin");
		ioctls = 0;
		t0 = now_s();
		mig_save(&a, &m);
		t1 = now_s();
		mig_restore(&b, &m, nr);
		t2 = now_s();
		phase("migration", "end");
		result("mig_save_ms", (t1 - t0) * 1e3);
		result("mig_restore_ms", (t2 - t1) * 1e3);
		result("mig_total_ms", (t2 - t0) * 1e3);
		count("mig_ioctls", ioctls);

		/* CTRL/RESET with everything configured */
		phase("reset", "begin");
		t0 = now_s();
		CHECK(xive_ctrl(a.dev, KVM_DEV_XIVE_RESET));
		result("reset_4096_ms", (now_s() - t0) * 1e3);
		phase("reset", "end");

		/* Release of a device with 4096 routed sources (QEMU at CAS) */
		phase("release", "begin");
		t0 = now_s();
		close(b.dev);
		result("release_4096_ms", (now_s() - t0) * 1e3);
		phase("release", "end");
		b.dev = -1;

		bvm_close(&b);
		bvm_close(&a);
	}
}

/*
 * The setup cost split by operation, per source (µs): GRP_SOURCE of a new
 * source (IPI allocation, ESB data, mask), SOURCE_CONFIG, GRP_SOURCE of an
 * existing source (mask only), and the ioctl floor (HAS_ATTR).
 */
static void bench_split(int reps)
{
	const unsigned int nr = 4096;
	int r;

	for (r = 0; r < reps; r++) {
		struct bvm b;
		unsigned int i;
		double t0, t1, t2, t3, t4;

		bvm_open(&b, NR_VCPUS, true, true);
		t0 = now_s();
		for (i = 0; i < nr; i++)
			CHECK(src_set(b.dev, i, 0));
		t1 = now_s();
		for (i = 0; i < nr; i++)
			CHECK(src_cfg(b.dev, i, i % NR_VCPUS, EQ_PRIO, false,
				      i + 16));
		t2 = now_s();
		for (i = 0; i < nr; i++)
			CHECK(src_set(b.dev, i, 0));
		t3 = now_s();
		for (i = 0; i < nr; i++)
			CHECK(xive_has(b.dev, KVM_DEV_XIVE_GRP_SOURCE, i));
		t4 = now_s();
		result("split_source_new_us", (t1 - t0) * 1e6 / nr);
		result("split_config_us", (t2 - t1) * 1e6 / nr);
		result("split_source_again_us", (t3 - t2) * 1e6 / nr);
		result("split_has_attr_us", (t4 - t3) * 1e6 / nr);
		bvm_close(&b);
	}
}

/* Device create + NR_VCPUS connects + release, on one VM */
static void bench_lifecycle(int reps, int cycles)
{
	int vm, vcpu[NR_VCPUS], r, c, i;

	vm = vm_create();
	CHECK(vm);
	for (i = 0; i < NR_VCPUS; i++) {
		vcpu[i] = vcpu_create(vm, i);
		CHECK(vcpu[i]);
	}
	for (r = 0; r < reps; r++) {
		double t0;

		phase("lifecycle", "begin");
		t0 = now_s();
		for (c = 0; c < cycles; c++) {
			int dev = xive_create(vm);

			CHECK(dev);
			for (i = 0; i < NR_VCPUS; i++)
				CHECK(vcpu_connect(vcpu[i], dev, i));
			close(dev);
		}
		result("lifecycle_ms", (now_s() - t0) * 1e3 / cycles);
		phase("lifecycle", "end");
	}
	count("lifecycle_ioctls", 1 + NR_VCPUS);
	for (i = 0; i < NR_VCPUS; i++)
		close(vcpu[i]);
	close(vm);
}

/*
 * Cross-VM refaults: VM B's ESB pages all mapped; VM A resets, re-creates
 * its sources and closes its device.  B's refaults after each step are
 * counted by touching all of B's pages again.
 */
static void bench_xvm(int reps)
{
	struct xstats s0, s1;
	int r;

	for (r = 0; r < reps; r++) {
		struct bvm a, b;
		void *ea, *eb;
		__u64 sum = 0;
		long fa, fb[3];
		bool stats;

		bvm_open(&a, 0, false, false);
		bvm_open(&b, 0, false, false);
		sources_create(a.dev, XVM_IRQS);
		sources_create(b.dev, XVM_IRQS);
		ea = esb_map(a.dev, XVM_IRQS);
		eb = esb_map(b.dev, XVM_IRQS);
		if (ea == MAP_FAILED || eb == MAP_FAILED)
			die("mmap ESB", errno);
		esb_touch(ea, XVM_IRQS, &sum);
		esb_touch(eb, XVM_IRQS, &sum);
		stats = xstats_read(b.vm, &s0);

		CHECK(xive_ctrl(a.dev, KVM_DEV_XIVE_RESET));
		fb[0] = esb_touch(eb, XVM_IRQS, &sum);
		fa = esb_touch(ea, XVM_IRQS, &sum);
		sources_create(a.dev, XVM_IRQS);
		fb[1] = esb_touch(eb, XVM_IRQS, &sum);
		close(a.dev);
		a.dev = -1;
		fb[2] = esb_touch(eb, XVM_IRQS, &sum);

		result("xvm_refaults_reset", fb[0]);
		result("xvm_refaults_recreate", fb[1]);
		result("xvm_refaults_close", fb[2]);
		result("xvm_refaults", fb[0] + fb[1] + fb[2]);
		result("xvm_self_refaults_reset", fa);
		if (stats && xstats_read(b.vm, &s1))
			count("dbg_xvm_b_esb_faults",
			      s1.esb_faults - s0.esb_faults);
		munmap(ea, 2UL * XVM_IRQS * XIVE_PAGE);
		munmap(eb, 2UL * XVM_IRQS * XIVE_PAGE);
		bvm_close(&b);
		bvm_close(&a);
	}
}

int main(int argc, char **argv)
{
	const char *only = "";
	int reps = 1, cycles = 10, opt;
	bool big = true;
	double t0 = now_s();
	const char *why;

	while ((opt = getopt(argc, argv, "r:c:p:xX")) != -1) {
		switch (opt) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'c':
			cycles = atoi(optarg);
			break;
		case 'p':
			only = optarg;
			break;
		case 'x':
			big = true;
			break;
		case 'X':
			big = false;
			break;
		default:
			fprintf(stderr, "usage: %s [-r reps] [-c cycles] [-p scenario] [-X]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	why = xive_unavailable();
	if (why)
		fail("%s", why);

#define RUN(name, call) do {						\
	if (!strncmp(name, only, strlen(only))) {			\
		double __t = now_s();					\
		scenario = name;					\
		call;							\
		printf("# S %s %.1f\n", name, now_s() - __t);		\
		printf("ok %d - %s\n", ++tap_n, name);			\
	}								\
} while (0)

	RUN("faults", bench_faults(reps));
	RUN("setup1024", bench_setup(reps, 1024));
	RUN("s4096", bench_4096(reps));
	if (big)
		RUN("setup16384", bench_setup(reps, 16384));
	RUN("split", bench_split(reps));
	RUN("lifecycle", bench_lifecycle(reps, cycles));
	RUN("xvm", bench_xvm(reps));
	printf("# S total %.1f\n", now_s() - t0);
	printf("1..%d\n", tap_n);
	return 0;
}
