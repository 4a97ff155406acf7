// SPDX-License-Identifier: GPL-2.0
/*
 * Not a test: the emulated host's /init runs it before any payload, so a
 * device that the host does not offer fails the run at once instead of
 * every test skipping.  Exit 0 when KVM_CAP_PPC_IRQ_XIVE is reported.
 */
#include "xive_util.h"

int main(void)
{
	const char *why = xive_unavailable();

	printf("xive_cap: KVM_CAP_PPC_IRQ_XIVE %s\n", why ? why : "reported");
	return why ? 1 : 0;
}
