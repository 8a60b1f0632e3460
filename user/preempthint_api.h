/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * preempthint application API: header-only, no library to link.
 *
 *	preempthint_register();		once per thread; harmless if it fails
 *	preempthint_enter();		before taking a userspace spinlock
 *	...critical section...
 *	preempthint_leave();		after releasing it
 *
 * enter/leave are a few plain stores to a thread-local slot; leave makes a
 * syscall (sched_yield) only when the kernel granted this thread extra time,
 * to give the borrowed CPU back, or penalized it for overrunning a grace:
 * the yield is what lifts the penalty. Without the module, or before register,
 * the calls still work and do nothing else. Sections nest.
 */
#ifndef PREEMPTHINT_API_H
#define PREEMPTHINT_API_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "preempthint.h"

static __thread struct preempthint_slot preempthint_slot_tls;

/* A forked child is a new thread the kernel knows nothing about. */
static void preempthint_atfork_child(void)
{
	__atomic_store_n(&preempthint_slot_tls.flags, 0, __ATOMIC_RELAXED);
}

/* 0, or -errno (-ENOENT: module not loaded; -EBUSY: already registered). */
static inline int preempthint_register(void)
{
	static int atfork_done;
	struct preempthint_register req = {
		.slot = (uintptr_t)&preempthint_slot_tls,
		.size = sizeof(preempthint_slot_tls),
	};
	int fd, ret;

	fd = open(PREEMPTHINT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, PREEMPTHINT_IOC_REGISTER, &req) ? -errno : 0;
	close(fd);
	if (!ret && !__atomic_exchange_n(&atfork_done, 1, __ATOMIC_RELAXED))
		pthread_atfork(NULL, NULL, preempthint_atfork_child);
	return ret;
}

static inline int preempthint_unregister(void)
{
	int fd, ret;

	fd = open(PREEMPTHINT_DEVICE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, PREEMPTHINT_IOC_UNREGISTER) ? -errno : 0;
	close(fd);
	return ret;
}

static inline struct preempthint_slot *preempthint_slot(void)
{
	return &preempthint_slot_tls;
}

static inline void preempthint_enter(void)
{
	__atomic_store_n(&preempthint_slot_tls.nest, preempthint_slot_tls.nest + 1,
			 __ATOMIC_RELAXED);
	/* The hint is up before the lock is taken (same-CPU interrupt order). */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void preempthint_leave(void)
{
	uint32_t nest;

	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	nest = preempthint_slot_tls.nest;
	if (nest == 0)
		return;	/* unbalanced leave: ignore rather than wrap */
	__atomic_store_n(&preempthint_slot_tls.nest, nest - 1, __ATOMIC_RELAXED);
	/*
	 * A penalty outlives the preemption that ended the extension: the
	 * kernel lifts it when the thread, out of its sections, enters the
	 * scheduler. Without this yield a thread that never sleeps would get
	 * no extension until it happened to be preempted between sections.
	 */
	if (nest == 1 && (__atomic_load_n(&preempthint_slot_tls.flags, __ATOMIC_RELAXED) &
			  (PREEMPTHINT_F_GRANTED | PREEMPTHINT_F_PENALIZED)))
		sched_yield();
}

#endif /* PREEMPTHINT_API_H */
