/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the XIVE native device selftests.
 *
 * Every helper returns 0 / a file descriptor / a pointer on success and a
 * negative errno (or NULL / MAP_FAILED) on failure, so that the tests can
 * assert the exact error of each call.  Include after kselftest_harness.h.
 */
#ifndef XIVE_UTIL_H
#define XIVE_UTIL_H

#include <errno.h>
#include <endian.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/kernel-page-flags.h>
#include <linux/kvm.h>
#include "kvm_xive_native.h"

/* kselftest.h's, for xive_fuzz and xive_cap, which go without the harness */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#endif
/* tools/include/vdso/bits.h's, which userspace selftests do not include */
#ifndef BIT_ULL
#define BIT_ULL(nr)	(1ULL << (nr))
#endif

/*
 * The testbed reads each program's TAP through a pipe (it indents it as a
 * subtest), and the harness's forked tests _exit() without flushing: a
 * fully buffered stdout would lose their diagnostics.
 */
static void __attribute__((constructor)) xive_stdout_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

#ifndef KVM_VM_PPC_HV
#define KVM_VM_PPC_HV			1
#endif

/* Guest layout used by the tests that need guest memory */
#define GUEST_MEM_SIZE			(2UL << 20)
#define EQ_GPA				0x10000UL
#define EQ_SHIFT			16
#define EQ_PRIO				6

/* The host's page size: pagemap, dirty logs, guest memory */
static inline long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/*
 * The device's mmap unit on every host: QEMU computes its offsets in 64K
 * pages (a 4K host maps each as 16 host pages).  ESB pages of source n at
 * 4 + 2n and 4 + 2n + 1, TIMA at 0-3.
 */
#define XIVE_PAGE			0x10000UL

/* Host pages per XIVE page (and per EQ): 1, or 16 on a 4K host */
static inline long xive_pieces(void)
{
	return XIVE_PAGE / page_size();
}

/* A child of a test got that refusal: the test ends the same way */
#define XIVE_CHILD_XFAIL		88
static inline void xive_upstream_small_pages(bool refused, const char *what);

static inline bool xive_upstream(void)
{
	const char *f = getenv("XIVE_FLAVOUR");

	return f && !strcmp(f, "upstream");
}

/* The host is a POWER10 (XIVE2): /proc/cpuinfo's "cpu : POWER10..." */
static inline bool host_is_power10(void)
{
	char line[128];
	bool p10 = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!p10 && fgets(line, sizeof(line), f))
		p10 = !strncmp(line, "cpu\t", 4) && strstr(line, ": POWER10");
	fclose(f);
	return p10;
}

/* Set to run, on the upstream device, checks known to WARN or BUG there. */
static inline bool xive_run_known_crashers(void)
{
#ifdef XIVE_FORCE_CRASHERS
	return true;
#else
	return getenv("XIVE_RUN_KNOWN_CRASHERS");
#endif
}

static inline int kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* ioctl(@fd, @req, @arg), then close @fd: the result or -errno */
static inline int ioctl_once(int fd, unsigned long req, unsigned long arg)
{
	int r;

	if (fd < 0)
		return fd;
	r = ioctl(fd, req, arg);
	if (r < 0)
		r = -errno;
	close(fd);
	return r;
}

static inline int kvm_check_cap(long cap)
{
	return ioctl_once(kvm_open(), KVM_CHECK_EXTENSION, cap);
}

static inline int vm_create(void)
{
	return ioctl_once(kvm_open(), KVM_CREATE_VM, KVM_VM_PPC_HV);
}

/*
 * KVM_CAP_PPC_IRQ_XIVE as reported on a VM of the kind every test creates
 * (KVM_VM_PPC_HV), or -errno when there is no such VM.
 */
static inline int xive_cap(void)
{
	return ioctl_once(vm_create(), KVM_CHECK_EXTENSION,
			  KVM_CAP_PPC_IRQ_XIVE);
}

/*
 * Why the whole suite cannot run here, or NULL when it can.  Never a host
 * limitation on ours (no "host: " prefix): our device must be available.
 */
static inline const char *xive_unavailable(void)
{
	int kvm = kvm_open();

	if (kvm < 0)
		return "no /dev/kvm";
	close(kvm);
	if (xive_cap() <= 0)
		return "KVM_CAP_PPC_IRQ_XIVE not reported (no native XIVE in HV mode)";
	return NULL;
}

