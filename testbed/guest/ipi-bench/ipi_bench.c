// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the nested guest of make bench (never installed):
 * IPI round trips between two CPUs of the guest.  Writing N to
 * /sys/module/ipi_bench/parameters/run makes CPU from_cpu run a function on
 * CPU to_cpu N times, each time waiting until it has run
 * (smp_call_function_single with wait): one IPI to the target and the
 * completion seen back by the sender is one round trip.  The write returns
 * when done; last_ns is the time the N calls took and last_calls how many
 * ran on the target (N, or the write failed).
 */
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/smp.h>
#include <linux/workqueue.h>

static unsigned int from_cpu;
module_param(from_cpu, uint, 0444);
MODULE_PARM_DESC(from_cpu, "CPU that sends the IPIs (default 0)");

static unsigned int to_cpu = 1;
module_param(to_cpu, uint, 0444);
MODULE_PARM_DESC(to_cpu, "CPU that receives them (default 1)");

static unsigned long long last_ns;
module_param(last_ns, ullong, 0444);
MODULE_PARM_DESC(last_ns, "duration of the last run, ns");

static unsigned long last_calls;
module_param(last_calls, ulong, 0444);
MODULE_PARM_DESC(last_calls, "calls that ran on to_cpu in the last run");

static DEFINE_MUTEX(ipi_bench_lock);	/* one run at a time */
static atomic_long_t ipi_bench_hits;

static void ipi_bench_hit(void *unused)
{
	atomic_long_inc(&ipi_bench_hits);
}

/* runs on from_cpu (work_on_cpu) */
static long ipi_bench_loop(void *arg)
{
	unsigned long i, n = (unsigned long)arg;
	u64 t0 = ktime_get_ns();
	int ret;

	for (i = 0; i < n; i++) {
		ret = smp_call_function_single(to_cpu, ipi_bench_hit, NULL, 1);
		if (ret)
			return ret;
	}
	last_ns = ktime_get_ns() - t0;
	return 0;
}

static int ipi_bench_run(const char *val, const struct kernel_param *kp)
{
	unsigned long n;
	long ret;

	ret = kstrtoul(val, 0, &n);
	if (ret)
		return ret;
	if (!n || from_cpu == to_cpu || from_cpu >= nr_cpu_ids ||
	    to_cpu >= nr_cpu_ids || !cpu_online(from_cpu) || !cpu_online(to_cpu))
		return -EINVAL;

	mutex_lock(&ipi_bench_lock);
	atomic_long_set(&ipi_bench_hits, 0);
	last_ns = 0;
	ret = work_on_cpu(from_cpu, ipi_bench_loop, (void *)n);
	last_calls = atomic_long_read(&ipi_bench_hits);
	mutex_unlock(&ipi_bench_lock);
	return ret;
}

static const struct kernel_param_ops ipi_bench_run_ops = {
	.set = ipi_bench_run,
};
module_param_cb(run, &ipi_bench_run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "write N: N round trips from from_cpu to to_cpu");

MODULE_DESCRIPTION("IPI round-trip benchmark (xive-native testbed only)");
MODULE_LICENSE("GPL");
