// SPDX-License-Identifier: GPL-2.0
/*
 * Reschedule requests: what asked for each, where it is decided, and the
 * rules that grant an extension or refuse one.
 *
 * Every request of the scheduler goes through __resched_curr(), which fires
 * sched_set_need_resched_tp (naming the target task) just before it sets
 * TIF_NEED_RESCHED_LAZY or TIF_NEED_RESCHED, and only if neither was set.
 * What asked is marked on the requesting CPU, with interrupts off, by the
 * hooks the request passes first, and the tracepoint takes the marks:
 * - fair: resched_curr_lazy() (slice expiry in update_curr(), wakeup
 *   preemption by a fair task), unless a deadline entity just throttled
 *   (sched_dl_throttle_tp): the fair server handing the CPU back to RT;
 * - the upgrade: sched_tick() turning a lazy request still pending a tick
 *   later into a full one, before the class's own tick runs; and the
 *   hrtick's slice expiry for this CPU's task;
 * - anything else (RT, deadline, stop, sched_ext, migration, priority
 *   changes, the dl server, RCU, our own hand-backs): never withheld.
 * A mark whose request found the bit already set, and so fired nothing, is
 * dropped by the next arrival, tick, scheduler entry or switch on its CPU;
 * until then a request without hooks of its own (RCU's nudge for a quiescent
 * state, a priority change) can be taken for fair and wait a grace at most.
 * RT and deadline tasks cannot: their wakeup passes an arrival first, and
 * their moves and wakeups end extensions (ph_ext_rt_arrival).
 *
 * Decided only where the target runs, with interrupts off, where it would
 * act on the bit next: at the end of an interrupt (irq_exit_rcu(), after the
 * softirqs, and x86's reschedule IPI, which does not go through it), at the
 * end of a page fault (a lazy request takes effect at its return to user),
 * or at the tick, which upgrades a lazy request. So an extension's grace
 * starts when its task gets the CPU back. The requesting CPU only
 * publishes, before it sets the bit, whether its request may be withheld
 * (ph_ext.fair_request); the target reads that after seeing the bit, and
 * its own requests it notes as pending. A request that finds the bit
 * already set makes no trace: an RT or deadline task behind it is caught
 * by its wakeup or migration (ph_ext_rt_arrival), under the lock the grant
 * takes. A request the target acts on before it decides (a system call's
 * return, a full request in task context) is honoured as made, as
 * upstream's time-slice extension does: it decides at the same place, the
 * target's return from an interrupt; this adds the page fault.
 *
 * Candidates. Only a task that was, when it was last switched in, a fair
 * task of an enabled cgroup (in hint mode: registered) can be extended.
 * Each CPU notes its candidate at the switch, so that the hooks every task
 * passes through (an interrupt's or a page fault's return) stop at one
 * comparison for all others and skip their exit handlers. A task that
 * registers, or whose cgroup is enabled, while it runs is covered from its
 * next switch.
 *
 * The rules (ph_decide) in order: only candidates; hint mode needs a
 * section (nest > 0) and a task neither revoked nor penalized; kernel mode
 * only the tick's upgrade of a task in the kernel; none once an RT or
 * deadline task arrived here; one grant per scheduling stint; none, and no
 * continuation, while another service's task waits here (waiters.c: it is
 * queued before the request its arrival makes is published).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/rt.h>
#include <linux/smp.h>
#include <linux/thread_info.h>

#include "arch.h"
#include "extension.h"
#include "enabled_cgroups.h"
#include "registry.h"
#include "request.h"
#include "stats.h"
#include "waiters.h"

/* For A/B experiments only: the cost to other services is then a grace per wakeup. */
static bool hold_outsiders;
module_param(hold_outsiders, bool, 0644);
MODULE_PARM_DESC(hold_outsiders,
		 "also defer preemption for tasks outside every enabled cgroup, as for the service's own (default: no)");

/* The request being made on this CPU: this CPU only, interrupts off. */
struct ph_request {
	/* This CPU's current task, if it may be extended; set at each switch. */
	struct task_struct *candidate;
	bool in_lazy;			/* resched_curr_lazy(): the next request is fair */
	bool in_dl;			/* a deadline entity throttled: the next request is its */
	bool in_tick;			/* inside sched_tick() */
	bool in_class_tick;		/* ... past the upgrade, in the class's tick */
	bool in_hrtick;			/* inside hrtick(): the slice timer */
	bool tick_user;			/* the tick or hrtick interrupted user mode */
	/* A request of this CPU for its own candidate, to decide where it acts. */
	struct task_struct *pending;
	bool pending_upgrade;
	bool pending_user;
};

