// SPDX-License-Identifier: GPL-2.0
/*
 * Not a test: the testbed's first step.  Prints whether the loaded modules
 * offer the XIVE native device, the way the tests detect it (xive_cap()),
 * and exits 0 if they do, 1 if not.
 */
#include "xive_util.h"

int main(void)
{
	int cap = xive_cap();

	printf("xive_cap: KVM_CAP_PPC_IRQ_XIVE=%d\n", cap);
	return cap > 0 ? 0 : 1;
}
