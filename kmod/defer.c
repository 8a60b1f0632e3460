// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded deferral of reschedule requests: the state machine.
 *
 * Every reschedule request goes through __resched_curr(), which fires the
 * sched_set_need_resched_tp tracepoint (naming the target task) just before
 * it sets TIF_NEED_RESCHED_LAZY or TIF_NEED_RESCHED. We note the request at
 * the tracepoint and decide at __resched_curr()'s return, while the caller
 * still holds the target runqueue's lock: if the target may be extended, we
 * clear the bit it just set and arm an hrtimer for the grace. When the grace
 * runs out the timer sets TIF_NEED_RESCHED again and the task is preempted
 * at its next preemption point, in user or kernel mode.
 *
 * Only fair-class requests are ever withheld: those that come through
 * resched_curr_lazy() (slice expiry in update_curr(), wakeup preemption by
 * a fair task), the tick's lazy-to-full upgrade, and the hrtick's slice
 * expiry (HRTICK is on by default in 7.x: task_tick_fair(queued) asks for
 * a full reschedule from the hrtick timer). RT, deadline, stop,
 * sched_ext, migration and priority-change requests pass untouched, and an
 * RT or deadline task waking on a CPU ends the extension running there.
 *
 * An extension ends when its task yields, enters the scheduler (even if the
 * scheduler then keeps it on the CPU) or is switched out, or when the timer
 * fires. Bounds: one grant at a time per CPU and one per scheduling stint
 * (until the task enters the scheduler), each limited by the hrtimer; none
 * on a CPU where a fair task of another cgroup still waits that an earlier
 * extension there already delayed (waiters.c), so such a task waits behind
 * one extension at most; none, and no extension left running, when such a
 * task arrives and the scheduler asks to run it at once (until the CPU
 * enters the scheduler); a task that overruns its grace gets no grant
 * until it has left its section and yielded; a task that writes garbage
 * into its hint word gets none again.
 *
 * A grace timer is only ever armed, re-armed and cancelled on the CPU it
 * lives on (pinned): each CPU has one for extensions it grants to its own
 * task and one for an extension it grants to another CPU's task (a remote
 * wakeup asking to preempt it). An extension that ends on another CPU than
 * its timer's leaves the timer armed; each grant bumps its CPU's sequence
 * number and an expiry ends only the extension it was armed for. So no hot
 * path takes another CPU's hrtimer base lock with interrupts off, where a
 * holder that is itself held up (a vCPU the host has descheduled) stalls
 * this CPU: in exact emulated time that stretched extensions to 777 ms.
 * Arming stays in the granting path, with no IPI: the emulator delivers
 * those milliseconds late, longer than any grace.
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
#include "defer.h"
#include "policy.h"
#include "registry.h"
#include "stats.h"
#include "waiters.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* For A/B experiments only: the cost to other services is then a grace per wakeup. */
static bool hold_outsiders;
module_param(hold_outsiders, bool, 0644);
MODULE_PARM_DESC(hold_outsiders,
		 "also defer preemption for tasks outside every enabled cgroup that wake up (default: no)");

enum ph_end {
	PH_END_YIELD,	/* left the section and gave the CPU back */
	PH_END_EXPIRE,	/* the grace ran out: preempted by us */
	PH_END_SWITCH,	/* switched out while still in the section */
	PH_END_RT,	/* an RT or deadline task woke on this CPU */
	PH_END_UNLOAD,	/* the granting hooks were taken away: unload or disarm */
};

static const char *const ph_end_names[] = {
	[PH_END_YIELD] = "yield",
	[PH_END_EXPIRE] = "expire",
	[PH_END_SWITCH] = "switch",
	[PH_END_RT] = "rt-wakeup",
	[PH_END_UNLOAD] = "unload",
};

struct ph_cpu;

