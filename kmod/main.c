// SPDX-License-Identifier: GPL-2.0
/*
 * preempthint: let a task that holds a userspace spinlock hint the scheduler
 * to defer a pending (lazy) reschedule for a short, bounded grace.
 *
 * This file holds module load and unload only; each concern lives in its own
 * file: hooks.c (what the kernel must offer, attaching to it), prototypes.c
 * (the running kernel's types of the arguments hooks read), request.c
 * (where each reschedule request is decided, the grant rules), extension.c
 * (the extension running on each CPU), registry.c and device.c (threads'
 * hint slots), enabled_cgroups.c (the cgroups a policy is enabled for),
 * netlink.c (the control interface), stats.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>

#include "preempthint.h"
#include "arch.h"
#include "extension.h"
#include "device.h"
#include "hooks.h"
#include "netlink.h"
#include "enabled_cgroups.h"
#include "registry.h"
#include "stats.h"
#include "waiters.h"
#include "wq.h"

static char *extra_hooks;
module_param(extra_hooks, charp, 0444);
MODULE_PARM_DESC(extra_hooks,
		 "comma-separated kernel functions to require besides the built-in set (lab self-test)");

struct workqueue_struct *ph_wq;

static int __init ph_init(void)
{
	int ret;

	/* Kbuild refuses such a kernel; this is for a module built elsewhere. */
	if (preempt_model_rt()) {
		pr_err("refusing to load: PREEMPT_RT kernels are not supported\n");
		return -EOPNOTSUPP;
	}
	ret = ph_hooks_check(extra_hooks);
	if (ret)
		return ret;

	ph_wq = alloc_workqueue(KBUILD_MODNAME, WQ_UNBOUND, 0);
	if (!ph_wq)
		return -ENOMEM;
	ret = ph_stats_alloc(&ph_global_stats);
	if (ret)
		goto err_wq;
	ret = ph_policy_init();
	if (ret)
		goto err_stats;
	ret = ph_registry_init();
	if (ret)
		goto err_policy;
	ret = ph_ext_init();
	if (ret)
		goto err_registry;
	ph_waiters_init();
	ret = ph_hooks_attach();
	if (ret)
		goto err_ext;
	ret = ph_device_init();
	if (ret)
		goto err_hooks;
	ret = ph_netlink_init();
	if (ret)
		goto err_device;

	pr_info("version %s (%s) loaded, preemption model %s\n", PREEMPTHINT_VERSION,
		PH_ARCH_NAME, ph_preempt_model());
	return 0;

err_device:
	ph_device_exit();
err_hooks:
	ph_hooks_detach_rest();
err_ext:
	ph_ext_exit();
err_registry:
	ph_registry_exit();
err_policy:
	ph_policy_exit();
err_stats:
	ph_stats_free(&ph_global_stats);
err_wq:
	destroy_workqueue(ph_wq);
	return ret;
}

/*
 * Unloading with hinted threads alive is safe: no new extension can start
 * once the granting hooks are gone; running ones end (and their tasks are
 * preempted) while sched_switch still tracks them (ph_hooks_disarm); then
 * every slot is told it is dead (flags cleared) and unpinned. Threads keep
 * writing their own memory, to no effect, until they register again with a
 * new module.
 */
static void __exit ph_exit(void)
{
	ph_netlink_exit();
	ph_device_exit();
	ph_hooks_disarm();
	ph_hooks_detach_rest();
	ph_ext_exit();
	ph_registry_exit();
	ph_policy_exit();
	ph_stats_free(&ph_global_stats);
	destroy_workqueue(ph_wq);
	pr_info("unloaded\n");
}

module_init(ph_init);
module_exit(ph_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("preempthint developers");
MODULE_DESCRIPTION("Spinlock-held hint: bounded deferral of lazy preemption");
MODULE_VERSION(PREEMPTHINT_VERSION);
