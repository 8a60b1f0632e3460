// SPDX-License-Identifier: GPL-2.0
/*
 * The table of registered threads: an rhashtable keyed by task_struct
 * pointer, looked up locklessly under RCU from the scheduler hooks. Entries
 * leave it when the thread unregisters, exits or execs, and when the module
 * unloads; the page is unpinned and the task released after an RCU grace
 * period, so a hook that found the entry can still read the slot safely.
 *
 * Any user may register (the device is 0666), so what a registration holds
 * is bounded and charged, and stays counted until it is given back (after
 * the grace period, when the page is unpinned): churn cannot hold more than
 * the limits.
 * - The pinned page is charged to the user's locked_vm against
 *   RLIMIT_MEMLOCK, as io_uring and RDMA charge theirs (CAP_IPC_LOCK is
 *   exempt): past it, ENOMEM, as mlock() says.
 * - A thread outside every enabled hint-mode cgroup when it registers (the
 *   A/B experiment's disabled side, or any other user) draws on a pool of
 *   its own, max_registered_outside: a flood of them, under as many uids as
 *   a user namespace can mint, cannot take the enabled services' share of
 *   max_registered. Either full: ENOSPC.
 * Refusals are counted (registration_refusals), globally and, for a thread
 * in an enabled cgroup, in its policy's counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/hash.h>
#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/rhashtable.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/user.h>
#include <linux/slab.h>

#include "enabled_cgroups.h"
#include "registry.h"
#include "stats.h"

static unsigned int max_registered = 65536;
module_param(max_registered, uint, 0644);
MODULE_PARM_DESC(max_registered, "most threads that may hold a hint slot at once");

static unsigned int max_registered_outside = 1024;
module_param(max_registered_outside, uint, 0644);
MODULE_PARM_DESC(max_registered_outside,
		 "of those, most that were outside every enabled hint-mode cgroup when they registered");

static const struct rhashtable_params ph_task_params = {
	.key_len = sizeof(struct task_struct *),
	.key_offset = offsetof(struct ph_task, task),
	.head_offset = offsetof(struct ph_task, node),
	.automatic_shrinking = true,
};

static struct rhashtable ph_tasks;

/*
 * Every context switch on the host asks whether the task leaving is
 * registered. A counting filter answers for almost all that are not with one
 * load: a task's counter is above zero from before it enters the table until
 * after it has left, so a zero means no entry; a collision only costs the
 * table lookup it would have done anyway.
 */
#define PH_FILTER_BITS 12
static atomic_t ph_filter[1 << PH_FILTER_BITS];

static atomic_t *ph_filter_of(struct task_struct *p)
{
	return &ph_filter[hash_ptr(p, PH_FILTER_BITS)];
}

static atomic_t ph_nr_held = ATOMIC_INIT(0);		/* until given back */
static atomic_t ph_nr_outside = ATOMIC_INIT(0);		/* of those, the outside pool's */

struct ph_task *ph_registry_find(struct task_struct *p)
{
	if (!atomic_read(ph_filter_of(p)))
		return NULL;
	return rhashtable_lookup(&ph_tasks, &p, ph_task_params);
}

u32 ph_registry_count(void)
{
	return atomic_read(&ph_nr_held);
}

/*
 * Revocations are decided with the target's runqueue locked, where printk()
 * could try to wake a console waiter and take a runqueue lock again, and
 * printk_deferred() is not exported to modules: an irq_work reports them
 * (rate-limited, since any thread can cause one). When several come at
 * once, the last one is named and the others counted.
 */
static atomic_t ph_revoked_unreported = ATOMIC_INIT(0);
static pid_t ph_revoked_pid;
static u32 ph_revoked_word;

static void ph_revoke_report(struct irq_work *work)
{
	int n = atomic_xchg(&ph_revoked_unreported, 0);

	if (n)
		pr_warn_ratelimited("thread %d wrote %#x to its hint word; extension revoked (%d since the last report)\n",
				    READ_ONCE(ph_revoked_pid), READ_ONCE(ph_revoked_word), n);
}

