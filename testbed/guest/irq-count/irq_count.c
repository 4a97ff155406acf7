// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the nested guest's no-loss phase (never installed):
 * sends interrupts one at a time and counts what arrives, so that a lost
 * interrupt shows as sent > received and one delivered twice as received >
 * sent, whatever the host does to the guest in between (migration, reset,
 * vCPU hot-plug).
 *
 * Two paths, each with one event in flight per sender at a time (the next
 * is sent only once the last has arrived, so that nothing coalesces):
 *  - ipi: CPU n calls a function on the next online CPU
 *    (smp_call_function_single_async), the guest's XIVE IPI; counted at
 *    the function, one call per IPI;
 *  - esb: a guest-owned source, the last LISN of the guest's
 *    "ibm,xive-lisn-ranges" (the range the guest takes its IPIs from, first
 *    free first: the last one is unused while fewer CPUs than LISNs are up),
 *    mapped and requested like any interrupt, triggered by a store to its
 *    ESB trigger page and counted in its handler.  Its target moves to the
 *    next online CPU every 16 events; the handler also counts arrivals on
 *    another CPU than the target, and deliveries with no trigger behind
 *    them (extra: an interrupt delivered twice).
 * /proc/irq_count shows the counters in one line; writing "start" starts
 * the senders over the CPUs online then, "stop" stops them, each after its
 * event in flight arrived or drain_ms passed (a lost one stays counted as
 * sent).  Counters add up across start/stop until the module goes.
 */
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <asm/io.h>
#include <asm/xive.h>

static unsigned int drain_ms = 10000;
module_param(drain_ms, uint, 0644);
MODULE_PARM_DESC(drain_ms, "how long stop waits for an event in flight");

static unsigned int gap_us = 500;
module_param(gap_us, uint, 0644);
MODULE_PARM_DESC(gap_us, "pause between a sender's events (the CPUs idle)");

static int lisn = -1;
module_param(lisn, int, 0444);
MODULE_PARM_DESC(lisn, "the guest-owned source (default: the last LISN)");

#define ESB_PER_TARGET	16

struct ic_sender {
	struct task_struct *task;
	call_single_data_t csd;
	unsigned int to;
	atomic_long_t sent;
	atomic_long_t recv;
};

static DEFINE_MUTEX(ic_lock);		/* start/stop */
static DECLARE_WAIT_QUEUE_HEAD(ic_wq);
/* one per CPU, never freed while the module is loaded: a csd may be queued */
static struct ic_sender *ic_ipi;
static struct task_struct *ic_esb_task;
static bool ic_running;
static unsigned int ic_virq;
static struct xive_irq_data *ic_xd;
static int ic_target = -1;
static atomic_long_t esb_sent, esb_recv, esb_extra, esb_elsewhere, ic_errors;
static atomic_t esb_armed;

/* wait until *recv reaches n; once stopping, for drain_ms at most */
static void ic_wait(atomic_long_t *recv, long n)
{
	while (atomic_long_read(recv) < n && !kthread_should_stop())
		wait_event_timeout(ic_wq, atomic_long_read(recv) >= n ||
				   kthread_should_stop(), HZ);
	if (atomic_long_read(recv) < n)
		wait_event_timeout(ic_wq, atomic_long_read(recv) >= n,
				   msecs_to_jiffies(drain_ms));
}

static void ic_ipi_hit(void *arg)
{
	struct ic_sender *s = arg;

	atomic_long_inc(&s->recv);
	wake_up(&ic_wq);
}

