// SPDX-License-Identifier: GPL-2.0
/*
 * XIVE native device lifecycle: hundreds of VMs created and destroyed with
 * vCPUs connected (no VP exhaustion, no memory growth), devices released
 * and created again in one VM, and mappings that outlive their file
 * descriptors, their VM, and the process.
 */
#include "kselftest_harness.h"
#include "xive_util.h"

#define NR_VMS		300

FIXTURE(lc) {
	int unused;
};

FIXTURE_SETUP(lc)
{
	const char *why = xive_unavailable();

	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(lc)
{
}

/* One short VM life: 2 vCPUs connected, a queue, a routed source fired */
static int one_vm(bool set_nr_servers)
{
	struct xvm x;
	void *esb;
	int r;

	r = xvm_open(&x, 0, true);
	if (r)
		goto out;
	if (set_nr_servers) {
		r = xive_nr_servers(x.dev, 2);
		if (r)
			goto out;
	}
	for (x.nr_vcpus = 0; x.nr_vcpus < 2; x.nr_vcpus++) {
		x.vcpu[x.nr_vcpus] = vcpu_create(x.vm, x.nr_vcpus);
		if (x.vcpu[x.nr_vcpus] < 0) {
			r = x.vcpu[x.nr_vcpus];
			goto out;
		}
		r = vcpu_connect(x.vcpu[x.nr_vcpus], x.dev, x.nr_vcpus);
		if (r)
			goto out;
	}
	r = eq_set(x.dev, 1, EQ_PRIO, EQ_GPA);
	if (!r)
		r = src_set(x.dev, 0, 0);
	if (!r)
		r = src_cfg(x.dev, 0, 1, EQ_PRIO, false, 0x77);
	if (r)
		goto out;
	esb = esb_map(x.dev, 1);
	if (esb == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	esb_set_pq(esb, 0, 0);
	esb_trigger(esb, 0);
	if (eq_entry(x.mem, EQ_GPA, 0) != (0x80000000U | 0x77))
		r = -EIO;
	munmap(esb, 2 * page_size());
out:
	xvm_close(&x);
	return r;
}

static long slab_kb(void)
{
	return meminfo_kb("Slab");
}

/*
 * 300 VMs in sequence, half with the default VP block size (2048 VPs
 * each: a leaked block would exhaust the VP space long before 300).
 */
TEST_F_TIMEOUT(lc, many_vms, 300)
{
	long free0, free1, slab0, slab1, t0, t1;
	int i, r;

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, one_vm(i & 1)) TH_LOG("warm-up VM %d", i);
	sync();
	free0 = meminfo_kb("MemFree");
	slab0 = slab_kb();
	t0 = now_ms();
	for (i = 0; i < NR_VMS; i++) {
		r = one_vm(i & 1);
		ASSERT_EQ(0, r) TH_LOG("VM %d: %s", i, strerror(-r));
	}
	t1 = now_ms();
	free1 = meminfo_kb("MemFree");
	slab1 = slab_kb();
	ksft_print_msg("%d VMs in %ld ms (%ld ms each); MemFree %ld -> %ld kB (delta %ld kB), Slab %ld -> %ld kB (delta %ld kB)\n",
		       NR_VMS, t1 - t0, (t1 - t0) / NR_VMS, free0, free1,
		       free0 - free1, slab0, slab1, slab1 - slab0);
	/* 300 VMs leaking a vCPU's worth of state would show here */
	EXPECT_LT(free0 - free1, 16 * 1024);
	EXPECT_LT(slab1 - slab0, 4 * 1024);
}

/*
 * Many VMs alive at once, each with a vCPU connected.  With the default
 * NR_SERVERS each device takes a VP block of KVM_MAX_VCPUS: the VP space
 * may run out (ENOSPC, and nothing else).  A device whose VP allocation
 * failed must stay usable: with a smaller NR_SERVERS it connects.  With
 * NR_SERVERS = 1 many more VMs fit.
 */
#define MAX_ALIVE	160

struct alive {
	int vm, dev, vcpu;
};

static int alive_open(struct alive *a, __u32 nr_servers)
{
	int r;

	a->dev = a->vcpu = -1;
	a->vm = vm_create();
	if (a->vm < 0)
		return a->vm;
	a->dev = xive_create(a->vm);
	if (a->dev < 0)
		return a->dev;
	if (nr_servers) {
		r = xive_nr_servers(a->dev, nr_servers);
		if (r)
			return r;
	}
	a->vcpu = vcpu_create(a->vm, 0);
	if (a->vcpu < 0)
		return a->vcpu;
	return vcpu_connect(a->vcpu, a->dev, 0);
}

static void alive_close(struct alive *a)
{
	if (a->vcpu >= 0)
		close(a->vcpu);
	if (a->dev >= 0)
		close(a->dev);
	if (a->vm >= 0)
		close(a->vm);
	a->vm = a->dev = a->vcpu = -1;
}

TEST_F_TIMEOUT(lc, vp_space, 300)
{
	struct rlimit rl = { 4096, 4096 };
	struct alive a[MAX_ALIVE];
	int n, i, r, full = -1;

	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	for (n = 0; n < MAX_ALIVE; n++) {
		r = alive_open(&a[n], 0);
		if (r == -ENOSPC) {
			full = n;
			break;
		}
		ASSERT_EQ(0, r) TH_LOG("VM %d: %s", n, strerror(-r));
	}
	ksft_print_msg("VMs alive with a default-size VP block each: %d%s\n",
		       full < 0 ? n : full,
		       full < 0 ? " (VP space not exhausted)" : ", then ENOSPC");
	if (full >= 0) {
		/* the failed device is still there and usable */
		EXPECT_EQ(-ENOSPC, vcpu_connect(a[full].vcpu, a[full].dev, 0));
		EXPECT_EQ(0, xive_nr_servers(a[full].dev, 1));
		EXPECT_EQ(0, vcpu_connect(a[full].vcpu, a[full].dev, 0));
		EXPECT_EQ(0, src_set(a[full].dev, 0, 0));
		/* freeing one block makes room for another */
		alive_close(&a[0]);
		EXPECT_EQ(0, alive_open(&a[0], 0));
		n = full + 1;
	}
	for (i = 0; i < n; i++)
		alive_close(&a[i]);

	/* one VP each: VP space is no limit here */
	for (n = 0; n < MAX_ALIVE; n++) {
		r = alive_open(&a[n], 1);
		ASSERT_EQ(0, r) TH_LOG("VM %d with NR_SERVERS=1: %s", n,
				       strerror(-r));
	}
	for (i = 0; i < n; i++)
		alive_close(&a[i]);
}

/* Release and create again in one VM, vCPUs reconnecting each time */
TEST_F_TIMEOUT(lc, recreate_in_one_vm, 120)
{
	struct xvm x;
	int round, i;
	void *esb;

	ASSERT_EQ(0, xvm_open(&x, 2, true));
	for (round = 0; round < 50; round++) {
		ASSERT_EQ(0, eq_set(x.dev, 1, EQ_PRIO, EQ_GPA));
		ASSERT_EQ(0, src_set(x.dev, 5, 0));
		ASSERT_EQ(0, src_cfg(x.dev, 5, 1, EQ_PRIO, false, round));
		esb = esb_map(x.dev, 8);
		ASSERT_NE(MAP_FAILED, esb);
		esb_set_pq(esb, 5, 0);
		esb_trigger(esb, 5);
		/* a fresh queue every round: the entry is at index 0 */
		ASSERT_EQ(0x80000000U | round, eq_entry(x.mem, EQ_GPA, 0))
			TH_LOG("round %d", round);
		memset(x.mem + EQ_GPA, 0, 64);
		munmap(esb, 16 * page_size());
		close(x.dev);
		x.dev = xive_create(x.vm);
		ASSERT_LE(0, x.dev) TH_LOG("round %d", round);
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, vcpu_connect(x.vcpu[i], x.dev, i))
				TH_LOG("round %d vcpu %d", round, i);
	}
	xvm_close(&x);
}

