/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tracepoints preempthint probes: PH_TRACEPOINT(tracepoint, probe,
 * class), included by hooks.c once to check each probe's type and once to
 * build the table. No include guard: it is meant to be included twice.
 */

/* Names the task each request is aimed at, just before the bit is set. */
PH_TRACEPOINT(sched_set_need_resched_tp, ph_tp_need_resched, PH_HOOK_GRANTING)
/* A deadline entity (the fair server too) ran out: its request comes next. */
PH_TRACEPOINT(sched_dl_throttle_tp, ph_tp_dl_throttle, PH_HOOK_GRANTING)
/*
 * The scheduler acts on what was requested of this CPU's task: nothing is
 * pending any more. A granted task that enters it unpreempted gives its
 * extension back (sched_yield, the lazy bit at its return to user,
 * blocking), even when the scheduler picks it again and no switch follows.
 */
PH_TRACEPOINT(sched_entry_tp, ph_tp_sched_entry, PH_HOOK_ARMED)
/* Ends extensions; counts lock holders switched out; notes the candidate. */
PH_TRACEPOINT(sched_switch, ph_tp_switch, PH_HOOK_ALWAYS)
/* An RT/DL task waking on a CPU ends the extension there. */
PH_TRACEPOINT(sched_wakeup, ph_tp_wakeup, PH_HOOK_ARMED)
/* The same for one moved there; a queued task of another cgroup carries its wait along. */
PH_TRACEPOINT(sched_migrate_task, ph_tp_migrate, PH_HOOK_ARMED)
/* Drop a thread's registration when it exits or execs. */
PH_TRACEPOINT(sched_process_exit, ph_tp_exit, PH_HOOK_ALWAYS)
PH_TRACEPOINT(sched_process_exec, ph_tp_exec, PH_HOOK_ALWAYS)
/* A service restart recreates its cgroup: policies follow it by path. */
PH_TRACEPOINT(cgroup_mkdir, ph_tp_cgroup_mkdir, PH_HOOK_ALWAYS)
/* Where this CPU acts on another CPU's request, on the arches that need one. */
PH_ARCH_TRACEPOINTS
