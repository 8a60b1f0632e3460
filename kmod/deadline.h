/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PREEMPTHINT_DEADLINE_H
#define _PREEMPTHINT_DEADLINE_H

#include <linux/sched.h>
#include <linux/types.h>

/*
 * Push back the virtual deadline of @p, the current task of a runqueue the
 * caller has locked, by what @ns of running advances its virtual time.
 * Returns the deadline it leaves, or 0 when it leaves it alone.
 */
u64 ph_deadline_push(struct task_struct *p, u64 ns);

/* The deadline @p has now (read under the same lock). */
static inline u64 ph_deadline_of(struct task_struct *p)
{
	return READ_ONCE(p->se.deadline);
}

#endif /* _PREEMPTHINT_DEADLINE_H */
