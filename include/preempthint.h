/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * preempthint UAPI: shared by the kernel module (kmod/) and the userspace
 * programs (user/). Everything a program needs to talk to the module is here,
 * and nothing else: no kernel-internal types.
 *
 * Two interfaces:
 *
 * 1. The hint, per thread. A thread registers a struct preempthint_slot in
 *    its own memory (ioctl PREEMPTHINT_IOC_REGISTER on /dev/preempthint; the
 *    fd may be closed afterwards). From then on it writes slot.nest, the
 *    depth of userspace spinlocks it holds, with plain stores: no syscall per
 *    lock. The kernel reads nest when a reschedule is requested for the
 *    thread and writes slot.flags and the counters. See user/preempthint_api.h
 *    for the enter/leave helpers.
 *
 * 2. Policy and counters, per cgroup v2: the generic netlink family
 *    "preempthint" (CAP_SYS_NICE in the initial user namespace).
 */
#ifndef _UAPI_PREEMPTHINT_H
#define _UAPI_PREEMPTHINT_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The one place the version is set; dkms.conf and the Makefile read it here. */
#define PREEMPTHINT_VERSION "0.1.0"

/* Module name, as in /sys/module/<name>/ and modprobe. */
#define PREEMPTHINT_MODNAME "preempthint"
#define PREEMPTHINT_DEVICE "/dev/preempthint"

/* ---- the per-thread hint ---------------------------------------------- */

/* The largest nesting depth the kernel accepts; more is garbage. */
#define PREEMPTHINT_NEST_MAX 64

/* slot.flags, written by the kernel only. */
#define PREEMPTHINT_F_REGISTERED (1U << 0)	/* the module reads this slot */
#define PREEMPTHINT_F_GRANTED	 (1U << 1)	/* an extension is running: yield on leave */
#define PREEMPTHINT_F_REVOKED	 (1U << 2)	/* misbehaved (garbage in nest): no more grants */
#define PREEMPTHINT_F_PENALIZED	 (1U << 3)	/* overran a grace: no grant until it yields */

struct preempthint_slot {
	__u32 nest;		/* thread: spinlocks held now (0 = none) */
	__u32 flags;		/* kernel: PREEMPTHINT_F_* */
	__u32 grants;		/* kernel: extensions granted to this thread */
	__u32 preempted;	/* kernel: times switched out while nest > 0 */
	__u64 reserved[2];
} __attribute__((aligned(32)));

struct preempthint_register {
	__u64 slot;		/* address of a struct preempthint_slot, 32-byte aligned */
	__u32 size;		/* sizeof(struct preempthint_slot) */
	__u32 flags;		/* must be 0 */
};

#define PREEMPTHINT_IOC_MAGIC	 'p'
#define PREEMPTHINT_IOC_REGISTER _IOW(PREEMPTHINT_IOC_MAGIC, 1, struct preempthint_register)
#define PREEMPTHINT_IOC_UNREGISTER _IO(PREEMPTHINT_IOC_MAGIC, 2)

/* ---- generic netlink: policy and counters ----------------------------- */

#define PREEMPTHINT_GENL_NAME	 "preempthint"
#define PREEMPTHINT_GENL_VERSION 1
#define PREEMPTHINT_GENL_MCGRP	 "events"

/* Grace bounds, in microseconds: a hard cap well under one tick (4 ms at HZ=250). */
#define PREEMPTHINT_GRACE_US_DEFAULT 50
#define PREEMPTHINT_GRACE_US_MIN     5
#define PREEMPTHINT_GRACE_US_MAX     1000

/* Policy modes, a bit mask. */
#define PREEMPTHINT_MODE_HINT	(1U << 0)	/* defer for hinted threads (patched apps) */
#define PREEMPTHINT_MODE_KERNEL	(1U << 1)	/* defer the tick's full preemption in kernel mode */
#define PREEMPTHINT_MODE_ALL	(PREEMPTHINT_MODE_HINT | PREEMPTHINT_MODE_KERNEL)

