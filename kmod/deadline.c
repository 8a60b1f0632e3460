// SPDX-License-Identifier: GPL-2.0
/*
 * An extension must not move its task up the fair scheduler's queue.
 *
 * EEVDF runs, of the tasks owed service, the one with the earliest virtual
 * deadline, and a task's deadline is set when its slice starts. Most
 * requests an extension withholds are the end of a slice, and by then the
 * scheduler has already started the next one; the extension runs that slice
 * down. Switched out when the extension ends, the task waits with what is
 * left of it, an early deadline, and once it is owed service it is picked
 * ahead of a task that woke with a whole slice to run. In exact emulated
 * time, under a thousand spinning abusers with 1 ms of grace, another
 * cgroup's woken task sat through up to 75 such picks, its p99 wait 9-25 ms
 * against 0.7-2 ms without the module (tests/guest/t/55-abuse.sh).
 *
 * So a withheld request moves the task's deadline back by what the
 * extension may run, in the task's virtual time: it leaves the extension
 * with at least the slice it had when the request came. Only the deadline
 * moves, never vruntime: what the task ran is charged in full, and it can
 * only lose its place in line, never gain one.
 *
 * Safe because of where it runs: at __resched_curr()'s return, the runqueue
 * locked and @p its current task, which the fair class keeps out of its tree
 * (update_curr() writes the same field under the same lock).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/sched.h>

#include "deadline.h"

/* The fair class's unit weight (NICE_0_LOAD, private to kernel/sched/). */
#define PH_NICE_0_LOAD	(1UL << 20)

u64 ph_deadline_push(struct task_struct *p, u64 ns)
{
	struct sched_entity *se = &p->se;
	unsigned long weight;

	/*
	 * With proxy execution the running task may not be the one whose
	 * entity the fair class holds out of its tree; a sched_ext task has
	 * no queued entity.
	 */
	if (IS_ENABLED(CONFIG_SCHED_PROXY_EXEC) || !se->on_rq || !ns)
		return 0;
#ifdef PH_SE_H_LOAD
	/* Debian 7.3's flattened cgroup pick: virtual time runs by h_load. */
	weight = se->h_load.weight;
#else
	weight = se->load.weight;
#endif
	if (!weight)
		return 0;
	se->deadline += div64_ul(ns * PH_NICE_0_LOAD, weight);
	return se->deadline;
}