static int ic_ipi_loop(void *arg)
{
	struct ic_sender *s = arg;
	long n;

	while (!kthread_should_stop()) {
		n = atomic_long_inc_return(&s->sent);
		if (smp_call_function_single_async(s->to, &s->csd)) {
			atomic_long_dec(&s->sent);
			atomic_long_inc(&ic_errors);
			break;
		}
		ic_wait(&s->recv, n);
		usleep_range(gap_us, gap_us * 2);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

/*
 * One delivery per trigger: the sender arms the source before each trigger,
 * the handler takes the arm; a delivery that finds it unarmed came twice
 * (or from nowhere) and is counted as such, at once, whenever it comes.
 */
static irqreturn_t ic_esb_hit(int irq, void *arg)
{
	if (!atomic_xchg(&esb_armed, 0)) {
		atomic_long_inc(&esb_extra);
		return IRQ_HANDLED;
	}
	if (smp_processor_id() != READ_ONCE(ic_target))
		atomic_long_inc(&esb_elsewhere);
	atomic_long_inc(&esb_recv);
	wake_up(&ic_wq);
	return IRQ_HANDLED;
}

static int ic_esb_loop(void *arg)
{
	const struct cpumask *ring = arg;
	unsigned long k = 0;
	int cpu = cpumask_first(ring);
	long n;

	while (!kthread_should_stop()) {
		if (k++ % ESB_PER_TARGET == 0) {
			cpu = cpumask_next(cpu, ring);
			if (cpu >= nr_cpu_ids)
				cpu = cpumask_first(ring);
			if (irq_set_affinity(ic_virq, cpumask_of(cpu))) {
				atomic_long_inc(&ic_errors);
				break;
			}
			WRITE_ONCE(ic_target, cpu);
		}
		n = atomic_long_inc_return(&esb_sent);
		atomic_set(&esb_armed, 1);
		out_be64(ic_xd->trig_mmio, 0);
		ic_wait(&esb_recv, n);
		usleep_range(gap_us, gap_us * 2);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static struct cpumask ic_ring;

/* an IPI sender's last event has not arrived: its csd may be queued */
static bool ic_pending(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (atomic_long_read(&ic_ipi[cpu].recv) <
		    atomic_long_read(&ic_ipi[cpu].sent))
			return true;
	return false;
}

static void ic_stop(void)
{
	unsigned int cpu;

	if (!ic_running)
		return;
	kthread_stop(ic_esb_task);
	for_each_cpu(cpu, &ic_ring) {
		if (!ic_ipi[cpu].task)
			continue;
		kthread_stop(ic_ipi[cpu].task);
		ic_ipi[cpu].task = NULL;
	}
	ic_running = false;
}

static int ic_start(void)
{
	unsigned int cpu, next;
	struct ic_sender *s;

	if (ic_running)
		return -EBUSY;
	/* a sender whose last event never came keeps its csd queued */
	if (ic_pending())
		return -EIO;
	cpumask_copy(&ic_ring, cpu_online_mask);
	ic_running = true;
	/* one IPI sender per CPU to the next one; none with a single CPU */
	for_each_cpu(cpu, &ic_ring) {
		if (cpumask_weight(&ic_ring) < 2)
			break;
		next = cpumask_next(cpu, &ic_ring);
		if (next >= nr_cpu_ids)
			next = cpumask_first(&ic_ring);
		s = &ic_ipi[cpu];
		s->to = next;
		s->task = kthread_create_on_cpu(ic_ipi_loop, s, cpu, "irq_count_ipi/%u");
		if (IS_ERR(s->task)) {
			s->task = NULL;
			ic_stop();
			return -ENOMEM;
		}
		wake_up_process(s->task);
	}
	ic_esb_task = kthread_run(ic_esb_loop, &ic_ring, "irq_count_esb");
	if (IS_ERR(ic_esb_task)) {
		ic_esb_task = NULL;
		ic_stop();
		return -ENOMEM;
	}
	return 0;
}

static int ic_show(struct seq_file *m, void *v)
{
	long sent = 0, recv = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		sent += atomic_long_read(&ic_ipi[cpu].sent);
		recv += atomic_long_read(&ic_ipi[cpu].recv);
	}
	seq_printf(m, "running=%d cpus=%*pbl lisn=%d virq=%u ipi_sent=%ld ipi_recv=%ld esb_sent=%ld esb_recv=%ld esb_extra=%ld esb_elsewhere=%ld errors=%ld\n",
		   ic_running, cpumask_pr_args(&ic_ring), lisn, ic_virq, sent, recv,
		   atomic_long_read(&esb_sent), atomic_long_read(&esb_recv),
		   atomic_long_read(&esb_extra), atomic_long_read(&esb_elsewhere),
		   atomic_long_read(&ic_errors));
	return 0;
}

static int ic_open(struct inode *inode, struct file *file)
{
	return single_open(file, ic_show, NULL);
}

static ssize_t ic_write(struct file *file, const char __user *ubuf,
			size_t len, loff_t *ppos)
{
	char buf[8] = "";
	int ret;

	if (copy_from_user(buf, ubuf, min(len, sizeof(buf) - 1)))
		return -EFAULT;
	mutex_lock(&ic_lock);
	if (sysfs_streq(buf, "start")) {
		ret = ic_start();
	} else if (sysfs_streq(buf, "stop")) {
		ic_stop();
		ret = 0;
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&ic_lock);
	return ret ?: len;
}

static const struct proc_ops ic_ops = {
	.proc_open	= ic_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= ic_write,
};

/* the last LISN of the guest's IPI ranges, and the XIVE node */
static int ic_find_lisn(struct device_node **np)
{
	const __be32 *r;
	int len;

	*np = of_find_compatible_node(NULL, NULL, "ibm,power-ivpe");
	if (!*np)
		return -ENODEV;
	r = of_get_property(*np, "ibm,xive-lisn-ranges", &len);
	if (!r || len < 8 || len % 8)
		return -ENODEV;
	r += len / 4 - 2;
	if (lisn < 0)
		lisn = be32_to_cpu(r[0]) + be32_to_cpu(r[1]) - 1;
	return 0;
}

static int __init ic_init(void)
{
	struct of_phandle_args spec = { .args_count = 2 };
	unsigned int cpu;
	int ret;

	ret = ic_find_lisn(&spec.np);
	if (ret)
		goto out_put;
	/* a LISN someone already mapped is not ours to use */
	if (irq_find_mapping(irq_find_host(spec.np), lisn)) {
		ret = -EBUSY;
		goto out_put;
	}
	spec.args[0] = lisn;
	spec.args[1] = 0;		/* edge: one event, one interrupt */
	ic_virq = irq_create_of_mapping(&spec);
	if (!ic_virq) {
		ret = -ENXIO;
		goto out_put;
	}
	/* the XIVE's per-interrupt data: handler data up to 6.12, chip data in 7.x */
	ic_xd = irq_get_handler_data(ic_virq) ?: irq_get_chip_data(ic_virq);
	if (!ic_xd || !ic_xd->trig_mmio) {
		ret = -ENXIO;
		goto out_unmap;
	}
	ic_ipi = kcalloc(nr_cpu_ids, sizeof(*ic_ipi), GFP_KERNEL);
	if (!ic_ipi) {
		ret = -ENOMEM;
		goto out_unmap;
	}
	for_each_possible_cpu(cpu)
		INIT_CSD(&ic_ipi[cpu].csd, ic_ipi_hit, &ic_ipi[cpu]);
	ret = request_irq(ic_virq, ic_esb_hit, 0, "irq_count", NULL);
	if (ret)
		goto out_free;
	if (!proc_create("irq_count", 0600, NULL, &ic_ops)) {
		ret = -ENOMEM;
		goto out_irq;
	}
	of_node_put(spec.np);
	pr_info("irq_count: LISN %d is IRQ %u\n", lisn, ic_virq);
	return 0;

out_irq:
	free_irq(ic_virq, NULL);
out_free:
	kfree(ic_ipi);
out_unmap:
	irq_dispose_mapping(ic_virq);
out_put:
	of_node_put(spec.np);
	pr_err("irq_count: no guest-owned source (LISN %d): %d\n", lisn, ret);
	return ret;
}

static void __exit ic_exit(void)
{
	mutex_lock(&ic_lock);
	ic_stop();
	mutex_unlock(&ic_lock);
	remove_proc_entry("irq_count", NULL);
	free_irq(ic_virq, NULL);
	irq_dispose_mapping(ic_virq);
	/* else it stays: a csd whose IPI never came may still be queued */
	if (!ic_pending())
		kfree(ic_ipi);
}

module_init(ic_init);
module_exit(ic_exit);
MODULE_DESCRIPTION("Interrupts sent vs received (xive-native testbed only)");
MODULE_LICENSE("GPL");