static inline int xive_create(int vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_XIVE };

	if (ioctl(vm, KVM_CREATE_DEVICE, &cd))
		return -errno;
	return cd.fd;
}

static inline int vcpu_enable_cap(int vcpu, __u32 cap, __u64 a0, __u64 a1)
{
	struct kvm_enable_cap ec = { .cap = cap, .args = { a0, a1 } };

	return ioctl(vcpu, KVM_ENABLE_CAP, &ec) ? -errno : 0;
}

/* A vCPU ready to be connected: PAPR mode is required on an HV VM. */
static inline int vcpu_create(int vm, int id)
{
	int fd = ioctl(vm, KVM_CREATE_VCPU, id);
	int r;

	if (fd < 0)
		return -errno;
	r = vcpu_enable_cap(fd, KVM_CAP_PPC_PAPR, 0, 0);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

static inline int vcpu_connect(int vcpu, int dev, __u32 server)
{
	return vcpu_enable_cap(vcpu, KVM_CAP_PPC_IRQ_XIVE, dev, server);
}

static inline int xive_attr(int dev, unsigned long req, __u32 group,
			    __u64 attr, __u64 addr)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = addr,
	};

	return ioctl(dev, req, &a) ? -errno : 0;
}

static inline int xive_set(int dev, __u32 group, __u64 attr, const void *p)
{
	return xive_attr(dev, KVM_SET_DEVICE_ATTR, group, attr,
			 (__u64)(uintptr_t)p);
}

static inline int xive_get(int dev, __u32 group, __u64 attr, void *p)
{
	return xive_attr(dev, KVM_GET_DEVICE_ATTR, group, attr,
			 (__u64)(uintptr_t)p);
}

static inline int xive_has(int dev, __u32 group, __u64 attr)
{
	return xive_attr(dev, KVM_HAS_DEVICE_ATTR, group, attr, 0);
}

static inline int xive_ctrl(int dev, __u64 attr)
{
	return xive_set(dev, KVM_DEV_XIVE_GRP_CTRL, attr, NULL);
}

static inline int xive_nr_servers(int dev, __u32 nr)
{
	return xive_set(dev, KVM_DEV_XIVE_GRP_CTRL, KVM_DEV_XIVE_NR_SERVERS,
			&nr);
}

static inline int src_set(int dev, __u64 irq, __u64 state)
{
	return xive_set(dev, KVM_DEV_XIVE_GRP_SOURCE, irq, &state);
}

static inline __u64 src_cfg_val(__u32 server, __u8 prio, bool masked,
				__u32 eisn)
{
	return ((__u64)prio << KVM_XIVE_SOURCE_PRIORITY_SHIFT &
		KVM_XIVE_SOURCE_PRIORITY_MASK) |
	       ((__u64)server << KVM_XIVE_SOURCE_SERVER_SHIFT &
		KVM_XIVE_SOURCE_SERVER_MASK) |
	       ((__u64)masked << KVM_XIVE_SOURCE_MASKED_SHIFT) |
	       ((__u64)eisn << KVM_XIVE_SOURCE_EISN_SHIFT &
		KVM_XIVE_SOURCE_EISN_MASK);
}

static inline int src_cfg(int dev, __u64 irq, __u32 server, __u8 prio,
			  bool masked, __u32 eisn)
{
	__u64 v = src_cfg_val(server, prio, masked, eisn);

	return xive_set(dev, KVM_DEV_XIVE_GRP_SOURCE_CONFIG, irq, &v);
}

static inline __u64 eq_id(__u32 server, __u8 prio)
{
	return ((__u64)prio << KVM_XIVE_EQ_PRIORITY_SHIFT &
		KVM_XIVE_EQ_PRIORITY_MASK) |
	       ((__u64)server << KVM_XIVE_EQ_SERVER_SHIFT &
		KVM_XIVE_EQ_SERVER_MASK);
}

static inline int eq_set_full(int dev, __u32 server, __u8 prio, __u32 flags,
			      __u32 qshift, __u64 qaddr, __u32 qtoggle,
			      __u32 qindex)
{
	struct kvm_ppc_xive_eq eq = {
		.flags = flags, .qshift = qshift, .qaddr = qaddr,
		.qtoggle = qtoggle, .qindex = qindex,
	};
	int r = xive_set(dev, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(server, prio),
			 &eq);

	xive_upstream_small_pages(qshift == EQ_SHIFT && r == -EINVAL,
				  "every 64K queue (\"Incompatible host page size\")");
	return r;
}