/* A grace timer and the extension it was last armed for. */
struct ph_grace {
	struct hrtimer timer;
	struct ph_cpu *target;		/* CPU of that extension */
	u64 seq;			/* its sequence number there */
	int cpu;			/* where the timer lives: its owner */
};

struct ph_cpu {
	/* The extension running on this CPU; protected by @lock. */
	raw_spinlock_t lock;
	struct task_struct *task;	/* extended task (this CPU's current), or NULL */
	struct ph_grace *grace;		/* the timer armed for it */
	u64 seq;			/* bumped at each grant */
	u64 start_ns;
	u32 mode;			/* PREEMPTHINT_MODE_HINT or _KERNEL */
	bool used;			/* granted since the last switch or yield */
	int cpu;

	/* Owned by this CPU: armed and cancelled here only, interrupts off. */
	struct ph_grace local;		/* for this CPU's own extensions */
	struct ph_grace remote;		/* for one granted here to another CPU */

	/* Request classification: this CPU only, interrupts off. */
	bool in_resched;		/* inside __resched_curr() */
	bool in_lazy;			/* ... called by resched_curr_lazy() */
	bool in_tick;			/* inside sched_tick() */
	bool in_hrtick;			/* inside hrtick(): the slice timer */
	bool tick_user;			/* either interrupted user mode */
	bool outsider_arrives;		/* inside wakeup_preempt() for another service's task */
	/*
	 * This CPU's task has a request standing for such a task, until it
	 * enters the scheduler. Set under this CPU's runqueue lock.
	 */
	bool outsider_request;
	struct task_struct *cand;	/* target of the request being made */
	int cand_cpu;
	int cand_tif;
	bool cand_fair;
	bool cand_upgrade;
};

static DEFINE_PER_CPU(struct ph_cpu, ph_cpus);

static void ph_count(struct ph_policy *pol, int stat)
{
	ph_stat_inc(&ph_global_stats, stat);
	if (pol)
		ph_stat_inc(&pol->stats, stat);
}

/*
 * Take the running extension off @c. Caller holds c->lock. The end is traced
 * here, before waiters.c counts it, so that a trace never shows a task
 * enqueued before an end the module saw after it (test 55 checks waits
 * against the trace).
 */
static struct task_struct *ph_grant_take(struct ph_cpu *c, enum ph_end why, u64 *ns, u32 *mode)
{
	struct task_struct *p = c->task;

	if (!p)
		return NULL;
	c->task = NULL;
	*ns = ktime_get_ns() - c->start_ns;
	*mode = c->mode;
	/*
	 * Only where the timer lives (from its own callback this is a
	 * harmless -1); elsewhere its expiry will find the sequence moved on.
	 */
	if (c->grace->cpu == raw_smp_processor_id())
		hrtimer_try_to_cancel(&c->grace->timer);
	trace_preempthint_end(p, c->cpu, ph_end_names[why], *ns);
	ph_waiters_extension_ended(c->cpu);
	return p;
}

/* Account for an extension that ended. Caller holds RCU, not c->lock. */
static void ph_grant_finish(struct task_struct *p, enum ph_end why, u64 ns, u32 mode)
{
	struct ph_policy *pol = ph_policy_match(p);
	struct ph_task *t = ph_registry_find(p);

	ph_stat_grant_time(&ph_global_stats, ns);
	if (pol)
		ph_stat_grant_time(&pol->stats, ns);
	if (why == PH_END_YIELD)
		ph_count(pol, PREEMPTHINT_STAT_YIELDS);
	if (why == PH_END_EXPIRE)
		ph_count(pol, PREEMPTHINT_STAT_EXPIRIES);
	if (t) {
		if (why == PH_END_EXPIRE && mode == PREEMPTHINT_MODE_HINT) {
			WRITE_ONCE(t->penalized, true);
			ph_slot_flags(t, PREEMPTHINT_F_PENALIZED, PREEMPTHINT_F_GRANTED);
		} else {
			ph_slot_flags(t, 0, PREEMPTHINT_F_GRANTED);
		}
	}
}

