// SPDX-License-Identifier: GPL-2.0
/*
 * XIVE native device mappings as the hardware shows them: mmap offset and
 * length rules, the TIMA pages, the ESB PQ state machine through the
 * management page, triggers, isolation between IRQs and between VMs,
 * SIGBUS on sources that were never set, VMA splits, fault counts.
 */
#include "kselftest_harness.h"
#include "xive_util.h"

#define NR_ESB_PAGES	(0x100000UL * 2)

static void *map_at(int dev, unsigned long pgoff, unsigned long pages, int prot,
		    int flags)
{
	void *p = mmap(NULL, pages * XIVE_PAGE, prot, flags, dev,
		       pgoff * XIVE_PAGE);
	bool good = (pgoff == 0 && pages <= 4) ||
		    (pgoff == 4 && pages <= NR_ESB_PAGES);

	xive_upstream_small_pages(good && p == MAP_FAILED && errno == EINVAL,
				  "QEMU's 64K mmap offsets and lengths");
	return p;
}

/* One connected vCPU, no guest memory */
static int dev_open(struct xvm *x)
{
	return xvm_open(x, 1, false);
}

XIVE_FIXTURE(dev, struct xvm, dev_open, xvm_close)

TEST_F(dev, bad_offsets_einval)
{
	unsigned long bad[] = { 1, 2, 3, 5, 6, 7, 8, 100, 0x200004 };
	unsigned int i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = map_at(self->x.dev, bad[i], 1, PROT_READ | PROT_WRITE,
			   MAP_SHARED);
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("pgoff %lu", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("pgoff %lu", bad[i]);
		if (p != MAP_FAILED)
			munmap(p, XIVE_PAGE);
	}
	/* byte offsets that are not page multiples never reach the device */
	p = mmap(NULL, XIVE_PAGE, PROT_READ, MAP_SHARED, self->x.dev,
		 4 * XIVE_PAGE + 4096);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, bad_lengths_einval)
{
	void *p;

	/* TIMA: 4 pages at most */
	p = map_at(self->x.dev, KVM_XIVE_TIMA_PAGE_OFFSET, 5,
		   PROT_READ | PROT_WRITE, MAP_SHARED);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = map_at(self->x.dev, KVM_XIVE_TIMA_PAGE_OFFSET, 64,
		   PROT_READ, MAP_SHARED);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* ESB: 2 pages per IRQ of the whole IRQ space at most */
	p = map_at(self->x.dev, KVM_XIVE_ESB_PAGE_OFFSET, NR_ESB_PAGES + 1,
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = map_at(self->x.dev, KVM_XIVE_ESB_PAGE_OFFSET, NR_ESB_PAGES * 2,
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, good_lengths)
{
	void *p;
	int n;

	for (n = 1; n <= 4; n++) {
		p = map_at(self->x.dev, KVM_XIVE_TIMA_PAGE_OFFSET, n,
			   PROT_READ | PROT_WRITE, MAP_SHARED);
		ASSERT_NE(MAP_FAILED, p) TH_LOG("TIMA %d pages", n);
		munmap(p, n * XIVE_PAGE);
	}
	p = map_at(self->x.dev, KVM_XIVE_ESB_PAGE_OFFSET, 1, PROT_READ,
		   MAP_SHARED);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, XIVE_PAGE);
	/* The whole IRQ space: 128 GiB of address space, nothing touched */
	p = map_at(self->x.dev, KVM_XIVE_ESB_PAGE_OFFSET, NR_ESB_PAGES,
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, src_set(self->x.dev, 0xfffff, 0));
	EXPECT_EQ(1, esb_pq(p, 0xfffff));
	munmap(p, NR_ESB_PAGES * XIVE_PAGE);
}

/* Only the OS page (2) of the TIMA maps; HW, HV and USER pages SIGBUS. */
TEST_F(dev, tima_only_os_page)
{
	char *t = tima_map(self->x.dev);
	__u64 v = 0;
	int page;

	ASSERT_NE(MAP_FAILED, t);
	for (page = 0; page < 4; page++) {
		int sig = probe_load(t + page * XIVE_PAGE + 0x10, &v);

		if (page == 2) {
			EXPECT_EQ(0, sig) TH_LOG("page 2 gave signal %d", sig);
		} else {
			EXPECT_EQ(SIGBUS, sig) TH_LOG("page %d", page);
		}
	}
	munmap(t, 4 * XIVE_PAGE);
}

/*
 * Upstream's MAP_PRIVATE mapping of a PFN-mapped file would hit
 * BUG_ON(is_cow_mapping) in vmf_insert_pfn() on the first fault: the
 * device must refuse private mappings.
 */
TEST_F(dev, map_private_refused)
{
	void *p = map_at(self->x.dev, KVM_XIVE_ESB_PAGE_OFFSET, 2,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE);
	void *t = map_at(self->x.dev, KVM_XIVE_TIMA_PAGE_OFFSET, 4,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE);
	bool refused = p == MAP_FAILED && t == MAP_FAILED;
	int e = errno;

	TH_LOG("MAP_PRIVATE ESB %s, TIMA %s",
	       p == MAP_FAILED ? "refused" : "accepted",
	       t == MAP_FAILED ? "refused" : "accepted");
	/* touched only where it cannot crash the host (see above) */
	if (p != MAP_FAILED && (!xive_upstream() || xive_run_known_crashers())) {
		__u64 v;
		int sig;

		ASSERT_EQ(0, src_set(self->x.dev, 0, 0));
		sig = probe_load(esb_page(p, 0, 1) + XIVE_ESB_GET, &v);
		TH_LOG("load through the private mapping: signal %d", sig);
	}
	if (p != MAP_FAILED)
		munmap(p, 2 * XIVE_PAGE);
	if (t != MAP_FAILED)
		munmap(t, 4 * XIVE_PAGE);
	XFAIL_ON_UPSTREAM(refused,
			  "MAP_PRIVATE accepted: the first access BUGs at mm/memory.c:2229 (vmf_insert_pfn COW check, measured), not touched");
	ASSERT_TRUE(refused);
	EXPECT_EQ(EINVAL, e);
}

/* PQ state machine through the management page (and trigger stores) */
TEST_F(dev, pq_state_machine)
{
	void *esb = esb_map(self->x.dev, 4);
	int d = self->x.dev;

	ASSERT_NE(MAP_FAILED, esb);
	ASSERT_EQ(0, src_set(d, 2, 0));

	/* a fresh source is off: PQ = 01; the full value is just PQ */
	EXPECT_EQ(1, esb_load(esb, 2, XIVE_ESB_GET));
	/* triggers on PQ=01 are dropped */
	esb_trigger(esb, 2);
	EXPECT_EQ(1, esb_pq(esb, 2));

	/* each set-PQ load returns the previous state */
	EXPECT_EQ(1, esb_set_pq(esb, 2, 0));
	EXPECT_EQ(0, esb_pq(esb, 2));
	esb_trigger(esb, 2);
	EXPECT_EQ(2, esb_pq(esb, 2));
	esb_trigger(esb, 2);
	EXPECT_EQ(3, esb_pq(esb, 2));
	esb_trigger(esb, 2);
	EXPECT_EQ(3, esb_pq(esb, 2));
	EXPECT_EQ(3, esb_set_pq(esb, 2, 1));
	EXPECT_EQ(1, esb_pq(esb, 2));
	EXPECT_EQ(1, esb_set_pq(esb, 2, 2));
	EXPECT_EQ(2, esb_pq(esb, 2));
	EXPECT_EQ(2, esb_set_pq(esb, 2, 3));
	EXPECT_EQ(3, esb_pq(esb, 2));
	EXPECT_EQ(3, esb_set_pq(esb, 2, 0));
	EXPECT_EQ(0, esb_pq(esb, 2));
	/* GET does not change the state */
	EXPECT_EQ(0, esb_pq(esb, 2));

	/* Setting the source again masks it: PQ back to 01 */
	esb_trigger(esb, 2);
	EXPECT_EQ(2, esb_pq(esb, 2));
	ASSERT_EQ(0, src_set(d, 2, 0));
	EXPECT_EQ(1, esb_pq(esb, 2));
	munmap(esb, 8 * XIVE_PAGE);
}

/* Loads on the trigger page return all ones and do not trigger */
TEST_F(dev, trigger_page_loads)
{
	void *esb = esb_map(self->x.dev, 1);
	volatile char *trig;
	__u64 v0, v800;

	ASSERT_NE(MAP_FAILED, esb);
	ASSERT_EQ(0, src_set(self->x.dev, 0, 0));
	trig = esb_page(esb, 0, 0);
	esb_set_pq(esb, 0, 0);
	v800 = be64toh(*(volatile __u64 *)(trig + XIVE_ESB_GET));
	EXPECT_EQ(~0ULL, v800);
	EXPECT_EQ(0, esb_pq(esb, 0));
	v0 = be64toh(*(volatile __u64 *)trig);
	EXPECT_EQ(~0ULL, v0);
	EXPECT_EQ(0, esb_pq(esb, 0));
	/* while a store does */
	esb_trigger(esb, 0);
	EXPECT_EQ(2, esb_pq(esb, 0));
	munmap(esb, 2 * XIVE_PAGE);
}

/* A trigger on one IRQ changes only that IRQ, across two blocks */
TEST_F(dev, irq_isolation)
{
	const unsigned long nr = 1040;
	static const unsigned long irqs[] = { 0, 1, 5, 6, 1023, 1024, 1025, 1039 };
	unsigned int i, j, n = ARRAY_SIZE(irqs);
	void *esb = esb_map(self->x.dev, nr);
	int d = self->x.dev;

	ASSERT_NE(MAP_FAILED, esb);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, src_set(d, irqs[i], 0));
		esb_set_pq(esb, irqs[i], 0);
	}
	for (i = 0; i < n; i++) {
		esb_trigger(esb, irqs[i]);
		for (j = 0; j < n; j++)
			EXPECT_EQ(j <= i ? 2 : 0, esb_pq(esb, irqs[j]))
				TH_LOG("after trigger of %lu, irq %lu",
				       irqs[i], irqs[j]);
	}
	/* and a set-PQ on one IRQ changes only that IRQ */
	esb_set_pq(esb, 1024, 3);
	for (j = 0; j < n; j++)
		EXPECT_EQ(irqs[j] == 1024 ? 3 : 2, esb_pq(esb, irqs[j]));
	munmap(esb, nr * 2 * XIVE_PAGE);
}

