// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the nested guest of make bench (never installed):
 * IPI round trips between two CPUs of the guest.  Writing N to
 * /sys/module/ipi_bench/parameters/run makes CPU from_cpu run a function on
 * CPU to_cpu N times (smp_call_function_single_async), each time sleeping
 * until that function has woken it (a completion): an IPI there and a
 * wake-up back, with both CPUs idle in between, so that each hop is the
 * interrupt path of an idle vCPU (no spinning vCPU holding the host CPU the
 * other one needs).  The write returns when done; last_ns is the time the N
 * round trips took and last_calls how many ran on the target (N, or the
 * write failed).
 */
#include <linux/atomic.h>
#include <linux/completion.h>
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

/* runs on to_cpu, from the IPI */
static void ipi_bench_hit(void *done)
{
	atomic_long_inc(&ipi_bench_hits);
	complete(done);
}

/* runs on from_cpu (work_on_cpu) */
static long ipi_bench_loop(void *arg)
{
	unsigned long i, n = (unsigned long)arg;
	struct completion done;
	call_single_data_t csd;
	u64 t0;
	int ret;

	init_completion(&done);
	INIT_CSD(&csd, ipi_bench_hit, &done);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		reinit_completion(&done);
		/* the csd is free again once its function has started */
		ret = smp_call_function_single_async(to_cpu, &csd);
		if (ret)
			return ret;
		wait_for_completion(&done);
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