static DEFINE_PER_CPU(struct ph_request, ph_requests);

enum ph_verdict {
	PH_PASS,		/* not ours to withhold */
	PH_GRANT,		/* start an extension, withhold the request */
	PH_CONTINUE,		/* the task's extension runs: withhold this one too */
	PH_REFUSE_REVOKED,	/* its hint word held garbage */
	PH_REFUSE_PENALIZED,	/* overran a grace, has not yielded since */
	PH_REFUSE_OUTSIDER,	/* another service's task came to wait: ends the extension */
	PH_REFUSE_RT,		/* an RT or deadline task arrived here */
	PH_REFUSE_USED,		/* granted once already in this stint */
	PH_REFUSE_WAITER,	/* another service's task waits here */
};

/* The counter each refusal adds to, besides PREEMPTHINT_STAT_REFUSALS. */
static const int ph_refusal_stat[] = {
	[PH_REFUSE_OUTSIDER] = PREEMPTHINT_STAT_ARRIVAL_REFUSALS,
	[PH_REFUSE_WAITER] = PREEMPTHINT_STAT_WAITER_REFUSALS,
};

static void ph_count(struct ph_policy *pol, int stat)
{
	ph_stat_inc(&ph_global_stats, stat);
	ph_stat_inc(&pol->stats, stat);
}

static bool ph_outsiders_wait(struct ph_ext *e)
{
	return !READ_ONCE(hold_outsiders) && ph_waiters_blocking(e->cpu);
}

/*
 * The grant rules, in one place. @p is this CPU's current task, @pol its
 * policy; caller holds e->lock with interrupts off. *@mode: the mode of the
 * extension to start or continue.
 */
static enum ph_verdict ph_decide(struct ph_ext *e, struct task_struct *p, struct ph_policy *pol,
				 bool upgrade, bool from_user, struct ph_task **t, u32 *mode)
{
	u32 pol_mode = READ_ONCE(pol->mode);
	int nest;

	*mode = 0;
	if (pol_mode & PREEMPTHINT_MODE_HINT) {
		*t = ph_registry_find(p);
		nest = *t ? ph_task_nest(*t) : 0;
		if (nest < 0)
			return PH_REFUSE_REVOKED;
		if (nest > 0 && READ_ONCE((*t)->penalized))
			return PH_REFUSE_PENALIZED;
		if (nest > 0)
			*mode = PREEMPTHINT_MODE_HINT;
	}
	/* Kernel-mode policy: the upgrade that would preempt a task in the kernel. */
	if (!*mode && (pol_mode & PREEMPTHINT_MODE_KERNEL) && upgrade && !from_user)
		*mode = PREEMPTHINT_MODE_KERNEL;
	if (!*mode)
		return PH_PASS;
	if (e->rt_arrived)
		return PH_REFUSE_RT;
	/*
	 * Another service's task queued here is never kept waiting, not even
	 * by an extension already running.
	 */
	if (e->task == p) {
		if (ph_outsiders_wait(e))
			return PH_REFUSE_OUTSIDER;
		*mode = e->mode;
		return PH_CONTINUE;
	}
	if (e->task || e->used)
		return PH_REFUSE_USED;
	if (ph_outsiders_wait(e))
		return PH_REFUSE_WAITER;
	return PH_GRANT;
}

/*
 * Decide on the request pending for @p, this CPU's current task, and act on
 * the verdict. Interrupts are off.
 */