/* Same IRQ number in two VMs: two different sources */
TEST_F(dev, vm_isolation)
{
	struct xvm y;
	void *a, *b;

	ASSERT_EQ(0, xvm_open(&y, 1, false));
	a = esb_map(self->x.dev, 4);
	b = esb_map(y.dev, 4);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, src_set(self->x.dev, 3, 0));
	ASSERT_EQ(0, src_set(y.dev, 3, 0));
	esb_set_pq(a, 3, 0);
	esb_set_pq(b, 3, 0);
	esb_trigger(a, 3);
	EXPECT_EQ(2, esb_pq(a, 3));
	EXPECT_EQ(0, esb_pq(b, 3));
	esb_set_pq(b, 3, 3);
	EXPECT_EQ(2, esb_pq(a, 3));
	EXPECT_EQ(3, esb_pq(b, 3));
	/* resetting one device leaves the other alone */
	ASSERT_EQ(0, src_set(y.dev, 3, 0));
	EXPECT_EQ(1, esb_pq(b, 3));
	EXPECT_EQ(2, esb_pq(a, 3));
	munmap(a, 8 * XIVE_PAGE);
	munmap(b, 8 * XIVE_PAGE);
	xvm_close(&y);
}

/* Sources never set fault with SIGBUS, in a live block or not */
TEST_F(dev, sigbus_never_set)
{
	const unsigned long nr = 2049;
	unsigned long holes[] = { 1, 2, 1023, 1024, 2048 };
	void *esb = esb_map(self->x.dev, nr);
	unsigned int i;
	static __u64 v;		/* in memory across the probes' siglongjmp */

	ASSERT_NE(MAP_FAILED, esb);
	ASSERT_EQ(0, src_set(self->x.dev, 0, 0));
	ASSERT_EQ(0, src_set(self->x.dev, 3, 0));
	for (i = 0; i < ARRAY_SIZE(holes); i++) {
		EXPECT_EQ(SIGBUS, probe_load(esb_page(esb, holes[i], 1) +
					     XIVE_ESB_GET, &v))
			TH_LOG("irq %lu management page", holes[i]);
		EXPECT_EQ(SIGBUS, probe_load(esb_page(esb, holes[i], 0), &v))
			TH_LOG("irq %lu trigger page", holes[i]);
	}
	/* the neighbours in the live block are fine */
	EXPECT_EQ(0, probe_load(esb_page(esb, 0, 1) + XIVE_ESB_GET, &v));
	EXPECT_EQ(1, be64toh(v));
	EXPECT_EQ(0, probe_load(esb_page(esb, 3, 1) + XIVE_ESB_GET, &v));
	EXPECT_EQ(1, be64toh(v));
	munmap(esb, nr * 2 * XIVE_PAGE);
}

