// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler hooks preempthint relies on, and the load-time check that
 * the running kernel offers every one of them.
 *
 * A module cannot reach the return-to-user path (exit_to_user_mode_loop is
 * not ftrace-able) nor struct rq, so the mechanism is built from what a
 * distribution kernel does expose: the bare tracepoint that names the task a
 * reschedule request is aimed at, the sched_switch and task lifecycle
 * tracepoints, and ftrace entry/exit probes on a few scheduler functions.
 * If any of them is missing we refuse to load and say which, rather than
 * run with a hole in the deferral logic.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "hooks.h"

/* Tracepoints, found by name: most of these are not exported as symbols. */
static const char *const ph_required_tracepoints[] = {
	"sched_set_need_resched_tp",	/* names the target of every request */
	"sched_switch",			/* lock-holder preemptions, grant end */
	"sched_process_exit",		/* drop a thread's registration */
	"sched_process_exec",		/* the hint page belongs to the old mm */
};

/* Functions the module attaches ftrace (fprobe) entry/exit handlers to. */
static const char *const ph_required_functions[] = {
	"__resched_curr",	/* exit: the request bit is set, rq still locked */
	"resched_curr_lazy",	/* tells fair-class requests from RT/DL ones */
	"update_process_times",	/* the tick, and whether it hit user mode */
};

struct ph_tp_lookup {
	const char *name;
	bool found;
};

static void ph_tp_match(struct tracepoint *tp, void *priv)
{
	struct ph_tp_lookup *l = priv;

	if (!strcmp(tp->name, l->name))
		l->found = true;
}

static bool ph_tracepoint_exists(const char *name)
{
	struct ph_tp_lookup l = { .name = name };

	for_each_kernel_tracepoint(ph_tp_match, &l);
	return l.found;
}

/*
 * A function is attachable when ftrace knows it: setting it as the filter of
 * an unregistered ftrace_ops matches against available_filter_functions
 * without patching any code.
 */
static bool ph_function_traceable(const char *name)
{
	struct ftrace_ops ops = {};
	char *buf;
	int ret;

	buf = kstrdup(name, GFP_KERNEL);
	if (!buf)
		return false;
	ret = ftrace_set_filter(&ops, buf, strlen(buf), 1);
	ftrace_free_filter(&ops);
	kfree(buf);
	return ret == 0;
}

/*
 * Check every hook, report all that are missing (not just the first), and
 * fail with -EOPNOTSUPP if any is (insmod reports -ENOENT as "Unknown
 * symbol", which would send the operator the wrong way). @extra is a comma-separated list of further
 * function names to require; the lab uses it to prove the refusal path.
 */
int ph_hooks_check(const char *extra)
{
	char *list, *cursor, *name;
	int missing = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ph_required_tracepoints); i++) {
		if (ph_tracepoint_exists(ph_required_tracepoints[i]))
			continue;
		pr_err("this kernel lacks the tracepoint %s\n", ph_required_tracepoints[i]);
		missing++;
	}
	for (i = 0; i < ARRAY_SIZE(ph_required_functions); i++) {
		if (ph_function_traceable(ph_required_functions[i]))
			continue;
		pr_err("this kernel cannot ftrace %s (needs CONFIG_FUNCTION_TRACER and the symbol)\n",
		       ph_required_functions[i]);
		missing++;
	}

	if (extra && *extra) {
		list = kstrdup(extra, GFP_KERNEL);
		if (!list)
			return -ENOMEM;
		cursor = list;
		while ((name = strsep(&cursor, ",")) != NULL) {
			if (!*name || ph_function_traceable(name))
				continue;
			pr_err("this kernel cannot ftrace %s (required by extra_hooks)\n", name);
			missing++;
		}
		kfree(list);
	}

	if (missing) {
		pr_err("refusing to load: %d required hook(s) missing\n", missing);
		return -EOPNOTSUPP;
	}
	return 0;
}
