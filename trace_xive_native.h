/* SPDX-License-Identifier: GPL-2.0-only */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_xive_native

#if !defined(_TRACE_KVM_XIVE_NATIVE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_KVM_XIVE_NATIVE_H

#include <linux/tracepoint.h>

TRACE_EVENT(xive_native_esb_fault,
	    TP_PROTO(u32 irq, bool eoi, u32 hw_irq, bool passthrough,
		     unsigned int pages, bool stale),
	    TP_ARGS(irq, eoi, hw_irq, passthrough, pages, stale),
	    TP_STRUCT__entry(__field(u32, irq) __field(bool, eoi)
			     __field(u32, hw_irq) __field(bool, passthrough)
			     __field(unsigned int, pages) __field(bool, stale)),
	    TP_fast_assign(__entry->irq = irq;
			   __entry->eoi = eoi;
			   __entry->hw_irq = hw_irq;
			   __entry->passthrough = passthrough;
			   __entry->pages = pages;
			   __entry->stale = stale),
	    TP_printk("irq 0x%x %s page -> %s 0x%x, %u page(s)%s",
		      __entry->irq, __entry->eoi ? "eoi" : "trigger",
		      __entry->passthrough ? "PHB" : "IPI", __entry->hw_irq,
		      __entry->pages, __entry->stale ? ", stale: refault" : "")
);

TRACE_EVENT(xive_native_sigbus,
	    TP_PROTO(pgoff_t pgoff),
	    TP_ARGS(pgoff),
	    TP_STRUCT__entry(__field(pgoff_t, pgoff)),
	    TP_fast_assign(__entry->pgoff = pgoff),
	    TP_printk("page offset 0x%lx not backed", __entry->pgoff)
);

TRACE_EVENT(xive_native_zap,
	    TP_PROTO(u32 irq),
	    TP_ARGS(irq),
	    TP_STRUCT__entry(__field(u32, irq)),
	    TP_fast_assign(__entry->irq = irq),
	    TP_printk("irq 0x%x: ESB pages unmapped", __entry->irq)
);

#endif /* _TRACE_KVM_XIVE_NATIVE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace_xive_native

#include <trace/define_trace.h>
