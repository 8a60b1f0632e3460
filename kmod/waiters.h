/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_WAITERS_H
#define _PREEMPTHINT_WAITERS_H

#include <linux/sched.h>
#include <linux/types.h>

/*
 * Fair tasks outside every enabled cgroup that are queued for a CPU: the
 * tasks an extension makes wait. Called by the hooks with preemption
 * disabled; times are local_clock() nanoseconds.
 */
void ph_waiters_init(void);
void ph_waiters_restart(void);	/* a policy became active: forget old sets */
void ph_waiters_wakeup(struct task_struct *p);
void ph_waiters_migrate(struct task_struct *p, int dest_cpu);
void ph_waiters_switch(struct task_struct *prev, bool prev_queued, struct task_struct *next);
bool ph_waiters_since(int cpu, u64 t);	/* one has waited on @cpu since @t or earlier */

#endif /* _PREEMPTHINT_WAITERS_H */