/* Read-only mappings: loads work, stores SIGSEGV and change nothing */
TEST_F(dev, readonly_mapping)
{
	void *esb = map_at(self->x.dev, KVM_XIVE_ESB_PAGE_OFFSET, 2,
			   PROT_READ, MAP_SHARED);
	__u64 v;

	ASSERT_NE(MAP_FAILED, esb);
	ASSERT_EQ(0, src_set(self->x.dev, 0, 0));
	EXPECT_EQ(1, esb_pq(esb, 0));
	EXPECT_EQ(0, probe_load(esb_page(esb, 0, 1) + XIVE_ESB_SET_PQ_00, &v));
	EXPECT_EQ(0, esb_pq(esb, 0));
	/* a trigger store on PQ=00 would make it 10 */
	EXPECT_EQ(SIGSEGV, probe_store(esb_page(esb, 0, 0)));
	EXPECT_EQ(0, esb_pq(esb, 0));
	EXPECT_EQ(SIGSEGV, probe_store(esb_page(esb, 0, 1)));
	EXPECT_EQ(0, esb_pq(esb, 0));
	munmap(esb, 2 * XIVE_PAGE);
}

/*
 * Each IRQ i gets PQ split_pq[i] through a reference mapping; @m is a second
 * mapping with parts removed or reprotected, never touched before the
 * split.  Every page left in @m must reach its own IRQ.  Upstream
 * computes the IRQ from the offset inside the VMA (vmf->pgoff -
 * vma->vm_pgoff): a VMA starting at page s reaches IRQ i - s / 2.
 */
