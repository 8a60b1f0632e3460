// SPDX-License-Identifier: GPL-2.0
/*
 * Who waits behind an extension: per CPU, the queued fair tasks that are
 * outside every enabled cgroup, and whether an extension has ended on that
 * CPU since each started waiting.
 *
 * An extension delays whoever is queued on its CPU. The enabled service's
 * own tasks pay for it, which is what the operator enabled; another
 * service's should not. So request.c grants nothing on a CPU while a fair task
 * outside every enabled cgroup is queued there: it runs first. Bounding each
 * of its waits to one extension was not enough: in exact guest time
 * (docs/hint-abuse.md) the extensions granted around a waiting probe,
 * and the yields ending them, left spinners' EEVDF deadlines ahead of the
 * probe's, and its p99 grew by more than a grace in half the runs.
 *
 * The looser rule stays as the parameter one_per_wait, for A/B runs: a
 * waiter then blocks grants only once an extension has ended on its CPU
 * while it waited (a chain of extensions is what must not happen: with many
 * hinted tasks on a CPU, each scheduling decision the waiter sits through
 * could go to another hinted task with an extension of its own).
 *
 * "Through the end" is counted, not timed: each CPU's set counts the
 * extensions that ended there, and a waiter notes the count when it starts
 * waiting. Both happen under the set's lock, so whether a wakeup came before
 * or after an extension's end is decided by the lock's order, whichever CPU
 * the wakeup ran on and however its clock compares with this CPU's.
 *
 * A task is queued from its arrival (wakeup_preempt: woken, new or moved
 * there; before any request made for it) or its preemption (sched_switch, still runnable) until
 * it is switched in;
 * sched_migrate_task moves it between CPUs while queued, and one that had
 * already waited through an end blocks grants on its new CPU at once (it may
 * still find an extension running there: a migrated wait can sit behind
 * two). Tasks of enabled cgroups are not tracked: they trade extensions
 * among themselves, which is what the operator enabled. The set is small and
 * fixed; a waiter that finds it full is only counted, and the count blocks
 * grants too until as many outside tasks not in the set have been switched
 * in there (uncounted, a waiter could sit behind any number of extensions:
 * a starved guest can queue more kernel threads on a CPU than the set holds,
 * the likeliest reading of one wait behind two in CI run 28). A count left
 * by an untracked task that migrated errs on the side of fewer grants, until
 * the CPU idles. Under one_per_wait the count is ignored, as before: those
 * waiters may wait behind more than one extension, which costs bounds, never
 * safety. A CPU that goes idle has nobody waiting, so its set is emptied
 * there; sets are kept only while a policy is active, and a new generation
 * starts each time one becomes active, so entries left from an earlier
 * period never block a grant.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched/rt.h>
#include <linux/spinlock.h>

#include "enabled_cgroups.h"
#include "waiters.h"

#define PH_WAITERS_MAX 32

static bool one_per_wait;
module_param(one_per_wait, bool, 0644);
MODULE_PARM_DESC(one_per_wait,
		 "let another cgroup's queued task wait behind one extension (default: none)");

struct ph_waiter {
	struct task_struct *task;	/* compared, never dereferenced */
	u32 ends_seen;			/* the set's @ends when it started waiting */
};

struct ph_waiters {
	raw_spinlock_t lock;
	unsigned int gen;
	unsigned int nr;
	unsigned int untracked;		/* outside tasks queued here, the set full */
	u32 ends;			/* extensions that ended on this CPU */
	struct ph_waiter w[PH_WAITERS_MAX];
};

static DEFINE_PER_CPU(struct ph_waiters, ph_waiters);
static atomic_t ph_waiters_gen = ATOMIC_INIT(0);

static bool ph_waiters_on(void)
{
	return static_branch_unlikely(&ph_policy_active);
}

/* A fair task no enabled cgroup covers, or a kernel thread: it serves everyone. */
static bool ph_outside_fair(struct task_struct *p)
{
	bool outside;

	if (rt_or_dl_task(p) || is_idle_task(p))
		return false;
	if (p->flags & PF_KTHREAD)
		return true;
	rcu_read_lock();
	outside = !ph_policy_match(p);
	rcu_read_unlock();
	return outside;
}

/* Lock @cpu's set, emptying it if it is from an earlier generation. */
static struct ph_waiters *ph_waiters_lock(int cpu)
{
	struct ph_waiters *s = per_cpu_ptr(&ph_waiters, cpu);
	unsigned int gen = atomic_read(&ph_waiters_gen);

	raw_spin_lock(&s->lock);
	if (s->gen != gen) {
		s->gen = gen;
		s->nr = 0;
		s->untracked = 0;
	}
	return s;
}

