/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The extension running on each CPU: granted, timed and withdrawn on the
 * CPU its task runs on, with interrupts off (request.c decides). Other CPUs
 * never withhold anything; they only tell a CPU what kind of request they
 * made for its task, and end its extension when an RT or deadline task
 * arrives there.
 */
#ifndef _PREEMPTHINT_EXTENSION_H
#define _PREEMPTHINT_EXTENSION_H

#include <linux/hrtimer.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/spinlock.h>

struct ph_ext {
	/* Orders grants against RT/DL arrivals and the ends other CPUs make. */
	raw_spinlock_t lock;
	struct task_struct *task;	/* extended task (this CPU's current), or NULL */
	u64 seq;			/* bumped at each grant */
	u64 start_ns;
	u32 mode;			/* PREEMPTHINT_MODE_HINT or _KERNEL */
	bool used;			/* granted since the task last entered the scheduler */
	bool rt_arrived;		/* an RT/DL task arrived since this CPU last switched */
	int cpu;
	/* Pinned: armed and cancelled on this CPU only, interrupts off. */
	struct hrtimer timer;
	u64 timer_seq;			/* the grant it was armed for */

	/*
	 * What the latest reschedule request for this CPU's task was, written
	 * by the CPU that made it before it set the bit (request.c): the task,
	 * if the request came from the fair class and may be withheld; NULL
	 * otherwise. This CPU reads it after seeing the bit.
	 */
	struct task_struct *fair_request;
};

DECLARE_PER_CPU(struct ph_ext, ph_exts);

int ph_ext_init(void);
void ph_ext_exit(void);
void ph_ext_end_all(void);
void ph_ext_forget(void);
const char *ph_preempt_model(void);	/* "lazy", "full", "rt" or "other" */

/* Caller holds e->lock, on e's CPU, interrupts off; @p is current. */
void ph_ext_start(struct ph_ext *e, struct task_struct *p, u32 mode, u32 grace_us, int tif);
void ph_ext_withdraw(struct ph_ext *e, struct task_struct *p, u32 mode);

/* From the hooks, preemption disabled. */
void ph_ext_switch(bool preempt, struct task_struct *prev, unsigned int prev_state);
void ph_ext_yield(void);
void ph_ext_rt_arrival(struct task_struct *p, int cpu);

#endif /* _PREEMPTHINT_EXTENSION_H */