#define SPLIT_IRQS	8

/* differs from itself shifted by any 1..7 IRQs somewhere in 0..7 */
static const int split_pq[SPLIT_IRQS] = { 0, 1, 2, 3, 3, 2, 1, 0 };

static int split_check(struct __test_metadata *_metadata, void *m,
		       const int *vma_start, const bool *gone, bool *as_upstream)
{
	unsigned long i;
	int wrong = 0;

	*as_upstream = true;
	for (i = 0; i < SPLIT_IRQS; i++) {
		int s = vma_start[i];
		__u64 v;
		int sig;

		if (gone[i])
			continue;
		sig = probe_load(esb_page(m, i, 1) + XIVE_ESB_GET, &v);
		if (sig || (be64toh(v) & 3) != split_pq[i]) {
			wrong++;
			TH_LOG("irq %lu via split mapping: %s %llu, want %d",
			       i, sig ? "signal" : "PQ",
			       sig ? (__u64)sig : be64toh(v) & 3, split_pq[i]);
		}
		if (sig || (be64toh(v) & 3) != split_pq[i - s / 2])
			*as_upstream = false;
	}
	return wrong;
}

static void split_setup(struct __test_metadata *_metadata, int dev,
			void **ref, void **m)
{
	unsigned long i;

	*ref = esb_map(dev, SPLIT_IRQS);
	*m = esb_map(dev, SPLIT_IRQS);
	ASSERT_NE(MAP_FAILED, *ref);
	ASSERT_NE(MAP_FAILED, *m);
	for (i = 0; i < SPLIT_IRQS; i++) {
		ASSERT_EQ(0, src_set(dev, i, 0));
		esb_set_pq(*ref, i, split_pq[i]);
		ASSERT_EQ(split_pq[i], esb_pq(*ref, i));
	}
}

/*
 * Split the second mapping: by munmap (IRQ 0 at the front and IRQ 5 in the
 * middle go) or by mprotect (IRQs 2-3 read-only: three VMAs starting at
 * pages 0, 4 and 8), then check every page left.
 */
static void split_run(struct __test_metadata *_metadata, int dev,
		      bool by_munmap)
{
	const long ps = XIVE_PAGE;
	int start[SPLIT_IRQS], wrong, i;
	bool gone[SPLIT_IRQS] = { 0 };
	bool as_upstream;
	void *ref, *m;

	split_setup(_metadata, dev, &ref, &m);
	if (by_munmap) {
		ASSERT_EQ(0, munmap(m, 2 * ps));
		ASSERT_EQ(0, munmap((char *)m + 10 * ps, 2 * ps));
		gone[0] = true;
		gone[5] = true;
	} else {
		ASSERT_EQ(0, mprotect((char *)m + 4 * ps, 4 * ps, PROT_READ));
	}
	for (i = 0; i < SPLIT_IRQS; i++)
		start[i] = by_munmap ? (i < 5 ? 2 : 12) :
			   i < 2 ? 0 : i < 4 ? 4 : 8;
	wrong = split_check(_metadata, m, start, gone, &as_upstream);
	/* restoring the protection merges the VMAs back */
	if (!by_munmap)
		ASSERT_EQ(0, mprotect((char *)m + 4 * ps, 4 * ps,
				      PROT_READ | PROT_WRITE));
	/* the whole range: unmapping the holes again is harmless */
	munmap(m, SPLIT_IRQS * 2 * ps);
	munmap(ref, SPLIT_IRQS * 2 * ps);
	XFAIL_ON_UPSTREAM(!wrong || !as_upstream,
			  "fault offset computed from vma->vm_pgoff: after %s split %d IRQs reached IRQ - start/2",
			  by_munmap ? "a munmap" : "an mprotect", wrong);
	EXPECT_EQ(0, wrong);
}