/* Hand the scheduler back the request we held. Caller holds RCU. */
static void ph_force_resched(struct task_struct *p)
{
	set_tsk_need_resched(p);
	if (p == current)
		ph_arch_fold_need_resched();
	else
		kick_process(p);
}

/*
 * End @c's extension now, if any, and preempt its task. An expiry passes
 * the sequence number its timer was armed for and ends only that one: the
 * extension may have ended elsewhere and the next one been granted.
 */
static void ph_grant_end_now(struct ph_cpu *c, enum ph_end why, const u64 *seq)
{
	struct task_struct *p = NULL;
	unsigned long flags;
	u64 ns;
	u32 mode;

	rcu_read_lock();
	raw_spin_lock_irqsave(&c->lock, flags);
	if (!seq || *seq == c->seq)
		p = ph_grant_take(c, why, &ns, &mode);
	raw_spin_unlock_irqrestore(&c->lock, flags);
	if (p) {
		ph_grant_finish(p, why, ns, mode);
		/* "current" and the CPU whose preempt count is folded must agree. */
		preempt_disable();
		ph_force_resched(p);
		preempt_enable();
	}
	rcu_read_unlock();
}

static enum hrtimer_restart ph_grace_expired(struct hrtimer *timer)
{
	struct ph_grace *g = container_of(timer, struct ph_grace, timer);
	/* Written on this CPU with interrupts off, like the arming. */
	struct ph_cpu *target = READ_ONCE(g->target);
	u64 seq = READ_ONCE(g->seq);

	if (target)
		ph_grant_end_now(target, PH_END_EXPIRE, &seq);
	return HRTIMER_NORESTART;
}

/*
 * The timer of @c (this CPU) that may time an extension on @tc. The remote
 * one serves one extension at a time: while the one it was armed for runs,
 * re-aiming it would leave that one unbounded. Seen without its lock,
 * "ended" is final (the sequence only grows; a CPU's extension with a given
 * number is granted once), so a stale read only refuses.
 */
static struct ph_grace *ph_grace_pick(struct ph_cpu *c, struct ph_cpu *tc)
{
	struct ph_grace *g = &c->remote;
	struct ph_cpu *last;

	if (tc == c)
		return &c->local;
	last = g->target;
	if (last && hrtimer_is_queued(&g->timer) && READ_ONCE(last->seq) == g->seq &&
	    READ_ONCE(last->task))
		return NULL;
	return g;
}

/*
 * Decide on a request for @p on c->cand_cpu. Runs at __resched_curr()'s
 * return: the target runqueue is locked, interrupts are off, the bit is set.
 */