static void ph_decide_here(struct task_struct *p, int tif, bool upgrade, bool from_user)
{
	struct ph_ext *e = this_cpu_ptr(&ph_exts);
	struct ph_task *t = NULL;
	struct ph_policy *pol;
	enum ph_verdict v;
	u32 mode;

	if (unlikely(rt_or_dl_task(p)))
		return;
	rcu_read_lock();
	pol = ph_policy_match(p);
	if (!pol)
		goto out;
	raw_spin_lock(&e->lock);
	WRITE_ONCE(e->fair_request, NULL);	/* consumed: decided once */
	v = ph_decide(e, p, pol, upgrade, from_user, &t, &mode);
	if (v == PH_GRANT) {
		ph_ext_start(e, p, mode, READ_ONCE(pol->grace_us), tif);
		/* Under the lock: an end from another CPU clears it after, never before. */
		if (t)
			ph_slot_flags(t, PREEMPTHINT_F_GRANTED, 0);
	}
	if (v == PH_GRANT || v == PH_CONTINUE)
		ph_ext_withdraw(e, p, mode);
	raw_spin_unlock(&e->lock);

	switch (v) {
	case PH_PASS:
	case PH_CONTINUE:
		break;
	case PH_GRANT:
		ph_count(pol, PREEMPTHINT_STAT_GRANTS);
		if (mode == PREEMPTHINT_MODE_KERNEL)
			ph_count(pol, PREEMPTHINT_STAT_KERNEL_GRANTS);
		if (t)
			ph_slot_bump(&t->slot->grants);
		break;
	default:
		ph_count(pol, PREEMPTHINT_STAT_REFUSALS);
		if (v < ARRAY_SIZE(ph_refusal_stat) && ph_refusal_stat[v])
			ph_count(pol, ph_refusal_stat[v]);
		break;
	}
out:
	rcu_read_unlock();
}

/* May @p, switched in here, be extended? */
static bool ph_may_extend(struct task_struct *p)
{
	struct ph_policy *pol;
	bool may = false;
	u32 mode;

	if (rt_or_dl_task(p) || is_idle_task(p) || (p->flags & PF_KTHREAD))
		return false;
	rcu_read_lock();
	pol = ph_policy_match(p);
	if (pol) {
		mode = READ_ONCE(pol->mode);
		may = (mode & PREEMPTHINT_MODE_KERNEL) ||
		      ((mode & PREEMPTHINT_MODE_HINT) && ph_registry_find(p));
	}
	rcu_read_unlock();
	return may;
}

/*
 * This CPU enters the scheduler: what was pending is acted on now, and marks
 * no request followed are dropped.
 */
void ph_request_schedule(void)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);

	r->pending = NULL;
	r->in_lazy = false;
	r->in_dl = false;
}

/* This CPU switches to @next: the same, and @next's candidacy is noted. */
void ph_request_switch(struct task_struct *next)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);

	ph_request_schedule();
	r->candidate = static_branch_unlikely(&ph_policy_active) && ph_may_extend(next) ?
		       next : NULL;
}

bool ph_request_candidate(struct task_struct *p)
{
	return this_cpu_read(ph_requests.candidate) == p;
}

void ph_request_lazy_enter(void)
{
	this_cpu_write(ph_requests.in_lazy, true);
}

/*
 * @p arrives here (woken, new or moved), before any request made for it:
 * marks left from an earlier request are dropped, and another service's
 * task starts waiting (waiters.c).
 */
void ph_request_arrival(struct task_struct *p)
{
	this_cpu_write(ph_requests.in_lazy, false);
	ph_waiters_arrived(p);
}

/*
 * A deadline entity throttled on this CPU: the fair server's, when RT tasks
 * starved the fair ones, or a deadline task's. The request update_curr_dl_se()
 * makes next hands the CPU on, and is the deadline class's. If none follows,
 * the mark stays until the next request, the tick's end or the scheduler's
 * entry: it only ever makes a request pass.
 */
void ph_request_dl_throttle(void)
{
	this_cpu_write(ph_requests.in_dl, true);
}

/* sched_tick() (@hrtick false) or hrtick() begins. */
void ph_request_tick_enter(bool hrtick)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);

	if (hrtick)
		r->in_hrtick = true;
	else
		r->in_tick = true;
	r->tick_user = ph_arch_irq_from_user();
	r->in_lazy = false;
}

void ph_request_tick_exit(bool hrtick)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);

	if (hrtick)
		r->in_hrtick = false;
	else
		r->in_tick = false;
	r->in_lazy = false;
	r->in_dl = false;
}

/* The fair class's tick: inside sched_tick(), past its upgrade. */
void ph_request_class_tick_enter(void)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);

	if (r->in_tick)
		r->in_class_tick = true;
}