static inline int eq_set(int dev, __u32 server, __u8 prio, __u64 qaddr)
{
	return eq_set_full(dev, server, prio, KVM_XIVE_EQ_ALWAYS_NOTIFY,
			   EQ_SHIFT, qaddr, 1, 0);
}

static inline int eq_reset(int dev, __u32 server, __u8 prio)
{
	return eq_set_full(dev, server, prio, 0, 0, 0, 0, 0);
}

static inline int eq_get(int dev, __u32 server, __u8 prio,
			 struct kvm_ppc_xive_eq *eq)
{
	return xive_get(dev, KVM_DEV_XIVE_GRP_EQ_CONFIG, eq_id(server, prio),
			eq);
}

/* Whether @addr and the @n host pages after it have consecutive frames */
static inline bool pfns_consecutive(const void *addr, long n)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	__u64 e[64];
	bool ok = fd >= 0 && n <= 64;
	long i;

	if (ok && pread(fd, e, n * 8, (uintptr_t)addr / page_size() * 8) != n * 8)
		ok = false;
	for (i = 0; ok && i < n; i++)
		ok = e[i] >> 63 && (e[i] & ((1ULL << 55) - 1)) ==
			(e[0] & ((1ULL << 55) - 1)) + i;
	if (fd >= 0)
		close(fd);
	return ok;
}

struct pfn_at {
	__u64 pfn;
	long page;
};

static inline int pfn_at_cmp(const void *a, const void *b)
{
	const struct pfn_at *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/*
 * On a host whose pages are smaller than 64K, give every 64K chunk of
 * @mem physically contiguous host pages, as huge pages would (the hardware
 * writes a 64K queue as one block).  The emulated POWER9 has no 2M radix
 * page size, so neither THP nor hugetlbfs: a chunk whose pages are not
 * contiguous gets pages of a pool instead, whose frames, sorted, follow
 * each other (mremap moves pages with their frames; the allocator hands
 * out runs, in either order).  0, or -errno when no run is left.
 */
static inline int mem_make_contiguous_from(char *mem, size_t size,
					   size_t pool_size)
{
	const long n = xive_pieces(), ps = page_size();
	const long np = pool_size / ps;
	struct pfn_at *at = NULL;
	long i, k, j = 0;
	char *moved = NULL;
	__u64 *e = NULL;
	size_t off;
	char *pool;
	int fd, r = 0;

	if (n == 1)
		return 0;
	pool = mmap(NULL, pool_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		return -errno;
	madvise(pool, pool_size, MADV_DONTFORK);	/* guest_mem_add() */
	for (i = 0; i < np; i++)
		pool[i * ps] = 0;
	e = calloc(np, sizeof(*e));
	at = calloc(np, sizeof(*at));
	moved = calloc(np, 1);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (!e || !at || !moved || fd < 0 ||
	    pread(fd, e, np * 8, (uintptr_t)pool / ps * 8) != np * 8)
		r = -EIO;
	if (fd >= 0)
		close(fd);
	for (i = 0; !r && i < np; i++)
		at[i] = (struct pfn_at){ e[i] & ((1ULL << 55) - 1), i };
	qsort(at, np, sizeof(*at), pfn_at_cmp);
	for (off = 0; off < size && !r; off += XIVE_PAGE) {
		if (pfns_consecutive(mem + off, n))
			continue;
		for (; j + n <= np; j += k) {
			for (k = 1; k < n && at[j + k].pfn == at[j].pfn + k; k++)
				;
			if (k == n)
				break;
		}
		if (j + n > np) {
			r = -ENOMEM;
			break;
		}
		for (k = 0; k < n && !r; k++) {
			if (mremap(pool + at[j + k].page * ps, ps, ps,
				   MREMAP_MAYMOVE | MREMAP_FIXED,
				   mem + off + k * ps) == MAP_FAILED)
				r = -errno;
			else
				moved[at[j + k].page] = 1;
		}
		j += n;
	}
	/*
	 * Only the pages still in the pool: another thread's mmap may have
	 * taken the holes the moved ones left.
	 */
	for (i = 0; moved && i < np; i = k) {
		for (k = i; k < np && moved[k] == moved[i]; k++)
			;
		if (!moved[i])
			munmap(pool + i * ps, (k - i) * ps);
	}
	if (!moved)
		munmap(pool, pool_size);
	free(moved);
	free(e);
	free(at);
	return r;
}

/* A larger pool when a fragmented host left too few runs in the first */
static inline int mem_make_contiguous(char *mem, size_t size)
{
	int r = -ENOMEM, i;

	for (i = 0; i < 3 && r == -ENOMEM; i++)
		r = mem_make_contiguous_from(mem, size, size + (4UL << 20 << 2 * i));
	return r;
}

/* Anonymous guest memory, aligned to its size, as memslot @slot. */
static inline void *guest_mem_add(int vm, __u32 slot, __u64 gpa, size_t size,
				  __u32 flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size,
	};
	void *raw, *mem;
	uintptr_t a;

	raw = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)raw + size - 1) & ~(uintptr_t)(size - 1);
	mem = (void *)a;
	if (a > (uintptr_t)raw)
		munmap(raw, a - (uintptr_t)raw);
	munmap((char *)mem + size, (uintptr_t)raw + size - a);
	/*
	 * Huge pages where the host has them, as QEMU backs guest RAM: on a
	 * 4K host a 64K queue needs physically contiguous host pages.
	 */
	madvise(mem, size, MADV_HUGEPAGE);
	/*
	 * Not in a child, as QEMU does with guest RAM: a write to a page a
	 * fork shares, or one the device holds (a queue set again), copies
	 * it to a new frame, and its 64K chunk stays scattered.  The pool's
	 * pages come in with the pool's MADV_DONTFORK.
	 */
	madvise(mem, size, MADV_DONTFORK);
	memset(mem, 0, size);
	if (mem_make_contiguous(mem, size)) {
		munmap(mem, size);
		errno = ENOMEM;
		return NULL;
	}
	r.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r)) {
		int e = errno;

		munmap(mem, size);
		errno = e;
		return NULL;
	}
	return mem;
}