static void ph_defer_request(struct ph_cpu *c, struct task_struct *p)
{
	bool upgrade = c->cand_upgrade, granted = false, busy, waiter;
	int cpu = c->cand_cpu, tif = c->cand_tif;
	struct ph_task *t = NULL;
	struct ph_policy *pol;
	struct ph_grace *g;
	struct ph_cpu *tc;
	u32 mode = 0, grace_us;
	int nest;

	if (!c->cand_fair && !upgrade)
		return;
	if (unlikely(rt_or_dl_task(p) || is_idle_task(p) || (p->flags & PF_KTHREAD)))
		return;

	rcu_read_lock();
	pol = ph_policy_match(p);
	if (!pol)
		goto out;
	/*
	 * Another service's task that the scheduler wants to run now is never
	 * kept waiting, not even by an extension already running: its request
	 * stands, and so does the tick's upgrade of it (a remote fair wakeup
	 * only sets the lazy bit; the tick makes it take effect). Fair wakeup
	 * preemption asks only when it would pick the waking task; a grace
	 * later it often picks someone else, and the outsider's wait would
	 * then grow by far more than a grace.
	 */
	tc = per_cpu_ptr(&ph_cpus, cpu);
	if (c->outsider_arrives)
		WRITE_ONCE(tc->outsider_request, true);
	if (READ_ONCE(pol->mode) & PREEMPTHINT_MODE_HINT) {
		t = ph_registry_find(p);
		nest = t ? ph_task_nest(t) : 0;
		if (nest < 0 || (nest > 0 && READ_ONCE(t->penalized))) {
			ph_count(pol, PREEMPTHINT_STAT_REFUSALS);
			goto out;
		}
		if (nest > 0)
			mode = PREEMPTHINT_MODE_HINT;
	}
	/* Kernel-mode policy: the upgrade that would preempt a task in the kernel. */
	if (!mode && (READ_ONCE(pol->mode) & PREEMPTHINT_MODE_KERNEL) && upgrade && !c->tick_user)
		mode = PREEMPTHINT_MODE_KERNEL;
	if (!mode)
		goto out;
	if (READ_ONCE(tc->outsider_request)) {
		ph_count(pol, PREEMPTHINT_STAT_REFUSALS);
		ph_count(pol, PREEMPTHINT_STAT_ARRIVAL_REFUSALS);
		goto out;
	}

	raw_spin_lock(&tc->lock);
	if (tc->task != p) {
		/*
		 * Another service's fair task queued here runs before anyone
		 * is extended (with one_per_wait, once it has waited through
		 * the end of one extension; waiters.c).
		 */
		g = ph_grace_pick(c, tc);
		busy = tc->task || tc->used || !g;
		waiter = !busy && ph_waiters_blocking(cpu);
		if (busy || waiter) {
			raw_spin_unlock(&tc->lock);
			ph_count(pol, PREEMPTHINT_STAT_REFUSALS);
			if (waiter)
				ph_count(pol, PREEMPTHINT_STAT_WAITER_REFUSALS);
			goto out;
		}
		grace_us = READ_ONCE(pol->grace_us);
		tc->task = p;
		tc->mode = mode;
		tc->used = true;
		tc->start_ns = ktime_get_ns();
		tc->grace = g;
		WRITE_ONCE(tc->seq, tc->seq + 1);
		WRITE_ONCE(g->target, tc);
		WRITE_ONCE(g->seq, tc->seq);
		hrtimer_start(&g->timer, us_to_ktime(grace_us), HRTIMER_MODE_REL_PINNED_HARD);
		/*
		 * Traced under the lock, like the end in ph_grant_take(): a
		 * task on that CPU can end it (yield) as soon as the lock is
		 * dropped, and a trace must never show the end first.
		 */
		trace_preempthint_grant(p, cpu, mode, grace_us, tif);
		granted = true;
	}
	raw_spin_unlock(&tc->lock);

	if (granted) {
		ph_count(pol, PREEMPTHINT_STAT_GRANTS);
		if (mode == PREEMPTHINT_MODE_KERNEL)
			ph_count(pol, PREEMPTHINT_STAT_KERNEL_GRANTS);
		if (t) {
			ph_slot_flags(t, PREEMPTHINT_F_GRANTED, 0);
			ph_slot_bump(&t->slot->grants);
		}
	}

	/* Withdraw the request; the timer stands in for it. */
	if (mode == PREEMPTHINT_MODE_HINT) {
		clear_tsk_thread_flag(p, TIF_NEED_RESCHED_LAZY);
		if (tif == TIF_NEED_RESCHED) {
			clear_tsk_thread_flag(p, TIF_NEED_RESCHED);
			if (cpu == smp_processor_id())
				ph_arch_unfold_need_resched();
		}
	} else {
		/*
		 * What PREEMPT_NONE gave: run on to the return to user space,
		 * where the lazy bit takes effect.
		 */
		set_tsk_thread_flag(p, TIF_NEED_RESCHED_LAZY);
		clear_tsk_thread_flag(p, TIF_NEED_RESCHED);
		ph_arch_unfold_need_resched();
	}
out:
	rcu_read_unlock();
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

void ph_defer_resched_enter(void)
{
	struct ph_cpu *c = this_cpu_ptr(&ph_cpus);

	c->in_resched = true;
	c->cand = NULL;
}

void ph_defer_resched_exit(void)
{
	struct ph_cpu *c = this_cpu_ptr(&ph_cpus);
	struct task_struct *p = c->cand;

	c->in_resched = false;
	c->in_lazy = false;
	c->cand = NULL;
	if (p && static_branch_unlikely(&ph_policy_active))
		ph_defer_request(c, p);
}

/*
 * @p becomes runnable here (woken, new or moved) and the scheduler considers
 * preempting for it. Decided now, while @p is pinned by the caller: the
 * request made inside, if any, only reads the answer. The same lookup, the
 * only one a wakeup pays for, tells the waiter sets about another service's
 * task that now waits here.
 */
void ph_defer_arrival_enter(struct task_struct *p)
{
	struct ph_cpu *c = this_cpu_ptr(&ph_cpus);
	bool outside = false;

	if (static_branch_unlikely(&ph_policy_active) && !rt_or_dl_task(p)) {
		rcu_read_lock();
		outside = !ph_policy_match(p);
		rcu_read_unlock();
		if (outside)
			ph_waiters_arrived(p);
	}
	c->outsider_arrives = (outside || (p->flags & PF_KTHREAD)) && !READ_ONCE(hold_outsiders);
}

void ph_defer_arrival_exit(void)
{
	this_cpu_write(ph_cpus.outsider_arrives, false);
}

void ph_defer_lazy_enter(void)
{
	this_cpu_write(ph_cpus.in_lazy, true);
}

void ph_defer_tick_enter(bool hrtick)
{
	struct ph_cpu *c = this_cpu_ptr(&ph_cpus);

	if (hrtick)
		c->in_hrtick = true;
	else
		c->in_tick = true;
	c->tick_user = ph_arch_irq_from_user();
	c->in_lazy = false;
}

void ph_defer_tick_exit(bool hrtick)
{
	struct ph_cpu *c = this_cpu_ptr(&ph_cpus);

	if (hrtick)
		c->in_hrtick = false;
	else
		c->in_tick = false;
}

void ph_defer_need_resched(struct task_struct *p, int cpu, int tif)
{
	struct ph_cpu *c = this_cpu_ptr(&ph_cpus);

	/* Requests made elsewhere (RCU, our own expiry) are never ours to defer. */
	if (!c->in_resched)
		return;
	c->cand = p;
	c->cand_cpu = cpu;
	c->cand_tif = tif;
	/* hrtick() only ever reschedules this CPU's task, for its own class. */
	c->cand_fair = c->in_lazy || (c->in_hrtick && cpu == smp_processor_id());
	/*
	 * A full request for this CPU's task from the tick or the hrtick: what
	 * the kernel-mode policy defers. From sched_tick() it is the upgrade
	 * of a lazy request still pending a tick later or, in full mode, the
	 * tick's own slice expiry (resched_curr_lazy() asks for a full
	 * reschedule there, and a task in the kernel was preempted whenever
	 * the tick saw the slice end before the hrtick did: 111 of 187 such
	 * preemptions of test 42's dd on a busy host); from hrtick() the
	 * slice expiry.
	 */
	c->cand_upgrade = tif == TIF_NEED_RESCHED && cpu == smp_processor_id() &&
			  (c->in_hrtick ||
			   (c->in_tick && (c->in_lazy ||
					   test_tsk_thread_flag(p, TIF_NEED_RESCHED_LAZY))));
	c->in_lazy = false;
}

void ph_defer_switch(bool preempt, struct task_struct *prev, unsigned int prev_state)
{
	struct ph_cpu *c = this_cpu_ptr(&ph_cpus);
	struct task_struct *p = NULL;
	enum ph_end why;
	struct ph_task *t;
	u64 ns = 0;
	u32 mode = 0, nest;

	c->in_lazy = false;
	WRITE_ONCE(c->outsider_request, false);
	rcu_read_lock();
	t = ph_registry_find(prev);
	nest = t ? READ_ONCE(t->slot->nest) : 0;
	why = nest ? PH_END_SWITCH : PH_END_YIELD;
	if (READ_ONCE(c->task) || READ_ONCE(c->used)) {
		raw_spin_lock(&c->lock);
		c->used = false;
		if (c->task == prev)
			p = ph_grant_take(c, why, &ns, &mode);
		raw_spin_unlock(&c->lock);
	}
	if (p)
		ph_grant_finish(p, why, ns, mode);
	if (t && nest && (preempt || prev_state == TASK_RUNNING)) {
		/* A lock holder lost its CPU: what the hint exists to prevent. */
		ph_count(ph_policy_match(prev), PREEMPTHINT_STAT_LH_PREEMPTIONS);
		ph_slot_bump(&t->slot->preempted);
		trace_preempthint_lh_preempt(prev, c->cpu, nest, READ_ONCE(t->penalized));
	} else if (t && !nest && READ_ONCE(t->penalized)) {
		WRITE_ONCE(t->penalized, false);
		ph_slot_flags(t, 0, PREEMPTHINT_F_PENALIZED);
	}
	rcu_read_unlock();
}

void ph_defer_yield(void)
{
	struct ph_cpu *c = this_cpu_ptr(&ph_cpus);
	struct task_struct *p = NULL;
	unsigned long flags;
	struct ph_task *t;
	u64 ns = 0;
	u32 mode = 0;

	WRITE_ONCE(c->outsider_request, false);
	if (READ_ONCE(c->task) || READ_ONCE(c->used)) {
		raw_spin_lock_irqsave(&c->lock, flags);
		if (c->task == current)
			p = ph_grant_take(c, PH_END_YIELD, &ns, &mode);
		if (!c->task)
			c->used = false;	/* gave the CPU back: may be extended again */
		raw_spin_unlock_irqrestore(&c->lock, flags);
	}

	rcu_read_lock();
	if (p)
		ph_grant_finish(p, PH_END_YIELD, ns, mode);
	t = ph_registry_find(current);
	if (t && READ_ONCE(t->penalized) && !READ_ONCE(t->slot->nest)) {
		WRITE_ONCE(t->penalized, false);
		ph_slot_flags(t, 0, PREEMPTHINT_F_PENALIZED);
	}
	rcu_read_unlock();
}

void ph_defer_wakeup(struct task_struct *p)
{
	struct ph_cpu *c;

	if (likely(!rt_or_dl_task(p)))
		return;
	c = per_cpu_ptr(&ph_cpus, task_cpu(p));
	if (READ_ONCE(c->task))
		ph_grant_end_now(c, PH_END_RT, NULL);
}

/*
 * A new hrtimer belongs to the hrtimer base of the CPU that sets it up, and
 * its first arming takes that base's lock wherever it runs: set each CPU's
 * timers up on that CPU. In exact emulated time a first arming on the other
 * CPU's base spun 183 ms with interrupts off.
 */
static void ph_grace_setup_here(void *info)
{
	struct ph_cpu *c = info;

	hrtimer_setup(&c->local.timer, ph_grace_expired, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_HARD);
	hrtimer_setup(&c->remote.timer, ph_grace_expired, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_PINNED_HARD);
}

/* Move @g to this CPU's base, keeping its expiry if it is armed. */
static void ph_grace_rehome(struct ph_grace *g)
{
	if (hrtimer_is_queued(&g->timer)) {
		/* At worst it fires twice: its expiry checks what it ends. */
		hrtimer_start(&g->timer, hrtimer_get_expires(&g->timer),
			      HRTIMER_MODE_ABS_PINNED_HARD);
	} else {
		hrtimer_start(&g->timer, KTIME_MAX, HRTIMER_MODE_ABS_PINNED_HARD);
		hrtimer_try_to_cancel(&g->timer);
	}
}

/*
 * CPU hotplug moves an offline CPU's timers to a CPU that stays, so the
 * first grant after it comes back would take that CPU's base lock, with
 * interrupts off and the run queue locked (in the emulator an extension
 * then ran 19.7 ms). Bring them home as the CPU comes online, on it, with
 * interrupts off so that no grant here comes between.
 */
static int ph_grace_online(unsigned int cpu)
{
	struct ph_cpu *c = per_cpu_ptr(&ph_cpus, cpu);
	unsigned long flags;

	local_irq_save(flags);
	ph_grace_rehome(&c->local);
	ph_grace_rehome(&c->remote);
	local_irq_restore(flags);
	return 0;
}

static enum cpuhp_state ph_cpuhp_state;

int ph_defer_init(void)
{
	int cpu, ret;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		struct ph_cpu *c = per_cpu_ptr(&ph_cpus, cpu);

		raw_spin_lock_init(&c->lock);
		c->local.cpu = cpu;
		c->remote.cpu = cpu;
		c->grace = &c->local;
		c->cpu = cpu;
		/* An offline CPU's timers go home when it comes online. */
		if (!cpu_online(cpu) || smp_call_function_single(cpu, ph_grace_setup_here, c, 1))
			ph_grace_setup_here(c);
	}
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN, "preempthint:online",
						   ph_grace_online, NULL);
	cpus_read_unlock();
	if (ret < 0) {
		pr_err("cannot register a CPU hotplug callback (%d)\n", ret);
		return ret;
	}
	ph_cpuhp_state = ret;
	return 0;
}

