// SPDX-License-Identifier: GPL-2.0
/*
 * preempthint: let a task that holds a userspace spinlock hint the scheduler
 * to defer a pending (lazy) reschedule for a short, bounded grace.
 *
 * This file holds module load and unload only; each concern lives in its own
 * file (hooks.c: what the kernel must offer).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>

#include "preempthint.h"
#include "hooks.h"

static char *extra_hooks;
module_param(extra_hooks, charp, 0444);
MODULE_PARM_DESC(extra_hooks,
		 "comma-separated kernel functions to require besides the built-in set (lab self-test)");

static const char *ph_preempt_model(void)
{
	if (preempt_model_lazy())
		return "lazy";
	if (preempt_model_full())
		return "full";
	if (preempt_model_rt())
		return "rt";
	return "other";
}

static int __init ph_init(void)
{
	int ret;

	ret = ph_hooks_check(extra_hooks);
	if (ret)
		return ret;

	pr_info("version %s loaded, preemption model %s\n", PREEMPTHINT_VERSION,
		ph_preempt_model());
	return 0;
}

static void __exit ph_exit(void)
{
	pr_info("unloaded\n");
}

module_init(ph_init);
module_exit(ph_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("preempthint developers");
MODULE_DESCRIPTION("Spinlock-held hint: bounded deferral of lazy preemption");
MODULE_VERSION(PREEMPTHINT_VERSION);