static DEFINE_IRQ_WORK(ph_revoke_work, ph_revoke_report);

int ph_task_nest(struct ph_task *t)
{
	u32 nest;

	/*
	 * Revoked for good: a thread that wrote garbage once may write a
	 * valid depth next, and must still get nothing. Every call is made
	 * on the task's own CPU with interrupts off (request.c), so no grant
	 * can slip in between the revocation and this check.
	 */
	if (unlikely(READ_ONCE(t->revoked)))
		return -1;
	nest = READ_ONCE(t->slot->nest);
	if (likely(nest <= PREEMPTHINT_NEST_MAX))
		return nest;
	WRITE_ONCE(t->revoked, true);
	ph_slot_flags(t, PREEMPTHINT_F_REVOKED, PREEMPTHINT_F_GRANTED);
	WRITE_ONCE(ph_revoked_pid, task_pid_nr(t->task));
	WRITE_ONCE(ph_revoked_word, nest);
	atomic_inc(&ph_revoked_unreported);
	irq_work_queue(&ph_revoke_work);
	return -1;
}

/*
 * The flags word is in the thread's memory, and the thread (or another one
 * sharing the page) may store to it at any time. A compare-and-swap loop
 * could then retry for as long as they keep storing, with a runqueue lock
 * held; two unconditional atomic operations always finish. A reader may see
 * the state between them, which no flag combination makes harmful.
 */
void ph_slot_flags(struct ph_task *t, u32 set, u32 clear)
{
	atomic_t *flags = (atomic_t *)&t->slot->flags;

	BUILD_BUG_ON(sizeof(*flags) != sizeof(t->slot->flags));
	if (clear)
		atomic_andnot(clear, flags);
	if (set)
		atomic_or(set, flags);
}

/* Charge one pinned page to @user, as io_uring does; see the header. */
static int ph_charge_memlock(struct user_struct *user)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	long cur = atomic_long_read(&user->locked_vm);

	do {
		if (cur + 1 > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, cur + 1));
	return 0;
}

/* Any context: free_uid() takes its lock with interrupts off. */
static void ph_uncharge_memlock(struct user_struct *user)
{
	if (user) {
		atomic_long_dec(&user->locked_vm);
		free_uid(user);
	}
}

static void ph_give_place(bool outside)
{
	if (outside)
		atomic_dec(&ph_nr_outside);
	atomic_dec(&ph_nr_held);
}

/* The registration is given back only now, with its page. */
static void ph_task_free_rcu(struct rcu_head *head)
{
	struct ph_task *t = container_of(head, struct ph_task, rcu);

	unpin_user_page(t->page);
	ph_uncharge_memlock(t->user);
	ph_give_place(t->outside);
	put_task_struct(t->task);
	kfree(t);
}

static void ph_task_release(struct ph_task *t)
{
	/* The thread may outlive us (unload): tell it the slot is dead. */
	ph_slot_flags(t, 0, ~0u);
	atomic_dec(ph_filter_of(t->task));
	call_rcu(&t->rcu, ph_task_free_rcu);
}

/* The enabled hint-mode policy covering current, if any; caller holds RCU. */
static struct ph_policy *ph_registry_policy(void)
{
	struct ph_policy *pol = ph_policy_match(current);

	return pol && (READ_ONCE(pol->mode) & PREEMPTHINT_MODE_HINT) ? pol : NULL;
}

static void ph_count_refusal(void)
{
	struct ph_policy *pol;

	ph_stat_inc(&ph_global_stats, PREEMPTHINT_STAT_REGISTRATION_REFUSALS);
	rcu_read_lock();
	pol = ph_registry_policy();
	if (pol)
		ph_stat_inc(&pol->stats, PREEMPTHINT_STAT_REGISTRATION_REFUSALS);
	rcu_read_unlock();
}

