// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of the passthrough scenario's fault/zap race: load the PQ bits
 * (+0x800 of the management page, no side effect) of the given ESB pages in
 * a tight loop, so that every zap by the host is followed at once by a
 * refault, while the host maps and unmaps those IRQs.  Runs while
 * /tmp/poke exists; prints "@@P-POKES <rounds> odd=<n>" every second, where
 * odd counts loads that are not a PQ value (all ones: no ESB behind).
 * Usage: esb-poke EOI-PAGE-PHYS...
 *        esb-poke -o OFFSET EOI-PAGE-PHYS...
 * The second form makes one load at OFFSET of each management page (0x800
 * get PQ, 0xc00-0xf00 set PQ to 00-11) and prints the PQ it returned, as
 * "PQ" digits, one word per page ("??" if not a PQ value).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

static volatile uint64_t *esb_map(int fd, const char *phys, long psz, long off)
{
	off_t pa = strtoull(phys, NULL, 0);
	void *p = mmap(NULL, psz, PROT_READ, MAP_SHARED, fd, pa & ~(psz - 1));

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return (volatile uint64_t *)((char *)p + (pa & (psz - 1)) + off);
}

static int once(int fd, long psz, int n, char **phys)
{
	long off = strtol(phys[0], NULL, 0);
	int i;

	for (i = 1; i < n; i++) {
		uint64_t v = *esb_map(fd, phys[i], psz, off);

		if (v & ~0x0300000000000000ull)
			printf("%s??", i > 1 ? " " : "");
		else
			printf("%s%d%d", i > 1 ? " " : "", (int)(v >> 57) & 1,
			       (int)(v >> 56) & 1);
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	volatile uint64_t *pq[16];
	unsigned long rounds = 0, odd = 0;
	long psz = sysconf(_SC_PAGESIZE);
	time_t last = time(NULL);
	int i, n = argc - 1, fd;

	if (n < 1 || (n > 16 && strcmp(argv[1], "-o"))) {
		fprintf(stderr, "usage: %s EOI-PAGE-PHYS...\n", argv[0]);
		return 2;
	}
	fd = open("/dev/mem", O_RDONLY | O_SYNC);	/* O_SYNC: cache-inhibited */
	if (fd < 0) {
		perror("/dev/mem");
		return 1;
	}
	if (!strcmp(argv[1], "-o"))
		return n < 3 ? 2 : once(fd, psz, n - 1, argv + 2);
	for (i = 0; i < n; i++)
		pq[i] = esb_map(fd, argv[i + 1], psz, 0x800);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!(rounds & 1023) ? access("/tmp/poke", F_OK) == 0 : 1) {
		for (i = 0; i < n; i++) {
			uint64_t v = *pq[i];

			/* big-endian PQ in the top byte's low bits */
			if (v & ~0x0300000000000000ull)
				odd++;
		}
		rounds++;
		if (!(rounds & 1023) && time(NULL) != last) {
			last = time(NULL);
			printf("@@P-POKES %lu odd=%lu\n", rounds, odd);
		}
	}
	printf("@@P-POKES %lu odd=%lu\n", rounds, odd);
	return 0;
}
