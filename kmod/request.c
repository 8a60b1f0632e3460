// SPDX-License-Identifier: GPL-2.0
/*
 * Reschedule requests: what asked for each, where it is decided, and the
 * rules that grant an extension or refuse one.
 *
 * Every request of the scheduler goes through __resched_curr(), which fires
 * sched_set_need_resched_tp (naming the target task and CPU) just before it
 * sets TIF_NEED_RESCHED_LAZY or TIF_NEED_RESCHED. The hooks around it tell
 * what asked:
 * - fair: resched_curr_lazy() (slice expiry in update_curr(), wakeup
 *   preemption by a fair task), unless a deadline entity just throttled
 *   (sched_dl_throttle_tp): the fair server handing the CPU back to RT;
 * - the upgrade: sched_tick() turning a lazy request still pending a tick
 *   later into a full one, before the class's own tick runs; and the
 *   hrtick's slice expiry for this CPU's task;
 * - anything else (RT, deadline, stop, sched_ext, migration, priority
 *   changes, the dl server, RCU, our own hand-backs): never withheld.
 *
 * Decided only where the target runs, with interrupts off:
 * - a request for this CPU's own task at __resched_curr()'s return, or,
 *   made in a hardirq, where that returns: the extension's grace starts
 *   when its task gets the CPU back;
 * - a request from another CPU where this CPU acts on it next: at the end
 *   of an interrupt (irq_exit_rcu(), and x86's reschedule IPI, which does
 *   not go through it), at the end of a page fault, or at the tick, which
 *   upgrades a lazy request. The requesting CPU only publishes, before it
 *   sets the bit, whether its request may be withheld (ph_ext.fair_request);
 *   the target reads that after seeing the bit. A request that finds the
 *   bit already set makes no trace: an RT or deadline task behind it is
 *   caught by its wakeup or migration (ph_ext_rt_arrival), under the lock
 *   the grant takes.
 * A request the target acts on before it decides (a syscall's return) is
 * honoured as made. Upstream's time-slice extension decides at the same
 * place, the target's return from an interrupt; this adds the page fault.
 *
 * The rules (ph_decide) in order: only fair tasks of an enabled cgroup;
 * hint mode needs a section (nest > 0) and a task neither revoked nor
 * penalized; kernel mode only the tick's upgrade of a task in the kernel;
 * none while another service's task has a request standing here, or an RT
 * or deadline task arrived; one grant per scheduling stint; none while
 * another service's task waits here that an extension already delayed
 * (waiters.c).
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
	bool in_resched;		/* inside __resched_curr() */
	bool in_lazy;			/* ... called by resched_curr_lazy() */
	bool in_tick;			/* inside sched_tick() */
	bool in_class_tick;		/* ... past the upgrade, in the class's tick */
	bool in_hrtick;			/* inside hrtick(): the slice timer */
	bool in_dl;			/* a deadline entity throttled: its request next */
	bool tick_user;			/* the tick or hrtick interrupted user mode */
	bool outsider_arrives;		/* inside wakeup_preempt() for another service's task */
	/* A request for this CPU's task, decided at __resched_curr()'s return. */
	struct task_struct *cand;
	int cand_tif;
	bool cand_upgrade;
	/* ... or, made in a hardirq, at its return (after the softirqs). */
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
	PH_REFUSE_OUTSIDER,	/* another service's task asked for this CPU */
	PH_REFUSE_RT,		/* an RT or deadline task arrived here */
	PH_REFUSE_USED,		/* granted once already in this stint */
	PH_REFUSE_WAITER,	/* another service's task waited through one */
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
	/*
	 * Another service's task that the scheduler wants to run now is never
	 * kept waiting, not even by an extension already running.
	 */
	if (READ_ONCE(e->outsider_request))
		return PH_REFUSE_OUTSIDER;
	if (e->rt_arrived)
		return PH_REFUSE_RT;
	if (e->task == p) {
		*mode = e->mode;
		return PH_CONTINUE;
	}
	if (e->task || e->used)
		return PH_REFUSE_USED;
	if (!READ_ONCE(hold_outsiders) && ph_waiters_blocking(e->cpu))
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

	if (unlikely(rt_or_dl_task(p) || is_idle_task(p) || (p->flags & PF_KTHREAD)))
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

void ph_request_resched_enter(void)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);

	r->in_resched = true;
	r->cand = NULL;
}