/* ESB pages: IRQ n at pages 2n (trigger) and 2n+1 (management). */
static inline void *esb_map(int dev, unsigned long nr_irqs)
{
	void *p = mmap(NULL, nr_irqs * 2 * XIVE_PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, dev, KVM_XIVE_ESB_PAGE_OFFSET * XIVE_PAGE);

	xive_upstream_small_pages(p == MAP_FAILED && errno == EINVAL,
				  "QEMU's 64K mmap offsets and lengths");
	return p;
}

static inline void *tima_map(int dev)
{
	void *p = mmap(NULL, 4 * XIVE_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       dev, KVM_XIVE_TIMA_PAGE_OFFSET * XIVE_PAGE);

	xive_upstream_small_pages(p == MAP_FAILED && errno == EINVAL,
				  "QEMU's 64K mmap offsets and lengths");
	return p;
}

static inline volatile char *esb_page(void *esb, unsigned long irq, int odd)
{
	return (volatile char *)esb + (2 * irq + odd) * XIVE_PAGE;
}

/* ESB loads are big-endian; the PQ bits are the low bits of the value. */
static inline __u64 esb_load(void *esb, unsigned long irq, unsigned int off)
{
	__u64 v = *(volatile __u64 *)(esb_page(esb, irq, 1) + off);

	__sync_synchronize();
	return be64toh(v);
}

static inline int esb_pq(void *esb, unsigned long irq)
{
	return esb_load(esb, irq, XIVE_ESB_GET) & 3;
}

/* Set PQ, returns the previous PQ */
static inline int esb_set_pq(void *esb, unsigned long irq, int pq)
{
	return esb_load(esb, irq, XIVE_ESB_SET_PQ_00 + (pq << 8)) & 3;
}

static inline void esb_trigger(void *esb, unsigned long irq)
{
	*(volatile __u64 *)esb_page(esb, irq, 0) = 0;
	__sync_synchronize();
}

/* A queue entry as the hardware writes it: big-endian toggle | EISN */
/* KVM_REG_PPC_VP_STATE: 16 bytes, word 0 = the OS ring's TIMA image */
static inline int vp_get(int vcpu, __u8 *buf16)
{
	struct kvm_one_reg r = {
		.id = KVM_REG_PPC_VP_STATE, .addr = (uintptr_t)buf16,
	};

	return ioctl(vcpu, KVM_GET_ONE_REG, &r) ? -errno : 0;
}

