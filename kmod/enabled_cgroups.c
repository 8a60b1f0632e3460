// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroups a policy is enabled for, with each one's grace and mode. The
 * list is short (the operator enables PostgreSQL's
 * service cgroup, maybe a few), so the hot-path match is a walk comparing
 * cgroup ancestry, which is O(1) per entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "hooks.h"
#include "enabled_cgroups.h"
#include "waiters.h"
#include "wq.h"

DEFINE_STATIC_KEY_FALSE(ph_policy_active);

static void ph_policy_refresh_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ph_policy_refresh_work, ph_policy_refresh_fn);
static void ph_policy_disarm_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(ph_policy_disarm_work, ph_policy_disarm_fn);

/*
 * How long the hooks stay armed after the last policy goes: a disable
 * followed by an enable (a service restart, `apply`, a script that toggles
 * the switch) should not pay for taking nine hooks away (ftrace's text
 * patching, two RCU grace periods) and putting them back.
 */
#define PH_DISARM_DELAY (2 * HZ)

static LIST_HEAD(ph_policies);
static DEFINE_MUTEX(ph_policy_mutex);	/* serialises changes to the list */
static bool ph_switch_on = true;
/*
 * Bumped whenever a policy joins or leaves the list, so that a dump that
 * spans several messages can tell the reader it saw a moving list. Never
 * 0: the netlink core takes 0 as "no generation recorded yet".
 */
static unsigned int ph_policy_gen = 1;
static u32 ph_default_grace_us = PREEMPTHINT_GRACE_US_DEFAULT;

/* Caller holds ph_policy_mutex. */
static void ph_policy_bump_gen(void)
{
	unsigned int gen = ph_policy_gen + 1;

	WRITE_ONCE(ph_policy_gen, gen ?: 1);
}

unsigned int ph_policy_generation(void)
{
	return READ_ONCE(ph_policy_gen);
}

/*
 * Caller holds ph_policy_mutex. Fails only when a policy is to become
 * active and the hooks cannot be attached; nothing has changed then.
 */
static int ph_policy_update_key(void)
{
	bool active = READ_ONCE(ph_switch_on) && !list_empty(&ph_policies);
	int ret;

	if (active && !static_branch_unlikely(&ph_policy_active)) {
		cancel_delayed_work(&ph_policy_disarm_work);
		ret = ph_hooks_arm();
		if (ret)
			return ret;
		/* Nobody kept the waiter sets while it was off. */
		ph_waiters_restart();
		static_branch_enable(&ph_policy_active);
	} else if (!active && static_branch_unlikely(&ph_policy_active)) {
		static_branch_disable(&ph_policy_active);
		mod_delayed_work(ph_wq, &ph_policy_disarm_work, PH_DISARM_DELAY);
	}
	return 0;
}

static void ph_policy_disarm_fn(struct work_struct *work)
{
	mutex_lock(&ph_policy_mutex);
	if (!static_branch_unlikely(&ph_policy_active))
		ph_hooks_disarm();
	mutex_unlock(&ph_policy_mutex);
}

struct ph_policy *ph_policy_match(struct task_struct *p)
{
	struct ph_policy *pol, *best = NULL;
	struct cgroup *cgrp = task_dfl_cgroup(p);

	list_for_each_entry_rcu(pol, &ph_policies, node) {
		struct cgroup *anc = READ_ONCE(pol->cgrp);

		if (!cgroup_is_descendant(cgrp, anc))
			continue;
		if (!best || anc->level > READ_ONCE(best->cgrp)->level)
			best = pol;
	}
	return best;
}

struct ph_policy *ph_policy_nth(unsigned long index)
{
	struct ph_policy *pol;

	list_for_each_entry_rcu(pol, &ph_policies, node)
		if (index-- == 0)
			return pol;
	return NULL;
}

/* Caller holds ph_policy_mutex. */
static struct ph_policy *ph_policy_find(const char *path, struct cgroup *cgrp)
{
	struct ph_policy *pol;

