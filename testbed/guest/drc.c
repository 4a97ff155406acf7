// SPDX-License-Identifier: GPL-2.0
/*
 * drmgr's platform part of a pseries PCI hot-plug, for the busybox guest of
 * the passthrough scenario (it has no drmgr):
 *
 *   drc isolate DRC-INDEX
 *	set-indicator isolation-state = isolate: after the guest removed the
 *	device (sysfs remove + its device-tree node), this is what QEMU waits
 *	for to complete device_del.
 *   drc attach DRC-INDEX PARENT
 *	after device_add: unisolate the slot, walk ibm,configure-connector for
 *	the new device's device-tree nodes and add them under PARENT (a
 *	device-tree path: the PHB) through /proc/powerpc/ofdt; prints each
 *	node's path.  The PCI core then finds the device by a rescan.
 *
 * RTAS is called through the rtas syscall; configure-connector's work area
 * has to be in the kernel's RTAS user buffer, which /dev/mem maps.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define ISOLATION_STATE	9001	/* set-indicator: isolation state */
#define ISOLATE		0
#define UNISOLATE	1

/* ibm,configure-connector status: what the work area now describes */
#define CC_DONE		0
#define CC_SIBLING	1	/* a node, sibling of the current one */
#define CC_CHILD	2	/* a node, child of the current one */
#define CC_PROPERTY	3	/* a property of the current node */
#define CC_PARENT	4	/* back up to the current node's parent */
#define RTAS_BUSY	(-2)

#define MAX_NODES	16
#define WORK_SIZE	4096	/* the rtas syscall's fixed size for it */

struct rtas_args {		/* the syscall's layout, big-endian words */
	uint32_t token, nargs, nret;
	uint32_t args[16];
	void *rets;
};

/* the work area's header; names and values follow at the given offsets */
struct cc_work {
	uint32_t drc_index, zero, name_off, prop_len, prop_off;
};

struct node {
	char path[256];
	int parent;		/* index, -1: PARENT */
	char *cmd;		/* "add_node PATH name len value ..." */
	size_t len;
};

static struct node nodes[MAX_NODES];
static int nnodes;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint32_t token(const char *name)
{
	char path[128];
	uint32_t t;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/device-tree/rtas/%s", name);
	f = fopen(path, "rb");
	if (!f || fread(&t, 4, 1, f) != 1)
		die(path);
	fclose(f);
	return t;	/* already big-endian */
}

/* RTAS call with n arguments (host order) and one status word */
static int rtas(const char *name, int n, const uint32_t *args)
{
	struct rtas_args a = { 0 };
	int i;

	a.token = token(name);
	a.nargs = htobe32(n);
	a.nret = htobe32(1);
	for (i = 0; i < n; i++)
		a.args[i] = htobe32(args[i]);
	if (syscall(SYS_rtas, &a))
		die(name);
	return (int32_t)be32toh(a.args[n]);
}

/* busy statuses: -2 try again, 990x wait 10^x ms */
static int busy(int st)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	if (st != RTAS_BUSY && (st < 9900 || st > 9905))
		return 0;
	for (i = 9900; i < st; i++)
		ts.tv_nsec *= 10;
	if (ts.tv_nsec >= 1000000000)
		ts = (struct timespec){ ts.tv_nsec / 1000000000, 0 };
	nanosleep(&ts, NULL);
	return 1;
}

static int set_isolation(uint32_t drc, uint32_t state)
{
	uint32_t args[3] = { ISOLATION_STATE, drc, state };
	int st;

	while (busy(st = rtas("set-indicator", 3, args)))
		;
	return st;
}

static void append(struct node *n, const void *p, size_t len)
{
	n->cmd = realloc(n->cmd, n->len + len);
	if (!n->cmd)
		die("realloc");
	memcpy(n->cmd + n->len, p, len);
	n->len += len;
}

static int new_node(int parent, const char *root, const char *name)
{
	struct node *n;
	int len;

	if (nnodes == MAX_NODES) {
		fprintf(stderr, "more than %d nodes\n", MAX_NODES);
		exit(1);
	}
	n = &nodes[nnodes];
	n->parent = parent;
	len = snprintf(n->path, sizeof(n->path), "%s/%s",
		       parent < 0 ? root : nodes[parent].path, name);
	if (len >= (int)sizeof(n->path)) {
		fprintf(stderr, "path too long: %s\n", n->path);
		exit(1);
	}
	append(n, "add_node ", 9);
	append(n, n->path, strlen(n->path));
	return nnodes++;
}

