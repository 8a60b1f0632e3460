// SPDX-License-Identifier: GPL-2.0
/*
 * The extension running on each CPU: its start, its timer and its end.
 *
 * Rules this file keeps:
 * - An extension is started only by its own CPU, for the task running
 *   there, with interrupts off and its lock held (request.c decides). The
 *   bit it withdraws was set for that task, and the same CPU clears it and
 *   the copy folded into its preempt count: nothing else can have acted on
 *   the request in between. A grant and a hint write by the same thread are
 *   seen in program order, so no fence is needed against the thread leaving
 *   its section.
 * - Its timer lives on that CPU (pinned, set up there, brought home at CPU
 *   online) and is armed and cancelled there only, so no hot path takes
 *   another CPU's hrtimer base lock with interrupts off, where a holder
 *   that is itself held up (a vCPU the host descheduled) stalls this CPU.
 * - It ends when its task enters the scheduler (yield, block, preemption,
 *   even when the scheduler keeps it), when the timer fires, when an RT or
 *   deadline task arrives on the CPU (from any CPU, under the lock), or
 *   when the granting hooks go away. Ending hands the request back: the bit
 *   is set again and this CPU's copy folded, or the task's CPU kicked.
 *   Whoever ends it marks the pending request as not withholdable first.
 * - A grant bumps the sequence number; an expiry ends only the extension
 *   its timer was armed for (the one it timed may have ended elsewhere and
 *   the next one been granted).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/hrtimer.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/rt.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>

#include "arch.h"
#include "extension.h"
#include "enabled_cgroups.h"
#include "registry.h"
#include "request.h"
#include "stats.h"
#include "waiters.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

enum ph_end {
	PH_END_YIELD,	/* left the section and gave the CPU back */
	PH_END_EXPIRE,	/* the grace ran out: preempted by us */
	PH_END_SWITCH,	/* switched out while still in the section */
	PH_END_RT,	/* an RT or deadline task arrived on this CPU */
	PH_END_UNLOAD,	/* the granting hooks were taken away: unload or disarm */
};

static const char *const ph_end_names[] = {
	[PH_END_YIELD] = "yield",
	[PH_END_EXPIRE] = "expire",
	[PH_END_SWITCH] = "switch",
	[PH_END_RT] = "rt-wakeup",
	[PH_END_UNLOAD] = "unload",
};

DEFINE_PER_CPU(struct ph_ext, ph_exts);

static void ph_count(struct ph_policy *pol, int stat)
{
	ph_stat_inc(&ph_global_stats, stat);
	if (pol)
		ph_stat_inc(&pol->stats, stat);
}

void ph_ext_start(struct ph_ext *e, struct task_struct *p, u32 mode, u32 grace_us, int tif)
{
	e->task = p;
	e->mode = mode;
	e->used = true;
	e->start_ns = ktime_get_ns();
	WRITE_ONCE(e->seq, e->seq + 1);
	e->timer_seq = e->seq;
	hrtimer_start(&e->timer, us_to_ktime(grace_us), HRTIMER_MODE_REL_PINNED_HARD);
	/* Traced under the lock, like the end: a trace never shows the end first. */
	trace_preempthint_grant(p, e->cpu, mode, grace_us, tif);
}

/* Withdraw the request pending for @p, this CPU's current: the timer stands in for it. */
void ph_ext_withdraw(struct ph_ext *e, struct task_struct *p, u32 mode)
{
	if (mode == PREEMPTHINT_MODE_HINT) {
		clear_tsk_thread_flag(p, TIF_NEED_RESCHED_LAZY);
		clear_tsk_thread_flag(p, TIF_NEED_RESCHED);
	} else {
		/*
		 * What PREEMPT_NONE gave: run on to the return to user space,
		 * where the lazy bit takes effect.
		 */
		set_tsk_thread_flag(p, TIF_NEED_RESCHED_LAZY);
		clear_tsk_thread_flag(p, TIF_NEED_RESCHED);
	}
	ph_arch_unfold_need_resched();
}

/*
 * Take the running extension off @e. Caller holds e->lock and RCU. The end
 * is traced here, before waiters.c counts it, so that a trace never shows
 * a task enqueued before an end the module saw after it (test 55 checks
 * waits against the trace). The thread's flags change here too, under the
 * lock that orders grants: a grant that follows can never lose its
 * GRANTED to this end.
 */
static struct task_struct *ph_ext_take(struct ph_ext *e, enum ph_end why, u64 *ns)
{
	struct task_struct *p = e->task;
	struct ph_task *t;