void ph_request_resched_exit(void)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);
	struct task_struct *p = r->cand;

	r->in_resched = false;
	r->in_lazy = false;
	r->in_dl = false;
	r->cand = NULL;
	/* The bit is set now, by this CPU, for its own task. */
	if (!p || p != current || !static_branch_unlikely(&ph_policy_active))
		return;
	/*
	 * Made in a hardirq (the tick, the hrtick, a wakeup from the wake
	 * list): decided where the interrupt returns, so that an extension
	 * starts when its task gets the CPU back, not before the rest of the
	 * interrupt and its softirqs.
	 */
	if (in_hardirq()) {
		r->pending_upgrade = (r->pending == p && r->pending_upgrade) || r->cand_upgrade;
		r->pending_user = r->tick_user;
		r->pending = p;
		return;
	}
	ph_decide_here(p, r->cand_tif, r->cand_upgrade, r->tick_user);
}

/* This CPU switched tasks: what was pending for the last one is moot. */
void ph_request_switch(void)
{
	this_cpu_write(ph_requests.pending, NULL);
}

void ph_request_lazy_enter(void)
{
	this_cpu_write(ph_requests.in_lazy, true);
}

/*
 * A deadline entity throttled on this CPU: the fair server's, when RT tasks
 * starved the fair ones, or a deadline task's. The request update_curr_dl_se()
 * makes next hands the CPU on, and is the deadline class's. If none follows,
 * the mark stays until the next request or tick ends: it only ever makes a
 * request pass.
 */
void ph_request_dl_throttle(void)
{
	this_cpu_write(ph_requests.in_dl, true);
}

/*
 * @p becomes runnable here (woken, new or moved) and the scheduler considers
 * preempting for it. The same lookup, the only one a wakeup pays for, tells
 * the waiter sets about another service's task that now waits here.
 */
void ph_request_arrival_enter(struct task_struct *p)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);
	bool outside = false;

	if (static_branch_unlikely(&ph_policy_active) && !rt_or_dl_task(p)) {
		rcu_read_lock();
		outside = !ph_policy_match(p);
		rcu_read_unlock();
		if (outside)
			ph_waiters_arrived(p);
	}
	r->outsider_arrives = (outside || (p->flags & PF_KTHREAD)) && !READ_ONCE(hold_outsiders);
}

void ph_request_arrival_exit(void)
{
	this_cpu_write(ph_requests.outsider_arrives, false);
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
 * CPU. Also fired by set_tsk_need_resched() (RCU, our own hand-backs), with
 * the caller's CPU: never ours, and aimed at @p's CPU.
 */
void ph_request_made(struct task_struct *p, int cpu, int tif)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);
	bool fair = false, upgrade = false, local;
	struct ph_ext *e;

	if (!r->in_resched)
		cpu = task_cpu(p);
	e = per_cpu_ptr(&ph_exts, cpu);
	local = cpu == smp_processor_id();
	if (r->in_resched && !r->in_dl) {
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
	r->in_lazy = false;
	if (r->outsider_arrives)
		WRITE_ONCE(e->outsider_request, true);
	/* Before the bit: the target reads this after it sees the bit. */
	smp_store_release(&e->fair_request, fair || upgrade ? p : NULL);
	if (local && (fair || upgrade)) {
		r->cand = p;
		r->cand_tif = tif;
		r->cand_upgrade = upgrade;
	}
}

/*
 * This CPU is about to act on a pending request, if any: its own, made in
 * the hardirq that returns now, or another CPU's. Interrupts off.
 */
void ph_request_check(void)
{
	struct ph_request *r = this_cpu_ptr(&ph_requests);
	struct task_struct *p = current, *own = r->pending;
	unsigned long ti = read_thread_flags();
	bool upgrade = false, from_user = false;

	r->pending = NULL;
	if (likely(!(ti & (_TIF_NEED_RESCHED | _TIF_NEED_RESCHED_LAZY))))
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
 * fault: only a thread with a hint to honour needs its return looked at.
 */
bool ph_request_exit_wanted(void)
{
	bool registered;

	if (this_cpu_read(ph_requests.pending))
		return true;
	if (!static_branch_unlikely(&ph_policy_active) || !ph_registry_count())
		return false;
	rcu_read_lock();
	registered = ph_registry_find(current);
	rcu_read_unlock();
	return registered;
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
 * its entry and exit handlers left its CPU's flags set (inside the tick,
 * inside a request). No handler that reads them runs while they are
 * detached, and the one that runs (sched_switch) only clears them too.
 */
void ph_request_forget(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ph_request *r = per_cpu_ptr(&ph_requests, cpu);

		WRITE_ONCE(r->in_resched, false);
		WRITE_ONCE(r->in_lazy, false);
		WRITE_ONCE(r->in_tick, false);
		WRITE_ONCE(r->in_class_tick, false);
		WRITE_ONCE(r->in_hrtick, false);
		WRITE_ONCE(r->in_dl, false);
		WRITE_ONCE(r->tick_user, false);
		WRITE_ONCE(r->outsider_arrives, false);
		WRITE_ONCE(r->cand, NULL);
		WRITE_ONCE(r->pending, NULL);
	}
	ph_ext_forget();
}
