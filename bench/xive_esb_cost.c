// SPDX-License-Identifier: GPL-2.0
/*
 * The cost of the VMM's own ESB accesses through the device's mapping:
 * management-page loads (PQ read, PQ set) and trigger-page stores, each
 * timed over many accesses to 64 sources whose pages are already faulted
 * in.  Written to choose the ESB pages' cache attribute (guarded
 * pgprot_noncached vs pgprot_noncached_wc): run it on builds that differ
 * only in that, under 'make vm-run RUN=build/bench/xive_esb_cost'.
 *
 * Prints one "esb_cost <op> <ns per access>" line per operation.
 */
#include "xive_util.h"

#define NR	64
#define LOOPS	20000

static double per_access(double t0, unsigned long n)
{
	return (now_s() - t0) * 1e9 / n;
}

int main(int argc, char **argv)
{
	unsigned long loops = argc > 1 ? strtoul(argv[1], NULL, 0) : LOOPS;
	unsigned long i, n = loops * NR;
	struct xvm x;
	__u64 sum = 0;
	double t0;
	int irq;

	if (xvm_open(&x, 1, false) || xvm_map_esb(&x, NR)) {
		fprintf(stderr, "esb_cost: no VM with the device\n");
		return 1;
	}
	for (irq = 0; irq < NR; irq++) {
		if (src_set(x.dev, irq, 0)) {
			fprintf(stderr, "esb_cost: GRP_SOURCE %d failed\n", irq);
			return 1;
		}
		sum += esb_pq(x.esb, irq);	/* fault both pages in */
	}

	t0 = now_s();
	for (i = 0; i < n; i++)
		sum += esb_load(x.esb, i % NR, XIVE_ESB_GET);
	printf("esb_cost load_get %.1f\n", per_access(t0, n));

	t0 = now_s();
	for (i = 0; i < n; i++)
		sum += esb_load(x.esb, i % NR, XIVE_ESB_SET_PQ_01);
	printf("esb_cost load_set_pq %.1f\n", per_access(t0, n));

	/* sources off (PQ 01, as the set-PQ loads left them): ignored */
	t0 = now_s();
	for (i = 0; i < n; i++)
		esb_trigger(x.esb, i % NR);
	printf("esb_cost store_trigger %.1f\n", per_access(t0, n));

	for (irq = 0; irq < NR; irq++)
		if (esb_pq(x.esb, irq) != 1) {
			fprintf(stderr, "esb_cost: source %d PQ %d, not 01\n",
				irq, esb_pq(x.esb, irq));
			return 1;
		}
	printf("esb_cost accesses %lu per op (checksum %llu)\n", n,
	       (unsigned long long)sum);
	xvm_close(&x);
	return 0;
}