struct live {
	void *esb;
	char *tima;
};

static __u64 trigger_child(void *p)
{
	*(volatile __u64 *)p = 0;
	__sync_synchronize();
	return 0;
}

/*
 * Touch every kind of page of a mapping whose file descriptors are gone:
 * each access gives a value or SIGBUS, nothing else.
 */
static void touch_orphans(struct __test_metadata *_metadata, struct live *l,
			  const char *when)
{
	static const struct { int irq, odd; unsigned int off; } t[] = {
		{ 0, 1, XIVE_ESB_GET },		/* faulted before */
		{ 1, 1, XIVE_ESB_GET },		/* never faulted */
		{ 1, 1, XIVE_ESB_SET_PQ_00 },
		{ 3, 1, XIVE_ESB_GET },		/* never set */
		{ 0, 0, 0 },
	};
	unsigned int i;
	__u64 v;
	int sig;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sig = probe_load(esb_page(l->esb, t[i].irq, t[i].odd) +
				 t[i].off, &v);
		EXPECT_TRUE(sig == 0 || sig == SIGBUS)
			TH_LOG("%s: irq %d page %d +%#x: signal %d", when,
			       t[i].irq, t[i].odd, t[i].off, sig);
	}
	sig = in_child(trigger_child, (void *)esb_page(l->esb, 1, 0), NULL);
	EXPECT_TRUE(sig == 0 || sig == SIGBUS) TH_LOG("%s: trigger: %d", when,
						      sig);
	sig = probe_load(l->tima + 2 * page_size() + 0x10, &v);
	EXPECT_TRUE(sig == 0 || sig == SIGBUS) TH_LOG("%s: TIMA: %d", when,
						      sig);
	sig = probe_load(l->tima, &v);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("%s: TIMA page 0", when);
}

