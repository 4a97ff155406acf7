/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _KVM_PPC_BOOK3S_XIVE_NATIVE_H
#define _KVM_PPC_BOOK3S_XIVE_NATIVE_H
#endif
