/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_WAITERS_H
#define _PREEMPTHINT_WAITERS_H

#include <linux/sched.h>
#include <linux/types.h>

/*
 * Fair tasks outside every enabled cgroup that are queued for a CPU: the
 * tasks an extension makes wait. Called by the hooks with preemption
 * disabled.
 */
void ph_waiters_init(void);
void ph_waiters_restart(void);	/* a policy became active: forget old sets */
/* @p arrived on its CPU's queue; the caller found it outside every policy. */
void ph_waiters_arrived(struct task_struct *p);
void ph_waiters_migrate(struct task_struct *p, int dest_cpu);
void ph_waiters_switch(struct task_struct *prev, bool prev_queued, struct task_struct *next);
/* One of them has waited on @cpu through an extension's end: grant none. */
bool ph_waiters_blocking(int cpu);
void ph_waiters_extension_ended(int cpu);	/* caller holds that CPU's extension lock */

#endif /* _PREEMPTHINT_WAITERS_H */
