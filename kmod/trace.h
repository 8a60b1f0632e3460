/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events: events/preempthint/ in tracefs, so perf and trace-cmd can
 * follow each extension from grant to its end next to sched_switch.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM preempthint

#if !defined(_PREEMPTHINT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PREEMPTHINT_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(preempthint_grant,
	TP_PROTO(struct task_struct *p, int cpu, u32 mode, u32 grace_us, int tif),
	TP_ARGS(p, cpu, mode, grace_us, tif),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(int, cpu)
		__field(u32, mode)
		__field(u32, grace_us)
		__field(int, tif)
	),
	TP_fast_assign(
		__entry->pid = p->pid;
		__entry->cpu = cpu;
		__entry->mode = mode;
		__entry->grace_us = grace_us;
		__entry->tif = tif;
	),
	TP_printk("pid=%d cpu=%d mode=%s grace_us=%u request=%s",
		  __entry->pid, __entry->cpu,
		  __entry->mode == 1 ? "hint" : "kernel", __entry->grace_us,
		  __entry->tif == TIF_NEED_RESCHED ? "full" : "lazy")
);

TRACE_EVENT(preempthint_end,
	TP_PROTO(struct task_struct *p, int cpu, const char *why, u64 ns),
	TP_ARGS(p, cpu, why, ns),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(int, cpu)
		__string(why, why)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->pid = p->pid;
		__entry->cpu = cpu;
		__assign_str(why);
		__entry->ns = ns;
	),
	TP_printk("pid=%d cpu=%d why=%s ns=%llu",
		  __entry->pid, __entry->cpu, __get_str(why), __entry->ns)
);

/*
 * @penalized: the holder had overrun a grace and not yet left its section
 * and yielded; the preemption is the bound at work, not a missed deferral.
 */
TRACE_EVENT(preempthint_lh_preempt,
	TP_PROTO(struct task_struct *p, int cpu, u32 nest, bool penalized),
	TP_ARGS(p, cpu, nest, penalized),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(int, cpu)
		__field(u32, nest)
		__field(bool, penalized)
	),
	TP_fast_assign(
		__entry->pid = p->pid;
		__entry->cpu = cpu;
		__entry->nest = nest;
		__entry->penalized = penalized;
	),
	TP_printk("pid=%d cpu=%d nest=%u penalized=%d", __entry->pid, __entry->cpu,
		  __entry->nest, __entry->penalized)
);

#endif /* _PREEMPTHINT_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