static void live_setup(struct __test_metadata *_metadata, struct xvm *x,
		       struct live *l)
{
	ASSERT_EQ(0, xvm_open(x, 2, true));
	l->esb = esb_map(x->dev, 4);
	l->tima = tima_map(x->dev);
	ASSERT_NE(MAP_FAILED, l->esb);
	ASSERT_NE(MAP_FAILED, l->tima);
	ASSERT_EQ(0, eq_set(x->dev, 0, EQ_PRIO, EQ_GPA));
	ASSERT_EQ(0, src_set(x->dev, 0, 0));
	ASSERT_EQ(0, src_set(x->dev, 1, 0));
	ASSERT_EQ(0, src_cfg(x->dev, 0, 0, EQ_PRIO, false, 0x10));
	ASSERT_EQ(1, esb_pq(l->esb, 0));
	(void)*(volatile __u64 *)(l->tima + 2 * page_size() + 0x10);
}

static void live_unmap(struct live *l)
{
	munmap(l->esb, 8 * page_size());
	munmap(l->tima, 4 * page_size());
}

TEST_F(lc, close_device_then_vm_with_live_mappings)
{
	struct xvm x;
	struct live l;
	int i;

	live_setup(_metadata, &x, &l);
	close(x.dev);
	x.dev = -1;
	touch_orphans(_metadata, &l, "device fd closed");
	for (i = 0; i < 2; i++) {
		close(x.vcpu[i]);
		x.vcpu[i] = -1;
	}
	close(x.vm);
	x.vm = -1;
	touch_orphans(_metadata, &l, "VM fd closed");
	live_unmap(&l);
	xvm_close(&x);
}

TEST_F(lc, close_vm_then_device_with_live_mappings)
{
	struct xvm x;
	struct live l;
	int i;

	live_setup(_metadata, &x, &l);
	for (i = 0; i < 2; i++) {
		close(x.vcpu[i]);
		x.vcpu[i] = -1;
	}
	close(x.vm);
	x.vm = -1;
	touch_orphans(_metadata, &l, "VM fd closed");
	close(x.dev);
	x.dev = -1;
	touch_orphans(_metadata, &l, "all fds closed");
	/* the guest memory goes while the device may still hold a queue */
	munmap(x.mem, GUEST_MEM_SIZE);
	x.mem = NULL;
	touch_orphans(_metadata, &l, "guest memory unmapped");
	live_unmap(&l);
}

/* A new device in the same VM while the old one's mappings live on */
TEST_F(lc, new_device_while_old_mapped)
{
	struct xvm x;
	struct live l;
	void *esb2;
	int i, dev2;

	live_setup(_metadata, &x, &l);
	close(x.dev);
	x.dev = -1;
	/* the mapping still holds the old device */
	dev2 = xive_create(x.vm);
	if (dev2 < 0) {
		EXPECT_EQ(-EEXIST, dev2);
	} else {
		for (i = 0; i < 2; i++)
			EXPECT_EQ(0, vcpu_connect(x.vcpu[i], dev2, i));
		esb2 = esb_map(dev2, 2);
		ASSERT_NE(MAP_FAILED, esb2);
		ASSERT_EQ(0, src_set(dev2, 0, 0));
		EXPECT_EQ(1, esb_pq(esb2, 0));
		munmap(esb2, 4 * page_size());
		close(dev2);
	}
	ksft_print_msg("device created while the old one is still mapped: %s\n",
		       dev2 < 0 ? strerror(-dev2) : "yes");
	touch_orphans(_metadata, &l, "after another device");
	live_unmap(&l);
	/* and now the old device is gone for sure */
	dev2 = xive_create(x.vm);
	ASSERT_LE(0, dev2);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, vcpu_connect(x.vcpu[i], dev2, i));
	close(dev2);
	xvm_close(&x);
}

static __u64 exit_with_everything_open(void *unused)
{
	struct xvm x;
	struct live l = { 0 };
	int i;

	if (xvm_open(&x, 2, true))
		return 1;
	l.esb = esb_map(x.dev, 4);
	l.tima = tima_map(x.dev);
	if (l.esb == MAP_FAILED || l.tima == MAP_FAILED)
		return 2;
	if (eq_set(x.dev, 0, EQ_PRIO, EQ_GPA) || eq_set(x.dev, 1, EQ_PRIO,
							0x20000))
		return 3;
	for (i = 0; i < 4; i++) {
		if (src_set(x.dev, i, 0) ||
		    src_cfg(x.dev, i, i & 1, EQ_PRIO, false, i))
			return 4;
		esb_set_pq(l.esb, i, 0);
		esb_trigger(l.esb, i);
	}
	(void)*(volatile __u64 *)(l.tima + 2 * page_size());
	/* exit: the kernel tears it all down in its own order */
	return 0;
}

TEST_F(lc, process_exit_with_everything_open)
{
	__u64 v = 99;
	int i;

	for (i = 0; i < 10; i++) {
		EXPECT_EQ(0, in_child(exit_with_everything_open, NULL, &v));
		EXPECT_EQ(0, v);
	}
}

TEST_HARNESS_MAIN