	if (!p)
		return NULL;
	e->task = NULL;
	*ns = ktime_get_ns() - e->start_ns;
	/* Only where the timer lives; elsewhere its expiry finds the sequence moved on. */
	if (e->cpu == raw_smp_processor_id())
		hrtimer_try_to_cancel(&e->timer);
	t = ph_registry_find(p);
	if (t && why == PH_END_EXPIRE && e->mode == PREEMPTHINT_MODE_HINT) {
		WRITE_ONCE(t->penalized, true);
		ph_slot_flags(t, PREEMPTHINT_F_PENALIZED, PREEMPTHINT_F_GRANTED);
	} else if (t) {
		ph_slot_flags(t, 0, PREEMPTHINT_F_GRANTED);
	}
	trace_preempthint_end(p, e->cpu, ph_end_names[why], *ns);
	ph_waiters_extension_ended(e->cpu);
	return p;
}

/* Account for an extension that ended. Caller holds RCU, not e->lock. */
static void ph_ext_finish(struct task_struct *p, enum ph_end why, u64 ns)
{
	struct ph_policy *pol = ph_policy_match(p);

	ph_stat_grant_time(&ph_global_stats, ns);
	if (pol)
		ph_stat_grant_time(&pol->stats, ns);
	if (why == PH_END_YIELD)
		ph_count(pol, PREEMPTHINT_STAT_YIELDS);
	if (why == PH_END_EXPIRE)
		ph_count(pol, PREEMPTHINT_STAT_EXPIRIES);
}

/*
 * Hand the scheduler back the request we held. Caller holds e->lock with
 * interrupts off, so "current" and the CPU whose count is folded agree, and
 * the request is marked as not ours before its bit is set.
 */
static void ph_ext_hand_back(struct ph_ext *e, struct task_struct *p)
{
	WRITE_ONCE(e->fair_request, NULL);
	set_tsk_need_resched(p);
	if (p == current)
		ph_arch_fold_need_resched();
	else
		kick_process(p);
}

/* End @e's extension now, if any (only the one numbered *@seq, if given). */
static void ph_ext_end_now(struct ph_ext *e, enum ph_end why, const u64 *seq, bool rt)
{
	struct task_struct *p = NULL;
	unsigned long flags;
	u64 ns;

	rcu_read_lock();
	raw_spin_lock_irqsave(&e->lock, flags);
	if (rt)
		e->rt_arrived = true;
	if (!seq || *seq == e->seq)
		p = ph_ext_take(e, why, &ns);
	if (p)
		ph_ext_hand_back(e, p);
	raw_spin_unlock_irqrestore(&e->lock, flags);
	if (p)
		ph_ext_finish(p, why, ns);
	rcu_read_unlock();
}

static enum hrtimer_restart ph_ext_expired(struct hrtimer *timer)
{
	struct ph_ext *e = container_of(timer, struct ph_ext, timer);
	/* Written on this CPU with interrupts off, like the arming. */
	u64 seq = READ_ONCE(e->timer_seq);

	ph_ext_end_now(e, PH_END_EXPIRE, &seq, false);
	return HRTIMER_NORESTART;
}

/*
 * The model the kernel runs now: PREEMPT_DYNAMIC kernels switch at run time,
 * so ask every time. Deferral matters for lazy and full; rt is never ours.
 */
const char *ph_preempt_model(void)
{
	if (preempt_model_lazy())
		return "lazy";
	if (preempt_model_full())
		return "full";
	if (preempt_model_rt())
		return "rt";
	return "other";
}

void ph_ext_switch(bool preempt, struct task_struct *prev, unsigned int prev_state)
{
	struct ph_ext *e = this_cpu_ptr(&ph_exts);
	struct task_struct *p = NULL;
	enum ph_end why;
	struct ph_task *t;
	u64 ns = 0;
	u32 nest;

	/* What was asked of the task that leaves has been done. */
	WRITE_ONCE(e->fair_request, NULL);
	rcu_read_lock();
	t = ph_registry_find(prev);
	nest = t ? READ_ONCE(t->slot->nest) : 0;
	why = nest ? PH_END_SWITCH : PH_END_YIELD;
	if (READ_ONCE(e->task) || READ_ONCE(e->used) || READ_ONCE(e->rt_arrived)) {
		raw_spin_lock(&e->lock);
		e->used = false;
		e->rt_arrived = false;
		if (e->task == prev)
			p = ph_ext_take(e, why, &ns);
		raw_spin_unlock(&e->lock);
	}
	if (p)
		ph_ext_finish(p, why, ns);
	if (t && nest && (preempt || prev_state == TASK_RUNNING)) {
		/* A lock holder lost its CPU: what the hint exists to prevent. */
		ph_count(ph_policy_match(prev), PREEMPTHINT_STAT_LH_PREEMPTIONS);
		ph_slot_bump(&t->slot->preempted);
		trace_preempthint_lh_preempt(prev, e->cpu, nest, READ_ONCE(t->penalized));
	} else if (t && !nest && READ_ONCE(t->penalized)) {
		WRITE_ONCE(t->penalized, false);
		ph_slot_flags(t, 0, PREEMPTHINT_F_PENALIZED);
	}
	rcu_read_unlock();
}

