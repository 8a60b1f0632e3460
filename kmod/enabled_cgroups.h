/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tasks may be deferred: per cgroup v2 (a cgroup and its descendants),
 * with a grace and a mode. Read under RCU from the scheduler hooks, changed
 * under a mutex from generic netlink.
 */
#ifndef _PREEMPTHINT_ENABLED_CGROUPS_H
#define _PREEMPTHINT_ENABLED_CGROUPS_H

#include <linux/jump_label.h>
#include <linux/list.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "stats.h"

struct cgroup;

struct ph_policy {
	struct list_head node;
	struct cgroup *cgrp;	/* reference held while enabled; follows a recreated cgroup */
	struct cgroup *stale;	/* the one it replaced, until readers are done */
	char *path;		/* as given at enable time, relative to the v2 root */
	u32 grace_us;
	u32 mode;		/* PREEMPTHINT_MODE_* */
	struct ph_stats stats;
	struct rcu_head rcu;
};

/* True while the global switch is on and at least one cgroup is enabled. */
DECLARE_STATIC_KEY_FALSE(ph_policy_active);

int ph_policy_init(void);
void ph_policy_exit(void);

/* The most specific enabled cgroup containing @p, or NULL. Caller holds RCU. */
struct ph_policy *ph_policy_match(struct task_struct *p);

int ph_policy_enable(const char *path, u32 grace_us, u32 mode, struct netlink_ext_ack *extack);
int ph_policy_disable(const char *path, struct netlink_ext_ack *extack);
int ph_policy_set_enabled(bool on, struct netlink_ext_ack *extack);
bool ph_policy_enabled(void);
void ph_policy_set_default_grace(u32 grace_us);
u32 ph_policy_default_grace(void);
void ph_policy_reset_stats(void);
void ph_policy_cgroup_created(void);

/* Dump support: the @index-th policy, or NULL past the end. Caller holds RCU. */
struct ph_policy *ph_policy_nth(unsigned long index);
/* Changes whenever a policy is added or removed (never 0). */
unsigned int ph_policy_generation(void);

#endif /* _PREEMPTHINT_ENABLED_CGROUPS_H */