enum preempthint_cmd {
	PREEMPTHINT_CMD_UNSPEC,
	PREEMPTHINT_CMD_ENABLE,		/* CGROUP_PATH [GRACE_US] [MODE] */
	PREEMPTHINT_CMD_DISABLE,	/* CGROUP_PATH */
	PREEMPTHINT_CMD_GET_POLICY,	/* dump: one message per enabled cgroup */
	PREEMPTHINT_CMD_GET_STATS,	/* global counters and settings */
	PREEMPTHINT_CMD_SET,		/* global knobs: DEFAULT_GRACE_US, ENABLED */
	PREEMPTHINT_CMD_RESET_STATS,	/* zero every counter */
	/*
	 * Multicast on PREEMPTHINT_GENL_MCGRP, once a second while anyone
	 * listens: one message per enabled cgroup (CGROUP_PATH, CGROUP_ID,
	 * STATS) and one global (REGISTERED, STATS), each with TIME_NS.
	 * Counters are cumulative; a monitor prints differences.
	 */
	PREEMPTHINT_CMD_EVENT_STATS,
	__PREEMPTHINT_CMD_MAX,
};
#define PREEMPTHINT_CMD_MAX (__PREEMPTHINT_CMD_MAX - 1)

enum preempthint_attr {
	PREEMPTHINT_A_UNSPEC,
	PREEMPTHINT_A_CGROUP_PATH,	/* string, relative to the cgroup v2 root */
	PREEMPTHINT_A_CGROUP_ID,	/* u64, the cgroup's inode number */
	PREEMPTHINT_A_GRACE_US,		/* u32 */
	PREEMPTHINT_A_MODE,		/* u32, PREEMPTHINT_MODE_* */
	PREEMPTHINT_A_STATS,		/* nest of PREEMPTHINT_STAT_* (u64 each) */
	PREEMPTHINT_A_VERSION,		/* string */
	PREEMPTHINT_A_ENABLED,		/* u8: global switch */
	PREEMPTHINT_A_REGISTERED,	/* u32: threads with a registered slot */
	PREEMPTHINT_A_PAD,
	PREEMPTHINT_A_TIME_NS,		/* u64, CLOCK_MONOTONIC of an event */
	PREEMPTHINT_A_PREEMPT_MODEL,	/* string: the kernel's model now (lazy, full, rt) */
	__PREEMPTHINT_A_MAX,
};
#define PREEMPTHINT_A_MAX (__PREEMPTHINT_A_MAX - 1)

enum preempthint_stat {
	PREEMPTHINT_STAT_UNSPEC,
	PREEMPTHINT_STAT_GRANTS,	/* extensions granted */
	PREEMPTHINT_STAT_EXPIRIES,	/* grace ran out: preempted by the module */
	PREEMPTHINT_STAT_YIELDS,	/* left the section and gave the CPU back */
	PREEMPTHINT_STAT_REFUSALS,	/* deferral asked for but refused */
	PREEMPTHINT_STAT_LH_PREEMPTIONS, /* switched out while the hint was set */
	PREEMPTHINT_STAT_KERNEL_GRANTS,	/* kernel-mode policy: tick preemptions deferred */
	PREEMPTHINT_STAT_GRANT_NS_MAX,	/* longest extension, ns */
	PREEMPTHINT_STAT_GRANT_NS_SUM,	/* total extension time, ns */
	PREEMPTHINT_STAT_WAITER_REFUSALS, /* of the refusals: another cgroup's task waits */
	PREEMPTHINT_STAT_ARRIVAL_REFUSALS, /* of the refusals: another cgroup's task woke here */
	PREEMPTHINT_STAT_REGISTRATION_REFUSALS, /* hint slots refused: ENOSPC, ENOMEM */
	PREEMPTHINT_STAT_PAD,
	__PREEMPTHINT_STAT_MAX,
};
#define PREEMPTHINT_STAT_MAX (__PREEMPTHINT_STAT_MAX - 1)

#endif /* _UAPI_PREEMPTHINT_H */
