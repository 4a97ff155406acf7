/* SPDX-License-Identifier: GPL-2.0-only */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm_xive_native

#if !defined(_TRACE_KVM_XIVE_NATIVE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_KVM_XIVE_NATIVE_H

#include <linux/tracepoint.h>

TRACE_EVENT(xive_native_esb_fault,
	    TP_PROTO(u32 irq, bool eoi, u32 hw_irq, bool passthrough,
		     unsigned int pages),
	    TP_ARGS(irq, eoi, hw_irq, passthrough, pages),
	    TP_STRUCT__entry(__field(u32, irq) __field(bool, eoi)
			     __field(u32, hw_irq) __field(bool, passthrough)
			     __field(unsigned int, pages)),
	    TP_fast_assign(__entry->irq = irq;
			   __entry->eoi = eoi;
			   __entry->hw_irq = hw_irq;
			   __entry->passthrough = passthrough;
			   __entry->pages = pages),
	    TP_printk("irq 0x%x %s page -> %s 0x%x, %u page(s)",
		      __entry->irq, __entry->eoi ? "eoi" : "trigger",
		      __entry->passthrough ? "PHB" : "IPI", __entry->hw_irq,
		      __entry->pages)
);

TRACE_EVENT(xive_native_remap,
	    TP_PROTO(u32 irq, bool end, u32 hw_irq, u8 pq),
	    TP_ARGS(irq, end, hw_irq, pq),
	    TP_STRUCT__entry(__field(u32, irq) __field(bool, end)
			     __field(u32, hw_irq) __field(u8, pq)),
	    TP_fast_assign(__entry->irq = irq;
			   __entry->end = end;
			   __entry->hw_irq = hw_irq;
			   __entry->pq = pq),
	    TP_printk("irq 0x%x remap %s hw 0x%x, PQ %u%u", __entry->irq,
		      __entry->end ? "done: to" : "begins: from",
		      __entry->hw_irq, !!(__entry->pq & 2), __entry->pq & 1)
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
