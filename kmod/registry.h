/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Threads that registered a hint slot. The slot lives in the thread's own
 * memory; the module pins that page and reads it through the kernel's
 * mapping, so the scheduler hooks never touch user memory (no faults, any
 * CPU) and nothing of the module stays in the task once it unloads.
 */
#ifndef _PREEMPTHINT_REGISTRY_H
#define _PREEMPTHINT_REGISTRY_H

#include <linux/rhashtable-types.h>
#include <linux/sched.h>

#include "preempthint.h"

struct page;
struct user_struct;

struct ph_task {
	struct rhash_head node;
	struct task_struct *task;		/* key; reference held */
	struct preempthint_slot *slot;		/* kernel mapping of the pinned page */
	struct page *page;
	struct user_struct *user;	/* its locked_vm holds the page; NULL: exempt */
	bool outside;		/* counted in the outside pool */
	bool penalized;		/* overran a grace: no grant until it yields */
	bool revoked;		/* wrote garbage: no grant until it re-registers */
	struct rcu_head rcu;
};

int ph_registry_init(void);
void ph_registry_exit(void);

int ph_registry_add(unsigned long slot_addr);	/* for current */
int ph_registry_remove(struct task_struct *p);
struct ph_task *ph_registry_find(struct task_struct *p);	/* caller holds RCU */
u32 ph_registry_count(void);	/* slots held, those being given back too */

/*
 * The nesting depth the thread published, or -1 when the word holds garbage
 * (the thread then loses its extension for good).
 */
int ph_task_nest(struct ph_task *t);

/* Kernel-owned slot fields. Several CPUs may update flags at once. */
void ph_slot_flags(struct ph_task *t, u32 set, u32 clear);

static inline void ph_slot_bump(u32 *counter)
{
	WRITE_ONCE(*counter, READ_ONCE(*counter) + 1);
}

#endif /* _PREEMPTHINT_REGISTRY_H */