static inline int vp_set(int vcpu, const __u8 *buf16)
{
	struct kvm_one_reg r = {
		.id = KVM_REG_PPC_VP_STATE, .addr = (uintptr_t)buf16,
	};

	return ioctl(vcpu, KVM_SET_ONE_REG, &r) ? -errno : 0;
}

static inline __u32 eq_entry(void *mem, __u64 qaddr, unsigned int idx)
{
	return be32toh(((volatile __u32 *)((char *)mem + qaddr))[idx]);
}

/*
 * Run fn(arg) in a child: returns the signal that killed it, 0 when it
 * returned, -1 on a fork error; *val gets what fn returned (via a pipe).
 */
static inline int in_child(__u64 (*fn)(void *), void *arg, __u64 *val)
{
	int p[2], status;
	pid_t pid;
	__u64 v = 0;

	if (pipe(p))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(p[0]);
		v = fn(arg);
		if (write(p[1], &v, sizeof(v)) != sizeof(v))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &v, sizeof(v)) != sizeof(v))
		v = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	xive_upstream_small_pages(WIFEXITED(status) &&
				  WEXITSTATUS(status) == XIVE_CHILD_XFAIL, NULL);
	if (val)
		*val = v;
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WEXITSTATUS(status) ? -1 : 0;
}

static inline __u64 touch_u64(void *p)
{
	return *(volatile __u64 *)p;
}

static inline __u64 store_u64(void *p)
{
	*(volatile __u64 *)p = 0;
	__sync_synchronize();
	return 0;
}

/* Store to @p in a child: the signal number, or 0 */
static inline int probe_store(volatile void *p)
{
	return in_child(store_u64, (void *)p, NULL);
}

/* Load from @p in a child: the signal number, or 0 with *val set. */
static inline int probe_load(volatile void *p, __u64 *val)
{
	return in_child(touch_u64, (void *)p, val);
}

static inline long meminfo_kb(const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * Precise memory accounting (root).  A page the device pinned and never
 * released stays allocated after the process unmapped it: anonymous and
 * mapped nowhere.  A released page is free (buddy) or reused.
 */
static inline __u64 page_pfn(const void *addr)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	__u64 e = 0;

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / page_size() * 8) !=
	    sizeof(e))
		e = 0;
	close(fd);
	return e >> 63 ? e & ((1ULL << 55) - 1) : 0;
}

/*
 * Drain every CPU's LRU batches (lru_add_drain_all(), which the compaction
 * sysctl runs first), or -errno.  A page faulted in sits in such a batch,
 * with a reference of its own, until the batch is drained or full (31
 * folios); 6.1 and 6.12 drained the local ones at munmap (unmap_region),
 * 7.2 no longer does: up to a batch of pages the device released would
 * still read as allocated (measured on 7.2: 35 of 300, none after this).
 */
static inline int lru_drain(void)
{
	int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		r = -errno;
	close(fd);
	return r;
}

/*
 * How many of @pfn[0..n-1] are orphaned anonymous pages (the LRU batches
 * drained first), or -errno
 */
static inline int pfns_orphaned(const __u64 *pfn, int n)
{
	int d = lru_drain();
	int f = open("/proc/kpageflags", O_RDONLY);
	int c = open("/proc/kpagecount", O_RDONLY);
	int i, orphans = 0;

	if (d < 0) {
		orphans = d;
		goto out;
	}
	if (f < 0 || c < 0) {
		orphans = -errno;
		goto out;
	}
	for (i = 0; i < n; i++) {
		__u64 flags, count;

		if (pread(f, &flags, 8, pfn[i] * 8) != 8 ||
		    pread(c, &count, 8, pfn[i] * 8) != 8) {
			orphans = -EIO;
			break;
		}
		orphans += (flags >> KPF_ANON & 1) && !count;
	}
out:
	if (f >= 0)
		close(f);
	if (c >= 0)
		close(c);
	return orphans;
}

/* /dev/kmsg positioned at its end: the kernel lines logged from now on */
static inline int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd < 0 ? -errno : fd;
}