void ph_request_class_tick_exit(void)
{
	this_cpu_write(ph_requests.in_class_tick, false);
}

/*
 * sched_set_need_resched_tp: just before the bit is set, on the requesting
 * CPU, from __resched_curr() or set_tsk_need_resched() (RCU, our own
 * hand-backs: never marked fair). Aimed at @p's CPU.
 */
void ph_request_made(struct task_struct *p, int cpu, int tif)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);
	bool fair = false, upgrade = false, local;
	struct ph_ext *e;

	cpu = task_cpu(p);
	e = per_cpu_ptr(&ph_exts, cpu);
	local = cpu == smp_processor_id();
	if (!r->in_dl) {
		fair = r->in_lazy;
		/*
		 * A full request for this CPU's task from the tick or the
		 * hrtick: what the kernel-mode policy defers. From sched_tick()
		 * it is the upgrade of a lazy request still pending a tick later
		 * (made before the class's tick) or, in full mode, the tick's
		 * own slice expiry (resched_curr_lazy() asks for a full
		 * reschedule there); from hrtick() the slice expiry.
		 */
		upgrade = local && tif == TIF_NEED_RESCHED &&
			  (r->in_hrtick ||
			   (r->in_tick && (r->in_lazy ||
					   (!r->in_class_tick &&
					    test_tsk_thread_flag(p, TIF_NEED_RESCHED_LAZY)))));
	}
	/* Taken: a later request of this CPU is classified by its own marks. */
	r->in_lazy = false;
	r->in_dl = false;
	/* Before the bit: the target reads this after it sees the bit. */
	smp_store_release(&e->fair_request, fair || upgrade ? p : NULL);
	/* This CPU's own candidate: decided where this CPU acts on the bit. */
	if (local && (fair || upgrade) && r->candidate == p) {
		r->pending_upgrade = (r->pending == p && r->pending_upgrade) || upgrade;
		r->pending_user = r->tick_user;
		r->pending = p;
	}
}

/*
 * This CPU is about to act on a pending request, if any: its own or
 * another CPU's. Interrupts off.
 */
void ph_request_check(void)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);
	struct task_struct *p = current, *own = r->pending;
	unsigned long ti = read_thread_flags();
	bool upgrade = false, from_user = false;

	r->pending = NULL;
	if (likely(!(ti & (_TIF_NEED_RESCHED | _TIF_NEED_RESCHED_LAZY)) || r->candidate != p))
		return;
	if (own == p) {
		upgrade = r->pending_upgrade;
		from_user = r->pending_user;
	} else {
		/* Pairs with the release in ph_request_made(): the bit, then what set it. */
		smp_rmb();
		if (READ_ONCE(this_cpu_ptr(&ph_exts)->fair_request) != p)
			return;
	}
	if (!static_branch_unlikely(&ph_policy_active))
		return;
	ph_decide_here(p, ti & _TIF_NEED_RESCHED ? TIF_NEED_RESCHED : TIF_NEED_RESCHED_LAZY,
		       upgrade, from_user);
}

/*
 * An interrupt's end (irq_exit_rcu(), which runs softirqs) or a page
 * fault: only a candidate's return needs looking at.
 */
bool ph_request_exit_wanted(void)
{
	return this_cpu_read(ph_requests.candidate) == current;
}

void ph_request_exit(void)
{
	unsigned long flags;

	local_irq_save(flags);
	ph_request_check();
	local_irq_restore(flags);
}

/*
 * Before the request hooks are attached again: a hook taken away between
 * its entry and exit handlers left its CPU's flags set (inside the tick),
 * and marks and candidates are from the last time they were attached. No
 * handler that reads them runs while they are detached, and the one that
 * runs (sched_switch) only clears them too: the policy key is off.
 */
void ph_request_forget(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ph_request *r = per_cpu_ptr(&ph_requests, cpu);

		WRITE_ONCE(r->candidate, NULL);
		WRITE_ONCE(r->in_lazy, false);
		WRITE_ONCE(r->in_dl, false);
		WRITE_ONCE(r->in_tick, false);
		WRITE_ONCE(r->in_class_tick, false);
		WRITE_ONCE(r->in_hrtick, false);
		WRITE_ONCE(r->tick_user, false);
		WRITE_ONCE(r->pending, NULL);
	}
	ph_ext_forget();
}