TEST_F(dev, split_by_munmap)
{
	split_run(_metadata, self->x.dev, true);
}

TEST_F(dev, split_by_mprotect)
{
	split_run(_metadata, self->x.dev, false);
}

/*
 * Minor faults per IRQ: the first touch of either page inserts both pages
 * of the IRQ, so touching both costs exactly one fault; none once mapped.
 * Upstream inserts only the faulting page: two per IRQ.
 */
TEST_F(dev, fault_counts)
{
	const long nr = 64;
	void *esb = esb_map(self->x.dev, nr);
	long f0, f1, f2, i;

	ASSERT_NE(MAP_FAILED, esb);
	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, src_set(self->x.dev, i, 0));
	f0 = minflt();
	for (i = 0; i < nr; i++) {
		esb_pq(esb, i);
		(void)*(volatile __u64 *)(esb_page(esb, i, 0) + XIVE_ESB_GET);
	}
	f1 = minflt();
	for (i = 0; i < nr; i++) {
		esb_pq(esb, i);
		(void)*(volatile __u64 *)(esb_page(esb, i, 0) + XIVE_ESB_GET);
	}
	f2 = minflt();
	munmap(esb, nr * 2 * XIVE_PAGE);
	ksft_print_msg("ESB minor faults: first touch %ld for %ld IRQs (%.2f per IRQ), second touch %ld\n",
		       f1 - f0, nr, (double)(f1 - f0) / nr, f2 - f1);
	EXPECT_EQ(0, f2 - f1);
	XFAIL_ON_UPSTREAM(f1 - f0 != 2 * nr,
			  "one page inserted per fault: %ld faults for %ld IRQs (2 per IRQ)",
			  f1 - f0, nr);
	EXPECT_EQ(nr, f1 - f0);
}

/*
 * The device's pages are 64K on every host.  On a 4K host each is 16 host
 * pages, and the first fault of a source inserts all of both its pages:
 * a PQ set or read through any 4K piece of the management page (piece *
 * 4K + 0x800, + 0xc00 ...) reaches the same source, and touching every
 * piece of both pages costs one fault per source, as on a 64K host.
 * Upstream inserts one host page per fault.
 */
TEST_F(dev, every_4k_piece)
{
	const long nr = 8, pieces = XIVE_PAGE / 4096;
	void *esb = esb_map(self->x.dev, nr);
	long f0, f1, i, k;

	ASSERT_NE(MAP_FAILED, esb);
	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, src_set(self->x.dev, i, 0));
	f0 = minflt();
	/* the first access of source i: a set-PQ load through piece 15 - i */
	for (i = 0; i < nr; i++)
		EXPECT_EQ(1, be64toh(*(volatile __u64 *)(esb_page(esb, i, 1) +
				     (pieces - 1 - i) * 4096 +
				     XIVE_ESB_SET_PQ_00 + ((i % 4) << 8))) & 3)
			TH_LOG("source %ld", i);
	for (i = 0; i < nr; i++) {
		for (k = 0; k < pieces; k++) {
			__u64 v = *(volatile __u64 *)(esb_page(esb, i, 1) +
						      k * 4096 + XIVE_ESB_GET);

			EXPECT_EQ(i % 4, be64toh(v) & 3)
				TH_LOG("source %ld piece %ld", i, k);
			/* a load on the trigger page: all ones, no trigger */
			v = *(volatile __u64 *)(esb_page(esb, i, 0) + k * 4096);
			EXPECT_EQ(~0ULL, v) TH_LOG("source %ld piece %ld", i, k);
		}
	}
	f1 = minflt();
	for (i = 0; i < nr; i++)
		EXPECT_EQ(i % 4, esb_pq(esb, i));
	munmap(esb, nr * 2 * XIVE_PAGE);
	ksft_print_msg("%ld host pages per XIVE page: %ld faults for %ld sources, every piece of both pages touched\n",
		       xive_pieces(), f1 - f0, nr);
	XFAIL_ON_UPSTREAM(f1 - f0 == nr,
			  "one host page inserted per fault: %ld faults for %ld sources",
			  f1 - f0, nr);
	EXPECT_EQ(nr, f1 - f0);
}

TEST_HARNESS_MAIN