/* How many kernel lines logged since kmsg_open() contain @s */
static inline int kmsg_count(int fd, const char *s)
{
	char rec[4096];
	ssize_t r;
	int n = 0;

	for (;;) {
		r = read(fd, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (r <= 0)
			break;
		rec[r] = 0;
		n += !!strstr(rec, s);
	}
	return n;
}

static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int r;

	if (fd < 0)
		return -errno;
	r = write(fd, s, strlen(s)) < 0 ? -errno : 0;
	close(fd);
	return r;
}

/* The path of @name in the KVM debugfs directory of VM fd @vm */
static inline void vm_debugfs_path(char *buf, size_t n, int vm,
				   const char *name)
{
	snprintf(buf, n, "/sys/kernel/debug/kvm/%d-%d/%s", (int)getpid(), vm,
		 name);
}

static inline int vm_debugfs_write(int vm, const char *name, const char *s)
{
	char path[128];

	vm_debugfs_path(path, sizeof(path), vm, name);
	return write_str(path, s);
}

/* A number read from that file, or -errno */
static inline long vm_debugfs_read(int vm, const char *name)
{
	char path[128];
	long v;
	FILE *f;

	vm_debugfs_path(path, sizeof(path), vm, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fscanf(f, "%ld", &v) != 1)
		v = -EIO;
	fclose(f);
	return v;
}

/*
 * Areas of vmalloc space in use (vmalloc, ioremap, ...), one a line; the
 * freed ones the kernel has not purged yet ("unpurged") do not count.
 */
static inline long vmalloc_areas(void)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	char line[1024];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += !strstr(line, "unpurged");
	fclose(f);
	return n;
}

/* A /proc/vmstat counter with the per-CPU differences folded in first */
static inline long vmstat(const char *key)
{
	char name[64];
	long v, r = -1;
	FILE *f;

	write_str("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &v) == 2)
		if (!strcmp(name, key))
			r = v;
	fclose(f);
	return r;
}

/*
 * Free pages, the per-CPU lists included: nr_free_pages leaves out the
 * pages freed into a CPU's list (6.12's lists grow to thousands of pages
 * under a burst of frees), which would read as a leak; so would the pages
 * released but still held by an LRU batch (lru_drain()).
 */
static inline long free_pages(void)
{
	long v, n;
	char line[256];
	FILE *f;

	if (lru_drain())
		return -1;
	n = vmstat("nr_free_pages");
	f = fopen("/proc/zoneinfo", "r");
	if (!f || n < 0)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &v) == 1)
			n += v;
	fclose(f);
	return n;
}

/*
 * Objects in use per slab cache, exact: each cache is shrunk first, which
 * flushes the per-CPU slabs whose free objects slabinfo counts as used
 * and, under KASAN, takes the cache's freed objects out of the quarantine.
 * The shrink files are opened at the first snapshot and stay open: each
 * open takes a kmalloc object (the sysfs open file) whose free is not
 * immediate, so files opened and closed per snapshot counted as used at
 * the next one (measured: kmalloc-96 +144 on 6.1, one per cache; written
 * one open at a time, each sat in KASAN's quarantine: kmalloc-128 +135).
 * Without waiting for RCU, many_vms saw dentry +53, lsm_inode_cache +58.
 */
#define SLAB_CACHES	400

struct slab_snap {
	int n;
	char name[SLAB_CACHES][40];
	long active[SLAB_CACHES], size[SLAB_CACHES];
};

static inline int slab_read(struct slab_snap *s)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512];

	if (!f)
		return -errno;
	s->n = 0;
	while (s->n < SLAB_CACHES && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%39s %ld %*d %ld", s->name[s->n],
			   &s->active[s->n], &s->size[s->n]) == 3)
			s->n++;
	}
	fclose(f);
	return s->n ? 0 : -ENOENT;
}

static inline long slab_total(const struct slab_snap *s)
{
	long t = 0;
	int i;

	for (i = 0; i < s->n; i++)
		t += s->active[i];
	return t;
}