	list_for_each_entry(pol, &ph_policies, node)
		if ((cgrp && pol->cgrp == cgrp) || (path && !strcmp(pol->path, path)))
			return pol;
	return NULL;
}

static void ph_policy_free(struct ph_policy *pol)
{
	cgroup_put(pol->cgrp);
	ph_stats_free(&pol->stats);
	kfree(pol->path);
	kfree(pol);
}

/*
 * An extended-ACK message holds 80 bytes, and the kernel logs a warning for
 * each one that is cut (so a long path made every failed request log a
 * line): paths in them are shortened to 40 characters and an ellipsis.
 */
static const char *ph_ellipsis(const char *path)
{
	return strnlen(path, 41) > 40 ? "..." : "";
}

int ph_policy_enable(const char *path, u32 grace_us, u32 mode, struct netlink_ext_ack *extack)
{
	struct ph_policy *pol;
	struct cgroup *cgrp;
	int ret;

	cgrp = cgroup_get_from_path(path);
	if (IS_ERR(cgrp)) {
		NL_SET_ERR_MSG_FMT(extack, "no cgroup %.40s%s under the cgroup v2 root",
				   path, ph_ellipsis(path));
		return PTR_ERR(cgrp);
	}

	mutex_lock(&ph_policy_mutex);
	pol = ph_policy_find(NULL, cgrp);
	if (pol) {
		/* Re-enabling updates the settings; counters keep running. */
		WRITE_ONCE(pol->grace_us, grace_us);
		WRITE_ONCE(pol->mode, mode);
		cgroup_put(cgrp);
		ret = 0;
		goto out_unlock;
	}

	ret = -ENOMEM;
	pol = kzalloc_obj(*pol, GFP_KERNEL);
	if (!pol)
		goto err_put_cgroup;
	pol->path = kstrdup(path, GFP_KERNEL);
	if (!pol->path)
		goto err_free_pol;
	if (ph_stats_alloc(&pol->stats))
		goto err_free_path;
	pol->cgrp = cgrp;
	pol->grace_us = grace_us;
	pol->mode = mode;
	list_add_tail_rcu(&pol->node, &ph_policies);
	ret = ph_policy_update_key();
	if (ret)
		goto err_unlist;
	ph_policy_bump_gen();
	mod_delayed_work(ph_wq, &ph_policy_refresh_work, HZ);
	pr_info("enabled for cgroup %s (grace %u us, mode %#x)\n", path, grace_us, mode);
	ret = 0;
	goto out_unlock;

err_unlist:
	NL_SET_ERR_MSG(extack, "cannot attach the scheduler hooks (see the kernel log)");
	list_del_rcu(&pol->node);
	/* Only a task inside a hook could have seen it, and none can run yet. */
	synchronize_rcu();
	ph_stats_free(&pol->stats);
err_free_path:
	kfree(pol->path);
err_free_pol:
	kfree(pol);
err_put_cgroup:
	cgroup_put(cgrp);
out_unlock:
	mutex_unlock(&ph_policy_mutex);
	return ret;
}

int ph_policy_disable(const char *path, struct netlink_ext_ack *extack)
{
	struct cgroup *cgrp = cgroup_get_from_path(path);
	struct ph_policy *pol;

	if (IS_ERR(cgrp))
		cgrp = NULL;	/* removed cgroup: match by path */

	mutex_lock(&ph_policy_mutex);
	pol = ph_policy_find(path, cgrp);
	if (pol) {
		list_del_rcu(&pol->node);
		ph_policy_bump_gen();
		ph_policy_update_key();		/* turning off cannot fail */
	}
	mutex_unlock(&ph_policy_mutex);
	if (cgrp)
		cgroup_put(cgrp);

	if (!pol) {
		NL_SET_ERR_MSG_FMT(extack, "cgroup %.40s%s is not enabled", path, ph_ellipsis(path));
		return -ENOENT;
	}
	/* Hooks look policies up under RCU and keep no pointer past it. */
	synchronize_rcu();
	pr_info("disabled for cgroup %s\n", pol->path);
	ph_policy_free(pol);
	return 0;
}

