// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of a pseries PCI hot-unplug, for the passthrough scenario: the
 * busybox guest has no drmgr, so after the device was removed from Linux
 * this tells the platform (QEMU) that the slot is isolated, which is what
 * QEMU waits for to complete device_del.  Usage: rtas-isolate DRC-INDEX
 * (the slot's ibm,my-drc-index).  Calls RTAS set-indicator through the
 * rtas syscall; prints the RTAS status.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <endian.h>
#include <sys/syscall.h>

#define ISOLATION_STATE	9001	/* indicator: isolation state */
#define ISOLATE		0

struct rtas_args {		/* the syscall's layout, big-endian words */
	uint32_t token, nargs, nret;
	uint32_t args[16];
	void *rets;
};

static uint32_t token(const char *name)
{
	char path[128];
	uint32_t t;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/device-tree/rtas/%s", name);
	f = fopen(path, "rb");
	if (!f || fread(&t, 4, 1, f) != 1) {
		perror(path);
		exit(2);
	}
	fclose(f);
	return t;	/* already big-endian */
}

int main(int argc, char **argv)
{
	struct rtas_args a = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: %s DRC-INDEX\n", argv[0]);
		return 2;
	}
	a.token = token("set-indicator");
	a.nargs = htobe32(3);
	a.nret = htobe32(1);
	a.args[0] = htobe32(ISOLATION_STATE);
	a.args[1] = htobe32(strtoul(argv[1], NULL, 0));
	a.args[2] = htobe32(ISOLATE);
	if (syscall(SYS_rtas, &a)) {
		perror("rtas");
		return 1;
	}
	printf("set-indicator isolate 0x%lx: status %d\n",
	       strtoul(argv[1], NULL, 0), (int32_t)be32toh(a.args[3]));
	return be32toh(a.args[3]) != 0;
}