/*
 * After ph_defer_end_all(), or when loading failed after ph_defer_init().
 * A CPU coming online re-arms its queued timers (ph_grace_online), also
 * after end_all cancelled them: cancel them all once more after the
 * callback is gone, when nothing is left that could arm one.
 */
void ph_defer_exit(void)
{
	int cpu;

	cpuhp_remove_state_nocalls(ph_cpuhp_state);
	for_each_possible_cpu(cpu) {
		struct ph_cpu *c = per_cpu_ptr(&ph_cpus, cpu);

		hrtimer_cancel(&c->local.timer);
		hrtimer_cancel(&c->remote.timer);
	}
}

/*
 * Called after the granting hooks are gone (unload, or no policy active any
 * more) but while sched_switch is still hooked, so every c->task is a task
 * that is running right now.
 */
void ph_defer_end_all(void)
{
	int cpu;

	/* No timer may outlive the module, and none may end what follows. */
	for_each_possible_cpu(cpu) {
		struct ph_cpu *c = per_cpu_ptr(&ph_cpus, cpu);

		hrtimer_cancel(&c->local.timer);
		hrtimer_cancel(&c->remote.timer);
	}
	for_each_possible_cpu(cpu)
		ph_grant_end_now(per_cpu_ptr(&ph_cpus, cpu), PH_END_UNLOAD, NULL);
}

/*
 * Before the request hooks are attached again: a hook taken away between
 * its entry and exit handlers left its CPU's flags set (inside the tick,
 * inside a request). No handler that reads them runs while they are
 * detached, and the one that runs (sched_switch) only clears them too.
 */
void ph_defer_forget_requests(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ph_cpu *c = per_cpu_ptr(&ph_cpus, cpu);

		WRITE_ONCE(c->in_resched, false);
		WRITE_ONCE(c->in_lazy, false);
		WRITE_ONCE(c->in_tick, false);
		WRITE_ONCE(c->in_hrtick, false);
		WRITE_ONCE(c->tick_user, false);
		WRITE_ONCE(c->outsider_arrives, false);
		WRITE_ONCE(c->outsider_request, false);
		WRITE_ONCE(c->cand, NULL);
	}
}