static int ph_waiters_find(struct ph_waiters *s, struct task_struct *p)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		if (s->w[i].task == p)
			return i;
	return -1;
}

/*
 * Add @p unless it is there already. @through: it has waited through an
 * extension's end elsewhere, so it counts as having done so here too.
 */
static void ph_waiters_add(int cpu, struct task_struct *p, bool through)
{
	struct ph_waiters *s = ph_waiters_lock(cpu);

	if (ph_waiters_find(s, p) < 0) {
		if (s->nr < PH_WAITERS_MAX) {
			s->w[s->nr].task = p;
			s->w[s->nr].ends_seen = through ? s->ends - 1 : s->ends;
			s->nr++;
		} else {
			s->untracked++;
		}
	}
	raw_spin_unlock(&s->lock);
}

/*
 * Take @p out. Returns whether it was there; *@through (if wanted), whether
 * an extension ended on @cpu while it waited.
 */
static bool ph_waiters_del(int cpu, struct task_struct *p, bool *through)
{
	struct ph_waiters *s = ph_waiters_lock(cpu);
	int i = ph_waiters_find(s, p);

	if (i >= 0) {
		if (through)
			*through = s->w[i].ends_seen != s->ends;
		s->w[i] = s->w[--s->nr];
	}
	raw_spin_unlock(&s->lock);
	return i >= 0;
}

/* @p is switched in on @cpu: it waits no more. */
static void ph_waiters_switched_in(int cpu, struct task_struct *p)
{
	struct ph_waiters *s;

	if (ph_waiters_del(cpu, p, NULL))
		return;
	/* Not in the set: if it is another service's task, one of the counted. */
	if (!READ_ONCE(per_cpu_ptr(&ph_waiters, cpu)->untracked) || !ph_outside_fair(p))
		return;
	s = ph_waiters_lock(cpu);
	if (s->untracked)
		s->untracked--;
	raw_spin_unlock(&s->lock);
}

/*
 * @p arrives on its CPU (woken, new or moved), before the scheduler asks for
 * the CPU on its behalf: a CPU that sees that request sees the waiter too.
 */
void ph_waiters_arrived(struct task_struct *p)
{
	/* Woken while still on its CPU: it never left, so it does not wait. */
	if (!ph_waiters_on() || READ_ONCE(p->on_cpu) || !ph_outside_fair(p))
		return;
	ph_waiters_add(task_cpu(p), p, false);
}

void ph_waiters_migrate(struct task_struct *p, int dest_cpu)
{
	bool through = false;

	/* Only a queued task carries its wait along; a waking one is added on arrival. */
	if (!ph_waiters_on() || !READ_ONCE(p->on_rq) || p->se.sched_delayed)
		return;
	if (ph_waiters_del(task_cpu(p), p, &through))
		ph_waiters_add(dest_cpu, p, through);
}

void ph_waiters_switch(struct task_struct *prev, bool prev_queued, struct task_struct *next)
{
	int cpu = smp_processor_id();
	struct ph_waiters *s = per_cpu_ptr(&ph_waiters, cpu);

	if (!ph_waiters_on())
		return;
	if (is_idle_task(next)) {
		s = ph_waiters_lock(cpu);
		s->nr = 0;
		s->untracked = 0;
		raw_spin_unlock(&s->lock);
	} else if (READ_ONCE(s->nr) || READ_ONCE(s->untracked)) {
		ph_waiters_switched_in(cpu, next);
	}
	if (prev_queued && ph_outside_fair(prev))
		ph_waiters_add(cpu, prev, false);
}

bool ph_waiters_blocking(int cpu)
{
	struct ph_waiters *s = per_cpu_ptr(&ph_waiters, cpu);
	bool blocking = false;
	unsigned int i;

	if (!READ_ONCE(s->nr) && !READ_ONCE(s->untracked))
		return false;
	/* Under the lock: a set left from an earlier generation is emptied. */
	s = ph_waiters_lock(cpu);
	if (!READ_ONCE(one_per_wait))
		blocking = s->nr || s->untracked;
	for (i = 0; i < s->nr && !blocking; i++)
		blocking = s->w[i].ends_seen != s->ends;
	raw_spin_unlock(&s->lock);
	return blocking;
}

void ph_waiters_extension_ended(int cpu)
{
	struct ph_waiters *s = ph_waiters_lock(cpu);

	s->ends++;
	raw_spin_unlock(&s->lock);
}

void ph_waiters_restart(void)
{
	atomic_inc(&ph_waiters_gen);
}

void ph_waiters_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		raw_spin_lock_init(&per_cpu_ptr(&ph_waiters, cpu)->lock);
}