static inline int slab_snapshot(struct slab_snap *s)
{
	static int fd[SLAB_CACHES], nfd = -1;
	char path[128];
	int i, k, r = slab_read(s);
	long t, last = -1;

	if (r)
		return r;
	for (i = 0; nfd < 0 && i < s->n; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 s->name[i]);
		fd[i] = open(path, O_WRONLY);
	}
	if (nfd < 0)
		nfd = s->n;
	/*
	 * Objects freed after an RCU grace period (dentries, inodes of the
	 * VMs' debugfs folders) are still counted right after their last
	 * user went: shrink and read again, 50 ms apart, until the total
	 * stops falling.
	 */
	for (k = 0; k < 20; k++) {
		for (i = 0; i < nfd; i++)
			if (fd[i] >= 0 && pwrite(fd[i], "1", 1, 0) != 1)
				return -errno;
		r = slab_read(s);
		if (r)
			break;
		t = slab_total(s);
		if (last >= 0 && t >= last)
			break;
		last = t;
		usleep(50000);
	}
	return r;
}

/*
 * The cache that grew most from @a to @b (its index in @b) and by how much.
 * vmap_area is left out: it holds the vmalloc areas freed but not purged
 * yet, up to lazy_max_pages() of them; vmalloc_areas() counts the live ones.
 */
static inline long slab_growth(const struct slab_snap *a,
			       const struct slab_snap *b, int *idx)
{
	long best = 0;
	int i, j;

	*idx = -1;
	for (j = 0; j < b->n; j++) {
		long before = 0;

		if (!strcmp(b->name[j], "vmap_area"))
			continue;

		for (i = 0; i < a->n; i++)
			if (!strcmp(a->name[i], b->name[j]))
				before = a->active[i];
		if (*idx < 0 || b->active[j] - before > best) {
			best = b->active[j] - before;
			*idx = j;
		}
	}
	return best;
}

static inline long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * A VM with the device, @nr vCPUs connected as servers 0..nr-1 and, when
 * @mem_size, that much guest memory at GPA 0.
 */
struct xvm {
	int vm;
	int dev;
	int nr_vcpus;
	int vcpu[8];
	char *mem;
	size_t mem_size;
	void *esb;		/* the ESB pages of esb_nr sources, or NULL */
	unsigned long esb_nr;
};

static inline int xvm_open_mem(struct xvm *x, int nr, size_t mem_size,
			       __u32 mem_flags)
{
	int i, r;

	memset(x, 0, sizeof(*x));
	x->dev = -1;
	for (i = 0; i < 8; i++)
		x->vcpu[i] = -1;
	x->vm = vm_create();
	if (x->vm < 0)
		return x->vm;
	if (mem_size) {
		x->mem = guest_mem_add(x->vm, 0, 0, mem_size, mem_flags);
		if (!x->mem)
			return -errno;
		x->mem_size = mem_size;
	}
	x->dev = xive_create(x->vm);
	if (x->dev < 0)
		return x->dev;
	for (i = 0; i < nr; i++) {
		x->vcpu[i] = vcpu_create(x->vm, i);
		if (x->vcpu[i] < 0)
			return x->vcpu[i];
		x->nr_vcpus++;
		r = vcpu_connect(x->vcpu[i], x->dev, i);
		if (r)
			return r;
	}
	return 0;
}

/* ... with 2 MiB of guest memory when @mem */
static inline int xvm_open(struct xvm *x, int nr, bool mem)
{
	return xvm_open_mem(x, nr, mem ? GUEST_MEM_SIZE : 0, 0);
}

static inline void xvm_close(struct xvm *x)
{
	int i;

	if (x->esb)
		munmap(x->esb, x->esb_nr * 2 * XIVE_PAGE);
	if (x->dev >= 0)
		close(x->dev);
	for (i = 0; i < 8; i++)
		if (x->vcpu[i] >= 0)
			close(x->vcpu[i]);
	if (x->vm > 0)
		close(x->vm);
	if (x->mem)
		munmap(x->mem, x->mem_size);
	x->vm = -1;
	x->dev = -1;
	x->mem = NULL;
	x->esb = NULL;
}

/* Map the ESB pages of sources 0..nr-1 into x->esb (xvm_close unmaps) */
static inline int xvm_map_esb(struct xvm *x, unsigned long nr)
{
	void *p = esb_map(x->dev, nr);

	if (p == MAP_FAILED)
		return -errno;
	x->esb = p;
	x->esb_nr = nr;
	return 0;
}

/*
 * The usual routed VM: 2 connected vCPUs and guest memory, the ESB pages
 * of @nr sources mapped and created, the EQ_PRIO queue of server 0 at
 * EQ_GPA.  Returns 0, or the step that failed (1-4).
 */
