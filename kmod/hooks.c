// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler hooks preempthint relies on: the load-time check that the
 * running kernel offers every one of them, and attaching/detaching them.
 *
 * A module cannot reach the return-to-user path (exit_to_user_mode_loop is
 * not ftrace-able) nor struct rq, so the mechanism is built from what a
 * distribution kernel does expose: the bare tracepoint that names the task a
 * reschedule request is aimed at, the sched_switch/wakeup and task lifecycle
 * tracepoints, and fprobes (ftrace entry/exit handlers) on a few scheduler
 * functions. If any is missing we refuse to load and say which, rather than
 * run with a hole in the deferral logic.
 *
 * Hooks come in three classes. sched_switch and the lifecycle tracepoints
 * stay attached while the module is loaded: they count lock-holder
 * preemptions with or without a policy (the A/B experiment's "off" side)
 * and drop registrations. The rest are attached only while a policy is
 * active ("armed"), because every task on the host pays for them, enabled
 * or not (docs/results/2026-12-02-bench-hooks): the granting hooks, which can
 * start an extension, and the bookkeeping that ends extensions and tracks
 * waiters. Disarming takes the granting ones away first, so that running
 * extensions can be ended while sched_switch still tells us about every
 * task that leaves a CPU.
 *
 * Types. A probe must take exactly what its tracepoint passes: each one is
 * checked against the tracepoint's declaration in the headers the module
 * is built with (DKMS builds against each kernel's own), so a changed
 * prototype fails the build and a module that would misread its arguments
 * is never installed. The one fprobe that reads an argument has it checked
 * against the running kernel's BTF at load time (prototypes.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fprobe.h>
#include <linux/ftrace.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/cgroup.h>
#include <trace/events/sched.h>

#include "arch.h"
#include "extension.h"
#include "hooks.h"
#include "enabled_cgroups.h"
#include "prototypes.h"
#include "registry.h"
#include "request.h"
#include "waiters.h"

/* ---- tracepoint probes ---- */

static void ph_tp_need_resched(void *data, struct task_struct *p, int cpu, int tif)
{
	ph_request_made(p, cpu, tif);
}

static void ph_tp_switch(void *data, bool preempt, struct task_struct *prev,
			 struct task_struct *next, unsigned int prev_state)
{
	ph_request_switch(next);
	ph_ext_switch(preempt, prev, prev_state);
	ph_waiters_switch(prev, preempt || prev_state == TASK_RUNNING, next);
}

static void ph_tp_wakeup(void *data, struct task_struct *p)
{
	ph_ext_rt_arrival(p, task_cpu(p));
}

static void ph_tp_migrate(void *data, struct task_struct *p, int dest_cpu)
{
	ph_ext_rt_arrival(p, dest_cpu);
	ph_waiters_migrate(p, dest_cpu);
}

/* __schedule() begins: not preempted, so it gives the CPU up itself. */
static void ph_tp_sched_entry(void *data, bool preempt)
{
	ph_request_schedule();
	if (!preempt)
		ph_ext_yield();
}

static void ph_tp_dl_throttle(void *data, struct sched_dl_entity *dl_se, int cpu, u8 type)
{
	ph_request_dl_throttle();
}

/* Only some arches have it (PH_ARCH_TRACEPOINTS). */
static void __maybe_unused ph_tp_resched_ipi_exit(void *data, int vector)
{
	ph_request_check();
}

#ifndef PH_SELFTEST_WRONG_PROBE
static void ph_tp_exit(void *data, struct task_struct *p, bool group_dead)
#else
/* Lab self-test: the prototype before 6.x added group_dead must not build. */
static void ph_tp_exit(void *data, struct task_struct *p)
#endif
{
	ph_registry_remove(p);
}

static void ph_tp_exec(void *data, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	/* The slot belonged to the old address space. */
	ph_registry_remove(p);
}

static void ph_tp_cgroup_mkdir(void *data, struct cgroup *cgrp, const char *path)
{
	ph_policy_cgroup_created();
}

/* ---- fprobe handlers ---- */

static int ph_fp_lazy_entry(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
			    struct ftrace_regs *regs, void *data)
{
	ph_request_lazy_enter();
	return 0;
}

/*
 * wakeup_preempt(struct rq *rq, struct task_struct *p, int flags): the
 * arriving task is argument 1, as ph_prototypes[] requires of the running
 * kernel before the module loads.
 */
#ifndef PH_SELFTEST_WRONG_ARG
#define PH_ARRIVAL_TASK_ARG 1
#else
/* Lab self-test: a hook reading the wrong argument must refuse to load. */
#define PH_ARRIVAL_TASK_ARG 2
#endif

static int ph_fp_arrival_entry(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
			       struct ftrace_regs *regs, void *data)
{
	ph_request_arrival((struct task_struct *)
			   ftrace_regs_get_argument(regs, PH_ARRIVAL_TASK_ARG));
	return 0;
}

static int ph_fp_tick_entry(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
			    struct ftrace_regs *regs, void *data)
{
	ph_request_tick_enter(false);
	return 0;
}

static void ph_fp_tick_exit(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
			    struct ftrace_regs *regs, void *data)
{
	ph_request_tick_exit(false);
}

static int ph_fp_hrtick_entry(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
			      struct ftrace_regs *regs, void *data)
{
	ph_request_tick_enter(true);
	return 0;
}

static void ph_fp_hrtick_exit(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
			      struct ftrace_regs *regs, void *data)
{
	ph_request_tick_exit(true);
}

static int ph_fp_class_tick_entry(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
				  struct ftrace_regs *regs, void *data)
{
	ph_request_class_tick_enter();
	return 0;
}

static void ph_fp_class_tick_exit(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
				  struct ftrace_regs *regs, void *data)
{
	ph_request_class_tick_exit();
}

static int ph_fp_return_entry(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
			      struct ftrace_regs *regs, void *data)
{
	return !ph_request_exit_wanted();	/* nonzero: skip the exit handler */
}

static void ph_fp_return_exit(struct fprobe *fp, unsigned long ip, unsigned long ret_ip,
			      struct ftrace_regs *regs, void *data)
{
	ph_request_exit();
}

/* ---- the tables ---- */

enum ph_hook_class {
	PH_HOOK_ALWAYS,		/* while loaded */
	PH_HOOK_ARMED,		/* while armed: ends extensions, tracks waiters */
	PH_HOOK_GRANTING,	/* while armed: can start an extension */
};

struct ph_tracepoint {
	const char *name;
	void *probe;
	enum ph_hook_class class;
	struct tracepoint *tp;		/* found at attach time */
	bool attached;
};

struct ph_fprobe {
	const char *name;
	struct fprobe fp;
	enum ph_hook_class class;
	bool attached;
};

static DEFINE_MUTEX(ph_hooks_mutex);	/* serialises arming, disarming, unload */
static bool ph_hooks_armed;

/*
 * Every tracepoint probe, with its class (hook_tracepoints.h). For each, the
 * build checks that the probe has the prototype the kernel's headers declare
 * for its tracepoint: check_trace_callback_type_<tp>() takes exactly the
 * probe type <tp> calls.
 */
#define PH_TRACEPOINT(tp, probe, cls)						\
	static void __maybe_unused ph_typecheck_##tp(void)			\
	{									\
		BUILD_BUG_ON((cls) > PH_HOOK_GRANTING);				\
		static_assert(__same_type(&check_trace_callback_type_##tp,	\
					  void (*)(typeof(&probe))),		\
			      #probe " does not match the tracepoint " #tp	\
			      " of this kernel's headers");			\
	}
#include "hook_tracepoints.h"
#undef PH_TRACEPOINT

#define PH_TRACEPOINT(tp, fn, cls) { .name = #tp, .probe = fn, .class = cls },
static struct ph_tracepoint ph_tracepoints[] = {
#include "hook_tracepoints.h"
};
#undef PH_TRACEPOINT

static struct ph_fprobe ph_fprobes[] = {
	/* Every fair-class request, and only those, comes through here. */
	{ "resched_curr_lazy", { .entry_handler = ph_fp_lazy_entry }, PH_HOOK_GRANTING },
	/*
	 * A task arrives (wakes, is created or moved), before the scheduler
	 * asks for the CPU on its behalf: if another service's, it now waits
	 * here (waiters.c).
	 */
	{ "wakeup_preempt", { .entry_handler = ph_fp_arrival_entry }, PH_HOOK_GRANTING },
	/* The tick: slice expiry and the lazy-to-full upgrade. */
	{ "sched_tick",
	  { .entry_handler = ph_fp_tick_entry, .exit_handler = ph_fp_tick_exit }, PH_HOOK_GRANTING },
	/* The fair class's tick: past sched_tick()'s upgrade. */
	{ "task_tick_fair",
	  { .entry_handler = ph_fp_class_tick_entry, .exit_handler = ph_fp_class_tick_exit },
	  PH_HOOK_GRANTING },
	/*
	 * Where a CPU acts on another CPU's request next: the return of an
	 * interrupt (the reschedule IPI on arm64, the tick, devices; softirqs
	 * run inside irq_exit_rcu()) and of a page fault (a lazy request takes
	 * effect at its return to user).
	 */
	{ "irq_exit_rcu",
	  { .entry_handler = ph_fp_return_entry, .exit_handler = ph_fp_return_exit },
	  PH_HOOK_GRANTING },
	{ "handle_mm_fault",
	  { .entry_handler = ph_fp_return_entry, .exit_handler = ph_fp_return_exit },
	  PH_HOOK_GRANTING },
	/* The hrtick timer: slice expiry between ticks (HRTICK, on in 7.x). */
	{ "hrtick",
	  { .entry_handler = ph_fp_hrtick_entry, .exit_handler = ph_fp_hrtick_exit },
	  PH_HOOK_GRANTING },
};

/* What the fprobes that read arguments assume of the running kernel. */
static const struct ph_prototype ph_prototypes[] = {
	{ "wakeup_preempt", 3, { [PH_ARRIVAL_TASK_ARG] = "task_struct" } },
};

/* ---- lookup and the load-time check ---- */

struct ph_tp_lookup {
	const char *name;
	struct tracepoint *tp;
};

static void ph_tp_match(struct tracepoint *tp, void *priv)
{
	struct ph_tp_lookup *l = priv;

	if (!strcmp(tp->name, l->name))
		l->tp = tp;
}

static struct tracepoint *ph_tracepoint_find(const char *name)
{
	struct ph_tp_lookup l = { .name = name };

	for_each_kernel_tracepoint(ph_tp_match, &l);
	return l.tp;
}

/*
 * A function is attachable when ftrace knows it: setting it as the filter of
 * an unregistered ftrace_ops matches against available_filter_functions
 * without patching any code. 1: attachable, 0: not, -ENOMEM: no memory to
 * tell (which must not be reported as a missing hook).
 */
static int ph_function_traceable(const char *name)
{
	struct ftrace_ops ops = {};
	char *buf;
	int ret;

	buf = kstrdup(name, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = ftrace_set_filter(&ops, buf, strlen(buf), 1);
	ftrace_free_filter(&ops);
	kfree(buf);
	if (ret == -ENOMEM)
		return ret;
	return ret == 0;
}

/*
 * Check every hook, report all that are missing (not just the first), and
 * fail with -EOPNOTSUPP if any is (insmod reports -ENOENT as "Unknown
 * symbol", which would send the operator the wrong way). @extra is a
 * comma-separated list of further function names to require; the lab uses
 * it to prove the refusal path.
 */
int ph_hooks_check(const char *extra)
{
	char *list, *cursor, *name;
	int missing = 0, ret;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ph_tracepoints); i++) {
		if (ph_tracepoint_find(ph_tracepoints[i].name))
			continue;
		pr_err("this kernel lacks the tracepoint %s\n", ph_tracepoints[i].name);
		missing++;
	}
	for (i = 0; i < ARRAY_SIZE(ph_fprobes); i++) {
		ret = ph_function_traceable(ph_fprobes[i].name);
		if (ret < 0)
			return ret;
		if (ret)
			continue;
		pr_err("this kernel cannot ftrace %s (needs CONFIG_FUNCTION_TRACER and the symbol)\n",
		       ph_fprobes[i].name);
		missing++;
	}

	if (extra && *extra) {
		list = kstrdup(extra, GFP_KERNEL);
		if (!list)
			return -ENOMEM;
		cursor = list;
		while ((name = strsep(&cursor, ",")) != NULL) {
			ret = *name ? ph_function_traceable(name) : 1;
			if (ret < 0) {
				kfree(list);
				return ret;
			}
			if (ret)
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

	ret = ph_prototypes_check(ph_prototypes, ARRAY_SIZE(ph_prototypes));
	if (ret == -EOPNOTSUPP)
		pr_err("refusing to load: a hooked function's prototype is not what the hook reads\n");
	return ret;
}

/* ---- attach and detach ---- */

static void ph_hooks_detach(enum ph_hook_class class)
{
	int i;

	for (i = ARRAY_SIZE(ph_fprobes) - 1; i >= 0; i--) {
		struct ph_fprobe *f = &ph_fprobes[i];

		if (f->attached && f->class == class) {
			unregister_fprobe(&f->fp);
			f->attached = false;
		}
	}
	for (i = ARRAY_SIZE(ph_tracepoints) - 1; i >= 0; i--) {
		struct ph_tracepoint *t = &ph_tracepoints[i];

		if (t->attached && t->class == class) {
			tracepoint_probe_unregister(t->tp, t->probe, NULL);
			t->attached = false;
		}
	}
	/* No handler of this class runs on any CPU after this. */
	tracepoint_synchronize_unregister();
	synchronize_rcu();
}

/* On failure the caller detaches what was attached. */
static int ph_hooks_attach_class(enum ph_hook_class class)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(ph_tracepoints); i++) {
		struct ph_tracepoint *t = &ph_tracepoints[i];

		if (t->class != class)
			continue;
		t->tp = ph_tracepoint_find(t->name);
		ret = t->tp ? tracepoint_probe_register(t->tp, t->probe, NULL) : -ENOENT;
		if (ret) {
			pr_err("cannot attach to tracepoint %s: %d\n", t->name, ret);
			return ret;
		}
		t->attached = true;
	}
	for (i = 0; i < ARRAY_SIZE(ph_fprobes); i++) {
		struct ph_fprobe *f = &ph_fprobes[i];

		if (f->class != class)
			continue;
		ret = register_fprobe(&f->fp, f->name, NULL);
		if (ret) {
			pr_err("cannot attach an fprobe to %s: %d\n", f->name, ret);
			return ret;
		}
		f->attached = true;
	}
	return 0;
}

/* At load: the hooks that stay while the module does. */
int ph_hooks_attach(void)
{
	int ret;

	mutex_lock(&ph_hooks_mutex);
	ret = ph_hooks_attach_class(PH_HOOK_ALWAYS);
	if (ret)
		ph_hooks_detach(PH_HOOK_ALWAYS);
	mutex_unlock(&ph_hooks_mutex);
	return ret;
}

/*
 * A policy becomes active. Called before the policy key is turned on, so
 * that no granting hook decides anything until all of them are in place;
 * bookkeeping first: an extension must never start unseen by it.
 */
int ph_hooks_arm(void)
{
	int ret = 0;

	mutex_lock(&ph_hooks_mutex);
	if (ph_hooks_armed)
		goto out_unlock;
	ph_request_forget();
	ret = ph_hooks_attach_class(PH_HOOK_ARMED);
	if (ret)
		goto err_armed;
	ret = ph_hooks_attach_class(PH_HOOK_GRANTING);
	if (ret)
		goto err_granting;
	ph_hooks_armed = true;
	goto out_unlock;

err_granting:
	ph_hooks_detach(PH_HOOK_GRANTING);
err_armed:
	ph_hooks_detach(PH_HOOK_ARMED);
out_unlock:
	mutex_unlock(&ph_hooks_mutex);
	return ret;
}

/*
 * No policy is active (for a while: see enabled_cgroups.c), or the module unloads:
 * no new extension can start once the granting hooks are gone; running ones
 * end (their tasks are preempted) while sched_switch still tracks them.
 */
void ph_hooks_disarm(void)
{
	mutex_lock(&ph_hooks_mutex);
	if (ph_hooks_armed) {
		ph_hooks_detach(PH_HOOK_GRANTING);
		ph_ext_end_all();
		ph_hooks_detach(PH_HOOK_ARMED);
		ph_hooks_armed = false;
	}
	mutex_unlock(&ph_hooks_mutex);
}

/* At unload, after ph_hooks_disarm(). */
void ph_hooks_detach_rest(void)
{
	mutex_lock(&ph_hooks_mutex);
	ph_hooks_detach(PH_HOOK_ALWAYS);
	mutex_unlock(&ph_hooks_mutex);
}
