/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything preempthint does that depends on the CPU architecture, in one
 * place. The rest of the module is arch-neutral and must stay so: add a
 * helper here rather than an #ifdef elsewhere.
 *
 * Need-resched folding. A pending *full* reschedule lives in the task's
 * TIF_NEED_RESCHED bit and, for the task running on this CPU, in a copy
 * folded into the preempt count, so that preempt_enable() and the
 * interrupt-exit path test one word:
 *   x86_64: the inverted PREEMPT_NEED_RESCHED bit (bit 31) of the per-CPU
 *           __preempt_count;
 *   arm64:  the inverted upper half of thread_info.preempt, a 64-bit union
 *           of count and need_resched compared with zero in one load.
 * Both are reached through <asm/preempt.h>, for the current CPU only; a
 * remote CPU folds at its next reschedule IPI, which on both arches only a
 * full request sends. The lazy bit is never folded: both arches take it on
 * the return to user space only (generic entry, ARCH_HAS_PREEMPT_LAZY).
 *
 * Where an interrupt came from. Both arches record the interrupted
 * registers with set_irq_regs() on interrupt entry (x86 common_interrupt and
 * the sysvec handlers, arm64 do_interrupt_handler), so the tick and hrtick
 * can tell user mode from kernel mode the same way.
 *
 * Hooks. Debian 7.3.4 exposes the same ftrace-able scheduler functions and
 * tracepoints on both (hooks.c checks at load time, the lab suite on both
 * arches). What differs is policy, not code: the amd64 build enables the
 * HRTICK scheduler feature, so slice expiry arrives as a full request from
 * hrtick(); arm64 runs NO_HRTICK, so it arrives from sched_tick() through
 * update_curr() as a lazy request. arm64 has no PREEMPT_DYNAMIC: lazy is
 * its only model.
 */
#ifndef _PREEMPTHINT_ARCH_H
#define _PREEMPTHINT_ARCH_H

#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <asm/irq_regs.h>

#if !defined(CONFIG_X86_64) && !defined(CONFIG_ARM64)
#error "preempthint supports x86_64 and arm64 only"
#endif

#ifdef CONFIG_X86_64
#define PH_ARCH_NAME "x86_64"
#else
#define PH_ARCH_NAME "arm64"
#endif

/*
 * Tracepoints only some arches have, in hook_tracepoints.h's form.
 * x86's reschedule IPI is a "simple" system vector: it returns without
 * irq_exit_rcu(), where a CPU otherwise looks at a request another CPU
 * made for it; its tracepoint's end is the place instead. arm64's IPIs are
 * ordinary interrupts.
 */
#ifdef CONFIG_X86_64
#include <asm/trace/irq_vectors.h>
#define PH_ARCH_TRACEPOINTS PH_TRACEPOINT(reschedule_exit, ph_tp_resched_ipi_exit, PH_HOOK_GRANTING)
#else
#define PH_ARCH_TRACEPOINTS
#endif

/* Drop the folded copy of a full request we withdrew from current's CPU. */
static inline void ph_arch_unfold_need_resched(void)
{
	clear_preempt_need_resched();
}

/* Fold a full request we hand back to the task running on this CPU. */
static inline void ph_arch_fold_need_resched(void)
{
	set_preempt_need_resched();
}

/* Did the interrupt being handled on this CPU arrive from user mode? */
static inline bool ph_arch_irq_from_user(void)
{
	struct pt_regs *regs = get_irq_regs();

	return regs && user_mode(regs);
}

#endif /* _PREEMPTHINT_ARCH_H */