/* Take a place in the count, and in the outside pool if current is outside. */
static int ph_take_place(bool *outside)
{
	rcu_read_lock();
	*outside = !ph_registry_policy();
	rcu_read_unlock();
	if (atomic_inc_return(&ph_nr_held) > max_registered)
		goto err_total;
	if (*outside && atomic_inc_return(&ph_nr_outside) > max_registered_outside)
		goto err_outside;
	return 0;

err_outside:
	atomic_dec(&ph_nr_outside);
err_total:
	atomic_dec(&ph_nr_held);
	return -ENOSPC;
}

int ph_registry_add(unsigned long slot_addr)
{
	struct user_struct *user = NULL;
	struct ph_task *t;
	struct page *page;
	bool outside;
	int ret;

	/* 32-byte aligned: the slot can never straddle two pages. */
	if (!slot_addr || !IS_ALIGNED(slot_addr, __alignof__(struct preempthint_slot)))
		return -EINVAL;
	ret = ph_take_place(&outside);
	if (ret)
		goto err_refused;
	if (!ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK)) {
		user = get_current_user();
		ret = ph_charge_memlock(user);
		if (ret) {
			free_uid(user);
			user = NULL;
			goto err_place;
		}
	}

	ret = pin_user_pages_fast(slot_addr & PAGE_MASK, 1, FOLL_WRITE | FOLL_LONGTERM, &page);
	if (ret != 1) {
		ret = ret < 0 ? ret : -EFAULT;
		goto err_charge;
	}

	/*
	 * Any user may register (the device is 0666): charge the entry to the
	 * caller's memory cgroup. A hint is optional, so under memory
	 * pressure the registration fails with ENOMEM rather than waking the
	 * OOM killer or logging an allocation failure.
	 */
	ret = -ENOMEM;
	t = kzalloc_obj(*t, GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN);
	if (!t)
		goto err_unpin;
	t->task = get_task_struct(current);
	t->user = user;
	t->outside = outside;
	t->page = page;
	t->slot = page_address(page) + offset_in_page(slot_addr);
	WRITE_ONCE(t->slot->grants, 0);
	WRITE_ONCE(t->slot->preempted, 0);
	WRITE_ONCE(t->slot->flags, PREEMPTHINT_F_REGISTERED);

	/* Counted first: a lookup that would find the entry must not skip the table. */
	atomic_inc(ph_filter_of(current));
	ret = rhashtable_lookup_insert_fast(&ph_tasks, &t->node, ph_task_params);
	if (ret) {
		atomic_dec(ph_filter_of(current));
		if (ret == -EEXIST)
			ret = -EBUSY;	/* already registered: unregister first */
		goto err_free;
	}
	return 0;

err_free:
	put_task_struct(t->task);
	kfree(t);
err_unpin:
	unpin_user_page(page);
err_charge:
	ph_uncharge_memlock(user);
err_place:
	ph_give_place(outside);
err_refused:
	if (ret == -ENOSPC || ret == -ENOMEM)
		ph_count_refusal();
	return ret;
}

/* May run in atomic context (tracepoints at exit and exec). */
int ph_registry_remove(struct task_struct *p)
{
	struct ph_task *t;

	rcu_read_lock();
	t = ph_registry_find(p);
	if (t && rhashtable_remove_fast(&ph_tasks, &t->node, ph_task_params))
		t = NULL;	/* lost a race with another remover */
	rcu_read_unlock();
	if (!t)
		return -ENOENT;
	ph_task_release(t);
	return 0;
}

int ph_registry_init(void)
{
	return rhashtable_init(&ph_tasks, &ph_task_params);
}

static void ph_task_free_at_exit(void *ptr, void *arg)
{
	ph_task_release(ptr);
}

/* After the hooks are gone. Waits for the RCU frees before returning. */
void ph_registry_exit(void)
{
	rhashtable_free_and_destroy(&ph_tasks, ph_task_free_at_exit, NULL);
	rcu_barrier();
	irq_work_sync(&ph_revoke_work);
}
