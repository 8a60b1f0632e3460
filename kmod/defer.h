/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_DEFER_H
#define _PREEMPTHINT_DEFER_H

#include <linux/sched.h>

int ph_defer_init(void);
void ph_defer_end_all(void);
void ph_defer_forget_requests(void);
void ph_defer_exit(void);
const char *ph_preempt_model(void);	/* "lazy", "full", "rt" or "other" */

/* Called by the hooks (hooks.c), always with preemption disabled. */
void ph_defer_resched_enter(void);
void ph_defer_resched_exit(void);
void ph_defer_lazy_enter(void);
void ph_defer_arrival_enter(struct task_struct *p);
void ph_defer_arrival_exit(void);
void ph_defer_tick_enter(bool hrtick);
void ph_defer_tick_exit(bool hrtick);
void ph_defer_need_resched(struct task_struct *p, int cpu, int tif);
void ph_defer_switch(bool preempt, struct task_struct *prev, unsigned int prev_state);
void ph_defer_yield(void);
void ph_defer_wakeup(struct task_struct *p);

#endif /* _PREEMPTHINT_DEFER_H */