/* the RTAS user buffer (/proc/powerpc/rtas/rmo_buffer: "address size") */
static void *work_area(uint64_t *phys)
{
	unsigned long long pa;
	unsigned int size;
	void *p;
	FILE *f;
	int fd;

	f = fopen("/proc/powerpc/rtas/rmo_buffer", "r");
	if (!f || fscanf(f, "%llx %x", &pa, &size) != 2)
		die("/proc/powerpc/rtas/rmo_buffer");
	fclose(f);
	if (size < WORK_SIZE) {
		fprintf(stderr, "RTAS user buffer too small (%u)\n", size);
		exit(1);
	}
	fd = open("/dev/mem", O_RDWR);	/* no O_SYNC: the buffer is RAM */
	if (fd < 0)
		die("/dev/mem");
	p = mmap(NULL, WORK_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pa);
	if (p == MAP_FAILED)
		die("mmap RTAS user buffer");
	close(fd);
	*phys = pa;
	return p;
}

static int attach(uint32_t drc, const char *root)
{
	uint64_t phys;
	char *wa = work_area(&phys);
	struct cc_work *w = (struct cc_work *)wa;
	int st, cur = -1, i, fd;

	st = set_isolation(drc, UNISOLATE);
	if (st) {
		printf("set-indicator unisolate 0x%x: status %d\n", drc, st);
		return 1;
	}
	memset(wa, 0, WORK_SIZE);
	w->drc_index = htobe32(drc);
	do {
		uint32_t args[2] = { (uint32_t)phys, 0 };
		const char *name;
		char hdr[300];
		uint32_t len;

		st = rtas("ibm,configure-connector", 2, args);
		if (busy(st))
			continue;
		name = wa + be32toh(w->name_off);
		switch (st) {
		case CC_DONE:
			break;
		case CC_CHILD:
			cur = new_node(cur, root, name);
			break;
		case CC_SIBLING:
			if (cur < 0)
				goto bad;
			cur = new_node(nodes[cur].parent, root, name);
			break;
		case CC_PROPERTY:
			if (cur < 0)
				goto bad;
			len = be32toh(w->prop_len);
			if (be32toh(w->prop_off) + len > WORK_SIZE)
				goto bad;
			append(&nodes[cur], hdr,
			       snprintf(hdr, sizeof(hdr), " %s %u ", name, len));
			append(&nodes[cur], wa + be32toh(w->prop_off), len);
			break;
		case CC_PARENT:
			if (cur < 0)
				goto bad;
			cur = nodes[cur].parent;
			break;
		default:
			goto bad;
		}
	} while (st);

	fd = open("/proc/powerpc/ofdt", O_WRONLY);
	if (fd < 0)
		die("/proc/powerpc/ofdt");
	for (i = 0; i < nnodes; i++) {	/* parents come first */
		if (write(fd, nodes[i].cmd, nodes[i].len) != (ssize_t)nodes[i].len) {
			fprintf(stderr, "add_node %s: %s\n", nodes[i].path,
				strerror(errno));
			return 1;
		}
		printf("node %s\n", nodes[i].path);
	}
	close(fd);
	printf("attach 0x%x: %d nodes\n", drc, nnodes);
	return nnodes == 0;
bad:
	printf("configure-connector 0x%x: unexpected status %d (node %d)\n",
	       drc, st, cur);
	return 1;
}

int main(int argc, char **argv)
{
	uint32_t drc;
	int st;

	if (argc >= 3 && !strcmp(argv[1], "isolate")) {
		drc = strtoul(argv[2], NULL, 0);
		st = set_isolation(drc, ISOLATE);
		printf("set-indicator isolate 0x%x: status %d\n", drc, st);
		return st != 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "attach"))
		return attach(strtoul(argv[2], NULL, 0), argv[3]);
	fprintf(stderr, "usage: %s isolate DRC-INDEX | attach DRC-INDEX PARENT\n",
		argv[0]);
	return 2;
}