void ph_ext_yield(void)
{
	struct ph_ext *e = this_cpu_ptr(&ph_exts);
	struct task_struct *p = NULL;
	unsigned long flags;
	struct ph_task *t;
	u64 ns = 0;

	rcu_read_lock();
	if (READ_ONCE(e->task) || READ_ONCE(e->used)) {
		raw_spin_lock_irqsave(&e->lock, flags);
		if (e->task == current)
			p = ph_ext_take(e, PH_END_YIELD, &ns);
		if (!e->task)
			e->used = false;	/* gave the CPU back: may be extended again */
		raw_spin_unlock_irqrestore(&e->lock, flags);
	}
	if (p)
		ph_ext_finish(p, PH_END_YIELD, ns);
	/* Only a candidate can have been extended, and so penalized. */
	t = ph_request_candidate(current) ? ph_registry_find(current) : NULL;
	if (t && READ_ONCE(t->penalized) && !READ_ONCE(t->slot->nest)) {
		WRITE_ONCE(t->penalized, false);
		ph_slot_flags(t, 0, PREEMPTHINT_F_PENALIZED);
	}
	rcu_read_unlock();
}

/*
 * An RT or deadline task woke on, or was moved to, @cpu: no extension runs
 * there or starts there until that CPU switches. Its own request may have
 * found the bit already set and left no trace of itself.
 */
void ph_ext_rt_arrival(struct task_struct *p, int cpu)
{
	if (likely(!rt_or_dl_task(p)))
		return;
	ph_ext_end_now(per_cpu_ptr(&ph_exts, cpu), PH_END_RT, NULL, true);
}

/*
 * A new hrtimer belongs to the hrtimer base of the CPU that sets it up, and
 * its first arming takes that base's lock wherever it runs: set each CPU's
 * timer up on that CPU.
 */
static void ph_ext_setup_here(void *info)
{
	struct ph_ext *e = info;

	hrtimer_setup(&e->timer, ph_ext_expired, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
}

/*
 * CPU hotplug moves an offline CPU's timers to a CPU that stays, so the
 * first grant after it comes back would take that CPU's base lock, with
 * interrupts off. Bring the timer home as the CPU comes online, on it, with
 * interrupts off so that no grant here comes between. At worst an armed
 * one fires twice: its expiry checks what it ends.
 */
static int ph_ext_online(unsigned int cpu)
{
	struct ph_ext *e = per_cpu_ptr(&ph_exts, cpu);
	unsigned long flags;

	local_irq_save(flags);
	if (hrtimer_is_queued(&e->timer)) {
		hrtimer_start(&e->timer, hrtimer_get_expires(&e->timer),
			      HRTIMER_MODE_ABS_PINNED_HARD);
	} else {
		hrtimer_start(&e->timer, KTIME_MAX, HRTIMER_MODE_ABS_PINNED_HARD);
		hrtimer_try_to_cancel(&e->timer);
	}
	local_irq_restore(flags);
	return 0;
}

static enum cpuhp_state ph_cpuhp_state;

int ph_ext_init(void)
{
	int cpu, ret;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		struct ph_ext *e = per_cpu_ptr(&ph_exts, cpu);

		raw_spin_lock_init(&e->lock);
		e->cpu = cpu;
		/* An offline CPU's timer goes home when it comes online. */
		if (!cpu_online(cpu) || smp_call_function_single(cpu, ph_ext_setup_here, e, 1))
			ph_ext_setup_here(e);
	}
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN, "preempthint:online",
						   ph_ext_online, NULL);
	cpus_read_unlock();
	if (ret < 0) {
		pr_err("cannot register a CPU hotplug callback (%d)\n", ret);
		return ret;
	}
	ph_cpuhp_state = ret;
	return 0;
}

/*
 * After ph_ext_end_all(), or when loading failed after ph_ext_init(). A CPU
 * coming online re-arms a queued timer (ph_ext_online), also after end_all
 * cancelled it: cancel them all once more after the callback is gone, when
 * nothing is left that could arm one.
 */
void ph_ext_exit(void)
{
	int cpu;

	cpuhp_remove_state_nocalls(ph_cpuhp_state);
	for_each_possible_cpu(cpu)
		hrtimer_cancel(&per_cpu_ptr(&ph_exts, cpu)->timer);
}

/*
 * Called after the granting hooks are gone (unload, or no policy active any
 * more) but while sched_switch is still hooked, so every e->task is a task
 * that is running right now.
 */
void ph_ext_end_all(void)
{
	int cpu;

	/* No timer may outlive the module, and none may end what follows. */
	for_each_possible_cpu(cpu)
		hrtimer_cancel(&per_cpu_ptr(&ph_exts, cpu)->timer);
	for_each_possible_cpu(cpu)
		ph_ext_end_now(per_cpu_ptr(&ph_exts, cpu), PH_END_UNLOAD, NULL, false);
}

/*
 * Before the granting hooks are attached again: what other CPUs published
 * about requests while they were away is stale.
 */
void ph_ext_forget(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ph_ext *e = per_cpu_ptr(&ph_exts, cpu);

		WRITE_ONCE(e->fair_request, NULL);
	}
}