int ph_policy_set_enabled(bool on, struct netlink_ext_ack *extack)
{
	bool was;
	int ret;

	mutex_lock(&ph_policy_mutex);
	was = READ_ONCE(ph_switch_on);
	WRITE_ONCE(ph_switch_on, on);
	ret = ph_policy_update_key();
	if (ret) {
		WRITE_ONCE(ph_switch_on, was);
		NL_SET_ERR_MSG(extack, "cannot attach the scheduler hooks (see the kernel log)");
	}
	mutex_unlock(&ph_policy_mutex);
	return ret;
}

bool ph_policy_enabled(void)
{
	return READ_ONCE(ph_switch_on);
}

void ph_policy_set_default_grace(u32 grace_us)
{
	WRITE_ONCE(ph_default_grace_us, grace_us);
}

u32 ph_policy_default_grace(void)
{
	return READ_ONCE(ph_default_grace_us);
}

void ph_policy_reset_stats(void)
{
	struct ph_policy *pol;

	mutex_lock(&ph_policy_mutex);
	list_for_each_entry(pol, &ph_policies, node)
		ph_stats_reset(&pol->stats);
	mutex_unlock(&ph_policy_mutex);
	ph_stats_reset(&ph_global_stats);
}

/*
 * A service restart (systemd removes the unit's cgroup and makes a new one
 * at the same path) must not lose the policy: policies are kept by path and
 * follow a recreated cgroup. Runs once a second while any cgroup is enabled,
 * and at once when a cgroup is created (ph_policy_cgroup_created).
 */
static void ph_policy_refresh_fn(struct work_struct *work)
{
	struct ph_policy *pol;
	struct cgroup *cgrp;
	bool swapped = false;

	mutex_lock(&ph_policy_mutex);
	list_for_each_entry(pol, &ph_policies, node) {
		if (!cgroup_is_dead(pol->cgrp))
			continue;
		cgrp = cgroup_get_from_path(pol->path);
		if (IS_ERR(cgrp))
			continue;	/* not back yet */
		pol->stale = pol->cgrp;
		WRITE_ONCE(pol->cgrp, cgrp);
		swapped = true;
		pr_info("cgroup %s was recreated; its policy follows the new one\n", pol->path);
	}
	if (swapped) {
		/* Hooks read pol->cgrp under RCU: let them finish with the old one. */
		synchronize_rcu();
		list_for_each_entry(pol, &ph_policies, node) {
			if (pol->stale) {
				cgroup_put(pol->stale);
				pol->stale = NULL;
			}
		}
	}
	if (!list_empty(&ph_policies))
		queue_delayed_work(ph_wq, &ph_policy_refresh_work, HZ);
	mutex_unlock(&ph_policy_mutex);
}

/* From the cgroup_mkdir tracepoint (atomic context): look again now. */
void ph_policy_cgroup_created(void)
{
	if (static_branch_unlikely(&ph_policy_active))
		mod_delayed_work(ph_wq, &ph_policy_refresh_work, 0);
}

int ph_policy_init(void)
{
	return 0;
}

/* Called after the hooks and the netlink family are gone: no reader remains. */
void ph_policy_exit(void)
{
	struct ph_policy *pol, *tmp;
	LIST_HEAD(dead);

	cancel_delayed_work_sync(&ph_policy_refresh_work);
	mutex_lock(&ph_policy_mutex);
	list_splice_init(&ph_policies, &dead);
	ph_policy_bump_gen();
	ph_policy_update_key();		/* turning off cannot fail */
	mutex_unlock(&ph_policy_mutex);
	cancel_delayed_work_sync(&ph_policy_disarm_work);	/* the hooks are gone already */
	synchronize_rcu();
	list_for_each_entry_safe(pol, tmp, &dead, node)
		ph_policy_free(pol);
}