static inline int xvm_open_routed(struct xvm *x, int nr)
{
	int i;

	if (xvm_open(x, 2, true))
		return 1;
	if (xvm_map_esb(x, nr))
		return 2;
	for (i = 0; i < nr; i++)
		if (src_set(x->dev, i, 0))
			return 3;
	return eq_set(x->dev, 0, EQ_PRIO, EQ_GPA) ? 4 : 0;
}

/*
 * Expected failures: a check that fails on the distro's upstream device in
 * exactly the documented way is reported as SKIP "XFAIL: ..." there, and
 * fails normally on ours.  Never over an earlier failure: the harness's
 * SKIP would turn that into a pass.
 */
/* The running test, for helpers that end it (set by REQUIRE_XIVE) */
static struct __test_metadata *xive_test __attribute__((unused));
static pid_t xive_test_pid __attribute__((unused));

#ifdef XFAIL_ADD	/* the harness of 6.9 and later: an exit code */
#define xive_test_failed()	(_metadata->exit_code == KSFT_FAIL)
#else			/* 6.1's: a passed flag */
#define xive_test_failed()	(!_metadata->passed)
#endif

#define XFAIL_ON_UPSTREAM(cond_ok, fmt, ...) do {			\
	if (!(cond_ok) && xive_upstream() && !xive_test_failed())	\
		SKIP(return, "XFAIL: " fmt " [%s]", ##__VA_ARGS__,	\
		     _metadata->name);					\
} while (0)

/*
 * Checks whose upstream failure is a kernel WARN/BUG/lockup are not run
 * there (that would fail the whole run's kernel log): reported as SKIP,
 * or as XFAIL when the weakness is one of the documented ones.
 */
#define NOT_ON_UPSTREAM(prefix, why) do {				\
	if (xive_upstream() && !xive_run_known_crashers())		\
		SKIP(return, prefix "%s [%s]", why, _metadata->name);	\
} while (0)

#define REQUIRE_XIVE() do {						\
	const char *why = xive_unavailable();				\
	xive_test = _metadata;						\
	xive_test_pid = getpid();					\
	if (why)							\
		SKIP(return, "%s", why);				\
} while (0)

/*
 * The upstream device on a host with pages smaller than 64K reads the mmap
 * offsets in host pages (QEMU's ESB offset, 4 x 64K, is refused) and
 * refuses every 64K queue: the helper that gets either refusal there ends
 * its test as an expected upstream failure, decided from the kernel the
 * test runs on.  Anywhere else it returns, and the test judges the call.
 */
#ifdef __KSELFTEST_HARNESS_H
static inline void xive_upstream_small_pages(bool refused, const char *what)
{
	struct __test_metadata *t = xive_test;

	if (!refused || !t || !xive_upstream() || xive_pieces() == 1)
		return;
	/* NULL: a child of the test wrote the reason (shared memory) */
	if (what)
		snprintf(t->results->reason, sizeof(t->results->reason),
			 "XFAIL: %ld-byte host pages: the upstream device refuses %s with EINVAL [%s]",
			 page_size(), what, t->name);
	if (getpid() != xive_test_pid)
		_exit(XIVE_CHILD_XFAIL);
	fprintf(TH_LOG_STREAM, "#      SKIP      %s\n", t->results->reason);
	fflush(TH_LOG_STREAM);
#ifdef XFAIL_ADD
	t->exit_code = KSFT_SKIP;
	_exit(KSFT_SKIP);
#else
	t->passed = 1;
	t->skip = 1;
	_exit(255);
#endif
}
#else	/* not a kselftest_harness program: the caller judges */
static inline void xive_upstream_small_pages(bool refused, const char *what)
{
}
#endif

/*
 * The tests' fixture: self->x, of @type, opened by @open_fn(&self->x) (0 on
 * success) after REQUIRE_XIVE, closed by @close_fn(&self->x) at teardown.
 */
#define XIVE_FIXTURE(name, type, open_fn, close_fn)		\
	FIXTURE(name) {							\
		type x;							\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		REQUIRE_XIVE();						\
		ASSERT_EQ(0, open_fn(&self->x));			\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		close_fn(&self->x);					\
	}

#endif /* XIVE_UTIL_H */
