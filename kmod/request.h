/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_REQUEST_H
#define _PREEMPTHINT_REQUEST_H

#include <linux/sched.h>

/* Called by the hooks (hooks.c), always with preemption disabled. */
void ph_request_lazy_enter(void);
void ph_request_arrival(struct task_struct *p);
void ph_request_tick_enter(bool hrtick);
void ph_request_tick_exit(bool hrtick);
void ph_request_class_tick_enter(void);
void ph_request_class_tick_exit(void);
void ph_request_dl_throttle(void);
void ph_request_made(struct task_struct *p, int cpu, int tif);
void ph_request_schedule(void);
void ph_request_switch(struct task_struct *next);
bool ph_request_candidate(struct task_struct *p);	/* may this CPU's @p be extended? */

/*
 * Where this CPU acts on a pending request next: the reschedule IPI's end
 * (interrupts off: check), the return of irq_exit_rcu() or of a page
 * fault (exit_wanted at entry, then exit).
 */
void ph_request_check(void);
bool ph_request_exit_wanted(void);
void ph_request_exit(void);

void ph_request_forget(void);

#endif /* _PREEMPTHINT_REQUEST_H */
